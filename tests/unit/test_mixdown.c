/* Mixdown: real capture output mixed by GStreamer into one Ogg/Opus file,
 * checked with ffprobe and by decoding (which tone sounds when). */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "media_util.h"
#include "mixdown.h"
#include "testutil.h"

#define RATE 48000
#define FRAME 960

/* Encode a tone of `frames` 20 ms frames through capture, into memory. */
static void make_track(mu_bytes *out, double freq, int frames)
{
    rg_capture_params p = {.kind = RG_MEDIA_PCM_S16LE, .rate = RATE,
                           .channels = 1};
    rg_capture_track *t = NULL;
    int16_t s[FRAME];
    memset(out, 0, sizeof *out);
    CU_ASSERT_EQUAL_FATAL(rg_capture_track_new(&p, mu_collect, out, &t, NULL),
                          RG_OK);
    for (int i = 0; i < frames; i++) {
        mu_tone(s, FRAME, freq, RATE, (uint64_t)i * FRAME);
        rg_media_frame f = {.kind = RG_MEDIA_PCM_S16LE, .rate = RATE,
                            .channels = 1, .duration_ms = 20,
                            .data = (uint8_t *)s, .len = sizeof s};
        CU_ASSERT_EQUAL(rg_capture_track_push(t, i * 20, &f), RG_OK);
    }
    CU_ASSERT_EQUAL(rg_capture_track_finish(t, frames * 20), RG_OK);
    rg_capture_track_free(t);
}

typedef struct mem_reader {
    const uint8_t *d;
    size_t len, off;
    rg_err fail_with; /* != 0: fail once half is read */
} mem_reader;

static rg_err mem_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    mem_reader *r = ctx;
    if (r->fail_with && r->off >= r->len / 2)
        return r->fail_with;
    size_t n = r->len - r->off;
    if (n > cap)
        n = cap;
    if (n > 4000)
        n = 4000; /* small reads: many round trips */
    memcpy(buf, r->d + r->off, n);
    r->off += n;
    *got = n;
    return RG_OK;
}

typedef struct progress_log {
    double v[1000];
    int n;
    bool backwards;
} progress_log;

static void on_progress(void *ctx, double f)
{
    progress_log *l = ctx;
    if (l->n && f < l->v[l->n - 1])
        l->backwards = true;
    if (l->n < 1000)
        l->v[l->n++] = f;
}

static char *out_path(char *dir, size_t cap)
{
    snprintf(dir, cap, "/tmp/rgmixXXXXXX");
    if (!mkdtemp(dir))
        return NULL;
    char *p = malloc(strlen(dir) + 16);
    sprintf(p, "%s/mix.ogg", dir);
    return p;
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    if (d)
        closedir(d);
    return n;
}

static void test_two_tones_offset(void)
{
    mu_bytes a, b;
    make_track(&a, 300, 100); /* 2 s at 0 ms */
    make_track(&b, 500, 50);  /* 1 s at 1000 ms */
    mem_reader ra = {a.d, a.len, 0, 0}, rb = {b.d, b.len, 0, 0};
    rg_mixdown_input in[2] = {
        {mem_read, &ra, 0, 2000}, {mem_read, &rb, 1000, 1000}};
    progress_log log = {0};
    rg_mixdown_params p = {.progress = on_progress, .progress_ctx = &log};
    char dir[64], err[RG_ERRBUF_SIZE];
    char *path = out_path(dir, sizeof dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    rg_err rc = rg_mixdown_run(in, 2, path, &p, err);
    if (rc)
        fprintf(stderr, "mixdown: %s\n", err);
    CU_ASSERT_EQUAL_FATAL(rc, RG_OK);
    double d = mu_ffprobe_duration(path);
    fprintf(stderr, "  [mix: ffprobe %.3f s, %d progress calls]\n", d,
            log.n);
    CU_ASSERT(fabs(d - 2.0) <= 0.1);
    CU_ASSERT(log.n >= 3);
    CU_ASSERT_FALSE(log.backwards);
    CU_ASSERT_EQUAL(log.v[0], 0.0);
    CU_ASSERT_EQUAL(log.v[log.n - 1], 1.0);
    size_t n = 0;
    int16_t *pcm = mu_decode_opus_file(path, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pcm);
    CU_ASSERT(labs((long)n - 2L * RATE) <= RATE / 10);
    if (n >= 2 * RATE - RATE / 10) {
        /* 0.1-0.9 s: only 300 Hz; 1.1-1.9 s: 300 and 500 Hz together. */
        const int16_t *early = pcm + RATE / 10, *late = pcm + RATE * 11 / 10;
        size_t w = RATE * 8 / 10;
        double e3 = mu_goertzel(early, w, 300, RATE);
        double e5 = mu_goertzel(early, w, 500, RATE);
        double l3 = mu_goertzel(late, w, 300, RATE);
        double l5 = mu_goertzel(late, w, 500, RATE);
        CU_ASSERT(e3 > 100 * e5);
        CU_ASSERT(l5 > 0.2 * l3 && l3 > 0.2 * l5);
        CU_ASSERT(l5 > 100 * e5);
    }
    free(pcm);
    unlink(path);
    CU_ASSERT_EQUAL(count_files(dir), 0); /* no .part file left */
    rmdir(dir);
    free(path);
    mu_bytes_free(&a);
    mu_bytes_free(&b);
}

/* Offsets that do not start at 0 and three inputs. */
static void test_three_inputs_late_start(void)
{
    mu_bytes t[3];
    make_track(&t[0], 300, 50);
    make_track(&t[1], 500, 50);
    make_track(&t[2], 700, 25);
    mem_reader r[3] = {{t[0].d, t[0].len, 0, 0}, {t[1].d, t[1].len, 0, 0},
                       {t[2].d, t[2].len, 0, 0}};
    rg_mixdown_input in[3] = {{mem_read, &r[0], 500, 0},
                              {mem_read, &r[1], 1500, 0},
                              {mem_read, &r[2], 0, 0}};
    char dir[64], err[RG_ERRBUF_SIZE];
    char *path = out_path(dir, sizeof dir);
    CU_ASSERT_EQUAL_FATAL(rg_mixdown_run(in, 3, path, NULL, err), RG_OK);
    CU_ASSERT(fabs(mu_ffprobe_duration(path) - 2.5) <= 0.1);
    size_t n = 0;
    int16_t *pcm = mu_decode_opus_file(path, &n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pcm);
    if (n >= 2 * RATE + RATE / 2 - RATE / 10) {
        CU_ASSERT_EQUAL(mu_dominant(pcm + RATE / 20, RATE * 4 / 10, RATE),
                        700);
        CU_ASSERT_EQUAL(mu_dominant(pcm + RATE * 11 / 20, RATE * 4 / 10,
                                    RATE), 300);
        CU_ASSERT_EQUAL(mu_dominant(pcm + RATE * 21 / 10, RATE * 3 / 10,
                                    RATE), 500);
    }
    free(pcm);
    unlink(path);
    rmdir(dir);
    free(path);
    for (int i = 0; i < 3; i++)
        mu_bytes_free(&t[i]);
}

static void test_garbage_input(void)
{
    mu_bytes a;
    make_track(&a, 300, 50);
    static uint8_t junk[20000];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 7 + 3);
    mem_reader ra = {a.d, a.len, 0, 0}, rj = {junk, sizeof junk, 0, 0};
    rg_mixdown_input in[2] = {{mem_read, &ra, 0, 0}, {mem_read, &rj, 0, 0}};
    char dir[64], err[RG_ERRBUF_SIZE] = "";
    char *path = out_path(dir, sizeof dir);
    CU_ASSERT_EQUAL(rg_mixdown_run(in, 2, path, NULL, err), RG_ERR_MEDIA);
    fprintf(stderr, "  [garbage: %s]\n", err);
    CU_ASSERT(strlen(err) > 10);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
    CU_ASSERT_EQUAL(count_files(dir), 0);
    rmdir(dir);
    free(path);
    mu_bytes_free(&a);
}

static void test_read_failure(void)
{
    mu_bytes a;
    make_track(&a, 300, 100);
    mem_reader ra = {a.d, a.len, 0, RG_ERR_AUTH}; /* tampered chunk */
    rg_mixdown_input in[1] = {{mem_read, &ra, 0, 0}};
    char dir[64], err[RG_ERRBUF_SIZE] = "";
    char *path = out_path(dir, sizeof dir);
    CU_ASSERT_EQUAL(rg_mixdown_run(in, 1, path, NULL, err), RG_ERR_AUTH);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "input 0"));
    CU_ASSERT_EQUAL(count_files(dir), 0);
    rmdir(dir);
    free(path);
    mu_bytes_free(&a);
}

static void test_bad_args(void)
{
    char err[RG_ERRBUF_SIZE];
    mem_reader r = {NULL, 0, 0, 0};
    rg_mixdown_input in[1] = {{mem_read, &r, -5, 0}};
    CU_ASSERT_EQUAL(rg_mixdown_run(NULL, 1, "/tmp/x.ogg", NULL, err),
                    RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_mixdown_run(in, 0, "/tmp/x.ogg", NULL, err),
                    RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_mixdown_run(in, 1, "/tmp/x.ogg", NULL, err),
                    RG_ERR_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "offset"));
    in[0].offset_ms = 0;
    rg_mixdown_params p = {.channels = 3};
    CU_ASSERT_EQUAL(rg_mixdown_run(in, 1, "/tmp/x.ogg", &p, err), RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_mixdown_run(in, 1, "/nonexistent-dir/x.ogg", NULL,
                                   err), RG_ERR_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "nonexistent-dir"));
}

int main(void)
{
    static const rg_test tests[] = {
        {"two tones, offsets 0 and 1000 ms -> 2 s", test_two_tones_offset},
        {"three inputs, late starts", test_three_inputs_late_start},
        {"garbage input fails, no file left", test_garbage_input},
        {"read callback failure", test_read_failure},
        {"bad arguments", test_bad_args},
        {NULL, NULL},
    };
    return rg_test_run("mixdown", tests);
}
