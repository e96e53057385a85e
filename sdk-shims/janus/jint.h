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
    char amid[16];         /* the mid of their audio stream ("" if unknown) */
    uint64_t sub_h;        /* their own subscriber handle, 0 if none */
    rg_jpeer *peer;        /* ... and its PeerConnection */
    uint64_t subscriptions, renegotiations;
    int channels;          /* fixed from the first packet's TOC */
    uint64_t frames, passed;
    uint64_t frames_lost;  /* RTP sequence gaps of closed connections */
    uint64_t other_tracks; /* non-audio tracks received on closed connections */
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
    bool video;            /* the meeting type stores video: subscribe to it */
    char meeting_id[160];
    /* plumbing */
    GAsyncQueue *q;
    GQueue backlog;        /* events popped while waiting for something else */
    rg_jsession *js;
    uint64_t pub_h, tr_h;
    uint64_t my_id, private_id;
    rg_jpeer *tr_peer;
    /* participants */
    jpart *parts;
    size_t n_parts, cap_parts;
    jtruser *users;
    size_t n_users, cap_users;
    char tr_name[64];      /* the bot's TextRoom username */
    bool tr_joined;
    bool public_sent;      /* the public notice went out: later arrivals are late joiners */
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
/* Subscribe to publishers waiting for it, each on a handle of its own. */
void rg_jvr_subscribe_pending(rg_janus *j, int64_t t);
/* The participant whose subscriber handle is `handle`, or NULL. */
jpart *rg_jvr_part_of_handle(rg_janus *j, uint64_t handle);
void rg_jvr_unsubscribe(rg_janus *j, jpart *p);
/* p's connection failed: tear it down, rebuild it if they are still here. */
void rg_jvr_peer_down(rg_janus *j, jpart *p, int64_t t);
void rg_jvr_leave(rg_janus *j);

/* textroom.c */
rg_err rg_jtr_join(rg_janus *j, char *errbuf);
void rg_jtr_message(rg_janus *j, const rg_jev *ev, int64_t t);
rg_err rg_jtr_send(rg_janus *j, const char *to_sid, const char *text);
/* How a participant can be reached in the chat (rule: textroom.c). */
typedef enum rg_jreach { RG_JREACH_NONE, RG_JREACH_PRIVATE, RG_JREACH_PUBLIC } rg_jreach;
rg_jreach rg_jtr_reach(const rg_janus *j, const jpart *p, const jtruser **user);
/* Their one chat user when reachable privately, else NULL. */
const jtruser *rg_jtr_user_for(const rg_janus *j, const jpart *p);
/* rg_jtr_name_level: janus/jnames.h */
void rg_jtr_leave(rg_janus *j);

#endif
