/* recgate run --config FILE --scenario FILE [--scenario FILE...] [--out DIR]
 *             [--json] [--realtime] [--recipient age1...]... [--audit-key FILE]
 * recgate run --config FILE --platform NAME [--shim-dir DIR] [--set KEY=VALUE]...
 *             [--url URL] [--room N] [--host NAME]...
 *
 * The platform shim NAME is built in (sim) or loaded from the shim
 * directory. Its settings are the policy's platforms.NAME with the command
 * line on top, handed to the shim as JSON: --set KEY=VALUE sets any key
 * (VALUE is JSON if it parses, else a string); the older flags are names
 * for keys (--scenario: scenario, one meeting each; --realtime: realtime;
 * --url, --room, --textroom, --host: hosts, --type: meeting_type,
 * --timeout: timeout_s, --duration: duration_s).
 * Plays one meeting, or several at once (one thread each, sharing nothing
 * but the read-only policy, so one meeting's failure cannot touch another's
 * recording). With --json each meeting's summary is printed as one line.
 *
 * SIGINT/SIGTERM (docs/operations.md): the first stops every meeting
 * gracefully (capture stops, the end notice is sent, the recording is
 * sealed and its audit log checkpointed, the bot leaves, the summary is
 * printed); a second skips the end notice but still seals. Exit status
 * then 130 (SIGINT) or 143 (SIGTERM) when everything was sealed, 1 if
 * anything failed. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "refusal.h"
#include "announce.h"
#include "cli.h"
#include "fileio.h"
#include "recgate/runner.h"

#define MAX_MEETINGS 256
#define MAX_HOSTS 32

/* Operator stop: counted by the signal thread, read by every session at
 * each tick (rg_session_params.stop). */
static volatile sig_atomic_t stop_requests;
static volatile sig_atomic_t stop_signal;

/* SIGINT/SIGTERM are blocked in every thread (the shims' GStreamer, libnice
 * and curl threads inherit the mask, so no system call of theirs is ever
 * interrupted) and taken by this one thread with sigwait(); SIGUSR1 from
 * the main thread ends it. */
static void *signal_thread(void *arg)
{
    const sigset_t *set = arg;
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0 || sig == SIGUSR1)
            return NULL;
        if (!stop_signal)
            stop_signal = sig; /* the exit status tells the first one */
        if (stop_requests < 2)
            stop_requests++;
    }
}

typedef struct stop_watch {
    sigset_t set;
    pthread_t thread;
    bool running;
} stop_watch;

/* Before any meeting (and so any thread of a shim) starts. */
static void watch_stop_signals(stop_watch *w)
{
    stop_requests = 0;
    stop_signal = 0;
    sigemptyset(&w->set);
    sigaddset(&w->set, SIGINT);
    sigaddset(&w->set, SIGTERM);
    sigaddset(&w->set, SIGUSR1);
    w->running = pthread_sigmask(SIG_BLOCK, &w->set, NULL) == 0 &&
                 pthread_create(&w->thread, NULL, signal_thread, &w->set) == 0;
}

/* After every meeting ended. The signals stay blocked (a late one is
 * dropped at exit rather than killing the process mid-summary). */
static void unwatch_stop_signals(stop_watch *w)
{
    if (!w->running)
        return;
    pthread_kill(w->thread, SIGUSR1);
    pthread_join(w->thread, NULL);
    w->running = false;
}

static void lint_warn(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "recgate run: warning: %s\n", msg);
}

typedef struct meeting_job {
    rg_run_params opts;
    char *settings; /* [owned] */
    char label[64];
    char *summary;  /* [owned] */
    rg_err err;
    char errbuf[RG_ERRBUF_SIZE];
} meeting_job;
static int usage(void)
{
    fputs(RG_USAGE_run, stderr);
    return 2;
}

/* --status-fd N: one JSON line per state change, for `recgate serve` and
 * `recgate worker`, which follow their child bots this way. */
static FILE *status_out;
static void write_state(void *ctx, int64_t t_ms, const char *state, const char *detail)
{
    (void)ctx;
    if (!status_out)
        return;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return;
    cJSON_AddStringToObject(o, "state", state);
    cJSON_AddNumberToObject(o, "t", (double)t_ms / 1000.0);
    cJSON_AddNumberToObject(o, "wall", (double)time(NULL));
    if (detail)
        cJSON_AddStringToObject(o, "detail", detail);
    char *line = cJSON_PrintUnformatted(o);
    if (line) {
        flockfile(status_out);
        fprintf(status_out, "%s\n", line);
        fflush(status_out);
        funlockfile(status_out);
    }
    free(line);
    cJSON_Delete(o);
}

static void *run_job(void *arg)
{
    meeting_job *job = arg;
    job->err = rg_run_meeting(&job->opts, &job->summary, job->errbuf);
    return NULL;
}

/* Set `key` in the settings object (a later flag replaces an earlier). */
static int put(cJSON *set, const char *key, cJSON *val)
{
    if (!val)
        return -1;
    if (cJSON_GetObjectItemCaseSensitive(set, key))
        cJSON_ReplaceItemInObjectCaseSensitive(set, key, val);
    else
        cJSON_AddItemToObject(set, key, val);
    return 0;
}

/* --set KEY=VALUE: VALUE is JSON when it parses as JSON, else a string. */
static int put_kv(cJSON *set, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv || (size_t)(eq - kv) > 63) {
        fprintf(stderr, "recgate run: --set wants KEY=VALUE, not '%s'\n", kv);
        return -1;
    }
    char key[64];
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = '\0';
    cJSON *v = cJSON_Parse(eq + 1);
    return put(set, key, v ? v : cJSON_CreateString(eq + 1));
}

int rg_cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"scenario", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},
        {"realtime", no_argument, NULL, 'r'},
        {"platform", required_argument, NULL, 'p'},
        {"shim-dir", required_argument, NULL, 'D'},
        {"set", required_argument, NULL, 'S'},
        {"quiet", no_argument, NULL, 'q'},
        {"recipient", required_argument, NULL, 'R'},
        {"audit-key", required_argument, NULL, 'k'},
        {"url", required_argument, NULL, 'U'},
        {"room", required_argument, NULL, 'M'},
        {"textroom", required_argument, NULL, 'T'},
        {"adapter", required_argument, NULL, 'A'},
        {"host", required_argument, NULL, 'H'},
        {"type", required_argument, NULL, 'y'},
        {"timeout", required_argument, NULL, 't'},
        {"duration", required_argument, NULL, 'd'},
        {"status-fd", required_argument, NULL, 'F'},
        {"request-id", required_argument, NULL, 'I'},
        {"previous-recording", required_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* Flags that are names for a settings key. */
    static const struct { int flag; const char *key; } named[] = {
        {'U', "url"}, {'M', "room"}, {'T', "textroom"}, {'y', "meeting_type"},
        {'A', "adapter"},
    };
    const char *config = NULL, *out = NULL, *platform = "sim", *audit_key = NULL;
    const char *shim_dir = NULL;
    const char *scenarios[MAX_MEETINGS], *recipients[64];
    size_t n_scenarios = 0, n_recipients = 0;
    bool json = false, quiet = false;
    const char *request_id = NULL, *previous_recording = NULL;
    char errbuf[RG_ERRBUF_SIZE] = "";
    rg_policy *policy = NULL;
    int status = 2;
    size_t n_meetings = 0;
    meeting_job *jobs = NULL;
    pthread_t *threads = NULL;
    cJSON *set = cJSON_CreateObject(), *hosts = NULL;
    if (!set) {
        fprintf(stderr, "recgate run: out of memory\n");
        return 1;
    }
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'o': out = optarg; break;
        case 'j': json = true; break;
        case 'r':
            if (put(set, "realtime", cJSON_CreateTrue()))
                goto cleanup;
            break;
        case 'p': platform = optarg; break;
        case 'D': shim_dir = optarg; break;
        case 'S':
            if (put_kv(set, optarg))
                goto cleanup;
            break;
        case 'q': quiet = true; break;
        case 'k': audit_key = optarg; break;
        case 's':
            if (n_scenarios == MAX_MEETINGS) {
                fprintf(stderr, "recgate run: at most %d scenarios at once\n", MAX_MEETINGS);
                goto cleanup;
            }
            scenarios[n_scenarios++] = optarg;
            break;
        case 'R':
            if (n_recipients == sizeof recipients / sizeof recipients[0]) {
                fprintf(stderr, "recgate run: too many --recipient (max 64)\n");
                goto cleanup;
            }
            recipients[n_recipients++] = optarg;
            break;
        case 'U':
        case 'M':
        case 'T':
        case 'A':
        case 'y':
            for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
                if (named[i].flag == c && put(set, named[i].key, cJSON_CreateString(optarg)))
                    goto cleanup;
            break;
        case 'H':
            if (!hosts && (!(hosts = cJSON_CreateArray()) || put(set, "hosts", hosts))) {
                hosts = NULL;
                goto cleanup;
            }
            if (cJSON_GetArraySize(hosts) == MAX_HOSTS) {
                fprintf(stderr, "recgate run: at most %d --host\n", MAX_HOSTS);
                goto cleanup;
            }
            cJSON_AddItemToArray(hosts, cJSON_CreateString(optarg));
            break;
        case 't':
        case 'd': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 86400) {
                fprintf(stderr, "recgate run: --%s wants seconds 1..86400, not '%s'\n",
                        c == 't' ? "timeout" : "duration", optarg);
                goto cleanup;
            }
            if (put(set, c == 't' ? "timeout_s" : "duration_s", cJSON_CreateNumber((double)v)))
                goto cleanup;
            break;
        }
        case 'I':
        case 'V':
            if (!rg_vaultio_valid_id(optarg)) {
                fprintf(stderr, "recgate run: --%s wants an id ([A-Za-z0-9_-], at most 64), not '%s'\n",
                        c == 'I' ? "request-id" : "previous-recording", optarg);
                goto cleanup;
            }
            *(c == 'I' ? &request_id : &previous_recording) = optarg;
            break;
        case 'F': {
            char *end;
            long fd = strtol(optarg, &end, 10);
            if (*end || fd < 3 || fd > 1024 || !(status_out = fdopen((int)fd, "w"))) {
                fprintf(stderr, "recgate run: --status-fd wants an open descriptor >= 3, not '%s'\n", optarg);
                goto cleanup;
            }
            break;
        }
        case 'h': fputs(RG_USAGE_run, stdout); status = 0; goto cleanup;
        default: usage(); goto cleanup;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "recgate run: unexpected argument '%s'\n", argv[optind]);
        usage();
        goto cleanup;
    }
    if (!config) {
        fprintf(stderr, "recgate run: --config is required\n");
        usage();
        goto cleanup;
    }
    const rg_shim_ops *shim = NULL;
    if (rg_shim_open(platform, shim_dir, &shim, errbuf)) {
        fprintf(stderr, "recgate run: %s\n", errbuf);
        goto cleanup;
    }
    status = 1;
    /* Each --scenario is one meeting (setting "scenario"); else one. */
    n_meetings = n_scenarios ? n_scenarios : 1;
    jobs = calloc(n_meetings, sizeof *jobs);
    threads = calloc(n_meetings, sizeof *threads);
    if (!jobs || !threads) {
        fprintf(stderr, "recgate run: out of memory\n");
        goto cleanup;
    }
    rg_err err = rg_policy_load(config, &policy, errbuf);
    if (err) {
        fprintf(stderr, "recgate run: %s\n", errbuf[0] ? errbuf : rg_strerror(err));
        /* RG_ERR_REFUSED from the loader: the transfer guard. No recording
         * exists, so the refusal gets its own audit log (when an audit
         * key is at hand). */
        char path[4096];
        if (err == RG_ERR_REFUSED) {
            fprintf(stderr, "recgate run: transfer guard: an upload destination "
                            "lies outside the EU/EEA and adequacy countries\n");
            if (rg_audit_refusal_log(out, audit_key, "transfer_region", errbuf, path,
                                     sizeof path) == RG_OK)
                fprintf(stderr, "recgate run: refusal logged in %s\n", path);
        }
        fprintf(stderr, "recgate run: nothing was recorded\n");
        goto cleanup;
    }
    for (size_t i = 0; rg_policy_warning(policy, i); i++)
        fprintf(stderr, "recgate run: warning: %s\n", rg_policy_warning(policy, i));
    (void)rg_announce_lint(policy, lint_warn, NULL);
    for (size_t i = 0; i < n_meetings; i++) {
        meeting_job *job = &jobs[i];
        if (n_scenarios && put(set, "scenario", cJSON_CreateString(scenarios[i])))
            goto cleanup;
        if (!(job->settings = cJSON_PrintUnformatted(set))) {
            fprintf(stderr, "recgate run: out of memory\n");
            goto cleanup;
        }
        if (n_meetings > 1)
            snprintf(job->label, sizeof job->label, "#%zu ", i + 1);
        job->opts = (rg_run_params){
            .api_version = RG_RUN_API_VERSION, .struct_size = sizeof job->opts,
            .policy = policy, .shim = shim, .settings_json = job->settings,
            .out_dir = out, .timeline = quiet ? NULL : stderr,
            .recipients = n_recipients ? recipients : NULL,
            .n_recipients = n_recipients, .audit_key_file = audit_key,
            .label = job->label, .on_state = write_state,
            .request_id = request_id, .previous_recording = previous_recording,
            .stop = &stop_requests,
        };
    }
    size_t started = 0;
    stop_watch watch;
    watch_stop_signals(&watch);
    if (n_meetings == 1) {
        run_job(&jobs[0]);
    } else {
        for (; started < n_meetings; started++)
            if (pthread_create(&threads[started], NULL, run_job, &jobs[started]) != 0)
                break;
        for (size_t i = 0; i < started; i++)
            pthread_join(threads[i], NULL);
        for (size_t i = started; i < n_meetings; i++) {
            jobs[i].err = RG_ERR_NOMEM;
            snprintf(jobs[i].errbuf, sizeof jobs[i].errbuf, "could not start a thread");
        }
    }
    unwatch_stop_signals(&watch);
    status = 0;
    for (size_t i = 0; i < n_meetings; i++) {
        const char *what = n_scenarios ? scenarios[i] : platform;
        /* A meeting cut short still has a summary: what passed the gate
         * before the cut is sealed. */
        if (json && jobs[i].summary)
            printf("%s\n", jobs[i].summary);
        if (jobs[i].err) {
            fprintf(stderr, "recgate run: %s%s: %s\n", jobs[i].label, what,
                    jobs[i].errbuf[0] ? jobs[i].errbuf : rg_strerror(jobs[i].err));
            if (!jobs[i].summary)
                fprintf(stderr, "recgate run: %s%s: nothing was recorded\n",
                        jobs[i].label, what);
            /* A shim missing a required setting (RG_ERR_ARG from create,
             * e.g. no --scenario, no --url) is a usage error: exit 2. */
            status = status == 1 || jobs[i].err != RG_ERR_ARG || jobs[i].summary ? 1 : 2;
        }
    }
    if (stop_requests) {
        fprintf(stderr, "recgate run: stopped by %s%s\n",
                stop_signal == SIGINT ? "SIGINT" : "SIGTERM",
                stop_requests > 1 ? " (twice: end notice skipped)" : "");
        if (status == 0)
            status = 128 + (stop_signal == SIGINT ? SIGINT : SIGTERM);
    }
cleanup:
    for (size_t i = 0; jobs && i < n_meetings; i++) {
        free(jobs[i].summary);
        free(jobs[i].settings);
    }
    free(jobs);
    free(threads);
    cJSON_Delete(set);
    rg_policy_free(policy);
    if (status_out) {
        fclose(status_out);
        status_out = NULL;
    }
    return status;
}
