/* age v1 header: base64, KDF/AEAD helpers, X25519 stanzas, header MAC. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include "errfmt.h"
#include "agehdr.h"

#define X25519_INFO "age-encryption.org/v1/X25519"


/* ---- base64 (RFC 4648 section 4, no padding, canonical only) ---- */

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t rg_age_b64_encode(const unsigned char *in, size_t len, char *out)
{
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = b64[(v >> 6) & 63];
        out[o++] = b64[v & 63];
    }
    if (len - i == 1) {
        unsigned v = (unsigned)in[i] << 16;
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
    } else if (len - i == 2) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = b64[(v >> 6) & 63];
    }
    out[o] = '\0';
    return o;
}

static int b64_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int rg_age_b64_decode(const char *in, size_t len, unsigned char *out,
                      size_t outsz, size_t *outlen)
{
    if (len % 4 == 1 || len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0) > outsz)
        return -1;
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_val((unsigned char)in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6 | (unsigned)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    if (acc & ((1u << bits) - 1)) /* non-canonical: leftover bits set */
        return -1;
    *outlen = o;
    return 0;
}

/* ---- primitives ---- */

rg_err rg_age_hkdf(const unsigned char *ikm, size_t ikmlen,
                   const unsigned char *salt, size_t saltlen, const char *info,
                   unsigned char out[32])
{
    rg_err err = RG_ERR_CRYPTO;
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM params[5], *p = params;
    if (!kctx)
        goto cleanup;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                            (char *)"SHA256", 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm,
                                             ikmlen);
    /* An empty salt is HMAC with an empty key, i.e. HashLen zeros. */
    if (saltlen)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                 (void *)salt, saltlen);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info,
                                             strlen(info));
    *p = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(kctx, out, 32, params) == 1)
        err = RG_OK;
cleanup:
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    return err;
}

rg_err rg_age_aead(EVP_CIPHER_CTX *ctx, int encrypt, const unsigned char *key,
                   const unsigned char nonce[12], const unsigned char *in,
                   size_t len, unsigned char *out)
{
    int n = 0, f = 0;
    if (!ctx || (!encrypt && len < RG_AGE_TAG_LEN) || len > (size_t)1 << 30)
        return RG_ERR_ARG;
    size_t plen = encrypt ? len : len - RG_AGE_TAG_LEN;
    if (EVP_CipherInit_ex(ctx, key ? EVP_chacha20_poly1305() : NULL, NULL, key,
                          nonce, encrypt) != 1)
        return RG_ERR_CRYPTO;
    if (!encrypt &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, RG_AGE_TAG_LEN,
                            (void *)(in + plen)) != 1)
        return RG_ERR_CRYPTO;
    if (plen && EVP_CipherUpdate(ctx, out, &n, in, (int)plen) != 1)
        goto fail;
    if (EVP_CipherFinal_ex(ctx, out + n, &f) != 1)
        goto fail;
    if (encrypt &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, RG_AGE_TAG_LEN,
                            out + plen) != 1)
        return RG_ERR_CRYPTO;
    return RG_OK;
fail:
    if (plen)
        OPENSSL_cleanse(out, plen); /* never leave unauthenticated output */
    return encrypt ? RG_ERR_CRYPTO : RG_ERR_AUTH;
}

/* shared = X25519(sk, peer); RG_ERR_AUTH if the result is all zero. */
static rg_err x25519(const unsigned char sk[32], const unsigned char peer[32],
                     unsigned char shared[32])
{
    rg_err err = RG_ERR_CRYPTO;
    EVP_PKEY *priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk, 32);
    EVP_PKEY *pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
    EVP_PKEY_CTX *ctx = priv ? EVP_PKEY_CTX_new(priv, NULL) : NULL;
    size_t len = 32;
    unsigned char zero[32] = {0};
    if (!ctx || !pub || EVP_PKEY_derive_init(ctx) != 1 ||
        EVP_PKEY_derive_set_peer(ctx, pub) != 1)
        goto cleanup;
    /* OpenSSL itself fails the derive on an all-zero (low-order) result. */
    if (EVP_PKEY_derive(ctx, shared, &len) != 1 || len != 32) {
        err = RG_ERR_AUTH;
        goto cleanup;
    }
    err = CRYPTO_memcmp(shared, zero, 32) == 0 ? RG_ERR_AUTH : RG_OK;
cleanup:
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(priv);
    EVP_PKEY_free(pub);
    return err;
}

static rg_err aead_oneshot(int encrypt, const unsigned char key[32],
                           const unsigned char *in, size_t len,
                           unsigned char *out)
{
    static const unsigned char zero_nonce[12];
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return RG_ERR_NOMEM;
    rg_err err = rg_age_aead(ctx, encrypt, key, zero_nonce, in, len, out);
    EVP_CIPHER_CTX_free(ctx);
    return err;
}

static rg_err wrap_x25519(const rg_age_recipient *r,
                          const unsigned char file_key[RG_AGE_FILE_KEY_LEN],
                          rg_age_x25519_stanza *st)
{
    unsigned char eph[32], shared[32], salt[64], wrap[32];
    rg_err err = RG_ERR_CRYPTO;
    if (RAND_priv_bytes(eph, sizeof eph) != 1)
        goto cleanup;
    if ((err = rg_agekey_public(eph, st->share)) ||
        (err = x25519(eph, r->pk, shared)))
        goto cleanup;
    memcpy(salt, st->share, 32);
    memcpy(salt + 32, r->pk, 32);
    if ((err = rg_age_hkdf(shared, 32, salt, 64, X25519_INFO, wrap)))
        goto cleanup;
    err = aead_oneshot(1, wrap, file_key, RG_AGE_FILE_KEY_LEN, st->body);
cleanup:
    OPENSSL_cleanse(eph, sizeof eph);
    OPENSSL_cleanse(shared, sizeof shared);
    OPENSSL_cleanse(wrap, sizeof wrap);
    return err;
}

static rg_err header_mac(const unsigned char file_key[RG_AGE_FILE_KEY_LEN],
                         const void *data, size_t len,
                         unsigned char mac[RG_AGE_MAC_LEN])
{
    unsigned char key[32];
    size_t maclen = 0;
    rg_err err = rg_age_hkdf(file_key, RG_AGE_FILE_KEY_LEN, NULL, 0, "header",
                             key);
    if (!err && (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, 32, data,
                            len, mac, RG_AGE_MAC_LEN, &maclen) ||
                 maclen != RG_AGE_MAC_LEN))
        err = RG_ERR_CRYPTO;
    OPENSSL_cleanse(key, sizeof key);
    return err;
}

rg_err rg_age_header_build(const rg_age_recipient *rcpts, size_t n,
                           const unsigned char file_key[RG_AGE_FILE_KEY_LEN],
                           char **out, size_t *outlen)
{
    if (!rcpts || n == 0 || n > RG_AGE_MAX_STANZAS || !out || !outlen)
        return RG_ERR_ARG;
    /* Each X25519 stanza: "-> X25519 " + 43 + LF + 43 + LF = 99 bytes. */
    size_t cap = sizeof RG_AGE_V1_LINE + n * 100 + 64;
    char *buf = malloc(cap);
    rg_age_x25519_stanza st;
    unsigned char mac[RG_AGE_MAC_LEN];
    rg_err err = RG_OK;
    if (!buf)
        return RG_ERR_NOMEM;
    size_t o = strlen(RG_AGE_V1_LINE);
    memcpy(buf, RG_AGE_V1_LINE, o);
    for (size_t i = 0; i < n; i++) {
        if ((err = wrap_x25519(&rcpts[i], file_key, &st)))
            goto cleanup;
        memcpy(buf + o, "-> X25519 ", 10);
        o += 10;
        o += rg_age_b64_encode(st.share, 32, buf + o);
        buf[o++] = '\n';
        /* The 32-byte body is 43 characters: a single, final short line. */
        o += rg_age_b64_encode(st.body, sizeof st.body, buf + o);
        buf[o++] = '\n';
    }
    memcpy(buf + o, "---", 3);
    o += 3;
    if ((err = header_mac(file_key, buf, o, mac)))
        goto cleanup;
    buf[o++] = ' ';
    o += rg_age_b64_encode(mac, sizeof mac, buf + o);
    buf[o++] = '\n';
    buf[o] = '\0';
    *out = buf;
    *outlen = o;
    buf = NULL;
cleanup:
    free(buf);
    return err;
}

rg_err rg_age_header_find(const unsigned char *buf, size_t len,
                          size_t *hdr_len, char *errbuf)
{
    size_t scan = 0;
    return rg_age_header_find_from(buf, len, &scan, hdr_len, errbuf);
}

rg_err rg_age_header_find_from(const unsigned char *buf, size_t len,
                               size_t *scan, size_t *hdr_len, char *errbuf)
{
    size_t vl = strlen(RG_AGE_V1_LINE);
    size_t cmp = len < vl ? len : vl;
    if (memcmp(buf, RG_AGE_V1_LINE, cmp) != 0) {
        if (len >= 19 && memcmp(buf, "age-encryption.org/", 19) == 0)
            rg_errbuf(errbuf, "unsupported age format version");
        else if (len >= 10 && memcmp(buf, "-----BEGIN", 10) == 0)
            rg_errbuf(errbuf, "not an age file (ASCII-armored age is not "
                   "supported; remove the armor with age first)");
        else
            rg_errbuf(errbuf, "not an age file");
        return RG_ERR_FORMAT;
    }
    if (len > vl) {
        /* The MAC line is the first line starting with "---". */
        size_t p = *scan > vl - 1 ? *scan : vl - 1;
        for (; p + 4 <= len; p++) {
            if (buf[p] != '\n' || memcmp(buf + p + 1, "---", 3) != 0)
                continue;
            /* A valid MAC line is 48 bytes; do not wait forever for LF. */
            size_t room = len - p - 1 < 80 ? len - p - 1 : 80;
            const unsigned char *nl = memchr(buf + p + 1, '\n', room);
            if (!nl && room == 80) {
                rg_errbuf(errbuf, "malformed age header: MAC line too long");
                return RG_ERR_PARSE;
            }
            if (!nl)
                break; /* resume at this "\n---" once its line is complete */
            *hdr_len = (size_t)(nl - buf) + 1;
            return RG_OK;
        }
        *scan = p;
    }
    if (len >= RG_AGE_HEADER_MAX) {
        rg_errbuf(errbuf, "age header larger than %u bytes", RG_AGE_HEADER_MAX);
        return RG_ERR_PARSE;
    }
    rg_errbuf(errbuf, "truncated age header");
    return RG_ERR_TRUNCATED;
}

static int is_b64char(unsigned char c) { return b64_val(c) >= 0; }

rg_err rg_age_header_parse(const unsigned char *buf, size_t len,
                           rg_age_header *h, char *errbuf)
{
    const char *s = (const char *)buf;
    size_t pos = strlen(RG_AGE_V1_LINE), lineno = 1;
    unsigned char body[4096];
    if (!buf || !h)
        return RG_ERR_ARG;
    memset(h, 0, sizeof *h);
    if (len < pos || memcmp(s, RG_AGE_V1_LINE, pos) != 0) {
        rg_errbuf(errbuf, "not an age file");
        return RG_ERR_FORMAT;
    }
#define BAD(msg) do { rg_errbuf(errbuf, "malformed age header: line %zu: " msg, lineno); goto bad; } while (0)
    for (;;) {
        const char *l = s + pos;
        const char *nl = memchr(l, '\n', len - pos);
        lineno++;
        if (!nl) {
            rg_errbuf(errbuf, "truncated age header");
            return RG_ERR_TRUNCATED;
        }
        size_t ll = (size_t)(nl - l);
        if (ll >= 3 && memcmp(l, "---", 3) == 0) {
            size_t ml = 0;
            if (ll != 4 + 43 || l[3] != ' ' ||
                rg_age_b64_decode(l + 4, 43, h->mac, sizeof h->mac, &ml) ||
                ml != RG_AGE_MAC_LEN)
                BAD("bad MAC line");
            if (h->n_x25519 + h->n_other == 0)
                BAD("header has no recipient stanza");
            if (pos + ll + 1 != len)
                BAD("data after the MAC line");
            h->mac_input_len = pos + 3;
            h->len = len;
            return RG_OK;
        }
        if (ll < 4 || memcmp(l, "-> ", 3) != 0)
            BAD("expected a stanza (\"-> \") or the MAC line (\"--- \")");
        if (h->n_x25519 + h->n_other >= RG_AGE_MAX_STANZAS)
            BAD("too many recipient stanzas");
        /* Arguments: single-space separated, each 1*VCHAR. */
        const char *args[4];
        size_t arglen[4], nargs = 0, a0 = 3;
        for (size_t i = 3; i <= ll; i++) {
            if (i == ll || l[i] == ' ') {
                if (i == a0)
                    BAD("empty stanza argument");
                if (nargs < 4) {
                    args[nargs] = l + a0;
                    arglen[nargs] = i - a0;
                }
                nargs++;
                a0 = i + 1;
            } else if ((unsigned char)l[i] < 0x21 || (unsigned char)l[i] > 0x7e) {
                BAD("invalid character in stanza argument");
            }
        }
        pos += ll + 1;
        /* Body: full 64-column lines then one shorter (maybe empty) line. */
        size_t b0 = pos, blen = 0;
        for (;;) {
            const char *bl = s + pos;
            const char *bnl = memchr(bl, '\n', len - pos);
            lineno++;
            if (!bnl)
                BAD("stanza body not terminated by a short line");
            size_t bll = (size_t)(bnl - bl);
            if (bll > 64)
                BAD("stanza body line longer than 64 columns");
            for (size_t i = 0; i < bll; i++)
                if (!is_b64char((unsigned char)bl[i]))
                    BAD("invalid base64 in stanza body");
            pos += bll + 1;
            blen += bll;
            if (bll < 64)
                break;
        }
        /* Decode the body ignoring the line feeds between full lines. */
        char b64body[5464];
        size_t bodylen = 0;
        if (blen > sizeof b64body) {
            BAD("stanza body too large");
        }
        for (size_t i = b0, o = 0; i < pos; i++)
            if (s[i] != '\n')
                b64body[o++] = s[i];
        if (rg_age_b64_decode(b64body, blen, body, sizeof body, &bodylen))
            BAD("non-canonical base64 in stanza body");
        if (arglen[0] == 6 && memcmp(args[0], "X25519", 6) == 0) {
            rg_age_x25519_stanza *st = &h->x25519[h->n_x25519];
            size_t sl = 0;
            if (nargs != 2 ||
                rg_age_b64_decode(args[1], arglen[1], st->share, 32, &sl) ||
                sl != 32)
                BAD("malformed X25519 stanza arguments");
            if (bodylen != sizeof st->body)
                BAD("X25519 stanza body is not 32 bytes");
            memcpy(st->body, body, bodylen);
            h->n_x25519++;
        } else {
            if (arglen[0] == 6 && memcmp(args[0], "scrypt", 6) == 0)
                h->has_scrypt = 1;
            h->n_other++;
        }
    }
#undef BAD
bad:
    return RG_ERR_PARSE;
}

rg_err rg_age_header_unwrap(const rg_age_header *h, const unsigned char *buf,
                            const rg_age_identity *ids, size_t n,
                            unsigned char file_key[RG_AGE_FILE_KEY_LEN],
                            char *errbuf)
{
    unsigned char shared[32], salt[64], wrap[32], mac[RG_AGE_MAC_LEN];
    rg_err err = RG_ERR_AUTH;
    int found = 0;
    for (size_t s = 0; s < h->n_x25519 && !found; s++) {
        const rg_age_x25519_stanza *st = &h->x25519[s];
        for (size_t i = 0; i < n && !found; i++) {
            rg_err xe = x25519(ids[i].sk, st->share, shared);
            if (xe == RG_ERR_AUTH) {
                rg_errbuf(errbuf, "invalid X25519 stanza (low-order ephemeral "
                       "share)");
                err = RG_ERR_AUTH;
                goto cleanup;
            }
            if (xe) {
                err = xe;
                goto cleanup;
            }
            memcpy(salt, st->share, 32);
            memcpy(salt + 32, ids[i].pk, 32);
            if ((err = rg_age_hkdf(shared, 32, salt, 64, X25519_INFO, wrap)))
                goto cleanup;
            err = aead_oneshot(0, wrap, st->body, sizeof st->body, file_key);
            if (err == RG_OK)
                found = 1;
            else if (err != RG_ERR_AUTH)
                goto cleanup;
        }
    }
    if (!found) {
        if (h->n_x25519 == 0 && h->has_scrypt)
            rg_errbuf(errbuf, "passphrase (scrypt) age files are not supported");
        else
            rg_errbuf(errbuf, "wrong identity: no stanza matched");
        err = RG_ERR_AUTH;
        goto cleanup;
    }
    if ((err = header_mac(file_key, buf, h->mac_input_len, mac)))
        goto cleanup;
    if (CRYPTO_memcmp(mac, h->mac, sizeof mac) != 0) {
        rg_errbuf(errbuf, "header MAC mismatch (header was modified)");
        err = RG_ERR_AUTH;
        goto cleanup;
    }
    err = RG_OK;
cleanup:
    if (err)
        OPENSSL_cleanse(file_key, RG_AGE_FILE_KEY_LEN);
    OPENSSL_cleanse(shared, sizeof shared);
    OPENSSL_cleanse(wrap, sizeof wrap);
    return err;
}
