/* The adapter protocol: what a platform adapter (JavaScript in the
 * meeting page) tells the browser shim through its CDP binding. Every
 * payload is untrusted (the page could call the binding too): this module
 * validates it whole, with bounded sizes, before anything acts on it.
 * The messages are documented in docs/writing-a-shim.md. */
#ifndef RG_BROWSER_BPROTO_H
#define RG_BROWSER_BPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "recgate/error.h"

#define RG_BP_MAX_PAYLOAD (1u << 20) /* one binding call */
#define RG_BP_MAX_FRAMES 4000        /* frames in one batch */
#define RG_BP_MAX_FRAME 1500         /* bytes of one encoded frame */
#define RG_BP_MAX_ID 128
#define RG_BP_MAX_NAME 256
#define RG_BP_MAX_TEXT 8192
#define RG_BP_MAX_URL 2048

typedef enum rg_bp_kind {
    RG_BP_HELLO,       /* adapter, audio ("separate" | "mixed") */
    RG_BP_JOINED,      /* the bot is in the meeting (this page's part) */
    RG_BP_FAILED,      /* why: the adapter could not join */
    RG_BP_ENDED,       /* why: the meeting ended or the bot was removed */
    RG_BP_PARTICIPANT, /* id, name, role, present */
    RG_BP_CHATUSER,    /* id, name, present: a chat identity */
    RG_BP_CHAT,        /* from, text, is_private */
    RG_BP_TRACK,       /* key, id (participant or NULL: not known yet) */
    RG_BP_FRAMES,      /* frames[] */
    RG_BP_SENT,        /* req, ok, why */
    RG_BP_SPEAKER,     /* id or name: active speaker (mixed audio) */
    RG_BP_OPEN,        /* url: open another page of the meeting */
    RG_BP_LOG          /* text: a debug line */
} rg_bp_kind;

typedef struct rg_bp_frame {
    const char *key;   /* [borrowed from the message] */
    uint32_t seq;      /* RTP sequence number (16 bits) */
    uint32_t age_ms;   /* how long ago the page received it */
    const uint8_t *data; /* [borrowed] decoded frame */
    size_t len;
} rg_bp_frame;

typedef struct rg_bp_msg {
    rg_bp_kind kind;
    /* Strings [borrowed] from `root`; NULL when absent. */
    const char *adapter, *audio, *why, *id, *name, *from, *text, *key, *url;
    bool present, is_private, ok, host;
    int64_t req;
    rg_bp_frame *frames; /* [owned] */
    size_t n_frames;
    uint8_t *bytes;      /* [owned] decoded frame data */
    cJSON *root;         /* [owned] */
} rg_bp_msg;

/* Parse one binding payload. On error `why` (RG_ERRBUF_SIZE) says what is
 * wrong and *msg holds nothing. */
rg_err rg_bp_parse(const char *payload, size_t len, rg_bp_msg *msg, char *why);
void rg_bp_free(rg_bp_msg *msg);

/* Milliseconds of audio in one Opus packet (its TOC), 0 if malformed. */
unsigned rg_bp_opus_ms(const uint8_t *pkt, size_t len, int *stereo);

#endif
