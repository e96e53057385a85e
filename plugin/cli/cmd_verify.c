/* recgate verify RECDIR [--identity FILE] [--audit-key FILE | --config FILE]:
 * one line per problem, exit 0 only if the recording is intact (with an
 * identity: every tag checked; with the audit key: every segment is one
 * the recorder sealed and logged). */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "agekey.h"
#include "cli.h"
#include "recdir.h"
#include "vault.h"


int rg_cmd_verify(int argc, char **argv)
{
    const char *dir = NULL, *idpath = NULL, *keyfile = NULL, *config = NULL;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-i") || !strcmp(argv[i], "--identity")) &&
            i + 1 < argc)
            idpath = argv[++i];
        else if (!strcmp(argv[i], "--audit-key") && i + 1 < argc)
            keyfile = argv[++i];
        else if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[++i];
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else {
            fputs(RG_USAGE_verify, stderr);
            return 2;
        }
    }
    if (!dir) {
        fputs(RG_USAGE_verify, stderr);
        return 2;
    }
    uint8_t key[RG_AUDIT_KEY_LEN];
    int have_key = 0;
    char kerr[RG_ERRBUF_SIZE] = "";
    if (keyfile || config) {
        if (rg_recdir_audit_key(keyfile, config, key, kerr)) {
            fprintf(stderr, "recgate verify: %s\n", kerr);
            return 1;
        }
        have_key = 1;
    }
    rg_age_identity *ids = NULL;
    size_t n = 0;
    char err[RG_ERRBUF_SIZE] = "";
    rg_vault_report rep;
    int rc = 1;
    if (idpath && rg_agekey_load_identities(idpath, &ids, &n, err)) {
        fprintf(stderr, "recgate verify: %s\n", err);
        return 1;
    }
    if (rg_vault_verify_bound(dir, ids, n, have_key ? key : NULL, &rep, err)) {
        fprintf(stderr, "recgate verify: %s\n", err);
        goto cleanup;
    }
    for (size_t i = 0; i < rep.nlines; i++)
        printf("%s%s\n", rep.lines[i].problem ? "" : "note: ",
               rep.lines[i].text);
    printf("%s: %zu tracks, %zu of %zu segments intact, %zu problems%s",
           dir, rep.tracks, rep.segments_ok, rep.segments, rep.problems,
           ids ? ", every tag checked" : " (structure and checksums only; "
                                         "pass --identity to check tags)");
    printf("%s", have_key ? ", every segment checked against the audit "
                            "log's seals"
                          : "; segments not checked against the audit log "
                            "(pass --audit-key to detect forged segments)");
    if (rep.lost_ms_max)
        printf(", up to %.3f s of media lost", (double)rep.lost_ms_max / 1000);
    printf("\n");
    rc = rep.problems ? 1 : 0;
    rg_vault_report_free(&rep);
cleanup:
    rg_agekey_free_identities(ids, n);
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}
