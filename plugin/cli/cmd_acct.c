/* Shared option parsing for the accountability commands (cmd_acct.h). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <cjson/cJSON.h>
#include "cmd_acct.h"
#include "recdir.h"
#include "uploader.h"

static bool allowed_opt(const char *allowed, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = allowed; p && *p;) {
        const char *e = strchr(p, ',');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k == n && !strncmp(p, name, n))
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

static int usage_err(const rg_acct_opts *o, const char *usage, const char *fmt,
                     const char *arg)
{
    fprintf(stderr, "recgate %s: ", o->cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return 2;
}

int rg_acct_parse(rg_acct_opts *o, const char *cmd, int argc, char **argv,
                  const char *allowed, int npos, const char *usage)
{
    static const struct { const char *name; size_t off; } opts[] = {
        {"participant", offsetof(rg_acct_opts, participant)},
        {"mode", offsetof(rg_acct_opts, mode)},
        {"audit-key", offsetof(rg_acct_opts, audit_key)},
        {"config", offsetof(rg_acct_opts, config)},
        {"by", offsetof(rg_acct_opts, by)},
        {"output", offsetof(rg_acct_opts, out)},
        {"reason", offsetof(rg_acct_opts, reason)},
        {"until", offsetof(rg_acct_opts, until)},
        {"now", offsetof(rg_acct_opts, now)},
    };
    memset(o, 0, sizeof *o);
    o->cmd = cmd;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            if (o->npos >= npos)
                return usage_err(o, usage, "unexpected argument '%s'", a);
            o->pos[o->npos++] = a;
            continue;
        }
        const char *name = !strcmp(a, "-o") ? "output"
                         : !strcmp(a, "-i") ? "identity"
                         : !strncmp(a, "--", 2) ? a + 2 : a;
        if (!allowed_opt(allowed, name))
            return usage_err(o, usage, "unknown option '%s'", a);
        if (!strcmp(name, "dry-run")) {
            o->dry_run = true;
            continue;
        }
        if (i + 1 >= argc || !argv[i + 1][0])
            return usage_err(o, usage, "option '%s' needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(name, "identity")) {
            if (o->nid >= RG_ACCT_MAX_IDS)
                return usage_err(o, usage, "too many %s options", a);
            o->idpaths[o->nid++] = v;
            continue;
        }
        for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++)
            if (!strcmp(name, opts[k].name)) {
                const char **slot = (const char **)((char *)o + opts[k].off);
                if (*slot)
                    return usage_err(o, usage, "option '%s' given twice", a);
                *slot = v;
            }
    }
    if (o->npos < npos)
        return usage_err(o, usage, "%s", npos == 1 ? "missing the folder argument"
                                                   : "missing arguments");
    return 0;
}

int rg_acct_fail(const rg_acct_opts *o, rg_err err, const char *msg)
{
    fprintf(stderr, "recgate %s: %s\n", o->cmd,
            msg && *msg ? msg : rg_strerror(err));
    return 1;
}

int rg_acct_load_ids(rg_acct_opts *o)
{
    char err[RG_ERRBUF_SIZE] = "";
    for (int k = 0; k < o->nid; k++) {
        rg_age_identity *one = NULL, *all;
        size_t m = 0;
        rg_err e = rg_agekey_load_identities(o->idpaths[k], &one, &m, err);
        if (e)
            return rg_acct_fail(o, e, err);
        if (!(all = calloc(o->n_ids + m, sizeof *all))) {
            rg_agekey_free_identities(one, m);
            return rg_acct_fail(o, RG_ERR_NOMEM, NULL);
        }
        if (o->ids)
            memcpy(all, o->ids, o->n_ids * sizeof *all);
        memcpy(all + o->n_ids, one, m * sizeof *one);
        rg_agekey_free_identities(o->ids, o->n_ids);
        rg_agekey_free_identities(one, m);
        o->ids = all;
        o->n_ids += m;
    }
    return 0;
}

int rg_acct_load_key(rg_acct_opts *o)
{
    char err[RG_ERRBUF_SIZE] = "";
    rg_err e = rg_recdir_audit_key(o->audit_key, o->config, o->key, err);
    if (e)
        return rg_acct_fail(o, e, err);
    /* The policy also says where remote copies are (upload). */
    if (o->config && (e = rg_policy_load(o->config, &o->policy, err)))
        return rg_acct_fail(o, e, err);
    rg_recdir_by(o->by, o->byname);
    return 0;
}

void rg_acct_free(rg_acct_opts *o)
{
    rg_agekey_free_identities(o->ids, o->n_ids);
    o->ids = NULL;
    o->n_ids = 0;
    OPENSSL_cleanse(o->key, sizeof o->key);
    rg_policy_free(o->policy);
    o->policy = NULL;
}

int rg_acct_remote_delete(rg_acct_opts *o, const char *recdir, bool whole)
{
    if (!o->policy || o->policy->n_upload_dests == 0)
        return 0;
    char err[RG_ERRBUF_SIZE] = "", path[4096];
    const char *tracks[256];
    size_t n = 0;
    cJSON *meta = NULL;
    if (!whole && rg_recdir_load_meta(recdir, &meta, err) == RG_OK) {
        const cJSON *t;
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(meta, "tracks")) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "id");
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "destroyed")) &&
                cJSON_IsString(id) && n < sizeof tracks / sizeof tracks[0])
                tracks[n++] = id->valuestring;
        }
    }
    rg_audit *log = NULL;
    snprintf(path, sizeof path, "%s/audit.log", recdir);
    rg_err e = rg_audit_open(path, o->key, &log, err);
    /* Anonymised: even without a destroyed track the remote manifest
     * names the person, so it is replaced. */
    if (!e)
        e = rg_upload_delete_remote(o->policy, recdir, tracks, n, !whole, log,
                                    60000, err);
    if (log) {
        (void)rg_audit_checkpoint(log);
        rg_audit_close(log);
    }
    cJSON_Delete(meta);
    if (e) {
        fprintf(stderr, "recgate %s: remote copies: %s\n", o->cmd,
                err[0] ? err : rg_strerror(e));
        return 1;
    }
    if (whole)
        printf("%s: remote copies deleted from every destination (each "
               "DELETE answered, the recording's folder proven empty)\n", recdir);
    else
        printf("%s: remote copies of %zu withdrawn track(s) deleted (proven "
               "empty) and the manifest replaced by the anonymised one "
               "(read back) on every destination\n", recdir, n);
    return 0;
}

int rg_acct_remote_check(rg_acct_opts *o, const char *recdir)
{
    char names[400];
    if ((o->policy && o->policy->n_upload_dests) ||
        !rg_upload_remote_copies(recdir, names, sizeof names))
        return 0;
    fprintf(stderr, "recgate %s: %s has copies on upload destinations (%s) "
            "that this command would leave behind: give --config FILE (the "
            "policy naming those destinations) so they are deleted too; "
            "nothing was done\n", o->cmd, recdir, names);
    return 1;
}
