/* The state of one meeting a service runs (`recgate serve`, `recgate
 * worker`), as one JSON document: what GET /v1/meetings/{id} answers, what
 * the NATS state bucket stores, and what the local table keeps. Also the
 * validation of a meeting request against the policy (docs/service.md). */
#ifndef RG_SVC_STATUS_H
#define RG_SVC_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "recgate/recgate.h"

/* The states, in the order a meeting normally goes through them. */
#define RG_SVC_STATES "queued", "joining", "announced", "window", "recording", \
                      "refused", "stopped", "ended", "failed"

/* True for a known state name. */
bool rg_svc_state_valid(const char *state);
/* True for refused, stopped, ended, failed: the bot is gone. */
bool rg_svc_state_final(const char *state);
/* True for joining .. recording: a bot process is (or should be) running. */
bool rg_svc_state_running(const char *state);

/* Body limit of POST /v1/meetings. */
#define RG_SVC_MAX_BODY 65536

/* Validate a POST /v1/meetings body against the policy and make the new
 * meeting's status document (state "queued"). On error *http_status is 400
 * (malformed or invalid field, message names the JSON path) or 422 (valid
 * JSON the policy refuses: unknown meeting type, unknown platform).
 * `open_platform` finds (loads) a platform by name, or says in errbuf
 * why not and what is available. */
rg_err rg_svc_request_parse(const char *body, size_t len, const rg_policy *policy,
                            rg_err (*open_platform)(const char *name, char *errbuf),
                            cJSON **status, int *http_status, char *errbuf);

/* Set state (and its first time in "states"), updated_at; `detail` [borrowed]
 * may be NULL. Going back is ignored (a late "window" after "recording"). */
void rg_svc_status_set(cJSON *status, const char *state, const char *detail);
/* A state line of the bot (rg_host_ops.state): the recording id, or a
 * state. The bot's own "ended" waits for the process to end
 * (rg_svc_status_finish), which also brings the decision and reason. */
void rg_svc_status_bot_state(cJSON *status, const char *state, const char *detail);
/* The state name of a status document ("" if none). */
const char *rg_svc_status_state(const cJSON *status);
/* A string field, or NULL. */
const char *rg_svc_status_str(const cJSON *status, const char *field);
void rg_svc_status_put_str(cJSON *status, const char *field, const char *value);
void rg_svc_status_put_num(cJSON *status, const char *field, double value);

/* The bot process ended: exit status (as waitpid gives it), its --json
 * summary line or NULL, and the last line it printed on stderr or NULL.
 * Sets the final state, decision, reason, capture_seconds. */
void rg_svc_status_finish(cJSON *status, int wait_status, const char *summary,
                          const char *last_error, bool stop_requested);

/* A new attempt at the same meeting after its bot was lost (a worker died):
 * the last attempt moves into "previous" and the state is reset to queued. */
void rg_svc_status_new_attempt(cJSON *status, int attempt);

/* ISO-8601 UTC of `t` into buf[32]. */
void rg_svc_iso(time_t t, char buf[32]);

#endif
