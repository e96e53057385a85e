/* Janus shim: create/destroy, the host callbacks, and the run loop that
 * turns queued Janus/WebRTC events into core calls on one thread.
 *
 * Time: t = ms since the bot joined (monotonic). An event is fed at its
 * arrival time (never before the last time fed), so packets that queued
 * up while the thread waited on Janus keep their real timing. Control
 * events are followed by tick(t); a media frame at t is fed after tick(t).
 * The loop drains the queue, then sleeps 20 ms (and ticks): it wakes 50
 * times a second, not once per packet. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "janus/janus.h"
#include "janus/jint.h"
#include "janus/jsettings.h"

#define TICK_US 20000
#define KEEPALIVE_MS 15000

int64_t rg_janus_now(rg_janus *j) { return (rg_jnow_us() - j->t0_us) / 1000; }

void rg_janus_fail(rg_janus *j, const char *fmt, ...)
{
    if (j->lost || j->left)
        return; /* after leaving, connections closing is expected */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->lost_why, sizeof j->lost_why, fmt, ap);
    va_end(ap);
    j->lost = true;
    j->lost_at = j->t0_us ? rg_janus_now(j) : 0;
}

cJSON *rg_janus_room_json(const char *room)
{
    bool digits = room && *room && strspn(room, "0123456789") == strlen(room);
    return digits ? cJSON_CreateRaw(room) : cJSON_CreateString(room ? room : "");
}

jpart *rg_janus_part(rg_janus *j, uint64_t id)
{
    for (size_t i = 0; i < j->n_parts; i++)
        if (j->parts[i].id == id)
            return &j->parts[i];
    return NULL;
}

static bool is_host(const rg_janus *j, const char *sid, const char *display)
{
    for (size_t i = 0; i < j->n_hosts; i++)
        if (!strcmp(j->hosts[i], sid) || (display && !strcmp(j->hosts[i], display)))
            return true;
    return false;
}

jpart *rg_janus_part_add(rg_janus *j, uint64_t id, const char *display)
{
    jpart *p = rg_janus_part(j, id);
    if (p)
        return p;
    if (j->n_parts == j->cap_parts) {
        size_t cap = j->cap_parts ? j->cap_parts * 2 : 8;
        jpart *np = realloc(j->parts, cap * sizeof *np);
        if (!np)
            return NULL;
        j->parts = np;
        j->cap_parts = cap;
    }
    p = &j->parts[j->n_parts];
    memset(p, 0, sizeof *p);
    p->id = id;
    snprintf(p->sid, sizeof p->sid, "%" PRIu64, id);
    p->display = strdup(display && *display ? display : p->sid);
    if (!p->display)
        return NULL;
    p->host = is_host(j, p->sid, p->display);
    p->seen_ms = j->t0_us ? rg_janus_now(j) : 0;
    j->n_parts++;
    return p;
}

/* ---------- waiting for one event ---------- */

static void trickle(rg_janus *j, const rg_jev *ev)
{
    if (j->js && ev->handle)
        (void)rg_jsession_trickle(j->js, ev->handle, ev->mline, ev->text);
}

rg_err rg_janus_wait(rg_janus *j, rg_jmatch match, const void *ctx, int timeout_ms,
                     rg_jev **out)
{
    for (GList *l = j->backlog.head; l; l = l->next)
        if (match(l->data, ctx)) {
            *out = l->data;
            g_queue_delete_link(&j->backlog, l);
            return RG_OK;
        }
    int64_t deadline = rg_jnow_us() + (int64_t)timeout_ms * 1000;
    for (;;) {
        int64_t left = deadline - rg_jnow_us();
        if (left <= 0 || j->lost)
            return RG_ERR_NETWORK;
        rg_jev *ev = g_async_queue_timeout_pop(j->q, (guint64)left);
        if (!ev)
            return RG_ERR_NETWORK;
        if (match(ev, ctx)) {
            *out = ev;
            return RG_OK;
        }
        if (ev->kind == RG_JEV_ICE) {
            trickle(j, ev);
            rg_jev_free(ev);
        } else if (ev->kind == RG_JEV_LOST) {
            rg_janus_fail(j, "%s", ev->text ? ev->text : "session lost");
            rg_jev_free(ev);
        } else {
            g_queue_push_tail(&j->backlog, ev);
        }
    }
}

static bool match_txn(const rg_jev *ev, const void *ctx)
{
    if (ev->kind != RG_JEV_JANUS)
        return false;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(ev->json, "transaction");
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(ev->json, "janus");
    return cJSON_IsString(t) && !strcmp(t->valuestring, ctx) && cJSON_IsString(k) &&
           strcmp(k->valuestring, "ack") != 0;
}

rg_err rg_janus_wait_txn(rg_janus *j, const char *txn, int timeout_ms, rg_jev **ev)
{
    return rg_janus_wait(j, match_txn, txn, timeout_ms, ev);
}

/* ---------- create / destroy ---------- */

static void janus_destroy(void *shim)
{
    rg_janus *j = shim;
    if (!j)
        return;
    for (size_t i = 0; i < j->n_parts; i++)
        rg_jpeer_free(j->parts[i].peer);
    rg_jpeer_free(j->tr_peer);
    rg_jsession_free(j->js); /* stops the poller, destroys the session */
    if (j->q) {
        rg_jev *ev;
        while ((ev = g_queue_pop_head(&j->backlog)))
            rg_jev_free(ev);
        while ((ev = g_async_queue_try_pop(j->q)))
            rg_jev_free(ev);
        g_async_queue_unref(j->q);
    }
    for (size_t i = 0; i < j->n_parts; i++)
        free(j->parts[i].display);
    free(j->parts);
    for (size_t i = 0; i < j->n_users; i++) {
        free(j->users[i].username);
        free(j->users[i].display);
    }
    free(j->users);
    for (size_t i = 0; i < j->n_hosts; i++)
        free(j->hosts[i]);
    free(j->hosts);
    free(j->url);
    free(j->room);
    free(j->textroom);
    free(j->meeting_type);
    free(j);
}

static bool id_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return false;
    for (const char *c = s; *c; c++)
        if (*c <= ' ' || *c == '"' || *c == '\\' || *c == 0x7f)
            return false;
    return true;
}

static rg_err janus_create(const rg_shim_params *params, void **out,
                           rg_shim_meeting *meeting, char *errbuf)
{
    if (!params || !out || !meeting)
        return RG_ERR_ARG;
    if (!RG_SHIM_TABLE_OK(params, rg_shim_params))
        return RG_ERR_VERSION;
    rg_jsettings set;
    rg_err err = rg_jsettings_parse(params, &set, errbuf);
    if (err) {
        rg_jsettings_free(&set);
        return err;
    }
    if (!id_ok(set.room) || (set.textroom && !id_ok(set.textroom))) {
        rg_jsettings_free(&set);
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE,
                     "janus: the room id must be 1..64 printable characters");
        return RG_ERR_ARG;
    }
    rg_janus *j = calloc(1, sizeof *j);
    if (!j) {
        rg_jsettings_free(&set);
        return RG_ERR_NOMEM;
    }
    err = RG_ERR_NOMEM;
    /* The instance takes the settings' strings. */
    j->url = set.url;
    j->room = set.room;
    j->textroom = set.textroom ? set.textroom : strdup(set.room);
    j->meeting_type = set.meeting_type;
    j->hosts = set.hosts;
    j->n_hosts = set.n_hosts;
    j->timeout_ms = set.timeout_s > 0 ? set.timeout_s * 1000 : 10000;
    j->max_ms = set.duration_s > 0 ? (int64_t)set.duration_s * 1000 : 0;
    j->debug = getenv("RECGATE_JANUS_DEBUG") != NULL;
    g_queue_init(&j->backlog);
    j->q = g_async_queue_new();
    if (!j->textroom || !j->q)
        goto cleanup;
    snprintf(j->meeting_id, sizeof j->meeting_id, "janus:%s#%s", j->url, j->room);
    char why[RG_ERRBUF_SIZE] = "";
    if ((err = rg_jsession_new(j->url, j->timeout_ms, j->q, &j->js, why))) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "janus: %s", why);
        goto cleanup;
    }
    if ((err = rg_jvr_join(j, why)) || (err = rg_jtr_join(j, why))) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "janus: %.480s", j->lost ? j->lost_why : why);
        goto cleanup;
    }
    meeting->id = j->meeting_id;
    meeting->type = j->meeting_type;
    *out = j;
    return RG_OK;
cleanup:
    janus_destroy(j);
    return err;
}

/* ---------- host callbacks (called from inside core calls) ---------- */

static rg_err janus_send_chat(void *ctx, const char *to, const char *text)
{
    rg_janus *j = ctx;
    rg_err err = (j->lost || j->left) ? RG_ERR_DELIVERY : rg_jtr_send(j, to, text);
    if (err)
        j->chats_failed++;
    else
        j->chats_sent++;
    if (!err && !to)
        j->public_sent = true;
    /* RG_ERR_NETWORK: the session tells "connection lost" apart. */
    return err ? (j->lost ? RG_ERR_NETWORK : RG_ERR_DELIVERY) : RG_OK;
}

static rg_err janus_leave(void *ctx, const char *reason)
{
    rg_janus *j = ctx;
    (void)reason;
    if (j->left)
        return RG_OK;
    j->left = true;
    if (!j->lost) {
        rg_jtr_leave(j);
        rg_jvr_leave(j);
    }
    /* Stop receiving at once: nothing more reaches the queue. */
    for (size_t i = 0; i < j->n_parts; i++) {
        jpart *p = &j->parts[i];
        if (p->peer) {
            p->frames_lost += rg_jpeer_lost(p->peer);
            p->other_tracks += rg_jpeer_other_tracks(p->peer);
            rg_jpeer_free(p->peer);
            p->peer = NULL;
        }
    }
    return RG_OK;
}

static const rg_host_ops janus_host = {
    .api_version = RG_SESSION_API_VERSION,
    .struct_size = sizeof(rg_host_ops),
    .send_chat = janus_send_chat,
    .leave = janus_leave,
    .timeline = NULL,
};

/* ---------- run loop ---------- */

static void core_call(rg_janus *j, rg_err err)
{
    if (err && !j->core_err)
        j->core_err = err;
}

static void tick(rg_janus *j, int64_t t)
{
    core_call(j, j->core->tick(j->session, t));
    j->last_tick = t;
    j->need_tick = false;
}

static void on_media(rg_janus *j, const rg_jev *ev, int64_t t)
{
    jpart *p = rg_jvr_part_of_handle(j, ev->handle);
    j->frames_offered++;
    if (!p || !p->reported)
        return; /* not (yet) a participant: dropped, never stored */
    int stereo = 0;
    unsigned ms = rg_opus_packet_ms(ev->data, ev->len, &stereo);
    if (!ms)
        return; /* malformed or DTX-less garbage: not a frame */
    if (!p->channels)
        p->channels = stereo ? 2 : 1;
    rg_media_frame f = {
        .kind = RG_MEDIA_OPUS,
        .rate = 48000,
        .channels = (uint16_t)p->channels,
        .duration_ms = ms,
        .data = ev->data,
        .len = ev->len,
    };
    if (t > j->last_tick)
        tick(j, t);
    bool passed = false;
    p->frames++;
    if (ev->lost && RG_SHIM_HAS(j->core, rg_core_ops, lost) && j->core->lost)
        core_call(j, j->core->lost(j->session, t, p->sid, ev->lost));
    core_call(j, j->core->media(j->session, t, p->sid, &f, &passed));
    p->passed += passed;
    j->frames_passed += passed;
}

static void dispatch(rg_janus *j, rg_jev *ev, int64_t t)
{
    switch (ev->kind) {
    case RG_JEV_MEDIA:
        on_media(j, ev, t);
        return;
    case RG_JEV_ICE:
        trickle(j, ev);
        return;
    case RG_JEV_LOST:
        rg_janus_fail(j, "%s", ev->text ? ev->text : "session lost");
        return;
    case RG_JEV_DC_MSG:
        if (ev->handle == j->tr_h)
            rg_jtr_message(j, ev, t);
        break;
    case RG_JEV_PEER_DOWN:
        if (ev->handle == j->tr_h && !j->left)
            rg_janus_fail(j, "the chat connection to Janus closed");
        else if (rg_jvr_part_of_handle(j, ev->handle))
            rg_jvr_peer_down(j, rg_jvr_part_of_handle(j, ev->handle), t);
        break;
    case RG_JEV_JANUS:
        if (j->debug) { /* RECGATE_JANUS_DEBUG=1: every Janus event on stderr */
            char *txt = cJSON_PrintUnformatted(ev->json);
            fprintf(stderr, "[%8.3f] janus event: %s\n", (double)t / 1000.0, txt ? txt : "?");
            free(txt);
        }
        rg_jvr_event(j, ev, t);
        break;
    case RG_JEV_DC_OPEN:
        break;
    }
    j->need_tick = true; /* after housekeeping: new participants join first */
}

void rg_janus_report(rg_janus *j, jpart *p, int64_t t)
{
    p->reported = p->ever_reported = true;
    j->had_someone = true;
    core_call(j, j->core->joined(j->session, t, p->sid, p->display,
                                 p->host ? RG_ROLE_HOST : RG_ROLE_GUEST));
    j->need_tick = true; /* after the whole batch: same-time joins go together */
}

/* Report publishers to the core: at once when the chat can reach them;
 * the others right after the public notice went out, as late joiners whose
 * private notice the core retries until their window has run (they block
 * the gate meanwhile, and are never captured uninformed). End the meeting
 * when everyone has gone. */
static void housekeeping(rg_janus *j, int64_t t)
{
    size_t present = 0;
    for (size_t i = 0; i < j->n_parts; i++) {
        jpart *p = &j->parts[i];
        if (!p->present)
            continue;
        present++;
        const jtruser *u;
        if (!p->reported && (j->public_sent || rg_jtr_reach(j, p, &u) != RG_JREACH_NONE))
            rg_janus_report(j, p, t);
    }
    if (present)
        j->empty_since = -1;
    else if (j->empty_since < 0)
        j->empty_since = t;
    if (!j->left && !j->lost)
        rg_jvr_subscribe_pending(j, t);
    if (!j->lost && t - j->last_keepalive >= KEEPALIVE_MS) {
        j->last_keepalive = t;
        if (rg_jsession_keepalive(j->js) == RG_ERR_STATE)
            rg_janus_fail(j, "Janus no longer knows the bot's session");
    }
}

static bool meeting_over(rg_janus *j, int64_t t, const char **why)
{
    if (j->room_gone)
        *why = "the room was destroyed";
    /* Everyone gone is not the end here: the session leaves after the
     * policy's leave_when_alone_s (a reloaded tab comes back first). */
    else if (j->max_ms && t >= j->max_ms)
        *why = "the set duration is over";
    else
        return false;
    return true;
}

static rg_err janus_run(void *shim, const rg_core_ops *core, rg_session *session,
                        char *errbuf)
{
    rg_janus *j = shim;
    if (!j || !core || !session)
        return RG_ERR_ARG;
    if (!RG_SHIM_TABLE_OK(core, rg_core_ops))
        return RG_ERR_VERSION;
    j->core = core;
    j->session = session;
    /* Subscriptions start in the run loop: by then the type is known. */
    j->video = RG_SHIM_HAS(core, rg_core_ops, wants_video) && core->wants_video &&
               core->wants_video(session);
    j->t0_us = rg_jnow_us();
    j->empty_since = -1;
    j->last_tick = -1;
    for (size_t i = 0; i < j->n_parts; i++)
        j->parts[i].seen_ms = 0;
    const char *why = NULL;
    int64_t t = 0;
    /* Everything that happened while joining counts as t = 0, before the
     * first decision: who was there when the bot came is one batch. */
    rg_jev *ev0;
    while ((ev0 = g_queue_pop_head(&j->backlog))) {
        dispatch(j, ev0, 0);
        rg_jev_free(ev0);
    }
    housekeeping(j, 0);
    for (;;) {
        rg_jev *ev = g_queue_pop_head(&j->backlog);
        if (!ev)
            ev = g_async_queue_try_pop(j->q);
        if (!ev) {
            /* Drained: sleep one tick rather than wake for every packet
             * (several streams x 50 packets/s). Events carry their arrival
             * time, so a batch keeps its real timing. */
            g_usleep(TICK_US);
            ev = g_async_queue_try_pop(j->q);
        }
        int64_t now = rg_janus_now(j);
        t = ev ? (ev->at_us - j->t0_us) / 1000 : now;
        if (t < j->last_t)
            t = j->last_t;
        j->last_t = t;
        if (ev) {
            dispatch(j, ev, t);
            rg_jev_free(ev);
        }
        housekeeping(j, t);
        if (t > j->last_tick || j->need_tick)
            tick(j, t);
        j->need_tick = false;
        if (j->core_err || j->lost || core->finished(session) || meeting_over(j, t, &why))
            break;
    }
    /* Lost before the bot left (even if the session then left because of
     * it; nothing counts as lost after leaving): the recording is cut
     * short, never a silent exit 0. */
    bool cut = j->lost;
    rg_err end_err = core->end(session, t);
    for (size_t i = 0; i < j->n_parts; i++) {
        jpart *p = &j->parts[i];
        if (!p->ever_reported)
            continue;
        fprintf(stderr, "recgate: janus: participant %s (%s): %" PRIu64
                " audio frames received, %" PRIu64 " passed the gate\n",
                p->sid, p->display, p->frames, p->passed);
        /* Loss is measured per connection (RTP sequence gaps). */
        fprintf(stderr, "recgate: janus: participant %s (%s): %" PRIu64 " connection(s), %"
                PRIu64 " renegotiation(s), %" PRIu64 " audio frame(s) lost, %" PRIu64
                " other track(s) received\n", p->sid,
                p->display, p->subscriptions, p->renegotiations,
                p->frames_lost + rg_jpeer_lost(p->peer),
                p->other_tracks + rg_jpeer_other_tracks(p->peer));
    }
    if (j->core_err) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "janus: the session rejected an event: %s",
                     core->strerror(j->core_err));
        return j->core_err;
    }
    if (cut) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE,
                     "janus: lost the meeting at %.3f s: %.300s; capture stopped and what "
                     "was captured before is sealed: the recording is cut short",
                     (double)t / 1000.0, j->lost_why);
        return RG_ERR_NETWORK;
    }
    (void)why;
    return end_err;
}

const rg_shim_ops rg_janus_shim = {
    .api_version = RG_SHIM_API_VERSION,
    .struct_size = sizeof(rg_shim_ops),
    .name = "janus",
    .create = janus_create,
    .host = &janus_host,
    .run = janus_run,
    .destroy = janus_destroy,
    .description = "Janus VideoRoom + TextRoom over WebRTC",
};

/* Loaded from the shim directory as janus.so (docs/platforms.md). */
RG_SHIM_MODULE(rg_janus_shim)
