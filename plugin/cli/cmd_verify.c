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

/* Media that never arrived is not damage, but it is never hidden either:
 * one note per track that lost or concealed frames (recording.json), and
 * the total. */
static unsigned long long print_loss(const char *dir)
{
    cJSON *meta = NULL;
    unsigned long long total = 0;
    if (rg_recdir_load_meta(dir, &meta, NULL))
        return 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(meta, "tracks")) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(t, "id");
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(t, "frames_lost");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(t, "frames_concealed");
        unsigned long long lost = cJSON_IsNumber(l) && l->valuedouble > 0
                                      ? (unsigned long long)l->valuedouble : 0;
        unsigned long long conc = cJSON_IsNumber(c) && c->valuedouble > 0
                                      ? (unsigned long long)c->valuedouble : 0;
        if (!lost && !conc)
            continue;
        printf("note: track %s: %llu frame(s) lost in transmission, %llu x 20 ms "
               "concealed with silence\n", cJSON_IsString(id) ? id->valuestring : "?",
               lost, conc);
        total += lost;
    }
    cJSON_Delete(meta);
    return total;
}

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
    unsigned long long lost = print_loss(dir);
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
    if (lost)
        printf(", %llu frame(s) lost in transmission", lost);
    printf("\n");
    rc = rep.problems ? 1 : 0;
    rg_vault_report_free(&rep);
cleanup:
    rg_agekey_free_identities(ids, n);
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}
