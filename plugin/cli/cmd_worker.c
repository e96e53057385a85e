/* recgate worker --nats URL --config FILE --out DIR [--max-meetings N]
 *                [--ack-wait S] [--audit-key FILE] [--state-dir DIR] [--name NAME]
 *
 * Pulls meeting requests from NATS JetStream (docs/service.md) while it runs
 * fewer than --max-meetings bots, runs each bot in its own process, and
 * tells JetStream it is still working on it (in-progress acks) so a request
 * is redelivered only when its worker is gone. A redelivered request whose
 * bot was lost gets a NEW bot: new notice, new window, never a silent
 * resume; the state links the lost attempt. SIGTERM drains: no new pulls,
 * running meetings go on to their end; a second SIGTERM asks them to leave
 * properly now. */
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "svc_child.h"
#include "svc_common.h"
#include "svc_nats.h"
#include "svc_status.h"

typedef struct wjob {
    rg_svc_job *job;     /* [owned] the request message */
    cJSON *status;       /* [owned] guarded by worker.lock */
    rg_svc_child *child; /* [owned] */
    bool dirty, done, stop_requested;
    time_t last_progress;
    struct worker *w;
} wjob;

typedef struct worker {
    pthread_mutex_t lock;
    wjob *jobs[1000];
    size_t n;
} worker;

static void on_state(void *ctx, const char *state, const char *detail)
{
    wjob *j = ctx;
    pthread_mutex_lock(&j->w->lock);
    rg_svc_status_bot_state(j->status, state, detail);
    j->dirty = true;
    pthread_mutex_unlock(&j->w->lock);
}

static void on_exit_cb(void *ctx, int ws, const char *summary, const char *last_error)
{
    wjob *j = ctx;
    pthread_mutex_lock(&j->w->lock);
    rg_svc_status_finish(j->status, ws, summary, last_error, j->stop_requested);
    j->dirty = true;
    j->done = true;
    pthread_mutex_unlock(&j->w->lock);
}

static void on_stop(void *ctx, const char *id)
{
    worker *w = ctx;
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < w->n; i++) {
        const char *jid = rg_svc_status_str(w->jobs[i]->status, "id");
        if (jid && !strcmp(jid, id) && !w->jobs[i]->done) {
            w->jobs[i]->stop_requested = true;
            rg_svc_child_stop(w->jobs[i]->child);
        }
    }
    pthread_mutex_unlock(&w->lock);
}

static int usage(void)
{
    fputs(RG_USAGE_worker, stderr);
    return 2;
}

/* Publish what changed, keep JetStream told, and settle ended meetings.
 * Only this thread talks to JetStream about jobs. */
static void service_jobs(worker *w, rg_svc_nats *nats, int ack_wait_s)
{
    time_t now = time(NULL);
    char errbuf[RG_ERRBUF_SIZE];
    for (size_t i = 0; i < w->n;) {
        wjob *j = w->jobs[i];
        pthread_mutex_lock(&w->lock);
        cJSON *copy = j->dirty ? cJSON_Duplicate(j->status, true) : NULL;
        bool done = j->done;
        j->dirty = false;
        pthread_mutex_unlock(&w->lock);
        if (copy && rg_svc_nats_put(nats, copy, errbuf) != RG_OK) {
            fprintf(stderr, "recgate worker: %s (will retry)\n", errbuf);
            pthread_mutex_lock(&w->lock);
            j->dirty = true;
            pthread_mutex_unlock(&w->lock);
            cJSON_Delete(copy);
            i++;
            continue;
        }
        cJSON_Delete(copy);
        if (done) {
            if (rg_svc_job_ack(j->job) != RG_OK) {
                i++; /* NATS away: try again next round */
                continue;
            }
            fprintf(stderr, "recgate worker: meeting %s: %s\n",
                    rg_svc_status_str(j->status, "id"), rg_svc_status_state(j->status));
            rg_svc_child_free(j->child);
            rg_svc_job_free(j->job);
            cJSON_Delete(j->status);
            free(j);
            pthread_mutex_lock(&w->lock);
            w->jobs[i] = w->jobs[--w->n];
            pthread_mutex_unlock(&w->lock);
            continue;
        }
        if (now - j->last_progress >= (ack_wait_s + 2) / 3 && rg_svc_job_progress(j->job) == RG_OK)
            j->last_progress = now;
        i++;
    }
}

static void take(worker *w, rg_svc_nats *nats, const rg_svc_run_cfg *run, const char *name,
                 rg_svc_job *job)
{
    char errbuf[RG_ERRBUF_SIZE] = "";
    cJSON *req = rg_svc_job_request(job);
    const char *id = rg_svc_status_str(req, "id");
    time_t now = time(NULL);
    rg_err err;
    cJSON *st = rg_svc_nats_get(nats, id, &err);
    if (!st && err != RG_ERR_NOT_FOUND) {
        rg_svc_job_later(job, 1); /* cannot read the state now */
        rg_svc_job_free(job);
        return;
    }
    if (!st)
        st = cJSON_Duplicate(req, true);
    const char *cur = rg_svc_status_state(st);
    if (rg_svc_state_final(cur)) { /* cancelled, or done before */
        rg_svc_job_ack(job);
        rg_svc_job_free(job);
        cJSON_Delete(st);
        return;
    }
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < w->n; i++) {
        const char *jid = rg_svc_status_str(w->jobs[i]->status, "id");
        if (jid && !strcmp(jid, id)) { /* ours already: a late redelivery */
            rg_svc_job_free(w->jobs[i]->job);
            w->jobs[i]->job = job;
            rg_svc_job_progress(job);
            pthread_mutex_unlock(&w->lock);
            cJSON_Delete(st);
            return;
        }
    }
    pthread_mutex_unlock(&w->lock);
    const cJSON *ja = cJSON_GetObjectItemCaseSensitive(st, "join_at_epoch");
    if (cJSON_IsNumber(ja) && ja->valuedouble > (double)now) {
        double wait = ja->valuedouble - (double)now;
        rg_svc_job_later(job, wait > 60 ? 60 : (int)wait + 1);
        rg_svc_job_free(job);
        cJSON_Delete(st);
        return;
    }
    if (rg_svc_job_delivered(job) > 1 && strcmp(cur, "queued")) {
        fprintf(stderr, "recgate worker: meeting %s: its bot on %s was lost; "
                        "joining as a new bot (new notice, new window)\n",
                id, rg_svc_status_str(st, "worker") ? rg_svc_status_str(st, "worker") : "?");
        rg_svc_status_new_attempt(st, rg_svc_job_delivered(job));
    }
    wjob *j = calloc(1, sizeof *j);
    if (!j) {
        rg_svc_job_later(job, 1);
        rg_svc_job_free(job);
        cJSON_Delete(st);
        return;
    }
    j->job = job;
    j->status = st;
    j->w = w;
    j->last_progress = now;
    const cJSON *att = cJSON_GetObjectItemCaseSensitive(st, "attempt");
    int attempt = cJSON_IsNumber(att) ? att->valueint : 1;
    rg_svc_status_put_str(st, "worker", name);
    rg_svc_status_set(st, "joining", NULL);
    (void)rg_svc_nats_put(nats, st, NULL);
    rg_svc_job_progress(job);
    pthread_mutex_lock(&w->lock);
    w->jobs[w->n++] = j;
    err = rg_svc_child_start(run, st, on_state, on_exit_cb, j, &j->child, errbuf);
    if (err) {
        rg_svc_status_put_str(st, "reason", errbuf);
        rg_svc_status_set(st, "failed", NULL);
        j->done = j->dirty = true;
    }
    pthread_mutex_unlock(&w->lock);
    fprintf(stderr, "recgate worker: meeting %s: bot started (attempt %d)\n", id, attempt);
}

int rg_cmd_worker(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"nats", required_argument, NULL, 'n'},
        {"config", required_argument, NULL, 'c'},
        {"out", required_argument, NULL, 'o'},
        {"max-meetings", required_argument, NULL, 'm'},
        {"ack-wait", required_argument, NULL, 'a'},
        {"audit-key", required_argument, NULL, 'k'},
        {"state-dir", required_argument, NULL, 's'},
        {"name", required_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *url = NULL, *config = NULL, *out = NULL, *audit_key = NULL, *state_dir = NULL;
    char name[256] = "";
    long max_meetings = 4, ack_wait = 30;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'n': url = optarg; break;
        case 'c': config = optarg; break;
        case 'o': out = optarg; break;
        case 'k': audit_key = optarg; break;
        case 's': state_dir = optarg; break;
        case 'N': snprintf(name, sizeof name, "%s", optarg); break;
        case 'm':
        case 'a': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > (c == 'm' ? 1000 : 3600)) {
                fprintf(stderr, "recgate worker: --%s wants 1..%d, not '%s'\n",
                        c == 'm' ? "max-meetings" : "ack-wait", c == 'm' ? 1000 : 3600, optarg);
                return 2;
            }
            *(c == 'm' ? &max_meetings : &ack_wait) = v;
            break;
        }
        case 'h': fputs(RG_USAGE_worker, stdout); return 0;
        default: return usage();
        }
    }
    if (optind != argc || !url || !config || !out) {
        fprintf(stderr, "recgate worker: --nats, --config and --out are required\n");
        return usage();
    }
    if (!name[0]) {
        char host[200] = "worker";
        gethostname(host, sizeof host - 1);
        snprintf(name, sizeof name, "%s:%d", host, (int)getpid());
    }
    char errbuf[RG_ERRBUF_SIZE] = "", self[PATH_MAX], sdir[PATH_MAX] = "";
    rg_svc_nats *nats = NULL;
    rg_policy *policy = NULL;
    worker w = {.n = 0};
    pthread_mutex_init(&w.lock, NULL);
    int status = 1;
    sigset_t sigs;
    rg_svc_block_signals(&sigs);
    /* The policy is loaded once here so a broken one stops the worker at
     * start, not each bot. */
    rg_err err = rg_policy_load(config, &policy, errbuf);
    if (!err)
        err = rg_svc_self(self, sizeof self, errbuf);
    if (!err)
        err = rg_svc_state_dir(state_dir, sdir, sizeof sdir, errbuf);
    if (!err)
        err = rg_svc_nats_connect(url, name, &nats, errbuf);
    if (!err)
        err = rg_svc_nats_pull_open(nats, (int)ack_wait, errbuf);
    if (!err)
        err = rg_svc_nats_on_stop(nats, on_stop, &w, errbuf);
    if (err) {
        fprintf(stderr, "recgate worker: %s\n", errbuf[0] ? errbuf : rg_strerror(err));
        goto cleanup;
    }
    rg_svc_run_cfg run = {.self = self, .config = config, .out_dir = out,
                          .audit_key = audit_key, .state_dir = sdir};
    fprintf(stderr, "recgate worker %s: pulling meetings from %s (at most %ld at once)\n",
            name, url, max_meetings);
    int signals = 0;
    for (;;) {
        struct timespec zero = {0, 0};
        int sig = sigtimedwait(&sigs, NULL, &zero);
        if (sig > 0) {
            signals++;
            if (signals == 1)
                fprintf(stderr, "recgate worker: draining: no new meetings; %zu running "
                                "go on to their end (signal again to end them now)\n", w.n);
            if (signals >= 2) {
                pthread_mutex_lock(&w.lock);
                for (size_t i = 0; i < w.n; i++) {
                    w.jobs[i]->stop_requested = true;
                    rg_svc_child_stop(w.jobs[i]->child);
                }
                pthread_mutex_unlock(&w.lock);
            }
        }
        service_jobs(&w, nats, (int)ack_wait);
        if (signals && w.n == 0)
            break;
        if (!signals && w.n < (size_t)max_meetings) {
            rg_svc_job *job = NULL;
            if (rg_svc_nats_fetch(nats, 500, &job, errbuf) != RG_OK) {
                fprintf(stderr, "recgate worker: %s\n", errbuf);
                nanosleep(&(struct timespec){0, 500 * 1000000L}, NULL);
            }
            if (job)
                take(&w, nats, &run, name, job);
        } else {
            nanosleep(&(struct timespec){0, 200 * 1000000L}, NULL);
        }
    }
    status = 0;
cleanup:
    rg_svc_nats_free(nats);
    rg_policy_free(policy);
    if (!state_dir && sdir[0])
        rmdir(sdir);
    pthread_mutex_destroy(&w.lock);
    return status;
}
