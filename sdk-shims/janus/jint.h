/* Janus shim internals shared by janus.c (glue, run loop), videoroom.c and
 * textroom.c. Everything here runs on the thread that called create() /
 * run(); other threads only push rg_jev events into `q`. */
#ifndef RG_JANUS_JINT_H
#define RG_JANUS_JINT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "janus/jpeer.h"
#include "janus/jsession.h"
#include "recgate/shim.h"

#define RG_JANUS_BOT_DISPLAY "recgate"
#define RG_JANUS_MAX_MAP 128

typedef struct jpart {
    uint64_t id;
    char sid[24];          /* the participant id given to the core */
    char *display;
    bool present;          /* publishing in the room now */
    bool reported;         /* core->joined sent, core->left not yet */
    bool ever_reported;
    bool host;
    int64_t seen_ms;       /* when the bot first saw them */
    bool want_sub;         /* to subscribe */
    bool subscribed;
    int64_t retry_ms;      /* earliest next subscribe attempt */
    int channels;          /* fixed from the first packet's TOC */
    uint64_t frames, passed;
} jpart;

typedef struct jtruser {
    char *username;
    char *display;
} jtruser;

typedef struct rg_janus {
    /* parameters */
    char *url, *room, *textroom, *meeting_type;
    char **hosts;
    size_t n_hosts;
    int timeout_ms;
    int64_t max_ms;        /* 0: until the room empties */
    int grace_ms;          /* wait for a TextRoom user before joined() */
    char meeting_id[160];
    /* plumbing */
    GAsyncQueue *q;
    GQueue backlog;        /* events popped while waiting for something else */
    rg_jsession *js;
    uint64_t pub_h, sub_h, tr_h;
    uint64_t my_id, private_id;
    rg_jpeer *sub_peer, *tr_peer;
    struct { int mline; uint64_t feed; } map[RG_JANUS_MAX_MAP];
    int n_map;
    bool sub_joined;       /* the subscriber handle joined the room */
    bool sub_busy;         /* a subscribe/update is being negotiated */
    /* participants */
    jpart *parts;
    size_t n_parts, cap_parts;
    jtruser *users;
    size_t n_users, cap_users;
    char tr_name[64];      /* the bot's TextRoom username */
    bool tr_joined;
    uint64_t history_dropped;
    /* run state */
    const rg_core_ops *core;
    rg_session *session;
    int64_t t0_us, last_t, last_tick, last_keepalive;
    bool lost, left, room_gone, had_someone, need_tick, debug;
    int64_t lost_at, empty_since;
    char lost_why[RG_ERRBUF_SIZE];
    rg_err core_err;
    uint64_t chats_sent, chats_failed, frames_offered, frames_passed;
} rg_janus;

/* janus.c */
int64_t rg_janus_now(rg_janus *j);
/* Pop events until `match` accepts one (checked in the backlog first),
 * trickling ICE candidates meanwhile; others are kept for the run loop.
 * *out [owned]. RG_ERR_NETWORK on timeout or a lost session. */
typedef bool (*rg_jmatch)(const rg_jev *ev, const void *ctx);
rg_err rg_janus_wait(rg_janus *j, rg_jmatch match, const void *ctx, int timeout_ms,
                     rg_jev **out);
/* Wait for the plugin event answering `txn`; *data [borrowed from *ev]. */
rg_err rg_janus_wait_txn(rg_janus *j, const char *txn, int timeout_ms, rg_jev **ev);
jpart *rg_janus_part(rg_janus *j, uint64_t id);
jpart *rg_janus_part_add(rg_janus *j, uint64_t id, const char *display);
/* Tell the core that `p` joined (once their chat user is known). */
void rg_janus_report(rg_janus *j, jpart *p, int64_t t);
void rg_janus_fail(rg_janus *j, const char *fmt, ...);
/* A room id as JSON: a number if all digits, else a string. */
cJSON *rg_janus_room_json(const char *room);

/* videoroom.c */
rg_err rg_jvr_join(rg_janus *j, char *errbuf);
void rg_jvr_event(rg_janus *j, const rg_jev *ev, int64_t t);
/* Subscribe to publishers waiting for it (one negotiation at a time). */
void rg_jvr_subscribe_pending(rg_janus *j, int64_t t);
uint64_t rg_jvr_feed_of(const rg_janus *j, int mline);
void rg_jvr_leave(rg_janus *j);

/* textroom.c */
rg_err rg_jtr_join(rg_janus *j, char *errbuf);
void rg_jtr_message(rg_janus *j, const rg_jev *ev, int64_t t);
rg_err rg_jtr_send(rg_janus *j, const char *to_sid, const char *text);
const jtruser *rg_jtr_user_for(const rg_janus *j, const jpart *p);
void rg_jtr_leave(rg_janus *j);

#endif
