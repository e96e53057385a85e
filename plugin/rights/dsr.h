/* Data-subject access (GDPR Art. 15): everything one recording holds about
 * one participant, and nothing about anyone else (docs/accountability.md).
 *
 *   OUT/                mode 0700, created (must not exist or be empty)
 *     subject.json      the recording's facts and the participant's entry
 *     t<N>.ogg          each of their tracks, decrypted, playable (0600)
 *     chat.json         their own chat lines, messages to them and the
 *                       notices shown to everyone; other people's ids and
 *                       names are replaced by "[other participant]"
 *     audit.jsonl       audit lines that name them, or no one (verbatim,
 *                       so each can still be checked against the log)
 *
 * The decryption is logged ("decrypt") before anything is decrypted and
 * the export ("export") after; a log that cannot be written refuses. */
#ifndef RG_DSR_H
#define RG_DSR_H

#include <stdbool.h>
#include <stdint.h>
#include "agekey.h"
#include "audit.h"
#include "recgate/error.h"

typedef struct rg_dsr_params {
    const char *recdir;
    const char *participant;      /* platform id */
    const rg_age_identity *ids;   /* organisation identities */
    size_t n_ids;
    const uint8_t *audit_key;
    const char *by;
    const char *out_dir;
} rg_dsr_params;

typedef struct rg_dsr_result {
    int tracks, chat_lines, audit_lines;
    bool withdrawn;               /* only audit entries are left */
    char pseudonym[RG_PSEUDONYM_LEN];
} rg_dsr_result;

rg_err rg_dsr_export(const rg_dsr_params *p, rg_dsr_result *res, char *errbuf);

#endif
