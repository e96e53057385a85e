/* recgate keygen -o FILE: new age X25519 identity, recipient on stdout. */
#include <stdio.h>
#include <string.h>
#include "agekey.h"
#include "cli.h"

int rg_cmd_keygen(int argc, char **argv)
{
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) &&
            i + 1 < argc)
            out = argv[++i];
        else {
            fputs(RG_USAGE_keygen, stderr);
            return 2;
        }
    }
    if (!out) {
        fputs(RG_USAGE_keygen, stderr);
        return 2;
    }
    rg_age_identity id;
    rg_age_recipient r;
    char rcpt[RG_AGE_RECIPIENT_STRLEN + 1], err[RG_ERRBUF_SIZE] = "";
    int rc = 1;
    if (rg_agekey_generate(&id)) {
        fprintf(stderr, "recgate keygen: key generation failed\n");
        goto cleanup;
    }
    memcpy(r.pk, id.pk, sizeof r.pk);
    if (rg_agekey_recipient_format(&r, rcpt, sizeof rcpt) ||
        rg_agekey_write_identity_file(out, &id, err)) {
        fprintf(stderr, "recgate keygen: %s\n", err[0] ? err : "failed");
        goto cleanup;
    }
    printf("%s\n", rcpt);
    rc = 0;
cleanup:
    rg_agekey_wipe(&id);
    return rc;
}
