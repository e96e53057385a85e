/* A test participant for the Janus e2e tests: joins a VideoRoom, publishes
 * an Opus sine tone with webrtcbin (or a track that never sends a packet),
 * joins the TextRoom over a data channel with username = its publisher id,
 * and types chat on a schedule. Times are seconds since the program
 * started, or "+S": S seconds after the bot appeared in the TextRoom.
 *
 *   janus_participant --url URL --room N --name NAME --tone HZ
 *       [--start S] [--leave S] [--silent] [--no-chat]
 *       [--say S:TEXT]... [--whisper S:TEXT]...   (whisper: privately to the bot)
 *       [--opus FILE]   send FILE's Opus packets (Ogg/Opus) instead of a tone
 *
 * Prints "NAME: published as ID" on stderr once its media flows, every
 * bot message as "NAME: bot says: ...", "NAME: bot left" when the bot
 * leaves the chat, and exits 0 after leaving, 1 on any failure. SIGTERM:
 * leave now. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "janus/jpeer.h"
#include "janus/jsession.h"

#define MAX_SAYS 16

typedef struct say {
    double at;
    bool after_bot;
    const char *text;
    bool whisper;
    bool done;
} say;

static GAsyncQueue *q;
static GQueue stash = G_QUEUE_INIT;
static rg_jsession *js;
static rg_jpeer *pub_peer, *tr_peer;
static uint64_t vr_h, tr_h;
static int64_t t0;
static char bot_user[128];
static double bot_seen = -1;
static const char *name = "p";

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

static double now_s(void) { return (double)(rg_jnow_us() - t0) / 1e6; }

/* Is a schedule time reached? "+S" waits for the bot. */
static bool due(double at, bool after_bot)
{
    if (!after_bot)
        return now_s() >= at;
    return bot_seen >= 0 && now_s() >= bot_seen + at;
}

static void die(const char *what)
{
    fprintf(stderr, "%s: FAILED: %s\n", name, what);
    exit(1);
}

static void note_user(const cJSON *u)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(u, "display");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(u, "username");
    if (cJSON_IsString(d) && cJSON_IsString(n) && !strcmp(d->valuestring, "recgate")) {
        snprintf(bot_user, sizeof bot_user, "%s", n->valuestring);
        if (bot_seen < 0)
            bot_seen = now_s();
    }
}

/* What the bot says and when it leaves, for the tests to read:
 * "NAME: bot says: TEXT" (one line, newlines as " / "), "NAME: bot left". */
static void note_bot(const cJSON *m, const char *kind)
{
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(m, "from");
    const cJSON *user = cJSON_GetObjectItemCaseSensitive(m, "username");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(m, "text");
    if (!strcmp(kind, "message") && cJSON_IsString(from) && cJSON_IsString(text) &&
        !strcmp(from->valuestring, bot_user)) {
        fprintf(stderr, "%s: bot says: ", name);
        for (const char *c = text->valuestring; *c; c++)
            fputs(*c == '\n' ? " / " : (char[]){*c, 0}, stderr);
        fprintf(stderr, " (at %.2f s)\n", now_s());
    } else if (!strcmp(kind, "leave") && cJSON_IsString(user) &&
               !strcmp(user->valuestring, bot_user)) {
        fprintf(stderr, "%s: bot left at %.2f s\n", name, now_s());
    }
}

/* Handle background events; return true if `ev` is consumed. */
static bool background(rg_jev *ev)
{
    if (ev->kind == RG_JEV_ICE) {
        rg_jsession_trickle(js, ev->handle, ev->mline, ev->text);
        return true;
    }
    if (ev->kind == RG_JEV_LOST)
        die(ev->text ? ev->text : "lost the Janus session");
    if (ev->kind == RG_JEV_DC_MSG) {
        cJSON *m = cJSON_Parse(ev->text);
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(m, "textroom");
        if (cJSON_IsString(k) && !strcmp(k->valuestring, "join"))
            note_user(m);
        else if (cJSON_IsString(k) && *bot_user)
            note_bot(m, k->valuestring);
        /* What the bot says reaches us: the conformance suite checks
         * that "delivered" means delivered. */
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(m, "from");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(m, "text");
        if (cJSON_IsString(k) && !strcmp(k->valuestring, "message") && cJSON_IsString(from) &&
            bot_user[0] && !strcmp(from->valuestring, bot_user) && cJSON_IsString(text))
            fprintf(stderr, "%s: heard \"%.*s\" at %.2f s\n", name,
                    (int)strcspn(text->valuestring, "\n"), text->valuestring, now_s());
        cJSON_Delete(m);
    }
    return false;
}

typedef bool (*matchfn)(const rg_jev *ev, const void *ctx);

static rg_jev *wait_for(matchfn match, const void *ctx, double timeout_s)
{
    for (GList *l = stash.head; l; l = l->next)
        if (match(l->data, ctx)) {
            rg_jev *ev = l->data;
            g_queue_delete_link(&stash, l);
            return ev;
        }
    int64_t deadline = rg_jnow_us() + (int64_t)(timeout_s * 1e6);
    for (;;) {
        int64_t left = deadline - rg_jnow_us();
        rg_jev *ev = left > 0 ? g_async_queue_timeout_pop(q, (guint64)left) : NULL;
        if (!ev)
            return NULL;
        if (match(ev, ctx))
            return ev;
        if (background(ev))
            rg_jev_free(ev);
        else
            g_queue_push_tail(&stash, ev);
    }
}

static bool by_txn(const rg_jev *ev, const void *ctx)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(ev->json, "transaction");
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(ev->json, "janus");
    return ev->kind == RG_JEV_JANUS && cJSON_IsString(t) && !strcmp(t->valuestring, ctx) &&
           cJSON_IsString(k) && strcmp(k->valuestring, "ack");
}

static bool dc_open(const rg_jev *ev, const void *ctx)
{
    (void)ctx;
    return ev->kind == RG_JEV_DC_OPEN && ev->handle == tr_h;
}

static bool dc_txn(const rg_jev *ev, const void *ctx)
{
    return ev->kind == RG_JEV_DC_MSG && ev->handle == tr_h && ev->text &&
           strstr(ev->text, ctx);
}

static bool webrtcup(const rg_jev *ev, const void *ctx)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(ev->json, "janus");
    (void)ctx;
    return ev->kind == RG_JEV_JANUS && ev->handle == vr_h && cJSON_IsString(k) &&
           !strcmp(k->valuestring, "webrtcup");
}

/* Async plugin request; returns the event [owned]. */
static rg_jev *request(uint64_t h, cJSON *body, cJSON *jsep)
{
    cJSON *reply = NULL;
    char *txn = NULL;
    char err[RG_ERRBUF_SIZE] = "";
    if (rg_jsession_message(js, h, body, jsep, &reply, &txn, err))
        die(err);
    cJSON_Delete(body);
    cJSON_Delete(jsep);
    cJSON_Delete(reply);
    rg_jev *ev = wait_for(by_txn, txn, 10);
    if (!ev)
        die("Janus did not answer");
    free(txn);
    return ev;
}

static cJSON *obj(const char *k, const char *v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, k, v);
    return o;
}

static cJSON *room_json(const char *room) { return cJSON_CreateRaw(room); }

static const char *sdp_of(const rg_jev *ev)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(ev->json, "jsep");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "sdp");
    return cJSON_IsString(s) ? s->valuestring : NULL;
}

static void dc_send(const char *room, const char *what, cJSON *req, const char *txn)
{
    cJSON_AddStringToObject(req, "textroom", what);
    cJSON_AddItemToObject(req, "room", room_json(room));
    cJSON_AddStringToObject(req, "transaction", txn);
    char *text = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    if (!text || rg_jpeer_send(tr_peer, text))
        die("cannot send on the data channel");
    free(text);
}

static void join_textroom(const char *room, uint64_t my_id)
{
    char err[RG_ERRBUF_SIZE] = "";
    if (rg_jsession_attach(js, "janus.plugin.textroom", &tr_h, err))
        die(err);
    rg_jev *ev = request(tr_h, obj("request", "setup"), NULL);
    rg_jpeer_opts o = {.handle = tr_h, .q = q, .local_ip = "127.0.0.1"};
    char *answer = NULL;
    if (!sdp_of(ev) || rg_jpeer_new(&o, &tr_peer, err) ||
        rg_jpeer_answer(tr_peer, sdp_of(ev), &answer, err))
        die(err[0] ? err : "no TextRoom offer");
    rg_jev_free(ev);
    cJSON *jsep = obj("type", "answer");
    cJSON_AddStringToObject(jsep, "sdp", answer);
    free(answer);
    rg_jev_free(request(tr_h, obj("request", "ack"), jsep));
    if (rg_jpeer_open_channel(tr_peer, "JanusDataChannel"))
        die("cannot open a data channel");
    if (!(ev = wait_for(dc_open, NULL, 10)))
        die("the data channel did not open");
    rg_jev_free(ev);
    char user[32], txn[64];
    snprintf(user, sizeof user, "%" PRIu64, my_id);
    snprintf(txn, sizeof txn, "join-%s", user);
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "username", user);
    cJSON_AddStringToObject(req, "display", name);
    dc_send(room, "join", req, txn);
    if (!(ev = wait_for(dc_txn, txn, 10)))
        die("no answer to the TextRoom join");
    cJSON *m = cJSON_Parse(ev->text);
    const cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(m, "participants"))
        note_user(u);
    cJSON_Delete(m);
    rg_jev_free(ev);
}

static void publish(int tone, bool silent, const char *opus)
{
    char err[RG_ERRBUF_SIZE] = "";
    rg_jpeer_opts o = {.handle = vr_h, .q = q, .local_ip = "127.0.0.1",
                       .tone_hz = tone, .silent = silent, .opus_file = opus};
    char *offer = NULL;
    if (rg_jpeer_new(&o, &pub_peer, err) || rg_jpeer_offer(pub_peer, &offer, err))
        die(err);
    cJSON *jsep = obj("type", "offer");
    cJSON_AddStringToObject(jsep, "sdp", offer);
    free(offer);
    cJSON *body = obj("request", "configure");
    cJSON_AddTrueToObject(body, "audio");
    cJSON_AddFalseToObject(body, "video");
    rg_jev *ev = request(vr_h, body, jsep);
    if (!sdp_of(ev) || rg_jpeer_set_answer(pub_peer, sdp_of(ev), err))
        die(err[0] ? err : "no answer to the publish offer");
    rg_jev_free(ev);
    if (!(ev = wait_for(webrtcup, NULL, 10)))
        die("the publisher PeerConnection did not come up");
    rg_jev_free(ev);
}

static void chat(const char *room, const say *s, int n)
{
    static unsigned k;
    char txn[64];
    snprintf(txn, sizeof txn, "say-%s-%u", name, ++k);
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "text", s->text);
    if (s->whisper) {
        if (!bot_user[0])
            die("the bot is not in the TextRoom, cannot whisper to it");
        cJSON_AddStringToObject(req, "to", bot_user);
    }
    dc_send(room, "message", req, txn);
    rg_jev *ev = wait_for(dc_txn, txn, 5);
    if (!ev || !strstr(ev->text, "success"))
        die("the TextRoom did not accept a message");
    rg_jev_free(ev);
    fprintf(stderr, "%s: said %s\"%s\" at %.2f s\n", name, s->whisper ? "privately " : "",
            s->text, now_s());
    (void)n;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *room = NULL, *textroom = NULL, *opus = NULL;
    int tone = 440;
    double start = 0, leave = 30;
    bool leave_after_bot = false;
    bool silent = false, no_chat = false;
    say says[MAX_SAYS];
    int n_says = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--silent")) { silent = true; continue; }
        if (!strcmp(a, "--no-chat")) { no_chat = true; continue; }
        if (!v) { fprintf(stderr, "missing value for %s\n", a); return 2; }
        i++;
        if (!strcmp(a, "--url")) url = v;
        else if (!strcmp(a, "--room")) room = v;
        else if (!strcmp(a, "--textroom")) textroom = v;
        else if (!strcmp(a, "--name")) name = v;
        else if (!strcmp(a, "--opus")) opus = v;
        else if (!strcmp(a, "--tone")) tone = atoi(v);
        else if (!strcmp(a, "--start")) start = atof(v);
        else if (!strcmp(a, "--leave")) {
            leave_after_bot = v[0] == '+';
            leave = atof(v + leave_after_bot);
        }
        else if ((!strcmp(a, "--say") || !strcmp(a, "--whisper")) && n_says < MAX_SAYS &&
                 strchr(v, ':')) {
            bool rel = v[0] == '+';
            says[n_says] = (say){atof(v + rel), rel, strchr(v, ':') + 1, a[2] == 'w', false};
            n_says++;
        } else { fprintf(stderr, "bad argument %s\n", a); return 2; }
    }
    if (!url || !room) {
        fprintf(stderr, "usage: janus_participant --url URL --room N --name NAME --tone HZ ...\n");
        return 2;
    }
    t0 = rg_jnow_us();
    q = g_async_queue_new();
    while (now_s() < start)
        g_usleep(10000);
    char err[RG_ERRBUF_SIZE] = "";
    if (rg_jsession_new(url, 10000, q, &js, err) ||
        rg_jsession_attach(js, "janus.plugin.videoroom", &vr_h, err))
        die(err);
    cJSON *body = obj("request", "join");
    cJSON_AddStringToObject(body, "ptype", "publisher");
    cJSON_AddItemToObject(body, "room", room_json(room));
    cJSON_AddStringToObject(body, "display", name);
    rg_jev *ev = request(vr_h, body, NULL);
    const cJSON *data = rg_jplugindata(ev->json);
    uint64_t my_id = rg_jid(cJSON_GetObjectItemCaseSensitive(data, "id"));
    if (!my_id)
        die("could not join the VideoRoom");
    rg_jev_free(ev);
    if (!no_chat)
        join_textroom(textroom ? textroom : room, my_id);
    publish(tone, silent, opus);
    fprintf(stderr, "%s: published as %" PRIu64 " at %.2f s\n", name, my_id, now_s());
    signal(SIGTERM, on_term);
    while (!due(leave, leave_after_bot) && !stop) {
        for (int i = 0; i < n_says; i++)
            if (!says[i].done && due(says[i].at, says[i].after_bot)) {
                says[i].done = true;
                if (!no_chat)
                    chat(textroom ? textroom : room, &says[i], n_says);
            }
        ev = g_queue_pop_head(&stash);
        if (!ev)
            ev = g_async_queue_timeout_pop(q, 20000);
        if (ev && !background(ev) && ev->kind == RG_JEV_JANUS) {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(ev->json, "janus");
            if (cJSON_IsString(k) && !strcmp(k->valuestring, "hangup"))
                die("Janus hung up");
        }
        rg_jev_free(ev);
    }
    rg_jev_free(request(vr_h, obj("request", "leave"), NULL));
    fprintf(stderr, "%s: left at %.2f s (%" PRIu64 " packets sent by the pipeline)\n",
            name, now_s(), rg_jpeer_packets(pub_peer));
    rg_jpeer_free(pub_peer);
    rg_jpeer_free(tr_peer);
    rg_jsession_free(js);
    while ((ev = g_queue_pop_head(&stash)))
        rg_jev_free(ev);
    while ((ev = g_async_queue_try_pop(q)))
        rg_jev_free(ev);
    g_async_queue_unref(q);
    return 0;
}
