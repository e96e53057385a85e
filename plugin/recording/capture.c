/* Capture: one GStreamer pipeline per participant track (see capture.h).
 *
 * The caller's thread pushes into appsrc and, right after, drains appsink
 * without waiting; the pipeline itself runs on appsrc's streaming thread.
 * appsrc never blocks (block=false) so a pipeline error can never wedge the
 * caller: push waits for room in small steps, watching the bus. */
#include "errfmt.h"
#include "capture.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media_gst.h"

#define STALL_NS (20 * GST_SECOND) /* no progress this long: give up */
#define OPUS_RATE 48000
#define BATCH_MS 100               /* PCM pushed into the pipeline per buffer */
#define BATCH_PACKETS 10           /* Opus packets pushed per buffer list */

struct rg_capture_track {
    rg_capture_params p;
    rg_capture_output_fn out;
    void *ctx;
    GstElement *pipe;
    GstAppSrc *src;
    GstAppSink *sink;
    GstBus *bus;
    guint64 queue_max;   /* bytes allowed to wait in appsrc */
    bool started;        /* first frame seen: t0 is set */
    bool caps_set;       /* VP8 passthrough sets caps from the 1st frame */
    bool finished;
    bool eos;            /* the EOS message came back on the bus */
    rg_err failed;       /* sticky: once set every call returns it */
    int64_t t0;          /* caller time of the first frame */
    int64_t last_t;      /* caller time of the last frame */
    int64_t last_out_t;  /* t_ms given to the last output call */
    guint64 filled;      /* samples of silence filled into holes */
    guint64 pos;         /* audio: samples so far (input rate, 48k for
                            Opus); video: end of last frame in ns */
    guint64 granule;     /* Opus passthrough: 48 kHz samples so far */
    GstBuffer *pcm;      /* PCM batch being filled, or NULL */
    guint64 pcm_fill;    /* samples in it */
    guint64 pcm_pos;     /* sample position of its start */
    GstBufferList *opus; /* Opus packets not pushed yet, or NULL */
    char err[RG_ERRBUF_SIZE];
};


/* The track failed for good: remember why, return the code. */
static rg_err fail(rg_capture_track *t, rg_err rc)
{
    if (!t->failed)
        t->failed = rc;
    return t->failed;
}

/* Only errors and EOS matter; dropping everything else keeps the bus
 * queue from growing for the life of the track. */
static GstBusSyncReply bus_filter(GstBus *bus, GstMessage *m, gpointer d)
{
    (void)bus;
    (void)d;
    switch (GST_MESSAGE_TYPE(m)) {
    case GST_MESSAGE_ERROR:
    case GST_MESSAGE_EOS:
        return GST_BUS_PASS;
    default:
        return GST_BUS_DROP;
    }
}

/* --- Opus packet helpers (RFC 6716 section 3.1) ------------------------ */

/* Samples at 48 kHz in one Opus packet, or 0 if it is malformed. */
static unsigned opus_packet_samples(const uint8_t *d, size_t len)
{
    static const unsigned silk[4] = {480, 960, 1920, 2880};
    static const unsigned celt[4] = {120, 240, 480, 960};
    if (len < 1)
        return 0;
    unsigned config = d[0] >> 3, per_frame, frames;
    if (config < 12)
        per_frame = silk[config & 3];
    else if (config < 16)
        per_frame = (config & 1) ? 960 : 480;
    else
        per_frame = celt[config & 3];
    switch (d[0] & 3) {
    case 0:
        frames = 1;
        break;
    case 1:
    case 2:
        frames = 2;
        break;
    default:
        if (len < 2)
            return 0;
        frames = d[1] & 0x3f;
        break;
    }
    unsigned total = per_frame * frames;
    return (frames == 0 || total > 5760) ? 0 : total; /* max 120 ms */
}

/* A 20 ms CELT packet that decodes to silence: TOC (config 31, code 0,
 * stereo bit per channel count) followed by an all-silence frame. */
static const uint8_t opus_silence_mono[3] = {0xf8, 0xff, 0xfe};
static const uint8_t opus_silence_stereo[3] = {0xfc, 0xff, 0xfe};

static GstBuffer *header_buffer(const uint8_t *d, size_t len)
{
    GstBuffer *b = gst_buffer_new_memdup(d, len);
    GST_BUFFER_FLAG_SET(b, GST_BUFFER_FLAG_HEADER);
    return b;
}

/* Ogg Opus needs OpusHead + OpusTags (RFC 7845). Pre-skip is 0: the
 * packets are stored exactly as received, so every sample counts. */
static GstCaps *opus_caps(uint16_t channels)
{
    uint8_t head[19] = {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1,
                        (uint8_t)channels, 0, 0, 0x80, 0xbb, 0, 0, 0, 0, 0};
    static const char vendor[] = "recgate";
    uint8_t tags[8 + 4 + sizeof vendor - 1 + 4] = {'O', 'p', 'u', 's',
                                                   'T', 'a', 'g', 's'};
    tags[8] = (uint8_t)(sizeof vendor - 1);
    memcpy(tags + 12, vendor, sizeof vendor - 1);
    GstCaps *caps = gst_caps_new_simple(
        "audio/x-opus", "rate", G_TYPE_INT, OPUS_RATE, "channels",
        G_TYPE_INT, (int)channels, "channel-mapping-family", G_TYPE_INT, 0,
        NULL);
    GValue arr = G_VALUE_INIT, v = G_VALUE_INIT;
    g_value_init(&arr, GST_TYPE_ARRAY);
    g_value_init(&v, GST_TYPE_BUFFER);
    GstBuffer *hb = header_buffer(head, sizeof head);
    gst_value_set_buffer(&v, hb);
    gst_buffer_unref(hb);
    gst_value_array_append_value(&arr, &v);
    g_value_unset(&v);
    g_value_init(&v, GST_TYPE_BUFFER);
    GstBuffer *tb = header_buffer(tags, sizeof tags);
    gst_value_set_buffer(&v, tb);
    gst_buffer_unref(tb);
    gst_value_array_append_value(&arr, &v);
    g_value_unset(&v);
    gst_caps_set_value(caps, "streamheader", &arr);
    g_value_unset(&arr);
    return caps;
}

/* --- VP8 helpers -------------------------------------------------------- */

static bool vp8_is_key(const uint8_t *d, size_t len)
{
    return len >= 10 && !(d[0] & 1) && d[3] == 0x9d && d[4] == 0x01 &&
           d[5] == 0x2a;
}

static size_t i420_size(uint32_t w, uint32_t h)
{
    return (size_t)w * h + 2 * (size_t)((w + 1) / 2) * ((h + 1) / 2);
}

/* --- pipeline construction ---------------------------------------------- */

static rg_err check_params(const rg_capture_params *p, char *errbuf)
{
    switch (p->kind) {
    case RG_MEDIA_PCM_S16LE:
        if (p->rate < 8000 || p->rate > 192000)
            return rg_errorf(errbuf, RG_ERR_ARG,
                           "capture: PCM rate %u Hz out of range "
                           "8000..192000", p->rate);
        break;
    case RG_MEDIA_OPUS:
        if (p->rate != OPUS_RATE)
            return rg_errorf(errbuf, RG_ERR_ARG,
                           "capture: Opus rate must be 48000, got %u",
                           p->rate);
        break;
    case RG_MEDIA_VP8:
        if (p->channels != 0)
            return rg_errorf(errbuf, RG_ERR_ARG,
                           "capture: VP8 track with %u audio channels",
                           p->channels);
        if ((p->width == 0) != (p->height == 0) || (p->width & 1) ||
            (p->height & 1))
            return rg_errorf(errbuf, RG_ERR_ARG,
                           "capture: VP8 raw size %ux%u must be even and "
                           "both set (or both 0 for VP8 frames)",
                           p->width, p->height);
        if (p->bitrate > 20000000)
            return rg_errorf(errbuf, RG_ERR_ARG,
                           "capture: video bitrate %u too high", p->bitrate);
        return RG_OK;
    default:
        return rg_errorf(errbuf, RG_ERR_ARG, "capture: unknown media kind %d",
                       (int)p->kind);
    }
    if (p->channels < 1 || p->channels > 2)
        return rg_errorf(errbuf, RG_ERR_ARG,
                       "capture: %u audio channels (need 1 or 2)",
                       p->channels);
    if (p->bitrate && (p->bitrate < 6000 || p->bitrate > 510000))
        return rg_errorf(errbuf, RG_ERR_ARG,
                       "capture: Opus bitrate %u out of range 6000..510000",
                       p->bitrate);
    return RG_OK;
}

/* Add `n` elements to the bin and link them in order. The muxer is the
 * element before the sink; its request pad is named by `mux_pad` so an
 * appsrc (ANY caps) is not linked to the wrong kind of muxer pad. */
static rg_err add_chain(rg_capture_track *t, GstElement **els, size_t n,
                        const char *mux_pad, char *errbuf)
{
    for (size_t i = 0; i < n; i++)
        if (!els[i]) {
            for (size_t j = 0; j < n; j++)
                if (els[j])
                    gst_object_unref(gst_object_ref_sink(els[j]));
            return RG_ERR_MEDIA; /* rg_media_gst_make wrote errbuf */
        }
    for (size_t i = 0; i < n; i++)
        gst_bin_add(GST_BIN(t->pipe), els[i]);
    for (size_t i = 0; i + 1 < n; i++)
        if (!gst_element_link_pads(els[i], NULL, els[i + 1],
                                   i + 3 == n ? mux_pad : NULL))
            return rg_errorf(errbuf, RG_ERR_MEDIA,
                           "capture: cannot link %s to %s",
                           GST_ELEMENT_NAME(els[i]),
                           GST_ELEMENT_NAME(els[i + 1]));
    return RG_OK;
}

static rg_err build(rg_capture_track *t, char *errbuf)
{
    const rg_capture_params *p = &t->p;
    GstElement *els[6];
    size_t n = 0;
    GstCaps *caps = NULL;
    GstElement *src = rg_media_gst_make("appsrc", "src", errbuf);
    GstElement *sink = rg_media_gst_make("appsink", "sink", errbuf);
    els[n++] = src;

    if (p->kind == RG_MEDIA_PCM_S16LE) {
        GstElement *enc = rg_media_gst_make("opusenc", NULL, errbuf);
        els[n++] = rg_media_gst_make("audioconvert", NULL, errbuf);
        els[n++] = rg_media_gst_make("audioresample", NULL, errbuf);
        els[n++] = enc;
        els[n++] = rg_media_gst_make("oggmux", NULL, errbuf);
        if (enc) {
            uint32_t br = p->bitrate ? p->bitrate
                                     : RG_CAPTURE_DEFAULT_BITRATE * p->channels;
            g_object_set(enc, "bitrate", (gint)br, NULL);
            gst_util_set_object_arg(G_OBJECT(enc), "audio-type", "voice");
        }
        caps = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING,
                                   "S16LE", "layout", G_TYPE_STRING,
                                   "interleaved", "rate", G_TYPE_INT,
                                   (int)p->rate, "channels", G_TYPE_INT,
                                   (int)p->channels, NULL);
        t->queue_max = RG_CAPTURE_AUDIO_QUEUE;
    } else if (p->kind == RG_MEDIA_OPUS) {
        els[n++] = rg_media_gst_make("oggmux", NULL, errbuf);
        caps = opus_caps(p->channels);
        t->queue_max = RG_CAPTURE_AUDIO_QUEUE;
    } else if (p->width) {
        GstElement *enc = rg_media_gst_make("vp8enc", NULL, errbuf);
        els[n++] = enc;
        GstElement *mux = rg_media_gst_make("webmmux", NULL, errbuf);
        els[n++] = mux;
        if (enc) {
            g_object_set(enc, "target-bitrate",
                         (gint)(p->bitrate ? p->bitrate : 500000), "deadline",
                         (gint64)1, NULL);
        }
        if (mux)
            g_object_set(mux, "streamable", TRUE, NULL);
        caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING,
                                   "I420", "width", G_TYPE_INT,
                                   (int)p->width, "height", G_TYPE_INT,
                                   (int)p->height, "framerate",
                                   GST_TYPE_FRACTION, 0, 1, NULL);
        t->queue_max = 2 * i420_size(p->width, p->height);
    } else {
        GstElement *mux = rg_media_gst_make("webmmux", NULL, errbuf);
        els[n++] = mux;
        if (mux)
            g_object_set(mux, "streamable", TRUE, NULL);
        t->queue_max = 1024 * 1024; /* caps come with the first frame */
    }
    els[n++] = sink;

    rg_err rc = add_chain(t, els, n,
                          p->kind == RG_MEDIA_VP8 ? "video_%u" : "audio_%u",
                          errbuf);
    if (rc) {
        if (caps)
            gst_caps_unref(caps);
        return rc;
    }
    t->src = GST_APP_SRC(src);
    t->sink = GST_APP_SINK(sink);
    /* Non-blocking appsrc: we bound the queue ourselves (wait_room). */
    g_object_set(src, "format", GST_FORMAT_TIME, "is-live", FALSE,
                 "block", FALSE, "emit-signals", FALSE, "max-bytes",
                 (guint64)(t->queue_max * 2), NULL);
    if (caps) {
        gst_app_src_set_caps(t->src, caps);
        gst_caps_unref(caps);
        t->caps_set = true;
    }
    /* No clock sync, no preroll, keep no last sample: a pure data pump. */
    g_object_set(sink, "sync", FALSE, "async", FALSE, "emit-signals", FALSE,
                 "enable-last-sample", FALSE, "max-buffers", 0, NULL);
    return RG_OK;
}

rg_err rg_capture_track_new(const rg_capture_params *p,
                            rg_capture_output_fn out, void *ctx,
                            rg_capture_track **track, char *errbuf)
{
    rg_capture_track *t = NULL;
    rg_err rc;
    if (errbuf)
        errbuf[0] = '\0';
    if (!p || !out || !track)
        return rg_errorf(errbuf, RG_ERR_ARG,
                       "capture: params, output callback and track "
                       "pointer are required");
    *track = NULL;
    if ((rc = check_params(p, errbuf)))
        return rc;
    if ((rc = rg_media_gst_init(errbuf)))
        return rc;
    t = calloc(1, sizeof *t);
    if (!t)
        return rg_errorf(errbuf, RG_ERR_NOMEM, "capture: out of memory");
    t->p = *p;
    t->out = out;
    t->ctx = ctx;
    t->pipe = gst_pipeline_new(NULL);
    if ((rc = build(t, errbuf)))
        goto cleanup;
    t->bus = gst_element_get_bus(t->pipe);
    gst_bus_set_sync_handler(t->bus, bus_filter, NULL, NULL);
    if (gst_element_set_state(t->pipe, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_FAILURE) {
        rc = RG_ERR_MEDIA;
        if (!rg_media_gst_bus_check(t->bus, 0, errbuf))
            rg_errorf(errbuf, rc, "capture: pipeline refused to start");
        goto cleanup;
    }
    *track = t;
    return RG_OK;
cleanup:
    rg_capture_track_free(t);
    return rc;
}

/* --- pushing and draining ------------------------------------------------ */

static rg_err deliver(rg_capture_track *t, GstBuffer *b)
{
    GstMapInfo m;
    int64_t when = t->last_out_t;
    if (GST_BUFFER_PTS_IS_VALID(b)) {
        int64_t at = t->t0 + (int64_t)(GST_BUFFER_PTS(b) / GST_MSECOND);
        if (at > when)
            when = at;
    }
    if (!gst_buffer_map(b, &m, GST_MAP_READ)) {
        snprintf(t->err, sizeof t->err, "capture: cannot map output buffer");
        return fail(t, RG_ERR_MEDIA);
    }
    t->last_out_t = when;
    rg_err rc = m.size ? t->out(t->ctx, when, m.data, m.size) : RG_OK;
    gst_buffer_unmap(b, &m);
    if (rc) {
        snprintf(t->err, sizeof t->err,
                 "capture: output callback failed (%s); track aborted",
                 rg_strerror(rc));
        return fail(t, rc);
    }
    return RG_OK;
}

/* Wait up to `timeout` for an ERROR or EOS bus message. A filtered pop
 * throws away what it does not ask for, so always ask for both. */
static rg_err poll_bus(rg_capture_track *t, GstClockTime timeout)
{
    GstMessage *m = gst_bus_timed_pop_filtered(
        t->bus, timeout, GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
    if (!m)
        return RG_OK;
    bool err = GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR;
    if (err)
        rg_media_gst_msg_to_err(m, t->err);
    else
        t->eos = true;
    gst_message_unref(m);
    return err ? fail(t, RG_ERR_MEDIA) : RG_OK;
}

/* Hand over every encoded byte that is ready now; never waits. */
static rg_err drain(rg_capture_track *t, bool *progress)
{
    GstSample *s;
    while ((s = gst_app_sink_try_pull_sample(t->sink, 0))) {
        GstBuffer *b = gst_sample_get_buffer(s);
        rg_err rc = b ? deliver(t, b) : RG_OK;
        gst_sample_unref(s);
        if (rc)
            return rc;
        if (progress)
            *progress = true;
    }
    return poll_bus(t, 0);
}

/* Wait until appsrc has room for `len` more bytes, draining meanwhile, so
 * at most queue_max bytes ever wait. Wakes on bus errors at once. */
static rg_err wait_room(rg_capture_track *t, size_t len)
{
    GstClockTime idle = 0;
    for (;;) {
        guint64 level = gst_app_src_get_current_level_bytes(t->src);
        if (level == 0 || level + len <= t->queue_max)
            return RG_OK;
        bool progress = false;
        rg_err rc = drain(t, &progress);
        if (rc)
            return rc;
        if ((rc = poll_bus(t, GST_MSECOND)))
            return rc;
        guint64 after = gst_app_src_get_current_level_bytes(t->src);
        idle = (progress || after < level) ? 0 : idle + GST_MSECOND;
        if (idle > STALL_NS) {
            snprintf(t->err, sizeof t->err,
                     "capture: pipeline stalled (no progress for %d s)",
                     (int)(STALL_NS / GST_SECOND));
            return fail(t, RG_ERR_MEDIA);
        }
    }
}

/* Queue one buffer or list (ownership taken) and drain what is ready. */
static rg_err push_queued(rg_capture_track *t, GstBuffer *b,
                          GstBufferList *l)
{
    size_t len = b ? gst_buffer_get_size(b) : gst_buffer_list_calculate_size(l);
    rg_err rc = wait_room(t, len);
    if (rc) {
        if (b)
            gst_buffer_unref(b);
        else
            gst_buffer_list_unref(l);
        return rc;
    }
    GstFlowReturn fr = b ? gst_app_src_push_buffer(t->src, b)
                         : gst_app_src_push_buffer_list(t->src, l);
    if (fr != GST_FLOW_OK) {
        snprintf(t->err, sizeof t->err, "capture: appsrc refused data: %s",
                 gst_flow_get_name(fr));
        return fail(t, RG_ERR_MEDIA);
    }
    return drain(t, NULL);
}

static rg_err push_buffer(rg_capture_track *t, GstBuffer *b)
{
    return push_queued(t, b, NULL);
}

/* Audio is batched (BATCH_MS of PCM in one buffer, BATCH_PACKETS Opus
 * packets in one list): one streaming-thread wake-up per batch instead of
 * per 20 ms frame. Timestamps stay exact: they come from sample counts. */
static rg_err flush_batch(rg_capture_track *t)
{
    if (t->pcm) {
        size_t fb = 2u * t->p.channels;
        GstBuffer *b = t->pcm;
        t->pcm = NULL;
        gst_buffer_set_size(b, (gssize)(t->pcm_fill * fb));
        GstClockTime start = gst_util_uint64_scale(t->pcm_pos, GST_SECOND,
                                                   t->p.rate);
        GST_BUFFER_PTS(b) = start;
        GST_BUFFER_DURATION(b) = gst_util_uint64_scale(
            t->pcm_pos + t->pcm_fill, GST_SECOND, t->p.rate) - start;
        if (t->pcm_pos == 0)
            GST_BUFFER_FLAG_SET(b, GST_BUFFER_FLAG_DISCONT);
        return push_buffer(t, b);
    }
    if (t->opus) {
        GstBufferList *l = t->opus;
        t->opus = NULL;
        return push_queued(t, NULL, l);
    }
    return RG_OK;
}

/* Append `samples` of PCM (NULL data: silence) to the batch. */
static rg_err append_pcm(rg_capture_track *t, const uint8_t *d,
                         guint64 samples)
{
    size_t fb = 2u * t->p.channels;
    guint64 cap = (guint64)t->p.rate * BATCH_MS / 1000;
    while (samples) {
        if (!t->pcm) {
            t->pcm = gst_buffer_new_allocate(NULL, cap * fb, NULL);
            if (!t->pcm)
                return RG_ERR_NOMEM;
            t->pcm_fill = 0;
            t->pcm_pos = t->pos;
        }
        guint64 n = MIN(samples, cap - t->pcm_fill);
        if (d) {
            gst_buffer_fill(t->pcm, t->pcm_fill * fb, d, n * fb);
            d += n * fb;
        } else {
            gst_buffer_memset(t->pcm, t->pcm_fill * fb, 0, n * fb);
        }
        t->pcm_fill += n;
        t->pos += n;
        samples -= n;
        if (t->pcm_fill == cap) {
            rg_err rc = flush_batch(t);
            if (rc)
                return rc;
        }
    }
    return RG_OK;
}

static rg_err append_opus(rg_capture_track *t, const uint8_t *d, size_t len,
                          unsigned samples)
{
    GstBuffer *b = gst_buffer_new_memdup(d, len);
    GstClockTime start = gst_util_uint64_scale(t->pos, GST_SECOND,
                                               OPUS_RATE);
    GST_BUFFER_PTS(b) = start;
    GST_BUFFER_DURATION(b) = gst_util_uint64_scale(t->pos + samples,
                                                   GST_SECOND, OPUS_RATE) -
                             start;
    if (t->pos == 0)
        GST_BUFFER_FLAG_SET(b, GST_BUFFER_FLAG_DISCONT);
    t->pos += samples;
    t->granule += samples;
    GST_BUFFER_OFFSET_END(b) = t->granule; /* Ogg granulepos */
    if (!t->opus)
        t->opus = gst_buffer_list_new_sized(BATCH_PACKETS);
    gst_buffer_list_add(t->opus, b);
    return gst_buffer_list_length(t->opus) >= BATCH_PACKETS ? flush_batch(t)
                                                            : RG_OK;
}

/* Fill a pause [running end, rel_ms) with silence if it is at least one
 * frame long; refuse pauses longer than RG_CAPTURE_MAX_GAP_MS. */
static rg_err fill_gap(rg_capture_track *t, int64_t rel_ms, unsigned dur_ms)
{
    uint32_t rate = t->p.kind == RG_MEDIA_OPUS ? OPUS_RATE : t->p.rate;
    guint64 want = gst_util_uint64_scale((guint64)rel_ms, rate, 1000);
    guint64 min_gap = gst_util_uint64_scale(dur_ms ? dur_ms : 20, rate, 1000);
    if (want < t->pos + min_gap)
        return RG_OK; /* on time or jitter: play back to back */
    guint64 gap = want - t->pos;
    t->filled += t->p.kind == RG_MEDIA_PCM_S16LE ? gap : gap / 960 * 960;
    if (t->p.kind == RG_MEDIA_PCM_S16LE)
        return append_pcm(t, NULL, gap);
    const uint8_t *sil = t->p.channels == 2 ? opus_silence_stereo
                                            : opus_silence_mono;
    for (guint64 i = 0; i < gap / 960; i++) {
        rg_err rc = append_opus(t, sil, 3, 960);
        if (rc)
            return rc;
    }
    return RG_OK;
}

/* Validate a frame against the track; also returns its length in samples
 * (audio) or ms (video). Never changes the track. */
static rg_err check_frame(rg_capture_track *t, const rg_media_frame *f,
                          guint64 *units)
{
    const rg_capture_params *p = &t->p;
    char *e = t->err;
    if (f->kind != p->kind)
        return rg_errorf(e, RG_ERR_ARG, "capture: frame kind %d on a track "
                       "of kind %d", (int)f->kind, (int)p->kind);
    if (!f->data || f->len == 0)
        return rg_errorf(e, RG_ERR_ARG, "capture: empty frame");
    if (p->kind == RG_MEDIA_PCM_S16LE) {
        if (f->rate != p->rate || f->channels != p->channels)
            return rg_errorf(e, RG_ERR_ARG, "capture: PCM frame %u Hz/%u ch "
                           "on a %u Hz/%u ch track", f->rate, f->channels,
                           p->rate, p->channels);
        if (f->len % (2u * p->channels))
            return rg_errorf(e, RG_ERR_ARG, "capture: PCM frame of %zu bytes "
                           "is not whole samples", f->len);
        *units = f->len / (2u * p->channels);
    } else if (p->kind == RG_MEDIA_OPUS) {
        unsigned n = opus_packet_samples(f->data, f->len);
        if (!n)
            return rg_errorf(e, RG_ERR_ARG, "capture: malformed Opus packet "
                           "(TOC byte 0x%02x, %zu bytes)", f->data[0], f->len);
        if (f->duration_ms && f->duration_ms * 48u != n)
            return rg_errorf(e, RG_ERR_ARG, "capture: Opus packet lasts %u "
                           "samples but the frame says %u ms", n,
                           f->duration_ms);
        *units = n;
    } else {
        if (f->duration_ms == 0 || f->duration_ms > 10000)
            return rg_errorf(e, RG_ERR_ARG, "capture: video frame duration "
                           "%u ms out of range 1..10000", f->duration_ms);
        if (p->width && f->len != i420_size(p->width, p->height))
            return rg_errorf(e, RG_ERR_ARG, "capture: I420 frame of %zu bytes,"
                           " expected %zu for %ux%u", f->len,
                           i420_size(p->width, p->height), p->width,
                           p->height);
        if (!p->width && !t->caps_set && !vp8_is_key(f->data, f->len))
            return rg_errorf(e, RG_ERR_ARG,
                           "capture: the first VP8 frame must be a key frame");
        *units = f->duration_ms;
    }
    return RG_OK;
}

static rg_err push_video(rg_capture_track *t, int64_t rel_ms,
                         const rg_media_frame *f)
{
    if (!t->caps_set) {
        unsigned w = (f->data[6] | f->data[7] << 8) & 0x3fff;
        unsigned h = (f->data[8] | f->data[9] << 8) & 0x3fff;
        GstCaps *c = gst_caps_new_simple(
            "video/x-vp8", "width", G_TYPE_INT, (int)w, "height", G_TYPE_INT,
            (int)h, "framerate", GST_TYPE_FRACTION, 0, 1, NULL);
        gst_app_src_set_caps(t->src, c);
        gst_caps_unref(c);
        t->caps_set = true;
    }
    GstClockTime start = (GstClockTime)rel_ms * GST_MSECOND;
    if (start < t->pos)
        start = t->pos; /* jitter: never overlap the previous frame */
    GstBuffer *b = gst_buffer_new_memdup(f->data, f->len);
    GST_BUFFER_PTS(b) = start;
    GST_BUFFER_DURATION(b) = (GstClockTime)f->duration_ms * GST_MSECOND;
    if (!t->p.width && !vp8_is_key(f->data, f->len))
        GST_BUFFER_FLAG_SET(b, GST_BUFFER_FLAG_DELTA_UNIT);
    t->pos = start + GST_BUFFER_DURATION(b);
    return push_buffer(t, b);
}

rg_err rg_capture_track_push(rg_capture_track *t, int64_t t_ms,
                             const rg_media_frame *frame)
{
    guint64 units = 0;
    rg_err rc;
    if (!t || !frame)
        return RG_ERR_ARG;
    if (t->failed)
        return t->failed;
    if (t->finished)
        return rg_errorf(t->err, RG_ERR_STATE,
                       "capture: push after finish");
    if ((rc = check_frame(t, frame, &units)))
        return rc;
    if (t->started && t_ms < t->last_t)
        return rg_errorf(t->err, RG_ERR_ARG, "capture: time goes backwards "
                       "(%lld ms after %lld ms)", (long long)t_ms,
                       (long long)t->last_t);
    if (!t->started) {
        t->t0 = t->last_out_t = t_ms;
        t->started = true;
    }
    int64_t rel = t_ms - t->t0;
    if (t->p.kind != RG_MEDIA_VP8) {
        int64_t end_ms = rg_capture_track_duration_ms(t);
        if (rel - end_ms > RG_CAPTURE_MAX_GAP_MS)
            return rg_errorf(t->err, RG_ERR_STATE, "capture: pause of %lld ms "
                           "exceeds %d ms; finish this track and open a "
                           "new one", (long long)(rel - end_ms),
                           RG_CAPTURE_MAX_GAP_MS);
    }
    t->last_t = t_ms;
    if (t->p.kind == RG_MEDIA_VP8)
        return push_video(t, rel, frame);
    uint32_t rate = t->p.kind == RG_MEDIA_OPUS ? OPUS_RATE : t->p.rate;
    if ((rc = fill_gap(t, rel, (unsigned)(units * 1000 / rate))))
        return fail(t, rc);
    if (t->p.kind == RG_MEDIA_OPUS)
        return append_opus(t, frame->data, frame->len, (unsigned)units);
    return append_pcm(t, frame->data, units);
}

rg_err rg_capture_track_finish(rg_capture_track *t, int64_t t_ms)
{
    if (!t)
        return RG_ERR_ARG;
    if (t->failed)
        return t->failed;
    if (t->finished)
        return rg_errorf(t->err, RG_ERR_STATE, "capture: finished twice");
    if (t->started && t_ms < t->last_t)
        return rg_errorf(t->err, RG_ERR_ARG, "capture: finish at %lld ms is "
                       "before the last frame (%lld ms)", (long long)t_ms,
                       (long long)t->last_t);
    t->finished = true;
    rg_err frc = flush_batch(t);
    if (frc)
        return fail(t, frc);
    if (!t->started)
        t->t0 = t->last_out_t = t_ms;
    if (gst_app_src_end_of_stream(t->src) != GST_FLOW_OK) {
        snprintf(t->err, sizeof t->err, "capture: appsrc refused EOS");
        return fail(t, RG_ERR_MEDIA);
    }
    GstClockTime idle = 0;
    for (;;) {
        bool progress = false;
        rg_err rc = drain(t, &progress);
        if (rc)
            return rc;
        if (t->eos) /* everything reached appsink: hand over the rest */
            return drain(t, NULL);
        if ((rc = poll_bus(t, 5 * GST_MSECOND)))
            return rc;
        idle = progress ? 0 : idle + 5 * GST_MSECOND;
        if (idle > STALL_NS) {
            snprintf(t->err, sizeof t->err,
                     "capture: no end of stream after %d s",
                     (int)(STALL_NS / GST_SECOND));
            return fail(t, RG_ERR_MEDIA);
        }
    }
}

const char *rg_capture_track_error(const rg_capture_track *t)
{
    return t ? t->err : "";
}

int64_t rg_capture_track_duration_ms(const rg_capture_track *t)
{
    if (!t || !t->started)
        return 0;
    if (t->p.kind == RG_MEDIA_VP8)
        return (int64_t)(t->pos / GST_MSECOND);
    uint32_t rate = t->p.kind == RG_MEDIA_OPUS ? OPUS_RATE : t->p.rate;
    return (int64_t)gst_util_uint64_scale(t->pos, 1000, rate);
}

void rg_capture_track_free(rg_capture_track *t)
{
    if (!t)
        return;
    if (t->pipe) {
        gst_element_set_state(t->pipe, GST_STATE_NULL);
        gst_object_unref(t->pipe);
    }
    if (t->pcm)
        gst_buffer_unref(t->pcm);
    if (t->opus)
        gst_buffer_list_unref(t->opus);
    if (t->bus) {
        gst_bus_set_flushing(t->bus, TRUE);
        gst_object_unref(t->bus);
    }
    free(t);
}

int64_t rg_capture_track_filled_ms(const rg_capture_track *t)
{
    if (!t || t->p.kind == RG_MEDIA_VP8)
        return 0;
    uint32_t rate = t->p.kind == RG_MEDIA_OPUS ? OPUS_RATE : t->p.rate;
    return rate ? (int64_t)gst_util_uint64_scale(t->filled, 1000, rate) : 0;
}
