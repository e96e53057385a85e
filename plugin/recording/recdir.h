/* Recording folders after the meeting: what withdraw, dsr, retention and
 * report share (docs/accountability.md).
 *
 *   RECDIR/recording.json     clear metadata (plugin/recording.c writes it)
 *   RECDIR/manifest.json.age  names, chat, track owners (org-encrypted)
 *   RECDIR/audit.log          the tamper-evident log (plugin/audit.h)
 *
 * Every function that reads a file checks it and names what is wrong in
 * errbuf ("RECDIR/recording.json: tracks[1].id: expected ..."). */
#ifndef RG_RECDIR_H
#define RG_RECDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "agekey.h"
#include "audit.h"
#include "recgate/error.h"

#define RG_RECDIR_META "recording.json"
#define RG_RECDIR_MANIFEST "manifest.json.age"
#define RG_RECDIR_AUDIT "audit.log"
#define RG_RECDIR_BY_MAX 64

/* ---- recording.json ---- */

/* Read and check RECDIR/recording.json: format, id, created, expires_at,
 * tracks[].id. *meta [owned] (cJSON_Delete). RG_ERR_NOT_FOUND if RECDIR
 * holds no recording.json. */
rg_err rg_recdir_load_meta(const char *recdir, cJSON **meta, char *errbuf);
/* Rewrite recording.json atomically (formatted JSON, 0600). */
rg_err rg_recdir_save_meta(const char *recdir, const cJSON *meta,
                           char *errbuf);
/* [borrowed] the id and expiry of a checked recording.json. */
const char *rg_recdir_meta_id(const cJSON *meta);
time_t rg_recdir_meta_expires(const cJSON *meta);

/* ---- time ---- */

/* ISO-8601 UTC or with offset: YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+HH:MM|-HH:MM]
 * (a date alone is midnight UTC). RG_ERR_PARSE if malformed or invalid. */
rg_err rg_recdir_parse_time(const char *s, time_t *out);
/* "YYYY-MM-DDTHH:MM:SSZ". */
void rg_recdir_format_time(time_t t, char out[32]);

/* ---- the encrypted manifest ---- */

/* Decrypt and parse RECDIR/manifest.json.age with org identities; checks
 * participants[] (id, pseudonym) and chat[] shapes. *m [owned]; the
 * plaintext buffer is wiped. */
rg_err rg_recdir_read_manifest(const char *recdir, const rg_age_identity *ids,
                               size_t n, cJSON **m, char *errbuf);
/* Encrypt m to the org recipients listed in RECDIR/vault.json and replace
 * manifest.json.age atomically. The plaintext is wiped. */
rg_err rg_recdir_write_manifest(const char *recdir, const cJSON *m,
                                char *errbuf);
/* [borrowed] the participants[] entry with this id, or NULL. */
cJSON *rg_recdir_participant(const cJSON *m, const char *id);

/* ---- keys and who acts ---- */

/* The audit key from key_file, else from the policy's audit.key_file in
 * config. Neither given: RG_ERR_CONFIG with a message saying the command
 * must be able to log what it does. */
rg_err rg_recdir_audit_key(const char *key_file, const char *config,
                           uint8_t key[RG_AUDIT_KEY_LEN], char *errbuf);
/* by_opt if given, else the login name of the effective user. */
void rg_recdir_by(const char *by_opt, char out[RG_RECDIR_BY_MAX]);

/* Open RECDIR/audit.log for appending (verified in full first; a damaged
 * log refuses: nothing is decrypted or destroyed that cannot be logged). */
rg_err rg_recdir_audit_open(const char *recdir, const uint8_t *key,
                            rg_audit **log, char *errbuf);
/* Verify RECDIR/audit.log under key without writing: RG_OK if intact
 * (ended in a checkpoint or only cut short at a line boundary). rep may be
 * NULL. errbuf: "RECDIR/audit.log: line K: ...". */
rg_err rg_recdir_audit_check(const char *recdir, const uint8_t *key,
                             rg_audit_report *rep, char *errbuf);
/* Whether RECDIR/audit.log records that this pseudonym joined the meeting
 * (other lines may name people who never were there, e.g. a refused
 * access request). */
bool rg_recdir_audit_joined(const char *recdir, const char *ps);
/* Track ids the audit log's capture_start lines give to pseudonym ps (what
 * survives a crash that left no manifest). *tracks [owned]: free with
 * rg_recdir_free_words. Call after the log was verified. */
rg_err rg_recdir_audit_tracks(const char *recdir, const char *ps,
                              char ***tracks, size_t *n);
/* Whether the audit log records a withdrawal of pseudonym ps. */
bool rg_recdir_audit_withdrawn(const char *recdir, const char *ps);
/* Whether some line of RECDIR/audit.log holds event `event` and a member
 * "journal":"<journal>" (to avoid logging a resumed step twice). */
bool rg_recdir_audit_has(const char *recdir, const char *event,
                         const char *journal);

/* ---- redaction ---- */

/* Copy of text with every case-insensitive whole-word occurrence of any of
 * words[0..n) replaced by repl (longest first; bytes >= 0x80 count as word
 * characters so UTF-8 names are whole words too). NULL on OOM. */
char *rg_recdir_redact(const char *text, const char *const *words, size_t n,
                       const char *repl);
/* Words that identify a participant entry: its id, its name, and each part
 * of the name of at least 2 bytes. Appended to *words ([owned] strings). */
rg_err rg_recdir_words_of(const cJSON *participant, char ***words, size_t *n);
void rg_recdir_free_words(char **words, size_t n);

/* ---- files ---- */

/* Overwrite a file with random bytes, fsync, unlink. Missing is ok. */
rg_err rg_recdir_shred_file(const char *path);
/* Shred every entry of RECDIR/keyring (opened without following a
 * symlink; only regular files are overwritten, anything else is just
 * unlinked, never followed). *files counts what was removed. */
rg_err rg_recdir_shred_keyring(const char *recdir, int *files);
/* Remove every *.age and *.age.part file in RECDIR/tracks/<track>/;
 * returns how many were removed (index.json is kept). */
int rg_recdir_remove_segments(const char *recdir, const char *track);
/* rm -r (no symlinks followed). Missing is ok. */
rg_err rg_recdir_remove_tree(const char *path, int *files);

/* Test hook, compiled only into test builds (-DRG_TEST_HOOKS, the
 * recgate-testhooks binary of the crash e2e tests): if env RG_TEST_CRASH_AT
 * equals step, SIGKILL ourselves. Nothing in the library or `recgate`. */
#ifdef RG_TEST_HOOKS
void rg_recdir_crash_point(const char *step);
#else
#define rg_recdir_crash_point(step) ((void)(step))
#endif

#endif
