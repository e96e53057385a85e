/* Gate cost in large meetings: prints figures, asserts nothing.
 *
 * One dry-run session (no recording sink: the gate itself) per roster
 * size N (10, 300, 3000 by default): one host and N-1 guests join at 0 s
 * in an opt_out meeting; after the window every participant sends one
 * 20 ms audio frame per 20 ms and the session ticks every 20 ms, as the
 * platforms do. Measured over BENCH_GATE_SECONDS audio-seconds after the
 * gate opened: CPU seconds (CLOCK_PROCESS_CPUTIME_ID) per audio-second, i.e. the share
 * of one core the gate needs for that meeting, and the CPU time per
 * participant frame. Goal (issue 11): 3000 participants <= 5% of a core.
 * Environment: BENCH_GATE_SIZES ("10,300,3000"), BENCH_GATE_SECONDS (20),
 * BENCH_CONFIG (config/recgate.json). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "recgate/recgate.h"

#define FRAME_MS 20

/* Process CPU time with nanosecond resolution (getrusage ticks are too
 * coarse for the small rosters). */
static double cpu_precise(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static rg_err send_ok(void *ctx, const char *to, const char *text)
{
    (void)ctx, (void)to, (void)text;
    return RG_OK;
}

static rg_err leave_ok(void *ctx, const char *reason)
{
    (void)ctx, (void)reason;
    return RG_OK;
}

static int run(const rg_policy *pol, int n, int seconds)
{
    static const rg_host_ops host = {.api_version = RG_SESSION_API_VERSION,
                                     .struct_size = sizeof host, .send_chat = send_ok,
                                     .leave = leave_ok};
    rg_session_params p = {.api_version = RG_SESSION_API_VERSION,
                           .struct_size = sizeof p,
                           .policy = pol,
                           .meeting_type = "case-meeting",
                           .meeting_id = "bench",
                           .host = &host};
    rg_session *s = NULL;
    char errbuf[RG_ERRBUF_SIZE] = "";
    if (rg_session_new(&p, &s, errbuf) != RG_OK) {
        fprintf(stderr, "bench_gate: session: %s\n", errbuf);
        return 1;
    }
    char (*ids)[16] = calloc((size_t)n, sizeof *ids);
    if (!ids) {
        rg_session_free(s);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        snprintf(ids[i], sizeof ids[i], "p%05d", i);
        rg_session_joined(s, 0, ids[i], ids[i], i == 0 ? RG_ROLE_HOST : RG_ROLE_GUEST);
    }
    static const uint8_t opus[60];
    rg_media_frame f = {RG_MEDIA_OPUS, 48000, 1, FRAME_MS, opus, sizeof opus, 0, 0};
    /* Through the window (60 s in case-meeting) without frames. */
    int64_t t = 0;
    for (; t <= 61000; t += 1000)
        rg_session_tick(s, t);
    long passed = 0, frames = 0;
    double c0 = cpu_precise();
    int64_t end = t + (int64_t)seconds * 1000;
    for (; t < end; t += FRAME_MS) {
        rg_session_tick(s, t);
        for (int i = 0; i < n; i++) {
            bool ok = false;
            rg_session_media(s, t, ids[i], &f, &ok);
            passed += ok;
            frames++;
        }
    }
    double cpu = cpu_precise() - c0;
    rg_session_end(s, t);
    printf("  %5d participants: %7.3f%% of one core per audio-second "
           "(%.3f CPU-s for %d s), %6.1f ns per participant frame, "
           "%ld/%ld frames passed\n",
           n, 100.0 * cpu / seconds, cpu, seconds,
           frames ? cpu * 1e9 / (double)frames : 0.0, passed, frames);
    rg_session_free(s);
    free(ids);
    return passed == frames ? 0 : 1;
}

int main(void)
{
    const char *cfg = getenv("BENCH_CONFIG");
    const char *sizes = getenv("BENCH_GATE_SIZES");
    int seconds = env_int("BENCH_GATE_SECONDS", 20);
    rg_policy *pol = NULL;
    char errbuf[RG_ERRBUF_SIZE] = "";
    if (rg_policy_load(cfg ? cfg : "config/recgate.json", &pol, errbuf) != RG_OK) {
        fprintf(stderr, "bench_gate: %s\n", errbuf);
        return 1;
    }
    char list[256];
    snprintf(list, sizeof list, "%s", sizes ? sizes : "10,300,3000");
    printf("gate (session + consent engine, dry run), %d audio-seconds per size:\n",
           seconds);
    int rc = 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
        if (atoi(tok) > 0)
            rc |= run(pol, atoi(tok), seconds);
    rg_policy_free(pol);
    return rc;
}
