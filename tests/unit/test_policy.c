/* Policy loader: the shipped config, a table of bad configs with their
 * exact messages, defaults, product rules, lookups and file errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "policy.h"
#include "testutil.h"

#define SHIPPED "config/recgate.json"

#define CTL "\"controller\":{\"name\":\"K\",\"contact\":\"c@k.dk\",\"dpo\":\"d@k.dk\"}"
#define TOP CTL ",\"storage_location\":\"EU\",\"default_meeting_type\":\"m\""
#define T_OK "\"legal_basis\":\"opt_out\",\"window_s\":60,\"retention_days\":90," \
             "\"language\":\"da\",\"purpose\":\"p\""
#define T_DOC "\"legal_basis\":\"documentation\",\"window_s\":30," \
              "\"retention_days\":90,\"language\":\"en\",\"purpose\":\"p\""
/* A whole config with one meeting type "m" whose body is `body`. */
#define ONE(body) "{" TOP ",\"meeting_types\":{\"m\":{" body "}}}"
/* A whole valid config plus extra top-level members. */
#define PLUS(extra) "{" TOP ",\"meeting_types\":{\"m\":{" T_OK "}}," extra "}"

static rg_err parse(const char *json, rg_policy **p, char *eb)
{
    return rg_policy_parse(json, strlen(json), "t.json", p, eb);
}

typedef struct bad_case {
    const char *json;
    const char *want; /* substring of errbuf; exact if it starts "t.json: " */
} bad_case;

static const bad_case bad[] = {
    {"", "t.json: empty file (expected a JSON object)"},
    {"  \n\t ", "t.json: empty file (expected a JSON object)"},
    {"[1]", "t.json: expected a JSON object at top level, got [1]"},
    {"\"str\"", "t.json: expected a JSON object at top level, got \"str\""},
    {"{", "t.json: line 1, column 1: invalid JSON"},
    {"{\n\"a\":}", "t.json: line 2, column 5: invalid JSON"},
    {"{\"a\":1,}", "t.json: line 1, column 8: invalid JSON"},
    {"{} x", "t.json: line 1, column 4: invalid JSON (text after the end)"},
    {"{\"a\":\"\\ud800\"}", "invalid JSON"},
    {"{\"controler\":1}", "t.json: controler: unknown key (expected one of "
     "controller, storage_location, default_meeting_type, meeting_types, "
     "classifier, vault, audit, upload, platforms, leave_when_alone_s, "
     "privacy_notice_url)"},
    {"{}", "t.json: controller: expected an object, got nothing"},
    {"{\"controller\":[]}", "t.json: controller: expected an object, got []"},
    {"{\"controller\":{\"name\":\"K\",\"contact\":\"c\"}}",
     "t.json: controller.dpo: expected non-empty text, got nothing"},
    {"{\"controller\":{\"name\":\"\"}}",
     "t.json: controller.name: expected non-empty text, got \"\""},
    {"{\"controller\":{\"name\":\"   \"}}",
     "controller.name: expected non-empty text, got \"   \""},
    {"{\"controller\":{\"name\":5}}",
     "controller.name: expected non-empty text, got 5"},
    {"{\"controller\":{\"name\":\"K\",\"email\":\"x\"}}",
     "t.json: controller.email: unknown key (expected one of name, contact, "
     "dpo)"},
    {"{\"controller\":{\"name\":\"K\",\"name\":\"L\"}}",
     "t.json: controller.name: duplicate key"},
    {"{" TOP ",\"storage_location\":\"X\"}",
     "t.json: storage_location: duplicate key"},
    {"{" CTL "}", "t.json: storage_location: expected non-empty text, got "
     "nothing"},
    {"{" TOP ",\"meeting_types\":{}}",
     "t.json: meeting_types: expected a non-empty object of meeting types, "
     "got {}"},
    {"{" TOP ",\"meeting_types\":[]}", "meeting_types: expected a non-empty "
     "object of meeting types, got []"},
    {"{" TOP ",\"meeting_types\":{\"Case\":{" T_OK "}}}",
     "t.json: meeting_types: expected meeting type name of 1..64 characters "
     "a-z 0-9 - _, got \"Case\""},
    {"{" TOP ",\"meeting_types\":{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaa\":{" T_OK "}}}",
     "meeting_types: expected meeting type name of 1..64 characters"},
    {"{" TOP ",\"meeting_types\":{\"\":{" T_OK "}}}",
     "meeting_types: expected meeting type name of 1..64 characters a-z 0-9 "
     "- _, got \"\""},
    {"{" TOP ",\"meeting_types\":{\"m\":{" T_OK "},\"m\":{" T_OK "}}}",
     "t.json: meeting_types.m: duplicate key"},
    {"{" TOP ",\"meeting_types\":{\"m\":3}}",
     "t.json: meeting_types.m: expected an object, got 3"},
    {ONE("\"legal_basis\":\"opt_out\",\"window_s\":\"abc\""),
     "t.json: meeting_types.m.window_s: expected seconds >= 10, got \"abc\""},
    {ONE("\"legal_basis\":\"opt_out\",\"window_s\":9"),
     "t.json: meeting_types.m.window_s: expected seconds >= 10, got 9"},
    {ONE("\"legal_basis\":\"opt_out\",\"window_s\":3601"),
     "t.json: meeting_types.m.window_s: expected seconds <= 3600, got 3601"},
    {ONE("\"legal_basis\":\"opt_out\",\"window_s\":60.5"),
     "t.json: meeting_types.m.window_s: expected whole seconds (10..3600), "
     "got 60.5"},
    {ONE("\"legal_basis\":\"opt_out\",\"window_s\":1e999"),
     "window_s: expected seconds <= 3600, got an out-of-range number"},
    {ONE("\"legal_basis\":\"opt_out\""),
     "t.json: meeting_types.m.window_s: expected seconds >= 10, got nothing"},
    {ONE("\"legal_basis\":\"opt_out\",\"window_s\":60,\"retention_days\":0"),
     "t.json: meeting_types.m.retention_days: expected days >= 1, got 0"},
    {ONE("\"legal_basis\":\"opt_out\",\"window_s\":60,"
         "\"retention_days\":3651"),
     "meeting_types.m.retention_days: expected days <= 3650, got 3651"},
    {ONE("\"legal_basis\":\"optout\""),
     "t.json: meeting_types.m.legal_basis: expected one of "
     "\"documentation\", \"consent\", \"opt_out\", got \"optout\""},
    {ONE("\"window_s\":60"), "meeting_types.m.legal_basis: expected one of "
     "\"documentation\", \"consent\", \"opt_out\", got nothing"},
    {ONE("\"legal_basis\":\"opt_out\",\"window_s\":60,\"retention_days\":9,"
         "\"language\":\"de\""),
     "t.json: meeting_types.m.language: expected one of \"da\", \"en\", got "
     "\"de\""},
    {ONE("\"legal_basis\":\"opt_out\",\"window_s\":60,\"retention_days\":9,"
         "\"language\":\"da\""),
     "t.json: meeting_types.m.purpose: expected non-empty text, got nothing"},
    {ONE(T_OK ",\"require_host\":\"yes\""),
     "t.json: meeting_types.m.require_host: expected true or false, got "
     "\"yes\""},
    {ONE(T_OK ",\"video\":1"),
     "meeting_types.m.video: expected true or false, got 1"},
    {ONE(T_OK ",\"on_withdrawal\":\"delete\""),
     "t.json: meeting_types.m.on_withdrawal: expected one of "
     "\"delete_recording\", \"remove_participant\", got \"delete\""},
    {ONE(T_OK ",\"storage_location\":\"\""),
     "meeting_types.m.storage_location: expected non-empty text, got \"\""},
    {ONE(T_OK ",\"continue_on_objection\":true,\"justification\":\"j\""),
     "t.json: meeting_types.m.continue_on_objection: expected false unless "
     "legal_basis is \"documentation\", got true"},
    {ONE(T_DOC ",\"continue_on_objection\":true"),
     "t.json: meeting_types.m.justification: expected non-empty text when "
     "continue_on_objection is true, got nothing"},
    {ONE(T_DOC ",\"continue_on_objection\":true,\"justification\":\" \""),
     "meeting_types.m.justification: expected non-empty text, got \" \""},
    {ONE(T_DOC ",\"justification\":7"),
     "meeting_types.m.justification: expected non-empty text, got 7"},
    {ONE(T_OK ",\"windw_s\":60"),
     "t.json: meeting_types.m.windw_s: unknown key (expected one of "
     "legal_basis, window_s, retention_days, language, purpose, "
     "storage_location, require_host, continue_on_objection, justification, "
     "on_withdrawal, video, gdpr_basis, max_duration_s)"},
    {ONE(T_OK ",\"max_duration_s\":59"),
     "t.json: meeting_types.m.max_duration_s: expected seconds >= 60, got 59"},
    {PLUS("\"leave_when_alone_s\":0"),
     "t.json: leave_when_alone_s: expected seconds >= 1, got 0"},
    {ONE("\"legal_basis\":\"opt_out\",\"window_s\":60,\"retention_days\":9,"
         "\"language\":\"da\",\"purpose\":{\"da\":\"x\"}"),
     "meeting_types.m.purpose.en: missing translation (a notice never mixes"},
    {ONE("\"legal_basis\":\"opt_out\",\"window_s\":60,\"retention_days\":9,"
         "\"language\":\"da\",\"purpose\":{\"da\":\"x\",\"en\":\"y\",\"de\":\"z\"}"),
     "t.json: meeting_types.m.purpose.de: unknown key (expected one of da, en)"},
    {ONE("\"legal_basis\":\"opt_out\",\"window_s\":60,\"retention_days\":9,"
         "\"language\":\"da\",\"purpose\":{\"da\":\"x\",\"en\":\"\"}"),
     "t.json: meeting_types.m.purpose.en: expected non-empty text, got \"\""},
    {PLUS("\"storage_location\":{\"en\":\"x\"}"), "duplicate key"},
    {ONE(T_OK ",\"window_s\":61"),
     "t.json: meeting_types.m.window_s: duplicate key"},
    {"{" CTL ",\"storage_location\":\"EU\",\"default_meeting_type\":\"nope\","
     "\"meeting_types\":{\"m\":{" T_OK "}}}",
     "t.json: default_meeting_type: expected the name of a meeting type (m), "
     "got \"nope\""},
    {"{" CTL ",\"storage_location\":\"EU\",\"meeting_types\":{\"m\":{" T_OK
     "}}}", "t.json: default_meeting_type: expected the name of a meeting "
     "type (m), got nothing"},
    {PLUS("\"classifier\":[]"), "t.json: classifier: expected an object, got []"},
    {PLUS("\"classifier\":{\"de\":{}}"),
     "t.json: classifier.de: unknown key (expected one of da, en)"},
    {PLUS("\"classifier\":{\"da\":{\"objections\":[]}}"),
     "classifier.da.objections: unknown key (expected one of objection, "
     "consent)"},
    {PLUS("\"classifier\":{\"da\":{\"objection\":\"nej\"}}"),
     "t.json: classifier.da.objection: expected a list of at most 1000 words, "
     "got \"nej\""},
    {PLUS("\"classifier\":{\"da\":{\"objection\":[\"ok\",\"\"]}}"),
     "t.json: classifier.da.objection[1]: expected non-empty text, got \"\""},
    {PLUS("\"classifier\":{\"en\":{\"consent\":[1]}}"),
     "classifier.en.consent[0]: expected non-empty text, got 1"},
    {PLUS("\"vault\":{\"recipients\":[\"AGE1QQQ\"]}"),
     "t.json: vault.recipients[0]: expected an age recipient \"age1...\" "
     "(lowercase bech32), got \"AGE1QQQ\""},
    {PLUS("\"vault\":{\"recipients\":[\"age1bio\"]}"),
     "vault.recipients[0]: expected an age recipient"},
    {PLUS("\"vault\":{\"recipients\":[\"age1\"]}"),
     "vault.recipients[0]: expected an age recipient"},
    {PLUS("\"vault\":{\"recipients\":\"age1qqq\"}"),
     "vault.recipients: expected a list of at most 64 age recipients"},
    {PLUS("\"vault\":{\"segment_s\":0}"),
     "t.json: vault.segment_s: expected seconds >= 1, got 0"},
    {PLUS("\"vault\":{\"segment_s\":301}"),
     "t.json: vault.segment_s: expected seconds <= 300, got 301"},
    {PLUS("\"vault\":{\"key\":1}"),
     "t.json: vault.key: unknown key (expected one of recipients, segment_s)"},
    {"{\"controller\":{\"name\":\"K\xff\"}}",
     "t.json: line 1, column 25: invalid UTF-8"},
    {"{\"controller\":{\"name\":\"K\xc3\x28\"}}", "invalid UTF-8"},
    {"{\"controller\":{\"name\":\"\xed\xa0\x80\"}}", "invalid UTF-8"},
    {"{\"controller\":{\"name\":\"K\\u0000L\"}}",
     "t.json: line 1, column 25: \\u0000 (NUL character) is not allowed in "
     "text"},
    {ONE(T_OK ",\"storage_location\":\"a\tb\""),
     "meeting_types.m.storage_location: expected text without control "
     "characters"},
    {"{\"controller\":{\"name\":\"a\\nb\"}}",
     "t.json: controller.name: expected text without control characters, "
     "got \"a\\nb\""},
    {"{\"co ntrol\\\"ler\":1}",
     "\"co ntrol\\\"ler\": unknown key (expected one of controller"},
};

static void test_bad_table(void)
{
    size_t n = sizeof bad / sizeof bad[0];
    CU_ASSERT(n >= 30);
    for (size_t i = 0; i < n; i++) {
        char eb[RG_ERRBUF_SIZE] = "";
        rg_policy *p = (rg_policy *)0x1;
        rg_err e = parse(bad[i].json, &p, eb);
        bool exact = strncmp(bad[i].want, "t.json: ", 8) == 0;
        bool ok = e == RG_ERR_CONFIG && p == NULL &&
                  (exact ? strcmp(eb, bad[i].want) == 0
                         : strstr(eb, bad[i].want) != NULL);
        if (!ok)
            fprintf(stderr, "\ncase %zu: rc %d\n  got:  %s\n  want: %s\n", i,
                    e, eb, bad[i].want);
        CU_ASSERT(ok);
        if (e == RG_OK && p != (rg_policy *)0x1)
            rg_policy_free(p);
    }
}

static void test_value_truncated(void)
{
    char json[6000];
    char big[5001];
    memset(big, 'x', 5000);
    big[5000] = '\0';
    snprintf(json, sizeof json, ONE(T_OK ",\"storage_location\":\"%s\""), big);
    char eb[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    CU_ASSERT_EQUAL(parse(json, &p, eb), RG_ERR_CONFIG);
    const char *got = strstr(eb, "expected text of at most 4000 bytes, got \"");
    CU_ASSERT_PTR_NOT_NULL(got);
    if (got) {
        got = strstr(got, "got ") + 4;
        CU_ASSERT(strlen(got) <= 45);
        CU_ASSERT(strstr(got, "...") != NULL);
    }
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    return buf;
}

static void test_shipped(void)
{
    char eb[RG_ERRBUF_SIZE] = "";
    rg_policy *p = NULL;
    rg_err e = rg_policy_load(SHIPPED, &p, eb);
    if (e)
        fprintf(stderr, "\n%s\n", eb);
    CU_ASSERT_EQUAL_FATAL(e, RG_OK);
    CU_ASSERT_STRING_EQUAL(p->origin, SHIPPED);
    CU_ASSERT_STRING_EQUAL(p->controller_name, "Eksempel Kommune");
    CU_ASSERT_STRING_EQUAL(p->controller_dpo, "dpo@eksempel-kommune.dk");
    CU_ASSERT_PTR_NOT_NULL(strstr(p->storage_location, "Danmark"));
    CU_ASSERT_STRING_EQUAL(rg_policy_default_type(p), "case-meeting");
    CU_ASSERT_EQUAL(p->n_types, 3);
    struct { const char *name; rg_basis b; int w, r; rg_on_withdrawal ow; }
    want[] = {
        {"case-meeting", RG_BASIS_OPT_OUT, 60, 90, RG_WITHDRAW_DELETE_RECORDING},
        {"hr-interview", RG_BASIS_CONSENT, 120, 60, RG_WITHDRAW_DELETE_RECORDING},
        {"board-meeting", RG_BASIS_DOCUMENTATION, 30, 365,
         RG_WITHDRAW_REMOVE_PARTICIPANT},
    };
    for (size_t i = 0; i < 3; i++) {
        const rg_meeting_type *t = rg_policy_type(p, want[i].name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        CU_ASSERT_PTR_EQUAL(t, &p->types[i]); /* file order */
        CU_ASSERT_EQUAL(t->basis, want[i].b);
        CU_ASSERT_EQUAL(t->window_s, want[i].w);
        CU_ASSERT_EQUAL(t->retention_days, want[i].r);
        CU_ASSERT_EQUAL(t->on_withdrawal, want[i].ow);
        CU_ASSERT_EQUAL(t->language, RG_LANG_DA);
        CU_ASSERT(t->require_host);
        CU_ASSERT(!t->continue_on_objection);
        CU_ASSERT_PTR_NULL(t->justification);
        CU_ASSERT(!t->video);
        CU_ASSERT(strlen(t->purpose) > 20);
        CU_ASSERT_STRING_EQUAL(t->storage_location, p->storage_location);
    }
    CU_ASSERT_EQUAL(p->n_vault_recipients, 0);
    CU_ASSERT_EQUAL(p->segment_s, 5);
    for (int l = 0; l < RG_LANG__COUNT; l++)
        CU_ASSERT(p->extra_objection[l].n == 0 && p->extra_consent[l].n == 0);

    /* sha256 is of the exact file bytes: compare with sha256sum(1). */
    char hex[65] = "", line[200] = "";
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", p->sha256[i]);
    FILE *f = popen("sha256sum " SHIPPED, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
    pclose(f);
    CU_ASSERT(strncmp(line, hex, 64) == 0);

    /* parse from memory gives the same policy and hash */
    size_t len = 0;
    char *buf = slurp(SHIPPED, &len);
    rg_policy *q = NULL;
    CU_ASSERT_EQUAL(rg_policy_parse(buf, len, "mem", &q, eb), RG_OK);
    if (q) {
        CU_ASSERT(memcmp(p->sha256, q->sha256, 32) == 0);
        CU_ASSERT_STRING_EQUAL(q->origin, "mem");
    }
    rg_policy_free(q);
    free(buf);
    rg_policy_free(p);
}

static void test_defaults(void)
{
    char eb[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    CU_ASSERT_EQUAL_FATAL(parse(ONE(T_OK), &p, eb), RG_OK);
    const rg_meeting_type *t = rg_policy_type(p, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(t->name, "m");
    CU_ASSERT(t->require_host);
    CU_ASSERT(!t->continue_on_objection);
    CU_ASSERT(!t->video);
    CU_ASSERT_PTR_NULL(t->justification);
    CU_ASSERT_EQUAL(t->on_withdrawal, RG_WITHDRAW_DELETE_RECORDING);
    CU_ASSERT_STRING_EQUAL(t->storage_location, "EU");
    CU_ASSERT_EQUAL(p->segment_s, 5);
    CU_ASSERT_EQUAL(p->n_vault_recipients, 0);
    rg_policy_free(p);
}

static void test_overrides(void)
{
    const char *json =
        "{" TOP ",\"meeting_types\":{\"m\":{" T_OK ",\"storage_location\":"
        "\"Aarhus, Danmark\",\"require_host\":false,\"video\":true,"
        "\"on_withdrawal\":\"remove_participant\"},\"x_2\":{" T_DOC "}},"
        "\"classifier\":{\"da\":{\"objection\":[\"nix\",\"æv\"]},"
        "\"en\":{\"consent\":[\"sure\"]}},"
        "\"vault\":{\"recipients\":[\"age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw"
        "8zmrj2kg5sfn9aqmcac8p\"],\"segment_s\":300}}";
    char eb[RG_ERRBUF_SIZE] = "";
    rg_policy *p = NULL;
    rg_err e = parse(json, &p, eb);
    if (e)
        fprintf(stderr, "\n%s\n", eb);
    CU_ASSERT_EQUAL_FATAL(e, RG_OK);
    const rg_meeting_type *t = rg_policy_type(p, "m");
    CU_ASSERT_STRING_EQUAL(t->storage_location, "Aarhus, Danmark");
    CU_ASSERT(!t->require_host);
    CU_ASSERT(t->video);
    CU_ASSERT_EQUAL(t->on_withdrawal, RG_WITHDRAW_REMOVE_PARTICIPANT);
    const rg_meeting_type *d = rg_policy_type(p, "x_2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(d->basis, RG_BASIS_DOCUMENTATION);
    CU_ASSERT_EQUAL(d->language, RG_LANG_EN);
    CU_ASSERT_STRING_EQUAL(d->storage_location, "EU");
    CU_ASSERT_EQUAL(p->extra_objection[RG_LANG_DA].n, 2);
    CU_ASSERT_STRING_EQUAL(p->extra_objection[RG_LANG_DA].words[1], "æv");
    CU_ASSERT_EQUAL(p->extra_consent[RG_LANG_EN].n, 1);
    CU_ASSERT_EQUAL(p->extra_consent[RG_LANG_DA].n, 0);
    CU_ASSERT_EQUAL(p->n_vault_recipients, 1);
    CU_ASSERT_EQUAL(p->segment_s, 300);
    rg_policy_free(p);
}

static void test_continue_on_objection(void)
{
    char eb[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    CU_ASSERT_EQUAL_FATAL(parse(ONE(T_DOC ",\"continue_on_objection\":true,"
                                    "\"justification\":\"Lovkrav\""),
                                &p, eb), RG_OK);
    const rg_meeting_type *t = rg_policy_type(p, "m");
    CU_ASSERT(t->continue_on_objection);
    CU_ASSERT_STRING_EQUAL(t->justification, "Lovkrav");
    rg_policy_free(p);
    /* a justification without the flag is validated but not in force */
    p = NULL;
    CU_ASSERT_EQUAL_FATAL(parse(ONE(T_DOC ",\"justification\":\"draft\""), &p,
                                eb), RG_OK);
    t = rg_policy_type(p, "m");
    CU_ASSERT(!t->continue_on_objection);
    CU_ASSERT_PTR_NULL(t->justification);
    rg_policy_free(p);
    /* false is always fine, for every basis */
    p = NULL;
    CU_ASSERT_EQUAL(parse(ONE(T_OK ",\"continue_on_objection\":false"), &p,
                          eb), RG_OK);
    rg_policy_free(p);
    /* consent may never continue */
    p = NULL;
    CU_ASSERT_EQUAL(parse(ONE("\"legal_basis\":\"consent\",\"window_s\":60,"
                              "\"retention_days\":9,\"language\":\"da\","
                              "\"purpose\":\"p\",\"continue_on_objection\":"
                              "true,\"justification\":\"j\""), &p, eb),
                    RG_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(eb, "continue_on_objection: expected false"));
}

static void test_duplicates_everywhere(void)
{
    const char *cases[] = {
        "{" TOP ",\"default_meeting_type\":\"m\",\"meeting_types\":{\"m\":{"
        T_OK "}}}",
        PLUS("\"vault\":{},\"vault\":{}"),
        PLUS("\"classifier\":{\"da\":{},\"da\":{}}"),
        PLUS("\"classifier\":{\"da\":{\"consent\":[],\"consent\":[]}}"),
        ONE(T_OK ",\"video\":true,\"video\":false"),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char eb[RG_ERRBUF_SIZE] = "";
        rg_policy *p = NULL;
        CU_ASSERT_EQUAL(parse(cases[i], &p, eb), RG_ERR_CONFIG);
        CU_ASSERT_PTR_NOT_NULL(strstr(eb, ": duplicate key"));
        CU_ASSERT_PTR_NULL(p);
    }
}

static void test_syntax_position(void)
{
    char eb[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    const char *json = "{\n  \"controller\": {\n    \"name\": \"æøå\" \"x\"\n}";
    CU_ASSERT_EQUAL(parse(json, &p, eb), RG_ERR_CONFIG);
    /* column counts characters, not bytes: æøå are one column each */
    CU_ASSERT_STRING_EQUAL(eb, "t.json: line 3, column 19: invalid JSON");
    CU_ASSERT_EQUAL(parse("{\r\n\r\n  x", &p, eb), RG_ERR_CONFIG);
    CU_ASSERT_STRING_EQUAL(eb, "t.json: line 3, column 3: invalid JSON");
}

static void test_lookup(void)
{
    char eb[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    CU_ASSERT_EQUAL_FATAL(rg_policy_load(SHIPPED, &p, eb), RG_OK);
    CU_ASSERT_STRING_EQUAL(rg_policy_type(p, NULL)->name, "case-meeting");
    CU_ASSERT_STRING_EQUAL(rg_policy_type(p, "hr-interview")->name,
                           "hr-interview");
    CU_ASSERT_PTR_NULL(rg_policy_type(p, "HR-interview"));
    CU_ASSERT_PTR_NULL(rg_policy_type(p, ""));
    CU_ASSERT_PTR_NULL(rg_policy_type(p, "nope"));
    CU_ASSERT_PTR_NULL(rg_policy_type(NULL, "case-meeting"));
    CU_ASSERT_PTR_NULL(rg_policy_default_type(NULL));
    CU_ASSERT_STRING_EQUAL(rg_basis_name(RG_BASIS_DOCUMENTATION),
                           "documentation");
    CU_ASSERT_STRING_EQUAL(rg_basis_name(RG_BASIS_CONSENT), "consent");
    CU_ASSERT_STRING_EQUAL(rg_basis_name(RG_BASIS_OPT_OUT), "opt_out");
    CU_ASSERT_STRING_EQUAL(rg_basis_name((rg_basis)7), "?");
    CU_ASSERT_STRING_EQUAL(rg_on_withdrawal_name(RG_WITHDRAW_DELETE_RECORDING),
                           "delete_recording");
    CU_ASSERT_STRING_EQUAL(
        rg_on_withdrawal_name(RG_WITHDRAW_REMOVE_PARTICIPANT),
        "remove_participant");
    rg_policy_free(p);
    rg_policy_free(NULL);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void test_files(void)
{
    char eb[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    CU_ASSERT_EQUAL(rg_policy_load("/nonexistent/recgate.json", &p, eb),
                    RG_ERR_IO);
    CU_ASSERT_STRING_EQUAL(eb, "/nonexistent/recgate.json: No such file or "
                               "directory");
    CU_ASSERT_EQUAL(rg_policy_load("/tmp", &p, eb), RG_ERR_IO);
    CU_ASSERT_STRING_EQUAL(eb, "/tmp: Is a directory");
    CU_ASSERT_PTR_NULL(p);

    char dir[] = "/tmp/rg_policy_XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char path[300];
    snprintf(path, sizeof path, "%s/big.json", dir);
    size_t big = (1 << 20) + 1;
    char *buf = malloc(big);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    memset(buf, ' ', big);
    buf[0] = '{';
    buf[big - 1] = '}';
    write_file(path, buf, big);
    CU_ASSERT_EQUAL(rg_policy_load(path, &p, eb), RG_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(eb, "file too large"));
    CU_ASSERT_EQUAL(rg_policy_parse(buf, big, "m", &p, eb), RG_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(eb, "m: file too large"));
    unlink(path);

    /* a UTF-8 byte-order mark is tolerated; the hash still covers it */
    const char *json = "\xEF\xBB\xBF" ONE(T_OK);
    snprintf(path, sizeof path, "%s/bom.json", dir);
    write_file(path, json, strlen(json));
    CU_ASSERT_EQUAL(rg_policy_load(path, &p, eb), RG_OK);
    rg_policy *q = NULL;
    CU_ASSERT_EQUAL(parse(json + 3, &q, eb), RG_OK);
    if (p && q)
        CU_ASSERT(memcmp(p->sha256, q->sha256, 32) != 0);
    rg_policy_free(p);
    rg_policy_free(q);
    p = NULL;

    /* empty file */
    snprintf(path, sizeof path, "%s/empty.json", dir);
    write_file(path, "", 0);
    CU_ASSERT_EQUAL(rg_policy_load(path, &p, eb), RG_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(eb, "/empty.json: empty file"));
    unlink(path);
    snprintf(path, sizeof path, "%s/bom.json", dir);
    unlink(path);
    rmdir(dir);
    free(buf);
}

static void test_odd_inputs(void)
{
    char eb[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    /* NUL byte inside the text */
    const char nul[] = "{\"controller\":{\"name\":\"a\0b\"}}";
    CU_ASSERT_EQUAL(rg_policy_parse(nul, sizeof nul - 1, "t.json", &p, eb),
                    RG_ERR_CONFIG);
    CU_ASSERT_STRING_EQUAL(eb, "t.json: line 1, column 25: invalid JSON (NUL "
                               "byte)");
    /* not NUL-terminated: parse only `len` bytes */
    const char *json = ONE(T_OK) "GARBAGE";
    CU_ASSERT_EQUAL(rg_policy_parse(json, strlen(json) - 7, "t", &p, eb),
                    RG_OK);
    rg_policy_free(p);
    p = NULL;
    /* deep nesting is an error, not a stack overflow */
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(deep);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    CU_ASSERT_EQUAL(rg_policy_parse(deep, 2 * depth, "t", &p, eb),
                    RG_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(eb, "invalid JSON"));
    free(deep);
    /* arguments */
    CU_ASSERT_EQUAL(rg_policy_parse(NULL, 5, "t", &p, eb), RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_policy_parse("{}", 2, "t", NULL, eb), RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_policy_load(NULL, &p, eb), RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_policy_parse(NULL, 0, "t", &p, eb), RG_ERR_CONFIG);
    /* errbuf may be NULL; origin may be NULL */
    CU_ASSERT_EQUAL(rg_policy_parse("[", 1, NULL, &p, NULL), RG_ERR_CONFIG);
    CU_ASSERT_EQUAL(rg_policy_parse("[", 1, NULL, &p, eb), RG_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(eb, "(policy): line 1"));
    CU_ASSERT_PTR_NULL(p);
}

int main(void)
{
    static const rg_test tests[] = {
        {"shipped config loads with the right values", test_shipped},
        {"bad configs give exact messages", test_bad_table},
        {"long values are clipped", test_value_truncated},
        {"defaults applied", test_defaults},
        {"optional keys override defaults", test_overrides},
        {"continue_on_objection rules", test_continue_on_objection},
        {"duplicate keys at every level", test_duplicates_everywhere},
        {"syntax error line and column", test_syntax_position},
        {"meeting type lookup and names", test_lookup},
        {"file errors, size cap, BOM", test_files},
        {"NUL bytes, deep nesting, arguments", test_odd_inputs},
        {NULL, NULL},
    };
    return rg_test_run("policy", tests);
}
