/* libFuzzer target: rg_upload_s3_parse_list (an S3 ListObjectsV2 answer,
 * i.e. what a remote server says is stored) must never crash, leak or
 * read out of bounds; a truncated listing always comes with a token. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "upload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rg_err count(void *ctx, const char *key)
{
    (*(size_t *)ctx)++;
    return key ? RG_OK : RG_ERR_ARG;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char token[1100];
    bool truncated = false;
    size_t n = 0;
    rg_err e = rg_upload_s3_parse_list((const char *)data, size, count, &n,
                                       &truncated, token, sizeof token);
    if (e == RG_OK && truncated && !token[0])
        abort();
    return 0;
}
