/* Mixdown: mix N recorded tracks into ONE standard Ogg/Opus file for
 * `recgate export`.
 *
 * Each input is an Ogg/Opus byte stream delivered by a read callback (the
 * vault decrypts into it, so plaintext stays in memory) and a start offset
 * on the common timeline. Pipeline per input:
 *   appsrc ! oggdemux ! opusdec ! audioconvert ! audioresample ! capsfilter
 * all into one audiomixer (sink pad "offset" = the input's offset), then
 *   audiomixer ! capsfilter ! opusenc ! oggmux ! filesink
 * The output timeline starts at 0 ms: its length is max(offset + length).
 *
 * Every callback runs on the caller's thread, from inside rg_mixdown_run.
 * The file is written to "<path>.partXXXXXX" and renamed over `path` only
 * on success; on any failure nothing is left at `path`. */
#ifndef RG_MIXDOWN_H
#define RG_MIXDOWN_H

#include <stddef.h>
#include <stdint.h>
#include "recgate/error.h"

/* Fill buf with up to cap bytes; *got = 0 means end of input. Anything but
 * RG_OK aborts the mixdown with that error. */
typedef rg_err (*rg_mixdown_read_fn)(void *ctx, uint8_t *buf, size_t cap,
                                     size_t *got);
/* Fraction done in [0, 1], never decreasing; 1.0 is reported once, on
 * success. */
typedef void (*rg_mixdown_progress_fn)(void *ctx, double fraction);

typedef struct rg_mixdown_input {
    rg_mixdown_read_fn read;
    void *ctx;
    int64_t offset_ms;   /* start on the output timeline, >= 0 */
    int64_t duration_ms; /* length if known, for progress only; 0 = unknown */
} rg_mixdown_input;

typedef struct rg_mixdown_params {
    uint16_t channels;                /* output channels, 1 or 2; 0 = 1 */
    uint32_t bitrate;                 /* bit/s; 0 = 32000 per channel */
    rg_mixdown_progress_fn progress;  /* may be NULL */
    void *progress_ctx;
} rg_mixdown_params;

#define RG_MIXDOWN_MAX_INPUTS 256

/* Mix `n` inputs ([borrowed]) into an Ogg/Opus file at `path`. `p` may be
 * NULL for defaults. RG_ERR_ARG bad arguments, RG_ERR_IO the file cannot be
 * written, RG_ERR_MEDIA an input is not Ogg/Opus or the pipeline failed
 * (GStreamer's message in errbuf), or the read callback's own error. */
rg_err rg_mixdown_run(const rg_mixdown_input *in, size_t n, const char *path,
                      const rg_mixdown_params *p, char *errbuf);

#endif
