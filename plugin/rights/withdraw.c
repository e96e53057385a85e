/* Withdrawal: delete a recording or make one participant unrecognisable,
 * through a journal so that a crash never leaves a half-done state behind.
 * See withdraw.h and docs/accountability.md. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/rand.h>
#include "jsonerr.h"
#include "recdir.h"
#include "vault.h"
#include "fileio.h"
#include "withdraw.h"

#define JOURNAL_FORMAT "recgate-withdraw/1"

static const char *mode_name(rg_withdraw_mode m)
{
    return m == RG_WITHDRAW_MODE_DELETE ? "delete" : "anonymize";
}

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- the manifest rewrite (pure) ---------------------------------------- */

static void redact_tree(cJSON *v, const char *id, const char *ps,
                        char *const *words, size_t n)
{
    cJSON *c;
    if (cJSON_IsString(v)) {
        if (!strcmp(v->valuestring, id)) {
            cJSON_SetValuestring(v, ps);
            return;
        }
        char *r = rg_recdir_redact(v->valuestring, (const char *const *)words,
                                   n, "[redacted]");
        if (r && strcmp(r, v->valuestring))
            cJSON_SetValuestring(v, r);
        free(r);
        return;
    }
    cJSON_ArrayForEach(c, v) redact_tree(c, id, ps, words, n);
}

/* Set o[k] in place (member order kept), or append it. */
static void set_item(cJSON *o, const char *k, cJSON *v)
{
    if (!v)
        return;
    if (cJSON_GetObjectItemCaseSensitive(o, k))
        cJSON_ReplaceItemInObjectCaseSensitive(o, k, v);
    else
        cJSON_AddItemToObject(o, k, v);
}

static void set_str(cJSON *o, const char *k, const char *v)
{
    set_item(o, k, cJSON_CreateString(v));
}

static void set_bool(cJSON *o, const char *k, bool v)
{
    set_item(o, k, cJSON_CreateBool(v));
}

rg_err rg_withdraw_anonymize_manifest(cJSON *m, const char *id, const char *ps)
{
    cJSON *p = rg_recdir_participant(m, id);
    if (!p)
        return RG_ERR_NOT_FOUND;
    char **words = NULL;
    size_t n = 0;
    rg_err err = rg_recdir_words_of(p, &words, &n);
    if (err) {
        rg_recdir_free_words(words, n);
        return err;
    }
    char *idc = strdup(id);
    if (!idc) {
        rg_recdir_free_words(words, n);
        return RG_ERR_NOMEM;
    }
    set_str(p, "id", ps);
    set_str(p, "pseudonym", ps);
    set_str(p, "name", "(withdrawn participant)");
    set_bool(p, "removed", true);
    set_bool(p, "withdrawn", true);
    cJSON *chat = cJSON_GetObjectItemCaseSensitive(m, "chat");
    for (cJSON *c = chat ? chat->child : NULL, *next; c; c = next) {
        next = c->next;
        const char *from = str_of(c, "from"), *to = str_of(c, "to");
        if (from && !strcmp(from, idc)) {
            cJSON_Delete(cJSON_DetachItemViaPointer(chat, c));
            continue;
        }
        if (to && !strcmp(to, idc))
            set_str(c, "to", ps);
    }
    cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(m, "tracks")) {
        const char *who = str_of(t, "participant");
        if (who && !strcmp(who, idc)) {
            set_str(t, "participant", ps);
            set_bool(t, "destroyed", true);
        }
    }
    /* Everything but the participant list: their name may be anywhere in
     * the others' messages or the summary. */
    cJSON *member;
    cJSON_ArrayForEach(member, m) {
        if (member->string && !strcmp(member->string, "participants"))
            continue;
        redact_tree(member, idc, ps, words, n);
    }
    free(idc);
    rg_recdir_free_words(words, n);
    return RG_OK;
}

/* ---- journal ------------------------------------------------------------- */

bool rg_withdraw_pending(const char *recdir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", recdir, RG_WITHDRAW_JOURNAL);
    return access(path, F_OK) == 0;
}

static rg_err read_journal(const char *recdir, cJSON **out, char *errbuf)
{
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    cJSON *j = NULL;
    snprintf(path, sizeof path, "%s/%s", recdir, RG_WITHDRAW_JOURNAL);
    rg_err err = rg_vaultio_read_in(recdir, RG_WITHDRAW_JOURNAL, 1 << 20, &text,
                                    &len, errbuf);
    if (err)
        return err;
    if (!(err = rg_json_parse(text, len, path, &j, errbuf))) {
        const char *f = str_of(j, "format"), *mode = str_of(j, "mode");
        const cJSON *tr = cJSON_GetObjectItemCaseSensitive(j, "tracks"), *x;
        bool ok = f && !strcmp(f, JOURNAL_FORMAT) && mode &&
                  (!strcmp(mode, "delete") || !strcmp(mode, "anonymize")) &&
                  str_of(j, "participant") && str_of(j, "journal") &&
                  str_of(j, "by") && cJSON_IsArray(tr);
        cJSON_ArrayForEach(x, tr) ok = ok && cJSON_IsString(x) &&
                                       rg_vaultio_valid_id(x->valuestring);
        if (!ok) {
            rg_vaultio_err(errbuf, "%s: not a recgate withdrawal journal (damaged?)",
                           path);
            err = RG_ERR_PARSE;
        }
    }
    free(text);
    if (err)
        cJSON_Delete(j);
    else
        *out = j;
    return err;
}

static rg_err write_journal(const char *recdir, rg_withdraw_mode mode,
                            const char *ps, const cJSON *tracks, const char *by,
                            char *errbuf)
{
    unsigned char rnd[8];
    char jid[17], now[32];
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return RG_ERR_CRYPTO;
    rg_audit_hex(rnd, sizeof rnd, jid);
    rg_recdir_format_time(time(NULL), now);
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return RG_ERR_NOMEM;
    cJSON_AddStringToObject(j, "format", JOURNAL_FORMAT);
    cJSON_AddStringToObject(j, "journal", jid);
    cJSON_AddStringToObject(j, "mode", mode_name(mode));
    cJSON_AddStringToObject(j, "participant", ps);
    cJSON_AddItemToObject(j, "tracks", cJSON_Duplicate(tracks, 1));
    cJSON_AddStringToObject(j, "by", by);
    cJSON_AddStringToObject(j, "started", now);
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    if (!text)
        return RG_ERR_NOMEM;
    rg_err err = rg_vaultio_write_atomic(recdir, RG_WITHDRAW_JOURNAL, text,
                                         strlen(text), errbuf);
    free(text);
    return err;
}

/* ---- carrying out a journal ---------------------------------------------- */

static rg_err audit_once(rg_audit *log, const char *recdir, const char *event,
                         cJSON *f, const char *jid)
{
    rg_err err = RG_OK;
    if (!f)
        return RG_ERR_NOMEM;
    if (!rg_recdir_audit_has(recdir, event, jid))
        err = rg_audit_append(log, event, f, -1, true);
    cJSON_Delete(f);
    return err;
}

static void update_meta(cJSON *meta, const cJSON *j, bool del, const char *now)
{
    const cJSON *x;
    cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(meta, "tracks")) {
        const char *id = str_of(t, "id");
        bool hit = del;
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "tracks"))
            hit = hit || (id && !strcmp(id, x->valuestring));
        if (!hit)
            continue;
        set_bool(t, "destroyed", true);
        cJSON_DeleteItemFromObjectCaseSensitive(t, "segments");
        cJSON_AddArrayToObject(t, "segments");
    }
    cJSON *w = cJSON_GetObjectItemCaseSensitive(meta, "withdrawals");
    if (!cJSON_IsArray(w)) {
        cJSON_DeleteItemFromObjectCaseSensitive(meta, "withdrawals");
        w = cJSON_AddArrayToObject(meta, "withdrawals");
    }
    const char *jid = str_of(j, "journal");
    cJSON_ArrayForEach(x, w) {
        const char *k = str_of(x, "journal");
        if (k && !strcmp(k, jid))
            return;
    }
    cJSON *e = cJSON_CreateObject();
    if (e && w) {
        cJSON_AddStringToObject(e, "participant", str_of(j, "participant"));
        cJSON_AddStringToObject(e, "mode", str_of(j, "mode"));
        cJSON_AddStringToObject(e, "at", now);
        cJSON_AddStringToObject(e, "by", str_of(j, "by"));
        cJSON_AddStringToObject(e, "journal", jid);
        cJSON_AddItemToArray(w, e);
    } else {
        cJSON_Delete(e);
    }
    if (del) {
        set_str(meta, "decision", "deleted");
        set_bool(meta, "deleted", true);
    }
}

/* The anonymize step on the manifest: find the one entry whose pseudonym
 * is the journal's and that is not yet withdrawn. Done before: no-op. */
static rg_err rewrite_manifest(const char *recdir, const char *ps,
                               const rg_age_identity *ids, size_t n,
                               char *errbuf)
{
    cJSON *m = NULL, *p;
    rg_err err = rg_recdir_read_manifest(recdir, ids, n, &m, errbuf);
    if (err == RG_ERR_NOT_FOUND)
        return RG_OK; /* no manifest (cut short): no names to remove */
    if (err)
        return err;
    char *id = NULL;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "participants")) {
        const char *q = str_of(p, "pseudonym");
        if (q && !strcmp(q, ps) &&
            !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "withdrawn"))) {
            id = strdup(str_of(p, "id"));
            break;
        }
    }
    if (id) {
        err = rg_withdraw_anonymize_manifest(m, id, ps);
        if (!err)
            err = rg_recdir_write_manifest(recdir, m, errbuf);
        free(id);
    }
    cJSON_Delete(m);
    return err;
}

static rg_err run_journal(const char *recdir, const cJSON *j,
                          const rg_age_identity *ids, size_t n,
                          const uint8_t *key, rg_withdraw_result *res,
                          char *errbuf)
{
    bool del = !strcmp(str_of(j, "mode"), "delete");
    const char *ps = str_of(j, "participant"), *jid = str_of(j, "journal");
    const char *by = str_of(j, "by");
    char path[PATH_MAX], now[32];
    cJSON *meta = NULL, *f;
    rg_audit *log = NULL;
    int files = 0, tracks = 0;
    bool key_destroyed = true;
    const cJSON *x;
    if (!del && (!ids || !n)) {
        rg_vaultio_err(errbuf, "%s: an interrupted withdrawal (anonymize) must "
                       "be completed first: run recgate withdraw with "
                       "--identity (the organisation's key)", recdir);
        return RG_ERR_STATE;
    }
    rg_err err = rg_recdir_load_meta(recdir, &meta, errbuf);
    if (err)
        return err;
    const char *rid = rg_recdir_meta_id(meta);
    if ((err = rg_recdir_audit_open(recdir, key, &log, errbuf)))
        goto cleanup;
    if ((f = cJSON_CreateObject())) {
        cJSON_AddStringToObject(f, "recording", rid);
        cJSON_AddStringToObject(f, "participant", ps);
        cJSON_AddStringToObject(f, "action", del ? "delete_recording"
                                                 : "remove_participant");
        cJSON_AddStringToObject(f, "by", by);
        cJSON_AddStringToObject(f, "journal", jid);
    }
    if ((err = audit_once(log, recdir, "withdrawal", f, jid)))
        goto audit_failed;
    rg_recdir_crash_point("logged");
    /* Keys first: once they are gone every copy is unreadable. */
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "tracks")) {
        rg_err e = rg_vault_shred_track(recdir, x->valuestring, errbuf);
        if (e == RG_OK)
            tracks++;
        else if (e != RG_ERR_NOT_FOUND) {
            err = e;
            key_destroyed = false;
            goto cleanup;
        }
    }
    rg_recdir_crash_point("keys");
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "tracks"))
        files += rg_recdir_remove_segments(recdir, x->valuestring);
    if (del) {
        snprintf(path, sizeof path, "%s/%s", recdir, RG_RECDIR_MANIFEST);
        if (access(path, F_OK) == 0) {
            if ((err = rg_recdir_shred_file(path))) {
                rg_vaultio_err(errbuf, "%s: cannot destroy: %s", path,
                               strerror(errno));
                goto cleanup;
            }
            files++;
        }
    }
    rg_vaultio_fsync_dir(recdir);
    rg_recdir_crash_point("segments");
    if (!del && (err = rewrite_manifest(recdir, ps, ids, n, errbuf)))
        goto cleanup;
    rg_recdir_crash_point("manifest");
    rg_recdir_format_time(time(NULL), now);
    update_meta(meta, j, del, now);
    if ((err = rg_recdir_save_meta(recdir, meta, errbuf)))
        goto cleanup;
    rg_recdir_crash_point("metadata");
    if ((f = cJSON_CreateObject())) {
        cJSON_AddStringToObject(f, "recording", rid);
        cJSON_AddStringToObject(f, "reason", "withdrawal");
        cJSON_AddNumberToObject(f, "files", files);
        cJSON_AddBoolToObject(f, "key_destroyed", key_destroyed);
        cJSON_AddStringToObject(f, "by", by);
        cJSON_AddStringToObject(f, "journal", jid);
    }
    if ((err = audit_once(log, recdir, "purge", f, jid)) ||
        (err = rg_audit_checkpoint(log)))
        goto audit_failed;
    rg_recdir_crash_point("audited");
    snprintf(path, sizeof path, "%s/%s", recdir, RG_WITHDRAW_JOURNAL);
    if (unlink(path) != 0 && errno != ENOENT) {
        rg_vaultio_err(errbuf, "%s: cannot remove: %s", path, strerror(errno));
        err = RG_ERR_IO;
        goto cleanup;
    }
    rg_vaultio_fsync_dir(recdir);
    if (res) {
        res->tracks += tracks;
        res->files += files;
    }
    goto cleanup;
audit_failed:
    rg_vaultio_err(errbuf, "%s/%s: cannot write to the audit log (%s): the "
                   "withdrawal stays pending", recdir, RG_RECDIR_AUDIT,
                   rg_strerror(err));
cleanup:
    rg_audit_close(log);
    cJSON_Delete(meta);
    return err;
}

rg_err rg_withdraw_resume(const char *recdir, const rg_age_identity *ids,
                          size_t n_ids, const uint8_t *audit_key,
                          bool *resumed, char *errbuf)
{
    cJSON *j = NULL;
    if (resumed)
        *resumed = false;
    if (!rg_withdraw_pending(recdir))
        return RG_OK;
    rg_err err = read_journal(recdir, &j, errbuf);
    if (!err)
        err = run_journal(recdir, j, ids, n_ids, audit_key, NULL, errbuf);
    if (!err && resumed)
        *resumed = true;
    cJSON_Delete(j);
    return err;
}

/* ---- the command ---------------------------------------------------------- */

static bool withdrawn_before(const cJSON *meta, const char *ps,
                             rg_withdraw_mode mode)
{
    const cJSON *w;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(meta, "deleted")))
        return true;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(meta, "withdrawals")) {
        const char *p = str_of(w, "participant"), *m = str_of(w, "mode");
        if (p && m && !strcmp(p, ps) && !strcmp(m, mode_name(mode)))
            return true;
    }
    return false;
}


rg_err rg_withdraw(const rg_withdraw_params *p, rg_withdraw_result *res,
                   char *errbuf)
{
    cJSON *meta = NULL, *m = NULL, *tracks = NULL, *j = NULL;
    if (!p || !res || !p->recdir || !p->participant || !*p->participant ||
        !p->audit_key || !p->by)
        return RG_ERR_ARG;
    memset(res, 0, sizeof *res);
    bool anon = p->mode == RG_WITHDRAW_MODE_ANONYMIZE;
    if (anon && (!p->ids || !p->n_ids)) {
        rg_vaultio_err(errbuf, "--mode anonymize needs --identity (the "
                       "organisation's key) to rewrite the manifest");
        return RG_ERR_ARG;
    }
    rg_err err = rg_recdir_load_meta(p->recdir, &meta, errbuf);
    if (err)
        return err;
    cJSON_Delete(meta);
    meta = NULL;
    if ((err = rg_recdir_audit_check(p->recdir, p->audit_key, NULL, errbuf)))
        return err;
    if ((err = rg_withdraw_resume(p->recdir, p->ids, p->n_ids, p->audit_key,
                                  &res->resumed, errbuf)))
        return err;
    if ((err = rg_recdir_load_meta(p->recdir, &meta, errbuf)))
        return err;
    if ((err = rg_audit_pseudonym(p->audit_key, p->participant, res->pseudonym)))
        goto cleanup;
    if (withdrawn_before(meta, res->pseudonym, p->mode)) {
        res->already = true;
        goto cleanup;
    }
    if (!(tracks = cJSON_CreateArray())) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    bool no_manifest = false;
    if (p->ids && p->n_ids) {
        err = rg_recdir_read_manifest(p->recdir, p->ids, p->n_ids, &m, errbuf);
        /* No manifest (a crash cut the recording short): the audit log's
         * capture_start lines still say which tracks are theirs. */
        no_manifest = res->no_manifest = err == RG_ERR_NOT_FOUND;
        if (err && !no_manifest)
            goto cleanup;
        err = RG_OK;
    }
    const cJSON *who = m ? rg_recdir_participant(m, p->participant) : NULL, *x;
    if (who) {
        const char *q = str_of(who, "pseudonym");
        if (!q || strcmp(q, res->pseudonym)) {
            rg_vaultio_err(errbuf, "%s: the audit key does not belong to this "
                           "recording (the participant's pseudonym differs)",
                           p->recdir);
            err = RG_ERR_AUTH;
            goto cleanup;
        }
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(m, "tracks")) {
            const char *o = str_of(x, "participant"), *t = str_of(x, "track");
            if (anon && o && t && !strcmp(o, p->participant) &&
                rg_vaultio_valid_id(t))
                cJSON_AddItemToArray(tracks, cJSON_CreateString(t));
        }
    } else if (!rg_recdir_audit_joined(p->recdir, res->pseudonym)) {
        rg_vaultio_err(errbuf, "participant '%s' is not in recording %s%s",
                       p->participant, rg_recdir_meta_id(meta),
                       m ? " (not in its manifest)" : " (never in its audit log)");
        err = RG_ERR_NOT_FOUND;
        goto cleanup;
    } else if (anon && no_manifest &&
               !rg_recdir_audit_withdrawn(p->recdir, res->pseudonym)) {
        char **ids = NULL;
        size_t nids = 0;
        err = rg_recdir_audit_tracks(p->recdir, res->pseudonym, &ids, &nids);
        for (size_t i = 0; !err && i < nids; i++)
            cJSON_AddItemToArray(tracks, cJSON_CreateString(ids[i]));
        rg_recdir_free_words(ids, nids);
        if (err)
            goto cleanup;
    } else if (anon) {
        /* In the log but no longer in the manifest: withdrawn before
         * under another journal, or the manifest was rewritten. */
        res->already = true;
        goto cleanup;
    }
    if (!anon)
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(meta, "tracks"))
            cJSON_AddItemToArray(tracks, cJSON_CreateString(str_of(x, "id")));
    if ((err = write_journal(p->recdir, p->mode, res->pseudonym, tracks, p->by,
                             errbuf)))
        goto cleanup;
    rg_recdir_crash_point("journal");
    if ((err = read_journal(p->recdir, &j, errbuf)))
        goto cleanup;
    err = run_journal(p->recdir, j, p->ids, p->n_ids, p->audit_key, res, errbuf);
cleanup:
    cJSON_Delete(j);
    cJSON_Delete(tracks);
    cJSON_Delete(m);
    cJSON_Delete(meta);
    return err;
}
