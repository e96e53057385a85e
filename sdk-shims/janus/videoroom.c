/* VideoRoom: the bot joins as a publisher that never publishes (so Janus
 * tells it about every publisher), and subscribes to each publisher on its
 * OWN subscriber handle: one PeerConnection per participant, carrying only
 * their audio m-line (by mid) unless the meeting type stores video.
 *
 * Why not one connection for everyone: Janus reuses a leaver's inactive
 * m-line for the next joiner, and GStreamer 1.22's webrtcbin refuses that
 * renegotiation ("transceiver direction changes are not implemented").
 * With one connection per publisher nothing is ever renegotiated: a leave
 * tears down that person's connection only, a join builds a new one, and
 * everyone else's audio flows on untouched. A connection that fails is
 * torn down and rebuilt while its publisher is still there. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "janus/jint.h"

#define NO_SUCH_FEED 428
#define RETRY_FEED_MS 500

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static int error_code(const cJSON *data, const char **why)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(data, "error_code");
    *why = str(data, "error");
    if (!*why)
        *why = "unknown error";
    return cJSON_IsNumber(c) ? c->valueint : 0;
}

static cJSON *body(const char *request)
{
    cJSON *b = cJSON_CreateObject();
    if (b)
        cJSON_AddStringToObject(b, "request", request);
    return b;
}

/* A synchronous plugin request; *data [owned by *reply]. */
static rg_err sync_req(rg_janus *j, uint64_t h, cJSON *b, cJSON **reply,
                       const cJSON **data, char *errbuf)
{
    rg_err err = b ? rg_jsession_message(j->js, h, b, NULL, reply, NULL, errbuf) : RG_ERR_NOMEM;
    cJSON_Delete(b);
    if (err)
        return err;
    *data = rg_jplugindata(*reply);
    return RG_OK;
}

/* Send an async request and wait for its event. */
static rg_err async_req(rg_janus *j, uint64_t h, cJSON *b, const cJSON *jsep,
                        rg_jev **ev, char *errbuf)
{
    cJSON *reply = NULL;
    char *txn = NULL;
    rg_err err = b ? rg_jsession_message(j->js, h, b, jsep, &reply, &txn, errbuf)
                   : RG_ERR_NOMEM;
    cJSON_Delete(b);
    cJSON_Delete(reply);
    if (err)
        return err;
    err = rg_janus_wait_txn(j, txn, j->timeout_ms, ev);
    if (err && errbuf)
        snprintf(errbuf, RG_ERRBUF_SIZE, "Janus did not answer within %d s%s%.400s",
                 j->timeout_ms / 1000, j->lost ? ": " : "", j->lost ? j->lost_why : "");
    free(txn);
    return err;
}

/* The audio mid of a publisher entry, or NULL if it has no Opus audio. */
static const char *audio_mid(const cJSON *pub)
{
    const cJSON *streams = cJSON_GetObjectItemCaseSensitive(pub, "streams");
    const cJSON *s;
    cJSON_ArrayForEach(s, streams) {
        const char *type = str(s, "type"), *codec = str(s, "codec");
        const cJSON *dis = cJSON_GetObjectItemCaseSensitive(s, "disabled");
        if (type && !strcmp(type, "audio") && (!codec || !strcmp(codec, "opus")) &&
            !cJSON_IsTrue(dis))
            return str(s, "mid") ? str(s, "mid") : "";
    }
    /* Older Janus: audio_codec at the top level. */
    const char *ac = str(pub, "audio_codec");
    return ac && !strcmp(ac, "opus") ? "" : NULL;
}

static void add_publishers(rg_janus *j, const cJSON *list)
{
    const cJSON *pub;
    cJSON_ArrayForEach(pub, list) {
        uint64_t id = rg_jid(cJSON_GetObjectItemCaseSensitive(pub, "id"));
        if (!id || id == j->my_id)
            continue;
        jpart *p = rg_janus_part_add(j, id, str(pub, "display"));
        if (!p)
            continue;
        p->present = true;
        const char *mid = audio_mid(pub);
        if (mid && !p->subscribed) {
            p->want_sub = true;
            snprintf(p->amid, sizeof p->amid, "%s", mid);
        }
    }
}

rg_err rg_jvr_join(rg_janus *j, char *errbuf)
{
    rg_err err = rg_jsession_attach(j->js, "janus.plugin.videoroom", &j->pub_h, errbuf);
    if (err)
        return err;
    cJSON *reply = NULL, *b = body("exists");
    const cJSON *data;
    if (b)
        cJSON_AddItemToObject(b, "room", rg_janus_room_json(j->room));
    if ((err = sync_req(j, j->pub_h, b, &reply, &data, errbuf)))
        return err;
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(data, "exists");
    bool exists = cJSON_IsTrue(ex);
    const char *why;
    int code = error_code(data, &why);
    cJSON_Delete(reply);
    if (!exists) {
        if (errbuf && code)
            snprintf(errbuf, RG_ERRBUF_SIZE, "VideoRoom %s on %s: %s", j->room, j->url, why);
        else if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "VideoRoom %s does not exist on %s", j->room, j->url);
        return RG_ERR_NOT_FOUND;
    }
    b = body("join");
    if (b) {
        cJSON_AddStringToObject(b, "ptype", "publisher");
        cJSON_AddItemToObject(b, "room", rg_janus_room_json(j->room));
        cJSON_AddStringToObject(b, "display", RG_JANUS_BOT_DISPLAY);
    }
    rg_jev *ev = NULL;
    if ((err = async_req(j, j->pub_h, b, NULL, &ev, errbuf)))
        return err;
    data = rg_jplugindata(ev->json);
    const char *kind = str(data, "videoroom");
    if (!kind || strcmp(kind, "joined")) {
        code = error_code(data, &why);
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "cannot join VideoRoom %s (error %d: %s)",
                     j->room, code, why);
        rg_jev_free(ev);
        return code == 426 ? RG_ERR_NOT_FOUND : RG_ERR_NETWORK;
    }
    j->my_id = rg_jid(cJSON_GetObjectItemCaseSensitive(data, "id"));
    j->private_id = rg_jid(cJSON_GetObjectItemCaseSensitive(data, "private_id"));
    add_publishers(j, cJSON_GetObjectItemCaseSensitive(data, "publishers"));
    rg_jev_free(ev);
    return RG_OK;
}

jpart *rg_jvr_part_of_handle(rg_janus *j, uint64_t handle)
{
    for (size_t i = 0; handle && i < j->n_parts; i++)
        if (j->parts[i].sub_h == handle)
            return &j->parts[i];
    return NULL;
}

/* Answer an offer on p's subscriber handle with "start". */
static rg_err answer_offer(rg_janus *j, jpart *p, const cJSON *jsep, char *errbuf)
{
    const char *type = str(jsep, "type"), *sdp = str(jsep, "sdp");
    if (!type || strcmp(type, "offer") || !sdp)
        return RG_OK;
    rg_err err;
    if (!p->peer) {
        rg_jpeer_opts o = {.handle = p->sub_h, .q = j->q, .local_ip = "127.0.0.1"};
        if ((err = rg_jpeer_new(&o, &p->peer, errbuf)))
            return err;
    } else {
        p->renegotiations++;
    }
    char *answer = NULL;
    if ((err = rg_jpeer_answer(p->peer, sdp, &answer, errbuf)))
        return err;
    cJSON *js = cJSON_CreateObject();
    if (js) {
        cJSON_AddStringToObject(js, "type", "answer");
        cJSON_AddStringToObject(js, "sdp", answer);
    }
    free(answer);
    rg_jev *ev = NULL;
    err = js ? async_req(j, p->sub_h, body("start"), js, &ev, errbuf) : RG_ERR_NOMEM;
    cJSON_Delete(js);
    rg_jev_free(ev);
    return err;
}

/* Close p's subscription: its connection and its handle. Media still in
 * the queue from it finds no participant and is dropped. */
void rg_jvr_unsubscribe(rg_janus *j, jpart *p)
{
    if (p->peer) {
        p->frames_lost += rg_jpeer_lost(p->peer);
        p->other_tracks += rg_jpeer_other_tracks(p->peer);
        rg_jpeer_free(p->peer);
        p->peer = NULL;
    }
    if (p->sub_h && !j->lost)
        (void)rg_jsession_detach(j->js, p->sub_h);
    p->sub_h = 0;
    p->subscribed = false;
}

/* Subscribe to one publisher on a handle of its own. */
static rg_err subscribe_one(rg_janus *j, jpart *p, char *why, int *code)
{
    rg_err err = rg_jsession_attach(j->js, "janus.plugin.videoroom", &p->sub_h, why);
    if (err)
        return err;
    cJSON *list = cJSON_CreateArray(), *s = cJSON_CreateObject(), *b = body("join");
    if (!list || !s || !b) {
        cJSON_Delete(list);
        cJSON_Delete(s);
        cJSON_Delete(b);
        return RG_ERR_NOMEM;
    }
    cJSON_AddItemToObject(s, "feed", cJSON_CreateRaw(p->sid));
    /* Data minimisation: only the audio stream unless video is stored. */
    if (!j->video && p->amid[0])
        cJSON_AddStringToObject(s, "mid", p->amid);
    cJSON_AddItemToArray(list, s);
    cJSON_AddStringToObject(b, "ptype", "subscriber");
    cJSON_AddItemToObject(b, "room", rg_janus_room_json(j->room));
    cJSON_AddItemToObject(b, "streams", list);
    if (j->private_id)
        cJSON_AddNumberToObject(b, "private_id", (double)j->private_id);
    rg_jev *ev = NULL;
    err = async_req(j, p->sub_h, b, NULL, &ev, why);
    const cJSON *data = ev ? rg_jplugindata(ev->json) : NULL;
    const char *kind = data ? str(data, "videoroom") : NULL;
    if (!err && (!kind || strcmp(kind, "attached"))) {
        const char *ewhy;
        *code = data ? error_code(data, &ewhy) : 0;
        snprintf(why, RG_ERRBUF_SIZE, "%s", data && *code ? ewhy : "no \"attached\" answer");
        err = RG_ERR_NETWORK;
    }
    const cJSON *jsep = ev ? cJSON_GetObjectItemCaseSensitive(ev->json, "jsep") : NULL;
    if (!err && !jsep) {
        snprintf(why, RG_ERRBUF_SIZE, "Janus sent no offer");
        err = RG_ERR_NETWORK;
    }
    if (!err)
        err = answer_offer(j, p, jsep, why);
    rg_jev_free(ev);
    return err;
}

void rg_jvr_subscribe_pending(rg_janus *j, int64_t t)
{
    for (size_t i = 0; i < j->n_parts && !j->lost && !j->left; i++) {
        jpart *p = &j->parts[i];
        if (!p->present || !p->want_sub || p->subscribed || p->retry_ms > t)
            continue;
        char why[RG_ERRBUF_SIZE] = "";
        int code = 0;
        rg_err err = subscribe_one(j, p, why, &code);
        if (!err) {
            p->subscribed = true;
            p->subscriptions++;
            continue;
        }
        rg_jvr_unsubscribe(j, p);
        p->retry_ms = t + RETRY_FEED_MS * (code == NO_SUCH_FEED ? 1 : 4);
        if (!j->lost && code != NO_SUCH_FEED)
            fprintf(stderr, "recgate: janus: subscribing to %s failed (%s), retrying\n",
                    p->display, why);
    }
}

/* p's connection failed or closed: rebuild it while they are still here. */
void rg_jvr_peer_down(rg_janus *j, jpart *p, int64_t t)
{
    if (j->left || j->lost)
        return;
    bool again = p->present && p->subscribed;
    rg_jvr_unsubscribe(j, p);
    if (again) {
        p->want_sub = true;
        p->retry_ms = t + RETRY_FEED_MS;
        fprintf(stderr, "recgate: janus: the connection carrying %s's audio closed; "
                "reconnecting\n", p->display);
    }
}

static void gone(rg_janus *j, uint64_t id, int64_t t)
{
    jpart *p = rg_janus_part(j, id);
    if (!p)
        return;
    p->present = false;
    p->want_sub = false;
    rg_jvr_unsubscribe(j, p);
    if (p->reported) {
        p->reported = false;
        rg_err err = j->core->left(j->session, t, p->sid);
        if (err && !j->core_err)
            j->core_err = err;
    }
}

void rg_jvr_event(rg_janus *j, const rg_jev *ev, int64_t t)
{
    const char *janus = str(ev->json, "janus");
    uint64_t sender = ev->handle;
    if (!janus)
        return;
    if (!strcmp(janus, "hangup") || !strcmp(janus, "detached")) {
        if (sender == j->tr_h && !j->left)
            rg_janus_fail(j, "Janus closed the chat connection (%s)", janus);
        else if (sender == j->pub_h && !strcmp(janus, "detached") && !j->left)
            rg_janus_fail(j, "Janus detached the bot from the VideoRoom");
        return;
    }
    if (strcmp(janus, "event"))
        return;
    const cJSON *data = rg_jplugindata(ev->json);
    const char *kind = str(data, "videoroom");
    if (!kind)
        return;
    if (!strcmp(kind, "destroyed")) {
        j->room_gone = true;
        return;
    }
    jpart *sp = rg_jvr_part_of_handle(j, sender);
    if (sp) {
        /* Janus renegotiates a subscription on its own (e.g. the publisher
         * changed codecs): answer it; if webrtcbin cannot, rebuild it. */
        const cJSON *jsep = cJSON_GetObjectItemCaseSensitive(ev->json, "jsep");
        char why[RG_ERRBUF_SIZE] = "";
        if (jsep && !j->left && answer_offer(j, sp, jsep, why)) {
            fprintf(stderr, "recgate: janus: renegotiating %s's audio failed (%s); "
                    "reconnecting\n", sp->display, why);
            rg_jvr_peer_down(j, sp, t);
        }
        return;
    }
    if (sender != j->pub_h || strcmp(kind, "event"))
        return;
    add_publishers(j, cJSON_GetObjectItemCaseSensitive(data, "publishers"));
    const cJSON *joining = cJSON_GetObjectItemCaseSensitive(data, "joining");
    if (joining) {
        uint64_t id = rg_jid(cJSON_GetObjectItemCaseSensitive(joining, "id"));
        jpart *p = id && id != j->my_id ? rg_janus_part_add(j, id, str(joining, "display")) : NULL;
        if (p)
            p->present = true;
    }
    uint64_t id = rg_jid(cJSON_GetObjectItemCaseSensitive(data, "leaving"));
    if (id)
        gone(j, id, t);
    id = rg_jid(cJSON_GetObjectItemCaseSensitive(data, "unpublished"));
    if (id) {
        jpart *p = rg_janus_part(j, id);
        if (p) {               /* still in the room, no longer sending */
            p->want_sub = false;
            rg_jvr_unsubscribe(j, p);
        }
    }
    id = rg_jid(cJSON_GetObjectItemCaseSensitive(data, "kicked"));
    if (id && id == j->my_id)
        rg_janus_fail(j, "the bot was kicked out of the VideoRoom");
    else if (id)
        gone(j, id, t);
}

void rg_jvr_leave(rg_janus *j)
{
    cJSON *reply = NULL;
    cJSON *b = cJSON_CreateObject();
    if (!b)
        return;
    cJSON_AddStringToObject(b, "request", "leave");
    for (size_t i = 0; i < j->n_parts; i++)
        rg_jvr_unsubscribe(j, &j->parts[i]);
    if (rg_jsession_message(j->js, j->pub_h, b, NULL, &reply, NULL, NULL) == RG_OK)
        cJSON_Delete(reply);
    cJSON_Delete(b);
}
