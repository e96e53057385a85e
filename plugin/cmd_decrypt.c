/* recgate decrypt FILE --identity FILE [--identity FILE...] -o OUT
 *
 * OUT appears only once the whole file authenticated: we decrypt into a
 * private temp file beside it and rename on success, delete on failure.
 * With -o - plaintext streams to stdout chunk by chunk (each chunk is
 * authenticated), and a failure exits 1 saying the output is incomplete. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agefile.h"
#include "agekey.h"
#include "cli.h"

static rg_err fd_sink(void *ctx, const void *data, size_t len)
{
    int fd = *(int *)ctx;
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return RG_ERR_IO;
        p += w;
        len -= (size_t)w;
    }
    return RG_OK;
}

static int usage(void)
{
    fprintf(stderr,
            "usage: recgate decrypt FILE --identity FILE [--identity FILE] "
            "-o OUT|-\n");
    return 2;
}

int rg_cmd_decrypt(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *idpaths[16];
    size_t nid = 0;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-i") || !strcmp(argv[i], "--identity")) &&
            i + 1 < argc && nid < 16)
            idpaths[nid++] = argv[++i];
        else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) &&
                 i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1])
            return usage();
        else if (!in)
            in = argv[i];
        else
            return usage();
    }
    if (!in || !out || nid == 0)
        return usage();

    rg_age_identity *ids = NULL;
    size_t n = 0;
    char err[RG_ERRBUF_SIZE] = "", *tmp = NULL;
    int rc = 1, fd = -1;
    for (size_t k = 0; k < nid; k++) {
        rg_age_identity *one = NULL, *all;
        size_t m = 0;
        if (rg_agekey_load_identities(idpaths[k], &one, &m, err)) {
            fprintf(stderr, "recgate decrypt: %s\n", err);
            goto cleanup;
        }
        all = calloc(n + m, sizeof *all);
        if (!all) {
            rg_agekey_free_identities(one, m);
            goto cleanup;
        }
        if (ids)
            memcpy(all, ids, n * sizeof *ids);
        memcpy(all + n, one, m * sizeof *one);
        rg_agekey_free_identities(ids, n);
        rg_agekey_free_identities(one, m);
        ids = all;
        n += m;
    }
    if (!strcmp(out, "-")) {
        fd = STDOUT_FILENO;
        if (rg_age_decrypt_file(in, ids, n, fd_sink, &fd, err)) {
            fprintf(stderr, "recgate decrypt: %s\nrecgate decrypt: output on "
                    "stdout is INCOMPLETE and must be discarded\n", err);
            goto cleanup;
        }
        rc = 0;
        goto cleanup;
    }
    size_t tl = strlen(out) + 16;
    if (!(tmp = malloc(tl)))
        goto cleanup;
    snprintf(tmp, tl, "%s.XXXXXX", out);
    if ((fd = mkstemp(tmp)) < 0) {
        fprintf(stderr, "recgate decrypt: %s: cannot create: %s\n", out,
                strerror(errno));
        goto cleanup;
    }
    if (rg_age_decrypt_file(in, ids, n, fd_sink, &fd, err)) {
        fprintf(stderr, "recgate decrypt: %s\nrecgate decrypt: nothing "
                "written to %s\n", err, out);
        unlink(tmp);
        goto cleanup;
    }
    if (fsync(fd) != 0 || rename(tmp, out) != 0) {
        fprintf(stderr, "recgate decrypt: %s: %s\n", out, strerror(errno));
        unlink(tmp);
        goto cleanup;
    }
    rc = 0;
cleanup:
    if (fd > STDOUT_FILENO)
        close(fd);
    free(tmp);
    rg_agekey_free_identities(ids, n);
    return rc;
}
