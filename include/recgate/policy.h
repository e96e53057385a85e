/* recgate — the admin's policy: controller, meeting types and their legal
 * basis, loaded from a JSON file (format: docs/config.md).
 *
 * A policy is immutable once loaded and may be shared by many sessions and
 * threads. Loading validates everything: unknown keys and bad values are
 * rejected with a message "FILE: json.path: expected ..., got ..." in errbuf. */
#ifndef RECGATE_POLICY_H
#define RECGATE_POLICY_H

#include <stddef.h>
#include "recgate/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rg_policy rg_policy;

/* Load and validate a policy file. On success *out is [owned] by the caller
 * (free with rg_policy_free). errbuf may be NULL. */
RG_EXPORT rg_err rg_policy_load(const char *path, rg_policy **out, char *errbuf);

/* Same from memory; `origin` names the text in error messages. */
RG_EXPORT rg_err rg_policy_parse(const char *json, size_t len, const char *origin,
                       rg_policy **out, char *errbuf);

RG_EXPORT void rg_policy_free(rg_policy *policy);

/* [borrowed] name of the default meeting type; valid while the policy lives. */
RG_EXPORT const char *rg_policy_default_type(const rg_policy *policy);

/* [borrowed] the settings of platform shim `name` (platforms.<name>) as
 * JSON object text, or NULL when the policy has none. Opaque to the core:
 * the shim validates them (shim.h). Valid while the policy lives. */
RG_EXPORT const char *rg_policy_platform_settings(const rg_policy *policy, const char *name);

#ifdef __cplusplus
}
#endif
#endif
