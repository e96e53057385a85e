/* recgate export RECDIR --identity FILE -o OUT [--participant ID]
 *                [--track ID] [--partial] [--audit-key FILE | --config FILE]
 *                [--by NAME]
 *
 * Mixes the recording (or one participant's tracks) into one Ogg/Opus
 * file, or with --track writes one track's decrypted stream as recorded
 * (OUT may then be "-"). Refuses without the audit key: every decryption
 * is logged in RECDIR/audit.log first (plugin/export.h). */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "cli.h"
#include "export.h"
#include "policy.h"

#define MAX_IDFILES 16

static int usage(void)
{
    fputs(RG_USAGE_export, stderr);
    return 2;
}

static void on_note(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "recgate export: %s\n", line);
}

/* A bar on the terminal: "export [#######.............]  35%". */
static void on_progress(void *ctx, double f)
{
    (void)ctx;
    int w = 30, filled = (int)(f * w + 0.5);
    char bar[64];
    for (int i = 0; i < w; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[w] = '\0';
    fprintf(stderr, "\rexport [%s] %3d%%%s", bar, (int)(f * 100 + 0.5),
            f >= 1.0 ? "\n" : "");
    fflush(stderr);
}

/* Who exports, for the audit log: the login name, else the account. */
static void login_name(char *out, size_t n)
{
    if (getlogin_r(out, n) == 0 && out[0])
        return;
    struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name)
        snprintf(out, n, "%s", pw->pw_name);
    else
        snprintf(out, n, "uid %u", (unsigned)geteuid());
}

static rg_err audit_key(const char *keyfile, const char *config,
                        uint8_t key[RG_AUDIT_KEY_LEN], char *err)
{
    rg_policy *pol = NULL;
    if (!keyfile && config) {
        rg_err e = rg_policy_load(config, &pol, err);
        if (e)
            return e;
        if (!pol->audit_key_file) {
            snprintf(err, RG_ERRBUF_SIZE, "%s: no audit.key_file: the export "
                     "must be logged (or give --audit-key FILE)", config);
            rg_policy_free(pol);
            return RG_ERR_CONFIG;
        }
        keyfile = pol->audit_key_file;
    }
    rg_err e = rg_audit_key_load(keyfile, key, err);
    rg_policy_free(pol);
    return e;
}

int rg_cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"identity", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {"participant", required_argument, NULL, 'p'},
        {"track", required_argument, NULL, 't'},
        {"partial", no_argument, NULL, 'P'},
        {"audit-key", required_argument, NULL, 'k'},
        {"config", required_argument, NULL, 'c'},
        {"by", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *idpaths[MAX_IDFILES], *keyfile = NULL, *config = NULL;
    size_t nid = 0;
    char by[256] = "";
    rg_export_params p = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (nid == MAX_IDFILES) {
                fprintf(stderr, "recgate export: too many --identity (max %d)\n",
                        MAX_IDFILES);
                return 2;
            }
            idpaths[nid++] = optarg;
            break;
        case 'o': p.out = optarg; break;
        case 'p': p.participant = optarg; break;
        case 't': p.track = optarg; break;
        case 'P': p.partial = 1; break;
        case 'k': keyfile = optarg; break;
        case 'c': config = optarg; break;
        case 'b': snprintf(by, sizeof by, "%s", optarg); break;
        case 'h': fputs(RG_USAGE_export, stdout); return 0;
        default: return usage();
        }
    }
    if (argc - optind != 1) {
        if (argc - optind == 2)
            fprintf(stderr, "recgate export: one RECDIR expected (a single "
                    "track: --track %s)\n", argv[optind + 1]);
        else
            fprintf(stderr, "recgate export: one RECDIR expected\n");
        return usage();
    }
    if (!p.out || !nid) {
        fprintf(stderr, "recgate export: --identity and -o are required\n");
        return usage();
    }
    if (p.track && p.participant) {
        fprintf(stderr, "recgate export: --track and --participant exclude "
                "each other\n");
        return usage();
    }
    if (!p.track && !strcmp(p.out, "-")) {
        fprintf(stderr, "recgate export: the mixed export needs a file for "
                "-o (stdout only with --track)\n");
        return usage();
    }
    if (!keyfile && !config) {
        fprintf(stderr, "recgate export: refusing: every decryption must be "
                "logged; give the audit key with --audit-key FILE or --config "
                "FILE (audit.key_file)\n");
        return 1;
    }
    p.recdir = argv[optind];
    if (!by[0])
        login_name(by, sizeof by);
    p.by = by;
    uint8_t key[RG_AUDIT_KEY_LEN];
    char err[RG_ERRBUF_SIZE] = "";
    rg_age_identity *ids = NULL;
    size_t n = 0;
    int rc = 1;
    rg_err e = audit_key(keyfile, config, key, err);
    if (e) {
        fprintf(stderr, "recgate export: %s\n", err[0] ? err : rg_strerror(e));
        fprintf(stderr, "recgate export: refusing: the export cannot be "
                "logged; nothing decrypted\n");
        goto cleanup;
    }
    if (rg_cli_load_identities("export", idpaths, nid, &ids, &n))
        goto cleanup;
    p.ids = ids;
    p.n_ids = n;
    p.audit_key = key;
    p.note = on_note;
    if (!p.track && isatty(STDERR_FILENO))
        p.progress = on_progress;
    rg_export_result res;
    e = rg_export_run(&p, &res, err);
    if (e) {
        if (p.progress)
            fputc('\n', stderr);
        fprintf(stderr, "recgate export: %s\n", err[0] ? err : rg_strerror(e));
        if (!strcmp(p.out, "-"))
            fprintf(stderr, "recgate export: output on stdout is INCOMPLETE "
                    "and must be discarded\n");
        else
            fprintf(stderr, "recgate export: nothing written to %s\n", p.out);
        goto cleanup;
    }
    if (p.track)
        fprintf(stderr, "recgate export: track %s of %s -> %s\n", p.track,
                res.recording, p.out);
    else
        fprintf(stderr, "recgate export: %zu track%s of %s mixed -> %s "
                "(%.3f s)\n", res.tracks, res.tracks == 1 ? "" : "s",
                res.recording, p.out, (double)res.span_ms / 1000.0);
    if (res.cut_short)
        fprintf(stderr, "recgate export: warning: %zu track%s cut short: at "
                "most %.0f s of media missing at the end (per track); %s "
                "holds only what was sealed\n", res.cut_short, res.cut_short == 1 ? " was" : "s were",
                (double)res.missing_ms / 1000.0, p.out);
    rc = 0;
cleanup:
    OPENSSL_cleanse(key, sizeof key);
    rg_agekey_free_identities(ids, n);
    return rc;
}
