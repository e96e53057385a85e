/* Session state shared by session.c (events and decisions) and
 * session_report.c (summary and manifest). Private to the session module. */
#ifndef RG_SESSION_STATE_H
#define RG_SESSION_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "announce.h"
#include "audit.h"
#include "classify.h"
#include "consent.h"
#include "idmap.h"
#include "policy.h"
#include "sink.h"

typedef struct span {
    int64_t from_ms, to_ms;
} span;

/* One chat line of the manifest: the bot's messages, and participants'
 * messages that are consent evidence or were sent while they were captured. */
typedef struct chat_line {
    int64_t t_ms;
    char *from;      /* [owned] participant id, NULL = the bot */
    char *to;        /* [owned] NULL = everyone */
    char *text;      /* [owned] */
    const char *label; /* "objection" / "consent" / "none" / notice name */
} chat_line;

/* A rejoin with another role (roles follow the latest join). */
typedef struct role_change {
    int64_t t_ms;
    rg_role role; /* the new role */
} role_change;

typedef struct member {
    char *id;      /* [owned] platform id */
    char *name;    /* [owned] display name (personal data: memory only) */
    rg_role role;
    bool present;
    bool capturing;    /* engine said capture; frames may pass */
    bool span_started; /* a frame passed since the capture started */
    bool removed;      /* on_withdrawal = remove_participant */
    bool notice_retrying; /* their notice is being retried (said once) */
    void *track;       /* sink audio track while capturing */
    void *vtrack;      /* sink video track (video meeting types only) */
    uint64_t frames_lost; /* lost in transmission during the open track */
    span *spans;
    size_t n_spans, cap_spans;
    role_change *roles; /* [owned] role changes, in order */
    size_t n_roles, cap_roles;
} member;

struct rg_session {
    const rg_policy *policy;
    const rg_meeting_type *type;
    char *meeting_id;
    char *request_id;         /* service request (rg_session_params) or NULL */
    char *previous_recording; /* the lost bot's recording, or NULL */
    char *mixed_id;  /* [owned] the mixed-audio participant, or NULL */
    rg_host_ops host;
    void *host_ctx;
    rg_classifier *classifier;
    rg_consent *engine;
    const rg_sink_ops *sink;
    void *sink_ctx;
    rg_sink_ops sink_tab;   /* the session's copy of an injected sink table */
    member *members;
    size_t n_members, cap_members;
    rg_idmap member_ids;       /* id -> index in members: O(1) per frame */
    int64_t last_t;
    int64_t left_at;
    bool left;
    bool ended;
    bool deleted;
    bool stopped;
    bool gate_opened_before;
    int announcements, announcements_failed, objections, consents;
    rg_reason final_reason;
    int pending_final;         /* REFUSED/NO_CONSENT/STOPPED to say after the
                                  batch (its outcome is known then), or 0 */
    bool end_cause_set;        /* the session itself ended it (end_cause) */
    rg_end_cause end_cause;
    bool lost;                 /* send_chat said RG_ERR_NETWORK */
    const volatile sig_atomic_t *stop; /* [borrowed] operator stop, or NULL */
    bool had_someone;
    int64_t alone_since;       /* nobody present since, or -1 */
    rg_audit *audit;           /* [borrowed] or NULL */
    uint8_t audit_key[RG_AUDIT_KEY_LEN];
    chat_line *chat;
    size_t n_chat, cap_chat;
    /* Mixed audio: who spoke when, while the mix was captured (manifest). */
    struct speaker_line { int64_t t_ms; char *label; } *speakers;
    size_t n_speakers, cap_speakers;
};

/* Seconds with millisecond precision, as a JSON number. */
static inline cJSON *rg_json_seconds(int64_t ms)
{
    return cJSON_CreateNumber((double)ms / 1000.0);
}

#endif
