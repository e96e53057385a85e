/* Refusals before any recording exists (the policy's transfer guard): the
 * attempt gets its own audit log so that the decision is on record too. */
#ifndef RG_REFUSAL_H
#define RG_REFUSAL_H

#include <stddef.h>
#include "recgate/error.h"

/* Write OUT_DIR/refused-<UTC time>-<6 hex>.audit.log with one `refused`
 * event {"reason": reason, "detail": detail}, signed with the audit key
 * in key_file, and its path into path[path_len]. Best effort: the refusal
 * itself never depends on it (errors are returned, nothing is printed). */
rg_err rg_audit_refusal_log(const char *out_dir, const char *key_file,
                            const char *reason, const char *detail,
                            char *path, size_t path_len);

#endif
