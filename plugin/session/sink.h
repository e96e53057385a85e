/* Capture sink: where media that passed the gate goes (the recording
 * writer: GStreamer encoder + vault). The session calls it in time order;
 * a sink error makes the session fail closed (capture stops for everyone).
 * `ctx` is the sink's own pointer; `track` handles are the sink's. */
#ifndef RG_SINK_H
#define RG_SINK_H

#include <stdint.h>
#include "recgate/error.h"
#include "recgate/session.h"

typedef struct rg_sink_ops {
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
    /* Optional: the sink's name for a track (e.g. "t3") for the audit log;
     * [borrowed] while the track lives. */
    const char *(*track_name)(void *ctx, void *track);
    /* Optional: add what was really written to the run summary
     * `summary` [borrowed] (docs/formats.md). */
    void (*describe)(void *ctx, void *summary_cjson);
    void (*destroy)(void *ctx);
    /* Optional: `frames` of the track's media never arrived (counted per
     * track into what the recording says about itself). */
    void (*frames_lost)(void *ctx, void *track, uint32_t frames);
} rg_sink_ops;

#endif
