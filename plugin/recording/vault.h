/* The vault: recgate's storage for one recording (docs/vault.md).
 *
 *   RECDIR/vault.json                 plaintext metadata, no personal data
 *   RECDIR/keyring/<track>.age        track key, age-encrypted to the org
 *   RECDIR/tracks/<track>/index.json  segment index (times, sizes, sha256)
 *   RECDIR/tracks/<track>/NNNNNN.age  sealed segments, each a whole age file
 *   RECDIR/tracks/<track>/NNNNNN.age.part  the open segment (lost on crash)
 *   RECDIR/<name>.age                 small files from rg_vault_put_file
 *
 * Writer: every byte is encrypted before it reaches the disk. Each track
 * gets a fresh key whose secret half is written only into its keyring
 * entry (encrypted to the organisation's recipients) and then wiped; the
 * host keeps public keys only and cannot read what it wrote. A segment is
 * sealed (final chunk, fsync, rename, index update) when its media time
 * reaches segment_s, when it has been open segment_s of wall-clock time,
 * or at close, so a crash loses at most the open segment.
 *
 * The writer is thread-safe: one mutex per vault. */
#ifndef RG_VAULT_H
#define RG_VAULT_H

#include <stddef.h>
#include <stdint.h>
#include "agefile.h"
#include "agekey.h"
#include "audit.h"
#include "recgate/error.h"

#define RG_VAULT_DEFAULT_SEGMENT_S 5

typedef struct rg_vault rg_vault;
typedef struct rg_vault_track rg_vault_track;

/* ---- writer (called by capture, in time order, with media time) ---- */

/* Create RECDIR (0700; must not already hold a recording). org_recipients
 * are "age1..." strings; segment_s <= 0 means the default (5). */
rg_err rg_vault_open(const char *recdir, const char *const *org_recipients,
                     size_t n, int segment_s, rg_vault **out, char *errbuf);
/* Start a track (id: [A-Za-z0-9_-]{1,64}, opaque like "t1"). Its key
 * entry is durable before this returns. *out is owned by the vault. */
rg_err rg_vault_track_open(rg_vault *v, const char *track_id, int64_t t_ms,
                           rg_vault_track **out);
/* Append media stamped t_ms. Seals the open segment first when
 * t_ms - segment start >= segment_s*1000 or the segment has been open for
 * segment_s of wall-clock time. A failure poisons the track (fail closed:
 * later writes return RG_ERR_STATE); sealed segments stay intact. */
rg_err rg_vault_track_write(rg_vault_track *t, int64_t t_ms, const void *data,
                            size_t len);
/* Seal every open segment that holds data and has been open for at least
 * segment_s of wall-clock time. Call it from a timer (e.g. once a second)
 * so a quiet track never keeps more than segment_s in an open segment. */
rg_err rg_vault_tick(rg_vault *v);
/* Seal the last segment and mark the track complete at t_ms. */
rg_err rg_vault_track_close(rg_vault_track *t, int64_t t_ms);
/* Store a small file (e.g. the manifest) as RECDIR/<name>.age, encrypted
 * to the org recipients, atomically. name: [A-Za-z0-9_.-], no leading dot. */
rg_err rg_vault_put_file(rg_vault *v, const char *name, const void *data,
                         size_t len);
/* Close any open tracks at their last media time and free everything. */
rg_err rg_vault_close(rg_vault *v);
/* Last error of this vault as one line ("" if none). */
const char *rg_vault_errmsg(rg_vault *v);
/* Sealed-segment hook: fn(ctx, track_id, seg) runs after a segment was
 * renamed to its final name and the index rewritten (so the file is
 * durable and listed), on the thread that sealed it, with the vault's
 * mutex held: it must be quick and must not call back into the vault.
 * fn NULL removes it. */
typedef struct rg_vault_segment rg_vault_segment;
typedef void (*rg_vault_sealed_fn)(void *ctx, const char *track_id,
                                   const rg_vault_segment *seg);
void rg_vault_set_sealed_hook(rg_vault *v, rg_vault_sealed_fn fn, void *ctx);
/* Tests: replace the monotonic wall clock (milliseconds). */
void rg_vault_set_clock(rg_vault *v, long long (*now_ms)(void *), void *ctx);

/* ---- reader ---- */

typedef struct rg_vault_segment {
    uint32_t seq;
    char file[32];
    int64_t from_ms, to_ms;
    uint64_t bytes, plain_bytes;
    char sha256[65];
} rg_vault_segment;

typedef struct rg_vault_track_info {
    char id[65];
    char recipient[RG_AGE_RECIPIENT_STRLEN + 1];
    int segment_s;
    rg_vault_segment *segs; /* [owned] in seq order */
    size_t nsegs;
    int closed, shredded, has_open;
    uint32_t open_seq;
    int64_t open_from_ms, end_ms;
} rg_vault_track_info;

/* ---- seals: each sealed segment bound into the audit log ----
 *
 * index.json is plain and unauthenticated; the track's recipient in it is
 * public, so anyone can encrypt bytes to it and fix the index. What an
 * attacker without the audit key cannot do is add a line to the HMAC'd
 * audit log: the writer logs a "seal" event (track, segment, sha256, bytes)
 * for every segment it seals, and every reader checks the segments it
 * uses against those lines. */
typedef struct rg_vault_seals rg_vault_seals;
/* Log the "seal" event for seg of track_id (fsync'd). */
rg_err rg_vault_seal_audit(rg_audit *log, const char *track_id,
                           const rg_vault_segment *seg);
/* Every seal and capture_stop in RECDIR/audit.log, which must verify under
 * key (intact; a missing final checkpoint is fine). The bytes verified are
 * the bytes parsed. RG_ERR_NOT_FOUND if there is no audit log. */
rg_err rg_vault_seals_load(const char *recdir, const uint8_t *key,
                           rg_vault_seals **out, char *errbuf);
void rg_vault_seals_free(rg_vault_seals *s);

/* THE ordering/binding check every read path uses. How many of info's
 * segments may be used (*usable): their seq must run 0,1,2,... and, with
 * seals, each must be bound to the SHA-256 its index records, and every
 * sealed segment the log knows must be in the index. One exception: on a
 * track that was never closed (no capture_stop logged, index not closed),
 * an unbound LAST segment is dropped (*dropped = 1; the writer stopped
 * between sealing it and logging it) instead of used. Anything else is an
 * error naming the segment: RG_ERR_TRUNCATED (gap / missing), RG_ERR_AUTH
 * (unbound, or bound to other bytes). seals NULL: order only. */
rg_err rg_vault_segments_check(const char *recdir,
                               const rg_vault_track_info *info,
                               const rg_vault_seals *seals, size_t *usable,
                               int *dropped, char *errbuf);
/* Segment i's ciphertext, read relative to RECDIR without following any
 * symlink (regular files only), checked against its index entry: size and
 * SHA-256 (a swapped or replaced file is RG_ERR_AUTH). *ct [owned]. */
rg_err rg_vault_segment_read(const char *recdir,
                             const rg_vault_track_info *info, size_t i,
                             unsigned char **ct, size_t *len, char *errbuf);

/* Track ids found under RECDIR/tracks, sorted. Free with rg_vault_free_ids. */
rg_err rg_vault_list_tracks(const char *recdir, char ***ids, size_t *n,
                            char *errbuf);
void rg_vault_free_ids(char **ids, size_t n);
/* Parse a track's index.json (RG_ERR_PARSE naming the field at fault). */
rg_err rg_vault_read_track(const char *recdir, const char *track_id,
                           rg_vault_track_info *info, char *errbuf);
void rg_vault_track_info_free(rg_vault_track_info *info);

/* The identities that open a track: its keyring entry decrypted with ids
 * (organisation identities), or the one of ids that is the track's own
 * key. *keys [owned]: free with rg_agekey_free_identities. */
rg_err rg_vault_track_keys(const char *recdir, const rg_vault_track_info *info,
                           const rg_age_identity *ids, size_t n,
                           rg_age_identity **keys, size_t *nkeys,
                           char *errbuf);

/* Decrypt a whole track, sealed segments in order, into sink. ids may be
 * organisation identities (the keyring entry is opened with them) or the
 * track's own identity. Each chunk reaches the sink only after its tag
 * verified; on any failure the call returns an error and everything the
 * sink received must be discarded.
 * A track that was cut short (crash: never closed) yields all its sealed
 * segments and then: with cut_short == NULL, RG_ERR_TRUNCATED; otherwise
 * RG_OK with *cut_short = 1. errbuf says what was lost in both cases.
 * Segments go through rg_vault_segments_check (with seals, if given) and
 * rg_vault_segment_read: the same checks as every other reader. */
rg_err rg_vault_track_decrypt(const char *recdir, const char *track_id,
                              const rg_age_identity *ids, size_t n,
                              const rg_vault_seals *seals, rg_age_sink sink, void *ctx, int *cut_short,
                              char *errbuf);

/* Crypto-shred a track: destroy its keyring entry and mark its index.
 * Every copy of its segments, anywhere, becomes undecryptable. */
rg_err rg_vault_shred_track(const char *recdir, const char *track_id,
                            char *errbuf);

typedef struct rg_vault_report_line {
    int problem;  /* 1: damage/loss (verify fails); 0: note */
    char text[RG_ERRBUF_SIZE];
} rg_vault_report_line;

typedef struct rg_vault_report {
    size_t tracks, segments, segments_ok, problems;
    int64_t lost_ms_max; /* upper bound of media lost, worst track */
    int decrypted;       /* 1 if every tag was checked with a key */
    int bound;           /* 1 if every segment was checked against the
                            audit log's seals */
    rg_vault_report_line *lines; /* [owned] */
    size_t nlines;
} rg_vault_report;

/* Check structure, sizes and checksums of everything under RECDIR and,
 * with identities (org or track keys), decrypt every segment and file.
 * Returns RG_OK if the check ran (even with problems): look at
 * rep->problems. Free with rg_vault_report_free. */
rg_err rg_vault_verify(const char *recdir, const rg_age_identity *ids,
                       size_t n, rg_vault_report *rep, char *errbuf);
/* Same, and with audit_key (may be NULL) every segment is checked against
 * the seals in RECDIR/audit.log. */
rg_err rg_vault_verify_bound(const char *recdir, const rg_age_identity *ids,
                             size_t n, const uint8_t *audit_key,
                             rg_vault_report *rep, char *errbuf);
void rg_vault_report_free(rg_vault_report *rep);

#endif
