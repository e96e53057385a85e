/* NATS JetStream for the fleet (docs/service.md): requests go into the
 * work-queue stream RECGATE_REQUESTS (subject recgate.requests), pulled by
 * the durable consumer "recgate-workers"; each meeting's status document
 * lives in the JetStream key-value bucket "recgate_meetings" (a stream,
 * read by every `recgate serve`); a stop request for a running bot goes to
 * recgate.control.<id>. */
#ifndef RG_SVC_NATS_H
#define RG_SVC_NATS_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include "svc_backend.h"

typedef struct rg_svc_nats rg_svc_nats;

/* Connect (retrying while the server is down; reconnecting for ever after)
 * and make sure the stream and the bucket exist. */
rg_err rg_svc_nats_connect(const char *url, const char *name, rg_svc_nats **out,
                           char *errbuf);
rg_svc_backend rg_svc_nats_backend(rg_svc_nats *n);
void rg_svc_nats_free(rg_svc_nats *n);

/* Worker side. */
typedef struct rg_svc_job rg_svc_job;

/* Bind the pull consumer (created with this ack wait if new). */
rg_err rg_svc_nats_pull_open(rg_svc_nats *n, int ack_wait_s, char *errbuf);
/* Wait up to timeout_ms for one request. *job NULL if none came. */
rg_err rg_svc_nats_fetch(rg_svc_nats *n, int timeout_ms, rg_svc_job **job, char *errbuf);
/* [borrowed] the request's status document as sent; and how many times it
 * was delivered (1 = first). */
cJSON *rg_svc_job_request(rg_svc_job *j);
int rg_svc_job_delivered(const rg_svc_job *j);
/* Still working on it (resets the ack wait). */
rg_err rg_svc_job_progress(rg_svc_job *j);
/* Done: never deliver again. */
rg_err rg_svc_job_ack(rg_svc_job *j);
/* Not now: deliver again after delay_s. */
rg_err rg_svc_job_later(rg_svc_job *j, int delay_s);
void rg_svc_job_free(rg_svc_job *j);

/* The status document of a meeting, or NULL (*err says why). */
cJSON *rg_svc_nats_get(rg_svc_nats *n, const char *id, rg_err *err);
rg_err rg_svc_nats_put(rg_svc_nats *n, const cJSON *status, char *errbuf);
/* Call cb(ctx, id) for every stop request (on a NATS thread). */
rg_err rg_svc_nats_on_stop(rg_svc_nats *n, void (*cb)(void *ctx, const char *id),
                           void *ctx, char *errbuf);
/* Requests not yet delivered to any worker. */
rg_err rg_svc_nats_pending(rg_svc_nats *n, double *pending);

#endif
