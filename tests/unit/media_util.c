/* Test helpers for media tests: see media_util.h. */
#include "media_util.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

rg_err mu_collect(void *ctx, int64_t t_ms, const uint8_t *data, size_t len)
{
    mu_bytes *b = ctx;
    b->calls++;
    if (b->fail_after > 0 && b->calls >= b->fail_after)
        return b->fail_rc;
    if (b->calls == 1)
        b->first_t = t_ms;
    else if (t_ms < b->last_t)
        b->backwards = true;
    b->last_t = t_ms;
    if (b->len + len > b->cap) {
        size_t cap = (b->len + len) * 2 + 4096;
        uint8_t *d = realloc(b->d, cap);
        if (!d)
            return RG_ERR_NOMEM;
        b->d = d;
        b->cap = cap;
    }
    memcpy(b->d + b->len, data, len);
    b->len += len;
    return RG_OK;
}

void mu_bytes_free(mu_bytes *b)
{
    free(b->d);
    memset(b, 0, sizeof *b);
}

void mu_tone(int16_t *out, size_t n, double freq, uint32_t rate,
             uint64_t start)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (int16_t)(12000.0 * sin(2.0 * M_PI * freq *
                                         (double)(start + i) / rate));
}

char *mu_temp_file(const uint8_t *d, size_t len, const char *suffix)
{
    char *path = malloc(64);
    if (!path)
        return NULL;
    snprintf(path, 64, "/tmp/rgtestXXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    if (fd < 0) {
        free(path);
        return NULL;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, d + off, len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(fd);
    if (off != len) {
        unlink(path);
        free(path);
        return NULL;
    }
    return path;
}

double mu_ffprobe_duration(const char *path)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ffprobe -v error -show_entries "
             "format=duration -of csv=p=0 '%s'", path);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    double d = -1;
    if (fscanf(f, "%lf", &d) != 1)
        d = -1;
    pclose(f);
    return d;
}

double mu_ffprobe_bytes(const uint8_t *d, size_t len, const char *suffix)
{
    char *p = mu_temp_file(d, len, suffix);
    if (!p)
        return -1;
    double r = mu_ffprobe_duration(p);
    unlink(p);
    free(p);
    return r;
}

int mu_pull_packets(const char *launch, mu_packet **out)
{
    GError *e = NULL;
    gst_init(NULL, NULL);
    GstElement *pipe = gst_parse_launch(launch, &e);
    if (!pipe) {
        fprintf(stderr, "parse '%s': %s\n", launch, e ? e->message : "?");
        if (e)
            g_error_free(e);
        return -1;
    }
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "out");
    g_object_set(sink, "sync", FALSE, NULL);
    gst_element_set_state(pipe, GST_STATE_PLAYING);
    int n = 0, cap = 0;
    mu_packet *p = NULL;
    GstBus *bus = gst_element_get_bus(pipe);
    GstMessage *m = NULL;
    for (;;) {
        GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink),
                                                    50 * GST_MSECOND);
        if (!s) {
            if (gst_app_sink_is_eos(GST_APP_SINK(sink)))
                break;
            if ((m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)))
                break;
            continue;
        }
        GstBuffer *b = gst_sample_get_buffer(s);
        if (b && !GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_HEADER)) {
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                p = realloc(p, (size_t)cap * sizeof *p);
            }
            p[n].len = gst_buffer_get_size(b);
            p[n].d = malloc(p[n].len ? p[n].len : 1);
            gst_buffer_extract(b, 0, p[n].d, p[n].len);
            p[n].key = !GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DELTA_UNIT);
            n++;
        }
        gst_sample_unref(s);
    }
    if (m) {
        GError *err = NULL;
        gst_message_parse_error(m, &err, NULL);
        fprintf(stderr, "pipeline '%s': %s\n", launch,
                err ? err->message : "?");
        if (err)
            g_error_free(err);
        gst_message_unref(m);
        mu_packets_free(p, n);
        p = NULL;
        n = -1;
    }
    gst_object_unref(bus);
    gst_object_unref(sink);
    gst_element_set_state(pipe, GST_STATE_NULL);
    gst_object_unref(pipe);
    *out = p;
    return n;
}

void mu_packets_free(mu_packet *p, int n)
{
    for (int i = 0; i < n; i++)
        free(p[i].d);
    free(p);
}

int16_t *mu_decode_opus_file(const char *path, size_t *n)
{
    char launch[1024];
    snprintf(launch, sizeof launch,
             "filesrc location=%s ! oggdemux ! opusdec ! audioconvert ! "
             "audioresample ! audio/x-raw,format=S16LE,rate=48000,"
             "channels=1 ! appsink name=out", path);
    mu_packet *p = NULL;
    int np = mu_pull_packets(launch, &p);
    if (np < 0)
        return NULL;
    size_t bytes = 0;
    for (int i = 0; i < np; i++)
        bytes += p[i].len;
    int16_t *s = malloc(bytes ? bytes : 2);
    size_t off = 0;
    for (int i = 0; i < np; i++) {
        memcpy((uint8_t *)s + off, p[i].d, p[i].len);
        off += p[i].len;
    }
    mu_packets_free(p, np);
    *n = bytes / 2;
    return s;
}

int16_t *mu_decode_opus_bytes(const uint8_t *d, size_t len, size_t *n)
{
    char *p = mu_temp_file(d, len, ".ogg");
    if (!p)
        return NULL;
    int16_t *s = mu_decode_opus_file(p, n);
    unlink(p);
    free(p);
    return s;
}

double mu_goertzel(const int16_t *s, size_t n, double freq, uint32_t rate)
{
    double k = 2.0 * cos(2.0 * M_PI * freq / rate), s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double s0 = s[i] + k * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return (s1 * s1 + s2 * s2 - k * s1 * s2) / ((double)n * n + 1);
}

int mu_dominant(const int16_t *s, size_t n, uint32_t rate)
{
    int best = 0;
    double bp = -1;
    static const int cand[] = {300, 400, 440, 500, 550, 600, 660, 700, 800, 880, 1000};
    for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++) {
        int f = cand[i];
        double p = mu_goertzel(s, n, f, rate);
        if (p > bp) {
            bp = p;
            best = f;
        }
    }
    return best;
}

double mu_rms(const int16_t *s, size_t n)
{
    double acc = 0;
    for (size_t i = 0; i < n; i++)
        acc += (double)s[i] * s[i];
    return n ? sqrt(acc / n) : 0;
}
