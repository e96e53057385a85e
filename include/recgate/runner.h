/* recgate — the meeting runner: plays one meeting end to end with a shim,
 * a policy and a recording sink — creates the shim instance and the
 * session, wires the session's host callbacks to the shim, runs, and
 * returns the summary. Several runners may run at once on different
 * threads (sharing nothing but the read-only policy). */
#ifndef RECGATE_RUNNER_H
#define RECGATE_RUNNER_H

#include <stdio.h>
#include "recgate/error.h"
#include "recgate/policy.h"
#include "recgate/shim.h"
#include "recgate/sink.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RG_RUN_API_VERSION 1u

typedef struct rg_run_params {
    uint32_t api_version;          /* RG_RUN_API_VERSION */
    uint32_t struct_size;          /* sizeof(rg_run_params) */
    const rg_policy *policy;       /* [borrowed] */
    const rg_shim_ops *shim;       /* [borrowed] a registered shim
                                      (rg_shim_find, rg_shim_open) */
    /* The shim's settings from the caller (e.g. the command line): a JSON
     * object whose keys replace those of the policy's platforms.<name>;
     * NULL = the policy's alone. [borrowed] */
    const char *settings_json;
    /* Where what passes the gate goes — one of:
     *   sink: the caller's sink (sink.h), ctx [owned] by the run from the
     *         call on (its destroy is called, also on failure);
     *   out_dir: the library's encrypted recording folder under out_dir;
     *   neither: a dry run, nothing is written. */
    const rg_sink_ops *sink;
    void *sink_ctx;
    const char *out_dir;
    const char *const *recipients; /* NULL = the policy's vault.recipients */
    size_t n_recipients;
    const char *audit_key_file;    /* NULL = the policy's audit.key_file */
    FILE *timeline;                /* readable timeline, or NULL */
    const char *label;             /* timeline line prefix (NULL = none) */
    /* --- appended: older callers' tables end above and read as NULL --- */
    /* The meeting's state changes (rg_host_ops.state), e.g. for a service
     * that follows its bots; NULL = none. */
    void (*on_state)(void *ctx, int64_t t_ms, const char *state, const char *detail);
    void *state_ctx;
    const char *request_id;         /* rg_session_params.request_id */
    const char *previous_recording; /* rg_session_params.previous_recording */
} rg_run_params;
#define RG_RUN_MIN_SIZE (offsetof(rg_run_params, label) + sizeof(const char *))

/* Play the meeting. On success *summary_json [owned] (free()) holds the
 * summary (docs/formats.md). errbuf says what went wrong otherwise; if the
 * meeting was cut short after it started (the platform went away), the
 * error comes back AND *summary_json is set (what was captured is
 * sealed). */
RG_EXPORT rg_err rg_run_meeting(const rg_run_params *params, char **summary_json,
                      char *errbuf);

#ifdef __cplusplus
}
#endif
#endif
