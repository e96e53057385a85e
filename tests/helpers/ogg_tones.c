/* Test helper: which tones are in an Ogg/Opus file, and when.
 *
 *   ogg_tones FILE FROM_S TO_S HZ [HZ...]
 *
 * Decodes FILE with GStreamer (oggdemux ! opusdec, 48 kHz mono S16LE) and
 * prints, for the window [FROM_S, TO_S) of the decoded audio, one line
 * "HZ AMPLITUDE" per frequency: the tone's amplitude in sample units by
 * Goertzel (a pure sine of amplitude A gives ~A). First line:
 * "samples N" (total decoded). Exit 1 if the file cannot be decoded or the
 * window lies outside it. */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE 48000

static double goertzel_amp(const int16_t *s, size_t n, double hz)
{
    double w = 2.0 * M_PI * hz / RATE, c = 2.0 * cos(w), s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double s0 = s[i] + c * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    double power = s1 * s1 + s2 * s2 - c * s1 * s2;
    return n ? 2.0 * sqrt(power > 0 ? power : 0) / (double)n : 0;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: ogg_tones FILE FROM_S TO_S HZ...\n");
        return 2;
    }
    gst_init(NULL, NULL);
    char *desc = g_strdup_printf(
        "filesrc name=src ! oggdemux ! opusdec ! audioconvert ! "
        "audioresample ! audio/x-raw,format=S16LE,rate=%d,channels=1 ! "
        "appsink name=out sync=false", RATE);
    GError *ge = NULL;
    GstElement *pipe = gst_parse_launch(desc, &ge);
    g_free(desc);
    if (!pipe) {
        fprintf(stderr, "ogg_tones: %s\n", ge ? ge->message : "no pipeline");
        return 1;
    }
    GstElement *src = gst_bin_get_by_name(GST_BIN(pipe), "src");
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "out");
    g_object_set(src, "location", argv[1], NULL);
    gst_element_set_state(pipe, GST_STATE_PLAYING);
    int16_t *pcm = NULL;
    size_t n = 0, cap = 0;
    GstSample *smp;
    while ((smp = gst_app_sink_pull_sample(GST_APP_SINK(sink)))) {
        GstBuffer *b = gst_sample_get_buffer(smp);
        GstMapInfo m;
        if (gst_buffer_map(b, &m, GST_MAP_READ)) {
            size_t k = m.size / 2;
            if (n + k > cap) {
                cap = (n + k) * 2;
                pcm = realloc(pcm, cap * sizeof *pcm);
                if (!pcm)
                    return 1;
            }
            memcpy(pcm + n, m.data, k * 2);
            n += k;
            gst_buffer_unmap(b, &m);
        }
        gst_sample_unref(smp);
    }
    GstBus *bus = gst_element_get_bus(pipe);
    GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
    int rc = 0;
    if (msg) {
        GError *err = NULL;
        gst_message_parse_error(msg, &err, NULL);
        fprintf(stderr, "ogg_tones: %s: %s\n", argv[1], err->message);
        g_error_free(err);
        gst_message_unref(msg);
        rc = 1;
    }
    gst_object_unref(bus);
    gst_element_set_state(pipe, GST_STATE_NULL);
    gst_object_unref(src);
    gst_object_unref(sink);
    gst_object_unref(pipe);
    size_t from = (size_t)(atof(argv[2]) * RATE), to = (size_t)(atof(argv[3]) * RATE);
    printf("samples %zu\n", n);
    if (rc || from >= to || to > n) {
        if (!rc)
            fprintf(stderr, "ogg_tones: window %s..%s s outside the %.3f s "
                    "decoded\n", argv[2], argv[3], (double)n / RATE);
        free(pcm);
        return 1;
    }
    for (int i = 4; i < argc; i++)
        printf("%s %.0f\n", argv[i], goertzel_amp(pcm + from, to - from,
                                                  atof(argv[i])));
    free(pcm);
    return 0;
}
