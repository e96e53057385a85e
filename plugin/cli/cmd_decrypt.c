/* recgate decrypt FILE --identity FILE [--identity FILE...] -o OUT
 *
 * OUT appears only once everything authenticated: we decrypt into a
 * private temp file beside it and rename on success, delete on failure.
 * With -o - plaintext streams to stdout chunk by chunk (each chunk is
 * authenticated), and a failure exits 1 saying the output is incomplete.
 * (Whole recordings and tracks: recgate export, plugin/cmd_export.c.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agefile.h"
#include "agekey.h"
#include "cli.h"
#include "fileio.h"

#define MAX_IDFILES 16

rg_err rg_cli_load_identities(const char *cmd, const char *const *paths,
                              size_t np, rg_age_identity **ids, size_t *n)
{
    char err[RG_ERRBUF_SIZE] = "";
    *ids = NULL;
    *n = 0;
    for (size_t k = 0; k < np; k++) {
        rg_age_identity *one = NULL, *all;
        size_t m = 0;
        rg_err e = rg_agekey_load_identities(paths[k], &one, &m, err);
        if (e) {
            fprintf(stderr, "recgate %s: %s\n", cmd, err);
            return e;
        }
        if (!(all = calloc(*n + m, sizeof *all))) {
            rg_agekey_free_identities(one, m);
            return RG_ERR_NOMEM;
        }
        if (*ids)
            memcpy(all, *ids, *n * sizeof **ids);
        memcpy(all + *n, one, m * sizeof *one);
        rg_agekey_free_identities(*ids, *n);
        rg_agekey_free_identities(one, m);
        *ids = all;
        *n += m;
    }
    return RG_OK;
}

int rg_cmd_decrypt(int argc, char **argv)
{
    const char *cmd = "decrypt";
    const char *pos[1] = {NULL}, *out = NULL, *idpaths[MAX_IDFILES];
    size_t nid = 0, np = 0, npos = 1;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-i") || !strcmp(argv[i], "--identity")) &&
            i + 1 < argc && nid < MAX_IDFILES)
            idpaths[nid++] = argv[++i];
        else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) &&
                 i + 1 < argc)
            out = argv[++i];
        else if ((argv[i][0] != '-' || !argv[i][1]) && np < npos)
            pos[np++] = argv[i];
        else
            np = npos + 1;
    }
    if (np != npos || !out || nid == 0) {
        fputs(RG_USAGE_decrypt, stderr);
        return 2;
    }
    rg_age_identity *ids = NULL;
    size_t n = 0;
    char err[RG_ERRBUF_SIZE] = "";
    rg_vaultio_out o;
    int rc = 1;
    if (rg_cli_load_identities(cmd, idpaths, nid, &ids, &n))
        goto cleanup;
    if (rg_vaultio_out_open(&o, out, err)) {
        fprintf(stderr, "recgate %s: %s\n", cmd, err);
        goto cleanup;
    }
    rg_err e = rg_age_decrypt_file(pos[0], ids, n, rg_vaultio_out_sink, &o, err);
    if (e) {
        rg_vaultio_out_abort(&o);
        fprintf(stderr, "recgate %s: %s\n", cmd, err[0] ? err : rg_strerror(e));
        if (!strcmp(out, "-"))
            fprintf(stderr, "recgate %s: output on stdout is INCOMPLETE and "
                    "must be discarded\n", cmd);
        else
            fprintf(stderr, "recgate %s: nothing written to %s\n", cmd, out);
        goto cleanup;
    }
    if (rg_vaultio_out_commit(&o, err)) {
        fprintf(stderr, "recgate %s: %s\n", cmd, err);
        goto cleanup;
    }
    rc = 0;
cleanup:
    rg_agekey_free_identities(ids, n);
    return rc;
}
