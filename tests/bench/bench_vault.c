/* Vault encryption throughput against OpenSSL's own ChaCha20-Poly1305,
 * measured in the same run, interleaved with ours (twice each, means):
 *   openssl speed -evp chacha20-poly1305 -bytes 65536 -seconds 3 -mr
 * We print our MB/s for the age STREAM encryptor (64 KiB chunks, memory
 * sink), the full vault writer (to files, with segment seals and fsync),
 * the decryptor, OpenSSL's MB/s, and the ratios. Goal: encryptor >= 0.8
 * of OpenSSL at 64 KiB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "agefile.h"
#include "agekey.h"
#include "vault.h"

#define SECONDS 3.0
#define BLOCK 65536

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static rg_err null_sink(void *ctx, const void *d, size_t len)
{
    (void)d;
    *(size_t *)ctx += len;
    return RG_OK;
}

static double openssl_mbs(void)
{
    FILE *p = popen("openssl speed -evp chacha20-poly1305 -bytes 65536 "
                    "-seconds 3 -mr 2>/dev/null", "r");
    char line[512];
    double bps = 0;
    if (!p)
        return 0;
    /* Machine-readable result line: +F:<n>:ChaCha20-Poly1305:<bytes/s> */
    while (fgets(line, sizeof line, p))
        if (!strncmp(line, "+F:", 3)) {
            char *last = strrchr(line, ':');
            if (last)
                bps = atof(last + 1);
        }
    pclose(p);
    return bps / 1e6;
}

static double bench_encrypt(const rg_age_recipient *r, const unsigned char *buf)
{
    size_t out = 0, in = 0;
    rg_age_enc *e = NULL;
    if (rg_age_enc_new(r, 1, null_sink, &out, &e))
        return 0;
    double t0 = now_s(), t;
    do {
        for (int i = 0; i < 64; i++, in += BLOCK)
            rg_age_enc_write(e, buf, BLOCK);
    } while ((t = now_s() - t0) < SECONDS);
    rg_age_enc_finish(e);
    rg_age_enc_free(e);
    return (double)in / t / 1e6;
}

static double bench_decrypt(const rg_age_recipient *r, const rg_age_identity *id,
                            const unsigned char *buf)
{
    unsigned char *ct = NULL;
    size_t ctlen = 0, out = 0, total = 0;
    size_t plen = 64u << 20;
    unsigned char *p = malloc(plen);
    for (size_t i = 0; i < plen; i += BLOCK)
        memcpy(p + i, buf, BLOCK);
    if (rg_age_encrypt_buf(r, 1, p, plen, &ct, &ctlen))
        return 0;
    free(p);
    double t0 = now_s(), t;
    do {
        rg_age_dec *d = NULL;
        rg_age_dec_new(id, 1, null_sink, &out, &d);
        for (size_t off = 0; off < ctlen; off += BLOCK)
            rg_age_dec_write(d, ct + off, ctlen - off < BLOCK ? ctlen - off : BLOCK,
                             NULL);
        if (rg_age_dec_finish(d, NULL) != RG_OK)
            return 0;
        rg_age_dec_free(d);
        total += plen;
    } while ((t = now_s() - t0) < SECONDS);
    free(ct);
    return (double)total / t / 1e6;
}

static double bench_vault(const char *rcpt, const unsigned char *buf)
{
    char dir[] = "/tmp/rg_bench_XXXXXX", rec[64], cmd[128];
    const char *r[1] = {rcpt};
    rg_vault *v = NULL;
    rg_vault_track *t = NULL;
    size_t in = 0;
    unsigned next_rm = 0;
    if (!mkdtemp(dir))
        return 0;
    snprintf(rec, sizeof rec, "%s/rec", dir);
    if (rg_vault_open(rec, r, 1, 1, &v, NULL) ||
        rg_vault_track_open(v, "t1", 0, &t))
        return 0;
    /* 1 s segments of media time, 32 MiB each: seals (fsync) included.
     * The disk's own write speed bounds this figure. */
    double t0 = now_s(), el;
    int64_t ms = 0;
    do {
        for (int i = 0; i < 64; i++, in += BLOCK, ms += 2)
            if (rg_vault_track_write(t, ms, buf, BLOCK))
                return 0;
        /* Keep the disk use bounded: drop sealed segments as we go. */
        for (;; next_rm++) {
            snprintf(cmd, sizeof cmd, "%s/tracks/t1/%06u.age", rec, next_rm);
            if (unlink(cmd) != 0)
                break;
        }
    } while ((el = now_s() - t0) < SECONDS);
    rg_vault_track_close(t, ms);
    el = now_s() - t0;
    rg_vault_close(v);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 0;
    return (double)in / el / 1e6;
}

int main(void)
{
    rg_age_identity id;
    rg_age_recipient r;
    char rcpt[RG_AGE_RECIPIENT_STRLEN + 1];
    unsigned char *buf = malloc(BLOCK);
    for (size_t i = 0; i < BLOCK; i++)
        buf[i] = (unsigned char)(i * 7);
    rg_agekey_generate(&id);
    memcpy(r.pk, id.pk, 32);
    rg_agekey_recipient_format(&r, rcpt, sizeof rcpt);

    /* Interleaved, twice each, so load from other processes on a shared
     * machine hits both sides alike; the figures are the means. */
    double o1 = openssl_mbs(), e1 = bench_encrypt(&r, buf);
    double o2 = openssl_mbs(), e2 = bench_encrypt(&r, buf);
    double ossl = (o1 + o2) / 2, enc = (e1 + e2) / 2;
    double dec = bench_decrypt(&r, &id, buf);
    double vault = bench_vault(rcpt, buf);
    printf("runs: openssl %.1f, %.1f MB/s; encryptor %.1f, %.1f MB/s\n", o1,
           o2, e1, e2);
    if (ossl <= 0 || enc <= 0 || dec <= 0 || vault <= 0) {
        fprintf(stderr, "bench_vault: a measurement failed (openssl %.1f, "
                "enc %.1f, dec %.1f, vault %.1f)\n", ossl, enc, dec, vault);
        return 1;
    }
    printf("openssl speed -evp chacha20-poly1305 -bytes 65536 -seconds 3: %8.1f MB/s\n", ossl);
    printf("age STREAM encryptor (64 KiB writes, memory sink):           %8.1f MB/s  ratio %.2f  (goal >= 0.80: %s)\n",
           enc, enc / ossl, enc / ossl >= 0.8 ? "met" : "NOT met");
    printf("age STREAM decryptor (64 KiB reads, memory sink):            %8.1f MB/s  ratio %.2f\n",
           dec, dec / ossl);
    printf("vault track writer (files, 1 s segments, fsync on seal):     %8.1f MB/s  ratio %.2f\n",
           vault, vault / ossl);
    rg_agekey_wipe(&id);
    free(buf);
    return 0;
}
