/* recgate — a consent-gated meeting session.
 *
 * One session per meeting. The platform adapter (shim) feeds it events in
 * time order; the session answers through the host callback table. Time is
 * always injected by the caller as milliseconds since the bot joined
 * (scenario time), so the session never reads a clock itself.
 *
 * Batches: events that carry the same time happen together. Feed all of
 * them, then call rg_session_tick() with that time: the session decides
 * (announces, opens or closes the gate) only in tick. Media frames are
 * judged against the gate as it stands after the last tick, so feed the
 * frames of time t after tick(t).
 *
 * Not thread-safe: one thread drives one session. Different sessions are
 * independent. */
#ifndef RECGATE_SESSION_H
#define RECGATE_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "recgate/error.h"
#include "recgate/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RG_SESSION_API_VERSION 1u

typedef struct rg_session rg_session;

typedef enum rg_role {
    RG_ROLE_GUEST = 0, /* an ordinary participant */
    RG_ROLE_HOST = 1   /* records on the controller's behalf: consent implied */
} rg_role;

typedef enum rg_media_kind {
    RG_MEDIA_PCM_S16LE = 0, /* interleaved signed 16-bit little-endian PCM */
    RG_MEDIA_OPUS = 1,      /* one Opus packet (RTP payload), no re-encoding */
    RG_MEDIA_VP8 = 2,       /* one VP8 frame */
    RG_MEDIA_I420 = 3       /* one raw I420 video frame (width x height) */
} rg_media_kind;

/* One frame of one participant's media. `data` is [borrowed] for the call. */
typedef struct rg_media_frame {
    rg_media_kind kind;
    uint32_t rate;        /* samples per second (audio) or 90000 (video) */
    uint16_t channels;    /* audio channels; 0 for video */
    uint32_t duration_ms; /* length of the frame, normally 20 */
    const uint8_t *data;
    size_t len;
    uint16_t width, height; /* video: frame size (I420: required) */
} rg_media_frame;

/* Video (VP8/I420) is captured only for meeting types with "video": true;
 * otherwise video frames are dropped like frames before the gate. The
 * summary's spans are those of the audio. */

/* Host callbacks: how the session talks back to the platform.
 * `ctx` is the host's own pointer, passed back unchanged. Every callback
 * is called from inside an rg_session_* call, on the caller's thread. */
typedef struct rg_host_ops {
    uint32_t api_version; /* RG_SESSION_API_VERSION */
    uint32_t struct_size; /* sizeof(rg_host_ops) */
    /* Send `text` [borrowed] to everyone (to == NULL) or privately to the
     * participant `to` [borrowed]. Must return RG_OK only if the platform
     * accepted the message; anything else counts as "not delivered" and
     * the session fails closed. RG_ERR_NETWORK means the connection to the
     * platform is gone (the summary then says so). Required. */
    rg_err (*send_chat)(void *ctx, const char *to, const char *text);
    /* The bot leaves the meeting; `reason` [borrowed]. Required. */
    rg_err (*leave)(void *ctx, const char *reason);
    /* Optional: a human-readable timeline line (no trailing newline),
     * e.g. for stderr. `line` [borrowed]. May be NULL. */
    void (*timeline)(void *ctx, int64_t t_ms, const char *line);
    /* Appended (optional, may be NULL): the meeting's state changed, for
     * services that follow a bot. `state` is one of "recording_id" (then
     * `detail` is the recording's id), "announced", "window", "recording",
     * "refused", "stopped", "ended"; `detail` [borrowed] may be NULL. */
    void (*state)(void *ctx, int64_t t_ms, const char *state, const char *detail);
} rg_host_ops;

typedef struct rg_session_params {
    uint32_t api_version;     /* RG_SESSION_API_VERSION */
    uint32_t struct_size;     /* sizeof(rg_session_params) */
    const rg_policy *policy;  /* [borrowed]; must outlive the session */
    const char *meeting_type; /* NULL = the policy's default */
    const char *meeting_id;   /* the platform's id for this meeting */
    const char *out_dir;      /* where recordings go (one folder each, with
                                 its audit log); NULL = a dry run: nothing
                                 is written, the summary still says what
                                 would have passed the gate */
    const rg_host_ops *host;  /* [borrowed]; must outlive the session */
    void *host_ctx;
    /* Organisation age recipients ("age1...") the recording is encrypted
     * to; NULL = the policy's vault.recipients. [borrowed] */
    const char *const *recipients;
    size_t n_recipients;
    /* The audit log's key file; NULL = the policy's audit.key_file. */
    const char *audit_key_file;
    /* --- appended: older callers' tables end above and read as NULL --- */
    /* A recording sink of the caller's (recgate/sink.h) instead of out_dir
     * (set one or neither): the session then builds no media pipeline,
     * vault or uploader. sink_ctx is [owned] by the session from
     * rg_session_new on (sink->destroy, also if rg_session_new fails). */
    const struct rg_sink_ops *sink;
    void *sink_ctx;
    /* Appended (optional, NULL = none): the id of the service request this
     * bot serves, and the recording of an earlier bot for the same request
     * that was lost (its worker died). Both go into session_start of the
     * audit log, so the two recordings are linked. [borrowed] */
    const char *request_id;
    const char *previous_recording;
    /* Appended (optional, NULL = none). Operator stop (e.g. set by a SIGINT/SIGTERM handler), read
     * at every tick; NULL = none. 0: run on. 1: stop now: capture stops,
     * the end notice ("stopped by the operator") is sent, the bot leaves,
     * and the shim ends the session (rg_session_end seals and logs).
     * >= 2: the same without the end notice. [borrowed] */
    const volatile sig_atomic_t *stop;
    /* Mixed-audio platforms: the participant id under which the shim feeds
     * the ONE audio track that mixes everyone (NULL: every participant has
     * their own track). That track passes the gate only while every other
     * participant present may be captured; a meeting type with
     * on_withdrawal = remove_participant or continue_on_objection is
     * refused (RG_ERR_REFUSED): one person cannot be cut out of a mix. */
    const char *mixed_audio_id;
} rg_session_params;
/* Size of the first layout of rg_session_params (all fields up to
 * audit_key_file); later fields are optional. */
#define RG_SESSION_PARAMS_MIN_SIZE \
    (offsetof(rg_session_params, audit_key_file) + sizeof(const char *))

/* Create a session. *out is [owned] by the caller. `params` may come from
 * an older build (struct_size >= RG_SESSION_PARAMS_MIN_SIZE); so may
 * params->host (send_chat and leave required). Fails with
 * RG_ERR_NOT_FOUND if the meeting type does not exist, and, when out_dir is
 * set, if the recording folder, its audit log or its vault cannot be made
 * (no recipients, no audit key...): nothing is recorded. */
RG_EXPORT rg_err rg_session_new(const rg_session_params *params, rg_session **out,
                      char *errbuf);

/* Platform events. `id` is the platform's stable participant id and
 * `name` the display name; both [borrowed] for the call. */
RG_EXPORT rg_err rg_session_joined(rg_session *s, int64_t t_ms, const char *id,
                         const char *name, rg_role role);
RG_EXPORT rg_err rg_session_left(rg_session *s, int64_t t_ms, const char *id);
RG_EXPORT rg_err rg_session_chat(rg_session *s, int64_t t_ms, const char *from_id,
                       const char *text, bool is_private);
/* Decide: announce, time out windows, open or close the gate. A failure
 * while carrying out a decision (capture, storage, audit log) is handled
 * inside by failing closed — capture stops for good, the summary says so —
 * and is not returned; errors returned are the caller's (bad time, NULL). */
RG_EXPORT rg_err rg_session_tick(rg_session *s, int64_t t_ms);
/* A media frame starting at t_ms. Returns RG_OK whether or not the frame
 * passed the gate; frames that do not pass are dropped, never stored.
 * *passed (may be NULL) tells which. */
RG_EXPORT rg_err rg_session_media(rg_session *s, int64_t t_ms, const char *id,
                        const rg_media_frame *frame, bool *passed);
/* Mixed audio (rg_session_params.mixed_audio_id): who speaks in the mix
 * from t_ms on, as the platform labels them (a display name or id,
 * [borrowed]). Kept only while the mix is being captured, and only in the
 * encrypted manifest ("speakers"), never in the audit log or timeline.
 * Ignored (RG_OK) without mixed audio. */
RG_EXPORT rg_err rg_session_speaker(rg_session *s, int64_t t_ms, const char *label);
/* `frames` of participant `id`'s media never arrived just before t_ms
 * (e.g. RTP sequence gaps). Counted into their open capture track (the
 * manifest, the audit log's capture_stop and the summary say it); frames
 * lost while they are not captured are not counted. */
RG_EXPORT rg_err rg_session_media_lost(rg_session *s, int64_t t_ms, const char *id,
                                       uint32_t frames);
/* The meeting ended (or the bot left): close every span and seal. */
RG_EXPORT rg_err rg_session_end(rg_session *s, int64_t t_ms);

/* The session's summary as JSON (docs/formats.md). *json is [owned] by
 * the caller (free()). Valid after rg_session_end. */
RG_EXPORT rg_err rg_session_summary_json(const rg_session *s, char **json);

/* True once the session reached a final decision and left the meeting. */
RG_EXPORT bool rg_session_finished(const rg_session *s);
/* Does this session's meeting type store video (`video: true`)? A platform
 * that can choose what it receives takes only audio otherwise (data
 * minimisation: what is never stored need not be received). */
RG_EXPORT bool rg_session_wants_video(const rg_session *s);

RG_EXPORT void rg_session_free(rg_session *s);

#ifdef __cplusplus
}
#endif
#endif
