/* recgate upload RECDIR... --config FILE [--audit-key FILE] [--max-seconds N]
 *                          [--delete [--track ID]] [--status]
 * Resume or finish the uploads of recordings from their journals (after a
 * crash, or when a destination was down at the end of the meeting), or
 * delete their remote copies (purge / withdrawal). Every attempt is written
 * to the recording's audit log. Exit 0 only when nothing is left to do. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <errno.h>
#include <unistd.h>
#include "audit.h"
#include "cli.h"
#include "retention.h"
#include "upjournal.h"
#include "policy.h"
#include "uploader.h"
#include "fileio.h"

typedef struct cli_ctx {
    rg_audit *log;
    const char *recid;
    rg_err err;
    bool quiet;
} cli_ctx;

static void on_event(void *ctx, const rg_upload_event *e)
{
    cli_ctx *c = ctx;
    if (c->log) {
        rg_err err = rg_uploader_audit(c->log, c->recid, e);
        if (err && !c->err)
            c->err = err;
    }
    if (!c->quiet || !e->ok)
        fprintf(stderr, "recgate upload: %s %s %s -> %s (%s)%s%s\n",
                e->ok ? "ok" : "FAILED", e->is_delete ? "delete" : "put",
                e->file, e->dest, e->region, e->ok ? "" : ": ", e->ok ? "" : e->error);
}

static int usage(void)
{
    fputs(RG_USAGE_upload, stderr);
    return 2;
}

/* A purged recording's remote deletes live on in
 * DIR/.remote-deletes/NAME (retention.h): RECDIR may name the folder that
 * is gone, or the parked one. Returns true and fills pend/purgelog then. */
static bool parked(const char *recdir, char *pend, size_t np, char *purgelog,
                   size_t nl)
{
    char d[4096], *slash;
    snprintf(d, sizeof d, "%s", recdir);
    size_t n = strlen(d);
    while (n > 1 && d[n - 1] == '/')
        d[--n] = '\0';
    const char *base = (slash = strrchr(d, '/')) ? slash + 1 : d;
    char parent[4096];
    snprintf(parent, sizeof parent, "%.*s", slash ? (int)(slash - d) : 1,
             slash ? d : ".");
    size_t pl = strlen(parent), kl = strlen(RG_PURGE_PENDING_DIR);
    if (pl >= kl && !strcmp(parent + pl - kl, RG_PURGE_PENDING_DIR) &&
        (pl == kl || parent[pl - kl - 1] == '/')) {
        /* given the parked folder itself */
        snprintf(pend, np, "%s", d);
        snprintf(purgelog, nl, "%.*s%s", (int)(pl - kl), parent,
                 pl == kl ? "./purge.log" : "purge.log");
        return access(pend, F_OK) == 0;
    }
    if (access(d, F_OK) == 0)
        return false;
    snprintf(pend, np, "%s/%s/%s", parent, RG_PURGE_PENDING_DIR, base);
    snprintf(purgelog, nl, "%s/purge.log", parent);
    return access(pend, F_OK) == 0;
}

static int one(const rg_policy *pol, const char *recdir, const uint8_t *key,
               long long max_ms, bool del, const char *track, bool status_only,
               bool quiet)
{
    char errbuf[RG_ERRBUF_SIZE] = "", pend[4096], logpath[4096];
    rg_uploader *up = NULL;
    rg_audit *log = NULL;
    int rc = 1;
    long long t0 = rg_vaultio_now_ms();
    bool is_parked = parked(recdir, pend, sizeof pend, logpath, sizeof logpath);
    if (is_parked) {
        /* The folder was purged: only its remote deletes are left, and
         * their attempts go to the purge log. */
        recdir = pend;
        del = true;
        track = NULL;
    } else {
        snprintf(logpath, sizeof logpath, "%s/audit.log", recdir);
    }
    rg_err err = rg_uploader_new(pol, recdir, &up, errbuf);
    if (err)
        goto out;
    cli_ctx c = {NULL, rg_uploader_recid(up), RG_OK, quiet};
    char probs[300];
    rg_uploader_problems(up, probs, sizeof probs);
    if (probs[0])
        fprintf(stderr, "recgate upload: %s/%s: %s: the affected transfers are "
                "redone; a lost delete_wanted must be given again (--delete)\n",
                recdir, RG_UPJ_NAME, probs);
    if (!status_only) {
        char path[4096];
        snprintf(path, sizeof path, "%s", logpath);
        /* Refuses a tampered log, and a recording still in progress (its
         * log is locked by the running meeting). */
        if ((err = rg_audit_open(path, key, &log, errbuf)))
            goto out;
        c.log = log;
        if (del && (err = rg_uploader_want_delete(up, track)))
            goto out;
        if (!del && (err = rg_uploader_queue_all(up, true, false, errbuf)))
            goto out;
        rg_uploader_run(up, max_ms, on_event, &c);
        err = rg_audit_checkpoint(log);
        if (!err)
            err = c.err;
        if (err) {
            rg_vaultio_err(errbuf, "%s/audit.log: cannot write: %s", recdir,
                           rg_strerror(err));
            goto out;
        }
        /* Then the log itself (its own upload is in the journal only). */
        long long left = max_ms - (rg_vaultio_now_ms() - t0);
        if (!del && left > 0 && rg_uploader_queue_all(up, false, true, errbuf) == RG_OK) {
            c.log = NULL; /* --max-seconds is a hard limit: no extra time */
            rg_uploader_run(up, left, on_event, &c);
        }
    }
    rg_upload_status st;
    rg_uploader_status(up, &st);
    printf("%s: %zu files, %zu confirmed, %zu pending, %zu remote deleted, "
           "%zu missing, %zu removed locally%s%s\n", recdir, st.files, st.done,
           st.pending, st.deleted, st.missing, st.local_removed,
           is_parked ? " (purged locally; remote deletes pending" : "",
           is_parked ? (st.pending ? ")" : ": none left)") : "");
    if (is_parked && !st.pending && !status_only && !err) {
        /* Proven: the parked record has done its job. */
        char jp[4200];
        snprintf(jp, sizeof jp, "%s/%s", recdir, RG_UPJ_NAME);
        rg_uploader_free(up);
        up = NULL;
        if ((unlink(jp) == 0 || errno == ENOENT) && rmdir(recdir) == 0)
            printf("%s: every remote copy proven deleted; pending record removed\n",
                   recdir);
    }
    rc = st.pending || st.missing || probs[0] ? 1 : 0;
    if (st.pending)
        fprintf(stderr, "recgate upload: %s: %zu transfers still pending; the "
                "journal keeps them: run recgate upload again\n", recdir, st.pending);
out:
    if (err)
        fprintf(stderr, "recgate upload: %s\n", errbuf[0] ? errbuf : rg_strerror(err));
    rg_audit_close(log);
    rg_uploader_free(up);
    return rc;
}

int rg_cmd_upload(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"audit-key", required_argument, NULL, 'k'},
        {"max-seconds", required_argument, NULL, 'm'},
        {"delete", no_argument, NULL, 'd'},
        {"track", required_argument, NULL, 't'},
        {"status", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *keyfile = NULL, *track = NULL;
    long long max_s = 600;
    bool del = false, status_only = false, quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'k': keyfile = optarg; break;
        case 'm': {
            char *end;
            max_s = strtoll(optarg, &end, 10);
            if (*end || max_s < 0 || max_s > 86400 * 30) {
                fprintf(stderr, "recgate upload: --max-seconds: expected 0..2592000, got '%s'\n", optarg);
                return 2;
            }
            break;
        }
        case 'd': del = true; break;
        case 't': track = optarg; break;
        case 's': status_only = true; break;
        case 'q': quiet = true; break;
        case 'h': fputs(RG_USAGE_upload, stdout); return 0;
        default: return usage();
        }
    }
    if (!config || optind >= argc) {
        fprintf(stderr, "recgate upload: --config and at least one RECDIR are required\n");
        return usage();
    }
    if (track && (!del || !rg_vaultio_valid_id(track))) {
        fprintf(stderr, "recgate upload: --track needs --delete and a track id like t1\n");
        return 2;
    }
    char errbuf[RG_ERRBUF_SIZE] = "";
    rg_policy *pol = NULL;
    uint8_t key[RG_AUDIT_KEY_LEN];
    int status = 1;
    if (rg_policy_load(config, &pol, errbuf)) {
        fprintf(stderr, "recgate upload: %s\n", errbuf);
        return 1;
    }
    if (!pol->n_upload_dests) {
        fprintf(stderr, "recgate upload: %s: no upload.destinations\n", config);
        goto out;
    }
    if (!keyfile)
        keyfile = pol->audit_key_file;
    if (!status_only) {
        if (!keyfile) {
            fprintf(stderr, "recgate upload: needs the audit key (--audit-key FILE or "
                            "audit.key_file): every attempt is audited\n");
            goto out;
        }
        if (rg_audit_key_load(keyfile, key, errbuf)) {
            fprintf(stderr, "recgate upload: %s\n", errbuf);
            goto out;
        }
    }
    status = 0;
    for (int i = optind; i < argc; i++)
        if (one(pol, argv[i], key, max_s * 1000, del, track, status_only, quiet))
            status = 1;
out:
    OPENSSL_cleanse(key, sizeof key);
    rg_policy_free(pol);
    return status;
}
