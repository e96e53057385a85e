/* age X25519 keys: generation, Bech32 text forms, identity files.
 *
 *   identity  = 32 random bytes, text "AGE-SECRET-KEY-1..." (74 chars)
 *   recipient = X25519(identity, basepoint), text "age1..." (62 chars)
 *
 * Identity files follow age-keygen: '#' comment lines and blank lines are
 * ignored, every other line must be one identity. Files that are group- or
 * world-accessible are refused. Secret material is wiped (OPENSSL_cleanse)
 * by rg_agekey_free_identities / rg_agekey_wipe. */
#ifndef RG_AGEKEY_H
#define RG_AGEKEY_H

#include <stddef.h>
#include "recgate/error.h"

#define RG_AGE_KEY_LEN 32
#define RG_AGE_RECIPIENT_STRLEN 62
#define RG_AGE_IDENTITY_STRLEN 74
/* Largest identity file we read (a keyring of thousands of tracks fits). */
#define RG_AGE_IDFILE_MAX (4u << 20)

typedef struct rg_age_recipient {
    unsigned char pk[RG_AGE_KEY_LEN];
} rg_age_recipient;

typedef struct rg_age_identity {
    unsigned char sk[RG_AGE_KEY_LEN]; /* secret: wipe after use */
    unsigned char pk[RG_AGE_KEY_LEN]; /* its recipient */
} rg_age_identity;

/* Fresh identity from the OpenSSL CSPRNG (RAND_priv_bytes). */
rg_err rg_agekey_generate(rg_age_identity *id);
/* pk = X25519(sk, basepoint). */
rg_err rg_agekey_public(const unsigned char sk[RG_AGE_KEY_LEN],
                        unsigned char pk[RG_AGE_KEY_LEN]);
void rg_agekey_wipe(rg_age_identity *id);

/* Text forms. out needs STRLEN + 1 bytes. */
rg_err rg_agekey_recipient_format(const rg_age_recipient *r, char *out,
                                  size_t outsz);
rg_err rg_agekey_identity_format(const rg_age_identity *id, char *out,
                                 size_t outsz);
/* Parse one "age1..." / "AGE-SECRET-KEY-1..." string (no whitespace). */
rg_err rg_agekey_recipient_parse(const char *s, rg_age_recipient *r,
                                 char *errbuf);
rg_err rg_agekey_identity_parse(const char *s, rg_age_identity *id,
                                char *errbuf);

/* Parse identity-file text held in memory; name is used in messages.
 * *ids [owned] must be released with rg_agekey_free_identities. At least
 * one identity is required. */
rg_err rg_agekey_parse_identities(const char *text, size_t len,
                                  const char *name, rg_age_identity **ids,
                                  size_t *n, char *errbuf);
/* Read an identity file. A regular file whose mode grants any group or
 * other permission is refused with RG_ERR_PERMISSION. */
rg_err rg_agekey_load_identities(const char *path, rg_age_identity **ids,
                                 size_t *n, char *errbuf);
void rg_agekey_free_identities(rg_age_identity *ids, size_t n);

/* Write an age-keygen style identity file at path: created exclusively
 * (an existing file is never overwritten), mode 0600, fsync'd. */
rg_err rg_agekey_write_identity_file(const char *path,
                                     const rg_age_identity *id, char *errbuf);

#endif
