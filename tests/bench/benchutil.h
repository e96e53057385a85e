/* Shared by the benchmark programs: CPU and wall clocks, peak RSS,
 * environment knobs, and the bare gst-launch-1.0 Opus baseline. */
#ifndef RG_BENCHUTIL_H
#define RG_BENCHUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static inline double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6))
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static inline int env_int(const char *name, int def)
{
    const char *v = getenv(name);
    return v && atoi(v) > 0 ? atoi(v) : def;
}

/* CPU seconds of a gst-launch-1.0 child run (user + sys), or -1. */
static inline double bench_bare_cpu(long buffers, const char *encopts)
{
    char nb[64], enc[128];
    snprintf(nb, sizeof nb, "num-buffers=%ld", buffers);
    snprintf(enc, sizeof enc, "%s", encopts);
    char *argv[32];
    int a = 0;
    argv[a++] = "gst-launch-1.0";
    argv[a++] = "-q";
    argv[a++] = "audiotestsrc";
    argv[a++] = nb;
    argv[a++] = "samplesperbuffer=960";
    argv[a++] = "!";
    argv[a++] = "audio/x-raw,rate=48000,channels=1";
    argv[a++] = "!";
    argv[a++] = "opusenc";
    for (char *tok = strtok(enc, " "); tok; tok = strtok(NULL, " "))
        argv[a++] = tok;
    argv[a++] = "!";
    argv[a++] = "oggmux";
    argv[a++] = "!";
    argv[a++] = "filesink";
    argv[a++] = "location=/dev/null";
    argv[a] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
        return -1;
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

#endif
