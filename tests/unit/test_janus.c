/* Janus shim pieces that need no server: the Opus TOC parser (frame
 * durations given to the core), the shim's argument checks and clear
 * errors, and the policy's platforms.janus section. The shim against a
 * real Janus is tested in tests/e2e/janus_*.sh. */
#include <stdlib.h>
#include <string.h>
#include "janus/janus.h"
#include "janus/jint.h"
#include "janus/jnames.h"
#include "janus/jpeer.h"
#include "policy.h"
#include "recgate/recgate.h"
#include "testutil.h"

static void test_opus_toc(void)
{
    int st = -1;
    uint8_t p[3] = {0};
    p[0] = (uint8_t)(31 << 3);          /* CELT FB 20 ms, code 0 */
    CU_ASSERT_EQUAL(rg_opus_packet_ms(p, 1, &st), 20);
    CU_ASSERT_EQUAL(st, 0);
    p[0] = (uint8_t)((31 << 3) | 4 | 1); /* stereo, two frames */
    CU_ASSERT_EQUAL(rg_opus_packet_ms(p, 3, &st), 40);
    CU_ASSERT_EQUAL(st, 1);
    p[0] = (uint8_t)(1 << 3);           /* SILK NB 20 ms */
    CU_ASSERT_EQUAL(rg_opus_packet_ms(p, 2, NULL), 20);
    p[0] = (uint8_t)(3 << 3);           /* SILK 60 ms */
    CU_ASSERT_EQUAL(rg_opus_packet_ms(p, 2, NULL), 60);
    p[0] = (uint8_t)(16 << 3);          /* CELT 2.5 ms rounds to 3 */
    CU_ASSERT_EQUAL(rg_opus_packet_ms(p, 2, NULL), 3);
    p[0] = (uint8_t)((31 << 3) | 3);    /* code 3: count in byte 1 */
    p[1] = 3;
    CU_ASSERT_EQUAL(rg_opus_packet_ms(p, 2, NULL), 60);
    CU_ASSERT_EQUAL(rg_opus_packet_ms(p, 1, NULL), 0); /* count missing */
    p[1] = 0;
    CU_ASSERT_EQUAL(rg_opus_packet_ms(p, 2, NULL), 0); /* zero frames */
    p[1] = 63;
    CU_ASSERT_EQUAL(rg_opus_packet_ms(p, 2, NULL), 0); /* > 120 ms */
    CU_ASSERT_EQUAL(rg_opus_packet_ms(NULL, 0, NULL), 0);
}

static rg_err create(const char *url, const char *room, char *err)
{
    char set[512];
    snprintf(set, sizeof set, "{\"timeout_s\":2%s%s%s%s%s%s}",
             url ? ",\"url\":\"" : "", url ? url : "", url ? "\"" : "",
             room ? ",\"room\":\"" : "", room ? room : "", room ? "\"" : "");
    rg_shim_params p = {
        .api_version = RG_SHIM_API_VERSION,
        .struct_size = sizeof p,
        .settings_json = set,
        .settings_path = "platforms.janus",
    };
    void *shim = NULL;
    rg_shim_meeting m = {0};
    err[0] = '\0';
    rg_err e = rg_janus_shim.create(&p, &shim, &m, err);
    if (!e)
        rg_janus_shim.destroy(shim);
    return e;
}

static void test_create_errors(void)
{
    char err[RG_ERRBUF_SIZE];
    CU_ASSERT_EQUAL(create(NULL, "1", err), RG_ERR_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "--url"));
    CU_ASSERT_EQUAL(create("http://127.0.0.1:1/janus", NULL, err), RG_ERR_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "--room"));
    CU_ASSERT_EQUAL(create("http://127.0.0.1:1/janus", "a b", err), RG_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "platforms.janus.room: expected"));
    /* Port 1 on loopback: nothing listens, refused at once. */
    CU_ASSERT_EQUAL(create("http://127.0.0.1:1/janus", "1234", err), RG_ERR_NETWORK);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot reach Janus at http://127.0.0.1:1/janus"));
    /* Only http(s) is ever spoken. */
    CU_ASSERT_EQUAL(create("file:///etc/passwd", "1234", err), RG_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "platforms.janus.url: expected"));
}

static const char *base =
    "{\"controller\":{\"name\":\"C\",\"contact\":\"c\",\"dpo\":\"d\"},"
    "\"storage_location\":\"here\",\"default_meeting_type\":\"m\","
    "\"meeting_types\":{\"m\":{\"legal_basis\":\"opt_out\",\"window_s\":10,"
    "\"retention_days\":1,\"language\":\"da\",\"purpose\":\"p\"}}%s}";

static rg_err parse(const char *extra, rg_policy **out, char *err)
{
    char buf[2048];
    snprintf(buf, sizeof buf, base, extra);
    *out = NULL;
    err[0] = '\0';
    return rg_policy_parse(buf, strlen(buf), "t.json", out, err);
}

/* Settings are opaque to the policy: it keeps platforms.<name> as JSON
 * and checks only the shape and meeting_type; the shim checks the rest. */
static void test_policy_platforms(void)
{
    char err[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    CU_ASSERT_EQUAL(parse("", &p, err), RG_OK);
    CU_ASSERT_PTR_NULL(rg_policy_platform_settings(p, "janus"));
    rg_policy_free(p);
    CU_ASSERT_EQUAL(parse(",\"platforms\":{\"janus\":{\"url\":\"http://j:8088/janus\","
                          "\"room\":1234,\"hosts\":[\"leder\",\"42\"],"
                          "\"meeting_type\":\"m\",\"timeout_s\":7},"
                          "\"zoom\":{\"anything\":[1,2]}}", &p, err), RG_OK);
    const char *c = rg_policy_platform_settings(p, "janus");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(c, "\"room\":1234"));
    CU_ASSERT_STRING_EQUAL(rg_policy_platform_settings(p, "zoom"), "{\"anything\":[1,2]}");
    CU_ASSERT_PTR_NULL(rg_policy_platform_settings(p, "sim"));
    rg_policy_free(p);

    static const struct { const char *extra, *want; } bad[] = {
        {",\"platforms\":{\"Zoom!\":{}}", "platforms.Zoom!: expected a platform name"},
        {",\"platforms\":{\"janus\":1}", "platforms.janus: expected an object"},
        {",\"platforms\":{\"janus\":{\"meeting_type\":\"x\"}}", "platforms.janus.meeting_type: no meeting type"},
        {",\"platforms\":[]", "platforms: expected an object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_EQUAL(parse(bad[i].extra, &p, err), RG_ERR_CONFIG);
        CU_ASSERT_PTR_NULL(p);
        if (!strstr(err, bad[i].want))
            fprintf(stderr, "\n  %s -> %s\n", bad[i].extra, err);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].want));
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "t.json: "));
    }
}

/* The chat-user <-> video-participant rule (textroom.c, docs/janus.md). */
static void test_name_levels(void)
{
    CU_ASSERT_EQUAL(rg_jtr_name_level("anna", "anna"), 2);
    CU_ASSERT_EQUAL(rg_jtr_name_level("Anna", "  ANNA "), 2);
    CU_ASSERT_EQUAL(rg_jtr_name_level("AnnaB", "Anna B."), 2);
    CU_ASSERT_EQUAL(rg_jtr_name_level("anna", "Anna B."), 1);
    CU_ASSERT_EQUAL(rg_jtr_name_level("anna", "Anna Berg"), 1);
    CU_ASSERT_EQUAL(rg_jtr_name_level("Anna Berg", "anna b"), 1);
    CU_ASSERT_EQUAL(rg_jtr_name_level("Søren", "søren k."), 1);
    CU_ASSERT_EQUAL(rg_jtr_name_level("anna", "hanna"), 0);
    CU_ASSERT_EQUAL(rg_jtr_name_level("anna c", "Anna B."), 0);
    CU_ASSERT_EQUAL(rg_jtr_name_level("bob", "anna"), 0);
    CU_ASSERT_EQUAL(rg_jtr_name_level("...", "anna"), 0);
    CU_ASSERT_EQUAL(rg_jtr_name_level("anna", NULL), 0);
    CU_ASSERT_EQUAL(rg_jtr_name_level("anna", "\xff\xfe"), 0); /* not UTF-8 */
}

static jpart P(uint64_t id, const char *display)
{
    jpart p = {.id = id, .display = (char *)display, .present = true};
    snprintf(p.sid, sizeof p.sid, "%llu", (unsigned long long)id);
    return p;
}

/* Who is reached how: privately (one candidate), publicly (duplicates with
 * enough chat users), or not at all (no candidate / too few). */
static void test_reach(void)
{
    jpart parts[4] = {P(11, "anna"), P(12, "anna"), P(13, "bob"), P(14, "carl")};
    jtruser users[4] = {{"u1", "Anna B."}, {"u2", "anna"}, {"13", "Robert"},
                        {"u4", "someone"}};
    rg_janus j = {.parts = parts, .n_parts = 4, .users = users, .n_users = 4};
    const jtruser *u = NULL;
    /* two annas in the video: one exact chat "anna" at level 2 -> both
     * have the same single best candidate: the first to arrive is told in
     * the room, the second cannot be reached until a second chat anna */
    CU_ASSERT_EQUAL(rg_jtr_reach(&j, &parts[0], &u), RG_JREACH_PUBLIC);
    CU_ASSERT_PTR_NULL(u);
    CU_ASSERT_EQUAL(rg_jtr_reach(&j, &parts[1], &u), RG_JREACH_NONE);
    /* bob: the username is his publisher id */
    CU_ASSERT_EQUAL(rg_jtr_reach(&j, &parts[2], &u), RG_JREACH_PRIVATE);
    CU_ASSERT_PTR_EQUAL(u, &users[2]);
    CU_ASSERT_EQUAL(rg_jtr_reach(&j, &parts[3], &u), RG_JREACH_NONE);
    /* one anna left the video: the remaining one matches "anna" exactly */
    parts[1].present = false;
    CU_ASSERT_EQUAL(rg_jtr_reach(&j, &parts[0], &u), RG_JREACH_PRIVATE);
    CU_ASSERT_PTR_EQUAL(u, &users[1]);
    /* two chat "anna"s and two video annas: reached publicly */
    parts[1].present = true;
    users[0].display = "ANNA";
    CU_ASSERT_EQUAL(rg_jtr_reach(&j, &parts[0], &u), RG_JREACH_PUBLIC);
    CU_ASSERT_PTR_NULL(u);
    CU_ASSERT_EQUAL(rg_jtr_reach(&j, &parts[1], &u), RG_JREACH_PUBLIC);
    /* mismatched names: video "anna", chat "Anna B." only */
    j.n_users = 1;
    users[0].display = "Anna B.";
    parts[1].present = false;
    CU_ASSERT_EQUAL(rg_jtr_reach(&j, &parts[0], &u), RG_JREACH_PRIVATE);
    CU_ASSERT_PTR_EQUAL(u, &users[0]);
}

/* The Janus shim validates its settings, naming the path. */
static void test_janus_settings(void)
{
    static const struct { const char *set, *want; } bad[] = {
        {"{\"url\":\"http://x\",\"room\":1,\"port\":1}", "platforms.janus.port: unknown key"},
        {"{\"url\":\"ftp://x\",\"room\":1}", "platforms.janus.url: expected"},
        {"{\"url\":\"http://x\",\"room\":0}", "platforms.janus.room: expected"},
        {"{\"url\":\"http://x\",\"room\":1.5}", "platforms.janus.room: expected"},
        {"{\"url\":\"http://x\",\"room\":1,\"hosts\":[\"\"]}", "platforms.janus.hosts[0]: expected"},
        {"{\"url\":\"http://x\",\"room\":1,\"timeout_s\":0}", "platforms.janus.timeout_s: expected"},
        {"[]", "platforms.janus: expected an object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[RG_ERRBUF_SIZE] = "";
        rg_shim_params p = {.api_version = RG_SHIM_API_VERSION, .struct_size = sizeof p,
                            .settings_json = bad[i].set, .settings_path = "platforms.janus"};
        void *shim = NULL;
        rg_shim_meeting m = {0};
        CU_ASSERT_EQUAL(rg_janus_shim.create(&p, &shim, &m, err), RG_ERR_CONFIG);
        if (!strstr(err, bad[i].want))
            fprintf(stderr, "\n  %s -> %s\n", bad[i].set, err);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].want));
    }
}

int main(void)
{
    static const rg_test tests[] = {
        {"opus TOC durations", test_opus_toc},
        {"create: clear errors", test_create_errors},
        {"policy platforms: opaque", test_policy_platforms},
        {"janus settings: clear errors", test_janus_settings},
        {"chat name <-> video name levels", test_name_levels},
        {"who is reached privately, publicly or not", test_reach},
        {NULL, NULL},
    };
    return rg_test_run("janus", tests);
}
