#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <nats/nats.h>
#include "errfmt.h"
#include "svc_nats.h"
#include "svc_status.h"

#define STREAM "RECGATE_REQUESTS"
#define SUBJECT "recgate.requests"
#define CONSUMER "recgate-workers"
#define BUCKET "recgate_meetings"
#define CONTROL "recgate.control."

struct rg_svc_nats {
    natsConnection *nc;
    jsCtx *js;
    kvStore *kv;
    natsSubscription *pull;
    natsSubscription *control;
    void (*on_stop)(void *ctx, const char *id);
    void *stop_ctx;
};

struct rg_svc_job {
    natsMsg *msg;
    cJSON *request;
    int delivered;
};

static rg_err nats_fail(char *errbuf, const char *what, natsStatus s, jsErrCode jerr)
{
    if (jerr)
        return rg_errorf(errbuf, RG_ERR_NETWORK, "NATS: %s: %s (JetStream error %d)", what,
                         natsStatus_GetText(s), (int)jerr);
    return rg_errorf(errbuf, RG_ERR_NETWORK, "NATS: %s: %s", what, natsStatus_GetText(s));
}

rg_err rg_svc_nats_connect(const char *url, const char *name, rg_svc_nats **out,
                           char *errbuf)
{
    rg_svc_nats *n = calloc(1, sizeof *n);
    natsOptions *o = NULL;
    natsStatus s;
    jsErrCode jerr = 0;
    rg_err err;
    if (!n)
        return RG_ERR_NOMEM;
    if ((s = natsOptions_Create(&o)) || (s = natsOptions_SetURL(o, url)) ||
        (s = natsOptions_SetName(o, name)) || (s = natsOptions_SetMaxReconnect(o, -1)) ||
        (s = natsOptions_SetReconnectWait(o, 500)) ||
        (s = natsOptions_SetReconnectBufSize(o, 8 * 1024 * 1024))) {
        err = nats_fail(errbuf, "options", s, 0);
        goto fail;
    }
    /* At start the server may still be coming up: try for a while. */
    for (int i = 0; i < 40; i++) {
        s = natsConnection_Connect(&n->nc, o);
        if (s != NATS_NO_SERVER)
            break;
        nanosleep(&(struct timespec){0, 250 * 1000000L}, NULL);
    }
    if (s) {
        err = nats_fail(errbuf, url, s, 0);
        goto fail;
    }
    if ((s = natsConnection_JetStream(&n->js, n->nc, NULL))) {
        err = nats_fail(errbuf, "JetStream", s, 0);
        goto fail;
    }
    jsStreamInfo *si = NULL;
    s = js_GetStreamInfo(&si, n->js, STREAM, NULL, &jerr);
    if (s == NATS_NOT_FOUND) {
        jsStreamConfig sc;
        const char *subjects[] = {SUBJECT};
        jsStreamConfig_Init(&sc);
        sc.Name = STREAM;
        sc.Subjects = subjects;
        sc.SubjectsLen = 1;
        sc.Retention = js_WorkQueuePolicy;
        sc.Storage = js_FileStorage;
        jerr = 0;
        s = js_AddStream(&si, n->js, &sc, NULL, &jerr);
        /* Another instance may have created it meanwhile. */
        if (s && jerr == JSStreamNameExistErr)
            s = NATS_OK;
    }
    jsStreamInfo_Destroy(si);
    if (s) {
        err = nats_fail(errbuf, "stream " STREAM, s, jerr);
        goto fail;
    }
    s = js_KeyValue(&n->kv, n->js, BUCKET);
    if (s == NATS_NOT_FOUND) {
        kvConfig kc;
        kvConfig_Init(&kc);
        kc.Bucket = BUCKET;
        kc.History = 1;
        kc.StorageType = js_FileStorage;
        s = js_CreateKeyValue(&n->kv, n->js, &kc);
        if (s)
            s = js_KeyValue(&n->kv, n->js, BUCKET);
    }
    if (s) {
        err = nats_fail(errbuf, "bucket " BUCKET, s, 0);
        goto fail;
    }
    natsOptions_Destroy(o);
    *out = n;
    return RG_OK;
fail:
    natsOptions_Destroy(o);
    rg_svc_nats_free(n);
    return err;
}

void rg_svc_nats_free(rg_svc_nats *n)
{
    if (!n)
        return;
    natsSubscription_Destroy(n->pull);
    natsSubscription_Destroy(n->control);
    kvStore_Destroy(n->kv);
    jsCtx_Destroy(n->js);
    natsConnection_Destroy(n->nc);
    free(n);
}

cJSON *rg_svc_nats_get(rg_svc_nats *n, const char *id, rg_err *err)
{
    kvEntry *e = NULL;
    natsStatus s = kvStore_Get(&e, n->kv, id);
    if (s) {
        *err = s == NATS_NOT_FOUND ? RG_ERR_NOT_FOUND : RG_ERR_NETWORK;
        return NULL;
    }
    cJSON *doc = cJSON_ParseWithLength(kvEntry_Value(e), (size_t)kvEntry_ValueLen(e));
    kvEntry_Destroy(e);
    *err = doc ? RG_OK : RG_ERR_PARSE;
    return doc;
}

rg_err rg_svc_nats_put(rg_svc_nats *n, const cJSON *status, char *errbuf)
{
    const char *id = rg_svc_status_str(status, "id");
    char *text = cJSON_PrintUnformatted(status);
    if (!id || !text) {
        free(text);
        return RG_ERR_NOMEM;
    }
    natsStatus s = kvStore_PutString(NULL, n->kv, id, text);
    free(text);
    return s ? nats_fail(errbuf, "state update", s, 0) : RG_OK;
}

static rg_err nats_submit(void *ctx, cJSON *status, char *errbuf)
{
    rg_svc_nats *n = ctx;
    rg_err err = rg_svc_nats_put(n, status, errbuf);
    char *text = err ? NULL : cJSON_PrintUnformatted(status);
    if (!err && !text)
        err = RG_ERR_NOMEM;
    if (!err) {
        jsErrCode jerr = 0;
        natsStatus s = js_Publish(NULL, n->js, SUBJECT, text, (int)strlen(text), NULL, &jerr);
        if (s)
            err = nats_fail(errbuf, "queue the request", s, jerr);
    }
    free(text);
    cJSON_Delete(status);
    return err;
}

static cJSON *nats_get(void *ctx, const char *id, rg_err *err)
{
    return rg_svc_nats_get(ctx, id, err);
}

static cJSON *nats_list(void *ctx, rg_err *err)
{
    rg_svc_nats *n = ctx;
    kvKeysList keys = {0};
    natsStatus s = kvStore_Keys(&keys, n->kv, NULL);
    cJSON *arr = cJSON_CreateArray();
    if (s && s != NATS_NOT_FOUND) {
        cJSON_Delete(arr);
        *err = RG_ERR_NETWORK;
        return NULL;
    }
    for (int i = 0; arr && !s && i < keys.Count; i++) {
        rg_err e2;
        cJSON *doc = rg_svc_nats_get(n, keys.Keys[i], &e2);
        if (doc)
            cJSON_AddItemToArray(arr, doc);
    }
    kvKeysList_Destroy(&keys);
    *err = arr ? RG_OK : RG_ERR_NOMEM;
    return arr;
}

static rg_err nats_cancel(void *ctx, const char *id, cJSON **status, char *errbuf)
{
    rg_svc_nats *n = ctx;
    rg_err err;
    cJSON *st = rg_svc_nats_get(n, id, &err);
    if (!st)
        return err == RG_ERR_NOT_FOUND ? rg_errorf(errbuf, err, "no meeting %s", id)
                                       : rg_errorf(errbuf, err, "NATS: cannot read the state");
    cJSON_DeleteItemFromObjectCaseSensitive(st, "stop_requested");
    cJSON_AddBoolToObject(st, "stop_requested", true);
    if (!strcmp(rg_svc_status_state(st), "queued")) {
        /* A worker that picks it up sees the final state and drops it. */
        rg_svc_status_put_str(st, "reason", "cancelled before the bot joined");
        rg_svc_status_set(st, "ended", NULL);
        err = rg_svc_nats_put(n, st, errbuf);
    } else if (!rg_svc_state_final(rg_svc_status_state(st))) {
        char subj[128];
        snprintf(subj, sizeof subj, CONTROL "%s", id);
        natsStatus s = natsConnection_PublishString(n->nc, subj, "stop");
        if (!s)
            s = natsConnection_FlushTimeout(n->nc, 2000);
        err = s ? nats_fail(errbuf, "stop request", s, 0) : RG_OK;
    }
    if (err) {
        cJSON_Delete(st);
        return err;
    }
    *status = st;
    return RG_OK;
}

rg_err rg_svc_nats_pending(rg_svc_nats *n, double *pending)
{
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetConsumerInfo(&ci, n->js, STREAM, CONSUMER, NULL, &jerr);
    if (s == NATS_NOT_FOUND) {
        /* No worker ever came: everything in the stream waits. */
        jsStreamInfo *si = NULL;
        s = js_GetStreamInfo(&si, n->js, STREAM, NULL, &jerr);
        if (!s)
            *pending = (double)si->State.Msgs;
        jsStreamInfo_Destroy(si);
        return s ? RG_ERR_NETWORK : RG_OK;
    }
    if (!s)
        *pending = (double)ci->NumPending;
    jsConsumerInfo_Destroy(ci);
    return s ? RG_ERR_NETWORK : RG_OK;
}

static void nats_queue(void *ctx, double *depth, double *lag_s)
{
    rg_svc_nats *n = ctx;
    *depth = 0;
    *lag_s = 0;
    (void)rg_svc_nats_pending(n, depth);
    rg_err err;
    cJSON *all = nats_list(n, &err);
    time_t now = time(NULL);
    for (const cJSON *m = all ? all->child : NULL; m; m = m->next) {
        if (strcmp(rg_svc_status_state(m), "queued"))
            continue;
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(m, "join_at_epoch");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "created_epoch");
        double since = cJSON_IsNumber(j) ? j->valuedouble : cJSON_IsNumber(c) ? c->valuedouble : (double)now;
        if ((double)now - since > *lag_s)
            *lag_s = (double)now - since;
    }
    cJSON_Delete(all);
}

rg_svc_backend rg_svc_nats_backend(rg_svc_nats *n)
{
    return (rg_svc_backend){nats_submit, nats_get, nats_list, nats_cancel, nats_queue, n};
}

rg_err rg_svc_nats_pull_open(rg_svc_nats *n, int ack_wait_s, char *errbuf)
{
    jsSubOptions so;
    jsErrCode jerr = 0;
    jsSubOptions_Init(&so);
    so.Stream = STREAM;
    so.Config.AckPolicy = js_AckExplicit;
    so.Config.AckWait = (int64_t)ack_wait_s * 1000000000LL;
    so.Config.MaxAckPending = 10000;
    natsStatus s = js_PullSubscribe(&n->pull, n->js, SUBJECT, CONSUMER, NULL, &so, &jerr);
    return s ? nats_fail(errbuf, "pull consumer " CONSUMER, s, jerr) : RG_OK;
}

rg_err rg_svc_nats_fetch(rg_svc_nats *n, int timeout_ms, rg_svc_job **job, char *errbuf)
{
    *job = NULL;
    natsMsgList list = {0};
    jsErrCode jerr = 0;
    natsStatus s = natsSubscription_Fetch(&list, n->pull, 1, timeout_ms, &jerr);
    if (s == NATS_TIMEOUT)
        return RG_OK;
    if (s)
        return nats_fail(errbuf, "fetch", s, jerr);
    rg_err err = RG_OK;
    for (int i = 0; i < list.Count; i++) {
        natsMsg *m = list.Msgs[i];
        list.Msgs[i] = NULL;
        if (*job) {
            natsMsg_Destroy(m);
            continue;
        }
        rg_svc_job *j = calloc(1, sizeof *j);
        jsMsgMetaData *meta = NULL;
        if (!j) {
            natsMsg_Destroy(m);
            err = RG_ERR_NOMEM;
            continue;
        }
        j->msg = m;
        j->delivered = natsMsg_GetMetaData(&meta, m) == NATS_OK ? (int)meta->NumDelivered : 1;
        jsMsgMetaData_Destroy(meta);
        j->request = cJSON_ParseWithLength(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m));
        if (!j->request || !rg_svc_status_str(j->request, "id")) {
            /* Garbage on the queue: say so and drop it, never retry it. */
            err = rg_errorf(errbuf, RG_ERR_PARSE,
                            "a request on " SUBJECT " is not a meeting (dropped)");
            natsMsg_Term(m, NULL);
            rg_svc_job_free(j);
            continue;
        }
        *job = j;
    }
    natsMsgList_Destroy(&list);
    return err;
}

cJSON *rg_svc_job_request(rg_svc_job *j) { return j->request; }
int rg_svc_job_delivered(const rg_svc_job *j) { return j->delivered; }
rg_err rg_svc_job_progress(rg_svc_job *j) { return natsMsg_InProgress(j->msg, NULL) ? RG_ERR_NETWORK : RG_OK; }
rg_err rg_svc_job_ack(rg_svc_job *j) { return natsMsg_AckSync(j->msg, NULL, NULL) ? RG_ERR_NETWORK : RG_OK; }
rg_err rg_svc_job_later(rg_svc_job *j, int delay_s)
{
    return natsMsg_NakWithDelay(j->msg, (int64_t)delay_s * 1000, NULL) ? RG_ERR_NETWORK : RG_OK;
}

void rg_svc_job_free(rg_svc_job *j)
{
    if (!j)
        return;
    natsMsg_Destroy(j->msg);
    cJSON_Delete(j->request);
    free(j);
}

static void on_control(natsConnection *nc, natsSubscription *sub, natsMsg *msg, void *closure)
{
    (void)nc; (void)sub;
    rg_svc_nats *n = closure;
    const char *subj = natsMsg_GetSubject(msg);
    if (subj && !strncmp(subj, CONTROL, strlen(CONTROL)) && n->on_stop)
        n->on_stop(n->stop_ctx, subj + strlen(CONTROL));
    natsMsg_Destroy(msg);
}

rg_err rg_svc_nats_on_stop(rg_svc_nats *n, void (*cb)(void *ctx, const char *id),
                           void *ctx, char *errbuf)
{
    n->on_stop = cb;
    n->stop_ctx = ctx;
    natsStatus s = natsConnection_Subscribe(&n->control, n->nc, CONTROL "*", on_control, n);
    return s ? nats_fail(errbuf, "subscribe " CONTROL "*", s, 0) : RG_OK;
}
