/* Janus HTTP API client (see jsession.h). */
#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "janus/jsession.h"

#define REPLY_MAX (4u << 20) /* a Janus reply larger than this is refused */
#define POLL_HOLD_S 40       /* Janus holds a long-poll up to 30 s */
#define RETRY_MS 250

struct rg_jsession {
    char *url;
    int timeout_ms;
    uint64_t id;
    GAsyncQueue *q;
    CURL *curl;         /* requests, caller's thread */
    GThread *poller;
    volatile gint stop;
    uint32_t txn;
    char prefix[16];
};

int64_t rg_jnow_us(void) { return g_get_monotonic_time(); }

rg_jev *rg_jev_new(rg_jev_kind kind, uint64_t handle)
{
    rg_jev *ev = calloc(1, sizeof *ev);
    if (ev) {
        ev->kind = kind;
        ev->handle = handle;
        ev->at_us = rg_jnow_us();
    }
    return ev;
}

rg_jev *rg_jev_new_data(rg_jev_kind kind, uint64_t handle, const void *data, size_t len)
{
    rg_jev *ev = malloc(sizeof *ev + len);
    if (ev) {
        memset(ev, 0, sizeof *ev);
        ev->kind = kind;
        ev->handle = handle;
        ev->at_us = rg_jnow_us();
        ev->data = (uint8_t *)(ev + 1);
        memcpy(ev->data, data, len);
        ev->len = len;
    }
    return ev;
}

void rg_jev_free(rg_jev *ev)
{
    if (!ev)
        return;
    cJSON_Delete(ev->json);
    free(ev->text);
    if (ev->data != (uint8_t *)(ev + 1))
        free(ev->data);
    free(ev);
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

typedef struct buf {
    char *p;
    size_t n;
    bool too_big;
} buf;

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    buf *b = ctx;
    size_t len = size * nmemb;
    if (b->n + len > REPLY_MAX) {
        b->too_big = true;
        return 0;
    }
    char *np = realloc(b->p, b->n + len + 1);
    if (!np)
        return 0;
    memcpy(np + b->n, data, len);
    b->p = np;
    b->n += len;
    b->p[b->n] = '\0';
    return len;
}

/* Abort a transfer (the long-poll) once the session is being freed. */
static int on_progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a; (void)b; (void)c; (void)d;
    return ctx && g_atomic_int_get((volatile gint *)ctx) ? 1 : 0;
}

/* One HTTP exchange on `curl`; body NULL means GET. *out [owned] parsed.
 * `stop` (may be NULL) aborts the transfer when it becomes non-zero. */
static rg_err http_json_stop(CURL *curl, const char *url, const char *body,
                             long timeout_ms, volatile gint *stop, cJSON **out,
                             char *errbuf);
static rg_err http_json(CURL *curl, const char *url, const char *body,
                        long timeout_ms, cJSON **out, char *errbuf)
{
    return http_json_stop(curl, url, body, timeout_ms, NULL, out, errbuf);
}

static rg_err http_json_stop(CURL *curl, const char *url, const char *body,
                             long timeout_ms, volatile gint *stop, cJSON **out,
                             char *errbuf)
{
    buf b = {0};
    char cerr[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
    if (stop) {
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)stop);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    }
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    }
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hdr);
    rg_err err = RG_OK;
    if (rc != CURLE_OK) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "%s", b.too_big ? "reply too large"
                     : cerr[0] ? cerr : curl_easy_strerror(rc));
        err = RG_ERR_NETWORK;
    } else if (status != 200) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "HTTP status %ld", status);
        err = RG_ERR_NETWORK;
    } else if (!(*out = cJSON_Parse(b.p ? b.p : ""))) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "the reply is not JSON");
        err = RG_ERR_PARSE;
    }
    free(b.p);
    return err;
}

/* The error object of a Janus reply: code and reason. */
static bool janus_error(const cJSON *r, int *code, const char **reason)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(r, "janus");
    if (!cJSON_IsString(j) || strcmp(j->valuestring, "error"))
        return false;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "error");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(e, "reason");
    *code = cJSON_IsNumber(c) ? c->valueint : 0;
    *reason = cJSON_IsString(why) ? why->valuestring : "unknown error";
    return true;
}

uint64_t rg_jid(const cJSON *it)
{
    if (cJSON_IsNumber(it) && it->valuedouble >= 1 && it->valuedouble < 18446744073709551615.0)
        return (uint64_t)it->valuedouble;
    if (cJSON_IsString(it) && it->valuestring[0] >= '0' && it->valuestring[0] <= '9')
        return strtoull(it->valuestring, NULL, 10);
    return 0;
}

const cJSON *rg_jplugindata(const cJSON *msg)
{
    const cJSON *pd = cJSON_GetObjectItemCaseSensitive(msg, "plugindata");
    return cJSON_GetObjectItemCaseSensitive(pd, "data");
}

static void post_lost(rg_jsession *js, const char *why)
{
    rg_jev *ev = rg_jev_new(RG_JEV_LOST, 0);
    if (ev) {
        ev->text = strdup(why);
        g_async_queue_push(js->q, ev);
    }
}

static gpointer poll_main(gpointer data)
{
    rg_jsession *js = data;
    CURL *curl = curl_easy_init();
    char url[1024], why[RG_ERRBUF_SIZE];
    int64_t last_ok = rg_jnow_us();
    unsigned rid = 0;
    while (curl && !g_atomic_int_get(&js->stop)) {
        snprintf(url, sizeof url, "%s/%" PRIu64 "?maxev=20&rid=%u", js->url, js->id, ++rid);
        cJSON *r = NULL;
        why[0] = '\0';
        rg_err err = http_json_stop(curl, url, NULL, POLL_HOLD_S * 1000L, &js->stop, &r, why);
        if (g_atomic_int_get(&js->stop)) {
            cJSON_Delete(r);
            break;
        }
        int code;
        const char *reason;
        if (!err && cJSON_IsObject(r) && janus_error(r, &code, &reason)) {
            char msg[RG_ERRBUF_SIZE];
            snprintf(msg, sizeof msg, "Janus ended the session (error %d: %s)", code, reason);
            cJSON_Delete(r);
            post_lost(js, msg);
            break;
        }
        if (err) {
            if (rg_jnow_us() - last_ok > (int64_t)js->timeout_ms * 1000) {
                char msg[RG_ERRBUF_SIZE];
                snprintf(msg, sizeof msg, "Janus did not answer for %d s (%s)",
                         js->timeout_ms / 1000, why);
                post_lost(js, msg);
                break;
            }
            g_usleep(RETRY_MS * 1000); /* dropped long-poll: reconnect */
            continue;
        }
        last_ok = rg_jnow_us();
        cJSON *items = r;
        if (!cJSON_IsArray(r)) { /* a single event object */
            items = cJSON_CreateArray();
            cJSON_AddItemToArray(items, r);
        }
        cJSON *it;
        while ((it = cJSON_DetachItemFromArray(items, 0))) {
            const cJSON *j = cJSON_GetObjectItemCaseSensitive(it, "janus");
            rg_jev *ev = NULL;
            if (cJSON_IsString(j) && strcmp(j->valuestring, "keepalive") &&
                (ev = rg_jev_new(RG_JEV_JANUS, rg_jid(cJSON_GetObjectItemCaseSensitive(it, "sender"))))) {
                ev->json = it;
                g_async_queue_push(js->q, ev);
            } else {
                cJSON_Delete(it);
            }
        }
        cJSON_Delete(items);
    }
    if (curl)
        curl_easy_cleanup(curl);
    return NULL;
}

static char *new_txn(rg_jsession *js)
{
    char *t = malloc(48);
    if (t)
        snprintf(t, 48, "%s-%u", js->prefix, ++js->txn);
    return t;
}

/* POST `req` (transaction added) to base[/session[/handle]]. */
static rg_err request(rg_jsession *js, uint64_t handle, cJSON *req, cJSON **reply,
                      char **txn_out, char *errbuf)
{
    char url[1024], why[RG_ERRBUF_SIZE] = "";
    char *txn = new_txn(js);
    rg_err err = RG_ERR_NOMEM;
    char *body = NULL;
    *reply = NULL;
    if (!txn || !cJSON_AddStringToObject(req, "transaction", txn) ||
        !(body = cJSON_PrintUnformatted(req)))
        goto cleanup;
    if (!js->id)
        snprintf(url, sizeof url, "%s", js->url);
    else if (!handle)
        snprintf(url, sizeof url, "%s/%" PRIu64, js->url, js->id);
    else
        snprintf(url, sizeof url, "%s/%" PRIu64 "/%" PRIu64, js->url, js->id, handle);
    err = http_json(js->curl, url, body, js->timeout_ms, reply, why);
    if (err) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "cannot reach Janus at %s: %s", js->url, why);
        goto cleanup;
    }
    int code;
    const char *reason;
    if (janus_error(*reply, &code, &reason)) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "Janus refused the request (error %d: %s)",
                     code, reason);
        err = code == 458 ? RG_ERR_STATE : RG_ERR_NETWORK;
        cJSON_Delete(*reply);
        *reply = NULL;
        goto cleanup;
    }
    if (txn_out) {
        *txn_out = txn;
        txn = NULL;
    }
cleanup:
    free(body);
    free(txn);
    cJSON_Delete(req);
    return err;
}

static cJSON *janus_req(const char *verb)
{
    cJSON *r = cJSON_CreateObject();
    if (r && !cJSON_AddStringToObject(r, "janus", verb)) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

rg_err rg_jsession_new(const char *url, int timeout_ms, GAsyncQueue *q,
                       rg_jsession **out, char *errbuf)
{
    if (!url || !q || !out)
        return RG_ERR_ARG;
    pthread_once(&curl_once, curl_init_once);
    rg_jsession *js = calloc(1, sizeof *js);
    if (!js)
        return RG_ERR_NOMEM;
    js->url = strdup(url);
    size_t n = js->url ? strlen(js->url) : 0;
    while (n > 1 && js->url[n - 1] == '/')
        js->url[--n] = '\0';
    js->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
    js->q = q;
    js->curl = curl_easy_init();
    snprintf(js->prefix, sizeof js->prefix, "rg%08x", g_random_int());
    cJSON *reply = NULL;
    rg_err err = RG_ERR_NOMEM;
    if (!js->url || !js->curl)
        goto cleanup;
    cJSON *req = janus_req("create");
    if (!req)
        goto cleanup;
    if ((err = request(js, 0, req, &reply, NULL, errbuf)))
        goto cleanup;
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(reply, "data");
    js->id = rg_jid(cJSON_GetObjectItemCaseSensitive(data, "id"));
    if (!js->id) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE,
                     "%s did not answer like a Janus server (no session id)", js->url);
        err = RG_ERR_PARSE;
        goto cleanup;
    }
    if (!(js->poller = g_thread_try_new("rg-janus-poll", poll_main, js, NULL))) {
        err = RG_ERR_INTERNAL;
        goto cleanup;
    }
    cJSON_Delete(reply);
    *out = js;
    return RG_OK;
cleanup:
    cJSON_Delete(reply);
    rg_jsession_free(js);
    return err;
}

uint64_t rg_jsession_id(const rg_jsession *js) { return js ? js->id : 0; }

void rg_jsession_free(rg_jsession *js)
{
    if (!js)
        return;
    g_atomic_int_set(&js->stop, 1);
    if (js->id && js->curl) {
        /* Destroying the session also ends the pending long-poll. */
        cJSON *reply = NULL, *req = janus_req("destroy");
        int saved = js->timeout_ms;
        js->timeout_ms = saved < 2000 ? saved : 2000;
        if (req && request(js, 0, req, &reply, NULL, NULL) == RG_OK)
            cJSON_Delete(reply);
        js->timeout_ms = saved;
    }
    if (js->poller)
        g_thread_join(js->poller);
    if (js->curl)
        curl_easy_cleanup(js->curl);
    free(js->url);
    free(js);
}

rg_err rg_jsession_attach(rg_jsession *js, const char *plugin, uint64_t *handle,
                          char *errbuf)
{
    cJSON *req = janus_req("attach"), *reply = NULL;
    if (!req || !cJSON_AddStringToObject(req, "plugin", plugin)) {
        cJSON_Delete(req);
        return RG_ERR_NOMEM;
    }
    rg_err err = request(js, 0, req, &reply, NULL, errbuf);
    if (err) {
        if (errbuf && strstr(errbuf, "error 460"))
            snprintf(errbuf, RG_ERRBUF_SIZE, "Janus has no %s plugin enabled", plugin);
        return err;
    }
    *handle = rg_jid(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(reply, "data"), "id"));
    cJSON_Delete(reply);
    if (!*handle) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "Janus gave no handle for %s", plugin);
        return RG_ERR_PARSE;
    }
    return RG_OK;
}

static rg_err simple(rg_jsession *js, uint64_t handle, const char *verb)
{
    cJSON *req = janus_req(verb), *reply = NULL;
    if (!req)
        return RG_ERR_NOMEM;
    rg_err err = request(js, handle, req, &reply, NULL, NULL);
    cJSON_Delete(reply);
    return err;
}

rg_err rg_jsession_detach(rg_jsession *js, uint64_t handle)
{
    return handle ? simple(js, handle, "detach") : RG_OK;
}

rg_err rg_jsession_hangup(rg_jsession *js, uint64_t handle)
{
    return handle ? simple(js, handle, "hangup") : RG_OK;
}

rg_err rg_jsession_keepalive(rg_jsession *js) { return simple(js, 0, "keepalive"); }

rg_err rg_jsession_message(rg_jsession *js, uint64_t handle, const cJSON *body,
                           const cJSON *jsep, cJSON **reply, char **transaction,
                           char *errbuf)
{
    cJSON *req = janus_req("message");
    cJSON *b = cJSON_Duplicate(body, true);
    cJSON *j = jsep ? cJSON_Duplicate(jsep, true) : NULL;
    if (!req || !b || (jsep && !j)) {
        cJSON_Delete(req);
        cJSON_Delete(b);
        cJSON_Delete(j);
        return RG_ERR_NOMEM;
    }
    cJSON_AddItemToObject(req, "body", b);
    if (j)
        cJSON_AddItemToObject(req, "jsep", j);
    return request(js, handle, req, reply, transaction, errbuf);
}

rg_err rg_jsession_trickle(rg_jsession *js, uint64_t handle, int mline,
                           const char *candidate)
{
    cJSON *req = janus_req("trickle"), *reply = NULL;
    cJSON *c = cJSON_CreateObject();
    if (!req || !c) {
        cJSON_Delete(req);
        cJSON_Delete(c);
        return RG_ERR_NOMEM;
    }
    if (candidate) {
        cJSON_AddStringToObject(c, "candidate", candidate);
        cJSON_AddNumberToObject(c, "sdpMLineIndex", mline);
    } else {
        cJSON_AddTrueToObject(c, "completed");
    }
    cJSON_AddItemToObject(req, "candidate", c);
    rg_err err = request(js, handle, req, &reply, NULL, NULL);
    cJSON_Delete(reply);
    return err;
}
