/* Retention: legal holds and the purge of expired recordings. See
 * retention.h and docs/accountability.md. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "audit.h"
#include "jsonerr.h"
#include "recdir.h"
#include "retention.h"
#include "upjournal.h"
#include "uploader.h"
#include "errfmt.h"
#include "fileio.h"

#define PURGE_PREFIX ".purge-"

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- hold / release ------------------------------------------------------- */

rg_err rg_retention_read_hold(const char *recdir, cJSON **hold, char *errbuf)
{
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    *hold = NULL;
    snprintf(path, sizeof path, "%s/%s", recdir, RG_HOLD_FILE);
    rg_err err = rg_vaultio_read_in(recdir, RG_HOLD_FILE, 1 << 20, &text, &len,
                                    errbuf);
    if (err == RG_ERR_NOT_FOUND)
        return RG_OK;
    if (err)
        return err;
    cJSON *h = NULL;
    err = rg_json_parse(text, len, path, &h, errbuf);
    free(text);
    if (!err && (!cJSON_IsObject(h) || !str_of(h, "reason"))) {
        rg_vaultio_err(errbuf, "%s: damaged hold (no reason)", path);
        err = RG_ERR_PARSE;
    }
    if (err) {
        cJSON_Delete(h);
        return err;
    }
    *hold = h;
    return RG_OK;
}

static rg_err log_one(const char *recdir, const uint8_t *key, const char *event,
                      cJSON *f, char *errbuf)
{
    rg_audit *log = NULL;
    rg_err err = f ? rg_recdir_audit_open(recdir, key, &log, errbuf) : RG_ERR_NOMEM;
    if (!err) {
        err = rg_audit_append(log, event, f, -1, true);
        if (!err)
            err = rg_audit_checkpoint(log);
        if (err)
            rg_vaultio_err(errbuf, "%s/%s: cannot write to the audit log: %s",
                           recdir, RG_RECDIR_AUDIT, rg_strerror(err));
    }
    rg_audit_close(log);
    cJSON_Delete(f);
    return err;
}

rg_err rg_retention_hold(const char *recdir, const char *reason,
                         const char *until, const uint8_t *audit_key,
                         const char *by, char *errbuf)
{
    cJSON *meta = NULL;
    time_t t;
    char now[32];
    if (!reason || !*reason || strlen(reason) > 1000) {
        rg_vaultio_err(errbuf, "--reason: expected a text of 1 to 1000 bytes");
        return RG_ERR_ARG;
    }
    if (until && rg_recdir_parse_time(until, &t)) {
        rg_vaultio_err(errbuf, "--until: expected an ISO-8601 date, got '%s'", until);
        return RG_ERR_ARG;
    }
    rg_err err = rg_recdir_load_meta(recdir, &meta, errbuf);
    if (err)
        return err;
    rg_recdir_format_time(time(NULL), now);
    cJSON *h = cJSON_CreateObject(), *f = cJSON_CreateObject();
    char *text = NULL;
    if (!h || !f) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    cJSON_AddStringToObject(h, "format", "recgate-hold/1");
    cJSON_AddStringToObject(h, "reason", reason);
    cJSON_AddStringToObject(h, "by", by);
    cJSON_AddStringToObject(h, "since", now);
    cJSON_AddStringToObject(f, "recording", rg_recdir_meta_id(meta));
    cJSON_AddStringToObject(f, "reason", reason);
    cJSON_AddStringToObject(f, "by", by);
    if (until) {
        cJSON_AddStringToObject(h, "until", until);
        cJSON_AddStringToObject(f, "until", until);
    }
    if (!(text = cJSON_Print(h))) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    /* The hold protects the data, so it is written first; it stays only if
     * it could be logged. */
    if ((err = rg_vaultio_write_atomic(recdir, RG_HOLD_FILE, text, strlen(text),
                                       errbuf)))
        goto cleanup;
    err = log_one(recdir, audit_key, "hold", f, errbuf);
    f = NULL;
    if (err) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", recdir, RG_HOLD_FILE);
        unlink(path);
    }
cleanup:
    free(text);
    cJSON_Delete(h);
    cJSON_Delete(f);
    cJSON_Delete(meta);
    return err;
}

rg_err rg_retention_release(const char *recdir, const uint8_t *audit_key,
                            const char *by, bool *was_held, char *errbuf)
{
    cJSON *meta = NULL, *h = NULL;
    char path[PATH_MAX];
    *was_held = false;
    rg_err err = rg_recdir_load_meta(recdir, &meta, errbuf);
    if (err)
        return err;
    snprintf(path, sizeof path, "%s/%s", recdir, RG_HOLD_FILE);
    if (access(path, F_OK) != 0)
        goto cleanup;
    *was_held = true;
    (void)rg_retention_read_hold(recdir, &h, NULL); /* damaged: still lift it */
    cJSON *f = cJSON_CreateObject();
    if (f) {
        cJSON_AddStringToObject(f, "recording", rg_recdir_meta_id(meta));
        cJSON_AddStringToObject(f, "by", by);
        if (h && str_of(h, "since"))
            cJSON_AddStringToObject(f, "held_since", str_of(h, "since"));
    }
    /* Logged first: a release that cannot be recorded does not happen. */
    if ((err = log_one(recdir, audit_key, "release", f, errbuf)))
        goto cleanup;
    if (unlink(path) != 0) {
        rg_vaultio_err(errbuf, "%s: cannot remove: %s", path, strerror(errno));
        err = RG_ERR_IO;
    }
    rg_vaultio_fsync_dir(recdir);
cleanup:
    cJSON_Delete(h);
    cJSON_Delete(meta);
    return err;
}

/* ---- expiry --------------------------------------------------------------- */

/* The expiry the audit log vouches for: first line session_start, log
 * verified under the key. */
static rg_err audited_expiry(const char *recdir, const uint8_t *key,
                             time_t *cap, char *problem)
{
    char *text = NULL, why[RG_ERRBUF_SIZE] = "";
    size_t len = 0;
    rg_err err = rg_recdir_audit_check(recdir, key, NULL, why);
    if (err) {
        rg_errbuf(problem, "%s", why);
        return RG_ERR_AUTH;
    }
    if ((err = rg_vaultio_read_in(recdir, RG_RECDIR_AUDIT, RG_AUDIT_MAX_FILE,
                                  &text, &len, why))) {
        rg_errbuf(problem, "%s", why);
        return RG_ERR_AUTH;
    }
    char *nl = memchr(text, '\n', len);
    cJSON *j = nl ? cJSON_ParseWithLength(text, (size_t)(nl - text)) : NULL;
    const char *ev = str_of(j, "event"), *ts = str_of(j, "ts");
    const cJSON *days = cJSON_GetObjectItemCaseSensitive(j, "retention_days");
    time_t t0;
    err = RG_ERR_AUTH;
    if (ev && !strcmp(ev, "session_start") && ts && cJSON_IsNumber(days) &&
        days->valuedouble >= 0 && days->valuedouble < 100000 &&
        !rg_recdir_parse_time(ts, &t0)) {
        *cap = t0 + (time_t)days->valuedouble * 86400;
        err = RG_OK;
    } else {
        rg_errbuf(problem, "%s/%s: line 1 is not a session_start with "
                  "retention_days", recdir, RG_RECDIR_AUDIT);
    }
    cJSON_Delete(j);
    free(text);
    return err;
}

rg_err rg_retention_expiry(const char *recdir, const cJSON *meta,
                           const uint8_t *audit_key, const rg_policy *policy,
                           time_t *expires, char *problem)
{
    time_t cap = 0;
    *expires = rg_recdir_meta_expires(meta);
    rg_err err = RG_ERR_AUTH;
    if (audit_key)
        err = audited_expiry(recdir, audit_key, &cap, problem);
    else
        rg_errbuf(problem, "no audit key: the expiry cannot be authenticated");
    if (!err) {
        if (cap < *expires || *expires == 0)
            *expires = cap;
        return RG_OK;
    }
    /* Unauthenticated: created + the policy's retention for the type. */
    const cJSON *rd = cJSON_GetObjectItemCaseSensitive(meta, "retention_days");
    const rg_meeting_type *t = policy
        ? rg_policy_type(policy, str_of(meta, "meeting_type") ? str_of(meta, "meeting_type")
                                                              : "")
        : NULL;
    double days = t ? t->retention_days
                : cJSON_IsNumber(rd) && rd->valuedouble >= 0 ? rd->valuedouble : 0;
    if (days > 100000)
        days = 100000;
    time_t created = 0;
    if (!rg_recdir_parse_time(str_of(meta, "created"), &created)) {
        time_t fb = created + (time_t)days * 86400;
        if (fb < *expires || *expires == 0)
            *expires = fb;
    } else {
        *expires = 0; /* nothing to go by: expired */
    }
    return err;
}

/* ---- purge ---------------------------------------------------------------- */

typedef struct purge_run {
    const rg_purge_params *p;
    rg_purge_result *res;
    rg_audit *log;          /* DIR/purge.log, opened at the first purge */
    rg_err first;
    char *errbuf;
} purge_run;

static void report(purge_run *r, const rg_purge_item *it)
{
    switch (it->action) {
    case RG_PURGE_KEEP: r->res->kept++; break;
    case RG_PURGE_HELD: r->res->held++; break;
    case RG_PURGE_EXPIRED: r->res->purged++; break;
    case RG_PURGE_SKIP: r->res->skipped++; break;
    case RG_PURGE_FAILED: r->res->failed++; break;
    }
    if (r->p->report)
        r->p->report(r->p->ctx, it);
}

static void fail(purge_run *r, rg_purge_item *it, rg_err err, const char *msg)
{
    it->action = RG_PURGE_FAILED;
    it->note = msg;
    if (!r->first) {
        r->first = err;
        rg_vaultio_err(r->errbuf, "%s", msg);
    }
    report(r, it);
}

static rg_err open_log(purge_run *r, char *msg)
{
    if (r->log)
        return RG_OK;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", r->p->dir, RG_PURGE_LOG);
    rg_err err = rg_audit_open(path, r->p->audit_key, &r->log, msg);
    return err;
}

static rg_err log_purge(purge_run *r, const char *id, const char *expires,
                        int files, bool keys_ok, bool resumed,
                        const rg_audit_report *ar, rg_err ar_err)
{
    cJSON *f = cJSON_CreateObject();
    if (!f)
        return RG_ERR_NOMEM;
    cJSON_AddStringToObject(f, "recording", id);
    cJSON_AddStringToObject(f, "reason", "retention");
    if (expires && *expires)
        cJSON_AddStringToObject(f, "expired", expires);
    cJSON_AddNumberToObject(f, "files", files);
    cJSON_AddBoolToObject(f, "key_destroyed", keys_ok);
    cJSON_AddStringToObject(f, "by", r->p->by);
    if (resumed)
        cJSON_AddBoolToObject(f, "resumed", true);
    if (ar) {
        /* The recording's own log is destroyed with it: keep its head. */
        cJSON_AddNumberToObject(f, "audit_lines", (double)ar->lines);
        cJSON_AddStringToObject(f, "audit_head", ar->head);
        cJSON_AddStringToObject(f, "audit_verdict",
                                ar_err ? ar->problem[0] ? ar->problem : rg_strerror(ar_err)
                                       : "ok");
    }
    rg_err err = rg_audit_append(r->log, "purge", f, -1, true);
    cJSON_Delete(f);
    return err;
}

/* Destroy the keys of RECDIR: every keyring entry overwritten + unlinked
 * (inside the recording: a symlinked keyring/ or entry is not followed). */
static rg_err shred_keys(const char *recdir, int *files)
{
    return rg_recdir_shred_keyring(recdir, files);
}

static void finish_interrupted(purge_run *r, const char *name)
{
    char path[PATH_MAX], msg[RG_ERRBUF_SIZE] = "";
    rg_purge_item it = {.name = name, .id = name + strlen(PURGE_PREFIX),
                        .action = RG_PURGE_EXPIRED, .note = "completed an interrupted purge"};
    if (r->p->dry_run) {
        it.note = "interrupted purge: would be completed";
        report(r, &it);
        return;
    }
    snprintf(path, sizeof path, "%s/%s", r->p->dir, name);
    rg_err err = open_log(r, msg);
    if (!err && (err = rg_recdir_remove_tree(path, &it.files)))
        snprintf(msg, sizeof msg, "%.300s: cannot remove: %s", path, strerror(errno));
    if (!err && (err = log_purge(r, it.id, NULL, it.files, true, true, NULL, RG_OK)))
        snprintf(msg, sizeof msg, "%.300s/%s: cannot write: %s", r->p->dir,
                 RG_PURGE_LOG, rg_strerror(err));
    if (err)
        fail(r, &it, err, msg);
    else
        report(r, &it);
}

static const char *msg_of(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static const char *msg_of(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return buf;
}

/* An expiry that cannot be authenticated is a finding in itself: log it
 * in purge.log and make the run fail, whatever happens to the folder. */
static rg_err unverified(purge_run *r, const char *recdir, const char *id,
                         const char *fallback, const char *problem)
{
    char msg[RG_ERRBUF_SIZE];
    rg_err err = open_log(r, msg);
    if (err)
        return err;
    cJSON *f = cJSON_CreateObject();
    if (!f)
        return RG_ERR_NOMEM;
    cJSON_AddStringToObject(f, "recording", id);
    cJSON_AddStringToObject(f, "problem", problem);
    cJSON_AddStringToObject(f, "expires", fallback);
    cJSON_AddStringToObject(f, "by", r->p->by);
    err = rg_audit_append(r->log, "expiry_unverified", f, -1, true);
    cJSON_Delete(f);
    if (err)
        return err;
    r->res->unverified++;
    if (!r->first) {
        r->first = RG_ERR_AUTH;
        rg_vaultio_err(r->errbuf, "%s: expires_at cannot be authenticated (%s): "
                       "using created + retention instead (%s)", recdir,
                       problem, fallback);
    }
    return RG_OK;
}

/* Park RECDIR's remote deletes in DIR/.remote-deletes/NAME/: a copy of
 * its upload journal plus delete_wanted for the whole recording, fsync'd,
 * so the deletes outlive the folder. */
static rg_err park_remote(purge_run *r, const char *recdir, const char *name,
                          char *note, size_t nn)
{
    char pdir[PATH_MAX], pend[PATH_MAX + 300], src[PATH_MAX + 32], *text = NULL;
    size_t len = 0;
    snprintf(pdir, sizeof pdir, "%s/%s", r->p->dir, RG_PURGE_PENDING_DIR);
    snprintf(pend, sizeof pend, "%s/%s", pdir, name);
    snprintf(src, sizeof src, "%s/%s", recdir, RG_UPJ_NAME);
    rg_err err = RG_OK;
    if ((mkdir(pdir, 0700) != 0 && errno != EEXIST) ||
        (mkdir(pend, 0700) != 0 && errno != EEXIST)) {
        snprintf(note, nn, "%.400s: cannot create (%s): nothing destroyed, since "
                 "the pending remote deletes could not be kept", pend, strerror(errno));
        return RG_ERR_IO;
    }
    rg_vaultio_fsync_dir(r->p->dir);
    rg_vaultio_fsync_dir(pdir);
    err = rg_vaultio_read_file(src, 64u << 20, &text, &len, NULL);
    if (err == RG_ERR_NOT_FOUND)
        err = RG_OK; /* no journal: the sweep finds the copies */
    else if (!err)
        err = rg_vaultio_write_atomic(pend, RG_UPJ_NAME, text, len, NULL);
    free(text);
    rg_upjournal *j = NULL;
    char msg[RG_ERRBUF_SIZE] = "";
    if (!err && !(err = rg_upj_open(pend, &j, msg)))
        err = rg_upj_delete_wanted(j, NULL);
    rg_upj_close(j);
    if (err)
        snprintf(note, nn, "%.400s: cannot write the pending remote deletes (%s): "
                 "nothing destroyed", pend, msg[0] ? msg : rg_strerror(err));
    return err;
}

/* Retry the parked remote deletes of earlier purges (with --config);
 * proven ones are removed, the rest counted as pending. */
static void retry_parked(purge_run *r)
{
    char pdir[PATH_MAX], msg[RG_ERRBUF_SIZE], note[700];
    snprintf(pdir, sizeof pdir, "%s/%s", r->p->dir, RG_PURGE_PENDING_DIR);
    DIR *d = opendir(pdir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !rg_vaultio_valid_id(e->d_name))
            continue;
        char pend[PATH_MAX + 300], label[300];
        snprintf(pend, sizeof pend, "%s/%s", pdir, e->d_name);
        snprintf(label, sizeof label, "%s/%s", RG_PURGE_PENDING_DIR, e->d_name);
        rg_purge_item it = {.name = label, .id = e->d_name, .action = RG_PURGE_EXPIRED};
        msg[0] = '\0';
        rg_err err = RG_ERR_CONFIG;
        if (r->p->dry_run)
            snprintf(msg, sizeof msg, "remote deletes pending (dry run: not retried)");
        else if (!r->p->policy || !r->p->policy->n_upload_dests)
            snprintf(msg, sizeof msg, "remote deletes pending: give --config to retry them");
        else if (!(err = open_log(r, msg)))
            err = rg_upload_delete_remote(r->p->policy, pend, NULL, 0, false, r->log,
                                          60000, msg);
        if (!err) {
            char jp[PATH_MAX + 400];
            snprintf(jp, sizeof jp, "%s/%s", pend, RG_UPJ_NAME);
            if (unlink(jp) != 0 && errno != ENOENT)
                err = RG_ERR_IO;
            else if (rmdir(pend) != 0)
                err = RG_ERR_IO;
            rg_vaultio_fsync_dir(pdir);
            if (err)
                snprintf(msg, sizeof msg, "remote copies deleted, but %.300s could not be "
                         "removed: %s", pend, strerror(errno));
        }
        if (err) {
            r->res->remote_pending++;
            snprintf(note, sizeof note, "remote copies of a purged recording still "
                     "pending: %.500s", msg);
        } else {
            snprintf(note, sizeof note, "remote copies of a purged recording deleted "
                     "from every destination (proven)");
        }
        it.action = err ? RG_PURGE_FAILED : RG_PURGE_EXPIRED;
        it.note = note;
        if (r->p->report)
            r->p->report(r->p->ctx, &it); /* reported, not counted as a folder */
    }
    closedir(d);
}

static void purge_one(purge_run *r, const char *name)
{
    char recdir[PATH_MAX], msg[RG_ERRBUF_SIZE] = "", exp[32] = "", note[600];
    cJSON *meta = NULL, *hold = NULL;
    rg_purge_item it = {.name = name, .action = RG_PURGE_KEEP};
    snprintf(recdir, sizeof recdir, "%s/%s", r->p->dir, name);
    rg_err err = rg_recdir_load_meta(recdir, &meta, msg);
    if (err == RG_ERR_NOT_FOUND) {
        it.action = RG_PURGE_SKIP;
        it.note = "not a recording (no recording.json): left alone";
        report(r, &it);
        return;
    }
    if (err) {
        snprintf(note, sizeof note, "%s (damaged: left alone, check it by hand)", msg);
        fail(r, &it, err, note);
        return;
    }
    it.id = rg_recdir_meta_id(meta);
    time_t expires;
    char problem[RG_ERRBUF_SIZE] = "";
    rg_err xerr = rg_retention_expiry(recdir, meta, r->p->dry_run ? NULL
                                      : r->p->audit_key, r->p->policy,
                                      &expires, problem);
    rg_recdir_format_time(expires, exp);
    memcpy(it.expires, exp, sizeof exp);
    if (xerr && !r->p->dry_run && (err = unverified(r, recdir, it.id, exp, problem))) {
        fail(r, &it, err, msg_of(note, sizeof note, "%.300s/%s: cannot log "
             "that the expiry of %s cannot be authenticated: %s", r->p->dir,
             RG_PURGE_LOG, name, rg_strerror(err)));
        goto cleanup;
    }
    if (expires > r->p->now) {
        report(r, &it);
        goto cleanup;
    }
    if ((err = rg_retention_read_hold(recdir, &hold, msg)) || hold) {
        it.action = RG_PURGE_HELD;
        snprintf(note, sizeof note, "legal hold since %s by %s: %s",
                 hold && str_of(hold, "since") ? str_of(hold, "since") : "?",
                 hold && str_of(hold, "by") ? str_of(hold, "by") : "?",
                 hold ? str_of(hold, "reason") : msg);
        it.note = note;
        report(r, &it);
        goto cleanup;
    }
    it.action = RG_PURGE_EXPIRED;
    if (r->p->dry_run) {
        it.note = "would be purged";
        report(r, &it);
        goto cleanup;
    }
    if ((err = open_log(r, msg))) {
        snprintf(note, sizeof note, "%s (nothing destroyed: a purge must be logged)", msg);
        fail(r, &it, err, note);
        goto cleanup;
    }
    rg_audit_report ar;
    memset(&ar, 0, sizeof ar);
    rg_err ar_err = rg_recdir_audit_check(recdir, r->p->audit_key, &ar, NULL);
    /* Remote copies first, while the upload journal still says where they
     * are; attempts go to purge.log. What cannot be proven deleted now is
     * parked outside the folder (it outlives it) before anything local is
     * destroyed; no place to park it: nothing is destroyed. */
    char rmsg[RG_ERRBUF_SIZE] = "", names[300] = "";
    bool remote = rg_upload_remote_copies(recdir, names, sizeof names);
    rg_err rerr = RG_OK;
    if (r->p->policy && r->p->policy->n_upload_dests)
        rerr = rg_upload_delete_remote(r->p->policy, recdir, NULL, 0, false,
                                       r->log, 60000, rmsg);
    else if (remote)
        rerr = rg_errorf(rmsg, RG_ERR_CONFIG, "copies on %s, and no --config "
                         "naming those destinations", names);
    if (rerr && (remote || r->p->policy) &&
        (err = park_remote(r, recdir, name, note, sizeof note))) {
        fail(r, &it, err, note);
        goto cleanup;
    }
    /* Keys first. */
    if ((err = shred_keys(recdir, &it.files))) {
        snprintf(note, sizeof note, "%.400s/keyring: cannot destroy every key: "
                 "left in place, run purge again", recdir);
        fail(r, &it, err, note);
        goto cleanup;
    }
    char path[PATH_MAX + 64], dst[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", recdir, RG_RECDIR_MANIFEST);
    if (access(path, F_OK) == 0 && rg_recdir_shred_file(path) == RG_OK)
        it.files++;
    rg_recdir_crash_point("purge_keys");
    snprintf(dst, sizeof dst, "%s/%s%s", r->p->dir, PURGE_PREFIX, name);
    if (rename(recdir, dst) != 0 || rg_vaultio_fsync_dir(r->p->dir) ||
        rg_recdir_remove_tree(dst, &it.files)) {
        snprintf(note, sizeof note, "%.400s: keys destroyed but the folder could not "
                 "be removed: %s", recdir, strerror(errno));
        fail(r, &it, RG_ERR_IO, note);
        goto cleanup;
    }
    rg_vaultio_fsync_dir(r->p->dir);
    if ((err = log_purge(r, it.id, exp, it.files, true, false, &ar, ar_err))) {
        snprintf(note, sizeof note, "%.300s/%s: cannot write: %s", r->p->dir,
                 RG_PURGE_LOG, rg_strerror(err));
        fail(r, &it, err, note);
        goto cleanup;
    }
    if (rerr)
        r->res->remote_pending++;
    snprintf(note, sizeof note, "purged (its audit log: %s, %llu lines)%s%.300s%s%s%s",
             ar_err ? "DAMAGED" : "intact", (unsigned long long)ar.lines,
             rerr ? "; remote copies NOT proven deleted: " : "", rerr ? rmsg : "",
             rerr ? "; kept pending in " : "", rerr ? RG_PURGE_PENDING_DIR "/" : "",
             rerr ? name : "");
    it.note = note;
    report(r, &it);
cleanup:
    cJSON_Delete(hold);
    cJSON_Delete(meta);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

rg_err rg_purge(const rg_purge_params *p, rg_purge_result *res, char *errbuf)
{
    if (!p || !res || !p->dir || (!p->dry_run && (!p->audit_key || !p->by)))
        return RG_ERR_ARG;
    memset(res, 0, sizeof *res);
    DIR *d = opendir(p->dir);
    if (!d) {
        rg_vaultio_err(errbuf, "%s: cannot open: %s", p->dir, strerror(errno));
        return errno == ENOENT ? RG_ERR_NOT_FOUND : RG_ERR_IO;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    rg_err err = RG_OK;
    while ((e = readdir(d))) {
        struct stat st;
        char path[PATH_MAX];
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", p->dir, e->d_name);
        if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn || !(nn[n] = strdup(e->d_name))) {
            names = nn ? nn : names;
            err = RG_ERR_NOMEM;
            break;
        }
        names = nn;
        n++;
    }
    closedir(d);
    if (!err) {
        qsort(names, n, sizeof *names, cmp_names);
        purge_run r = {.p = p, .res = res, .errbuf = errbuf};
        retry_parked(&r);
        for (size_t i = 0; i < n; i++) {
            if (!strcmp(names[i], RG_PURGE_PENDING_DIR))
                continue;
            if (!strncmp(names[i], PURGE_PREFIX, strlen(PURGE_PREFIX)))
                finish_interrupted(&r, names[i]);
            else
                purge_one(&r, names[i]);
        }
        if (r.log) {
            rg_err e2 = rg_audit_checkpoint(r.log);
            if (e2 && !r.first) {
                r.first = e2;
                rg_vaultio_err(errbuf, "%s/%s: cannot write the checkpoint",
                               p->dir, RG_PURGE_LOG);
            }
            rg_audit_close(r.log);
        }
        err = r.first;
        if (!err && res->remote_pending)
            err = rg_errorf(errbuf, RG_ERR_NETWORK, "%s: %d recording(s) with remote "
                            "copies not yet proven deleted (%s/%s/): retried by every "
                            "purge with --config and by recgate upload --delete",
                            p->dir, res->remote_pending, p->dir, RG_PURGE_PENDING_DIR);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return err;
}
