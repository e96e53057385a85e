/* Shim registration (shim.h): append-safe versioned tables, mandatory
 * callbacks named when missing, optional ones defaulting safely, loading
 * from a shim directory with clear errors, and the public runner with an
 * injected sink. A tiny fake platform drives the session. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "recgate/recgate.h"
#include "testutil.h"

static const char *POLICY =
    "{\"controller\":{\"name\":\"C\",\"contact\":\"c@example.dk\",\"dpo\":\"d@example.dk\"},"
    "\"storage_location\":\"here\",\"default_meeting_type\":\"opt\","
    "\"meeting_types\":{"
    "\"opt\":{\"legal_basis\":\"opt_out\",\"window_s\":10,\"retention_days\":1,"
    "\"language\":\"da\",\"purpose\":\"p\"}},"
    "\"platforms\":{\"fake-full\":{\"guests\":1}}}";

/* ---- a fake platform: host + guests join at 0, frames every 20 ms ---- */
typedef struct fake {
    int guests;
    int chats, leaves, passed_before_gate, passed;
} fake;
static fake *last_fake;
static fake last_run; /* what the last instance saw, kept at destroy */
static int destroyed;

static rg_err fake_create(const rg_shim_params *p, void **out, rg_shim_meeting *m,
                          char *errbuf)
{
    if (!RG_SHIM_TABLE_OK(p, rg_shim_params))
        return RG_ERR_VERSION;
    fake *f = calloc(1, sizeof *f);
    if (!f)
        return RG_ERR_NOMEM;
    /* The settings are the policy's platforms.fake with the caller's on
     * top; this fake reads one key crudely. */
    const char *g = strstr(p->settings_json, "\"guests\":");
    f->guests = g ? atoi(g + 9) : 0;
    CU_ASSERT_EQUAL(strncmp(p->settings_path, "platforms.fake-", 15), 0);
    m->id = "fake-1";
    m->type = NULL;
    *out = last_fake = f;
    (void)errbuf;
    return RG_OK;
}

static rg_err fake_send(void *ctx, const char *to, const char *text)
{
    (void)to; (void)text;
    ((fake *)ctx)->chats++;
    return RG_OK;
}
static rg_err fake_leave(void *ctx, const char *why)
{
    (void)why;
    ((fake *)ctx)->leaves++;
    return RG_OK;
}
static const rg_host_ops FAKE_HOST = {.api_version = RG_SESSION_API_VERSION,
                                      .struct_size = sizeof(rg_host_ops),
                                      .send_chat = fake_send, .leave = fake_leave};

static const int16_t PCM[960];
static rg_err fake_run(void *shim, const rg_core_ops *core, rg_session *s, char *errbuf)
{
    fake *f = shim;
    (void)errbuf;
    if (!RG_SHIM_TABLE_OK(core, rg_core_ops))
        return RG_ERR_VERSION;
    static const char *ids[] = {"h", "g1", "g2", "g3"};
    core->joined(s, 0, "h", "Host", RG_ROLE_HOST);
    for (int i = 1; i <= f->guests && i < 4; i++)
        core->joined(s, 0, ids[i], ids[i], RG_ROLE_GUEST);
    rg_media_frame fr = {.kind = RG_MEDIA_PCM_S16LE, .rate = 48000, .channels = 1,
                         .duration_ms = 20, .data = (const uint8_t *)PCM, .len = sizeof PCM};
    int64_t t = 0;
    for (; t < 11000; t += 20) {
        core->tick(s, t);
        for (int i = 0; i <= f->guests && i < 4; i++) {
            bool ok = false;
            core->media(s, t, ids[i], &fr, &ok);
            if (t < 10000)
                f->passed_before_gate += ok;
            f->passed += ok;
        }
    }
    return core->end(s, t);
}

static void fake_destroy(void *shim)
{
    destroyed++;
    last_run = *(fake *)shim;
    free(shim);
}

static rg_shim_ops full_table(const char *name)
{
    rg_shim_ops t = {
        .api_version = RG_SHIM_API_VERSION,
        .struct_size = sizeof t,
        .name = name,
        .create = fake_create,
        .host = &FAKE_HOST,
        .run = fake_run,
        .destroy = fake_destroy,
        .description = "a fake",
    };
    return t;
}

/* ---- an injected sink that counts ---- */
static int sink_frames, sink_tracks, sink_destroyed;
static rg_err sk_start(void *c, const char *p, int64_t t, void **tr)
{
    (void)c; (void)p; (void)t;
    sink_tracks++;
    *tr = (void *)1;
    return RG_OK;
}
static rg_err sk_frame(void *c, void *tr, int64_t t, const rg_media_frame *f)
{
    (void)c; (void)tr; (void)t; (void)f;
    sink_frames++;
    return RG_OK;
}
static rg_err sk_stop(void *c, void *tr, int64_t t) { (void)c; (void)tr; (void)t; return RG_OK; }
static rg_err sk_describe(void *c, char **json)
{
    (void)c;
    *json = strdup("{\"sink\":\"counting\"}");
    return *json ? RG_OK : RG_ERR_NOMEM;
}
static void sk_destroy(void *c) { (void)c; sink_destroyed++; }
static const rg_sink_ops SINK = {.api_version = RG_SINK_API_VERSION,
                                 .struct_size = sizeof(rg_sink_ops),
                                 .track_start = sk_start, .frame = sk_frame,
                                 .track_stop = sk_stop, .describe = sk_describe,
                                 .destroy = sk_destroy};

static rg_policy *policy;

/* Run one meeting with a registered shim and the counting sink. */
static rg_err run(const rg_shim_ops *shim, const char *settings, char **summary, char *err)
{
    sink_frames = sink_tracks = 0;
    rg_run_params rp = {.api_version = RG_RUN_API_VERSION, .struct_size = sizeof rp,
                        .policy = policy, .shim = shim, .settings_json = settings,
                        .sink = &SINK, .sink_ctx = NULL};
    *summary = NULL;
    err[0] = '\0';
    return rg_run_meeting(&rp, summary, err);
}

static void test_full_table_runs(void)
{
    char err[RG_ERRBUF_SIZE] = "";
    rg_shim_ops t = full_table("fake-full");
    CU_ASSERT_EQUAL_FATAL(rg_shim_register(&t, sizeof t, err), RG_OK);
    const rg_shim_ops *reg = rg_shim_find("fake-full");
    CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
    CU_ASSERT_PTR_NOT_EQUAL(reg, &t); /* the core keeps its own copy */
    CU_ASSERT_STRING_EQUAL(reg->description, "a fake");
    char *summary = NULL;
    int d0 = destroyed, s0 = sink_destroyed;
    CU_ASSERT_EQUAL(run(reg, NULL, &summary, err), RG_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(summary);
    CU_ASSERT_PTR_NOT_NULL(strstr(summary, "\"decision\":\"recorded\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(summary, "\"sink\":\"counting\""));
    /* Zero capture before the gate; after it, every frame reaches the
     * injected sink (host + one guest from platforms.fake-full, 50 frames/s). */
    CU_ASSERT_EQUAL(last_run.passed_before_gate, 0);
    CU_ASSERT_EQUAL(last_run.passed, 2 * 50);
    CU_ASSERT(last_run.chats >= 1); /* the announcement */
    CU_ASSERT_EQUAL(sink_frames, 2 * 50);
    CU_ASSERT_EQUAL(sink_tracks, 2);
    CU_ASSERT_EQUAL(destroyed, d0 + 1);
    CU_ASSERT_EQUAL(sink_destroyed, s0 + 1);
    free(summary);
    /* The caller's settings replace the policy's keys. */
    CU_ASSERT_EQUAL(run(reg, "{\"guests\":3}", &summary, err), RG_OK);
    CU_ASSERT_EQUAL(sink_frames, 4 * 50);
    free(summary);
    CU_ASSERT_EQUAL(run(reg, "[1]", &summary, err), RG_ERR_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a JSON object"));
    CU_ASSERT_PTR_NULL(summary);
}

/* A full-size table with destroy = NULL: optional, so it runs (the old
 * runner called it unconditionally and crashed). */
static void test_destroy_null_runs(void)
{
    char err[RG_ERRBUF_SIZE] = "";
    rg_shim_ops t = full_table("fake-nodestroy");
    t.destroy = NULL;
    CU_ASSERT_EQUAL_FATAL(rg_shim_register(&t, sizeof t, err), RG_OK);
    char *summary = NULL;
    CU_ASSERT_EQUAL(run(rg_shim_find("fake-nodestroy"), NULL, &summary, err), RG_OK);
    CU_ASSERT_PTR_NOT_NULL(summary);
    free(summary);
    free(last_fake); /* nobody else will */
}

/* A table from an older build: only the fields of the version's first
 * layout, in a buffer of exactly that size (ASan catches any read past it).
 * Fields appended since read as NULL. */
static void test_older_table(void)
{
    char err[RG_ERRBUF_SIZE] = "";
    size_t old = RG_SHIM_MIN_SIZE_rg_shim_ops;
    CU_ASSERT_FATAL(old < sizeof(rg_shim_ops)); /* description was appended */
    rg_shim_ops full = full_table("fake-old");
    full.struct_size = (uint32_t)old;
    rg_shim_ops *t = malloc(old);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    memcpy(t, &full, old);
    CU_ASSERT_EQUAL(rg_shim_register(t, old, err), RG_OK);
    free(t);
    const rg_shim_ops *reg = rg_shim_find("fake-old");
    CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
    CU_ASSERT_PTR_NULL(reg->description);
    CU_ASSERT_EQUAL(reg->struct_size, sizeof(rg_shim_ops));
    char *summary = NULL;
    CU_ASSERT_EQUAL(run(reg, NULL, &summary, err), RG_OK);
    CU_ASSERT_PTR_NOT_NULL(summary);
    free(summary);
    /* Readers test appended fields before use. */
    CU_ASSERT_FALSE(RG_SHIM_HAS(&full, rg_shim_ops, description));
    CU_ASSERT_TRUE(RG_SHIM_TABLE_OK(&full, rg_shim_ops));
}

/* Each mandatory callback missing: refused, the message names it. */
static void test_missing_mandatory(void)
{
    static const char *const names[] = {"name", "create", "run", "host",
                                        "host.send_chat", "host.leave"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char err[RG_ERRBUF_SIZE] = "", want[64];
        rg_shim_ops t = full_table("fake-missing");
        rg_host_ops h = FAKE_HOST;
        t.host = &h;
        switch (i) {
        case 0: t.name = NULL; break;
        case 1: t.create = NULL; break;
        case 2: t.run = NULL; break;
        case 3: t.host = NULL; break;
        case 4: h.send_chat = NULL; break;
        case 5: h.leave = NULL; break;
        }
        CU_ASSERT_EQUAL(rg_shim_register(&t, sizeof t, err), RG_ERR_ARG);
        snprintf(want, sizeof want, "missing mandatory callback %s", names[i]);
        if (!strstr(err, want))
            fprintf(stderr, "\n  %s -> %s\n", names[i], err);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
    }
    CU_ASSERT_PTR_NULL(rg_shim_find("fake-missing"));
}

static void test_refused_tables(void)
{
    char err[RG_ERRBUF_SIZE] = "";
    rg_shim_ops t = full_table("fake-refused");
    t.api_version = RG_SHIM_API_VERSION + 1;
    CU_ASSERT_EQUAL(rg_shim_register(&t, sizeof t, err), RG_ERR_VERSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "version"));
    t = full_table("fake-refused");
    CU_ASSERT_EQUAL(rg_shim_register(&t, 16, err), RG_ERR_VERSION); /* too small */
    CU_ASSERT_EQUAL(rg_shim_register(&t, sizeof t - 8, err), RG_ERR_VERSION); /* sizes differ */
    t.name = "Bad Name";
    CU_ASSERT_EQUAL(rg_shim_register(&t, sizeof t, err), RG_ERR_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "name must be"));
    t = full_table("sim");
    CU_ASSERT_EQUAL(rg_shim_register(&t, sizeof t, err), RG_ERR_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "registered already"));
    rg_host_ops h = FAKE_HOST;
    h.api_version = 99;
    t = full_table("fake-refused");
    t.host = &h;
    CU_ASSERT_EQUAL(rg_shim_register(&t, sizeof t, err), RG_ERR_VERSION);
    CU_ASSERT_PTR_NULL(rg_shim_find("fake-refused"));
    CU_ASSERT_EQUAL(rg_shim_register(NULL, 0, err), RG_ERR_ARG);
    /* The runner takes registered tables only. */
    char *summary = NULL;
    t = full_table("fake-unregistered");
    CU_ASSERT_EQUAL(run(&t, NULL, &summary, err), RG_ERR_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not registered"));
}

/* rg_shim_open: built in first, then DIR/NAME.so; a failure lists what is
 * available and says why the candidate was rejected. */
static void test_open_errors(void)
{
    char dir[] = "/tmp/rg-shimdir-XXXXXX", path[128], err[RG_ERRBUF_SIZE] = "";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    const rg_shim_ops *ops = NULL;
    CU_ASSERT_EQUAL(rg_shim_open("sim", dir, &ops, err), RG_OK);
    CU_ASSERT_PTR_EQUAL(ops, rg_shim_find("sim"));
    CU_ASSERT_EQUAL(rg_shim_open("zoom", dir, &ops, err), RG_ERR_NOT_FOUND);
    CU_ASSERT_PTR_NULL(ops);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown platform 'zoom'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "available: sim"));
    snprintf(path, sizeof path, "%s/junk.so", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("not an ELF file\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(rg_shim_open("junk", dir, &ops, err), RG_ERR_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "junk.so"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "available: sim"));
    CU_ASSERT_EQUAL(rg_shim_open("../etc", dir, &ops, err), RG_ERR_ARG);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    char err[RG_ERRBUF_SIZE] = "";
    if (rg_policy_parse(POLICY, strlen(POLICY), "policy", &policy, err)) {
        fprintf(stderr, "policy: %s\n", err);
        return 1;
    }
    static const rg_test tests[] = {
        {"full table runs with an injected sink", test_full_table_runs},
        {"destroy = NULL runs", test_destroy_null_runs},
        {"older, smaller table works", test_older_table},
        {"missing mandatory callbacks named", test_missing_mandatory},
        {"bad tables refused", test_refused_tables},
        {"open: clear errors", test_open_errors},
        {NULL, NULL},
    };
    int rc = rg_test_run("shim", tests);
    rg_policy_free(policy);
    return rc;
}
