/* One bot process of a service: `recgate run ... --json --status-fd 3`
 * started for a meeting's status document, followed on a thread of its own
 * (state lines, the summary, the last error line) until it exits. A bot in
 * its own process means one crash takes down one meeting, never the
 * service. The bot dies with its parent (PR_SET_PDEATHSIG: SIGTERM, so it
 * still ends properly: end notice, seal, checkpoint). */
#ifndef RG_SVC_CHILD_H
#define RG_SVC_CHILD_H

#include <stdbool.h>
#include <sys/types.h>
#include <cjson/cJSON.h>
#include "recgate/error.h"

typedef struct rg_svc_run_cfg {
    const char *self;      /* the recgate executable */
    const char *config;    /* policy file */
    const char *out_dir;   /* recordings go here */
    const char *audit_key; /* NULL: the policy's audit.key_file */
    const char *state_dir; /* private (0700) scratch: inline scenarios */
} rg_svc_run_cfg;

typedef struct rg_svc_child rg_svc_child;

/* Called on the child's thread. `state`/`detail` as rg_host_ops.state. */
typedef void (*rg_svc_on_state)(void *ctx, const char *state, const char *detail);
/* The process ended; `summary` (its --json line) and `last_error` (its
 * last "recgate run: ..." line) [borrowed], either may be NULL. */
typedef void (*rg_svc_on_exit)(void *ctx, int wait_status, const char *summary,
                               const char *last_error);

/* Start the bot for `status` [borrowed] (platform, meeting_type, settings,
 * max_duration_s). Callbacks get `ctx`. */
rg_err rg_svc_child_start(const rg_svc_run_cfg *cfg, const cJSON *status,
                          rg_svc_on_state on_state, rg_svc_on_exit on_exit, void *ctx,
                          rg_svc_child **out, char *errbuf);
/* Ask the bot to leave properly (SIGTERM). */
void rg_svc_child_stop(rg_svc_child *c);
pid_t rg_svc_child_pid(const rg_svc_child *c);
/* Wait for the follower thread (after on_exit ran) and free. */
void rg_svc_child_free(rg_svc_child *c);

#endif
