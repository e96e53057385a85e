/* Capture: real GStreamer pipelines, checked with ffprobe and by decoding
 * the output back (duration, dominant tone, byte-identical passthrough). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "media_util.h"
#include "testutil.h"

#define RATE 48000
#define FRAME 960 /* 20 ms */

static const rg_capture_params pcm_mono = {
    .kind = RG_MEDIA_PCM_S16LE, .rate = RATE, .channels = 1};
static const rg_capture_params opus_mono = {
    .kind = RG_MEDIA_OPUS, .rate = RATE, .channels = 1};

static rg_media_frame pcm_frame(const int16_t *s, size_t n)
{
    rg_media_frame f = {.kind = RG_MEDIA_PCM_S16LE, .rate = RATE,
                        .channels = 1, .duration_ms = (uint32_t)(n / 48),
                        .data = (const uint8_t *)s, .len = n * 2};
    return f;
}

/* Push frames [from, to) of a continuous tone at t0 + i*20 ms. */
static rg_err push_tone(rg_capture_track *t, double freq, int from, int to,
                        int64_t t0)
{
    int16_t s[FRAME];
    for (int i = from; i < to; i++) {
        mu_tone(s, FRAME, freq, RATE, (uint64_t)i * FRAME);
        rg_media_frame f = pcm_frame(s, FRAME);
        rg_err rc = rg_capture_track_push(t, t0 + (int64_t)i * 20, &f);
        if (rc)
            return rc;
    }
    return RG_OK;
}

/* Encode N frames of a tone; check ffprobe duration, decoded length and
 * dominant frequency. */
static void check_tone(int nframes, double freq, int64_t t0)
{
    mu_bytes out = {0};
    rg_capture_track *t = NULL;
    char err[RG_ERRBUF_SIZE];
    CU_ASSERT_EQUAL_FATAL(
        rg_capture_track_new(&pcm_mono, mu_collect, &out, &t, err), RG_OK);
    CU_ASSERT_EQUAL(push_tone(t, freq, 0, nframes, t0), RG_OK);
    CU_ASSERT_EQUAL(rg_capture_track_duration_ms(t), nframes * 20);
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, t0 + nframes * 20), RG_OK);
    rg_capture_track_free(t);
    CU_ASSERT(out.len > 0);
    CU_ASSERT_FALSE(out.backwards);
    CU_ASSERT(out.first_t >= t0);
    CU_ASSERT(out.last_t <= t0 + nframes * 20);
    CU_ASSERT_EQUAL(memcmp(out.d, "OggS", 4), 0);
    double d = mu_ffprobe_bytes(out.d, out.len, ".ogg");
    CU_ASSERT(fabs(d - nframes * 0.020) <= 0.020);
    size_t n = 0;
    int16_t *pcm = mu_decode_opus_bytes(out.d, out.len, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pcm);
    CU_ASSERT(labs((long)n - (long)nframes * FRAME) <= FRAME);
    if (nframes >= 25)
        CU_ASSERT_EQUAL(mu_dominant(pcm, n, RATE), (int)freq);
    if (fabs(d - nframes * 0.020) > 0.020 || nframes >= 25)
        fprintf(stderr, "  [%d frames: ffprobe %.3f s, %zu samples]\n",
                nframes, d, n);
    free(pcm);
    mu_bytes_free(&out);
}

/* Runs first, before anything initialised GStreamer: four threads race
 * to create their tracks (gst_init must happen exactly once). */
typedef struct thread_job {
    double freq;
    mu_bytes out;
    rg_err rc;
} thread_job;

static void *thread_main(void *arg)
{
    thread_job *j = arg;
    rg_capture_track *t = NULL;
    j->rc = rg_capture_track_new(&pcm_mono, mu_collect, &j->out, &t, NULL);
    if (!j->rc)
        j->rc = push_tone(t, j->freq, 0, 25, 0);
    if (!j->rc)
        j->rc = rg_capture_track_finish(t, 500);
    rg_capture_track_free(t);
    return NULL;
}

static void test_threads_first_use(void)
{
    thread_job job[4] = {{.freq = 300}, {.freq = 400}, {.freq = 500},
                         {.freq = 600}};
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL_FATAL(
            pthread_create(&th[i], NULL, thread_main, &job[i]), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(job[i].rc, RG_OK);
        size_t n = 0;
        int16_t *pcm = mu_decode_opus_bytes(job[i].out.d, job[i].out.len, &n);
        CU_ASSERT_PTR_NOT_NULL(pcm);
        if (pcm) {
            CU_ASSERT(labs((long)n - 25L * FRAME) <= FRAME);
            CU_ASSERT_EQUAL(mu_dominant(pcm, n, RATE), (int)job[i].freq);
        }
        free(pcm);
        mu_bytes_free(&job[i].out);
    }
}

static void test_pcm_tone_1s(void) { check_tone(50, 440, 0); }
static void test_pcm_tone_odd_length(void) { check_tone(251, 440, 123456); }
static void test_pcm_single_frame(void) { check_tone(1, 440, 7); }

/* Three participants, pushed interleaved: each track keeps its own tone. */
static void test_pcm_participants_distinct(void)
{
    static const double freq[3] = {300, 500, 700};
    mu_bytes out[3] = {{0}};
    rg_capture_track *t[3] = {0};
    for (int k = 0; k < 3; k++)
        CU_ASSERT_EQUAL_FATAL(rg_capture_track_new(&pcm_mono, mu_collect,
                                                   &out[k], &t[k], NULL),
                              RG_OK);
    for (int i = 0; i < 100; i++)
        for (int k = 0; k < 3; k++)
            CU_ASSERT_EQUAL(push_tone(t[k], freq[k], i, i + 1, 5000), RG_OK);
    for (int k = 0; k < 3; k++) {
        CU_ASSERT_EQUAL(rg_capture_track_finish(t[k], 7000), RG_OK);
        rg_capture_track_free(t[k]);
        CU_ASSERT(fabs(mu_ffprobe_bytes(out[k].d, out[k].len, ".ogg") -
                       2.0) <= 0.020);
        size_t n = 0;
        int16_t *pcm = mu_decode_opus_bytes(out[k].d, out[k].len, &n);
        CU_ASSERT_PTR_NOT_NULL_FATAL(pcm);
        CU_ASSERT_EQUAL(mu_dominant(pcm, n, RATE), (int)freq[k]);
        free(pcm);
        mu_bytes_free(&out[k]);
    }
}

/* A pause inside a span is filled with silence: time is kept exactly. */
static void test_pcm_gap_keeps_time(void)
{
    mu_bytes out = {0};
    rg_capture_track *t = NULL;
    CU_ASSERT_EQUAL_FATAL(
        rg_capture_track_new(&pcm_mono, mu_collect, &out, &t, NULL), RG_OK);
    CU_ASSERT_EQUAL(push_tone(t, 500, 0, 50, 0), RG_OK);
    CU_ASSERT_EQUAL(push_tone(t, 500, 75, 125, 0), RG_OK); /* 0.5 s pause */
    CU_ASSERT_EQUAL(rg_capture_track_duration_ms(t), 2500);
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, 2500), RG_OK);
    rg_capture_track_free(t);
    CU_ASSERT(fabs(mu_ffprobe_bytes(out.d, out.len, ".ogg") - 2.5) <= 0.020);
    size_t n = 0;
    int16_t *pcm = mu_decode_opus_bytes(out.d, out.len, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pcm);
    CU_ASSERT(labs((long)n - 125L * FRAME) <= FRAME);
    if (n >= 125 * FRAME - FRAME) {
        double tone = mu_rms(pcm + RATE / 2, RATE / 5);
        double gap = mu_rms(pcm + RATE * 11 / 10, RATE / 5); /* 1.1-1.3 s */
        double after = mu_rms(pcm + RATE * 2, RATE / 5);
        CU_ASSERT(tone > 4000);
        CU_ASSERT(gap < 200);
        CU_ASSERT(after > 4000);
    }
    free(pcm);
    mu_bytes_free(&out);
}

/* Opus packets from a separate encoder pass through byte for byte. */
static void check_opus_passthrough(int skip_from, int skip_n)
{
    mu_packet *pk = NULL;
    int np = mu_pull_packets(
        "audiotestsrc freq=600 num-buffers=50 samplesperbuffer=960 ! "
        "audio/x-raw,rate=48000,channels=1 ! opusenc ! appsink name=out",
        &pk);
    CU_ASSERT_FATAL(np >= 50); /* opusenc adds one for its look-ahead */
    mu_bytes out = {0};
    rg_capture_track *t = NULL;
    CU_ASSERT_EQUAL_FATAL(
        rg_capture_track_new(&opus_mono, mu_collect, &out, &t, NULL), RG_OK);
    int64_t t0 = 1000;
    for (int i = 0; i < np; i++) {
        int slot = i >= skip_from ? i + skip_n : i;
        rg_media_frame f = {.kind = RG_MEDIA_OPUS, .rate = RATE,
                            .channels = 1, .duration_ms = 20,
                            .data = pk[i].d, .len = pk[i].len};
        CU_ASSERT_EQUAL(rg_capture_track_push(t, t0 + slot * 20, &f), RG_OK);
    }
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, t0 + (np + skip_n) * 20),
                    RG_OK);
    rg_capture_track_free(t);
    double want = (np + skip_n) * 0.020;
    double d = mu_ffprobe_bytes(out.d, out.len, ".ogg");
    CU_ASSERT(fabs(d - want) <= 0.020);
    char *path = mu_temp_file(out.d, out.len, ".ogg");
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    char launch[512];
    snprintf(launch, sizeof launch,
             "filesrc location=%s ! oggdemux ! appsink name=out", path);
    mu_packet *back = NULL;
    int nb = mu_pull_packets(launch, &back);
    /* Headers (OpusHead/OpusTags) first, then our packets, silence
     * packets in the pause. */
    int h = 0;
    while (h < nb && back[h].len >= 8 && !memcmp(back[h].d, "Opus", 4))
        h++;
    CU_ASSERT_EQUAL(nb - h, np + skip_n);
    for (int i = 0, j = h; i < np && j < nb; i++, j++) {
        if (i == skip_from)
            j += skip_n;
        if (j >= nb)
            break;
        CU_ASSERT_EQUAL(back[j].len, pk[i].len);
        if (back[j].len == pk[i].len)
            CU_ASSERT_EQUAL(memcmp(back[j].d, pk[i].d, pk[i].len), 0);
    }
    size_t n = 0;
    int16_t *pcm = mu_decode_opus_file(path, &n);
    CU_ASSERT_PTR_NOT_NULL(pcm);
    if (pcm)
        CU_ASSERT_EQUAL(mu_dominant(pcm, n, RATE), 600);
    if (pcm && skip_n && n >= (size_t)(skip_from + skip_n) * FRAME) {
        /* The pause decodes to silence, the packets around it do not. */
        CU_ASSERT(mu_rms(pcm + (skip_from + 2) * FRAME,
                         (size_t)(skip_n - 4) * FRAME) < 50);
        CU_ASSERT(mu_rms(pcm + (skip_from - 10) * FRAME, 8 * FRAME) > 1000);
    }
    free(pcm);
    unlink(path);
    free(path);
    mu_packets_free(back, nb > 0 ? nb : 0);
    mu_packets_free(pk, np);
    mu_bytes_free(&out);
}

static void test_opus_passthrough(void) { check_opus_passthrough(1000, 0); }
static void test_opus_gap(void) { check_opus_passthrough(25, 10); }

static void test_vp8_raw_encode(void)
{
    rg_capture_params p = {.kind = RG_MEDIA_VP8, .rate = 90000,
                           .width = 160, .height = 120};
    mu_bytes out = {0};
    rg_capture_track *t = NULL;
    char err[RG_ERRBUF_SIZE];
    CU_ASSERT_EQUAL_FATAL(rg_capture_track_new(&p, mu_collect, &out, &t, err),
                          RG_OK);
    size_t sz = 160 * 120 * 3 / 2;
    uint8_t *img = malloc(sz);
    for (int i = 0; i < 25; i++) {
        memset(img, 16 + i * 8, sz);
        rg_media_frame f = {.kind = RG_MEDIA_VP8, .rate = 90000,
                            .duration_ms = 40, .data = img, .len = sz};
        CU_ASSERT_EQUAL(rg_capture_track_push(t, i * 40, &f), RG_OK);
    }
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, 1000), RG_OK);
    rg_capture_track_free(t);
    free(img);
    char *path = mu_temp_file(out.d, out.len, ".webm");
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    char launch[512];
    snprintf(launch, sizeof launch, "filesrc location=%s ! matroskademux ! "
             "vp8dec ! appsink name=out", path);
    mu_packet *fr = NULL;
    int nf = mu_pull_packets(launch, &fr);
    CU_ASSERT_EQUAL(nf, 25);
    mu_packets_free(fr, nf > 0 ? nf : 0);
    unlink(path);
    free(path);
    mu_bytes_free(&out);
}

static void test_vp8_passthrough(void)
{
    mu_packet *pk = NULL;
    int np = mu_pull_packets(
        "videotestsrc num-buffers=20 ! video/x-raw,width=160,height=120,"
        "framerate=25/1 ! vp8enc deadline=1 ! appsink name=out", &pk);
    CU_ASSERT_EQUAL_FATAL(np, 20);
    rg_capture_params p = {.kind = RG_MEDIA_VP8, .rate = 90000};
    mu_bytes out = {0};
    rg_capture_track *t = NULL;
    CU_ASSERT_EQUAL_FATAL(rg_capture_track_new(&p, mu_collect, &out, &t,
                                               NULL), RG_OK);
    /* The first frame must be a key frame: a delta frame is refused. */
    rg_media_frame bad = {.kind = RG_MEDIA_VP8, .duration_ms = 40,
                          .data = pk[1].d, .len = pk[1].len};
    CU_ASSERT_EQUAL(rg_capture_track_push(t, 0, &bad), RG_ERR_ARG);
    for (int i = 0; i < np; i++) {
        rg_media_frame f = {.kind = RG_MEDIA_VP8, .rate = 90000,
                            .duration_ms = 40, .data = pk[i].d,
                            .len = pk[i].len};
        CU_ASSERT_EQUAL(rg_capture_track_push(t, i * 40, &f), RG_OK);
    }
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, 800), RG_OK);
    rg_capture_track_free(t);
    char *path = mu_temp_file(out.d, out.len, ".webm");
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    char launch[512];
    snprintf(launch, sizeof launch,
             "filesrc location=%s ! matroskademux ! appsink name=out", path);
    mu_packet *back = NULL;
    int nb = mu_pull_packets(launch, &back);
    CU_ASSERT_EQUAL(nb, np);
    for (int i = 0; i < np && i < nb; i++)
        CU_ASSERT(back[i].len == pk[i].len &&
                  !memcmp(back[i].d, pk[i].d, pk[i].len));
    mu_packets_free(back, nb > 0 ? nb : 0);
    mu_packets_free(pk, np);
    unlink(path);
    free(path);
    mu_bytes_free(&out);
}

/* Other input formats: 16 kHz mono and 48 kHz stereo. */
static void check_format(uint32_t rate, uint16_t ch)
{
    rg_capture_params p = {.kind = RG_MEDIA_PCM_S16LE, .rate = rate,
                           .channels = ch};
    mu_bytes out = {0};
    rg_capture_track *t = NULL;
    CU_ASSERT_EQUAL_FATAL(rg_capture_track_new(&p, mu_collect, &out, &t,
                                               NULL), RG_OK);
    size_t per = rate / 50; /* samples per channel per 20 ms */
    int16_t *s = calloc(per * ch, sizeof *s);
    int16_t *mono = calloc(per, sizeof *mono);
    for (int i = 0; i < 75; i++) {
        mu_tone(mono, per, 400, rate, (uint64_t)i * per);
        for (size_t j = 0; j < per; j++)
            for (int c = 0; c < ch; c++)
                s[j * ch + c] = mono[j];
        rg_media_frame f = {.kind = RG_MEDIA_PCM_S16LE, .rate = rate,
                            .channels = ch, .duration_ms = 20,
                            .data = (uint8_t *)s, .len = per * ch * 2};
        CU_ASSERT_EQUAL(rg_capture_track_push(t, i * 20, &f), RG_OK);
    }
    CU_ASSERT_EQUAL(rg_capture_track_duration_ms(t), 1500);
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, 1500), RG_OK);
    rg_capture_track_free(t);
    CU_ASSERT(fabs(mu_ffprobe_bytes(out.d, out.len, ".ogg") - 1.5) <= 0.02);
    size_t n = 0;
    int16_t *pcm = mu_decode_opus_bytes(out.d, out.len, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pcm);
    CU_ASSERT(labs((long)n - 72000L) <= FRAME);
    CU_ASSERT_EQUAL(mu_dominant(pcm, n, RATE), 400);
    free(pcm);
    free(s);
    free(mono);
    mu_bytes_free(&out);
}

static void test_pcm_16k_mono(void) { check_format(16000, 1); }
static void test_pcm_48k_stereo(void) { check_format(48000, 2); }

static void test_bad_params(void)
{
    rg_capture_track *t = (rg_capture_track *)1;
    char err[RG_ERRBUF_SIZE];
    mu_bytes out = {0};
    rg_capture_params p = pcm_mono;
    CU_ASSERT_EQUAL(rg_capture_track_new(NULL, mu_collect, &out, &t, err),
                    RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_capture_track_new(&p, NULL, &out, &t, err),
                    RG_ERR_ARG);
    p.rate = 0;
    CU_ASSERT_EQUAL(rg_capture_track_new(&p, mu_collect, &out, &t, err),
                    RG_ERR_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "rate"));
    CU_ASSERT_PTR_NULL(t);
    p = pcm_mono;
    p.channels = 3;
    CU_ASSERT_EQUAL(rg_capture_track_new(&p, mu_collect, &out, &t, err),
                    RG_ERR_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "channels"));
    p = pcm_mono;
    p.bitrate = 1000;
    CU_ASSERT_EQUAL(rg_capture_track_new(&p, mu_collect, &out, &t, err),
                    RG_ERR_ARG);
    p = pcm_mono;
    p.kind = (rg_media_kind)42;
    CU_ASSERT_EQUAL(rg_capture_track_new(&p, mu_collect, &out, &t, err),
                    RG_ERR_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "kind"));
    p = opus_mono;
    p.rate = 16000;
    CU_ASSERT_EQUAL(rg_capture_track_new(&p, mu_collect, &out, &t, err),
                    RG_ERR_ARG);
    rg_capture_params v = {.kind = RG_MEDIA_VP8, .width = 161, .height = 120};
    CU_ASSERT_EQUAL(rg_capture_track_new(&v, mu_collect, &out, &t, err),
                    RG_ERR_ARG);
    CU_ASSERT_EQUAL(out.calls, 0);
}

static void test_bad_frames(void)
{
    mu_bytes out = {0};
    rg_capture_track *t = NULL;
    CU_ASSERT_EQUAL_FATAL(
        rg_capture_track_new(&pcm_mono, mu_collect, &out, &t, NULL), RG_OK);
    int16_t s[FRAME] = {0};
    rg_media_frame f = pcm_frame(s, FRAME);
    f.len = 3; /* not whole samples */
    CU_ASSERT_EQUAL(rg_capture_track_push(t, 0, &f), RG_ERR_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(rg_capture_track_error(t), "whole"));
    f = pcm_frame(s, FRAME);
    f.rate = 16000;
    CU_ASSERT_EQUAL(rg_capture_track_push(t, 0, &f), RG_ERR_ARG);
    f = pcm_frame(s, FRAME);
    f.kind = RG_MEDIA_OPUS;
    CU_ASSERT_EQUAL(rg_capture_track_push(t, 0, &f), RG_ERR_ARG);
    f = pcm_frame(s, FRAME);
    f.data = NULL;
    CU_ASSERT_EQUAL(rg_capture_track_push(t, 0, &f), RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_capture_track_push(t, 0, NULL), RG_ERR_ARG);
    /* Rejected frames leave the track usable. */
    CU_ASSERT_EQUAL(push_tone(t, 400, 0, 10, 100), RG_OK);
    f = pcm_frame(s, FRAME);
    CU_ASSERT_EQUAL(rg_capture_track_push(t, 50, &f), RG_ERR_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(rg_capture_track_error(t), "backwards"));
    CU_ASSERT_EQUAL(rg_capture_track_push(t, 100 + 200 + 61000, &f),
                    RG_ERR_STATE); /* pause too long: new track */
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, 10), RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, 300), RG_OK);
    CU_ASSERT_EQUAL(rg_capture_track_push(t, 400, &f), RG_ERR_STATE);
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, 400), RG_ERR_STATE);
    rg_capture_track_free(t);
    CU_ASSERT(fabs(mu_ffprobe_bytes(out.d, out.len, ".ogg") - 0.2) <= 0.02);
    mu_bytes_free(&out);
}

static void test_bad_opus_packet(void)
{
    mu_bytes out = {0};
    rg_capture_track *t = NULL;
    CU_ASSERT_EQUAL_FATAL(
        rg_capture_track_new(&opus_mono, mu_collect, &out, &t, NULL), RG_OK);
    uint8_t code3_zero[2] = {0xfb, 0x00}; /* code 3 with 0 frames */
    rg_media_frame f = {.kind = RG_MEDIA_OPUS, .rate = RATE, .channels = 1,
                        .duration_ms = 20, .data = code3_zero, .len = 2};
    CU_ASSERT_EQUAL(rg_capture_track_push(t, 0, &f), RG_ERR_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(rg_capture_track_error(t), "Opus"));
    uint8_t ten_ms[3] = {0xf0, 0xff, 0xfe}; /* CELT 10 ms, frame says 20 */
    f.data = ten_ms;
    f.len = 3;
    CU_ASSERT_EQUAL(rg_capture_track_push(t, 0, &f), RG_ERR_ARG);
    f.duration_ms = 0; /* 0: trust the packet */
    CU_ASSERT_EQUAL(rg_capture_track_push(t, 0, &f), RG_OK);
    CU_ASSERT_EQUAL(rg_capture_track_duration_ms(t), 10);
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, 10), RG_OK);
    rg_capture_track_free(t);
    mu_bytes_free(&out);
}

/* The output callback fails: the track aborts with that error, sticky. */
static void test_callback_failure(void)
{
    mu_bytes out = {.fail_after = 2, .fail_rc = RG_ERR_IO};
    rg_capture_track *t = NULL;
    CU_ASSERT_EQUAL_FATAL(
        rg_capture_track_new(&pcm_mono, mu_collect, &out, &t, NULL), RG_OK);
    rg_err rc = push_tone(t, 400, 0, 500, 0);
    if (rc == RG_OK)
        rc = rg_capture_track_finish(t, 10000);
    CU_ASSERT_EQUAL(rc, RG_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(rg_capture_track_error(t), "callback"));
    int calls = out.calls;
    int16_t s[FRAME] = {0};
    rg_media_frame f = pcm_frame(s, FRAME);
    CU_ASSERT_EQUAL(rg_capture_track_push(t, 20000, &f), RG_ERR_IO);
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, 20000), RG_ERR_IO);
    CU_ASSERT_EQUAL(out.calls, calls); /* never called again */
    rg_capture_track_free(t);
    mu_bytes_free(&out);
}

/* Finish without frames and free without finish are both clean. */
static void test_empty_and_abandoned(void)
{
    mu_bytes out = {0};
    rg_capture_track *t = NULL;
    CU_ASSERT_EQUAL_FATAL(
        rg_capture_track_new(&pcm_mono, mu_collect, &out, &t, NULL), RG_OK);
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, 0), RG_OK);
    rg_capture_track_free(t);
    mu_bytes_free(&out);
    CU_ASSERT_EQUAL_FATAL(
        rg_capture_track_new(&opus_mono, mu_collect, &out, &t, NULL), RG_OK);
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, 0), RG_OK);
    rg_capture_track_free(t);
    mu_bytes_free(&out);
    CU_ASSERT_EQUAL_FATAL(
        rg_capture_track_new(&pcm_mono, mu_collect, &out, &t, NULL), RG_OK);
    CU_ASSERT_EQUAL(push_tone(t, 400, 0, 20, 0), RG_OK);
    rg_capture_track_free(t); /* abandoned: dropped, nothing leaks */
    mu_bytes_free(&out);
    rg_capture_params v = {.kind = RG_MEDIA_VP8, .rate = 90000};
    CU_ASSERT_EQUAL_FATAL(rg_capture_track_new(&v, mu_collect, &out, &t,
                                               NULL), RG_OK);
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, 0), RG_OK);
    rg_capture_track_free(t);
    rg_capture_track_free(NULL);
    mu_bytes_free(&out);
}

int main(void)
{
    static const rg_test tests[] = {
        {"four threads, first use of GStreamer", test_threads_first_use},
        {"pcm tone 1 s: ffprobe, decoded length, 440 Hz", test_pcm_tone_1s},
        {"pcm tone 251 frames, offset origin", test_pcm_tone_odd_length},
        {"pcm single frame", test_pcm_single_frame},
        {"three participants keep distinct tones",
         test_pcm_participants_distinct},
        {"pause inside a span is silence, time exact",
         test_pcm_gap_keeps_time},
        {"pcm 16 kHz mono", test_pcm_16k_mono},
        {"pcm 48 kHz stereo", test_pcm_48k_stereo},
        {"opus passthrough byte-identical", test_opus_passthrough},
        {"opus passthrough with pause", test_opus_gap},
        {"vp8 raw frames encoded to webm", test_vp8_raw_encode},
        {"vp8 frames passthrough to webm", test_vp8_passthrough},
        {"bad params", test_bad_params},
        {"bad frames and time", test_bad_frames},
        {"bad opus packets", test_bad_opus_packet},
        {"output callback failure aborts the track", test_callback_failure},
        {"empty and abandoned tracks", test_empty_and_abandoned},
        {NULL, NULL},
    };
    return rg_test_run("capture", tests);
}
