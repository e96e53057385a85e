/* Withdrawal after the meeting (docs/accountability.md): a participant who
 * regrets has either the whole recording deleted or themselves made
 * unrecognisable in it.
 *
 *   delete     every track key shredded, every segment and the manifest
 *              removed; recording.json, vault.json and audit.log stay as a
 *              tombstone (no personal data) until retention purges them.
 *   anonymize  the participant's tracks: keys shredded (every copy anywhere
 *              becomes unreadable), segments removed; the manifest rewritten
 *              without their id, name and chat lines (their name is also
 *              redacted from everyone else's chat).
 *
 * Crash safety: a plain journal RECDIR/withdraw.pending (mode, the
 * participant's pseudonym, track ids; no names) is written first and
 * removed last. Every step is idempotent; rg_withdraw_resume (called by
 * every command that reads the recording) completes a pending journal. */
#ifndef RG_WITHDRAW_H
#define RG_WITHDRAW_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "agekey.h"
#include "audit.h"
#include "recgate/error.h"

#define RG_WITHDRAW_JOURNAL "withdraw.pending"

typedef enum rg_withdraw_mode {
    RG_WITHDRAW_MODE_DELETE = 0,
    RG_WITHDRAW_MODE_ANONYMIZE = 1
} rg_withdraw_mode;

typedef struct rg_withdraw_params {
    const char *recdir;
    const char *participant;        /* platform id */
    rg_withdraw_mode mode;
    const rg_age_identity *ids;     /* org identities; needed for anonymize */
    size_t n_ids;
    const uint8_t *audit_key;       /* RG_AUDIT_KEY_LEN bytes */
    const char *by;                 /* who acts (login name) */
} rg_withdraw_params;

typedef struct rg_withdraw_result {
    bool already;      /* nothing to do: done before */
    bool resumed;      /* an interrupted withdrawal was completed first */
    int tracks;        /* tracks destroyed now */
    int files;         /* files removed now */
    bool no_manifest;  /* anonymize without a manifest (cut short by a
                          crash): tracks came from the audit log */
    char pseudonym[RG_PSEUDONYM_LEN];
} rg_withdraw_result;

/* Withdraw one participant. RG_ERR_NOT_FOUND if they were not in the
 * recording; RG_ERR_ARG without identities for anonymize. */
rg_err rg_withdraw(const rg_withdraw_params *p, rg_withdraw_result *res,
                   char *errbuf);

/* Whether RECDIR holds an unfinished withdrawal. */
bool rg_withdraw_pending(const char *recdir);

/* Complete an unfinished withdrawal if there is one (*resumed = true).
 * ids may be NULL for a pending delete; an anonymize needs them. */
rg_err rg_withdraw_resume(const char *recdir, const rg_age_identity *ids,
                          size_t n_ids, const uint8_t *audit_key,
                          bool *resumed, char *errbuf);

/* Pure: make participant `id` unrecognisable in a manifest: their entry
 * becomes {"id":ps,"pseudonym":ps,"name":"(withdrawn participant)",
 * "withdrawn":true,...}, their chat lines are dropped, messages to them
 * are addressed to ps, their tracks name ps, and their id, name and name
 * parts are replaced by "[redacted]" in every other string (other
 * participants' entries are left alone). RG_ERR_NOT_FOUND if absent. */
rg_err rg_withdraw_anonymize_manifest(cJSON *m, const char *id,
                                      const char *ps);

#endif
