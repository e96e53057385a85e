/* shimcheck — the shim conformance harness (docs/writing-a-shim.md). It
 * plays the core: any shim, registered or loaded from a shim directory, is
 * created and run against this program's own rg_core_ops, which checks
 * the contract on every call while a driver script makes the platform do
 * things (tests/e2e/conformance_*.sh):
 *
 *   shimcheck --platform NAME [--shim-dir DIR] --settings JSON
 *             [--case NAME]
 *             [--expect-join WHO]... [--expect-left WHO]...
 *             [--expect-chat WHO:TEXT[:private]]...
 *             [--notice MS[:WHO]:ok|fail]...
 *             [--gate-at MS] [--expect-media WHO]...
 *             [--leave-at MS] [--expect-lost] [--bad-settings]
 *             [--timeout S]
 *
 * WHO is a participant id or display name. Checked on every run:
 *   - times never go back and are >= 0;
 *   - a participant joins before it chats, sends media or leaves; leaves
 *     only when present; never joins twice without leaving;
 *   - media at t only after tick(t) (frames are judged against the gate as
 *     it stands after the tick of their time), well-formed frames;
 *   - media that did not pass the gate (before --gate-at) is dropped: the
 *     shim keeps going, and nothing is replayed once the gate opens (no
 *     frame older than the gate's time arrives after it);
 *   - --notice: at the first tick >= MS the harness sends a notice to
 *     everyone (or privately to WHO), from inside tick as the session
 *     does; send_chat must say RG_OK exactly when the platform accepted
 *     it (the driver checks the participants really got it);
 *   - once the session has finished (--leave-at: host->leave from inside
 *     tick, then finished() is true) the shim stops within --timeout;
 *   - end() exactly once, no call after it; run() returns RG_OK, or with
 *     --expect-lost an error AND a message, after calling end();
 *   - --bad-settings: create() refuses an unknown key and names it.
 * Prints "ok: ..." / "FAIL: ..." lines; exit 0 when every check passed. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "recgate/recgate.h"

#define MAX_PEOPLE 64
#define MAX_EXPECT 16

typedef struct who {
    char *id, *name;
    bool present, joined, left;
    uint64_t frames, frames_after_gate;
    bool chats_public, chats_private;
} who;

typedef struct expect {
    const char *who, *text;
    bool is_private, seen;
} expect;

typedef struct notice {
    int64_t at;
    const char *to; /* NULL: everyone */
    bool want_ok;
    int result;     /* -1: not sent yet, 0: refused, 1: accepted */
} notice;

static struct {
    const rg_shim_ops *shim;
    void *ctx;
    who people[MAX_PEOPLE];
    size_t n_people;
    int64_t last_t, last_tick;
    int64_t gate_at, leave_at;
    notice notices[MAX_EXPECT];
    size_t n_notices;
    bool left, ended, after_end_calls;
    int n_end;
    int fails;
    uint64_t ticks, media_calls, late_frames;
    expect chats[MAX_EXPECT];
    size_t n_chats;
    struct timespec finished_at;
    bool verbose;
} H = {.last_t = -1, .last_tick = -1, .gate_at = -1, .leave_at = -1};

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    va_list ap;
    /* The first few of a kind say it all. */
    if (++H.fails > 20)
        return;
    va_start(ap, fmt);
    printf("FAIL: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static who *find(const char *id)
{
    for (size_t i = 0; id && i < H.n_people; i++)
        if (!strcmp(H.people[i].id, id))
            return &H.people[i];
    return NULL;
}

static who *find_any(const char *w)
{
    for (size_t i = 0; i < H.n_people; i++)
        if (!strcmp(H.people[i].id, w) || (H.people[i].name && !strcmp(H.people[i].name, w)))
            return &H.people[i];
    return NULL;
}

/* Every call: time order, nothing after end. */
static void at(const char *what, int64_t t)
{
    if (H.ended && !H.after_end_calls) {
        H.after_end_calls = true;
        fail("%s at %lld ms after end()", what, (long long)t);
    }
    if (t < 0)
        fail("%s at a negative time %lld", what, (long long)t);
    if (t < H.last_t)
        fail("%s at %lld ms, before the previous call (%lld ms): time went back", what,
             (long long)t, (long long)H.last_t);
    else
        H.last_t = t;
    if (H.verbose)
        fprintf(stderr, "[%8.3f] %s\n", (double)t / 1000.0, what);
}

static rg_err c_joined(rg_session *s, int64_t t, const char *id, const char *name, rg_role role)
{
    (void)s;
    at("joined", t);
    if (!id || !*id)
        return fail("joined without an id"), RG_ERR_ARG;
    if (role != RG_ROLE_GUEST && role != RG_ROLE_HOST)
        fail("joined %s with role %d", id, (int)role);
    who *w = find(id);
    if (w && w->present)
        fail("%s joined twice without leaving", id);
    if (!w && H.n_people < MAX_PEOPLE) {
        w = &H.people[H.n_people++];
        w->id = strdup(id);
        w->name = name ? strdup(name) : NULL;
    }
    if (w) {
        w->present = w->joined = true;
        printf("  event: joined %s (%s)%s at %.3f s\n", id, name ? name : "",
               role == RG_ROLE_HOST ? " as host" : "", (double)t / 1000.0);
    }
    return RG_OK;
}

static rg_err c_left(rg_session *s, int64_t t, const char *id)
{
    (void)s;
    at("left", t);
    who *w = find(id);
    if (!w || !w->present)
        return fail("left: %s is not present", id ? id : "(null)"), RG_ERR_NOT_FOUND;
    w->present = false;
    w->left = true;
    printf("  event: left %s at %.3f s\n", id, (double)t / 1000.0);
    return RG_OK;
}

static rg_err c_chat(rg_session *s, int64_t t, const char *from, const char *text, bool priv)
{
    (void)s;
    at("chat", t);
    who *w = find(from);
    if (!w || !w->present)
        fail("chat from %s, who is not present", from ? from : "(null)");
    if (!text)
        return fail("chat without text"), RG_ERR_ARG;
    printf("  event: %s chat from %s at %.3f s: %s\n", priv ? "private" : "public",
           from ? from : "?", (double)t / 1000.0, text);
    for (size_t i = 0; i < H.n_chats; i++) {
        expect *e = &H.chats[i];
        if (w && (!strcmp(e->who, w->id) || (w->name && !strcmp(e->who, w->name))) &&
            strstr(text, e->text) && e->is_private == priv)
            e->seen = true;
    }
    return RG_OK;
}

static bool c_finished(const rg_session *s)
{
    (void)s;
    return H.left;
}

static rg_err c_tick(rg_session *s, int64_t t)
{
    (void)s;
    at("tick", t);
    H.ticks++;
    H.last_tick = t;
    /* Like the session: decisions happen in tick, and talk back through
     * the host callbacks from inside it. */
    for (size_t i = 0; i < H.n_notices; i++) {
        notice *n = &H.notices[i];
        if (n->result >= 0 || t < n->at)
            continue;
        who *w = n->to ? find_any(n->to) : NULL;
        char text[128];
        snprintf(text, sizeof text, "shimcheck notice %zu%s%s", i + 1, n->to ? " for " : "",
                 n->to ? n->to : "");
        rg_err e = H.shim->host->send_chat(H.ctx, w ? w->id : n->to, text);
        n->result = e == RG_OK;
        printf("  event: \"%s\" at %.3f s: %s\n", text, (double)t / 1000.0,
               e == RG_OK ? "delivered" : "NOT delivered");
    }
    if (H.leave_at >= 0 && !H.left && t >= H.leave_at) {
        H.shim->host->leave(H.ctx, "shimcheck: the session is over");
        H.left = true;
        clock_gettime(CLOCK_MONOTONIC, &H.finished_at);
        printf("  event: the session left at %.3f s\n", (double)t / 1000.0);
    }
    return RG_OK;
}

static rg_err c_media(rg_session *s, int64_t t, const char *id, const rg_media_frame *f,
                      bool *passed)
{
    (void)s;
    at("media", t);
    H.media_calls++;
    bool gate = H.gate_at >= 0 && t >= H.gate_at;
    if (passed)
        *passed = gate && !H.left;
    if (t != H.last_tick && H.media_calls - H.late_frames < 5) /* say it once or so */
        fail("media at %lld ms without tick(%lld) first (last tick %lld)", (long long)t,
             (long long)t, (long long)H.last_tick);
    if (t != H.last_tick)
        H.late_frames++;
    who *w = find(id);
    if (!w || !w->present) {
        fail("media from %s, who is not present", id ? id : "(null)");
        return RG_OK;
    }
    if (!f || !f->data || !f->len || !f->duration_ms || !f->rate ||
        f->kind > RG_MEDIA_I420 || ((f->kind == RG_MEDIA_PCM_S16LE) && !f->channels)) {
        fail("malformed frame from %s at %lld ms", id, (long long)t);
        return RG_OK;
    }
    w->frames++;
    if (gate)
        w->frames_after_gate++;
    return RG_OK;
}

static rg_err c_end(rg_session *s, int64_t t)
{
    (void)s;
    at("end", t);
    H.n_end++;
    if (H.n_end > 1)
        fail("end() called %d times", H.n_end);
    H.ended = true;
    printf("  event: end at %.3f s\n", (double)t / 1000.0);
    return RG_OK;
}

static const rg_core_ops CORE = {
    .api_version = RG_SHIM_API_VERSION,
    .struct_size = sizeof(rg_core_ops),
    .joined = c_joined,
    .left = c_left,
    .chat = c_chat,
    .tick = c_tick,
    .media = c_media,
    .end = c_end,
    .finished = c_finished,
    .strerror = rg_strerror,
};

/* A watchdog: a shim that does not stop is a failure, not a hang. */
static int timeout_s = 60;
static void *watchdog(void *arg)
{
    (void)arg;
    struct timespec ts = {.tv_sec = timeout_s};
    nanosleep(&ts, NULL);
    printf("FAIL: run() did not return within %d s%s\n", timeout_s,
           H.left ? " after the session left" : "");
    fflush(stdout);
    _exit(1);
}

static void usage(void)
{
    fprintf(stderr, "usage: shimcheck --platform NAME [--shim-dir DIR] --settings JSON "
                    "[--expect-... ] (see tests/helpers/shimcheck.c)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *platform = NULL, *dir = NULL, *settings = "{}", *case_name = "run";
    const char *joins[MAX_EXPECT], *lefts[MAX_EXPECT], *medias[MAX_EXPECT];
    size_t n_joins = 0, n_lefts = 0, n_medias = 0;
    bool expect_lost = false, bad_settings = false;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (!strcmp(a, name) && v && ++i)
        if (ARG("--platform")) platform = v;
        else if (ARG("--shim-dir")) dir = v;
        else if (ARG("--settings")) settings = v;
        else if (ARG("--case")) case_name = v;
        else if (ARG("--timeout")) timeout_s = atoi(v);
        else if (ARG("--expect-join") && n_joins < MAX_EXPECT) joins[n_joins++] = v;
        else if (ARG("--expect-left") && n_lefts < MAX_EXPECT) lefts[n_lefts++] = v;
        else if (ARG("--expect-media") && n_medias < MAX_EXPECT) medias[n_medias++] = v;
        else if (ARG("--expect-chat") && H.n_chats < MAX_EXPECT) {
            char *w = argv[i], *c = strchr(w, ':'); /* argv is ours to cut */
            if (!c)
                usage();
            *c++ = '\0';
            expect *e = &H.chats[H.n_chats++];
            e->who = w;
            char *p = strrchr(c, ':');
            e->is_private = p && !strcmp(p, ":private");
            if (e->is_private)
                *p = '\0';
            e->text = c;
        } else if (ARG("--notice") && H.n_notices < MAX_EXPECT) {
            /* MS[:WHO]:ok|fail */
            char *c = argv[i], *first = strchr(c, ':'), *last = strrchr(c, ':');
            if (!first || (strcmp(last, ":ok") && strcmp(last, ":fail")))
                usage();
            notice *n = &H.notices[H.n_notices++];
            n->at = atoll(c);
            n->want_ok = !strcmp(last, ":ok");
            *last = '\0';
            n->to = first != last ? first + 1 : NULL;
            n->result = -1;
        }
        else if (ARG("--gate-at")) H.gate_at = atoll(v);
        else if (ARG("--leave-at")) H.leave_at = atoll(v);
        else if (!strcmp(a, "--expect-lost")) expect_lost = true;
        else if (!strcmp(a, "--bad-settings")) bad_settings = true;
        else if (!strcmp(a, "-v")) H.verbose = true;
        else usage();
#undef ARG
    }
    if (!platform)
        usage();
    char err[RG_ERRBUF_SIZE] = "", path[64];
    if (rg_shim_open(platform, dir, &H.shim, err)) {
        printf("FAIL: %s\n", err);
        return 1;
    }
    printf("shimcheck %s: %s\n", platform, case_name);
    snprintf(path, sizeof path, "platforms.%s", platform);
    rg_shim_params p = {.api_version = RG_SHIM_API_VERSION, .struct_size = sizeof p,
                        .settings_json = settings, .settings_path = path};
    rg_shim_meeting m = {0};
    if (bad_settings) {
        /* An unknown key must be refused, by name, before joining. */
        cJSON *o = cJSON_Parse(settings);
        if (!o)
            usage();
        cJSON_AddNumberToObject(o, "shimcheck_bogus", 1);
        char *bad = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        p.settings_json = bad;
        rg_err e = H.shim->create(&p, &H.ctx, &m, err);
        free(bad);
        if (e == RG_OK) {
            fail("create() accepted an unknown setting shimcheck_bogus");
            if (H.shim->destroy)
                H.shim->destroy(H.ctx);
        } else if (!strstr(err, "shimcheck_bogus") || !strstr(err, path)) {
            fail("create() refused the unknown setting without naming %s.shimcheck_bogus: %s",
                 path, err);
        } else {
            printf("ok: unknown setting refused: %s\n", err);
        }
        return H.fails ? 1 : 0;
    }
    rg_err e = H.shim->create(&p, &H.ctx, &m, err);
    if (e) {
        printf("FAIL: create(): %s: %s\n", rg_strerror(e), err);
        return 1;
    }
    if (!m.id || !*m.id)
        fail("create() gave no meeting id");
    pthread_t wd;
    pthread_create(&wd, NULL, watchdog, NULL);
    pthread_detach(wd);
    err[0] = '\0';
    /* The session pointer is opaque to a shim: ours is never looked at. */
    e = H.shim->run(H.ctx, &CORE, (rg_session *)&H, err);
    if (H.n_end != 1)
        fail("end() called %d times, want once", H.n_end);
    if (expect_lost) {
        if (e == RG_OK)
            fail("run() returned RG_OK although the platform went away");
        else if (!err[0])
            fail("run() failed (%s) without saying why", rg_strerror(e));
        else
            printf("ok: lost connection reported: %s: %s\n", rg_strerror(e), err);
    } else if (e != RG_OK) {
        fail("run(): %s: %s", rg_strerror(e), err);
    }
    for (size_t i = 0; i < n_joins; i++) {
        who *w = find_any(joins[i]);
        if (w && w->joined)
            printf("ok: %s joined\n", joins[i]);
        else
            fail("%s never joined", joins[i]);
    }
    for (size_t i = 0; i < n_lefts; i++) {
        who *w = find_any(lefts[i]);
        if (w && w->left)
            printf("ok: %s left\n", lefts[i]);
        else
            fail("%s never left", lefts[i]);
    }
    for (size_t i = 0; i < H.n_chats; i++)
        if (H.chats[i].seen)
            printf("ok: %s chat from %s: %s\n", H.chats[i].is_private ? "private" : "public",
                   H.chats[i].who, H.chats[i].text);
        else
            fail("no %s chat from %s containing \"%s\"",
                 H.chats[i].is_private ? "private" : "public", H.chats[i].who, H.chats[i].text);
    for (size_t i = 0; i < H.n_notices; i++) {
        const notice *n = &H.notices[i];
        if (n->result < 0)
            fail("notice %zu was never sent (no tick at or after %lld ms)", i + 1,
                 (long long)n->at);
        else if (n->result != n->want_ok)
            fail("notice %zu%s%s: send_chat said %s, want %s", i + 1, n->to ? " to " : "",
                 n->to ? n->to : "", n->result ? "delivered" : "not delivered",
                 n->want_ok ? "delivered" : "not delivered");
        else
            printf("ok: notice %zu%s%s %s\n", i + 1, n->to ? " to " : "", n->to ? n->to : "",
                   n->want_ok ? "delivered (send_chat RG_OK)"
                              : "not delivered: send_chat refused it");
    }
    for (size_t i = 0; i < n_medias; i++) {
        who *w = find_any(medias[i]);
        if (!w || !w->frames)
            fail("no media from %s", medias[i]);
        else if (H.gate_at >= 0 && !w->frames_after_gate)
            fail("media from %s stopped at the gate: dropped frames must not stop a shim",
                 medias[i]);
        else
            printf("ok: media from %s: %llu frames, %llu after the gate\n", medias[i],
                   (unsigned long long)w->frames, (unsigned long long)w->frames_after_gate);
    }
    if (H.leave_at >= 0) {
        if (!H.left)
            fail("the meeting ended before the session could leave at %lld ms",
                 (long long)H.leave_at);
        else {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            double s = (double)(now.tv_sec - H.finished_at.tv_sec) +
                       (double)(now.tv_nsec - H.finished_at.tv_nsec) / 1e9;
            printf("ok: stopped %.2f s after the session left\n", s);
        }
    }
    printf("%s: %llu ticks, %llu media calls, %d failed checks\n", platform,
           (unsigned long long)H.ticks, (unsigned long long)H.media_calls, H.fails);
    if (H.shim->destroy)
        H.shim->destroy(H.ctx);
    for (size_t i = 0; i < H.n_people; i++) {
        free(H.people[i].id);
        free(H.people[i].name);
    }
    return H.fails ? 1 : 0;
}
