#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include "errfmt.h"
#include "svc_http.h"
#include "svc_status.h"

struct rg_svc_http {
    const rg_svc_http_cfg *cfg;
    struct MHD_Daemon *daemon;
    int port;
};

typedef struct req_body {
    char *data;
    size_t len;
    bool too_large;
} req_body;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type,
                             char *body /* [owned] */)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        body ? strlen(body) : 0, body ? body : (char *)"", body ? MHD_RESPMEM_MUST_FREE
                                                               : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (code == 401)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"recgate\"");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned code, cJSON *doc)
{
    char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    if (!text)
        return reply(c, 500, "application/json", strdup("{\"error\":\"out of memory\"}"));
    size_t n = strlen(text);
    char *body = realloc(text, n + 2);
    if (!body) {
        free(text);
        return MHD_NO;
    }
    body[n] = '\n';
    body[n + 1] = '\0';
    return reply(c, code, "application/json", body);
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned code, const char *msg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    return reply_json(c, code, o);
}

static bool authorised(const rg_svc_http *h, struct MHD_Connection *c)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (!auth || strncmp(auth, "Bearer ", 7))
        return false;
    const char *given = auth + 7;
    size_t n = strlen(h->cfg->token);
    return strlen(given) == n && CRYPTO_memcmp(given, h->cfg->token, n) == 0;
}

static void add_metric(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add_metric(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        if (!*buf)
            return;
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < *cap - *len) {
            *len += (size_t)n;
            return;
        }
        char *nb = realloc(*buf, *cap * 2 + (size_t)n);
        if (!nb) {
            free(*buf);
            *buf = NULL;
            return;
        }
        *buf = nb;
        *cap = *cap * 2 + (size_t)n;
    }
}

static enum MHD_Result metrics(rg_svc_http *h, struct MHD_Connection *c)
{
    rg_err err;
    cJSON *all = h->cfg->backend.list(h->cfg->backend.ctx, &err);
    if (!all)
        return reply_error(c, 503, rg_strerror(err));
    static const char *const states[] = {RG_SVC_STATES};
    size_t n_states = sizeof states / sizeof states[0];
    double count[16] = {0}, running = 0, capture = 0, notice_fail = 0;
    cJSON *causes = cJSON_CreateObject();
    for (const cJSON *m = all->child; m; m = m->next) {
        const char *st = rg_svc_status_state(m);
        for (size_t i = 0; i < n_states; i++)
            if (!strcmp(st, states[i]))
                count[i]++;
        if (rg_svc_state_running(st))
            running++;
        const cJSON *cs = cJSON_GetObjectItemCaseSensitive(m, "capture_seconds");
        const cJSON *nf = cJSON_GetObjectItemCaseSensitive(m, "notices_failed");
        capture += cJSON_IsNumber(cs) ? cs->valuedouble : 0;
        notice_fail += cJSON_IsNumber(nf) ? nf->valuedouble : 0;
        const char *cause = rg_svc_status_str(m, "cause");
        if (!strcmp(st, "refused") && causes) {
            cause = cause ? cause : "unknown";
            cJSON *v = cJSON_GetObjectItemCaseSensitive(causes, cause);
            if (v)
                cJSON_SetNumberValue(v, v->valuedouble + 1);
            else
                cJSON_AddNumberToObject(causes, cause, 1);
        }
    }
    double depth = 0, lag = 0;
    h->cfg->backend.queue(h->cfg->backend.ctx, &depth, &lag);
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    add_metric(&buf, &len, &cap,
               "# HELP recgate_meetings Meetings known to the service, by state.\n"
               "# TYPE recgate_meetings gauge\n");
    for (size_t i = 0; i < n_states; i++)
        add_metric(&buf, &len, &cap, "recgate_meetings{state=\"%s\"} %.0f\n", states[i], count[i]);
    add_metric(&buf, &len, &cap,
               "# HELP recgate_bots_running Bots joining or in a meeting.\n"
               "# TYPE recgate_bots_running gauge\nrecgate_bots_running %.0f\n"
               "# HELP recgate_capture_seconds_total Seconds of media let through the gate, ended meetings.\n"
               "# TYPE recgate_capture_seconds_total counter\nrecgate_capture_seconds_total %.3f\n"
               "# HELP recgate_refusals_total Meetings refused, by cause.\n"
               "# TYPE recgate_refusals_total counter\n",
               running, capture);
    for (const cJSON *v = causes ? causes->child : NULL; v; v = v->next)
        add_metric(&buf, &len, &cap, "recgate_refusals_total{cause=\"%s\"} %.0f\n", v->string,
                   v->valuedouble);
    add_metric(&buf, &len, &cap,
               "# HELP recgate_notice_failures_total Informing notices the platform did not accept.\n"
               "# TYPE recgate_notice_failures_total counter\nrecgate_notice_failures_total %.0f\n"
               "# HELP recgate_queue_depth Meetings due but not yet picked up.\n"
               "# TYPE recgate_queue_depth gauge\nrecgate_queue_depth %.0f\n"
               "# HELP recgate_queue_lag_seconds Age of the oldest meeting due but not picked up.\n"
               "# TYPE recgate_queue_lag_seconds gauge\nrecgate_queue_lag_seconds %.3f\n",
               notice_fail, depth, lag);
    cJSON_Delete(causes);
    cJSON_Delete(all);
    if (!buf)
        return reply_error(c, 500, "out of memory");
    return reply(c, 200, "text/plain; version=0.0.4", buf);
}

static enum MHD_Result route(rg_svc_http *h, struct MHD_Connection *c, const char *url,
                             const char *method, req_body *body)
{
    const rg_svc_backend *b = &h->cfg->backend;
    char errbuf[RG_ERRBUF_SIZE] = "";
    rg_err err;
    if (!strcmp(url, "/healthz"))
        return strcmp(method, "GET") ? reply_error(c, 405, "GET only")
                                     : reply(c, 200, "text/plain", strdup("ok\n"));
    if (!strcmp(url, "/metrics"))
        return strcmp(method, "GET") ? reply_error(c, 405, "GET only") : metrics(h, c);
    if (strncmp(url, "/v1/meetings", 12) || (url[12] && url[12] != '/'))
        return reply_error(c, 404, "no such resource");
    if (!authorised(h, c))
        return reply_error(c, 401, "missing or wrong bearer token");
    const char *id = url[12] == '/' ? url + 13 : NULL;
    if (id && (!*id || strlen(id) > 64 || strchr(id, '/')))
        return reply_error(c, 404, "no such meeting");
    if (!id && !strcmp(method, "POST")) {
        if (body->too_large)
            return reply_error(c, 413, "request body larger than 64 KiB");
        cJSON *st = NULL;
        int code = 400;
        err = rg_svc_request_parse(body->data ? body->data : "", body->len, h->cfg->policy,
                                   h->cfg->open_platform, &st, &code, errbuf);
        if (err)
            return reply_error(c, (unsigned)code, errbuf[0] ? errbuf : rg_strerror(err));
        cJSON *answer = cJSON_CreateObject();
        cJSON_AddStringToObject(answer, "id", rg_svc_status_str(st, "id"));
        cJSON_AddStringToObject(answer, "state", "queued");
        err = b->submit(b->ctx, st, errbuf);
        if (err) {
            cJSON_Delete(answer);
            return reply_error(c, 503, errbuf[0] ? errbuf : rg_strerror(err));
        }
        return reply_json(c, 201, answer);
    }
    if (!id && !strcmp(method, "GET")) {
        const char *want = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "state");
        if (want && !rg_svc_state_valid(want))
            return reply_error(c, 400, "state: not a meeting state");
        cJSON *all = b->list(b->ctx, &err);
        if (!all)
            return reply_error(c, 503, rg_strerror(err));
        cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "meetings");
        for (cJSON *m = all->child; m && arr; m = m->next)
            if (!want || !strcmp(rg_svc_status_state(m), want))
                cJSON_AddItemToArray(arr, cJSON_Duplicate(m, true));
        cJSON_Delete(all);
        return reply_json(c, 200, out);
    }
    if (id && !strcmp(method, "GET")) {
        cJSON *st = b->get(b->ctx, id, &err);
        if (!st)
            return reply_error(c, err == RG_ERR_NOT_FOUND ? 404 : 503,
                               err == RG_ERR_NOT_FOUND ? "no such meeting" : rg_strerror(err));
        return reply_json(c, 200, st);
    }
    if (id && !strcmp(method, "DELETE")) {
        cJSON *st = NULL;
        err = b->cancel(b->ctx, id, &st, errbuf);
        if (err)
            return reply_error(c, err == RG_ERR_NOT_FOUND ? 404 : 503,
                               err == RG_ERR_NOT_FOUND ? "no such meeting" : errbuf);
        return reply_json(c, 202, st);
    }
    return reply_error(c, 405, "method not allowed here");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version,
                               const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    req_body *body = *con_cls;
    if (!body) {
        body = calloc(1, sizeof *body);
        if (!body)
            return MHD_NO;
        *con_cls = body;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!body->too_large && body->len + *upload_size <= RG_SVC_MAX_BODY) {
            char *nd = realloc(body->data, body->len + *upload_size + 1);
            if (!nd)
                return MHD_NO;
            memcpy(nd + body->len, upload, *upload_size);
            body->data = nd;
            body->len += *upload_size;
            nd[body->len] = '\0';
        } else {
            body->too_large = true;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return route(cls, c, url, method, body);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls; (void)c; (void)toe;
    req_body *body = *con_cls;
    if (body) {
        free(body->data);
        free(body);
        *con_cls = NULL;
    }
}

rg_err rg_svc_http_start(const rg_svc_http_cfg *cfg, rg_svc_http **out, char *errbuf)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
    const char *addr = cfg->addr ? cfg->addr : "127.0.0.1";
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
        return rg_errorf(errbuf, RG_ERR_ARG, "--listen: '%s' is not an IPv4 address", addr);
    rg_svc_http *h = calloc(1, sizeof *h);
    if (!h)
        return RG_ERR_NOMEM;
    h->cfg = cfg;
    h->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
        handler, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)256, MHD_OPTION_END);
    if (!h->daemon) {
        free(h);
        return rg_errorf(errbuf, RG_ERR_IO, "cannot listen on %s:%d (in use, or not an address of this machine)",
                         addr, cfg->port);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : cfg->port;
    *out = h;
    return RG_OK;
}

int rg_svc_http_port(const rg_svc_http *h) { return h->port; }

void rg_svc_http_stop(rg_svc_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->daemon);
    free(h);
}
