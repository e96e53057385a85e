/* age v1 STREAM payload: push-style encryptor and decryptor. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "errfmt.h"
#include "agefile.h"
#include "agehdr.h"

#define NONCE_LEN 16
#define CT_CHUNK (RG_AGE_CHUNK + RG_AGE_TAG_LEN)


static void chunk_nonce(uint64_t counter, int last, unsigned char nonce[12])
{
    memset(nonce, 0, 12);
    for (int i = 0; i < 8; i++)
        nonce[10 - i] = (unsigned char)(counter >> (8 * i));
    nonce[11] = last ? 1 : 0;
}

/* ---- encryptor ---- */

struct rg_age_enc {
    rg_age_sink sink;
    void *ctx;
    EVP_CIPHER_CTX *cctx;
    uint64_t counter, total;
    size_t buffered;
    int finished, failed;
    unsigned char buf[CT_CHUNK]; /* plaintext, encrypted in place + tag */
    unsigned char out[CT_CHUNK]; /* for chunks taken from the caller */
};

rg_err rg_age_enc_new(const rg_age_recipient *rcpts, size_t n,
                      rg_age_sink sink, void *ctx, rg_age_enc **out)
{
    if (!rcpts || !n || !sink || !out)
        return RG_ERR_ARG;
    unsigned char file_key[RG_AGE_FILE_KEY_LEN], nonce[NONCE_LEN], pkey[32];
    char *hdr = NULL;
    size_t hlen = 0;
    rg_err err = RG_OK;
    rg_age_enc *e = calloc(1, sizeof *e);
    if (!e || !(e->cctx = EVP_CIPHER_CTX_new())) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    e->sink = sink;
    e->ctx = ctx;
    if (RAND_priv_bytes(file_key, sizeof file_key) != 1 ||
        RAND_bytes(nonce, sizeof nonce) != 1) {
        err = RG_ERR_CRYPTO;
        goto cleanup;
    }
    if ((err = rg_age_header_build(rcpts, n, file_key, &hdr, &hlen)) ||
        (err = rg_age_hkdf(file_key, sizeof file_key, nonce, sizeof nonce,
                           "payload", pkey)))
        goto cleanup;
    /* Set the payload key once; each chunk only changes the nonce. */
    if (EVP_CipherInit_ex(e->cctx, EVP_chacha20_poly1305(), NULL, pkey, NULL,
                          1) != 1) {
        err = RG_ERR_CRYPTO;
        goto cleanup;
    }
    if ((err = sink(ctx, hdr, hlen)) || (err = sink(ctx, nonce, sizeof nonce)))
        goto cleanup;
    *out = e;
    e = NULL;
cleanup:
    OPENSSL_cleanse(file_key, sizeof file_key);
    OPENSSL_cleanse(pkey, sizeof pkey);
    free(hdr);
    rg_age_enc_free(e);
    return err;
}

static rg_err enc_chunk(rg_age_enc *e, const unsigned char *in, size_t len,
                        int last)
{
    unsigned char nonce[12];
    /* Our own buffer is encrypted in place (one less 64 KiB pass through
     * the cache); the caller's memory goes to e->out. */
    unsigned char *out = in == e->buf ? e->buf : e->out;
    chunk_nonce(e->counter, last, nonce);
    rg_err err = rg_age_aead(e->cctx, 1, NULL, nonce, in, len, out);
    if (!err)
        err = e->sink(e->ctx, out, len + RG_AGE_TAG_LEN);
    e->counter++;
    if (err)
        e->failed = 1;
    return err;
}

rg_err rg_age_enc_write(rg_age_enc *e, const void *data, size_t len)
{
    const unsigned char *p = data;
    if (!e || (!data && len))
        return RG_ERR_ARG;
    if (e->finished || e->failed)
        return RG_ERR_STATE;
    while (len) {
        /* A full buffer is flushed as non-final only once more data comes,
         * since the final chunk may itself be a full 64 KiB. */
        if (e->buffered == RG_AGE_CHUNK) {
            rg_err err = enc_chunk(e, e->buf, RG_AGE_CHUNK, 0);
            e->buffered = 0;
            if (err)
                return err;
        }
        /* Encrypt straight from the caller's buffer when we can. */
        if (e->buffered == 0 && len > RG_AGE_CHUNK) {
            rg_err err = enc_chunk(e, p, RG_AGE_CHUNK, 0);
            if (err)
                return err;
            p += RG_AGE_CHUNK;
            len -= RG_AGE_CHUNK;
            e->total += RG_AGE_CHUNK;
            continue;
        }
        size_t take = RG_AGE_CHUNK - e->buffered;
        if (take > len)
            take = len;
        memcpy(e->buf + e->buffered, p, take);
        e->buffered += take;
        e->total += take;
        p += take;
        len -= take;
    }
    return RG_OK;
}

rg_err rg_age_enc_finish(rg_age_enc *e)
{
    if (!e)
        return RG_ERR_ARG;
    if (e->finished || e->failed)
        return RG_ERR_STATE;
    rg_err err = enc_chunk(e, e->buf, e->buffered, 1);
    OPENSSL_cleanse(e->buf, e->buffered);
    e->buffered = 0;
    e->finished = 1;
    return err;
}

uint64_t rg_age_enc_plain_bytes(const rg_age_enc *e)
{
    return e ? e->total : 0;
}

void rg_age_enc_free(rg_age_enc *e)
{
    if (!e)
        return;
    EVP_CIPHER_CTX_free(e->cctx);
    OPENSSL_cleanse(e, sizeof *e);
    free(e);
}

/* ---- decryptor ---- */

enum { D_HEADER, D_NONCE, D_PAYLOAD, D_DONE, D_FAILED };

struct rg_age_dec {
    const rg_age_identity *ids;
    size_t n_ids;
    rg_age_sink sink;
    void *ctx;
    int state;
    rg_err err;
    char errmsg[RG_ERRBUF_SIZE];
    unsigned char *hbuf; /* header bytes while in D_HEADER (grows) */
    size_t hlen, hcap, hscan;
    unsigned char nonce[NONCE_LEN];
    size_t nlen;
    EVP_CIPHER_CTX *cctx;
    uint64_t counter, total;
    size_t clen;
    unsigned char *cbuf; /* CT_CHUNK: one ciphertext chunk */
    unsigned char *pbuf; /* RG_AGE_CHUNK: its plaintext */
};

rg_err rg_age_dec_new(const rg_age_identity *ids, size_t n, rg_age_sink sink,
                      void *ctx, rg_age_dec **out)
{
    if (!ids || !n || !sink || !out)
        return RG_ERR_ARG;
    rg_age_dec *d = calloc(1, sizeof *d);
    if (!d)
        return RG_ERR_NOMEM;
    d->hcap = 1024;
    d->hbuf = malloc(d->hcap);
    d->cbuf = malloc(CT_CHUNK);
    d->pbuf = malloc(RG_AGE_CHUNK);
    d->cctx = EVP_CIPHER_CTX_new();
    if (!d->hbuf || !d->cbuf || !d->pbuf || !d->cctx) {
        rg_age_dec_free(d);
        return RG_ERR_NOMEM;
    }
    d->ids = ids;
    d->n_ids = n;
    d->sink = sink;
    d->ctx = ctx;
    *out = d;
    return RG_OK;
}

static rg_err fail(rg_age_dec *d, rg_err err, char *errbuf, const char *msg)
{
    d->state = D_FAILED;
    d->err = err;
    snprintf(d->errmsg, sizeof d->errmsg, "%s", msg);
    rg_errbuf(errbuf, "%s", d->errmsg);
    return err;
}

/* The header is complete in hbuf[0..hdr_len): unwrap, key the payload.
 * The bytes after it in hbuf are returned via *rest. */
static rg_err dec_header(rg_age_dec *d, size_t hdr_len, char *errbuf)
{
    char why[RG_ERRBUF_SIZE] = "";
    unsigned char file_key[RG_AGE_FILE_KEY_LEN];
    rg_age_header *h = malloc(sizeof *h);
    rg_err err;
    if (!h)
        return fail(d, RG_ERR_NOMEM, errbuf, "out of memory");
    err = rg_age_header_parse(d->hbuf, hdr_len, h, why);
    if (!err)
        err = rg_age_header_unwrap(h, d->hbuf, d->ids, d->n_ids, file_key, why);
    free(h);
    if (err)
        return fail(d, err, errbuf, why);
    /* Keep the file key until the nonce arrives: stash it in cbuf. */
    memcpy(d->cbuf, file_key, sizeof file_key);
    OPENSSL_cleanse(file_key, sizeof file_key);
    d->state = D_NONCE;
    return RG_OK;
}

static rg_err dec_keyed(rg_age_dec *d, char *errbuf)
{
    unsigned char pkey[32];
    rg_err err = rg_age_hkdf(d->cbuf, RG_AGE_FILE_KEY_LEN, d->nonce, NONCE_LEN,
                             "payload", pkey);
    OPENSSL_cleanse(d->cbuf, RG_AGE_FILE_KEY_LEN);
    if (!err && EVP_CipherInit_ex(d->cctx, EVP_chacha20_poly1305(), NULL, pkey,
                                  NULL, 0) != 1)
        err = RG_ERR_CRYPTO;
    OPENSSL_cleanse(pkey, sizeof pkey);
    if (err)
        return fail(d, err, errbuf, "payload key derivation failed");
    d->state = D_PAYLOAD;
    return RG_OK;
}

/* Decrypt cbuf[0..clen) as chunk `counter`; last says which flag to try. */
static rg_err dec_chunk(rg_age_dec *d, int last, char *errbuf)
{
    unsigned char nonce[12];
    char msg[RG_ERRBUF_SIZE];
    size_t plen = d->clen - RG_AGE_TAG_LEN;
    chunk_nonce(d->counter, last, nonce);
    rg_err err = rg_age_aead(d->cctx, 0, NULL, nonce, d->cbuf, d->clen, d->pbuf);
    if (err == RG_ERR_AUTH) {
        /* Try the other flag only to explain what is wrong. */
        chunk_nonce(d->counter, !last, nonce);
        rg_err alt = d->clen == CT_CHUNK
                         ? rg_age_aead(d->cctx, 0, NULL, nonce, d->cbuf,
                                       d->clen, d->pbuf)
                         : RG_ERR_AUTH;
        OPENSSL_cleanse(d->pbuf, plen);
        if (alt == RG_OK && last) {
            snprintf(msg, sizeof msg, "missing final chunk (truncated after "
                     "chunk %llu)", (unsigned long long)d->counter);
            return fail(d, RG_ERR_TRUNCATED, errbuf, msg);
        }
        if (alt == RG_OK && !last) {
            snprintf(msg, sizeof msg, "trailing data after the final chunk "
                     "(chunk %llu)", (unsigned long long)d->counter);
            return fail(d, RG_ERR_FORMAT, errbuf, msg);
        }
        snprintf(msg, sizeof msg, "chunk %llu failed authentication (damaged, "
                 "reordered or truncated)", (unsigned long long)d->counter);
        return fail(d, RG_ERR_AUTH, errbuf, msg);
    }
    if (err)
        return fail(d, err, errbuf, "chunk decryption failed");
    if (last && plen == 0 && d->counter > 0)
        return fail(d, RG_ERR_FORMAT, errbuf,
                    "empty final chunk after data (not allowed by age v1)");
    d->counter++;
    d->total += plen;
    d->clen = 0;
    err = plen ? d->sink(d->ctx, d->pbuf, plen) : RG_OK;
    OPENSSL_cleanse(d->pbuf, plen);
    if (err)
        return fail(d, err, errbuf, "output failed");
    if (last)
        d->state = D_DONE;
    return RG_OK;
}

rg_err rg_age_dec_write(rg_age_dec *d, const void *data, size_t len,
                        char *errbuf)
{
    const unsigned char *p = data;
    if (!d || (!data && len))
        return RG_ERR_ARG;
    if (d->state == D_FAILED) {
        rg_errbuf(errbuf, "%s", d->errmsg);
        return d->err;
    }
    while (len) {
        if (d->state == D_HEADER) {
            if (d->hlen == d->hcap && d->hcap < RG_AGE_HEADER_MAX) {
                size_t cap = d->hcap * 4 < RG_AGE_HEADER_MAX ? d->hcap * 4
                                                             : RG_AGE_HEADER_MAX;
                unsigned char *grown = realloc(d->hbuf, cap);
                if (!grown)
                    return fail(d, RG_ERR_NOMEM, errbuf, "out of memory");
                d->hbuf = grown;
                d->hcap = cap;
            }
            size_t take = d->hcap - d->hlen;
            if (take > len)
                take = len;
            memcpy(d->hbuf + d->hlen, p, take);
            d->hlen += take;
            p += take;
            len -= take;
            size_t hdr_len = 0;
            char why[RG_ERRBUF_SIZE];
            rg_err err = rg_age_header_find_from(d->hbuf, d->hlen, &d->hscan,
                                                 &hdr_len, why);
            if (err == RG_ERR_TRUNCATED && d->hlen < RG_AGE_HEADER_MAX)
                continue;
            if (err == RG_ERR_TRUNCATED) {
                snprintf(why, sizeof why, "age header larger than %u bytes",
                         RG_AGE_HEADER_MAX);
                err = RG_ERR_PARSE;
            }
            if (err)
                return fail(d, err, errbuf, why);
            if ((err = dec_header(d, hdr_len, errbuf)))
                return err;
            /* Re-feed what followed the header. */
            size_t extra = d->hlen - hdr_len;
            unsigned char *rest = d->hbuf + hdr_len;
            size_t nt = extra < NONCE_LEN ? extra : NONCE_LEN;
            memcpy(d->nonce, rest, nt);
            d->nlen = nt;
            if (nt == NONCE_LEN && (err = dec_keyed(d, errbuf)))
                return err;
            if (extra > nt) {
                /* At most one header's worth: fits the chunk logic. */
                size_t hold = extra - nt;
                unsigned char *tmp = malloc(hold);
                if (!tmp)
                    return fail(d, RG_ERR_NOMEM, errbuf, "out of memory");
                memcpy(tmp, rest + nt, hold);
                d->hlen = 0;
                err = rg_age_dec_write(d, tmp, hold, errbuf);
                free(tmp);
                if (err)
                    return err;
            }
            d->hlen = 0;
            continue;
        }
        if (d->state == D_NONCE) {
            size_t take = NONCE_LEN - d->nlen;
            if (take > len)
                take = len;
            memcpy(d->nonce + d->nlen, p, take);
            d->nlen += take;
            p += take;
            len -= take;
            if (d->nlen == NONCE_LEN) {
                rg_err err = dec_keyed(d, errbuf);
                if (err)
                    return err;
            }
            continue;
        }
        if (d->state == D_DONE)
            return fail(d, RG_ERR_FORMAT, errbuf,
                        "trailing data after the final chunk");
        /* D_PAYLOAD: a full chunk followed by more bytes is not final. */
        if (d->clen == CT_CHUNK) {
            rg_err err = dec_chunk(d, 0, errbuf);
            if (err)
                return err;
        }
        size_t take = CT_CHUNK - d->clen;
        if (take > len)
            take = len;
        memcpy(d->cbuf + d->clen, p, take);
        d->clen += take;
        p += take;
        len -= take;
    }
    return RG_OK;
}

rg_err rg_age_dec_finish(rg_age_dec *d, char *errbuf)
{
    if (!d)
        return RG_ERR_ARG;
    char why[RG_ERRBUF_SIZE];
    switch (d->state) {
    case D_FAILED:
        rg_errbuf(errbuf, "%s", d->errmsg);
        return d->err;
    case D_HEADER: {
        size_t hl = 0;
        rg_err err = rg_age_header_find(d->hbuf, d->hlen, &hl, why);
        if (d->hlen == 0)
            return fail(d, RG_ERR_FORMAT, errbuf, "not an age file (empty)");
        return fail(d, err == RG_ERR_TRUNCATED ? RG_ERR_TRUNCATED : err, errbuf,
                    why);
    }
    case D_NONCE:
        return fail(d, RG_ERR_TRUNCATED, errbuf,
                    "truncated: payload nonce missing");
    case D_DONE:
        return RG_OK;
    default:
        break;
    }
    if (d->clen == 0)
        return fail(d, RG_ERR_TRUNCATED, errbuf,
                    d->counter == 0 ? "truncated: no payload chunk"
                                    : "missing final chunk (truncated)");
    if (d->clen < RG_AGE_TAG_LEN) {
        snprintf(why, sizeof why, "truncated inside chunk %llu",
                 (unsigned long long)d->counter);
        return fail(d, RG_ERR_TRUNCATED, errbuf, why);
    }
    return dec_chunk(d, 1, errbuf);
}

uint64_t rg_age_dec_plain_bytes(const rg_age_dec *d)
{
    return d ? d->total : 0;
}

void rg_age_dec_free(rg_age_dec *d)
{
    if (!d)
        return;
    EVP_CIPHER_CTX_free(d->cctx);
    free(d->hbuf);
    if (d->pbuf)
        OPENSSL_cleanse(d->pbuf, RG_AGE_CHUNK);
    if (d->cbuf)
        OPENSSL_cleanse(d->cbuf, RG_AGE_FILE_KEY_LEN); /* may hold the file key */
    free(d->cbuf);
    free(d->pbuf);
    OPENSSL_cleanse(d, sizeof *d);
    free(d);
}

/* ---- helpers ---- */

typedef struct membuf {
    unsigned char *p;
    size_t len, cap;
} membuf;

static rg_err mem_sink(void *ctx, const void *data, size_t len)
{
    membuf *m = ctx;
    if (m->len + len > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < m->len + len)
            cap *= 2;
        unsigned char *np = malloc(cap);
        if (!np)
            return RG_ERR_NOMEM;
        if (m->p) {
            memcpy(np, m->p, m->len);
            OPENSSL_cleanse(m->p, m->len);
            free(m->p);
        }
        m->p = np;
        m->cap = cap;
    }
    memcpy(m->p + m->len, data, len);
    m->len += len;
    return RG_OK;
}

rg_err rg_age_encrypt_buf(const rg_age_recipient *rcpts, size_t n,
                          const void *data, size_t len, unsigned char **out,
                          size_t *outlen)
{
    membuf m = {0};
    rg_age_enc *e = NULL;
    rg_err err;
    if (!out || !outlen)
        return RG_ERR_ARG;
    if (!(err = rg_age_enc_new(rcpts, n, mem_sink, &m, &e)) &&
        !(err = rg_age_enc_write(e, data, len)) &&
        !(err = rg_age_enc_finish(e))) {
        *out = m.p;
        *outlen = m.len;
        m.p = NULL;
    }
    rg_age_enc_free(e);
    free(m.p);
    return err;
}

rg_err rg_age_decrypt_buf(const rg_age_identity *ids, size_t n,
                          const void *data, size_t len, unsigned char **out,
                          size_t *outlen, char *errbuf)
{
    membuf m = {0};
    rg_age_dec *d = NULL;
    rg_err err;
    if (!out || !outlen || (!data && len))
        return RG_ERR_ARG;
    if (!(err = rg_age_dec_new(ids, n, mem_sink, &m, &d)) &&
        !(err = rg_age_dec_write(d, data, len, errbuf)) &&
        !(err = rg_age_dec_finish(d, errbuf))) {
        if (!m.p)
            m.p = malloc(1); /* empty payload: still hand back a buffer */
        if (!m.p)
            err = RG_ERR_NOMEM;
        *out = m.p;
        *outlen = m.len;
        if (!err)
            m.p = NULL;
    }
    rg_age_dec_free(d);
    if (m.p) {
        OPENSSL_cleanse(m.p, m.len);
        free(m.p);
    }
    return err;
}

rg_err rg_age_decrypt_file(const char *path, const rg_age_identity *ids,
                           size_t n, rg_age_sink sink, void *ctx,
                           char *errbuf)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "%s: cannot open: %s", path,
                     strerror(e));
        return e == ENOENT ? RG_ERR_NOT_FOUND : RG_ERR_IO;
    }
    rg_err err = rg_age_decrypt_fd(fd, path, ids, n, sink, ctx, errbuf);
    close(fd);
    return err;
}

rg_err rg_age_decrypt_fd(int fd, const char *path, const rg_age_identity *ids,
                         size_t n, rg_age_sink sink, void *ctx, char *errbuf)
{
    char why[RG_ERRBUF_SIZE] = "";
    rg_age_dec *d = NULL;
    rg_err err = RG_OK;
    unsigned char *buf = malloc(RG_AGE_CHUNK);
    if (!buf) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    if (fd < 0) {
        snprintf(why, sizeof why, "cannot open: %s", strerror(errno));
        err = errno == ENOENT ? RG_ERR_NOT_FOUND : RG_ERR_IO;
        goto cleanup;
    }
    if ((err = rg_age_dec_new(ids, n, sink, ctx, &d)))
        goto cleanup;
    for (;;) {
        ssize_t r = read(fd, buf, RG_AGE_CHUNK);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(why, sizeof why, "read failed: %s", strerror(errno));
            err = RG_ERR_IO;
            goto cleanup;
        }
        if (r == 0)
            break;
        if ((err = rg_age_dec_write(d, buf, (size_t)r, why)))
            goto cleanup;
    }
    err = rg_age_dec_finish(d, why);
cleanup:
    if (err)
        rg_errbuf(errbuf, "%s: %s", path,
                 why[0] ? why : rg_strerror(err));
    rg_age_dec_free(d);
    free(buf);
    return err;
}

rg_err rg_age_check_structure(const char *path, char *errbuf)
{
    /* O_NONBLOCK: a FIFO must not block; only regular files are checked. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "%s: cannot open: %s", path,
                     strerror(e));
        return e == ENOENT ? RG_ERR_NOT_FOUND : RG_ERR_IO;
    }
    rg_err err = rg_age_check_structure_fd(fd, path, errbuf);
    close(fd);
    return err;
}

rg_err rg_age_check_structure_fd(int fd, const char *path, char *errbuf)
{
    char why[RG_ERRBUF_SIZE] = "";
    rg_err err = RG_OK;
    unsigned char *buf = malloc(RG_AGE_HEADER_MAX);
    rg_age_header *h = malloc(sizeof *h);
    size_t have = 0, hdr_len = 0;
    struct stat st;
    if (!buf || !h) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, sizeof why, "not a regular file");
        err = RG_ERR_FORMAT;
        goto cleanup;
    }
    (void)lseek(fd, 0, SEEK_SET);
    while (have < RG_AGE_HEADER_MAX) {
        ssize_t r = read(fd, buf + have, RG_AGE_HEADER_MAX - have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        have += (size_t)r;
    }
    if (have == 0) {
        snprintf(why, sizeof why, "not an age file (empty)");
        err = RG_ERR_FORMAT;
        goto cleanup;
    }
    if ((err = rg_age_header_find(buf, have, &hdr_len, why)) ||
        (err = rg_age_header_parse(buf, hdr_len, h, why)))
        goto cleanup;
    /* Payload: nonce, then chunks; only the last may be short, and only
     * an all-empty payload may end in an empty chunk. */
    uint64_t payload = (uint64_t)st.st_size - hdr_len;
    if (payload < NONCE_LEN + RG_AGE_TAG_LEN) {
        snprintf(why, sizeof why, "truncated: payload of %llu bytes is too "
                 "short", (unsigned long long)payload);
        err = RG_ERR_TRUNCATED;
        goto cleanup;
    }
    uint64_t c = payload - NONCE_LEN, r = c % CT_CHUNK;
    if (c > RG_AGE_TAG_LEN && r != 0 && r <= RG_AGE_TAG_LEN) {
        snprintf(why, sizeof why, "truncated inside chunk %llu",
                 (unsigned long long)(c / CT_CHUNK));
        err = RG_ERR_TRUNCATED;
        goto cleanup;
    }
cleanup:
    if (err)
        rg_errbuf(errbuf, "%s: %s", path,
                 why[0] ? why : rg_strerror(err));
    free(buf);
    free(h);
    return err;
}
