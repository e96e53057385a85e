/* The keyring: one small age file per track, RECDIR/keyring/<track>.age,
 * encrypted to the organisation's recipients. Its plaintext is an age
 * identity file holding that track's secret key, so `age -d -i ORG.key
 * keyring/t1.age` yields an identity file that `age -d -i` accepts for
 * the track's segments. Destroying the entry (rg_keyring_shred) makes
 * every copy of the track's segments permanently unreadable.
 *
 * One file per track (not one file for all) because the recording host
 * holds only public keys: it can add an entry but can never read or
 * rewrite the others, and each track's key must be durable before the
 * track's first segment is sealed. */
#ifndef RG_KEYRING_H
#define RG_KEYRING_H

#include <stddef.h>
#include "agekey.h"
#include "recgate/error.h"

/* Generate a fresh track identity, store it (atomic, fsync'd), wipe the
 * secret from memory and return only its recipient in *track_rcpt. */
rg_err rg_keyring_add(const char *recdir, const char *track_id,
                      const rg_age_recipient *org, size_t n_org,
                      rg_age_recipient *track_rcpt, char *errbuf);

/* Decrypt the track's entry with org identities. *ids [owned] must be
 * freed with rg_agekey_free_identities. RG_ERR_NOT_FOUND if there is no
 * entry (never created, or shredded). */
rg_err rg_keyring_load(const char *recdir, const char *track_id,
                       const rg_age_identity *org, size_t n_org,
                       rg_age_identity **ids, size_t *n, char *errbuf);

/* Destroy the entry: overwrite in place with random bytes, fsync, unlink,
 * fsync the directory. RG_ERR_NOT_FOUND if there is none. */
rg_err rg_keyring_shred(const char *recdir, const char *track_id,
                        char *errbuf);

#endif
