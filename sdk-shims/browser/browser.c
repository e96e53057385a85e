/* Browser shim: the bot joins a meeting through the platform's own web
 * client in headless Chromium, driven over the DevTools pipe (cdp.c). A
 * platform adapter (JavaScript, adapters/NAME.js) does the page-specific
 * work and reports through a CDP binding (bproto.h); this file turns those
 * reports into core calls on one thread, exactly like the janus shim:
 * t = ms since the bot joined, events fed at their arrival time, control
 * events followed by tick(t), frames fed after tick(t), a tick every 20 ms
 * without events. See docs/platforms.md and docs/writing-a-shim.md. */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include "browser/bint.h"

#define TICK_US 20000
#define EMPTY_END_MS 1500
#define SEND_TIMEOUT_MS 8000

static int64_t now_ms(rg_browser *b) { return (rg_cdp_now_us() - b->t0_us) / 1000; }

static void lose(rg_browser *b, const char *fmt, ...)
{
    if (b->lost)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->lost_why, sizeof b->lost_why, fmt, ap);
    va_end(ap);
    b->lost = true;
}

static void core_call(rg_browser *b, rg_err err)
{
    if (err && !b->core_err)
        b->core_err = err;
}

/* ---------- participants, chat users, tracks ---------- */

static bpart *part_find(rg_browser *b, const char *id)
{
    for (size_t i = 0; id && i < b->n_parts; i++)
        if (!strcmp(b->parts[i].id, id))
            return &b->parts[i];
    return NULL;
}

static bool is_host(const rg_browser *b, const char *id, const char *name)
{
    for (size_t i = 0; i < b->n_hosts; i++)
        if (!strcmp(b->hosts[i], id) || (name && !strcmp(b->hosts[i], name)))
            return true;
    return false;
}

#define GROW(arr, n, cap)                                                  \
    ((n) < (cap) ? true : grow((void **)&(arr), &(cap), sizeof *(arr)))
static bool grow(void **arr, size_t *cap, size_t size)
{
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(*arr, ncap * size);
    if (!p)
        return false;
    *arr = p;
    *cap = ncap;
    return true;
}

static buser *user_find(rg_browser *b, const char *id)
{
    for (size_t i = 0; id && i < b->n_users; i++)
        if (!strcmp(b->users[i].id, id))
            return &b->users[i];
    return NULL;
}

/* The chat user who is participant p: same id, else the only chat user
 * with p's display name (chat and roster may be separate identities). */
static const buser *user_for(const rg_browser *b, const bpart *p)
{
    const buser *by_name = NULL;
    for (size_t i = 0; i < b->n_users; i++) {
        if (!strcmp(b->users[i].id, p->id))
            return &b->users[i];
        if (b->users[i].name && p->name && !strcmp(b->users[i].name, p->name)) {
            if (by_name)
                return NULL; /* ambiguous */
            by_name = &b->users[i];
        }
    }
    return by_name;
}

static bpart *part_for_user(rg_browser *b, const char *uid)
{
    for (size_t i = 0; i < b->n_parts; i++) {
        const buser *u = user_for(b, &b->parts[i]);
        if (u && !strcmp(u->id, uid))
            return &b->parts[i];
    }
    return NULL;
}

static void report(rg_browser *b, bpart *p, int64_t t)
{
    p->reported = p->ever_reported = true;
    b->had_someone = true;
    core_call(b, b->core->joined(b->session, t, p->id, p->name ? p->name : p->id,
                                 p->host ? RG_ROLE_HOST : RG_ROLE_GUEST));
    b->need_tick = true;
}

static void on_participant(rg_browser *b, const rg_bp_msg *m, int64_t t)
{
    bpart *p = part_find(b, m->id);
    if (!p) {
        if (!m->present || !GROW(b->parts, b->n_parts, b->cap_parts))
            return;
        p = &b->parts[b->n_parts];
        memset(p, 0, sizeof *p);
        if (!(p->id = strdup(m->id)))
            return;
        b->n_parts++;
        p->seen_ms = t;
    }
    if (m->name && (!p->name || strcmp(p->name, m->name))) {
        char *n = strdup(m->name);
        if (n) {
            free(p->name);
            p->name = n;
        }
    }
    p->host = m->host || is_host(b, p->id, p->name);
    if (m->present && !p->present)
        p->seen_ms = t;
    p->present = m->present;
    if (!m->present && p->reported && b->session) {
        p->reported = false;
        core_call(b, b->core->left(b->session, t, p->id));
        b->need_tick = true;
    }
}

static void on_chatuser(rg_browser *b, const rg_bp_msg *m)
{
    buser *u = user_find(b, m->id);
    if (!m->present) {
        if (u) {
            free(u->id);
            free(u->name);
            *u = b->users[--b->n_users];
        }
        return;
    }
    if (u || !GROW(b->users, b->n_users, b->cap_users))
        return;
    u = &b->users[b->n_users];
    u->id = strdup(m->id);
    u->name = m->name ? strdup(m->name) : NULL;
    if (u->id)
        b->n_users++;
    else
        free(u->name);
}

static void on_chat(rg_browser *b, const rg_bp_msg *m, int64_t t)
{
    if (!b->session)
        return; /* before the session exists nothing counts (and nobody was told) */
    bpart *p = part_for_user(b, m->from);
    if (!p)
        p = part_find(b, m->from);
    char sid[RG_BP_MAX_ID + 16];
    if (p && p->present && !p->reported)
        report(b, p, t); /* their chat identity just matched */
    if (p)
        snprintf(sid, sizeof sid, "%s", p->id);
    else
        snprintf(sid, sizeof sid, "chat:%s", m->from); /* a stranger still counts */
    core_call(b, b->core->chat(b->session, t, sid, m->text, m->is_private));
    b->need_tick = true;
}

static btrack *track_get(rg_browser *b, const char *key, bool create)
{
    for (size_t i = 0; i < b->n_tracks; i++)
        if (!strcmp(b->tracks[i].key, key))
            return &b->tracks[i];
    if (!create || b->n_tracks >= 1024 || !GROW(b->tracks, b->n_tracks, b->cap_tracks))
        return NULL;
    btrack *tr = &b->tracks[b->n_tracks];
    memset(tr, 0, sizeof *tr);
    if (!(tr->key = strdup(key)))
        return NULL;
    b->n_tracks++;
    return tr;
}

static void on_track(rg_browser *b, const rg_bp_msg *m)
{
    btrack *tr = track_get(b, m->key, true);
    if (!tr)
        return;
    free(tr->part);
    tr->part = m->id ? strdup(m->id) : NULL;
}

static void tick(rg_browser *b, int64_t t)
{
    core_call(b, b->core->tick(b->session, t));
    b->last_tick = t;
    b->need_tick = false;
}

/* Mixed audio: one track of everyone, recorded as one pseudo-participant
 * that the session clears only when everyone present is cleared. */
static void on_frames(rg_browser *b, const rg_bp_msg *m, int64_t t)
{
    for (size_t i = 0; i < m->n_frames; i++) {
        const rg_bp_frame *f = &m->frames[i];
        btrack *tr = track_get(b, f->key, true);
        b->frames_in++;
        if (!tr)
            continue;
        /* Loss from the RTP sequence numbers (16 bits, wrapping). */
        uint16_t seq = (uint16_t)f->seq;
        if (tr->have_seq) {
            uint16_t d = (uint16_t)(seq - tr->last_seq);
            if (d == 0 || d >= 0x8000) {
                tr->dup++; /* repeated or older than the last: not fed twice */
                continue;
            }
            tr->lost += d - 1u;
        }
        tr->have_seq = true;
        tr->last_seq = seq;
        tr->frames++;
        const char *who = b->mixed ? RG_BROWSER_MIXED_ID : tr->part;
        bpart *p = who ? part_find(b, who) : NULL;
        if (!p || !b->session || !p->reported) {
            b->frames_unmapped++;
            continue; /* not (yet) a participant: dropped, never stored */
        }
        int stereo = 0;
        unsigned ms = rg_bp_opus_ms(f->data, f->len, &stereo);
        if (!ms)
            continue;
        if (!p->channels)
            p->channels = stereo ? 2 : 1;
        rg_media_frame mf = {.kind = RG_MEDIA_OPUS, .rate = 48000,
                             .channels = (uint16_t)p->channels, .duration_ms = ms,
                             .data = f->data, .len = f->len};
        if (t > b->last_tick)
            tick(b, t);
        bool passed = false;
        p->frames++;
        core_call(b, b->core->media(b->session, t, p->id, &mf, &passed));
        p->passed += passed;
    }
}

/* ---------- messages from the browser ---------- */

static void adapter_msg(rg_browser *b, int page, const rg_bp_msg *m, int64_t t);

static void handle(rg_browser *b, rg_cdp_msg *msg, int64_t t)
{
    if (!msg->json) {
        lose(b, "the browser exited");
        return;
    }
    const cJSON *meth = cJSON_GetObjectItemCaseSensitive(msg->json, "method");
    if (!cJSON_IsString(meth))
        return; /* a reply to a command nobody waits for */
    const char *method = meth->valuestring;
    const cJSON *sess = cJSON_GetObjectItemCaseSensitive(msg->json, "sessionId");
    const cJSON *par = cJSON_GetObjectItemCaseSensitive(msg->json, "params");
    int page = rg_bpage_index(b, cJSON_IsString(sess) ? sess->valuestring : NULL);
    if (!strcmp(method, "Runtime.bindingCalled") && page >= 0) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(par, "name");
        const cJSON *pl = cJSON_GetObjectItemCaseSensitive(par, "payload");
        if (!cJSON_IsString(name) || strcmp(name->valuestring, b->binding) ||
            !cJSON_IsString(pl))
            return;
        rg_bp_msg m;
        char why[RG_ERRBUF_SIZE];
        if (b->debug && !strstr(pl->valuestring, "\"frames\""))
            fprintf(stderr, "[%8.3f] page %d: %.300s\n", (double)t / 1000.0, page,
                    pl->valuestring);
        if (rg_bp_parse(pl->valuestring, strlen(pl->valuestring), &m, why)) {
            if (b->bad_msgs++ < 5)
                fprintf(stderr, "recgate: browser: page %d sent a bad message (ignored): %s\n",
                        page, why);
            return;
        }
        adapter_msg(b, page, &m, t);
        rg_bp_free(&m);
    } else if (!strcmp(method, "Inspector.targetCrashed") && page >= 0) {
        lose(b, "the meeting page crashed");
    } else if (!strcmp(method, "Target.detachedFromTarget") ||
               !strcmp(method, "Inspector.detached")) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(par, "sessionId");
        if (page >= 0 || rg_bpage_index(b, cJSON_IsString(s) ? s->valuestring : NULL) >= 0)
            lose(b, "the meeting page was closed");
    } else if (!strcmp(method, "Page.frameNavigated") && page >= 0) {
        const cJSON *fr = cJSON_GetObjectItemCaseSensitive(par, "frame");
        if (!cJSON_GetObjectItemCaseSensitive(fr, "parentId") && b->pages[page].joined)
            lose(b, "the meeting page navigated away (the platform reloaded it)");
    } else if (!strcmp(method, "Page.loadEventFired") && page >= 0) {
        b->pages[page].loaded = true;
    }
}

static void join_page(rg_browser *b, int i)
{
    bpage *p = &b->pages[i];
    if (p->join_sent || !p->hello)
        return;
    p->join_sent = true;
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "cmd", "join");
    cJSON_AddStringToObject(c, "name", b->name);
    rg_bpage_command(b, i, c);
    cJSON_Delete(c);
}

/* url relative to the page's URL; only the same origin is allowed. */
static char *resolve_url(const char *base, const char *url)
{
    const char *after = strstr(base, "://");
    const char *path = after ? strchr(after + 3, '/') : NULL;
    if (!path)
        return NULL;
    size_t origin = (size_t)(path - base);
    char *out = malloc(strlen(base) + strlen(url) + 2);
    if (!out)
        return NULL;
    if (strstr(url, "://")) {
        if (strncmp(url, base, origin) || (url[origin] != '/' && url[origin] != '\0')) {
            free(out);
            return NULL;
        }
        strcpy(out, url);
    } else if (url[0] == '/') {
        sprintf(out, "%.*s%s", (int)origin, base, url);
    } else {
        size_t q = strcspn(base, "?#");
        size_t dir = q;
        while (dir > origin && base[dir - 1] != '/')
            dir--;
        sprintf(out, "%.*s%s", (int)dir, base, url);
    }
    return out;
}

static void adapter_msg(rg_browser *b, int page, const rg_bp_msg *m, int64_t t)
{
    bpage *pg = &b->pages[page];
    switch (m->kind) {
    case RG_BP_HELLO:
        pg->hello = true;
        if (pg->joined) {
            /* a new document in a page that had joined: the platform
             * reloaded it and the bot is no longer in the meeting */
            lose(b, "the meeting page reloaded");
            return;
        }
        if (m->audio && !strcmp(m->audio, "mixed"))
            b->mixed = true;
        b->hello_seen = true;
        join_page(b, page);
        break;
    case RG_BP_JOINED:
        pg->joined = true;
        break;
    case RG_BP_FAILED:
        if (!b->failed_why[0])
            snprintf(b->failed_why, sizeof b->failed_why, "%s", m->why);
        if (b->session)
            lose(b, "the page says: %.300s", m->why);
        break;
    case RG_BP_ENDED:
        if (!b->ended_why[0])
            snprintf(b->ended_why, sizeof b->ended_why, "%s", m->why);
        b->ended = true;
        break;
    case RG_BP_PARTICIPANT:
        on_participant(b, m, t);
        break;
    case RG_BP_CHATUSER:
        on_chatuser(b, m);
        break;
    case RG_BP_CHAT:
        on_chat(b, m, t);
        break;
    case RG_BP_TRACK:
        on_track(b, m);
        break;
    case RG_BP_FRAMES:
        on_frames(b, m, t);
        break;
    case RG_BP_SPEAKER: {
        const char *who = m->id ? m->id : m->name;
        if (who && (!b->speaker || strcmp(b->speaker, who))) {
            free(b->speaker);
            b->speaker = strdup(who);
            b->speaker_changes++;
        }
        /* Into the encrypted manifest (mixed audio only), if the core is new
         * enough to take it. Every report goes: the session keeps labels only
         * while the mix is captured and drops repeats itself. */
        if (who && b->session && b->mixed && RG_SHIM_HAS(b->core, rg_core_ops, speaker) &&
            b->core->speaker) {
            if (t > b->last_tick)
                tick(b, t);
            core_call(b, b->core->speaker(b->session, t, who));
        }
        break;
    }
    case RG_BP_OPEN: {
        char *u = resolve_url(pg->url, m->url);
        char why[RG_ERRBUF_SIZE];
        if (!u) {
            fprintf(stderr, "recgate: browser: refused to open %.200s (not the meeting's "
                            "origin)\n", m->url);
        } else if (!b->session && rg_bpage_open(b, u, why)) {
            snprintf(b->failed_why, sizeof b->failed_why, "%s", why);
        }
        free(u);
        break;
    }
    case RG_BP_SENT:
        break; /* only awaited inside send_chat */
    case RG_BP_LOG:
        if (b->debug)
            fprintf(stderr, "[%8.3f] browser page %d: %s\n", (double)t / 1000.0, page, m->text);
        break;
    }
}

/* ---------- create / destroy ---------- */

static void browser_destroy(void *shim)
{
    rg_browser *b = shim;
    if (!b)
        return;
    rg_bpage_stop(b);
    for (size_t i = 0; i < b->n_parts; i++) {
        free(b->parts[i].id);
        free(b->parts[i].name);
    }
    free(b->parts);
    for (size_t i = 0; i < b->n_users; i++) {
        free(b->users[i].id);
        free(b->users[i].name);
    }
    free(b->users);
    for (size_t i = 0; i < b->n_tracks; i++) {
        free(b->tracks[i].key);
        free(b->tracks[i].part);
    }
    free(b->tracks);
    for (size_t i = 0; i < b->n_hosts; i++)
        free(b->hosts[i]);
    free(b->hosts);
    free(b->url);
    free(b->adapter);
    free(b->name);
    free(b->settings_json);
    free(b->meeting_type);
    free(b->source);
    free(b->speaker);
    free(b);
}

static bool all_joined(const rg_browser *b)
{
    for (int i = 0; i < b->n_pages; i++)
        if (!b->pages[i].joined)
            return false;
    return b->n_pages > 0;
}

/* ---------- settings: platforms.browser, flags on top ---------- */

static bool text_ok(const cJSON *it, size_t max)
{
    if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) > max)
        return false;
    for (const unsigned char *c = (const unsigned char *)it->valuestring; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return false;
    return true;
}

static rg_err bad(char *errbuf, const char *at, const char *key, const char *what)
{
    if (errbuf)
        snprintf(errbuf, RG_ERRBUF_SIZE, "%s.%s: expected %s", at, key, what);
    return RG_ERR_CONFIG;
}

static rg_err dup_to(char **dst, const cJSON *it)
{
    return (*dst = strdup(it->valuestring)) ? RG_OK : RG_ERR_NOMEM;
}

/* {"url", "adapter", "display_name", "hosts", "meeting_type", "timeout_s",
 *  "duration_s", "adapter_settings"} (docs/platforms.md). */
static rg_err parse_settings(rg_browser *b, const rg_shim_params *params, char *errbuf)
{
    static const char *const keys[] = {"url", "adapter", "display_name", "hosts",
                                       "meeting_type", "timeout_s", "duration_s",
                                       "adapter_settings", NULL};
    const char *at = params->settings_path ? params->settings_path : "platforms.browser";
    cJSON *o = params->settings_json ? cJSON_Parse(params->settings_json) : NULL;
    rg_err err = RG_ERR_CONFIG;
    const cJSON *it;
    if (!cJSON_IsObject(o)) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "%s: expected an object", at);
        goto done;
    }
    for (const cJSON *ch = o->child; ch; ch = ch->next) {
        size_t i = 0;
        while (keys[i] && strcmp(ch->string, keys[i]))
            i++;
        if (!keys[i]) {
            if (errbuf)
                snprintf(errbuf, RG_ERRBUF_SIZE, "%s.%.60s: unknown key (expected one of url, "
                         "adapter, display_name, hosts, meeting_type, timeout_s, duration_s, "
                         "adapter_settings)", at, ch->string);
            goto done;
        }
    }
    it = cJSON_GetObjectItemCaseSensitive(o, "url");
    if (!it) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "%s.url: the meeting's web address is required "
                     "(--url)", at);
        err = RG_ERR_ARG; /* a required setting missing: a usage error */
        goto done;
    }
    if (!text_ok(it, RG_BP_MAX_URL) || strpbrk(it->valuestring, " \"\\") ||
        (strncmp(it->valuestring, "http://", 7) && strncmp(it->valuestring, "https://", 8))) {
        err = bad(errbuf, at, "url", "an http:// or https:// URL (--url)");
        goto done;
    }
    if ((err = dup_to(&b->url, it)))
        goto done;
    err = RG_ERR_CONFIG;
    it = cJSON_GetObjectItemCaseSensitive(o, "adapter");
    if (!it) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "%s.adapter: the platform adapter is required "
                     "(--adapter, e.g. janus-demo)", at);
        err = RG_ERR_ARG;
        goto done;
    }
    if (!text_ok(it, 1024)) {
        err = bad(errbuf, at, "adapter", "an adapter name or the path of a .js file (--adapter)");
        goto done;
    }
    if ((err = dup_to(&b->adapter, it)))
        goto done;
    err = RG_ERR_CONFIG;
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "display_name"))) {
        if (!text_ok(it, 64)) {
            err = bad(errbuf, at, "display_name", "the bot's name, 1..64 characters");
            goto done;
        }
        if ((err = dup_to(&b->name, it)))
            goto done;
    } else if (!(b->name = strdup(RG_BROWSER_DEFAULT_NAME))) {
        err = RG_ERR_NOMEM;
        goto done;
    }
    err = RG_ERR_CONFIG;
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "meeting_type"))) {
        if (!text_ok(it, 64)) {
            err = bad(errbuf, at, "meeting_type", "the name of a meeting type (--type)");
            goto done;
        }
        if ((err = dup_to(&b->meeting_type, it)))
            goto done;
    }
    err = RG_ERR_CONFIG;
    static const char *const secs[] = {"timeout_s", "duration_s"};
    for (int k = 0; k < 2; k++) {
        if (!(it = cJSON_GetObjectItemCaseSensitive(o, secs[k])))
            continue;
        double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
        if (!(v >= 1 && v <= 86400) || floor(v) != v) {
            err = bad(errbuf, at, secs[k], "whole seconds 1..86400");
            goto done;
        }
        if (k == 0)
            b->timeout_ms = (int)v * 1000;
        else
            b->max_ms = (int64_t)v * 1000;
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "hosts"))) {
        int cnt = cJSON_IsArray(it) ? cJSON_GetArraySize(it) : -1;
        if (cnt < 0 || cnt > 64) {
            err = bad(errbuf, at, "hosts", "a list of at most 64 names or ids (--host)");
            goto done;
        }
        if (cnt && !(b->hosts = calloc((size_t)cnt, sizeof *b->hosts))) {
            err = RG_ERR_NOMEM;
            goto done;
        }
        for (const cJSON *h = it->child; h; h = h->next) {
            char key[32];
            snprintf(key, sizeof key, "hosts[%zu]", b->n_hosts);
            if (!text_ok(h, RG_BP_MAX_NAME)) {
                err = bad(errbuf, at, key, "a display name or participant id");
                goto done;
            }
            if (!(b->hosts[b->n_hosts] = strdup(h->valuestring))) {
                err = RG_ERR_NOMEM;
                goto done;
            }
            b->n_hosts++;
        }
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "adapter_settings"))) {
        if (!cJSON_IsObject(it)) {
            err = bad(errbuf, at, "adapter_settings", "an object (the adapter's own settings)");
            goto done;
        }
        if (!(b->settings_json = cJSON_PrintUnformatted(it))) {
            err = RG_ERR_NOMEM;
            goto done;
        }
    }
    err = RG_OK;
done:
    cJSON_Delete(o);
    return err;
}

static rg_err browser_create(const rg_shim_params *params, void **out,
                             rg_shim_meeting *meeting, char *errbuf)
{
    char why[RG_ERRBUF_SIZE] = "";
    if (!params || !out || !meeting)
        return RG_ERR_ARG;
    if (!RG_SHIM_TABLE_OK(params, rg_shim_params))
        return RG_ERR_VERSION;
    /* Kept for writes to a browser that died: EPIPE, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    rg_browser *b = calloc(1, sizeof *b);
    if (!b)
        return RG_ERR_NOMEM;
    b->timeout_ms = 30000;
    b->grace_ms = 2000;
    b->debug = getenv("RECGATE_BROWSER_DEBUG") != NULL;
    b->empty_since = -1;
    b->last_tick = -1;
    rg_err err = parse_settings(b, params, errbuf);
    if (err)
        goto cleanup;
    snprintf(b->meeting_id, sizeof b->meeting_id, "browser:%s:%.250s", b->adapter, b->url);
    if ((err = rg_bpage_start(b, why)) || (err = rg_bpage_open(b, b->url, why)))
        goto fail;
    /* Join: every page the adapter opens must say "joined". */
    b->t0_us = rg_cdp_now_us();
    int64_t deadline = b->t0_us + (int64_t)b->timeout_ms * 1000;
    while (!all_joined(b) && !b->failed_why[0] && !b->lost && !b->ended) {
        int64_t left = deadline - rg_cdp_now_us();
        rg_cdp_msg *m = left > 0 ? rg_cdp_next(b->cdp, left < 100000 ? left : 100000) : NULL;
        if (!m && left <= 0)
            break;
        if (m) {
            handle(b, m, 0);
            rg_cdp_msg_free(m);
        }
    }
    err = RG_ERR_NETWORK;
    if (b->failed_why[0])
        snprintf(why, sizeof why, "the %s adapter could not join: %.300s", b->adapter,
                 b->failed_why);
    else if (b->lost)
        snprintf(why, sizeof why, "%.400s while joining", b->lost_why);
    else if (b->ended)
        snprintf(why, sizeof why, "the meeting ended while joining: %.300s", b->ended_why);
    else if (!b->hello_seen)
        snprintf(why, sizeof why, "the %s adapter never started in %.300s (wrong page or "
                 "adapter?)", b->adapter, b->url);
    else if (!all_joined(b))
        snprintf(why, sizeof why, "could not join %.300s in %d s", b->url, b->timeout_ms / 1000);
    else
        err = RG_OK;
    if (err)
        goto fail;
    meeting->id = b->meeting_id;
    meeting->type = b->meeting_type;
    meeting->mixed_audio_id = b->mixed ? RG_BROWSER_MIXED_ID : NULL;
    *out = b;
    return RG_OK;
fail:
    if (errbuf)
        snprintf(errbuf, RG_ERRBUF_SIZE, "browser: %.490s", why);
cleanup:
    browser_destroy(b);
    return err;
}

/* ---------- host callbacks (called from inside core calls) ---------- */

/* Wait for the adapter's "sent" for request `req`; every other message
 * read meanwhile is kept, in order, for the run loop. */
static bool wait_sent(rg_browser *b, int64_t req, char *why, size_t n)
{
    int64_t deadline = rg_cdp_now_us() + (int64_t)SEND_TIMEOUT_MS * 1000;
    rg_cdp_msg *kept[4096];
    size_t nk = 0;
    bool ok = false, done = false;
    snprintf(why, n, "no confirmation from the page in %d s", SEND_TIMEOUT_MS / 1000);
    while (!done) {
        int64_t left = deadline - rg_cdp_now_us();
        rg_cdp_msg *m = left > 0 ? rg_cdp_next(b->cdp, left) : NULL;
        if (!m)
            break;
        const cJSON *par = m->json ? cJSON_GetObjectItemCaseSensitive(m->json, "params") : NULL;
        const cJSON *pl = cJSON_GetObjectItemCaseSensitive(par, "payload");
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(par, "name");
        rg_bp_msg bm;
        char perr[RG_ERRBUF_SIZE];
        if (cJSON_IsString(pl) && cJSON_IsString(nm) && !strcmp(nm->valuestring, b->binding) &&
            strstr(pl->valuestring, "\"sent\"") &&
            !rg_bp_parse(pl->valuestring, strlen(pl->valuestring), &bm, perr)) {
            bool mine = bm.kind == RG_BP_SENT && bm.req == req;
            if (mine) {
                ok = bm.ok;
                snprintf(why, n, "%s", bm.why ? bm.why : "refused by the page");
                done = true;
            }
            rg_bp_free(&bm);
            if (mine) {
                rg_cdp_msg_free(m);
                continue;
            }
        }
        if (!m->json) { /* the browser is gone */
            snprintf(why, n, "the browser exited");
            done = true;
        }
        if (nk < sizeof kept / sizeof kept[0])
            kept[nk++] = m;
        else
            rg_cdp_msg_free(m); /* frames beyond ~80 s of backlog: dropped */
    }
    while (nk)
        rg_cdp_unread(b->cdp, kept[--nk]);
    return ok;
}

/* One message through the page: public (to_user NULL) or a whisper;
 * true once the page confirmed it. */
static bool send_once(rg_browser *b, const char *text, const char *to_user, char *why,
                      size_t n)
{
    int64_t req = ++b->next_req;
    cJSON *c = cJSON_CreateObject();
    if (!c)
        return false;
    cJSON_AddStringToObject(c, "cmd", "send");
    cJSON_AddNumberToObject(c, "req", (double)req);
    cJSON_AddStringToObject(c, "text", text);
    if (to_user)
        cJSON_AddStringToObject(c, "to", to_user);
    for (int i = 0; i < b->n_pages; i++)
        rg_bpage_command(b, i, c);
    cJSON_Delete(c);
    return wait_sent(b, req, why, n);
}

static rg_err browser_send_chat(void *ctx, const char *to, const char *text)
{
    rg_browser *b = ctx;
    char why[RG_ERRBUF_SIZE] = "";
    bool ok = false;
    const buser *u = NULL;
    if (b->lost || b->left || !b->cdp) {
        snprintf(why, sizeof why, "the bot is not in the meeting");
    } else if (to && !(u = (part_find(b, to) ? user_for(b, part_find(b, to)) : NULL))) {
        snprintf(why, sizeof why, "%s is not in the chat", to);
    } else {
        ok = send_once(b, text, u ? u->id : NULL, why, sizeof why);
        /* A whisper the page could not send: tell them in the room instead,
         * addressed by name (issue 10: inform publicly rather than give up).
         * Someone not in the chat at all is still never reached. */
        if (!ok && u && !b->lost) {
            const bpart *p = part_find(b, to);
            size_t n = strlen(text) + 80;
            char *pub = malloc(n);
            if (pub) {
                snprintf(pub, n, "@%s: %s", p && p->name ? p->name : u->id, text);
                fprintf(stderr, "recgate: browser: private message to %s not sent (%s); "
                        "posting it in the room, addressed to them\n", to, why);
                ok = send_once(b, pub, NULL, why, sizeof why);
                free(pub);
            }
        }
    }
    if (!ok) {
        b->chats_failed++;
        fprintf(stderr, "recgate: browser: message%s%s not delivered: %s\n", to ? " to " : "",
                to ? to : "", why);
        /* Gone from the meeting: the session then says the connection was
         * lost, not that someone could not be informed. */
        return b->lost ? RG_ERR_NETWORK : RG_ERR_DELIVERY;
    }
    b->chats_sent++;
    return RG_OK;
}

static rg_err browser_leave(void *ctx, const char *reason)
{
    rg_browser *b = ctx;
    (void)reason;
    if (b->left)
        return RG_OK;
    b->left = true;
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "cmd", "leave");
    for (int i = 0; i < b->n_pages && !b->lost; i++)
        rg_bpage_command(b, i, c);
    cJSON_Delete(c);
    return RG_OK;
}

static const rg_host_ops browser_host = {
    .api_version = RG_SESSION_API_VERSION,
    .struct_size = sizeof(rg_host_ops),
    .send_chat = browser_send_chat,
    .leave = browser_leave,
    .timeline = NULL,
};

/* ---------- run loop ---------- */

static void housekeeping(rg_browser *b, int64_t t)
{
    size_t present = 0;
    for (size_t i = 0; i < b->n_parts; i++) {
        bpart *p = &b->parts[i];
        if (!p->present || !strcmp(p->id, RG_BROWSER_MIXED_ID))
            continue;
        present++;
        if (!p->reported && (user_for(b, p) || t - p->seen_ms >= b->grace_ms))
            report(b, p, t);
    }
    if (present)
        b->empty_since = -1;
    else if (b->empty_since < 0)
        b->empty_since = t;
    /* Mixed audio: the one mixed track is a participant of its own. */
    if (b->mixed && !part_find(b, RG_BROWSER_MIXED_ID) && present) {
        rg_bp_msg m = {.kind = RG_BP_PARTICIPANT, .id = RG_BROWSER_MIXED_ID,
                       .name = "mixed audio of everyone", .present = true};
        on_participant(b, &m, t);
        bpart *p = part_find(b, RG_BROWSER_MIXED_ID);
        if (p)
            report(b, p, t);
    }
}

static bool meeting_over(rg_browser *b, int64_t t)
{
    return b->ended || (b->had_someone && b->empty_since >= 0 &&
                        t - b->empty_since >= EMPTY_END_MS) ||
           (b->max_ms && t >= b->max_ms);
}

static rg_err browser_run(void *shim, const rg_core_ops *core, rg_session *session,
                          char *errbuf)
{
    rg_browser *b = shim;
    if (!b || !core || !session)
        return RG_ERR_ARG;
    if (!RG_SHIM_TABLE_OK(core, rg_core_ops))
        return RG_ERR_VERSION;
    b->core = core;
    b->session = session;
    b->t0_us = rg_cdp_now_us();
    for (size_t i = 0; i < b->n_parts; i++)
        b->parts[i].seen_ms = 0;
    int64_t t = 0;
    housekeeping(b, 0);
    for (;;) {
        rg_cdp_msg *m = rg_cdp_next(b->cdp, TICK_US);
        int64_t now = now_ms(b);
        t = m && m->json ? (m->at_us - b->t0_us) / 1000 : now;
        if (t < b->last_t)
            t = b->last_t;
        b->last_t = t;
        if (m) {
            handle(b, m, t);
            rg_cdp_msg_free(m);
        }
        housekeeping(b, t);
        if (t > b->last_tick || b->need_tick)
            tick(b, t);
        if (b->core_err || b->lost || core->finished(session) || meeting_over(b, t))
            break;
    }
    /* Ending sends the end notice and leaves (which sets b->left): what
     * counts is whether the meeting was lost before that. */
    bool was_lost = b->lost && !b->left;
    rg_err end_err = core->end(session, t);
    uint64_t lost = 0, dup = 0;
    for (size_t i = 0; i < b->n_tracks; i++) {
        lost += b->tracks[i].lost;
        dup += b->tracks[i].dup;
        for (size_t k = 0; b->tracks[i].part && k < b->n_parts; k++)
            if (!strcmp(b->tracks[i].part, b->parts[k].id))
                b->parts[k].lost += b->tracks[i].lost;
    }
    for (size_t i = 0; i < b->n_parts; i++)
        if (b->parts[i].ever_reported)
            fprintf(stderr, "recgate: browser: participant %s (%s): %" PRIu64
                    " audio frames received, %" PRIu64 " lost, %" PRIu64
                    " passed the gate\n", b->parts[i].id,
                    b->parts[i].name ? b->parts[i].name : b->parts[i].id,
                    b->parts[i].frames, b->parts[i].lost, b->parts[i].passed);
    fprintf(stderr, "recgate: browser: %" PRIu64 " frames from the page, %" PRIu64
            " lost (RTP sequence gaps), %" PRIu64 " repeated, %" PRIu64
            " before their owner was known, %" PRIu64 " bad messages; %" PRIu64
            " chat messages confirmed, %" PRIu64 " not%s\n",
            b->frames_in, lost, dup, b->frames_unmapped, b->bad_msgs, b->chats_sent,
            b->chats_failed, b->mixed ? "; mixed audio" : "");
    if (b->core_err) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "browser: the session rejected an event: %s",
                     b->core->strerror(b->core_err));
        return b->core_err;
    }
    if (was_lost) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE,
                     "browser: lost the meeting at %.3f s: %.300s; capture stopped and what "
                     "was captured before is sealed: the recording is cut short",
                     (double)t / 1000.0, b->lost_why);
        return RG_ERR_NETWORK;
    }
    return end_err;
}

static const rg_shim_ops rg_browser_shim = {
    .api_version = RG_SHIM_API_VERSION,
    .struct_size = sizeof(rg_shim_ops),
    .name = "browser",
    .create = browser_create,
    .host = &browser_host,
    .run = browser_run,
    .destroy = browser_destroy,
    .description = "a platform's own web client in headless Chromium, with a JavaScript "
                   "adapter (--adapter NAME)",
};

RG_SHIM_MODULE(rg_browser_shim)
