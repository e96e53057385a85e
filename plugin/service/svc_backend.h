/* What the HTTP API asks of whoever runs the meetings: the embedded local
 * runner (svc_local.c) or NATS JetStream (svc_nats.c). Every status
 * document handed out is a copy [owned] by the caller. */
#ifndef RG_SVC_BACKEND_H
#define RG_SVC_BACKEND_H

#include <cjson/cJSON.h>
#include "recgate/error.h"

typedef struct rg_svc_backend {
    /* Accept a new meeting (status [owned], state "queued"). */
    rg_err (*submit)(void *ctx, cJSON *status, char *errbuf);
    /* The meeting's status, or NULL (RG_ERR_NOT_FOUND in *err). */
    cJSON *(*get)(void *ctx, const char *id, rg_err *err);
    /* Every meeting's status, as an array; NULL on error. */
    cJSON *(*list)(void *ctx, rg_err *err);
    /* Ask the bot to leave properly (or drop a queued meeting); the status
     * after the request into *status. */
    rg_err (*cancel)(void *ctx, const char *id, cJSON **status, char *errbuf);
    /* Requests not yet picked up, and the age of the oldest (seconds). */
    void (*queue)(void *ctx, double *depth, double *lag_s);
    void *ctx;
} rg_svc_backend;

#endif
