/* webrtcbin PeerConnection for the Janus shim (see jpeer.h). */
#define GST_USE_UNSTABLE_API
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "janus/jpeer.h"
#include "janus/jsession.h"

#define MAX_CHANNELS 8

struct rg_jpeer {
    rg_jpeer_opts o;
    GstElement *pipe;
    GstElement *webrtc;
    GMutex lock;                   /* channels */
    GstWebRTCDataChannel *channels[MAX_CHANNELS];
    int n_channels;
    GstWebRTCDataChannel *open;    /* the channel we send on */
    volatile gint packets;
    volatile gint lost;            /* RTP sequence numbers never seen */
    volatile gint other_tracks;    /* remote tracks that are not Opus (video) */
    int last_seq;                  /* -1: none yet (streaming thread only) */
    uint32_t lost_pending;         /* lost, not yet attached to a packet (ditto) */
    int opus_mline;
    GstElement *feeder;            /* opus_file: filesrc ! oggdemux ! clocksync ! appsink */
    GstElement *opus_src;          /* ... into this live appsrc */
    volatile gint negotiation_needed;
    volatile gint down_sent;
};

static gpointer gst_once(gpointer unused)
{
    (void)unused;
    if (!gst_is_initialized())
        gst_init(NULL, NULL);
    return NULL;
}

unsigned rg_opus_packet_ms(const uint8_t *pkt, size_t len, int *stereo)
{
    if (!pkt || len < 1)
        return 0;
    unsigned config = pkt[0] >> 3, code = pkt[0] & 3, frames;
    if (stereo)
        *stereo = (pkt[0] >> 2) & 1;
    /* Frame length in tenths of a millisecond by configuration. */
    static const unsigned silk[4] = {100, 200, 400, 600};
    static const unsigned celt[4] = {25, 50, 100, 200};
    unsigned tenths = config < 12 ? silk[config & 3]
                    : config < 16 ? (config & 1 ? 200 : 100)
                                  : celt[config & 3];
    if (code == 0)
        frames = 1;
    else if (code < 3)
        frames = 2;
    else if (len < 2)
        return 0;
    else
        frames = pkt[1] & 0x3f;
    unsigned total = frames * tenths;
    if (!frames || total > 1200)
        return 0;
    return (total + 5) / 10;
}

static void push(rg_jpeer *p, rg_jev *ev)
{
    if (ev)
        g_async_queue_push(p->o.q, ev);
}

static void on_ice_candidate(GstElement *w, guint mline, gchar *cand, gpointer data)
{
    rg_jpeer *p = data;
    (void)w;
    rg_jev *ev = rg_jev_new(RG_JEV_ICE, p->o.handle);
    if (ev) {
        ev->mline = (int)mline;
        ev->text = strdup(cand);
    }
    push(p, ev);
}

static void on_gathering(GObject *w, GParamSpec *ps, gpointer data)
{
    rg_jpeer *p = data;
    GstWebRTCICEGatheringState st;
    (void)ps;
    g_object_get(w, "ice-gathering-state", &st, NULL);
    if (st == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
        push(p, rg_jev_new(RG_JEV_ICE, p->o.handle));
}

static void on_conn_state(GObject *w, GParamSpec *ps, gpointer data)
{
    rg_jpeer *p = data;
    GstWebRTCPeerConnectionState st;
    (void)ps;
    g_object_get(w, "connection-state", &st, NULL);
    if ((st == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED ||
         st == GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED) &&
        g_atomic_int_compare_and_exchange(&p->down_sent, 0, 1))
        push(p, rg_jev_new(RG_JEV_PEER_DOWN, p->o.handle));
}

/* A remote track: Opus audio goes rtpopusdepay ! appsink; anything else
 * (video we did not ask for) into a fakesink. */
static void on_negotiation_needed(GstElement *w, gpointer data)
{
    rg_jpeer *p = data;
    (void)w;
    g_atomic_int_set(&p->negotiation_needed, 1);
}

/* The receive hot path, on the jitter buffer's thread, once per packet:
 * RTP sequence gaps are counted (Janus numbers each subscriber's packets
 * without holes, so every gap is a frame lost) and the Opus payload goes
 * straight from the RTP buffer into one event allocation. No depayloader,
 * no appsink queue, no GstSample: the packet is dropped here. */
static GstPadProbeReturn rtp_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    rg_jpeer *p = data;
    GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    (void)pad;
    if (!b || !gst_rtp_buffer_map(b, GST_MAP_READ, &rtp))
        return GST_PAD_PROBE_DROP;
    int seq = gst_rtp_buffer_get_seq(&rtp);
    if (p->last_seq >= 0) {
        int gap = (seq - p->last_seq - 1) & 0xffff;
        if (gap > 0 && gap < 3000) { /* not a reordering or a restart */
            g_atomic_int_add(&p->lost, gap);
            p->lost_pending += (uint32_t)gap;
        }
    }
    p->last_seq = seq;
    guint len = gst_rtp_buffer_get_payload_len(&rtp);
    rg_jev *ev = len ? rg_jev_new_data(RG_JEV_MEDIA, p->o.handle,
                                       gst_rtp_buffer_get_payload(&rtp), len) : NULL;
    gst_rtp_buffer_unmap(&rtp);
    if (ev) {
        ev->mline = p->opus_mline;
        ev->lost = p->lost_pending; /* the gap lies just before this packet */
        p->lost_pending = 0;
        g_atomic_int_inc(&p->packets);
        push(p, ev);
    }
    return GST_PAD_PROBE_DROP;
}

static void on_pad_added(GstElement *w, GstPad *pad, gpointer data)
{
    rg_jpeer *p = data;
    (void)w;
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
        return;
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (!caps)
        caps = gst_pad_query_caps(pad, NULL);
    const GstStructure *st = caps && gst_caps_get_size(caps) ? gst_caps_get_structure(caps, 0) : NULL;
    const char *enc = st ? gst_structure_get_string(st, "encoding-name") : NULL;
    bool opus = enc && g_ascii_strcasecmp(enc, "OPUS") == 0;
    int mline = -1;
    GstWebRTCRTPTransceiver *tr = NULL;
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(pad), "transceiver"))
        g_object_get(pad, "transceiver", &tr, NULL);
    if (tr) {
        guint idx = 0;
        g_object_get(tr, "mlineindex", &idx, NULL);
        mline = (int)idx;
        gst_object_unref(tr);
    } else {
        const char *name = GST_PAD_NAME(pad);
        if (g_str_has_prefix(name, "src_"))
            mline = atoi(name + 4);
    }
    if (caps)
        gst_caps_unref(caps);
    GstElement *sink = gst_element_factory_make("fakesink", NULL);
    if (!sink)
        return;
    g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
    if (opus) {
        p->opus_mline = mline;
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, rtp_probe, p, NULL);
    } else {
        g_atomic_int_inc(&p->other_tracks);
    }
    gst_bin_add(GST_BIN(p->pipe), sink);
    gst_element_sync_state_with_parent(sink);
    GstPad *in = gst_element_get_static_pad(sink, "sink");
    gst_pad_link(pad, in);
    gst_object_unref(in);
}

static void on_dc_message(GstWebRTCDataChannel *ch, gchar *text, gpointer data)
{
    rg_jpeer *p = data;
    (void)ch;
    rg_jev *ev = text ? rg_jev_new(RG_JEV_DC_MSG, p->o.handle) : NULL;
    if (ev && !(ev->text = strdup(text))) {
        rg_jev_free(ev);
        ev = NULL;
    }
    push(p, ev);
}

static void on_dc_open(GstWebRTCDataChannel *ch, gpointer data)
{
    rg_jpeer *p = data;
    g_mutex_lock(&p->lock);
    if (!p->open)
        p->open = g_object_ref(ch);
    g_mutex_unlock(&p->lock);
    push(p, rg_jev_new(RG_JEV_DC_OPEN, p->o.handle));
}

static void track_channel(rg_jpeer *p, GstWebRTCDataChannel *ch)
{
    g_mutex_lock(&p->lock);
    if (p->n_channels < MAX_CHANNELS)
        p->channels[p->n_channels++] = g_object_ref(ch);
    g_mutex_unlock(&p->lock);
    g_signal_connect(ch, "on-message-string", G_CALLBACK(on_dc_message), p);
    g_signal_connect(ch, "on-open", G_CALLBACK(on_dc_open), p);
    GstWebRTCDataChannelState st;
    g_object_get(ch, "ready-state", &st, NULL);
    if (st == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN)
        on_dc_open(ch, p);
}

static void on_data_channel(GstElement *w, GstWebRTCDataChannel *ch, gpointer data)
{
    (void)w;
    track_channel(data, ch);
}

/* Host candidates only, no UPnP, no ICE-TCP: nothing but the addresses
 * the machine already has is used. */
static void tune_ice(rg_jpeer *p)
{
    GObject *ice = NULL;
    g_object_get(p->webrtc, "ice-agent", &ice, NULL);
    if (!ice)
        return;
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "ice-tcp"))
        g_object_set(ice, "ice-tcp", FALSE, NULL);
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent")) {
        GObject *agent = NULL;
        g_object_get(ice, "agent", &agent, NULL);
        if (agent) {
            if (g_object_class_find_property(G_OBJECT_GET_CLASS(agent), "upnp"))
                g_object_set(agent, "upnp", FALSE, NULL);
            if (g_object_class_find_property(G_OBJECT_GET_CLASS(agent), "ice-tcp"))
                g_object_set(agent, "ice-tcp", FALSE, NULL);
            g_object_unref(agent);
        }
    }
    if (p->o.local_ip && g_signal_lookup("add-local-ip-address", G_OBJECT_TYPE(ice))) {
        gboolean ok = FALSE;
        g_signal_emit_by_name(ice, "add-local-ip-address", p->o.local_ip, &ok);
    }
    g_object_unref(ice);
}

/* opus_file: one packet read from the file, in real time (clocksync),
 * goes on into the live appsrc, restamped there (do-timestamp). */
static GstFlowReturn on_file_sample(GstAppSink *sink, gpointer data)
{
    rg_jpeer *p = data;
    GstSample *s = gst_app_sink_pull_sample(sink);
    if (!s)
        return GST_FLOW_EOS;
    GstBuffer *b = gst_sample_get_buffer(s);
    GstFlowReturn ret = GST_FLOW_OK;
    if (b) {
        GstBuffer *c = gst_buffer_copy(b);
        GST_BUFFER_PTS(c) = GST_BUFFER_DTS(c) = GST_CLOCK_TIME_NONE;
        GstSample *ns = gst_sample_new(c, gst_sample_get_caps(s), NULL, NULL);
        ret = gst_app_src_push_sample(GST_APP_SRC(p->opus_src), ns);
        gst_sample_unref(ns);
        gst_buffer_unref(c);
    }
    gst_sample_unref(s);
    return ret == GST_FLOW_FLUSHING ? GST_FLOW_OK : ret;
}

static rg_err build_feeder(rg_jpeer *p, GstElement *bin, char *errbuf)
{
    gchar *q = g_strescape(p->o.opus_file, NULL);
    gchar *desc = g_strdup_printf("filesrc location=\"%s\" ! oggdemux ! clocksync ! "
                                  "appsink name=out sync=false", q);
    g_free(q);
    GError *ge = NULL;
    p->feeder = gst_parse_launch(desc, &ge);
    g_free(desc);
    p->opus_src = gst_bin_get_by_name(GST_BIN(bin), "opus");
    GstElement *out = p->feeder ? gst_bin_get_by_name(GST_BIN(p->feeder), "out") : NULL;
    if (!p->feeder || !out || !p->opus_src) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "cannot read the Opus file %s: %s",
                     p->o.opus_file, ge ? ge->message : "?");
        g_clear_error(&ge);
        if (out)
            gst_object_unref(out);
        return RG_ERR_MEDIA;
    }
    g_clear_error(&ge);
    GstAppSinkCallbacks cb = {.new_sample = on_file_sample};
    gst_app_sink_set_callbacks(GST_APP_SINK(out), &cb, p, NULL);
    gst_object_unref(out);
    return RG_OK;
}

static rg_err build_sender(rg_jpeer *p, char *errbuf)
{
    char desc[512], src[160];
    if (p->o.opus_file) /* pre-encoded packets, fed by build_feeder */
        snprintf(src, sizeof src, "appsrc name=opus is-live=true format=time do-timestamp=true");
    else
        snprintf(src, sizeof src, "audiotestsrc is-live=true wave=sine volume=0.3 freq=%d ! "
                 "audio/x-raw,rate=48000,channels=1 ! opusenc bitrate=32000",
                 p->o.tone_hz > 0 ? p->o.tone_hz : 440);
    snprintf(desc, sizeof desc,
             "%s ! rtpopuspay pt=111 ! valve name=gate drop-mode=forward-sticky-events drop=%s ! capsfilter "
             "caps=\"application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000\"",
             src, p->o.silent ? "true" : "false");
    GError *ge = NULL;
    GstElement *bin = gst_parse_bin_from_description(desc, TRUE, &ge);
    if (!bin) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "cannot build the tone source: %s",
                     ge ? ge->message : "?");
        g_clear_error(&ge);
        return RG_ERR_MEDIA;
    }
    gst_bin_add(GST_BIN(p->pipe), bin);
    rg_err err = p->o.opus_file ? build_feeder(p, bin, errbuf) : RG_OK;
    if (err)
        return err;
    if (!gst_element_link(bin, p->webrtc)) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "cannot link the tone source to webrtcbin");
        return RG_ERR_MEDIA;
    }
    return RG_OK;
}

rg_err rg_jpeer_new(const rg_jpeer_opts *o, rg_jpeer **out, char *errbuf)
{
    static GOnce once = G_ONCE_INIT;
    g_once(&once, gst_once, NULL);
    rg_jpeer *p = calloc(1, sizeof *p);
    if (!p)
        return RG_ERR_NOMEM;
    p->o = *o;
    p->last_seq = -1;
    g_mutex_init(&p->lock);
    rg_err err = RG_ERR_MEDIA;
    p->pipe = gst_pipeline_new(NULL);
    p->webrtc = gst_element_factory_make("webrtcbin", NULL);
    if (!p->pipe || !p->webrtc) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "GStreamer's webrtcbin is missing "
                     "(install gstreamer1.0-plugins-bad and gstreamer1.0-nice)");
        if (p->webrtc)
            gst_object_unref(p->webrtc);
        p->webrtc = NULL;
        goto cleanup;
    }
    gst_bin_add(GST_BIN(p->pipe), p->webrtc);
    g_object_set(p->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
                 "latency", 100, NULL);
    if (o->stun)
        g_object_set(p->webrtc, "stun-server", o->stun, NULL);
    tune_ice(p);
    g_signal_connect(p->webrtc, "on-ice-candidate", G_CALLBACK(on_ice_candidate), p);
    g_signal_connect(p->webrtc, "notify::ice-gathering-state", G_CALLBACK(on_gathering), p);
    g_signal_connect(p->webrtc, "notify::connection-state", G_CALLBACK(on_conn_state), p);
    g_signal_connect(p->webrtc, "pad-added", G_CALLBACK(on_pad_added), p);
    g_signal_connect(p->webrtc, "on-negotiation-needed", G_CALLBACK(on_negotiation_needed), p);
    g_signal_connect(p->webrtc, "on-data-channel", G_CALLBACK(on_data_channel), p);
    if ((o->tone_hz > 0 || o->silent || o->opus_file) && (err = build_sender(p, errbuf)))
        goto cleanup;
    if (gst_element_set_state(p->pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "the WebRTC pipeline does not start");
        err = RG_ERR_MEDIA;
        goto cleanup;
    }
    if (p->feeder && gst_element_set_state(p->feeder, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "cannot read the Opus file %s", o->opus_file);
        err = RG_ERR_MEDIA;
        goto cleanup;
    }
    *out = p;
    return RG_OK;
cleanup:
    rg_jpeer_free(p);
    return err;
}

/* Emit a webrtcbin action that answers through a promise and wait. */
static GstStructure *call(rg_jpeer *p, const char *action, gpointer arg)
{
    GstPromise *pr = gst_promise_new();
    if (arg)
        g_signal_emit_by_name(p->webrtc, action, arg, pr);
    else
        g_signal_emit_by_name(p->webrtc, action, NULL, pr);
    GstPromiseResult res = gst_promise_wait(pr);
    GstStructure *reply = NULL;
    if (res == GST_PROMISE_RESULT_REPLIED && gst_promise_get_reply(pr))
        reply = gst_structure_copy(gst_promise_get_reply(pr));
    else if (res == GST_PROMISE_RESULT_REPLIED)
        reply = gst_structure_new_empty("ok");
    gst_promise_unref(pr);
    return reply;
}

static bool reply_failed(GstStructure *r, char *errbuf, const char *what)
{
    GError *ge = NULL;
    if (r && gst_structure_has_field(r, "error"))
        gst_structure_get(r, "error", G_TYPE_ERROR, &ge, NULL);
    if (r && !ge)
        return false;
    if (errbuf)
        snprintf(errbuf, RG_ERRBUF_SIZE, "webrtcbin: %s failed%s%s", what,
                 ge ? ": " : "", ge ? ge->message : "");
    g_clear_error(&ge);
    return true;
}

static rg_err set_desc(rg_jpeer *p, const char *action, GstWebRTCSDPType type,
                       const char *sdp_text, char *errbuf)
{
    GstSDPMessage *sdp = NULL;
    if (gst_sdp_message_new_from_text(sdp_text, &sdp) != GST_SDP_OK || !sdp) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "Janus sent an SDP that does not parse");
        return RG_ERR_PARSE;
    }
    GstWebRTCSessionDescription *d = gst_webrtc_session_description_new(type, sdp);
    GstStructure *r = call(p, action, d);
    gst_webrtc_session_description_free(d);
    bool bad = reply_failed(r, errbuf, action);
    if (r)
        gst_structure_free(r);
    return bad ? RG_ERR_MEDIA : RG_OK;
}

static rg_err make_local(rg_jpeer *p, const char *action, const char *field,
                         char **out, char *errbuf)
{
    GstStructure *r = call(p, action, NULL);
    GstWebRTCSessionDescription *d = NULL;
    if (!reply_failed(r, errbuf, action))
        gst_structure_get(r, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &d, NULL);
    if (r)
        gst_structure_free(r);
    if (!d) {
        if (errbuf && !errbuf[0])
            snprintf(errbuf, RG_ERRBUF_SIZE, "webrtcbin: %s gave nothing", action);
        return RG_ERR_MEDIA;
    }
    r = call(p, "set-local-description", d);
    bool bad = reply_failed(r, errbuf, "set-local-description");
    if (r)
        gst_structure_free(r);
    gchar *text = bad ? NULL : gst_sdp_message_as_text(d->sdp);
    gst_webrtc_session_description_free(d);
    if (!text)
        return RG_ERR_MEDIA;
    *out = strdup(text);
    g_free(text);
    return *out ? RG_OK : RG_ERR_NOMEM;
}

rg_err rg_jpeer_answer(rg_jpeer *p, const char *offer, char **answer, char *errbuf)
{
    rg_err err = set_desc(p, "set-remote-description", GST_WEBRTC_SDP_TYPE_OFFER,
                          offer, errbuf);
    return err ? err : make_local(p, "create-answer", "answer", answer, errbuf);
}

rg_err rg_jpeer_offer(rg_jpeer *p, char **offer, char *errbuf)
{
    /* webrtcbin offers only what it has once it asked for negotiation. */
    for (int i = 0; i < 200 && !g_atomic_int_get(&p->negotiation_needed); i++)
        g_usleep(10000);
    return make_local(p, "create-offer", "offer", offer, errbuf);
}

rg_err rg_jpeer_set_answer(rg_jpeer *p, const char *answer, char *errbuf)
{
    return set_desc(p, "set-remote-description", GST_WEBRTC_SDP_TYPE_ANSWER,
                    answer, errbuf);
}

rg_err rg_jpeer_open_channel(rg_jpeer *p, const char *label)
{
    GstWebRTCDataChannel *ch = NULL;
    g_signal_emit_by_name(p->webrtc, "create-data-channel", label, NULL, &ch);
    if (!ch)
        return RG_ERR_MEDIA;
    track_channel(p, ch);
    g_object_unref(ch);
    return RG_OK;
}

rg_err rg_jpeer_send(rg_jpeer *p, const char *text)
{
    g_mutex_lock(&p->lock);
    GstWebRTCDataChannel *ch = p->open ? g_object_ref(p->open) : NULL;
    g_mutex_unlock(&p->lock);
    if (!ch)
        return RG_ERR_STATE;
    GstWebRTCDataChannelState st;
    g_object_get(ch, "ready-state", &st, NULL);
    rg_err err = RG_ERR_STATE;
    if (st == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN) {
        GError *ge = NULL;
        err = gst_webrtc_data_channel_send_string_full(ch, text, &ge) ? RG_OK : RG_ERR_DELIVERY;
        g_clear_error(&ge);
    }
    g_object_unref(ch);
    return err;
}

uint64_t rg_jpeer_packets(const rg_jpeer *p)
{
    return p ? (uint64_t)g_atomic_int_get((gint *)&p->packets) : 0;
}

uint64_t rg_jpeer_other_tracks(const rg_jpeer *p)
{
    return p ? (uint64_t)g_atomic_int_get((gint *)&p->other_tracks) : 0;
}

uint64_t rg_jpeer_lost(const rg_jpeer *p)
{
    return p ? (uint64_t)g_atomic_int_get((gint *)&p->lost) : 0;
}

void rg_jpeer_free(rg_jpeer *p)
{
    if (!p)
        return;
    if (p->feeder) {
        gst_element_set_state(p->feeder, GST_STATE_NULL);
        gst_object_unref(p->feeder);
    }
    if (p->opus_src)
        gst_object_unref(p->opus_src);
    if (p->pipe) {
        if (p->webrtc) {
            g_signal_handlers_disconnect_by_data(p->webrtc, p);
        }
        gst_element_set_state(p->pipe, GST_STATE_NULL);
    }
    g_mutex_lock(&p->lock);
    for (int i = 0; i < p->n_channels; i++) {
        g_signal_handlers_disconnect_by_data(p->channels[i], p);
        g_object_unref(p->channels[i]);
    }
    if (p->open)
        g_object_unref(p->open);
    p->open = NULL;
    p->n_channels = 0;
    g_mutex_unlock(&p->lock);
    if (p->pipe)
        gst_object_unref(p->pipe);
    g_mutex_clear(&p->lock);
    free(p);
}
