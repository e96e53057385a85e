/* Browser shim internals shared by browser.c (create, run loop, host
 * callbacks) and bpage.c (starting Chromium, pages, the adapter files).
 * Everything runs on the thread that called create()/run(); only the CDP
 * reader thread (cdp.c) runs beside it, and it only queues messages. */
#ifndef RG_BROWSER_BINT_H
#define RG_BROWSER_BINT_H

#include <stdbool.h>
#include <stdint.h>
#include "browser/bproto.h"
#include "browser/cdp.h"
#include "recgate/shim.h"

#define RG_BROWSER_DEFAULT_NAME "recording bot"
#define RG_BROWSER_MAX_PAGES 4
#define RG_BROWSER_MIXED_ID "mixed-audio"

typedef struct bpage {
    char *session;   /* CDP session id (flattened) */
    char *target;
    char *url;
    bool hello, join_sent, joined, loaded;
} bpage;

typedef struct bpart {
    char *id, *name;
    bool present, reported, ever_reported, host;
    int64_t seen_ms;
    int channels;
    uint64_t frames, passed, lost;
} bpart;

typedef struct buser {
    char *id, *name;
} buser;

typedef struct btrack {
    char *key;
    char *part; /* participant id, or NULL: not known yet */
    bool have_seq;
    uint16_t last_seq;
    uint64_t frames, lost, dup;
} btrack;

typedef struct rg_browser {
    /* parameters */
    char *url, *adapter, *name, *settings_json, *meeting_type;
    char **hosts;
    size_t n_hosts;
    int timeout_ms;
    int64_t max_ms;
    int grace_ms;
    char meeting_id[300];
    bool debug;
    /* the browser */
    char *profile;   /* [owned] mkdtemp folder, removed in destroy */
    char *source;    /* [owned] the script injected into every page */
    char binding[40], token[40];
    rg_cdp *cdp;
    bpage pages[RG_BROWSER_MAX_PAGES];
    int n_pages;
    bool mixed;      /* the adapter said the platform gives one mixed track */
    bool hello_seen;
    /* the meeting */
    bpart *parts;
    size_t n_parts, cap_parts;
    buser *users;
    size_t n_users, cap_users;
    btrack *tracks;
    size_t n_tracks, cap_tracks;
    int64_t next_req;
    /* run state */
    const rg_core_ops *core;
    rg_session *session;
    int64_t t0_us, last_t, last_tick;
    bool lost, left, ended, had_someone, need_tick;
    int64_t empty_since;
    char lost_why[RG_ERRBUF_SIZE], ended_why[RG_ERRBUF_SIZE], failed_why[RG_ERRBUF_SIZE];
    rg_err core_err;
    uint64_t frames_in, frames_unmapped, bad_msgs, chats_sent, chats_failed;
    uint64_t speaker_changes;
    char *speaker;   /* last active speaker label (mixed audio) */
} rg_browser;

/* bpage.c */
/* Find adapter `name` (a file path, or NAME.js in the adapter folders),
 * build the injected source, start Chromium with a fresh profile. */
rg_err rg_bpage_start(rg_browser *b, char *errbuf);
/* Open `url` in a new page with the adapter injected. */
rg_err rg_bpage_open(rg_browser *b, const char *url, char *errbuf);
/* The page with CDP session `session`, or -1. */
int rg_bpage_index(const rg_browser *b, const char *session);
/* Send a command object to the adapter of page i (fire and forget). */
void rg_bpage_command(rg_browser *b, int i, cJSON *cmd);
/* Close the browser, remove the profile. */
void rg_bpage_stop(rg_browser *b);

#endif
