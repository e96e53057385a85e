/* Uploader: journal-driven transfers with back-off (see uploader.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include "audit.h"
#include "upjournal.h"
#include "upload.h"
#include "errfmt.h"
#include "uploader.h"
#include "abstime.h"
#include "fileio.h"

#define MAX_FILE_BYTES (1024u * 1024 * 1024)

typedef struct up_dest {
    const rg_upload_dest *cfg;   /* [borrowed] policy */
    rg_upload_conn *conn;        /* [owned] */
    int fails;                   /* consecutive failures */
    long long due_ms;            /* not before (monotonic) */
} up_dest;

struct rg_uploader {
    const rg_policy *pol;
    char *recdir;
    char recid[128];
    rg_upjournal *j;
    up_dest *dests;
    size_t nd;
    pthread_mutex_t mu;
    pthread_cond_t cv;           /* work queued, item finished, stop */
    pthread_t th;
    bool running, stop;
    rg_upload_event *ev;         /* [owned] not yet drained */
    size_t nev, capev;
    long long deadline_ms;       /* owner's hard limit (under mu); 0 none */
    int give_up_fails;           /* run: stop when every backed-off
                                  * destination failed this often; 0 never */
};

typedef struct work {
    bool is_delete;
    bool is_sweep;               /* delete everything under prefix */
    size_t dest;
    char file[160];              /* sweep: the prefix ("" or "tracks/t1/") */
    char sha[65];
} work;

static long long now_ms(void) { return rg_vaultio_now_ms(); }

static bool is_keyring(const char *f) { return !strncmp(f, "keyring/", 8); }

static bool is_segment(const char *f)
{
    size_t n = strlen(f);
    return !strncmp(f, "tracks/", 7) && n > 4 && !strcmp(f + n - 4, ".age");
}

static bool applies(const up_dest *d, const char *file)
{
    return !is_keyring(file) || d->cfg->include_keyring;
}

rg_err rg_uploader_new(const rg_policy *pol, const char *recdir,
                       rg_uploader **out, char *errbuf)
{
    if (!pol || !recdir || !out)
        return RG_ERR_ARG;
    for (size_t i = 0; i < pol->n_upload_dests; i++)
        if (!rg_region_allowed(pol, pol->upload_dests[i].region)) {
            rg_vaultio_err(errbuf, "upload destination %s: region %s is not "
                           "allowed (upload.allowed_regions)",
                           pol->upload_dests[i].name, pol->upload_dests[i].region);
            return RG_ERR_CONFIG;
        }
    rg_uploader *up = calloc(1, sizeof *up);
    if (!up)
        return RG_ERR_NOMEM;
    pthread_mutex_init(&up->mu, NULL);
    pthread_cond_init(&up->cv, NULL);
    up->pol = pol;
    rg_err err = RG_ERR_NOMEM;
    if (!(up->recdir = strdup(recdir)))
        goto fail;
    size_t n = strlen(recdir);
    while (n > 1 && recdir[n - 1] == '/')
        n--;
    const char *base = recdir + n;
    while (base > recdir && base[-1] != '/')
        base--;
    snprintf(up->recid, sizeof up->recid, "%.*s", (int)(recdir + n - base), base);
    if (!rg_vaultio_valid_id(up->recid)) {
        rg_vaultio_err(errbuf, "%s: not a recording folder name", recdir);
        err = RG_ERR_ARG;
        goto fail;
    }
    if ((err = rg_upj_open(recdir, &up->j, errbuf)))
        goto fail;
    up->nd = pol->n_upload_dests;
    if (up->nd && !(up->dests = calloc(up->nd, sizeof *up->dests))) {
        err = RG_ERR_NOMEM;
        goto fail;
    }
    for (size_t i = 0; i < up->nd; i++) {
        up->dests[i].cfg = &pol->upload_dests[i];
        if ((err = rg_upload_conn_new(up->dests[i].cfg, &up->dests[i].conn, errbuf)))
            goto fail;
    }
    *out = up;
    return RG_OK;
fail:
    rg_uploader_free(up);
    return err;
}

static void stop_worker(rg_uploader *up)
{
    pthread_mutex_lock(&up->mu);
    bool running = up->running;
    up->stop = true;
    pthread_cond_broadcast(&up->cv);
    pthread_mutex_unlock(&up->mu);
    if (running)
        pthread_join(up->th, NULL);
    up->running = false;
}

void rg_uploader_free(rg_uploader *up)
{
    if (!up)
        return;
    stop_worker(up);
    for (size_t i = 0; i < up->nd; i++)
        rg_upload_conn_free(up->dests[i].conn);
    free(up->dests);
    rg_upj_close(up->j);
    free(up->ev);
    free(up->recdir);
    pthread_cond_destroy(&up->cv);
    pthread_mutex_destroy(&up->mu);
    free(up);
}

const char *rg_uploader_recid(const rg_uploader *up) { return up->recid; }

rg_err rg_uploader_queue(rg_uploader *up, const char *file, const char *sha256,
                         uint64_t bytes)
{
    pthread_mutex_lock(&up->mu);
    rg_err err = RG_OK;
    if (!rg_upj_delete_covers(up->j, file)) {
        err = rg_upj_queue(up->j, file, sha256, bytes);
        rg_upj_file *f = rg_upj_find(up->j, file);
        if (f)
            f->missing = false;
    }
    pthread_cond_broadcast(&up->cv);
    pthread_mutex_unlock(&up->mu);
    return err;
}

void rg_uploader_sealed_hook(void *ctx, const char *track_id,
                             const rg_vault_segment *seg)
{
    char file[160];
    snprintf(file, sizeof file, "tracks/%s/%s", track_id, seg->file);
    /* A journal write failure here is not fatal: the final queue_all
     * and `recgate upload` find every sealed segment from the indexes. */
    (void)rg_uploader_queue(ctx, file, seg->sha256, seg->bytes);
}

static rg_err sha_file(const char *path, char sha[65], uint64_t *bytes)
{
    char *buf = NULL;
    size_t len = 0;
    unsigned char md[32];
    rg_err err = rg_vaultio_read_file(path, MAX_FILE_BYTES, &buf, &len, NULL);
    if (err)
        return err;
    if (!EVP_Digest(buf, len, md, NULL, EVP_sha256(), NULL))
        err = RG_ERR_CRYPTO;
    for (size_t i = 0; i < 32; i++)
        snprintf(sha + 2 * i, 3, "%02x", md[i]);
    *bytes = len;
    free(buf);
    return err;
}

static rg_err queue_path(rg_uploader *up, const char *file)
{
    char path[4096], sha[65];
    uint64_t bytes;
    snprintf(path, sizeof path, "%s/%s", up->recdir, file);
    if (access(path, F_OK) != 0)
        return RG_OK;
    rg_err err = sha_file(path, sha, &bytes);
    return err ? err : rg_uploader_queue(up, file, sha, bytes);
}

rg_err rg_uploader_queue_all(rg_uploader *up, bool final, bool audit_log,
                             char *errbuf)
{
    char **ids = NULL;
    size_t n = 0;
    bool keyring = false;
    for (size_t i = 0; i < up->nd; i++)
        keyring |= up->dests[i].cfg->include_keyring;
    rg_err err = rg_vault_list_tracks(up->recdir, &ids, &n, errbuf);
    if (err)
        return err;
    for (size_t i = 0; i < n && !err; i++) {
        rg_vault_track_info info;
        memset(&info, 0, sizeof info);
        if ((err = rg_vault_read_track(up->recdir, ids[i], &info, errbuf)))
            break;
        for (size_t k = 0; k < info.nsegs && !info.shredded && !err; k++) {
            char file[160], path[4096];
            snprintf(file, sizeof file, "tracks/%s/%s", ids[i], info.segs[k].file);
            snprintf(path, sizeof path, "%s/%s", up->recdir, file);
            pthread_mutex_lock(&up->mu);
            rg_upj_file *f = rg_upj_find(up->j, file);
            bool known = f != NULL;
            pthread_mutex_unlock(&up->mu);
            if (known || access(path, F_OK) == 0)
                err = rg_uploader_queue(up, file, info.segs[k].sha256,
                                        info.segs[k].bytes);
        }
        if (!err && final && keyring && !info.shredded) {
            char file[160];
            snprintf(file, sizeof file, "keyring/%s.age", ids[i]);
            err = queue_path(up, file);
        }
        rg_vault_track_info_free(&info);
    }
    rg_vault_free_ids(ids, n);
    if (!err && final && !(err = queue_path(up, "manifest.json.age")))
        err = queue_path(up, "recording.json");
    if (!err && audit_log)
        err = queue_path(up, "audit.log");
    if (err && errbuf && !errbuf[0])
        rg_vaultio_err(errbuf, "%s: cannot queue uploads: %s", up->recdir,
                       rg_strerror(err));
    return err;
}

rg_err rg_uploader_want_delete(rg_uploader *up, const char *track)
{
    pthread_mutex_lock(&up->mu);
    rg_err err = rg_upj_delete_wanted(up->j, track);
    for (size_t i = 0; i < up->nd; i++) { /* try at once */
        up->dests[i].fails = 0;
        up->dests[i].due_ms = 0;
    }
    pthread_cond_broadcast(&up->cv);
    pthread_mutex_unlock(&up->mu);
    return err;
}

/* What (file, dest) needs, under mu. 0 nothing, 1 upload, 2 delete. */
static int need(const rg_uploader *up, rg_upj_file *f, size_t di)
{
    const up_dest *d = &up->dests[di];
    if (!applies(d, f->path))
        return 0;
    rg_upj_dest *s = rg_upj_dest_of(f, d->cfg->name);
    if (rg_upj_delete_covers(up->j, f->path))
        return s && s->deleted ? 0 : 2;
    if (f->missing || !f->sha256[0])
        return 0;
    if (s && !strcmp(s->done_sha, f->sha256))
        return 0;
    return f->local_removed ? 0 : 1;
}

/* The delete scopes still to prove per destination: "" (the whole
 * recording) or "tracks/T/" per withdrawn track. */
static size_t scopes(const rg_uploader *up, const char *out[], size_t max)
{
    size_t n = 0;
    static const char *const all = "";
    if (up->j->delete_all) {
        out[n++] = all;
        return n;
    }
    for (size_t i = 0; i < up->j->n_del_tracks && n < max; i++)
        out[n++] = up->j->del_tracks[i];
    return n;
}

static void scope_prefix(const char *scope, char *out, size_t n)
{
    if (*scope)
        snprintf(out, n, "tracks/%s/", scope);
    else
        out[0] = '\0';
}

/* Pick the next due item (under mu). Returns false if none is due now;
 * *pending counts all outstanding items, *next_due the earliest back-off.
 * Keyring deletes go first (they keep copies decryptable), then the
 * other files, then the sweeps that prove a scope empty. */
static bool pick(rg_uploader *up, long long now, work *w, size_t *pending,
                 long long *next_due)
{
    bool found = false;
    *pending = 0;
    *next_due = 0;
    if (up->deadline_ms && now >= up->deadline_ms)
        now = -1; /* count only: nothing starts after the deadline */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < up->j->n; i++) {
            rg_upj_file *f = &up->j->files[i];
            if ((pass == 0) != (is_keyring(f->path) && rg_upj_delete_covers(up->j, f->path)))
                continue;
            for (size_t di = 0; di < up->nd; di++) {
                int k = need(up, f, di);
                if (!k)
                    continue;
                (*pending)++;
                if (now < 0 || up->dests[di].due_ms > now) {
                    if (now >= 0 && (!*next_due || up->dests[di].due_ms < *next_due))
                        *next_due = up->dests[di].due_ms;
                    continue;
                }
                if (!found) {
                    found = true;
                    w->is_delete = k == 2;
                    w->is_sweep = false;
                    w->dest = di;
                    snprintf(w->file, sizeof w->file, "%s", f->path);
                    snprintf(w->sha, sizeof w->sha, "%s", f->sha256);
                }
            }
        }
    const char *sc[64];
    size_t nsc = scopes(up, sc, 64);
    for (size_t di = 0; di < up->nd; di++)
        for (size_t k = 0; k < nsc; k++) {
            char pre[200];
            scope_prefix(sc[k], pre, sizeof pre);
            if (rg_upj_is_swept(up->j, up->dests[di].cfg->name, pre))
                continue;
            (*pending)++;
            if (now < 0 || up->dests[di].due_ms > now) {
                if (now >= 0 && (!*next_due || up->dests[di].due_ms < *next_due))
                    *next_due = up->dests[di].due_ms;
                continue;
            }
            if (!found) {
                found = true;
                w->is_delete = true;
                w->is_sweep = true;
                w->dest = di;
                snprintf(w->file, sizeof w->file, "%s", pre);
                w->sha[0] = '\0';
            }
        }
    return found;
}

static void push_event(rg_uploader *up, const rg_upload_event *e)
{
    if (up->nev == up->capev) {
        size_t cap = up->capev ? up->capev * 2 : 32;
        rg_upload_event *ne = realloc(up->ev, cap * sizeof *ne);
        if (!ne)
            return; /* the journal still has it */
        up->ev = ne;
        up->capev = cap;
    }
    up->ev[up->nev++] = *e;
}

/* After a confirmed upload (under mu): drop the local segment if every
 * applicable destination has these bytes and the policy says so. */
static void maybe_remove_local(rg_uploader *up, rg_upj_file *f)
{
    bool want = false;
    if (!is_segment(f->path) || f->local_removed)
        return;
    for (size_t di = 0; di < up->nd; di++) {
        rg_upj_dest *s = rg_upj_dest_of(f, up->dests[di].cfg->name);
        if (!s || strcmp(s->done_sha, f->sha256))
            return;
        want |= up->dests[di].cfg->delete_local_after_upload;
    }
    if (!want)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", up->recdir, f->path);
    if (unlink(path) == 0 || errno == ENOENT) {
        char *slash = strrchr(path, '/');
        *slash = '\0';
        rg_vaultio_fsync_dir(path);
        rg_upj_local_removed(up->j, f->path);
    }
}

/* Do one item without the lock; journal the outcome with it. */
static void do_work(rg_uploader *up, const work *w)
{
    up_dest *d = &up->dests[w->dest];
    rg_upload_event e;
    memset(&e, 0, sizeof e);
    e.is_delete = w->is_delete;
    snprintf(e.dest, sizeof e.dest, "%s", d->cfg->name);
    memcpy(e.region, d->cfg->region, 3);
    snprintf(e.file, sizeof e.file, "%s", w->file);
    char key[400], path[4096], sha[65] = "";
    snprintf(key, sizeof key, "%s/%s", up->recid, w->file);
    snprintf(path, sizeof path, "%s/%s", up->recdir, w->file);
    rg_err err = RG_OK;
    bool missing = false;
    char *buf = NULL;
    size_t len = 0, objects = 0;
    if (w->is_sweep) {
        /* The scope's folder, and for a track its keyring entry (which
         * lives outside tracks/T/). */
        char rkey[400];
        snprintf(key, sizeof key, "%s/%s", up->recid, w->file);
        snprintf(e.file, sizeof e.file, "%.150s*", w->file);
        err = rg_upload_delete_prefix(d->conn, key, &objects, e.error);
        if (!err && w->file[0]) {
            size_t k2 = 0;
            char track[64];
            snprintf(track, sizeof track, "%.*s", (int)(strlen(w->file) - 8), w->file + 7);
            snprintf(rkey, sizeof rkey, "%s/keyring/%s.age", up->recid, track);
            if (d->cfg->type == RG_DEST_S3)
                err = rg_upload_delete_prefix(d->conn, rkey, &k2, e.error);
            else
                err = rg_upload_delete(d->conn, rkey, e.error);
            objects += k2;
        }
        e.bytes = objects;
    } else if (w->is_delete) {
        err = rg_upload_delete(d->conn, key, e.error);
    } else {
        err = rg_vaultio_read_file(path, MAX_FILE_BYTES, &buf, &len, e.error);
        if (err && access(path, F_OK) != 0) {
            missing = true;
            rg_vaultio_err(e.error, "%s: gone locally before it was uploaded", w->file);
        } else if (!err) {
            unsigned char md[32];
            EVP_Digest(buf, len, md, NULL, EVP_sha256(), NULL);
            for (size_t i = 0; i < 32; i++)
                snprintf(sha + 2 * i, 3, "%02x", md[i]);
            if (strcmp(sha, w->sha) && is_segment(w->file)) {
                rg_vaultio_err(e.error, "%s: local file does not match its sealed "
                               "sha256: not uploaded", w->file);
                err = RG_ERR_AUTH;
            } else {
                err = rg_upload_put(d->conn, key, buf, len, sha, e.error);
            }
        }
        e.bytes = len;
        free(buf);
    }
    e.ok = !err;
    pthread_mutex_lock(&up->mu);
    rg_upj_file *f = w->is_sweep ? NULL : rg_upj_find(up->j, w->file);
    if (err && rg_upload_conn_expired(d->conn)) {
        /* Cut by the owner's deadline: not the server's fault, no back-off
         * and no `failed` line; the item simply stays pending. */
    } else if (missing && f) {
        f->missing = true;
    } else if (!err) {
        d->fails = 0;
        d->due_ms = 0;
        if (w->is_sweep) {
            rg_upj_swept(up->j, d->cfg->name, w->file, objects);
        } else if (w->is_delete) {
            rg_upj_deleted(up->j, d->cfg->name, w->file);
        } else {
            if (f && strcmp(f->sha256, sha))
                rg_upj_queue(up->j, w->file, sha, len); /* a mutable file moved on */
            rg_upj_done(up->j, d->cfg->name, w->file, sha, len);
            if ((f = rg_upj_find(up->j, w->file)))
                maybe_remove_local(up, f);
        }
    } else {
        long long back = 1000LL << (d->fails < 20 ? d->fails : 20);
        long long cap = (long long)up->pol->upload_retry_max_s * 1000;
        if (back > cap)
            back = cap;
        d->fails++;
        d->due_ms = now_ms() + back;
        long long next = (long long)time(NULL) + back / 1000;
        if (w->is_delete)
            rg_upj_delete_failed(up->j, d->cfg->name, w->file, next, e.error);
        else
            rg_upj_failed(up->j, d->cfg->name, w->file, next, e.error);
    }
    if (!(err && strstr(e.error, ": not started: ")))
        push_event(up, &e);
    pthread_cond_broadcast(&up->cv);
    pthread_mutex_unlock(&up->mu);
}

static void *worker(void *arg)
{
    rg_uploader *up = arg;
    pthread_mutex_lock(&up->mu);
    while (!up->stop) {
        work w;
        size_t pending;
        long long next_due, now = now_ms();
        if (pick(up, now, &w, &pending, &next_due)) {
            pthread_mutex_unlock(&up->mu);
            do_work(up, &w);
            pthread_mutex_lock(&up->mu);
            continue;
        }
        long long wait = next_due ? next_due - now : 1000;
        if (wait > 1000 || wait < 1)
            wait = 1000;
        struct timespec ts = rg_abstime_in(wait);
        pthread_cond_timedwait(&up->cv, &up->mu, &ts);
    }
    pthread_mutex_unlock(&up->mu);
    return NULL;
}

rg_err rg_uploader_start(rg_uploader *up)
{
    if (up->running)
        return RG_OK;
    up->stop = false;
    if (pthread_create(&up->th, NULL, worker, up) != 0)
        return RG_ERR_IO;
    up->running = true;
    return RG_OK;
}

static size_t pending_now(rg_uploader *up)
{
    work w;
    size_t pending;
    long long next_due;
    pick(up, 0, &w, &pending, &next_due);
    return pending;
}

static void set_deadline(rg_uploader *up, long long deadline)
{
    up->deadline_ms = deadline;
    for (size_t i = 0; i < up->nd; i++)
        rg_upload_conn_set_deadline(up->dests[i].conn, deadline);
}

size_t rg_uploader_finish(rg_uploader *up, long long wait_ms)
{
    long long deadline = now_ms() + wait_ms;
    pthread_mutex_lock(&up->mu);
    /* A hard limit: a transfer in flight is cut at the deadline. */
    set_deadline(up, deadline > 0 ? deadline : 1);
    pthread_cond_broadcast(&up->cv);
    while (up->running && pending_now(up) > 0 && now_ms() < deadline) {
        struct timespec ts = rg_abstime_in(100);
        pthread_cond_timedwait(&up->cv, &up->mu, &ts);
    }
    pthread_mutex_unlock(&up->mu);
    stop_worker(up);
    pthread_mutex_lock(&up->mu);
    size_t left = pending_now(up);
    set_deadline(up, 0);
    pthread_mutex_unlock(&up->mu);
    return left;
}

void rg_uploader_drain(rg_uploader *up, rg_upload_event_fn fn, void *ctx)
{
    pthread_mutex_lock(&up->mu);
    rg_upload_event *ev = up->ev;
    size_t n = up->nev;
    up->ev = NULL;
    up->nev = up->capev = 0;
    pthread_mutex_unlock(&up->mu);
    for (size_t i = 0; fn && i < n; i++)
        fn(ctx, &ev[i]);
    free(ev);
}

size_t rg_uploader_run(rg_uploader *up, long long max_ms,
                       rg_upload_event_fn fn, void *ctx)
{
    long long deadline = now_ms() + max_ms;
    size_t pending = 0;
    pthread_mutex_lock(&up->mu);
    set_deadline(up, deadline > 0 ? deadline : 1);
    pthread_mutex_unlock(&up->mu);
    for (;;) {
        work w;
        long long next_due, now = now_ms();
        pthread_mutex_lock(&up->mu);
        bool got = pick(up, now, &w, &pending, &next_due);
        pthread_mutex_unlock(&up->mu);
        if (got) {
            do_work(up, &w);
            rg_uploader_drain(up, fn, ctx);
            continue;
        }
        if (!pending || now >= deadline)
            break;
        if (up->give_up_fails) {
            /* Nothing due: every pending item waits on a backed-off
             * destination. Unreachable for that many tries: stop early,
             * the journal keeps the rest. */
            bool hopeless = true;
            for (size_t i = 0; i < up->nd; i++)
                if (up->dests[i].due_ms > now && up->dests[i].fails < up->give_up_fails)
                    hopeless = false;
            if (hopeless)
                break;
        }
        long long wake = next_due < deadline ? next_due : deadline;
        if (wake > now)
            usleep((useconds_t)((wake - now) * 1000));
    }
    rg_uploader_drain(up, fn, ctx);
    pthread_mutex_lock(&up->mu);
    set_deadline(up, 0);
    pending = pending_now(up);
    pthread_mutex_unlock(&up->mu);
    return pending;
}

void rg_uploader_problems(rg_uploader *up, char *out, size_t n)
{
    pthread_mutex_lock(&up->mu);
    rg_upj_problems(up->j, out, n);
    pthread_mutex_unlock(&up->mu);
}

void rg_uploader_status(rg_uploader *up, rg_upload_status *st)
{
    memset(st, 0, sizeof *st);
    pthread_mutex_lock(&up->mu);
    st->pending = pending_now(up);
    st->files = up->j->n;
    st->damaged = up->j->bad_lines + up->j->torn;
    for (size_t i = 0; i < up->j->n; i++) {
        rg_upj_file *f = &up->j->files[i];
        st->missing += f->missing;
        st->local_removed += f->local_removed;
        for (size_t k = 0; k < f->nd; k++) {
            st->deleted += f->d[k].deleted;
            st->done += f->d[k].done_sha[0] && !strcmp(f->d[k].done_sha, f->sha256);
        }
    }
    pthread_mutex_unlock(&up->mu);
}

rg_err rg_uploader_audit(rg_audit *log, const char *recid,
                         const rg_upload_event *e)
{
    cJSON *f = cJSON_CreateObject();
    if (!f)
        return RG_ERR_NOMEM;
    cJSON_AddStringToObject(f, "recording", recid);
    cJSON_AddStringToObject(f, "destination", e->dest);
    cJSON_AddStringToObject(f, "region", e->region);
    cJSON_AddStringToObject(f, "file", e->file);
    cJSON_AddBoolToObject(f, "ok", e->ok);
    if (!e->is_delete)
        cJSON_AddNumberToObject(f, "bytes", (double)e->bytes);
    if (!e->ok)
        cJSON_AddStringToObject(f, "error", e->error);
    rg_err err = rg_audit_append(log, e->is_delete ? RG_AUDIT_EV_REMOTE_DELETE
                                                   : RG_AUDIT_EV_UPLOAD,
                                 f, -1, !e->ok || e->is_delete);
    cJSON_Delete(f);
    return err;
}

typedef struct delete_ctx {
    rg_audit *log;
    const char *recid;
    rg_err err;
} delete_ctx;

static void on_delete_event(void *ctx, const rg_upload_event *e)
{
    delete_ctx *d = ctx;
    if (d->log) {
        rg_err err = rg_uploader_audit(d->log, d->recid, e);
        if (err && !d->err)
            d->err = err;
    }
}

rg_err rg_upload_delete_remote(const rg_policy *pol, const char *recdir,
                               const char *const *tracks, size_t n_tracks,
                               bool replace_manifest, rg_audit *log,
                               long long max_ms, char *errbuf)
{
    if (!pol || !recdir)
        return RG_ERR_ARG;
    if (pol->n_upload_dests == 0)
        return RG_OK;
    rg_uploader *up = NULL;
    rg_err err = rg_uploader_new(pol, recdir, &up, errbuf);
    if (err)
        return err;
    for (size_t i = 0; !err && i < (n_tracks ? n_tracks : 1); i++)
        err = rg_uploader_want_delete(up, n_tracks ? tracks[i] : NULL);
    /* Anonymised: the remote manifest still names the person; the new
     * one (re-encrypted, without them) replaces it, read back like any
     * upload. recording.json changed too. */
    if (!err && replace_manifest && !(err = queue_path(up, "manifest.json.age")))
        err = queue_path(up, "recording.json");
    delete_ctx d = {log, rg_uploader_recid(up), RG_OK};
    up->give_up_fails = 4; /* a server that is down: ~10 s, not max_ms */
    size_t left = err ? 0 : rg_uploader_run(up, max_ms, on_delete_event, &d);
    char probs[300];
    rg_uploader_problems(up, probs, sizeof probs);
    if (!err && left)
        err = rg_errorf(errbuf, RG_ERR_NETWORK,
                        "%s: %zu remote delete(s)%s still pending (the copies "
                        "stay on the server); `recgate upload --delete` retries "
                        "them", recdir, left,
                        replace_manifest ? " or manifest replacement(s)" : "");
    if (!err)
        err = d.err;
    /* A damaged line may have been another track's delete_wanted: only a
     * whole-recording delete (every scope swept) makes that moot. */
    if (!err && probs[0] && n_tracks)
        err = rg_errorf(errbuf, RG_ERR_PARSE, "%s/%s: %s", recdir, RG_UPJ_NAME, probs);
    rg_uploader_free(up);
    return err;
}

static bool has_name(const char *names, const char *name)
{
    size_t k = strlen(name);
    for (const char *p = names; (p = strstr(p, name)); p += k)
        if ((p == names || p[-1] == ' ') && (p[k] == ',' || !p[k]))
            return true;
    return false;
}

static void add_name(char *names, size_t n, const char *name)
{
    size_t u = strlen(names);
    if (!has_name(names, name))
        snprintf(names + u, n - u, "%s%s", u ? ", " : "", name);
}

/* One line of the journal or the audit log: a destination that got a
 * copy (`done` / `upload` ok) goes to up, one proven empty for the whole
 * recording (`swept` "" / `remote_delete` "*" ok) to gone. */
static void scan_line(char *l, char *up, char *gone, size_t n)
{
    if (!strstr(l, "\"done\"") && !strstr(l, "\"swept\"") &&
        !strstr(l, "\"event\":\"upload\"") && !strstr(l, "\"event\":\"remote_delete\""))
        return;
    cJSON *o = cJSON_Parse(l);
    const char *op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "op"));
    const char *ev = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "event"));
    const char *d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "dest"));
    const char *dn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "destination"));
    const char *pre = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "prefix"));
    const char *file = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "file"));
    bool ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "ok"));
    if (op && d && !strcmp(op, "done"))
        add_name(up, n, d);
    else if (op && d && pre && !strcmp(op, "swept") && !*pre)
        add_name(gone, n, d);
    else if (ev && dn && ok && !strcmp(ev, "upload"))
        add_name(up, n, dn);
    else if (ev && dn && ok && file && !strcmp(ev, "remote_delete") && !strcmp(file, "*"))
        add_name(gone, n, dn);
    cJSON_Delete(o);
}

static void scan_file(const char *path, size_t max, char *up, char *gone, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    if (rg_vaultio_read_file(path, max, &buf, &len, NULL) != RG_OK)
        return;
    for (char *l = buf, *e; l < buf + len; l = e + 1) {
        if (!(e = memchr(l, '\n', (size_t)(buf + len - l))))
            e = buf + len;
        *e = '\0';
        scan_line(l, up, gone, n);
    }
    free(buf);
}

bool rg_upload_remote_copies(const char *recdir, char *names, size_t n)
{
    char path[4096], up[1024] = "", gone[1024] = "";
    names[0] = '\0';
    /* The journal, read only (opening it for real would create it), and
     * the audit log, which keeps every confirmed upload even when the
     * journal is lost or damaged. */
    snprintf(path, sizeof path, "%s/%s", recdir, RG_UPJ_NAME);
    scan_file(path, 64u << 20, up, gone, sizeof up);
    snprintf(path, sizeof path, "%s/audit.log", recdir);
    scan_file(path, 256u << 20, up, gone, sizeof up);
    for (char *p = up, *e; *p; p = e) {
        e = p + strcspn(p, ",");
        char one[70];
        snprintf(one, sizeof one, "%.*s", (int)(e - p), p);
        if (!has_name(gone, one))
            add_name(names, n, one);
        e += strspn(e, ", ");
    }
    return names[0] != '\0';
}
