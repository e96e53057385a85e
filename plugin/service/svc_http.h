/* The HTTP API of `recgate serve` (libmicrohttpd), docs/service.md:
 *   POST   /v1/meetings            new meeting  -> 201 {"id":...}
 *   GET    /v1/meetings[?state=S]  list
 *   GET    /v1/meetings/{id}       state, timestamps, decision, reason
 *   DELETE /v1/meetings/{id}       the bot leaves properly
 *   GET    /metrics                Prometheus text
 *   GET    /healthz
 * Every /v1 request needs "Authorization: Bearer TOKEN". */
#ifndef RG_SVC_HTTP_H
#define RG_SVC_HTTP_H

#include <stdbool.h>
#include "recgate/recgate.h"
#include "svc_backend.h"

typedef struct rg_svc_http_cfg {
    const char *addr;             /* IPv4 address to bind; NULL: 127.0.0.1 */
    int port;                     /* 0: any free port (see rg_svc_http_port) */
    const char *token;            /* [borrowed] bearer token */
    const rg_policy *policy;      /* [borrowed] requests are checked against it */
    rg_svc_backend backend;
    rg_err (*open_platform)(const char *name, char *errbuf);
} rg_svc_http_cfg;

typedef struct rg_svc_http rg_svc_http;

/* cfg [borrowed] must outlive the server. */
rg_err rg_svc_http_start(const rg_svc_http_cfg *cfg, rg_svc_http **out, char *errbuf);
int rg_svc_http_port(const rg_svc_http *h);
void rg_svc_http_stop(rg_svc_http *h);

#endif
