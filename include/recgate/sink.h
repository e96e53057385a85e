/* recgate — the recording sink: where media that passed the gate goes.
 *
 * The library's own sink writes an encrypted recording folder (out_dir in
 * rg_session_params / rg_run_params). A host may inject its own instead
 * (rg_session_params.sink, rg_run_params.sink): the session then builds no
 * media pipeline, vault or uploader, and the gate can be reused and tested
 * without the media stack. The host's sink is responsible for keeping the
 * non-negotiables for what it stores (no plaintext media on disk).
 *
 * The session calls the sink in time order, from inside rg_session_* calls
 * on the caller's thread. A sink error makes the session fail closed
 * (capture stops for everyone, the summary says so). `ctx` is the sink's
 * own pointer; `track` handles are the sink's. Versioned like the shim
 * tables (shim.h): fields are only appended; mandatory: track_start,
 * frame, track_stop; every other callback may be NULL. */
#ifndef RECGATE_SINK_H
#define RECGATE_SINK_H

#include <stdint.h>
#include "recgate/error.h"
#include "recgate/session.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RG_SINK_API_VERSION 1u

typedef struct rg_sink_ops {
    uint32_t api_version; /* RG_SINK_API_VERSION */
    uint32_t struct_size; /* sizeof(rg_sink_ops) */
    /* A capture span of `participant` [borrowed] starts at t_ms. */
    rg_err (*track_start)(void *ctx, const char *participant, int64_t t_ms,
                          void **track);
    /* One frame that passed the gate; `frame` [borrowed]. */
    rg_err (*frame)(void *ctx, void *track, int64_t t_ms,
                    const rg_media_frame *frame);
    /* The span ends at t_ms: flush and seal. */
    rg_err (*track_stop)(void *ctx, void *track, int64_t t_ms);
    /* on_withdrawal = remove_participant: destroy all their tracks. */
    rg_err (*remove_participant)(void *ctx, const char *participant);
    /* on_withdrawal = delete_recording: destroy the whole recording. */
    rg_err (*delete_recording)(void *ctx);
    /* The session is over. `summary_json` (docs/formats.md) and
     * `manifest_json` (names, chat transcript, notices, consent evidence:
     * personal data, to be stored encrypted only) are [borrowed]. */
    rg_err (*finish)(void *ctx, int64_t t_ms, const char *summary_json,
                     const char *manifest_json);
    /* The sink's name for a track (e.g. "t3") for the audit log;
     * [borrowed] while the track lives. */
    const char *(*track_name)(void *ctx, void *track);
    /* What was really written, as a JSON object whose members are added to
     * the run summary (docs/formats.md). *json [owned] (free()). */
    rg_err (*describe)(void *ctx, char **json);
    /* Free ctx; called once by rg_session_free. */
    void (*destroy)(void *ctx);
    /* Appended, optional: the sink's last error as one line naming what
     * failed and where (e.g. "DIR/tracks/t1/000003.age.part: ...: No space
     * left on device"), "" if none; [borrowed]. */
    const char *(*error)(void *ctx);
    /* Appended, optional: `frames` of the track's media never arrived
     * (counted per track into what the recording says about itself). */
    void (*frames_lost)(void *ctx, void *track, uint32_t frames);
} rg_sink_ops;

#ifdef __cplusplus
}
#endif
#endif
