/* skeleton — the smallest complete recgate shim, to copy when writing one
 * (docs/writing-a-shim.md). It plays a made-up meeting described by its
 * settings, on a virtual clock, so every part of the contract shows:
 *
 *   recgate run --config POLICY --platform skeleton \
 *       --set host=anna --set 'guests=["bo"]' --set seconds=20 \
 *       --set 'say=[{"at":12,"from":"bo","text":"nej","private":true}]'
 *
 * Settings (platforms.skeleton in the policy, or --set KEY=VALUE):
 *   host          id of the participant who is host (required)
 *   guests        ids of the other participants, all join at 0
 *   seconds       length of the meeting, 1..86400 (default 30)
 *   say           [{"at": S, "from": ID, "text": T, "private": B}] chat
 *   leaves        [{"at": S, "who": ID}] a participant leaves at S
 *   fail_notices  true: the "platform" refuses every bot message
 *   lose_at       S > 0: the connection is lost at S (run fails)
 *
 * Built out of tree against an installed recgate: see Makefile here. It
 * uses only include/recgate and cJSON; it talks to the core only through
 * the rg_core_ops handed to run(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <recgate/shim.h>

#define FRAME_MS 20
#define RATE 48000
#define MAX_PEOPLE 16
#define MAX_EVENTS 64

typedef struct event {
    int64_t at_ms;
    int who;          /* index into people */
    const char *text; /* NULL: a leave */
    bool is_private;
} event;

typedef struct skel {
    cJSON *settings;             /* owns every string below */
    const char *people[MAX_PEOPLE];
    bool present[MAX_PEOPLE];
    size_t n_people;             /* people[0] is the host */
    event events[MAX_EVENTS];
    size_t n_events;
    int64_t end_ms, lose_ms;
    bool fail_notices;
    bool left;                   /* the bot was asked to leave */
    char id[64];
    int16_t pcm[RATE * FRAME_MS / 1000]; /* silence */
} skel;

/* "platforms.skeleton.KEY: expected WHAT" into errbuf. */
static rg_err bad(char *errbuf, const rg_shim_params *p, const char *key, const char *what)
{
    if (errbuf)
        snprintf(errbuf, RG_ERRBUF_SIZE, "%s.%s: expected %s", p->settings_path, key, what);
    return RG_ERR_CONFIG;
}

static int person(const skel *s, const char *id)
{
    for (size_t i = 0; id && i < s->n_people; i++)
        if (!strcmp(s->people[i], id))
            return (int)i;
    return -1;
}

static bool seconds(const cJSON *v, double max, int64_t *ms)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= max))
        return false;
    *ms = (int64_t)(v->valuedouble * 1000.0);
    return true;
}

/* Validate the settings strictly: a typo is an error naming the key. */
static rg_err parse(skel *s, const rg_shim_params *p, char *errbuf)
{
    static const char *const known[] = {"host", "guests", "seconds", "say", "leaves",
                                        "fail_notices", "lose_at", NULL};
    s->settings = cJSON_Parse(p->settings_json);
    if (!cJSON_IsObject(s->settings)) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "%s: expected an object", p->settings_path);
        return RG_ERR_CONFIG;
    }
    for (const cJSON *c = s->settings->child; c; c = c->next) {
        size_t i = 0;
        while (known[i] && strcmp(known[i], c->string))
            i++;
        if (!known[i]) {
            if (errbuf)
                snprintf(errbuf, RG_ERRBUF_SIZE, "%s.%.60s: unknown setting (known: host, "
                         "guests, seconds, say, leaves, fail_notices, lose_at)",
                         p->settings_path, c->string);
            return RG_ERR_CONFIG;
        }
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s->settings, "host");
    if (!v) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "skeleton: a host is required "
                     "(--set host=ID or %s.host)", p->settings_path);
        return RG_ERR_ARG;
    }
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return bad(errbuf, p, "host", "a participant id");
    s->people[s->n_people++] = v->valuestring;
    const cJSON *it;
    int i = 0;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(s->settings, "guests")) {
        char key[32];
        snprintf(key, sizeof key, "guests[%d]", i++);
        if (!cJSON_IsString(it) || !it->valuestring[0] || person(s, it->valuestring) >= 0)
            return bad(errbuf, p, key, "a participant id not given before");
        if (s->n_people == MAX_PEOPLE)
            return bad(errbuf, p, "guests", "at most 15 guests");
        s->people[s->n_people++] = it->valuestring;
    }
    s->end_ms = 30000;
    if ((v = cJSON_GetObjectItemCaseSensitive(s->settings, "seconds")) &&
        (!seconds(v, 86400, &s->end_ms) || s->end_ms < 1000))
        return bad(errbuf, p, "seconds", "a meeting length of 1..86400 seconds");
    if ((v = cJSON_GetObjectItemCaseSensitive(s->settings, "lose_at")) &&
        !seconds(v, 86400, &s->lose_ms))
        return bad(errbuf, p, "lose_at", "seconds >= 0");
    v = cJSON_GetObjectItemCaseSensitive(s->settings, "fail_notices");
    if (v && !cJSON_IsBool(v))
        return bad(errbuf, p, "fail_notices", "true or false");
    s->fail_notices = cJSON_IsTrue(v);
    static const char *const lists[] = {"say", "leaves"};
    for (int l = 0; l < 2; l++) {
        i = 0;
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(s->settings, lists[l])) {
            char key[32];
            snprintf(key, sizeof key, "%s[%d]", lists[l], i++);
            event *e = &s->events[s->n_events];
            const cJSON *who = cJSON_GetObjectItemCaseSensitive(it, l ? "who" : "from");
            const cJSON *text = cJSON_GetObjectItemCaseSensitive(it, "text");
            if (s->n_events == MAX_EVENTS)
                return bad(errbuf, p, lists[l], "at most 64 events in all");
            if (!seconds(cJSON_GetObjectItemCaseSensitive(it, "at"), 86400, &e->at_ms) ||
                !cJSON_IsString(who) || (e->who = person(s, who->valuestring)) < 0 ||
                (!l && !cJSON_IsString(text)))
                return bad(errbuf, p, key, l ? "{\"at\": S, \"who\": ID}"
                                             : "{\"at\": S, \"from\": ID, \"text\": T}");
            e->text = l ? NULL : text->valuestring;
            e->is_private = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "private"));
            s->n_events++;
        }
    }
    return RG_OK;
}

static void skel_destroy(void *shim)
{
    skel *s = shim;
    if (s)
        cJSON_Delete(s->settings);
    free(s);
}

static rg_err skel_create(const rg_shim_params *p, void **out, rg_shim_meeting *meeting,
                          char *errbuf)
{
    /* Tables from the core may be newer (larger) or older: check the
     * version and the first layout only (shim.h). */
    if (!p || !out || !meeting)
        return RG_ERR_ARG;
    if (!RG_SHIM_TABLE_OK(p, rg_shim_params))
        return RG_ERR_VERSION;
    skel *s = calloc(1, sizeof *s);
    if (!s)
        return RG_ERR_NOMEM;
    rg_err err = parse(s, p, errbuf);
    if (err) {
        skel_destroy(s);
        return err;
    }
    /* A real shim joins the platform here and fails (with the reason in
     * errbuf) if it cannot: nothing is recorded then. */
    snprintf(s->id, sizeof s->id, "skeleton:%.40s", s->people[0]);
    meeting->id = s->id;
    meeting->type = NULL; /* the policy's default meeting type */
    *out = s;
    return RG_OK;
}

/* Host callbacks: called from inside core calls, on run()'s thread. */
static rg_err skel_send_chat(void *ctx, const char *to, const char *text)
{
    skel *s = ctx;
    (void)to;
    (void)text;
    /* RG_OK only when the platform accepted the message for delivery
     * (for a real platform: the server acknowledged it). Anything else
     * makes the session fail closed: nothing is recorded. */
    return s->fail_notices || s->left ? RG_ERR_DELIVERY : RG_OK;
}

static rg_err skel_leave(void *ctx, const char *reason)
{
    skel *s = ctx;
    (void)reason;
    s->left = true; /* run() stops after the current step */
    return RG_OK;
}

static const rg_host_ops skel_host = {
    .api_version = RG_SESSION_API_VERSION,
    .struct_size = sizeof(rg_host_ops),
    .send_chat = skel_send_chat,
    .leave = skel_leave,
};

/* Feed the session in time order: at each instant t the platform events
 * of t, then tick(t), then the media frames starting at t. */
static rg_err skel_run(void *shim, const rg_core_ops *core, rg_session *session,
                       char *errbuf)
{
    skel *s = shim;
    if (!s || !core || !session)
        return RG_ERR_ARG;
    if (!RG_SHIM_TABLE_OK(core, rg_core_ops))
        return RG_ERR_VERSION;
    rg_err err = RG_OK;
    int64_t t = 0;
    for (size_t i = 0; i < s->n_people && !err; i++) {
        err = core->joined(session, 0, s->people[i], s->people[i],
                           i == 0 ? RG_ROLE_HOST : RG_ROLE_GUEST);
        s->present[i] = true;
    }
    for (; !err && t < s->end_ms; t += FRAME_MS) {
        if (s->lose_ms && t >= s->lose_ms) {
            /* Lost the platform: end the session (what passed the gate
             * is sealed) and say what happened. */
            (void)core->end(session, t);
            if (errbuf)
                snprintf(errbuf, RG_ERRBUF_SIZE, "skeleton: lost the meeting at %.3f s",
                         (double)t / 1000.0);
            return RG_ERR_NETWORK;
        }
        for (size_t i = 0; i < s->n_events && !err; i++) {
            const event *e = &s->events[i];
            if (e->at_ms < t || e->at_ms >= t + FRAME_MS || !s->present[e->who])
                continue;
            if (e->text) {
                err = core->chat(session, t, s->people[e->who], e->text, e->is_private);
            } else {
                s->present[e->who] = false;
                err = core->left(session, t, s->people[e->who]);
            }
        }
        if (err || (err = core->tick(session, t)))
            break;
        if (s->left || core->finished(session))
            break;
        rg_media_frame f = {.kind = RG_MEDIA_PCM_S16LE, .rate = RATE, .channels = 1,
                            .duration_ms = FRAME_MS, .data = (const uint8_t *)s->pcm,
                            .len = sizeof s->pcm};
        for (size_t i = 0; i < s->n_people && !err; i++)
            if (s->present[i])
                err = core->media(session, t, s->people[i], &f, NULL);
    }
    rg_err end_err = core->end(session, t);
    if (err) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "skeleton: the session rejected an event: %s",
                     core->strerror(err));
        return err;
    }
    return end_err;
}

static const rg_shim_ops skeleton_shim = {
    .api_version = RG_SHIM_API_VERSION,
    .struct_size = sizeof(rg_shim_ops),
    .name = "skeleton",
    .create = skel_create,
    .host = &skel_host,
    .run = skel_run,
    .destroy = skel_destroy,
    .description = "a made-up meeting from its settings (the shim writer's example)",
};

/* The one symbol the module exports; the core registers the table. */
RG_SHIM_MODULE(skeleton_shim)
