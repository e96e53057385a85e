/* Runner: plays one meeting end to end — creates the shim and the session,
 * wires the session's host callbacks to the shim, runs, and returns the
 * summary. Several runners may run at once on different threads. */
#ifndef RG_RUNNER_H
#define RG_RUNNER_H

#include <stdio.h>
#include "recgate/recgate.h"

typedef struct rg_run_opts {
    const rg_policy *policy;      /* [borrowed] */
    const rg_shim_ops *shim;      /* [borrowed] */
    const rg_shim_params *params; /* [borrowed] */
    const char *out_dir;          /* NULL: nothing written */
    FILE *timeline;               /* readable timeline, or NULL */
    const char *const *recipients;/* NULL = the policy's vault.recipients */
    size_t n_recipients;
    const char *audit_key_file;   /* NULL = the policy's audit.key_file */
    const char *label;            /* timeline line prefix (NULL = none) */
    const volatile sig_atomic_t *stop; /* operator stop flag (session.h), or NULL */
} rg_run_opts;

/* Play the meeting. On success *summary_json [owned] (free()) holds the
 * summary (docs/formats.md). errbuf says what went wrong otherwise; if the
 * meeting was cut short after it started (the platform went away), the
 * error comes back AND *summary_json is set (what was captured is sealed). */
rg_err rg_run_meeting(const rg_run_opts *opts, char **summary_json,
                      char *errbuf);

#endif
