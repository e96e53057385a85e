/* Data-subject access export. See dsr.h and docs/accountability.md. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "dsr.h"
#include "recdir.h"
#include "vault.h"
#include "fileio.h"
#include "withdraw.h"

#define OTHER "[other participant]"

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* OUT must be new or an empty directory; it ends up 0700. */
static rg_err make_out(const char *dir, char *errbuf)
{
    struct stat st;
    if (lstat(dir, &st) == 0) {
        DIR *d = S_ISDIR(st.st_mode) ? opendir(dir) : NULL;
        struct dirent *e;
        int n = 0;
        while (d && (e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                n++;
        if (d)
            closedir(d);
        if (!d || n) {
            rg_vaultio_err(errbuf, "%s: exists and is not an empty directory "
                           "(refusing to mix exports)", dir);
            return RG_ERR_STATE;
        }
    } else if (mkdir(dir, 0700) != 0) {
        rg_vaultio_err(errbuf, "%s: cannot create: %s", dir, strerror(errno));
        return RG_ERR_IO;
    }
    if (chmod(dir, 0700) != 0) {
        rg_vaultio_err(errbuf, "%s: cannot chmod 0700: %s", dir, strerror(errno));
        return RG_ERR_IO;
    }
    return RG_OK;
}

static rg_err write_json(const char *dir, const char *name, const cJSON *j,
                         char *errbuf)
{
    char *text = cJSON_Print(j);
    if (!text)
        return RG_ERR_NOMEM;
    rg_err err = rg_vaultio_write_atomic(dir, name, text, strlen(text), errbuf);
    OPENSSL_cleanse(text, strlen(text));
    free(text);
    return err;
}

/* Everyone else's words (ids, names, name parts), minus the subject's own. */
static rg_err others_words(const cJSON *m, const char *id, char ***words,
                           size_t *n)
{
    char **mine = NULL;
    size_t nm = 0;
    const cJSON *p;
    rg_err err = rg_recdir_words_of(rg_recdir_participant(m, id), &mine, &nm);
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "participants")) {
        const char *pid = str_of(p, "id");
        if (err || !pid || !strcmp(pid, id))
            continue;
        size_t start = *n;
        err = rg_recdir_words_of(p, words, n);
        for (size_t i = start; !err && i < *n;) {
            bool own = false;
            for (size_t k = 0; k < nm; k++)
                own = own || !strcasecmp((*words)[i], mine[k]);
            if (own) {
                free((*words)[i]);
                (*words)[i] = (*words)[--*n];
            } else {
                i++;
            }
        }
    }
    rg_recdir_free_words(mine, nm);
    return err;
}

static rg_err export_chat(const cJSON *m, const char *id, const char *out,
                          int *count, char *errbuf)
{
    char **words = NULL;
    size_t nw = 0;
    cJSON *arr = cJSON_CreateArray();
    rg_err err = arr ? others_words(m, id, &words, &nw) : RG_ERR_NOMEM;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(m, "chat")) {
        const char *from = str_of(c, "from"), *to = str_of(c, "to");
        bool mine = (from && !strcmp(from, id)) || (to && !strcmp(to, id)) ||
                    (from && !strcmp(from, "bot") && to && !strcmp(to, "all"));
        if (err || !mine)
            continue;
        cJSON *x = cJSON_Duplicate(c, 1), *v;
        if (!x) {
            err = RG_ERR_NOMEM;
            break;
        }
        cJSON_ArrayForEach(v, x) {
            if (!cJSON_IsString(v))
                continue;
            char *r = rg_recdir_redact(v->valuestring, (const char *const *)words,
                                       nw, OTHER);
            if (r && strcmp(r, v->valuestring))
                cJSON_SetValuestring(v, r);
            free(r);
        }
        cJSON_AddItemToArray(arr, x);
        (*count)++;
    }
    if (!err)
        err = write_json(out, "chat.json", arr, errbuf);
    cJSON_Delete(arr);
    rg_recdir_free_words(words, nw);
    return err;
}

/* Audit lines that name the subject or no participant at all. A line that
 * names someone else too is left out (the log never joins two people in
 * one line today; if it does, the subject's own lines still say enough). */
static rg_err export_audit(const char *recdir, const cJSON *m, const char *ps,
                           const char *out, int *count, char *errbuf)
{
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", recdir, RG_RECDIR_AUDIT);
    rg_err err = rg_vaultio_read_in(recdir, RG_RECDIR_AUDIT, RG_AUDIT_MAX_FILE, &text,
                                    &len, errbuf);
    if (err)
        return err;
    size_t cap = len + 1, o = 0;
    char *res = malloc(cap);
    if (!res) {
        free(text);
        return RG_ERR_NOMEM;
    }
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        if (!nl)
            break;
        *nl = 0;
        bool keep = strstr(line, ps) != NULL;
        if (!keep) {
            /* Lines about no one; not another person's withdrawal. */
            keep = m != NULL && !strstr(line, "\"journal\":");
            const cJSON *p;
            cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "participants")) {
                const char *q = str_of(p, "pseudonym");
                if (q && strstr(line, q))
                    keep = false;
            }
        } else {
            const cJSON *p;
            cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "participants")) {
                const char *q = str_of(p, "pseudonym");
                if (q && strcmp(q, ps) && strstr(line, q))
                    keep = false;
            }
        }
        if (keep) {
            size_t l = strlen(line);
            memcpy(res + o, line, l);
            o += l;
            res[o++] = '\n';
            (*count)++;
        }
        line = nl + 1;
    }
    err = rg_vaultio_write_atomic(out, "audit.jsonl", res, o, errbuf);
    free(res);
    free(text);
    return err;
}

/* The subject's tracks: from the manifest, or, when a crash left none,
 * from the audit log's capture_start lines (which name the pseudonym). */
static rg_err subject_tracks(const rg_dsr_params *p, const cJSON *m,
                             const char *ps, char ***ids, size_t *n)
{
    if (!m)
        return rg_recdir_audit_tracks(p->recdir, ps, ids, n);
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(m, "tracks")) {
        const char *who = str_of(t, "participant"), *tid = str_of(t, "track");
        if (!who || !tid || strcmp(who, p->participant) || !rg_vaultio_valid_id(tid) ||
            cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "destroyed")))
            continue;
        char **g = realloc(*ids, (*n + 1) * sizeof *g);
        if (!g)
            return RG_ERR_NOMEM;
        *ids = g;
        if (!(g[*n] = strdup(tid)))
            return RG_ERR_NOMEM;
        (*n)++;
    }
    return RG_OK;
}

static rg_err export_tracks(const rg_dsr_params *p, char *const *tids,
                            size_t ntids, const rg_vault_seals *seals,
                            const cJSON *meta, cJSON *list, int *count,
                            char *errbuf)
{
    for (size_t ti = 0; ti < ntids; ti++) {
        const char *tid = tids[ti];
        const cJSON *mt = NULL, *x;
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(meta, "tracks")) {
            const char *id = str_of(x, "id");
            if (id && !strcmp(id, tid))
                mt = x;
        }
        if (mt && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(mt, "destroyed")))
            continue;
        const char *cont = mt && str_of(mt, "container") ? str_of(mt, "container") : "ogg";
        char path[PATH_MAX], name[96];
        snprintf(name, sizeof name, "%s.%s", tid, !strcmp(cont, "webm") ? "webm" : "ogg");
        snprintf(path, sizeof path, "%s/%s", p->out_dir, name);
        rg_vaultio_out o;
        int cut = 0;
        rg_err err = rg_vaultio_out_open(&o, path, errbuf);
        if (err)
            return err;
        err = rg_vault_track_decrypt(p->recdir, tid, p->ids, p->n_ids, seals,
                                     rg_vaultio_out_sink, &o, &cut, errbuf);
        if (err) {
            rg_vaultio_out_abort(&o);
            return err;
        }
        if ((err = rg_vaultio_out_commit(&o, errbuf)))
            return err;
        cJSON *e = cJSON_CreateObject();
        if (!e)
            return RG_ERR_NOMEM;
        cJSON_AddStringToObject(e, "file", name);
        cJSON_AddStringToObject(e, "track", tid);
        if (mt) {
            cJSON_AddItemToObject(e, "offset_ms", cJSON_Duplicate(
                cJSON_GetObjectItemCaseSensitive(mt, "offset_ms"), 1));
            cJSON_AddItemToObject(e, "end_ms", cJSON_Duplicate(
                cJSON_GetObjectItemCaseSensitive(mt, "end_ms"), 1));
        }
        cJSON_AddBoolToObject(e, "cut_short", cut != 0);
        cJSON_AddItemToArray(list, e);
        (*count)++;
    }
    return RG_OK;
}

static rg_err log_event(rg_audit *log, const char *event, const cJSON *meta,
                        const rg_dsr_params *p, const char *ps, int files)
{
    cJSON *f = cJSON_CreateObject();
    if (!f)
        return RG_ERR_NOMEM;
    cJSON_AddStringToObject(f, "recording", rg_recdir_meta_id(meta));
    cJSON_AddStringToObject(f, "by", p->by);
    if (!strcmp(event, "decrypt")) {
        cJSON_AddStringToObject(f, "what", "manifest,tracks");
        cJSON_AddStringToObject(f, "purpose", "access_request");
    } else {
        cJSON_AddStringToObject(f, "to", p->out_dir);
        cJSON_AddStringToObject(f, "format", "dsr");
        cJSON_AddNumberToObject(f, "files", files);
    }
    cJSON_AddStringToObject(f, "participant", ps);
    rg_err err = rg_audit_append(log, event, f, -1, true);
    cJSON_Delete(f);
    return err;
}

rg_err rg_dsr_export(const rg_dsr_params *p, rg_dsr_result *res, char *errbuf)
{
    cJSON *meta = NULL, *m = NULL, *subj = NULL;
    rg_audit *log = NULL;
    rg_vault_seals *seals = NULL;
    char **tids = NULL;
    size_t ntids = 0;
    bool no_manifest = false;
    if (!p || !res || !p->recdir || !p->participant || !*p->participant ||
        !p->ids || !p->n_ids || !p->audit_key || !p->by || !p->out_dir)
        return RG_ERR_ARG;
    memset(res, 0, sizeof *res);
    rg_err err = rg_recdir_load_meta(p->recdir, &meta, errbuf);
    if (err)
        return err;
    if ((err = rg_recdir_audit_check(p->recdir, p->audit_key, NULL, errbuf)) ||
        (err = rg_withdraw_resume(p->recdir, p->ids, p->n_ids, p->audit_key,
                                  NULL, errbuf)) ||
        (err = rg_audit_pseudonym(p->audit_key, p->participant, res->pseudonym)) ||
        (err = rg_vault_seals_load(p->recdir, p->audit_key, &seals, errbuf)))
        goto cleanup;
    const char *ps = res->pseudonym;
    /* Asked before our own lines (which name them) are appended. */
    bool there = rg_recdir_audit_joined(p->recdir, ps);
    if ((err = rg_recdir_audit_open(p->recdir, p->audit_key, &log, errbuf)))
        goto cleanup;
    /* Logged before the first byte is decrypted. */
    if ((err = log_event(log, "decrypt", meta, p, ps, 0))) {
        rg_vaultio_err(errbuf, "cannot log the decryption (%s): refusing",
                       rg_strerror(err));
        goto cleanup;
    }
    err = rg_recdir_read_manifest(p->recdir, p->ids, p->n_ids, &m, errbuf);
    if (err && err != RG_ERR_NOT_FOUND)
        goto cleanup;
    /* No manifest and not deleted: a crash cut the recording short; what
     * survives (audit log, keyring, sealed segments) still answers. */
    no_manifest = err == RG_ERR_NOT_FOUND &&
        !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(meta, "deleted"));
    err = RG_OK;
    const cJSON *who = m ? rg_recdir_participant(m, p->participant) : NULL;
    if (who && (!str_of(who, "pseudonym") || strcmp(str_of(who, "pseudonym"), ps))) {
        rg_vaultio_err(errbuf, "%s: the audit key does not belong to this "
                       "recording (the participant's pseudonym differs)", p->recdir);
        err = RG_ERR_AUTH;
        goto cleanup;
    }
    if (!who) {
        /* Withdrawn or deleted: only the audit entries can be left. */
        if (!there) {
            rg_vaultio_err(errbuf, "participant '%s' is not in recording %s",
                           p->participant, rg_recdir_meta_id(meta));
            err = RG_ERR_NOT_FOUND;
            goto cleanup;
        }
        /* Only say "withdrawn" when the log or the metadata says so. */
        res->withdrawn = !no_manifest || rg_recdir_audit_withdrawn(p->recdir, ps);
    }
    if (!res->withdrawn &&
        (err = subject_tracks(p, m, ps, &tids, &ntids)))
        goto cleanup;
    if ((err = make_out(p->out_dir, errbuf)))
        goto cleanup;
    if (!(subj = cJSON_CreateObject())) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    static const char *const facts[] = {"id", "meeting_type", "legal_basis",
                                        "created", "retention_days", "expires_at"};
    cJSON_AddStringToObject(subj, "format", "recgate-dsr/1");
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++)
        cJSON_AddItemToObject(subj, i ? facts[i] : "recording", cJSON_Duplicate(
            cJSON_GetObjectItemCaseSensitive(meta, facts[i]), 1));
    cJSON *pe = cJSON_AddObjectToObject(subj, "participant");
    if (pe) {
        cJSON_AddStringToObject(pe, "id", p->participant);
        cJSON_AddStringToObject(pe, "pseudonym", ps);
        if (who && str_of(who, "name"))
            cJSON_AddStringToObject(pe, "name", str_of(who, "name"));
        if (who && str_of(who, "role"))
            cJSON_AddStringToObject(pe, "role", str_of(who, "role"));
    }
    cJSON *tl = cJSON_AddArrayToObject(subj, "tracks");
    if (!res->withdrawn && tl &&
        (err = export_tracks(p, tids, ntids, seals, meta, tl, &res->tracks,
                             errbuf)))
        goto cleanup;
    if (who && (err = export_chat(m, p->participant, p->out_dir,
                                  &res->chat_lines, errbuf)))
        goto cleanup;
    if ((err = export_audit(p->recdir, who ? m : NULL, ps, p->out_dir,
                            &res->audit_lines, errbuf)))
        goto cleanup;
    cJSON_AddNumberToObject(subj, "chat_lines", res->chat_lines);
    cJSON_AddNumberToObject(subj, "audit_lines", res->audit_lines);
    if (!who && !res->withdrawn)
        cJSON_AddBoolToObject(subj, "cut_short", true);
    cJSON_AddStringToObject(subj, "note", res->withdrawn
        ? "This participant was withdrawn or the recording deleted: no media, "
          "name or chat is held any more; audit.jsonl lists what the log "
          "records under their pseudonym."
        : !who
        ? "The recording was cut short (crash) before its manifest was "
          "written: it holds no name or chat for anyone. The tracks are those "
          "the audit log's capture_start lines give to this participant's "
          "pseudonym; each is decrypted up to its last sealed segment."
        : "Tracks are Ogg/Opus (play with any audio player); offsets are "
          "milliseconds since the recording bot joined. Other participants' "
          "names are replaced by \"" OTHER "\".");
    if ((err = write_json(p->out_dir, "subject.json", subj, errbuf)))
        goto cleanup;
    if ((err = log_event(log, "export", meta, p, ps,
                         res->tracks + 3)) || (err = rg_audit_checkpoint(log)))
        rg_vaultio_err(errbuf, "cannot log the export (%s)", rg_strerror(err));
cleanup:
    rg_audit_close(log);
    rg_vault_seals_free(seals);
    rg_recdir_free_words(tids, ntids);
    cJSON_Delete(subj);
    cJSON_Delete(m);
    cJSON_Delete(meta);
    return err;
}
