/* TextRoom: the meeting's chat. Janus only offers join/message over the
 * data channel: "setup" over HTTP, answer Janus's data-channel offer,
 * "ack", open "JanusDataChannel", then TextRoom JSON on the channel.
 *
 * Who is who. VideoRoom and TextRoom are separate: nothing in Janus ties
 * a chat user to a publisher except names. The rule (docs/janus.md):
 *   3  the chat username equals the publisher id (what clients that know
 *      recgate do);
 *   2  the display names are equal once case-folded and cut into words of
 *      letters and digits, or their words run together are equal
 *      ("Anna B." = "anna b" = "AnnaB");
 *   1  the first words are equal and every later word both names have is
 *      equal or an initial of the other ("Anna B." ~ "anna" ~ "Anna Berg").
 * A participant's candidates are the chat users at the best level any of
 * them reaches. One candidate, claimed by nobody else present: reached
 * privately. A group of present participants with the same candidates
 * (duplicate names): the first of them to arrive, as many as there are
 * candidates, are reached publicly, in the room, addressed by name; the
 * rest, and anyone without a candidate, cannot be reached (yet): the core
 * retries until the person's window has run, then fails closed. A message from a user who is
 * nobody's only candidate still counts, as a stranger's. The bot
 * joins with history off; should Janus replay history anyway, it does so
 * before answering the join, so every message that arrived before the
 * join's answer is dropped: a replayed history never counts. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "janus/jint.h"
#include "janus/jnames.h"

#define ACK_MS 5000

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static void user_add(rg_janus *j, const char *username, const char *display)
{
    if (!username || !strcmp(username, j->tr_name))
        return;
    for (size_t i = 0; i < j->n_users; i++)
        if (!strcmp(j->users[i].username, username))
            return;
    if (j->n_users == j->cap_users) {
        size_t cap = j->cap_users ? j->cap_users * 2 : 8;
        jtruser *nu = realloc(j->users, cap * sizeof *nu);
        if (!nu)
            return;
        j->users = nu;
        j->cap_users = cap;
    }
    jtruser *u = &j->users[j->n_users];
    u->username = strdup(username);
    u->display = display ? strdup(display) : NULL;
    if (!u->username) {
        free(u->display);
        return;
    }
    j->n_users++;
}

static void user_remove(rg_janus *j, const char *username)
{
    for (size_t i = 0; username && i < j->n_users; i++)
        if (!strcmp(j->users[i].username, username)) {
            free(j->users[i].username);
            free(j->users[i].display);
            j->users[i] = j->users[--j->n_users];
            return;
        }
}

static int level(const jpart *p, const jtruser *u)
{
    if (!strcmp(u->username, p->sid))
        return 3;
    return u->display ? rg_jtr_name_level(p->display, u->display) : 0;
}

/* Bit i set: user i is one of p's best candidates (the first 64 users). */
static uint64_t candidates(const rg_janus *j, const jpart *p)
{
    int best = 0;
    uint64_t set = 0;
    for (size_t i = 0; i < j->n_users && i < 64; i++) {
        int l = level(p, &j->users[i]);
        if (l > best) {
            best = l;
            set = 0;
        }
        if (l && l == best)
            set |= (uint64_t)1 << i;
    }
    return set;
}

rg_jreach rg_jtr_reach(const rg_janus *j, const jpart *p, const jtruser **user)
{
    *user = NULL;
    uint64_t c = candidates(j, p);
    if (!c)
        return RG_JREACH_NONE;
    /* The group: people present with the same candidates, in the order
     * they arrived. With fewer candidates than people, the last to arrive
     * are the ones who cannot be in the chat (who exactly does not matter:
     * that many are not informed, so the meeting fails closed all the
     * same), and those before them are not held up by them. */
    int group = 0, rank = 0;
    for (size_t i = 0; i < j->n_parts; i++) {
        if (&j->parts[i] != p && !(j->parts[i].present && candidates(j, &j->parts[i]) == c))
            continue;
        group++;
        if (&j->parts[i] == p)
            rank = group;
    }
    int n = __builtin_popcountll(c);
    if (rank > n)
        return RG_JREACH_NONE;
    if (n == 1 && group == 1) {
        *user = &j->users[__builtin_ctzll(c)];
        return RG_JREACH_PRIVATE;
    }
    return RG_JREACH_PUBLIC;
}

const jtruser *rg_jtr_user_for(const rg_janus *j, const jpart *p)
{
    const jtruser *u;
    return rg_jtr_reach(j, p, &u) == RG_JREACH_PRIVATE ? u : NULL;
}

/* The participant a TextRoom user is (they are its only candidate), or NULL. */
static jpart *part_for_user(rg_janus *j, const char *username)
{
    for (size_t i = 0; i < j->n_parts; i++) {
        if (!j->parts[i].present)
            continue;
        const jtruser *u = rg_jtr_user_for(j, &j->parts[i]);
        if (u && !strcmp(u->username, username))
            return &j->parts[i];
    }
    return NULL;
}

typedef struct dc_want {
    uint64_t handle;
    const char *txn; /* NULL: the channel opening */
} dc_want;

static bool match_dc(const rg_jev *ev, const void *ctx)
{
    const dc_want *w = ctx;
    if (ev->handle != w->handle)
        return false;
    if (!w->txn)
        return ev->kind == RG_JEV_DC_OPEN;
    if (ev->kind != RG_JEV_DC_MSG || !ev->text || !strstr(ev->text, w->txn))
        return false;
    cJSON *m = cJSON_Parse(ev->text);
    const char *t = str(m, "transaction");
    bool ok = t && !strcmp(t, w->txn);
    cJSON_Delete(m);
    return ok;
}

static unsigned next_txn;

/* Send one TextRoom request on the channel and wait for its answer;
 * *reply [owned]. */
static rg_err dc_request(rg_janus *j, cJSON *req, int timeout_ms, cJSON **reply)
{
    char txn[48];
    snprintf(txn, sizeof txn, "rgtr-%" PRIu64 "-%u", j->my_id, ++next_txn);
    char *text = NULL;
    rg_err err = RG_ERR_NOMEM;
    *reply = NULL;
    if (!req || !cJSON_AddStringToObject(req, "transaction", txn) ||
        !(text = cJSON_PrintUnformatted(req)))
        goto cleanup;
    if ((err = rg_jpeer_send(j->tr_peer, text)))
        goto cleanup;
    dc_want w = {j->tr_h, txn};
    rg_jev *ev = NULL;
    if ((err = rg_janus_wait(j, match_dc, &w, timeout_ms, &ev)))
        goto cleanup;
    *reply = cJSON_Parse(ev->text);
    rg_jev_free(ev);
    err = *reply ? RG_OK : RG_ERR_PARSE;
cleanup:
    free(text);
    cJSON_Delete(req);
    return err;
}

static cJSON *tr_req(rg_janus *j, const char *what)
{
    cJSON *r = cJSON_CreateObject();
    if (r) {
        cJSON_AddStringToObject(r, "textroom", what);
        cJSON_AddItemToObject(r, "room", rg_janus_room_json(j->textroom));
    }
    return r;
}

static bool is_success(const cJSON *reply, const char **why)
{
    const char *k = str(reply, "textroom");
    *why = str(reply, "error");
    if (!*why)
        *why = "no reason given";
    return k && !strcmp(k, "success");
}

/* HTTP request to the textroom handle, then wait for the event. */
static rg_err http_async(rg_janus *j, const char *request, const cJSON *jsep,
                         rg_jev **ev, char *errbuf)
{
    cJSON *b = cJSON_CreateObject(), *reply = NULL;
    char *txn = NULL;
    if (!b)
        return RG_ERR_NOMEM;
    cJSON_AddStringToObject(b, "request", request);
    rg_err err = rg_jsession_message(j->js, j->tr_h, b, jsep, &reply, &txn, errbuf);
    cJSON_Delete(b);
    cJSON_Delete(reply);
    if (!err && (err = rg_janus_wait_txn(j, txn, j->timeout_ms, ev)) && errbuf)
        snprintf(errbuf, RG_ERRBUF_SIZE, "Janus did not answer the TextRoom %s within %d s",
                 request, j->timeout_ms / 1000);
    free(txn);
    return err;
}

/* Chat messages that came before the join's answer are replayed history. */
static void drop_history(rg_janus *j)
{
    for (GList *l = j->backlog.head, *next; l; l = next) {
        rg_jev *ev = l->data;
        next = l->next;
        if (ev->kind != RG_JEV_DC_MSG || ev->handle != j->tr_h)
            continue;
        cJSON *m = cJSON_Parse(ev->text);
        const char *k = str(m, "textroom");
        bool history = k && !strcmp(k, "message");
        cJSON_Delete(m);
        if (history) {
            j->history_dropped++;
            rg_jev_free(ev);
            g_queue_delete_link(&j->backlog, l);
        }
    }
}

rg_err rg_jtr_join(rg_janus *j, char *errbuf)
{
    rg_err err = rg_jsession_attach(j->js, "janus.plugin.textroom", &j->tr_h, errbuf);
    if (err)
        return err;
    /* Does the room exist? (HTTP accepts this one.) */
    cJSON *b = cJSON_CreateObject(), *reply = NULL;
    if (!b)
        return RG_ERR_NOMEM;
    cJSON_AddStringToObject(b, "request", "exists");
    cJSON_AddItemToObject(b, "room", rg_janus_room_json(j->textroom));
    err = rg_jsession_message(j->js, j->tr_h, b, NULL, &reply, NULL, errbuf);
    cJSON_Delete(b);
    if (err)
        return err;
    bool exists = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rg_jplugindata(reply), "exists"));
    cJSON_Delete(reply);
    if (!exists) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "TextRoom %s does not exist on %s (the bot "
                     "needs the meeting's chat to announce the recording)", j->textroom, j->url);
        return RG_ERR_NOT_FOUND;
    }
    rg_jev *ev = NULL;
    if ((err = http_async(j, "setup", NULL, &ev, errbuf)))
        return err;
    const cJSON *jsep = cJSON_GetObjectItemCaseSensitive(ev->json, "jsep");
    const char *sdp = str(jsep, "sdp");
    char *answer = NULL;
    rg_jpeer_opts o = {.handle = j->tr_h, .q = j->q, .local_ip = "127.0.0.1"};
    if (!sdp) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "the TextRoom setup brought no offer");
        err = RG_ERR_NETWORK;
    } else if (!(err = rg_jpeer_new(&o, &j->tr_peer, errbuf))) {
        err = rg_jpeer_answer(j->tr_peer, sdp, &answer, errbuf);
    }
    rg_jev_free(ev);
    ev = NULL;
    if (err)
        return err;
    cJSON *ans = cJSON_CreateObject();
    if (ans) {
        cJSON_AddStringToObject(ans, "type", "answer");
        cJSON_AddStringToObject(ans, "sdp", answer);
    }
    free(answer);
    err = ans ? http_async(j, "ack", ans, &ev, errbuf) : RG_ERR_NOMEM;
    cJSON_Delete(ans);
    rg_jev_free(ev);
    ev = NULL;
    if (err || (err = rg_jpeer_open_channel(j->tr_peer, "JanusDataChannel")))
        return err;
    dc_want w = {j->tr_h, NULL};
    if ((err = rg_janus_wait(j, match_dc, &w, j->timeout_ms, &ev))) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "the chat data channel to Janus did not open "
                     "within %d s (ICE/DTLS failed?)", j->timeout_ms / 1000);
        return err;
    }
    rg_jev_free(ev);
    snprintf(j->tr_name, sizeof j->tr_name, "recgate-%" PRIu64, j->my_id);
    cJSON *req = tr_req(j, "join");
    if (req) {
        cJSON_AddStringToObject(req, "username", j->tr_name);
        cJSON_AddStringToObject(req, "display", RG_JANUS_BOT_DISPLAY);
        cJSON_AddFalseToObject(req, "history");
    }
    if ((err = dc_request(j, req, j->timeout_ms, &reply))) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "Janus did not answer the TextRoom join");
        return err;
    }
    const char *why;
    if (!is_success(reply, &why)) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "cannot join TextRoom %s: %s", j->textroom, why);
        cJSON_Delete(reply);
        return RG_ERR_NETWORK;
    }
    const cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(reply, "participants"))
        user_add(j, str(u, "username"), str(u, "display"));
    cJSON_Delete(reply);
    drop_history(j);
    j->tr_joined = true;
    return RG_OK;
}

/* One TextRoom message, acknowledged; to_user NULL: to the room. */
static rg_err send_one(rg_janus *j, const char *to_user, const char *text)
{
    cJSON *req = tr_req(j, "message"), *reply = NULL;
    if (req) {
        cJSON_AddStringToObject(req, "text", text);
        cJSON_AddTrueToObject(req, "ack");
        if (to_user)
            cJSON_AddStringToObject(req, "to", to_user);
    }
    rg_err err = dc_request(j, req, ACK_MS, &reply);
    const char *why;
    if (!err && !is_success(reply, &why)) {
        fprintf(stderr, "recgate: janus: TextRoom refused a message%s: %s\n",
                to_user ? " to one user" : "", why);
        err = RG_ERR_DELIVERY;
    }
    cJSON_Delete(reply);
    return err ? RG_ERR_DELIVERY : RG_OK;
}

/* `text` in the room, addressed to DISPLAY by name. */
static rg_err send_addressed(rg_janus *j, const char *display, const char *text)
{
    char *addressed = malloc(strlen(display) + strlen(text) + 8);
    if (!addressed)
        return RG_ERR_DELIVERY;
    sprintf(addressed, "@%s: %s", display, text);
    rg_err err = send_one(j, NULL, addressed);
    free(addressed);
    return err;
}

rg_err rg_jtr_send(rg_janus *j, const char *to_sid, const char *text)
{
    if (!j->tr_joined || !text)
        return RG_ERR_DELIVERY;
    if (!to_sid)
        return send_one(j, NULL, text);
    if (!strncmp(to_sid, "textroom:", 9))
        return send_one(j, to_sid + 9, text);
    jpart *p = NULL;
    for (size_t i = 0; i < j->n_parts && !p; i++)
        if (!strcmp(j->parts[i].sid, to_sid))
            p = &j->parts[i];
    const jtruser *u = NULL;
    rg_jreach r = p ? rg_jtr_reach(j, p, &u) : RG_JREACH_NONE;
    if (r == RG_JREACH_NONE)
        return RG_ERR_DELIVERY; /* not in the chat (yet): cannot be informed */
    /* Several chat users could be them, or the private message did not go
     * through: tell them in the room rather than give up. */
    if (r == RG_JREACH_PRIVATE && send_one(j, u->username, text) == RG_OK)
        return RG_OK;
    return send_addressed(j, p->display, text);
}

void rg_jtr_message(rg_janus *j, const rg_jev *ev, int64_t t)
{
    cJSON *m = cJSON_Parse(ev->text);
    const char *kind = str(m, "textroom");
    if (!kind)
        goto cleanup;
    if (!strcmp(kind, "join")) {
        user_add(j, str(m, "username"), str(m, "display"));
    } else if (!strcmp(kind, "leave")) {
        user_remove(j, str(m, "username"));
    } else if (!strcmp(kind, "kicked")) {
        const char *who = str(m, "username");
        if (who && !strcmp(who, j->tr_name))
            rg_janus_fail(j, "the bot was kicked out of the TextRoom");
        user_remove(j, who);
    } else if (!strcmp(kind, "destroyed")) {
        rg_janus_fail(j, "the TextRoom was destroyed");
    } else if (!strcmp(kind, "message")) {
        const char *from = str(m, "from"), *text = str(m, "text");
        if (!from || !text || !strcmp(from, j->tr_name))
            goto cleanup;
        bool whisper = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "whisper"));
        jpart *p = part_for_user(j, from);
        char sid[96];
        if (p && p->present && !p->reported)
            rg_janus_report(j, p, t); /* their chat user just matched */
        if (p)
            snprintf(sid, sizeof sid, "%s", p->sid);
        else
            snprintf(sid, sizeof sid, "textroom:%.80s", from);
        rg_err err = j->core->chat(j->session, t, sid, text, whisper);
        if (err && !j->core_err)
            j->core_err = err;
    }
cleanup:
    cJSON_Delete(m);
}

void rg_jtr_leave(rg_janus *j)
{
    if (!j->tr_joined || !j->tr_peer)
        return;
    cJSON *req = tr_req(j, "leave");
    char *text = NULL;
    if (req && cJSON_AddStringToObject(req, "transaction", "rgtr-leave") &&
        (text = cJSON_PrintUnformatted(req)))
        (void)rg_jpeer_send(j->tr_peer, text);
    free(text);
    cJSON_Delete(req);
    j->tr_joined = false;
}
