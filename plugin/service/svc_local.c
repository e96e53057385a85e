#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "abstime.h"
#include "errfmt.h"
#include "svc_local.h"
#include "svc_status.h"

typedef struct entry {
    cJSON *status;          /* [owned] */
    rg_svc_child *child;    /* [owned] while the bot runs */
    bool done;              /* the bot process ended */
    bool stop_requested;
    struct rg_svc_local *owner;
} entry;

struct rg_svc_local {
    const rg_svc_run_cfg *cfg;
    int max_meetings;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    entry **entries;
    size_t n, cap;
    bool stopping;
    pthread_t scheduler;
    bool scheduler_started;
};

static void on_state(void *ctx, const char *state, const char *detail)
{
    entry *e = ctx;
    pthread_mutex_lock(&e->owner->lock);
    rg_svc_status_bot_state(e->status, state, detail);
    pthread_mutex_unlock(&e->owner->lock);
}

static void on_exit_cb(void *ctx, int ws, const char *summary, const char *last_error)
{
    entry *e = ctx;
    pthread_mutex_lock(&e->owner->lock);
    rg_svc_status_finish(e->status, ws, summary, last_error, e->stop_requested);
    e->done = true;
    pthread_cond_broadcast(&e->owner->changed);
    pthread_mutex_unlock(&e->owner->lock);
}

static bool due(const cJSON *st, time_t now)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(st, "join_at_epoch");
    return !cJSON_IsNumber(j) || j->valuedouble <= (double)now;
}

/* Start what is due while there is room; reap ended bots. The lock is not
 * held while a follower thread is joined (it takes the lock itself). */
static void *scheduler_main(void *arg)
{
    rg_svc_local *l = arg;
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    pthread_mutex_lock(&l->lock);
    while (!l->stopping) {
        time_t now = time(NULL);
        int running = 0;
        rg_svc_child *reap[64];
        size_t n_reap = 0;
        for (size_t i = 0; i < l->n; i++) {
            entry *e = l->entries[i];
            if (e->child && e->done && n_reap < 64) {
                reap[n_reap++] = e->child;
                e->child = NULL;
            }
            if (e->child)
                running++;
        }
        for (size_t i = 0; i < l->n && running < l->max_meetings; i++) {
            entry *e = l->entries[i];
            if (e->child || e->done || strcmp(rg_svc_status_state(e->status), "queued") ||
                !due(e->status, now))
                continue;
            char errbuf[RG_ERRBUF_SIZE] = "";
            rg_svc_status_put_str(e->status, "worker", host);
            rg_svc_status_set(e->status, "joining", NULL);
            if (rg_svc_child_start(l->cfg, e->status, on_state, on_exit_cb, e, &e->child,
                                   errbuf) != RG_OK) {
                rg_svc_status_put_str(e->status, "reason", errbuf);
                rg_svc_status_set(e->status, "failed", NULL);
                e->done = true;
                continue;
            }
            running++;
        }
        pthread_mutex_unlock(&l->lock);
        for (size_t i = 0; i < n_reap; i++)
            rg_svc_child_free(reap[i]);
        struct timespec ts = rg_abstime_in(100);
        pthread_mutex_lock(&l->lock);
        if (!l->stopping)
            pthread_cond_timedwait(&l->changed, &l->lock, &ts);
    }
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

static entry *find(rg_svc_local *l, const char *id)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *eid = rg_svc_status_str(l->entries[i]->status, "id");
        if (eid && !strcmp(eid, id))
            return l->entries[i];
    }
    return NULL;
}

static rg_err local_submit(void *ctx, cJSON *status, char *errbuf)
{
    rg_svc_local *l = ctx;
    entry *e = calloc(1, sizeof *e);
    pthread_mutex_lock(&l->lock);
    if (l->stopping) {
        pthread_mutex_unlock(&l->lock);
        free(e);
        cJSON_Delete(status);
        return rg_errorf(errbuf, RG_ERR_STATE, "the service is shutting down");
    }
    if (e && l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        entry **ne = realloc(l->entries, cap * sizeof *ne);
        if (ne) {
            l->entries = ne;
            l->cap = cap;
        }
    }
    if (!e || l->n == l->cap) {
        pthread_mutex_unlock(&l->lock);
        free(e);
        cJSON_Delete(status);
        return RG_ERR_NOMEM;
    }
    e->status = status;
    e->owner = l;
    l->entries[l->n++] = e;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->lock);
    return RG_OK;
}

static cJSON *local_get(void *ctx, const char *id, rg_err *err)
{
    rg_svc_local *l = ctx;
    pthread_mutex_lock(&l->lock);
    entry *e = find(l, id);
    cJSON *copy = e ? cJSON_Duplicate(e->status, true) : NULL;
    pthread_mutex_unlock(&l->lock);
    *err = e ? (copy ? RG_OK : RG_ERR_NOMEM) : RG_ERR_NOT_FOUND;
    return copy;
}

static cJSON *local_list(void *ctx, rg_err *err)
{
    rg_svc_local *l = ctx;
    cJSON *arr = cJSON_CreateArray();
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; arr && i < l->n; i++)
        cJSON_AddItemToArray(arr, cJSON_Duplicate(l->entries[i]->status, true));
    pthread_mutex_unlock(&l->lock);
    *err = arr ? RG_OK : RG_ERR_NOMEM;
    return arr;
}

static rg_err local_cancel(void *ctx, const char *id, cJSON **status, char *errbuf)
{
    rg_svc_local *l = ctx;
    pthread_mutex_lock(&l->lock);
    entry *e = find(l, id);
    if (!e) {
        pthread_mutex_unlock(&l->lock);
        return rg_errorf(errbuf, RG_ERR_NOT_FOUND, "no meeting %s", id);
    }
    e->stop_requested = true;
    const char *st = rg_svc_status_state(e->status);
    if (!strcmp(st, "queued")) {
        /* Never joined: nobody was told anything, nothing to seal. */
        rg_svc_status_put_str(e->status, "reason", "cancelled before the bot joined");
        rg_svc_status_set(e->status, "ended", NULL);
        e->done = true;
    } else if (e->child && !e->done) {
        rg_svc_child_stop(e->child);
    }
    *status = cJSON_Duplicate(e->status, true);
    pthread_mutex_unlock(&l->lock);
    return RG_OK;
}

static void local_queue(void *ctx, double *depth, double *lag_s)
{
    rg_svc_local *l = ctx;
    time_t now = time(NULL);
    double d = 0, lag = 0;
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < l->n; i++) {
        const cJSON *st = l->entries[i]->status;
        if (strcmp(rg_svc_status_state(st), "queued") || !due(st, now))
            continue;
        d++;
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(st, "join_at_epoch");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(st, "created_epoch");
        double since = cJSON_IsNumber(j) ? j->valuedouble : cJSON_IsNumber(c) ? c->valuedouble : (double)now;
        if ((double)now - since > lag)
            lag = (double)now - since;
    }
    pthread_mutex_unlock(&l->lock);
    *depth = d;
    *lag_s = lag;
}

rg_err rg_svc_local_new(const rg_svc_run_cfg *cfg, int max_meetings,
                        rg_svc_local **out, char *errbuf)
{
    rg_svc_local *l = calloc(1, sizeof *l);
    if (!l)
        return RG_ERR_NOMEM;
    l->cfg = cfg;
    l->max_meetings = max_meetings;
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->changed, NULL);
    if (pthread_create(&l->scheduler, NULL, scheduler_main, l) != 0) {
        rg_svc_local_free(l);
        return rg_errorf(errbuf, RG_ERR_NOMEM, "could not start the scheduler thread");
    }
    l->scheduler_started = true;
    *out = l;
    return RG_OK;
}

rg_svc_backend rg_svc_local_backend(rg_svc_local *l)
{
    return (rg_svc_backend){local_submit, local_get, local_list, local_cancel, local_queue, l};
}

void rg_svc_local_shutdown(rg_svc_local *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->lock);
    l->stopping = true;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->lock);
    if (l->scheduler_started) {
        pthread_join(l->scheduler, NULL);
        l->scheduler_started = false;
    }
    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < l->n; i++) {
        entry *e = l->entries[i];
        if (e->child && !e->done) {
            e->stop_requested = true;
            rg_svc_child_stop(e->child);
        }
    }
    pthread_mutex_unlock(&l->lock);
    for (size_t i = 0; i < l->n; i++) {
        entry *e = l->entries[i];
        rg_svc_child_free(e->child); /* joins: waits for the bot to end */
        e->child = NULL;
    }
}

void rg_svc_local_free(rg_svc_local *l)
{
    if (!l)
        return;
    rg_svc_local_shutdown(l);
    for (size_t i = 0; i < l->n; i++) {
        cJSON_Delete(l->entries[i]->status);
        free(l->entries[i]);
    }
    free(l->entries);
    pthread_mutex_destroy(&l->lock);
    pthread_cond_destroy(&l->changed);
    free(l);
}
