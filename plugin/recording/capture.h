/* Capture: one GStreamer encoder per participant track.
 *
 * Frames that passed the consent gate go in through rg_capture_track_push;
 * encoded container bytes (Ogg/Opus for audio, WebM/VP8 for video) come out
 * only through the output callback, in order, on the caller's thread, from
 * inside push/finish. Nothing is ever written to disk here.
 *
 * Pipelines (docs/capture.md):
 *   PCM_S16LE: appsrc ! audioconvert ! audioresample ! opusenc ! oggmux ! appsink
 *   OPUS:      appsrc (audio/x-opus packets) ! oggmux ! appsink   (no re-encoding)
 *   VP8:       appsrc (I420) ! vp8enc ! webmmux ! appsink  when width/height > 0
 *              appsrc (VP8 frames) ! webmmux ! appsink     otherwise
 *
 * Timing: a track is ONE continuous span. The first pushed frame is time 0
 * of the track; stream time advances by each frame's own duration (PCM:
 * sample count, Opus: the packet's TOC, VP8: duration_ms), so the decoded
 * duration equals the pushed span exactly. A frame whose t_ms lies at least
 * one frame beyond the running end (a pause) gets the hole filled with
 * silence (audio) so time is neither stretched nor shrunk; holes longer than
 * RG_CAPTURE_MAX_GAP_MS are refused (RG_ERR_STATE): the session must finish
 * the track and open a new one for the next span. Video simply jumps.
 *
 * Memory: each track keeps at most ~RG_CAPTURE_AUDIO_QUEUE bytes queued in
 * the pipeline (push waits, draining output, until there is room).
 *
 * Not thread-safe per track: one thread drives one track. Different tracks
 * are independent and may be driven from different threads. */
#ifndef RG_CAPTURE_H
#define RG_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include "recgate/error.h"
#include "recgate/session.h"

#define RG_CAPTURE_MAX_GAP_MS 60000      /* longer pause: new track */
#define RG_CAPTURE_AUDIO_QUEUE (32 * 1024) /* bytes queued per audio track */
#define RG_CAPTURE_DEFAULT_BITRATE 24000 /* bit/s per channel, speech */

typedef struct rg_capture_track rg_capture_track;

/* Receives encoded container bytes, in order. `data` is [borrowed] for the
 * call. t_ms is the caller's time (same clock as push) of the first media
 * in these bytes, never decreasing. A non-RG_OK return aborts the track:
 * push/finish return that error and the track stays failed. */
typedef rg_err (*rg_capture_output_fn)(void *ctx, int64_t t_ms,
                                       const uint8_t *data, size_t len);

typedef struct rg_capture_params {
    rg_media_kind kind; /* PCM_S16LE, OPUS or VP8 */
    uint32_t rate;      /* audio: input sample rate (OPUS: 48000); VP8: 90000 or 0 */
    uint16_t channels;  /* audio: 1 or 2; VP8: 0 */
    uint32_t bitrate;   /* bit/s for encoders; 0 = default (24 kbit/s per
                           audio channel, 500 kbit/s video); ignored when
                           nothing is encoded (Opus/VP8 passthrough) */
    uint16_t width;     /* VP8 only: > 0 means input is raw I420 frames of */
    uint16_t height;    /* width x height, encoded with vp8enc */
} rg_capture_params;

/* Build and start the pipeline. *track is [owned] (rg_capture_track_free).
 * RG_ERR_ARG for bad params (errbuf names which), RG_ERR_MEDIA if a
 * GStreamer element is missing or the pipeline cannot start. */
rg_err rg_capture_track_new(const rg_capture_params *p,
                            rg_capture_output_fn out, void *ctx,
                            rg_capture_track **track, char *errbuf);

/* Feed one frame starting at t_ms (caller's clock; the first frame defines
 * the track's origin). The frame must match the params (kind, rate,
 * channels). Delivers whatever output is ready before returning.
 * RG_ERR_ARG: malformed frame or t_ms going backwards (track unchanged);
 * RG_ERR_STATE: gap longer than RG_CAPTURE_MAX_GAP_MS, or the track is
 * finished (track unchanged); RG_ERR_MEDIA or the callback's error: the
 * track failed for good (rg_capture_track_error tells why). */
rg_err rg_capture_track_push(rg_capture_track *t, int64_t t_ms,
                             const rg_media_frame *frame);

/* End of stream: drain; every remaining byte is delivered through the
 * callback before this returns. t_ms is the span's end on the caller's
 * clock (only used to time trailing bytes; must not go backwards). */
rg_err rg_capture_track_finish(rg_capture_track *t, int64_t t_ms);

/* The last failure as one line ("" if none). [borrowed], lives as long as
 * the track. */
const char *rg_capture_track_error(const rg_capture_track *t);

/* Length of the span pushed so far, in ms (0 before the first frame). */
int64_t rg_capture_track_duration_ms(const rg_capture_track *t);

/* Audio filled with silence so far because nothing arrived for it (holes
 * of at least one frame), in ms. */
int64_t rg_capture_track_filled_ms(const rg_capture_track *t);

/* Stops the pipeline and frees everything. A track not finished is
 * discarded: its undelivered bytes are dropped, never written. NULL ok. */
void rg_capture_track_free(rg_capture_track *t);

#endif
