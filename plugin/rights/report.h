/* The DPO's report (docs/accountability.md): one self-contained HTML page
 * (inline CSS and SVG, no scripts, nothing fetched) that shows why a
 * recording exists and that every participant was informed:
 *
 *   - the recording's facts (type, legal basis, retention, hold, withdrawals)
 *   - the audit-chain verdict (rg_audit_verify with the key)
 *   - an SVG timeline: per participant presence, the notices that informed
 *     them, their consents and objections, what was captured (and later
 *     destroyed), withdrawals; a gate row on top
 *   - the exact notice texts, each matched by SHA-256 to its audit line
 *   - the audit log itself, pseudonyms shown with names
 *
 * Built from recording.json, the decrypted manifest and the audit log.
 * The decryption is logged first ("decrypt", purpose "report"); a damaged
 * or unwritable log refuses. Every text is HTML-escaped. */
#ifndef RG_REPORT_H
#define RG_REPORT_H

#include <stdint.h>
#include "agekey.h"
#include "recgate/error.h"

typedef struct rg_report_params {
    const char *recdir;
    const rg_age_identity *ids;   /* organisation identities */
    size_t n_ids;
    const uint8_t *audit_key;
    const char *by;
    const char *out_path;         /* written atomically, mode 0600 */
} rg_report_params;

typedef struct rg_report_result {
    int participants, notices, audit_lines;
    int notices_matched;          /* notices whose hash is in the log */
    bool chain_ok;
} rg_report_result;

rg_err rg_report_write(const rg_report_params *p, rg_report_result *res,
                       char *errbuf);

#endif
