/* Mixdown: N Ogg/Opus inputs -> one Ogg/Opus file (see mixdown.h).
 *
 * The caller's thread drives: it tops up each input's appsrc from the read
 * callback (at most FEED_MAX bytes queued per input) and watches the bus.
 * Every branch, and its audiomixer pad, exists before data flows so the
 * mixer never runs ahead of an input that starts late. */
#include "errfmt.h"
#include "mixdown.h"

#include <gst/app/gstappsrc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "media_gst.h"

#define FEED_MAX (64 * 1024)   /* bytes queued per input */
#define READ_CHUNK (16 * 1024) /* bytes asked of the read callback */
#define STALL_NS (30 * GST_SECOND)

typedef struct mix_branch {
    GstElement *src;   /* appsrc */
    GstElement *dec;   /* opusdec: oggdemux's first pad links here */
    bool linked;
    bool ended;        /* read callback said end of input */
} mix_branch;

typedef struct mix {
    GstElement *pipe;
    GstBus *bus;
    mix_branch *br;
    size_t n;
    gint64 mixed_ns;   /* end of the last mixed buffer (pad probe) */
} mix;


/* oggdemux found a stream: the first goes to the branch's decoder, any
 * other (not produced by capture) is sent to a fakesink. */
static void on_pad_added(GstElement *demux, GstPad *pad, gpointer data)
{
    mix_branch *b = data;
    GstPad *sinkpad = NULL;
    if (!b->linked) {
        sinkpad = gst_element_get_static_pad(b->dec, "sink");
        b->linked = gst_pad_link(pad, sinkpad) == GST_PAD_LINK_OK;
        gst_object_unref(sinkpad);
        if (b->linked)
            return;
        /* Not Opus: fail loudly instead of mixing silence. */
        GST_ELEMENT_ERROR(demux, STREAM, WRONG_TYPE,
                          ("input is not an Ogg/Opus stream"), (NULL));
        return;
    }
    GstElement *bin = GST_ELEMENT(gst_element_get_parent(demux));
    GstElement *fs = gst_element_factory_make("fakesink", NULL);
    if (bin && fs) {
        g_object_set(fs, "sync", FALSE, "async", FALSE, NULL);
        gst_bin_add(GST_BIN(bin), fs);
        gst_element_sync_state_with_parent(fs);
        sinkpad = gst_element_get_static_pad(fs, "sink");
        gst_pad_link(pad, sinkpad);
        gst_object_unref(sinkpad);
    }
    if (bin)
        gst_object_unref(bin);
}

static GstPadProbeReturn on_mixed(GstPad *pad, GstPadProbeInfo *info,
                                  gpointer data)
{
    mix *m = data;
    GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
    (void)pad;
    if (b && GST_BUFFER_PTS_IS_VALID(b)) {
        GstClockTime end = GST_BUFFER_PTS(b);
        if (GST_BUFFER_DURATION_IS_VALID(b))
            end += GST_BUFFER_DURATION(b);
        __atomic_store_n(&m->mixed_ns, (gint64)end, __ATOMIC_RELAXED);
    }
    return GST_PAD_PROBE_OK;
}

static GstCaps *raw_caps(uint16_t channels)
{
    return gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING,
                               "S16LE", "layout", G_TYPE_STRING,
                               "interleaved", "rate", G_TYPE_INT, 48000,
                               "channels", G_TYPE_INT, (int)channels, NULL);
}

/* Make, add and link a chain; NULL elements mean a plugin is missing. */
static rg_err add_linked(GstElement *pipe, GstElement **els, size_t n,
                         char *errbuf)
{
    for (size_t i = 0; i < n; i++)
        if (!els[i]) {
            for (size_t j = 0; j < n; j++)
                if (els[j])
                    gst_object_unref(gst_object_ref_sink(els[j]));
            return RG_ERR_MEDIA;
        }
    for (size_t i = 0; i < n; i++)
        gst_bin_add(GST_BIN(pipe), els[i]);
    for (size_t i = 0; i + 1 < n; i++)
        if (els[i + 1] && !gst_element_link(els[i], els[i + 1]))
            return rg_errorf(errbuf, RG_ERR_MEDIA, "mixdown: cannot link %s "
                           "to %s", GST_ELEMENT_NAME(els[i]),
                           GST_ELEMENT_NAME(els[i + 1]));
    return RG_OK;
}

static rg_err build(mix *m, const rg_mixdown_input *in, const char *tmp,
                    uint16_t channels, uint32_t bitrate, char *errbuf)
{
    GstElement *mixer = rg_media_gst_make("audiomixer", NULL, errbuf);
    GstElement *out[5] = {
        mixer, rg_media_gst_make("capsfilter", NULL, errbuf),
        rg_media_gst_make("opusenc", NULL, errbuf),
        rg_media_gst_make("oggmux", NULL, errbuf),
        rg_media_gst_make("filesink", NULL, errbuf)};
    rg_err rc = add_linked(m->pipe, out, 5, errbuf);
    if (rc)
        return rc;
    GstCaps *caps = raw_caps(channels);
    g_object_set(out[1], "caps", caps, NULL);
    g_object_set(out[2], "bitrate", (gint)bitrate, NULL);
    g_object_set(out[4], "location", tmp, "sync", FALSE, "async", FALSE,
                 NULL);
    GstPad *mixsrc = gst_element_get_static_pad(mixer, "src");
    gst_pad_add_probe(mixsrc, GST_PAD_PROBE_TYPE_BUFFER, on_mixed, m, NULL);
    gst_object_unref(mixsrc);

    for (size_t i = 0; i < m->n && !rc; i++) {
        mix_branch *b = &m->br[i];
        GstElement *demux = rg_media_gst_make("oggdemux", NULL, errbuf);
        GstElement *chain[5] = {
            rg_media_gst_make("opusdec", NULL, errbuf),
            rg_media_gst_make("audioconvert", NULL, errbuf),
            rg_media_gst_make("audioresample", NULL, errbuf),
            rg_media_gst_make("capsfilter", NULL, errbuf), NULL};
        GstElement *head[2] = {rg_media_gst_make("appsrc", NULL, errbuf),
                               demux};
        if ((rc = add_linked(m->pipe, head, 2, errbuf)) ||
            (rc = add_linked(m->pipe, chain, 4, errbuf)))
            break;
        b->src = head[0];
        b->dec = chain[0];
        GstCaps *ogg = gst_caps_new_empty_simple("application/ogg");
        g_object_set(b->src, "caps", ogg, "format", GST_FORMAT_BYTES,
                     "block", FALSE, "emit-signals", FALSE, "max-bytes",
                     (guint64)(FEED_MAX * 2), NULL);
        gst_caps_unref(ogg);
        g_object_set(chain[3], "caps", caps, NULL);
        g_signal_connect(demux, "pad-added", G_CALLBACK(on_pad_added), b);
        /* The mixer pad exists (with its offset) before any data flows. */
        GstPad *mp = gst_element_request_pad_simple(mixer, "sink_%u");
        GstPad *cp = gst_element_get_static_pad(chain[3], "src");
        gst_pad_set_offset(mp, in[i].offset_ms * GST_MSECOND);
        if (gst_pad_link(cp, mp) != GST_PAD_LINK_OK)
            rc = rg_errorf(errbuf, RG_ERR_MEDIA,
                         "mixdown: cannot link input %zu to the mixer", i);
        gst_object_unref(cp);
        gst_object_unref(mp);
    }
    gst_caps_unref(caps);
    return rc;
}

/* Top every input up to FEED_MAX queued bytes. *fed tells if anything was
 * pushed (for stall detection). */
static rg_err feed(mix *m, const rg_mixdown_input *in, uint8_t *buf,
                   bool *fed, char *errbuf)
{
    for (size_t i = 0; i < m->n; i++) {
        mix_branch *b = &m->br[i];
        GstAppSrc *src = GST_APP_SRC(b->src);
        while (!b->ended &&
               gst_app_src_get_current_level_bytes(src) < FEED_MAX) {
            size_t got = 0;
            rg_err rc = in[i].read(in[i].ctx, buf, READ_CHUNK, &got);
            if (rc)
                return rg_errorf(errbuf, rc, "mixdown: reading input %zu "
                               "failed: %s", i, rg_strerror(rc));
            if (got > READ_CHUNK)
                return rg_errorf(errbuf, RG_ERR_ARG, "mixdown: input %zu "
                               "read callback returned too much", i);
            if (got == 0) {
                gst_app_src_end_of_stream(src);
                b->ended = true;
                break;
            }
            *fed = true;
            if (gst_app_src_push_buffer(src, gst_buffer_new_memdup(
                                                 buf, got)) != GST_FLOW_OK)
                return RG_OK; /* flushing: the bus has the reason */
        }
    }
    return RG_OK;
}

static rg_err run(mix *m, const rg_mixdown_input *in,
                  const rg_mixdown_params *p, char *errbuf)
{
    int64_t total_ms = 0;
    double shown = 0;
    bool known = true;
    for (size_t i = 0; i < m->n; i++) {
        if (in[i].duration_ms <= 0)
            known = false;
        else if (in[i].offset_ms + in[i].duration_ms > total_ms)
            total_ms = in[i].offset_ms + in[i].duration_ms;
    }
    uint8_t *buf = malloc(READ_CHUNK);
    if (!buf)
        return rg_errorf(errbuf, RG_ERR_NOMEM, "mixdown: out of memory");
    if (p->progress)
        p->progress(p->progress_ctx, 0.0);
    rg_err rc = RG_OK;
    GstClockTime idle = 0;
    gint64 last_mixed = -1;
    for (;;) {
        bool fed = false;
        if ((rc = feed(m, in, buf, &fed, errbuf)))
            break;
        GstMessage *msg = gst_bus_timed_pop_filtered(
            m->bus, 10 * GST_MSECOND, GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
        if (msg) {
            bool eos = GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
            if (!eos) {
                rg_media_gst_msg_to_err(msg, errbuf);
                rc = RG_ERR_MEDIA;
            }
            gst_message_unref(msg);
            break;
        }
        gint64 mixed = __atomic_load_n(&m->mixed_ns, __ATOMIC_RELAXED);
        idle = (fed || mixed != last_mixed) ? 0 : idle + 10 * GST_MSECOND;
        last_mixed = mixed;
        if (idle > STALL_NS) {
            rc = rg_errorf(errbuf, RG_ERR_MEDIA, "mixdown: pipeline stalled");
            break;
        }
        if (p->progress && known && total_ms > 0) {
            double f = (double)mixed / GST_MSECOND / (double)total_ms;
            if (f > 0.99)
                f = 0.99; /* 1.0 only once the file is complete */
            if (f >= shown + 0.01) {
                shown = f;
                p->progress(p->progress_ctx, f);
            }
        }
    }
    free(buf);
    return rc;
}

rg_err rg_mixdown_run(const rg_mixdown_input *in, size_t n, const char *path,
                      const rg_mixdown_params *params, char *errbuf)
{
    static const rg_mixdown_params defaults = {0};
    const rg_mixdown_params *p = params ? params : &defaults;
    mix m = {0};
    char *tmp = NULL;
    int fd = -1;
    rg_err rc;
    if (errbuf)
        errbuf[0] = '\0';
    if (!in || !n || !path || !*path)
        return rg_errorf(errbuf, RG_ERR_ARG,
                       "mixdown: inputs and an output path are required");
    if (n > RG_MIXDOWN_MAX_INPUTS)
        return rg_errorf(errbuf, RG_ERR_ARG, "mixdown: %zu inputs (max %d)", n,
                       RG_MIXDOWN_MAX_INPUTS);
    uint16_t ch = p->channels ? p->channels : 1;
    uint32_t br = p->bitrate ? p->bitrate : 32000u * ch;
    if (ch > 2 || br < 6000 || br > 510000)
        return rg_errorf(errbuf, RG_ERR_ARG, "mixdown: %u channels / %u bit/s "
                       "out of range (1..2, 6000..510000)", ch, br);
    for (size_t i = 0; i < n; i++)
        if (!in[i].read || in[i].offset_ms < 0 ||
            in[i].offset_ms > 24LL * 3600 * 1000)
            return rg_errorf(errbuf, RG_ERR_ARG, "mixdown: input %zu needs a "
                           "read callback and an offset in 0..24 h", i);
    if ((rc = rg_media_gst_init(errbuf)))
        return rc;
    /* Write next to the target, rename on success: never a half file. */
    size_t plen = strlen(path) + sizeof ".partXXXXXX";
    tmp = malloc(plen);
    if (!tmp)
        return rg_errorf(errbuf, RG_ERR_NOMEM, "mixdown: out of memory");
    snprintf(tmp, plen, "%s.partXXXXXX", path);
    if ((fd = mkstemp(tmp)) < 0) {
        rc = rg_errorf(errbuf, RG_ERR_IO, "mixdown: cannot create %s: %m", tmp);
        free(tmp);
        return rc;
    }
    close(fd);
    m.n = n;
    m.br = calloc(n, sizeof *m.br);
    m.pipe = gst_pipeline_new("mixdown");
    if (!m.br) {
        rc = rg_errorf(errbuf, RG_ERR_NOMEM, "mixdown: out of memory");
        goto cleanup;
    }
    if ((rc = build(&m, in, tmp, ch, br, errbuf)))
        goto cleanup;
    m.bus = gst_element_get_bus(m.pipe);
    if (gst_element_set_state(m.pipe, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE) {
        rc = RG_ERR_MEDIA;
        if (!rg_media_gst_bus_check(m.bus, 0, errbuf))
            rg_errorf(errbuf, rc, "mixdown: pipeline refused to start");
        goto cleanup;
    }
    rc = run(&m, in, p, errbuf);
cleanup:
    if (m.pipe) {
        gst_element_set_state(m.pipe, GST_STATE_NULL);
        gst_object_unref(m.pipe);
    }
    if (m.bus)
        gst_object_unref(m.bus);
    free(m.br);
    if (!rc && rename(tmp, path) != 0)
        rc = rg_errorf(errbuf, RG_ERR_IO, "mixdown: cannot rename %s to %s: %m",
                     tmp, path);
    if (rc)
        unlink(tmp);
    else if (p->progress)
        p->progress(p->progress_ctx, 1.0);
    free(tmp);
    return rc;
}
