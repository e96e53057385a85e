/* The tamper-evident audit log: append-only JSON lines, each carrying the
 * SHA-256 of the previous line and an HMAC-SHA256 under a key from a key
 * file. Format, MAC/chain definitions and the event catalogue:
 * docs/audit.md.
 *
 * Writer: rg_audit_open() (creates, or verifies and continues), then
 * rg_audit_append() per event, rg_audit_checkpoint() when the session ends
 * cleanly, rg_audit_close(). One writer per log (flock); not thread-safe.
 * A failed write puts the handle in a failed state: every later append
 * returns RG_ERR_IO, so the caller fails closed.
 *
 * Reader: rg_audit_verify() reports the first line at which an edit,
 * deletion, insertion, reordering or truncation of the log shows. */
#ifndef RG_AUDIT_H
#define RG_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "recgate/error.h"

#define RG_AUDIT_KEY_LEN 32
#define RG_AUDIT_MAX_LINE 65536   /* bytes per line, '\n' included */
#define RG_AUDIT_MAX_FILE (256u * 1024 * 1024) /* verify/open refuse more */
#define RG_PSEUDONYM_LEN 19       /* "p-" + 16 hex + NUL */

/* Event names (docs/audit.md lists the fields each carries). */
#define RG_AUDIT_EV_SESSION_START "session_start"
#define RG_AUDIT_EV_ANNOUNCEMENT  "announcement"
#define RG_AUDIT_EV_JOIN          "join"
#define RG_AUDIT_EV_LEAVE         "leave"
#define RG_AUDIT_EV_CHAT_INTENT   "chat_intent"
#define RG_AUDIT_EV_GATE_OPEN     "gate_open"
#define RG_AUDIT_EV_GATE_CLOSE    "gate_close"
#define RG_AUDIT_EV_CAPTURE_START "capture_start"
#define RG_AUDIT_EV_CAPTURE_STOP  "capture_stop"
#define RG_AUDIT_EV_REFUSED       "refused"
#define RG_AUDIT_EV_WITHDRAWAL    "withdrawal"
#define RG_AUDIT_EV_PURGE         "purge"
#define RG_AUDIT_EV_HOLD          "hold"
#define RG_AUDIT_EV_RELEASE       "release"
#define RG_AUDIT_EV_EXPORT        "export"
#define RG_AUDIT_EV_SEAL          "seal"
#define RG_AUDIT_EV_DECRYPT       "decrypt"
#define RG_AUDIT_EV_UPLOAD        "upload"
#define RG_AUDIT_EV_REMOTE_DELETE "remote_delete"
#define RG_AUDIT_EV_CHECKPOINT    "checkpoint" /* written by rg_audit_checkpoint */
#define RG_AUDIT_EV_RESUME        "resume"     /* written by rg_audit_open */

typedef struct rg_audit rg_audit;

/* ---- key ---------------------------------------------------------------- */

/* Load the 32-byte master key from a one-line file: 64 hex digits or
 * base64 (44 chars), surrounding whitespace ignored. The file must be a
 * regular file with no group/other permission bits (RG_ERR_PERMISSION
 * otherwise). RG_ERR_FORMAT if the contents are not a key. */
rg_err rg_audit_key_load(const char *path, uint8_t key[RG_AUDIT_KEY_LEN],
                         char *errbuf);

/* Create a new key file (mode 0600, refuses to overwrite) holding 32
 * random bytes as hex. The key never leaves this function. */
rg_err rg_audit_key_generate(const char *path, char *errbuf);

/* Participant pseudonym: "p-" + first 16 hex digits of
 * HMAC-SHA256(pseudonym subkey, platform_id). Stable for a key, different
 * across keys. */
rg_err rg_audit_pseudonym(const uint8_t key[RG_AUDIT_KEY_LEN],
                          const char *platform_id,
                          char out[RG_PSEUDONYM_LEN]);

/* ---- writer ------------------------------------------------------------- */

/* Open the log at `path` for appending. A missing or empty file is created
 * (0600). An existing log is verified in full under `key` first: a broken
 * chain or MAC (RG_ERR_AUTH), malformed line (RG_ERR_PARSE/FORMAT) or a
 * partial last line (RG_ERR_TRUNCATED) refuses the open, so nothing is ever
 * appended to a tampered log. Otherwise a "resume" line is appended that
 * records whether the log had ended in a checkpoint. RG_ERR_STATE if
 * another process holds the log open. `key` is copied (subkeys derived);
 * *out is [owned] (rg_audit_close). */
rg_err rg_audit_open(const char *path, const uint8_t key[RG_AUDIT_KEY_LEN],
                     rg_audit **out, char *errbuf);

/* Append one event line. `event` is [a-z0-9_]{1,32} and not "checkpoint"
 * or "resume". `fields` [borrowed] is a JSON object (or NULL) whose members
 * follow the fixed members in order; its keys must not be seq, ts, t_ms,
 * event, prev or mac, nor repeat. t_ms >= 0 adds "t_ms" (session time);
 * -1 omits it. sync = fsync before returning (do so for every decision).
 * RG_ERR_ARG for bad input or a line over RG_AUDIT_MAX_LINE, RG_ERR_STATE
 * after a checkpoint, RG_ERR_IO if the write failed (handle now failed). */
rg_err rg_audit_append(rg_audit *log, const char *event, const cJSON *fields,
                       int64_t t_ms, bool sync);

/* Write the final signed line {"event":"checkpoint","lines":N} and fsync.
 * No appends after it on this handle (RG_ERR_STATE); reopen to continue. */
rg_err rg_audit_checkpoint(rg_audit *log);

/* Number of lines in the log so far. */
uint64_t rg_audit_lines(const rg_audit *log);

/* Close (without a checkpoint, the log reads as cut short). NULL is ok. */
void rg_audit_close(rg_audit *log);

/* ---- verifier ----------------------------------------------------------- */

typedef struct rg_audit_report {
    bool ok;              /* intact, and ends in a checkpoint */
    bool macs_checked;    /* false: key was NULL, only the chain checked */
    bool checkpointed;    /* the last complete line is a checkpoint */
    bool unclosed;        /* every line intact, only the checkpoint at the
                             end is missing (crash, open session or a cut
                             exactly at a line boundary) */
    uint64_t lines;       /* complete lines that passed every check */
    uint64_t first_bad_line; /* 1-based; 0 if none */
    char problem[256];    /* what is wrong at first_bad_line ("" if ok) */
    char head[65];        /* hex SHA-256 of the last good line ("" if none) */
} rg_audit_report;

/* Verify the log at `path`. key NULL = hash chain only (MACs unchecked).
 * Returns RG_OK only if rep->ok. Otherwise: RG_ERR_TRUNCATED (chain fine
 * but no checkpoint at the end, or a partial last line), RG_ERR_AUTH (MAC
 * or chain broken), RG_ERR_PARSE (malformed line), RG_ERR_FORMAT (empty or
 * not an audit log), RG_ERR_IO (unreadable; rep->first_bad_line 0).
 * errbuf gets "PATH: line K: problem". */
rg_err rg_audit_verify(const char *path, const uint8_t *key,
                       rg_audit_report *rep, char *errbuf);

/* Same over `len` bytes in memory; `origin` names them in errbuf. */
rg_err rg_audit_verify_buf(const char *buf, size_t len, const uint8_t *key,
                           const char *origin, rg_audit_report *rep,
                           char *errbuf);

/* ---- internal (audit.c <-> audit_verify.c) ------------------------------ */

typedef enum rg_audit_subkey { RG_AUDIT_SUBKEY_MAC, RG_AUDIT_SUBKEY_PSEUDONYM }
    rg_audit_subkey;

/* HKDF-SHA256(master, info = "recgate audit <purpose> v1") -> 32 bytes. */
rg_err rg_audit_derive(const uint8_t key[RG_AUDIT_KEY_LEN],
                       rg_audit_subkey which, uint8_t out[32]);

/* Verify with an already derived MAC subkey (NULL = chain only). On
 * success head/checkpointed describe the last line (for continuing). */
rg_err rg_audit_verify_mem(const char *buf, size_t len, const uint8_t *mac_key,
                           const char *origin, rg_audit_report *rep,
                           uint8_t head[32], char *errbuf);

/* All checks of line k (n bytes, no '\n') given the previous line's hash;
 * the writer runs it on every line before writing it. */
rg_err rg_audit_check_line(const char *p, size_t n, uint64_t k,
                           const uint8_t prev[32], const uint8_t *mac_key,
                           rg_audit_report *rep, bool *is_checkpoint);

/* SHA-256 of the fixed genesis string: the "prev" of line 1. */
void rg_audit_genesis(uint8_t out[32]);
/* Event names are [a-z0-9_]{1,32}. */
bool rg_audit_event_name_ok(const char *e);

void rg_audit_hex(const uint8_t *in, size_t n, char *out /* 2n+1 */);

#endif
