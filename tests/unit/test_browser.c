/* The browser shim's adapter protocol (sdk-shims/browser/bproto.c): every
 * message from a page is untrusted and validated whole before use. */
#include <stdlib.h>
#include <string.h>
#include "browser/bproto.h"
#include "testutil.h"

static rg_err parse(const char *s, rg_bp_msg *m, char *why)
{
    return rg_bp_parse(s, strlen(s), m, why);
}

static void test_kinds(void)
{
    rg_bp_msg m;
    char why[RG_ERRBUF_SIZE];
    CU_ASSERT_EQUAL_FATAL(parse("{\"ev\":\"hello\",\"adapter\":\"x\",\"audio\":\"mixed\"}", &m, why), RG_OK);
    CU_ASSERT_EQUAL(m.kind, RG_BP_HELLO);
    CU_ASSERT_STRING_EQUAL(m.audio, "mixed");
    rg_bp_free(&m);
    CU_ASSERT_EQUAL_FATAL(parse("{\"ev\":\"participant\",\"id\":\"42\",\"name\":\"Anna B.\","
                                "\"role\":\"host\",\"present\":false}", &m, why), RG_OK);
    CU_ASSERT_EQUAL(m.kind, RG_BP_PARTICIPANT);
    CU_ASSERT_STRING_EQUAL(m.id, "42");
    CU_ASSERT_STRING_EQUAL(m.name, "Anna B.");
    CU_ASSERT_TRUE(m.host);
    CU_ASSERT_FALSE(m.present);
    rg_bp_free(&m);
    /* present defaults to true, role to guest */
    CU_ASSERT_EQUAL_FATAL(parse("{\"ev\":\"chatuser\",\"id\":\"u1\"}", &m, why), RG_OK);
    CU_ASSERT_TRUE(m.present);
    CU_ASSERT_FALSE(m.host);
    CU_ASSERT_PTR_NULL(m.name);
    rg_bp_free(&m);
    CU_ASSERT_EQUAL_FATAL(parse("{\"ev\":\"chat\",\"from\":\"u1\",\"text\":\"nej\\ntak\","
                                "\"private\":true}", &m, why), RG_OK);
    CU_ASSERT_STRING_EQUAL(m.text, "nej\ntak");
    CU_ASSERT_TRUE(m.is_private);
    rg_bp_free(&m);
    CU_ASSERT_EQUAL_FATAL(parse("{\"ev\":\"sent\",\"req\":7,\"ok\":true}", &m, why), RG_OK);
    CU_ASSERT_EQUAL(m.req, 7);
    CU_ASSERT_TRUE(m.ok);
    rg_bp_free(&m);
    CU_ASSERT_EQUAL_FATAL(parse("{\"ev\":\"track\",\"key\":\"pc2:0\",\"id\":null}", &m, why), RG_OK);
    CU_ASSERT_PTR_NULL(m.id);
    rg_bp_free(&m);
}

static void test_frames(void)
{
    rg_bp_msg m;
    char why[RG_ERRBUF_SIZE];
    /* "+AAB" = f8 00 01 (an Opus TOC byte for 20 ms CELT), "/A==" = fc */
    CU_ASSERT_EQUAL_FATAL(parse("{\"ev\":\"frames\",\"f\":[[\"k\",65535,3,\"+AAB\"],"
                                "[\"k\",0,0,\"/A==\"]]}", &m, why), RG_OK);
    CU_ASSERT_EQUAL_FATAL(m.n_frames, 2);
    CU_ASSERT_EQUAL(m.frames[0].seq, 65535);
    CU_ASSERT_EQUAL(m.frames[0].age_ms, 3);
    CU_ASSERT_EQUAL(m.frames[0].len, 3);
    CU_ASSERT_EQUAL(m.frames[0].data[0], 0xf8);
    CU_ASSERT_EQUAL(m.frames[0].data[2], 0x01);
    CU_ASSERT_EQUAL(m.frames[1].len, 1);
    CU_ASSERT_EQUAL(m.frames[1].data[0], 0xfc);
    CU_ASSERT_EQUAL(rg_bp_opus_ms(m.frames[0].data, m.frames[0].len, NULL), 20);
    rg_bp_free(&m);
    CU_ASSERT_EQUAL(parse("{\"ev\":\"frames\",\"f\":[]}", &m, why), RG_OK);
    CU_ASSERT_EQUAL(m.n_frames, 0);
    rg_bp_free(&m);
}

static void test_rejects(void)
{
    static const struct { const char *in, *why; } bad[] = {
        {"", "not a JSON object"},
        {"[1]", "not a JSON object"},
        {"{\"ev\":\"shell\"}", "unknown \"ev\""},
        {"{\"ev\":\"hello\"}", "\"adapter\" is missing"},
        {"{\"ev\":\"hello\",\"adapter\":\"x\",\"audio\":\"surround\"}", "\"audio\""},
        {"{\"ev\":\"participant\",\"id\":\"\"}", "\"id\": expected a string"},
        {"{\"ev\":\"participant\",\"id\":7}", "\"id\": expected a string"},
        {"{\"ev\":\"participant\",\"id\":\"a\\u0001b\"}", "control characters"},
        {"{\"ev\":\"participant\",\"id\":\"a\",\"role\":\"admin\"}", "\"role\""},
        {"{\"ev\":\"participant\",\"id\":\"a\",\"present\":1}", "\"present\""},
        {"{\"ev\":\"chat\",\"from\":\"a\"}", "\"text\" is missing"},
        {"{\"ev\":\"sent\",\"req\":-1,\"ok\":true}", "\"req\""},
        {"{\"ev\":\"sent\",\"req\":1.5}", "\"req\""},
        {"{\"ev\":\"frames\"}", "\"f\""},
        {"{\"ev\":\"frames\",\"f\":[[\"k\",65536,0,\"AAAA\"]]}", "\"f\"[0]"},
        {"{\"ev\":\"frames\",\"f\":[[\"k\",1,0,\"AAA\"]]}", "not base64"},
        {"{\"ev\":\"frames\",\"f\":[[\"k\",1,0,\"A=AA\"]]}", "not base64"},
        {"{\"ev\":\"frames\",\"f\":[[\"k\",1,0,\"\"]]}", "not base64"},
        {"{\"ev\":\"frames\",\"f\":[[\"k\",1,0]]}", "\"f\"[0]"},
        {"{\"ev\":\"frames\",\"f\":[[\"k\",1,0,\"AAAA\"],7]}", "\"f\"[1]"},
        {"{\"ev\":\"open\"}", "\"url\" is missing"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rg_bp_msg m;
        char why[RG_ERRBUF_SIZE];
        CU_ASSERT_EQUAL(parse(bad[i].in, &m, why), RG_ERR_PARSE);
        if (!strstr(why, bad[i].why))
            fprintf(stderr, "\n  input %s: got \"%s\", want \"%s\"\n", bad[i].in, why,
                    bad[i].why);
        CU_ASSERT_PTR_NOT_NULL(strstr(why, bad[i].why));
        CU_ASSERT_PTR_NULL(m.root);
        CU_ASSERT_PTR_NULL(m.frames);
    }
}

static void test_bounds(void)
{
    rg_bp_msg m;
    char why[RG_ERRBUF_SIZE];
    /* a frame larger than RG_BP_MAX_FRAME decoded */
    size_t n = (RG_BP_MAX_FRAME / 3 + 2) * 4;
    char *big = malloc(n + 64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    int k = sprintf(big, "{\"ev\":\"frames\",\"f\":[[\"k\",1,0,\"");
    memset(big + k, 'A', n);
    strcpy(big + k + n, "\"]]}");
    CU_ASSERT_EQUAL(parse(big, &m, why), RG_ERR_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "not base64 of 1..1500 bytes"));
    free(big);
    /* a payload over RG_BP_MAX_PAYLOAD is refused before parsing */
    CU_ASSERT_EQUAL(rg_bp_parse("{}", RG_BP_MAX_PAYLOAD + 1, &m, why), RG_ERR_PARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "larger than"));
    /* an over-long name */
    char name[RG_BP_MAX_NAME + 64];
    k = sprintf(name, "{\"ev\":\"participant\",\"id\":\"a\",\"name\":\"");
    memset(name + k, 'x', RG_BP_MAX_NAME + 1);
    strcpy(name + k + RG_BP_MAX_NAME + 1, "\"}");
    CU_ASSERT_EQUAL(parse(name, &m, why), RG_ERR_PARSE);
    /* Opus TOC: malformed packets have no duration */
    const uint8_t code3_zero[] = {0x03, 0x00};
    CU_ASSERT_EQUAL(rg_bp_opus_ms(code3_zero, 2, NULL), 0);
    CU_ASSERT_EQUAL(rg_bp_opus_ms(NULL, 0, NULL), 0);
    const uint8_t two20[] = {0xf9}; /* CELT 20 ms, code 1: two frames */
    CU_ASSERT_EQUAL(rg_bp_opus_ms(two20, 1, NULL), 40);
}

int main(void)
{
    static const rg_test tests[] = {
        {"every message kind parses", test_kinds},
        {"frame batches decode", test_frames},
        {"malformed messages are refused with the reason", test_rejects},
        {"sizes are bounded", test_bounds},
        {NULL, NULL},
    };
    return rg_test_run("browser", tests);
}
