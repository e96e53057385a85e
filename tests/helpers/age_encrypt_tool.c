/* Test helper: encrypt stdin to stdout with recgate's age writer.
 *   age_encrypt_tool age1... [age1...] < plain > file.age
 * Used by the interop tests so that `age -d` reads what recgate wrote. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "agefile.h"
#include "agekey.h"

static rg_err out_sink(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    return fwrite(data, 1, len, stdout) == len ? RG_OK : RG_ERR_IO;
}

int main(int argc, char **argv)
{
    rg_age_recipient r[16];
    char err[RG_ERRBUF_SIZE];
    int n = 0;
    if (argc < 2 || argc > 17) {
        fprintf(stderr, "usage: age_encrypt_tool RECIPIENT... <in >out\n");
        return 2;
    }
    for (int i = 1; i < argc; i++, n++)
        if (rg_agekey_recipient_parse(argv[i], &r[n], err)) {
            fprintf(stderr, "age_encrypt_tool: %s\n", err);
            return 1;
        }
    rg_age_enc *e = NULL;
    static unsigned char buf[100000];
    size_t got;
    if (rg_age_enc_new(r, (size_t)n, out_sink, NULL, &e))
        return 1;
    while ((got = fread(buf, 1, sizeof buf, stdin)) > 0)
        if (rg_age_enc_write(e, buf, got))
            return 1;
    int rc = rg_age_enc_finish(e) || fflush(stdout) ? 1 : 0;
    rg_age_enc_free(e);
    return rc;
}
