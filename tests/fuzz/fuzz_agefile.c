/* libFuzzer target: the age v1 header parser and STREAM reader.
 *
 * Every input is decrypted with a fixed test identity twice, once in one
 * piece and once in small pieces, and both runs must agree; no input may
 * crash, leak or release more plaintext than it could hold. The seed
 * corpus (corpus/fuzz_agefile/) holds real age files encrypted with `age`
 * and recgate to this identity's recipient
 *   age1qhy8l6wvknjunw296fpj3qfefzsct9rlqz4cq63g2kycrsk3uf3qurm2n8
 * so the fuzzer starts from inputs that get past the header MAC. The
 * identity is a throwaway test key, used for nothing else. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "agefile.h"
#include "agehdr.h"
#include "agekey.h"

#define TEST_IDENTITY \
    "AGE-SECRET-KEY-1W8VA3US8Y4VHWTV3JAHCTEWASF2ZYVZR2VG2SUDPWL2WPR8GU2HQXD7L5H"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct sum {
    size_t bytes;
    uint32_t hash;
} sum;

static rg_err sink(void *ctx, const void *d, size_t len)
{
    sum *s = ctx;
    const uint8_t *p = d;
    for (size_t i = 0; i < len; i++)
        s->hash = s->hash * 31 + p[i];
    s->bytes += len;
    return RG_OK;
}

static rg_err run(const rg_age_identity *id, const uint8_t *data, size_t size,
                  size_t piece, sum *s, char *err)
{
    rg_age_dec *d = NULL;
    rg_err e = rg_age_dec_new(id, 1, sink, s, &d);
    for (size_t off = 0; !e && off < size; off += piece)
        e = rg_age_dec_write(d, data + off,
                             size - off < piece ? size - off : piece, err);
    if (!e)
        e = rg_age_dec_finish(d, err);
    rg_age_dec_free(d);
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rg_age_identity id;
    static int ready;
    char err1[RG_ERRBUF_SIZE] = "", err2[RG_ERRBUF_SIZE] = "";
    if (!ready) {
        if (rg_agekey_identity_parse(TEST_IDENTITY, &id, NULL))
            abort();
        ready = 1;
    }
    sum a = {0, 0}, b = {0, 0};
    rg_err e1 = run(&id, data, size, size ? size : 1, &a, err1);
    rg_err e2 = run(&id, data, size, 1 + size % 61, &b, err2);
    if (e1 != e2 || (e1 == RG_OK && (a.bytes != b.bytes || a.hash != b.hash)))
        abort(); /* split points must not change the verdict */
    if (e1 != RG_OK && err1[0] == '\0')
        abort(); /* every failure names what is wrong */
    if (a.bytes > size)
        abort();
    /* The header parser on its own (structure only, no key). */
    size_t hl = 0;
    if (rg_age_header_find(data, size, &hl, NULL) == RG_OK) {
        rg_age_header *h = malloc(sizeof *h);
        if (h) {
            (void)rg_age_header_parse(data, hl, h, NULL);
            free(h);
        }
    }
    return 0;
}
