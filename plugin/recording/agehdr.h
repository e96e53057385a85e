/* age v1 header (c2sp.org/age): strict unpadded base64, HKDF-SHA-256,
 * ChaCha20-Poly1305, X25519 recipient stanzas and the header MAC, all on
 * OpenSSL 3 EVP. Used by agefile.c; nothing here touches files.
 *
 * Limits of our own (the spec sets none): a header is at most
 * RG_AGE_HEADER_MAX bytes and RG_AGE_MAX_STANZAS stanzas, so a hostile
 * header cannot make us run unbounded X25519 work before its MAC can be
 * checked. */
#ifndef RG_AGEHDR_H
#define RG_AGEHDR_H

#include <stddef.h>
#include <openssl/evp.h>
#include "agekey.h"
#include "recgate/error.h"

#define RG_AGE_FILE_KEY_LEN 16
#define RG_AGE_TAG_LEN 16
#define RG_AGE_MAC_LEN 32
#define RG_AGE_HEADER_MAX (128u * 1024u)
#define RG_AGE_MAX_STANZAS 256
#define RG_AGE_V1_LINE "age-encryption.org/v1\n"

/* Strict unpadded standard base64. encode writes a NUL; returns length. */
size_t rg_age_b64_encode(const unsigned char *in, size_t len, char *out);
/* 0 on success; -1 on a non-alphabet char, padding, impossible length,
 * non-canonical trailing bits or output overflow. */
int rg_age_b64_decode(const char *in, size_t len, unsigned char *out,
                      size_t outsz, size_t *outlen);

/* HKDF-SHA-256 with 32 bytes of output (salt may be empty). */
rg_err rg_age_hkdf(const unsigned char *ikm, size_t ikmlen,
                   const unsigned char *salt, size_t saltlen, const char *info,
                   unsigned char out[32]);

/* ChaCha20-Poly1305 on a reusable context. key may be NULL to keep the key
 * set by the previous call on ctx. Encrypt: out gets len + 16 bytes.
 * Decrypt: in holds ciphertext || tag (len >= 16), out gets len - 16 bytes;
 * RG_ERR_AUTH (and out wiped) if the tag does not verify. */
rg_err rg_age_aead(EVP_CIPHER_CTX *ctx, int encrypt, const unsigned char *key,
                   const unsigned char nonce[12], const unsigned char *in,
                   size_t len, unsigned char *out);

typedef struct rg_age_x25519_stanza {
    unsigned char share[RG_AGE_KEY_LEN];
    unsigned char body[RG_AGE_FILE_KEY_LEN + RG_AGE_TAG_LEN];
} rg_age_x25519_stanza;

typedef struct rg_age_header {
    size_t len;            /* header bytes incl. the MAC line's LF */
    size_t mac_input_len;  /* bytes covered by the MAC (up to "---") */
    unsigned char mac[RG_AGE_MAC_LEN];
    size_t n_x25519;
    rg_age_x25519_stanza x25519[RG_AGE_MAX_STANZAS];
    size_t n_other;        /* unrecognised stanzas (ignored per spec) */
    int has_scrypt;
} rg_age_header;

/* Build a header wrapping file_key to n recipients. *out [owned] is
 * NUL-terminated text, *outlen its length. */
rg_err rg_age_header_build(const rg_age_recipient *rcpts, size_t n,
                           const unsigned char file_key[RG_AGE_FILE_KEY_LEN],
                           char **out, size_t *outlen);

/* Locate the end of the header in the first len bytes of buf.
 * Returns RG_OK with *hdr_len set, RG_ERR_TRUNCATED if more bytes are
 * needed, RG_ERR_FORMAT if this is not an age v1 file, RG_ERR_PARSE if
 * it is too large. */
rg_err rg_age_header_find(const unsigned char *buf, size_t len,
                          size_t *hdr_len, char *errbuf);
/* The same, resuming the search at *scan (updated), so feeding a header
 * in small pieces stays linear. */
rg_err rg_age_header_find_from(const unsigned char *buf, size_t len,
                               size_t *scan, size_t *hdr_len, char *errbuf);

/* Parse exactly len bytes (as found by rg_age_header_find) into *h.
 * Structure only: no key is needed. */
rg_err rg_age_header_parse(const unsigned char *buf, size_t len,
                           rg_age_header *h, char *errbuf);

/* Unwrap the file key with any of the identities and check the header MAC.
 * RG_ERR_AUTH "wrong identity: no stanza matched" or "header MAC
 * mismatch". buf is the header text the MAC covers. */
rg_err rg_age_header_unwrap(const rg_age_header *h, const unsigned char *buf,
                            const rg_age_identity *ids, size_t n,
                            unsigned char file_key[RG_AGE_FILE_KEY_LEN],
                            char *errbuf);

#endif
