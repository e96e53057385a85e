/* Whole-path benchmark: prints figures, asserts nothing.
 *
 *  1. Throughput: N simulated meetings of M participants through the real
 *     path in-process (sim -> session -> consent gate -> capture/Opus ->
 *     age encryption -> vault on disk, audit log, manifest), via
 *     rg_run_meeting on BENCH_THREADS threads. Audio-seconds recorded (from
 *     each run's summary) per CPU-second (getrusage, all threads), against
 *     the bare encoder on the same amount of audio:
 *       gst-launch-1.0 -q audiotestsrc num-buffers=K samplesperbuffer=960 !
 *         audio/x-raw,rate=48000,channels=1 ! opusenc ! oggmux !
 *         filesink location=/dev/null
 *     (child CPU time from wait4), and the ratio.
 *  2. Memory: BENCH_CONC meetings at once (one thread each); peak RSS
 *     above the warmed-up baseline, per live stream.
 *  3. Opus passthrough through the recording sink (capture's Ogg muxing +
 *     vault encryption + sealing to disk): packets per CPU-second ->
 *     streams per core (50 packets/s per stream); once into BENCH_DIR and
 *     once into /dev/shm (tmpfs) to show the file system's share.
 * Everything lives in a temp dir (scenarios, org identity, audit key,
 * recordings) that is removed at the end.
 * Environment: BENCH_MEETINGS (8), BENCH_PARTICIPANTS (4), BENCH_SECONDS
 * (60, captured per participant), BENCH_THREADS (2), BENCH_CONC (16),
 * BENCH_MEM_SECONDS (20), BENCH_SEGMENT_S (the policy's vault.segment_s),
 * BENCH_PT_TRACKS (16), BENCH_PT_SECONDS (60), BENCH_CONFIG
 * (config/recgate.json), BENCH_DIR (/tmp: where recordings are written). */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "benchutil.h"
#include "agekey.h"
#include "audit.h"
#include "policy.h"
#include "recsink.h"
#include "recgate/runner.h"

#define WINDOW_S 30 /* board-meeting (documentation): capture after 30 s */

static char tmpdir[200];
static char recipient[RG_AGE_RECIPIENT_STRLEN + 1];
static char audit_key_path[256];
static rg_policy *policy;





/* CPU seconds of the bare gst-launch-1.0 encoder on `buffers` 20 ms
 * buffers (user + sys of the child), or -1. */

/* A meeting: m participants at 0 s, capture from WINDOW_S for `seconds`. */
static int write_scenario(const char *path, int id, int m, int seconds)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "{\"meeting\":{\"id\":\"bench-%d\",\"type\":\"board-meeting\"},"
               "\"events\":[", id);
    for (int k = 0; k < m; k++)
        fprintf(f, "{\"at\":0,\"join\":\"p%d\"%s},", k,
                k == 0 ? ",\"role\":\"host\"" : "");
    fprintf(f, "{\"at\":%d,\"end\":true}]}\n", WINDOW_S + seconds);
    return fclose(f) ? -1 : 0;
}

typedef struct job {
    int first, count, m, seconds;
    double audio_s;       /* captured, from the summaries */
    int failed;
} job;

static double captured_s(const char *summary)
{
    cJSON *o = cJSON_Parse(summary);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "captured"), *e;
    double s = 0;
    cJSON_ArrayForEach(e, c) {
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(e, "from");
        const cJSON *to = cJSON_GetObjectItemCaseSensitive(e, "to");
        if (cJSON_IsNumber(from) && cJSON_IsNumber(to))
            s += to->valuedouble - from->valuedouble;
    }
    cJSON_Delete(o);
    return s;
}

static void *run_jobs(void *arg)
{
    job *j = arg;
    const char *rcpts[1] = {recipient};
    for (int i = j->first; i < j->first + j->count; i++) {
        char sc[512], out[512], err[RG_ERRBUF_SIZE] = "";
        snprintf(sc, sizeof sc, "%s/meeting-%d.json", tmpdir, i);
        snprintf(out, sizeof out, "%s/recs", tmpdir);
        if (write_scenario(sc, i, j->m, j->seconds)) {
            j->failed = 1;
            return NULL;
        }
        char set[600];
        snprintf(set, sizeof set, "{\"scenario\":\"%s\"}", sc);
        rg_run_params o = {.api_version = RG_RUN_API_VERSION, .struct_size = sizeof o,
                           .policy = policy, .shim = rg_shim_find("sim"),
                           .settings_json = set, .out_dir = out, .recipients = rcpts,
                           .n_recipients = 1, .audit_key_file = audit_key_path};
        char *summary = NULL;
        rg_err e = rg_run_meeting(&o, &summary, err);
        if (e) {
            fprintf(stderr, "meeting %d: %s\n", i, err[0] ? err : rg_strerror(e));
            j->failed = 1;
            return NULL;
        }
        j->audio_s += captured_s(summary);
        free(summary);
    }
    return NULL;
}

/* Run `meetings` meetings on `threads` threads; returns audio-s or -1. */
static double run_meetings(int meetings, int threads, int m, int seconds,
                           volatile int *live)
{
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    job *j = calloc((size_t)threads, sizeof *j);
    double audio = 0;
    int next = 0, failed = 0;
    for (int k = 0; k < threads; k++) {
        j[k].first = next;
        j[k].count = meetings / threads + (k < meetings % threads);
        j[k].m = m;
        j[k].seconds = seconds;
        next += j[k].count;
        pthread_create(&t[k], NULL, run_jobs, &j[k]);
    }
    if (live)
        *live = 1;
    for (int k = 0; k < threads; k++) {
        pthread_join(t[k], NULL);
        audio += j[k].audio_s;
        failed |= j[k].failed;
    }
    if (live)
        *live = 0;
    free(t);
    free(j);
    return failed ? -1 : audio;
}

static int bench_throughput(int meetings, int m, int seconds, int threads)
{
    double c0 = cpu_now(), w0 = wall_now();
    double audio = run_meetings(meetings, threads, m, seconds, NULL);
    double cpu = cpu_now() - c0, wall = wall_now() - w0;
    if (audio <= 0)
        return -1;
    long buffers = (long)(audio * 50 + 0.5);
    double start = bench_bare_cpu(1, "");
    double bare = bench_bare_cpu(buffers, "");
    double same = bench_bare_cpu(buffers, "bitrate=24000 audio-type=voice");
    if (bare <= 0 || same <= 0 || start < 0) {
        fprintf(stderr, "gst-launch-1.0 baseline failed\n");
        return -1;
    }
    double ours = audio / cpu, b = audio / bare, b_same = audio / (same - start);
    printf("Whole path (sim -> gate -> Opus -> encrypt -> disk): %d meetings x "
           "%d participants x %d s on %d threads = %.0f audio-s\n", meetings,
           m, seconds, threads, audio);
    printf("  recgate pipeline          : %8.1f audio-s per CPU-s (%.2f CPU-s, "
           "%.2f wall-s)\n", ours, cpu, wall);
    printf("  bare gst-launch (as spec) : %8.1f audio-s per CPU-s (%.2f CPU-s, "
           "K=%ld buffers)\n", b, bare, buffers);
    printf("  bare, same settings       : %8.1f audio-s per CPU-s "
           "(bitrate=24000 audio-type=voice, start-up %.3f s subtracted)\n",
           b_same, start);
    printf("  RATIO pipeline/bare       : %.2f (as specified), %.2f (same "
           "settings)  goal >= 0.9\n", ours / b, ours / b_same);
    return 0;
}

static volatile int mem_live;
static volatile long mem_peak;

static void *rss_monitor(void *arg)
{
    (void)arg;
    while (mem_live >= 0) {
        long now = rss_kib();
        if (mem_live > 0 && now > mem_peak)
            mem_peak = now;
        usleep(5000);
    }
    return NULL;
}

static int bench_memory(int conc, int m, int seconds)
{
    /* Warm up: plugins, type registrations, thread pools are shared. */
    if (run_meetings(2, 2, m, 5, NULL) < 0)
        return -1;
    long before = rss_kib();
    mem_peak = before;
    pthread_t mon;
    pthread_create(&mon, NULL, rss_monitor, NULL);
    double audio = run_meetings(conc, conc, m, seconds, &mem_live);
    mem_live = -1;
    pthread_join(mon, NULL);
    if (audio < 0)
        return -1;
    int streams = conc * m;
    printf("Memory: %d meetings at once x %d participants = %d live streams "
           "(%d s each)\n", conc, m, streams, seconds);
    printf("  RSS before %ld KiB, peak %ld KiB\n", before, mem_peak);
    printf("  PEAK RSS PER STREAM       : %.1f KiB  goal <= 1024 KiB\n",
           (double)(mem_peak - before) / streams);
    return 0;
}

/* 50 Opus packets (1 s of a tone) from a separate opusenc. */
static int make_packets(GstBuffer **b)
{
    GstElement *pipe = gst_parse_launch(
        "audiotestsrc num-buffers=50 samplesperbuffer=960 ! "
        "audio/x-raw,rate=48000,channels=1 ! opusenc bitrate=24000 ! "
        "appsink name=out sync=false", NULL);
    if (!pipe)
        return -1;
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "out");
    gst_element_set_state(pipe, GST_STATE_PLAYING);
    int n = 0;
    GstSample *s;
    while (n < 50 && (s = gst_app_sink_pull_sample(GST_APP_SINK(sink)))) {
        b[n++] = gst_buffer_ref(gst_sample_get_buffer(s));
        gst_sample_unref(s);
    }
    gst_element_set_state(pipe, GST_STATE_NULL);
    gst_object_unref(sink);
    gst_object_unref(pipe);
    return n;
}

static int bench_passthrough(int ntracks, int seconds, const char *dir)
{
    GstBuffer *pk[50];
    GstMapInfo mp[50];
    if (make_packets(pk) != 50)
        return -1;
    for (int i = 0; i < 50; i++)
        gst_buffer_map(pk[i], &mp[i], GST_MAP_READ);
    uint8_t key[RG_AUDIT_KEY_LEN];
    char err[RG_ERRBUF_SIZE] = "", out[512];
    if (rg_audit_key_load(audit_key_path, key, err))
        return -1;
    snprintf(out, sizeof out, "%s/pt", dir);
    const char *rcpts[1] = {recipient};
    rg_recording_params rp = {out, policy, rg_policy_type(policy, "board-meeting"),
                              rcpts, 1, key};
    rg_recording *rec = NULL;
    if (rg_recording_create(&rp, &rec, err)) {
        fprintf(stderr, "recording: %s\n", err);
        return -1;
    }
    const rg_sink_ops *ops = rg_recording_sink_ops();
    void **tr = calloc((size_t)ntracks, sizeof *tr);
    long packets = 0;
    int rc = 0;
    double c0 = cpu_now(), w0 = wall_now();
    for (int k = 0; k < ntracks && !rc; k++) {
        char who[32];
        snprintf(who, sizeof who, "p%d", k);
        rc = ops->track_start(rec, who, 0, &tr[k]);
    }
    for (int i = 0; i < seconds * 50 && !rc; i++)
        for (int k = 0; k < ntracks && !rc; k++) {
            rg_media_frame f = {.kind = RG_MEDIA_OPUS, .rate = 48000,
                                .channels = 1, .duration_ms = 20,
                                .data = mp[i % 50].data, .len = mp[i % 50].size};
            rc = ops->frame(rec, tr[k], (int64_t)i * 20, &f);
            packets++;
        }
    for (int k = 0; k < ntracks && !rc; k++)
        rc = ops->track_stop(rec, tr[k], (int64_t)seconds * 1000);
    if (!rc)
        rc = ops->finish(rec, (int64_t)seconds * 1000, "{}", "{}");
    double cpu = cpu_now() - c0, wall = wall_now() - w0;
    ops->destroy(rec);
    free(tr);
    for (int i = 0; i < 50; i++) {
        gst_buffer_unmap(pk[i], &mp[i]);
        gst_buffer_unref(pk[i]);
    }
    if (rc) {
        fprintf(stderr, "passthrough: %s\n", rg_strerror(rc));
        return -1;
    }
    printf("Opus passthrough through the recording sink (Ogg mux + encrypt + "
           "seal, segment_s %d) into %s: %d tracks x %d s = %ld packets\n",
           policy->segment_s, dir, ntracks, seconds, packets);
    printf("  %.0f packets per CPU-s (%.2f CPU-s, %.2f wall-s)\n",
           packets / cpu, cpu, wall);
    printf("  STREAMS PER CORE          : %.0f  goal >= 2000\n",
           packets / cpu / 50.0);
    return 0;
}

static int setup(void)
{
    char err[RG_ERRBUF_SIZE] = "";
    rg_age_identity id;
    rg_age_recipient r;
    const char *cfg = getenv("BENCH_CONFIG") ? getenv("BENCH_CONFIG")
                                             : "config/recgate.json";
    const char *base = getenv("BENCH_DIR") ? getenv("BENCH_DIR") : "/tmp";
    snprintf(tmpdir, sizeof tmpdir, "%s/rg-bench-XXXXXX", base);
    if (!mkdtemp(tmpdir) || rg_agekey_generate(&id))
        return -1;
    memcpy(r.pk, id.pk, sizeof r.pk);
    rg_agekey_wipe(&id); /* the bench never decrypts */
    if (rg_agekey_recipient_format(&r, recipient, sizeof recipient))
        return -1;
    snprintf(audit_key_path, sizeof audit_key_path, "%s/audit.key", tmpdir);
    if (rg_audit_key_generate(audit_key_path, err) ||
        rg_policy_load(cfg, &policy, err)) {
        fprintf(stderr, "bench_pipeline: %s\n", err);
        return -1;
    }
    if (getenv("BENCH_SEGMENT_S")) /* vault.segment_s, 1..300 */
        policy->segment_s = env_int("BENCH_SEGMENT_S", policy->segment_s);
    return 0;
}

int main(void)
{
    int meetings = env_int("BENCH_MEETINGS", 8);
    int m = env_int("BENCH_PARTICIPANTS", 4);
    int seconds = env_int("BENCH_SECONDS", 60);
    gst_init(NULL, NULL);
    printf("== bench_pipeline (%ld CPUs online)\n",
           sysconf(_SC_NPROCESSORS_ONLN));
    int rc = setup();
    if (!rc)
        rc = bench_throughput(meetings, m, seconds, env_int("BENCH_THREADS", 2));
    if (!rc)
        rc = bench_memory(env_int("BENCH_CONC", 16), m,
                          env_int("BENCH_MEM_SECONDS", 20));
    int pt_tracks = env_int("BENCH_PT_TRACKS", 16);
    int pt_seconds = env_int("BENCH_PT_SECONDS", 60);
    if (!rc)
        rc = bench_passthrough(pt_tracks, pt_seconds, tmpdir);
    /* The same on tmpfs: what is left without the file system's cost of
     * creating, fsyncing and renaming files at every seal. */
    char shm[] = "/dev/shm/rg-bench-XXXXXX";
    if (!rc && !access("/dev/shm", W_OK) && mkdtemp(shm)) {
        rc = bench_passthrough(pt_tracks, pt_seconds, shm);
        char cmd2[128];
        snprintf(cmd2, sizeof cmd2, "rm -rf '%s'", shm);
        if (system(cmd2) != 0)
            fprintf(stderr, "bench_pipeline: could not remove %s\n", shm);
    }
    rg_policy_free(policy);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (tmpdir[strlen(tmpdir) - 1] != 'X' && system(cmd) != 0)
        fprintf(stderr, "bench_pipeline: could not remove %s\n", tmpdir);
    if (rc)
        fprintf(stderr, "bench_pipeline: a run failed\n");
    return rc ? 1 : 0;
}
