/* Pure parts of the accountability modules: ISO-8601 parsing, redaction,
 * the words that identify a participant, and the manifest anonymisation
 * that `recgate withdraw --mode anonymize` writes. */
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "recdir.h"
#include "testutil.h"
#include "withdraw.h"

static void test_parse_time(void)
{
    time_t t = 0;
    CU_ASSERT_EQUAL(rg_recdir_parse_time("1970-01-01T00:00:00Z", &t), RG_OK);
    CU_ASSERT_EQUAL(t, 0);
    CU_ASSERT_EQUAL(rg_recdir_parse_time("2027-02-26T18:16:02Z", &t), RG_OK);
    CU_ASSERT_EQUAL(t, 1803665762);
    CU_ASSERT_EQUAL(rg_recdir_parse_time("2027-02-26", &t), RG_OK);
    CU_ASSERT_EQUAL(t, 1803600000);
    CU_ASSERT_EQUAL(rg_recdir_parse_time("2027-02-26T19:16:02.999+01:00", &t), RG_OK);
    CU_ASSERT_EQUAL(t, 1803665762);
    CU_ASSERT_EQUAL(rg_recdir_parse_time("2027-02-26T17:16-01:00", &t), RG_OK);
    CU_ASSERT_EQUAL(t, 1803665760);
    CU_ASSERT_EQUAL(rg_recdir_parse_time("2028-02-29T00:00:00Z", &t), RG_OK);
    static const char *const bad[] = {
        "", "yesterday", "2027-2-26", "2027-02-30", "2027-02-29", "2027-13-01",
        "2027-02-26T24:00Z", "2027-02-26T18:16:02Zjunk", "2027-02-26T18",
        "2027-02-26T18:16:02.Z", "1969-12-31", "2027-02-26T18:16:02+1:00", NULL};
    for (int i = 0; bad[i]; i++)
        CU_ASSERT_EQUAL(rg_recdir_parse_time(bad[i], &t), RG_ERR_PARSE);
    CU_ASSERT_EQUAL(rg_recdir_parse_time(NULL, &t), RG_ERR_PARSE);
    char out[32];
    rg_recdir_format_time(1803665762, out);
    CU_ASSERT_STRING_EQUAL(out, "2027-02-26T18:16:02Z");
}

static void redact_is(const char *text, const char *want)
{
    const char *words[] = {"Lars", "Lars Berg", "Berg", "lb", "Søren"};
    char *got = rg_recdir_redact(text, words, 5, "[x]");
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    if (strcmp(got, want))
        fprintf(stderr, "\n  redact(\"%s\") = \"%s\", want \"%s\"\n", text, got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    free(got);
}

static void test_redact(void)
{
    redact_is("Tak Lars Berg!", "Tak [x]!");           /* longest first */
    redact_is("LARS, lars og lArS", "[x], [x] og [x]"); /* any case */
    redact_is("Larsen og Bergen", "Larsen og Bergen");  /* whole words only */
    redact_is("Lars-Berg", "[x]-[x]");
    redact_is("@Lars: ok", "@[x]: ok");
    redact_is("Søren og Sørensen", "[x] og Sørensen");  /* UTF-8 word chars */
    redact_is("ÅLars xLars", "ÅLars xLars");
    /* issue 12: genitive -s, 's and \u2019s, names joined by _ or . */
    redact_is("Lars bil, Lars' bil, Larss", "[x] bil, [x]' bil, [x]");
    redact_is("Bergs kontor og Lars Bergs bil", "[x] kontor og [x] bil");
    redact_is("Lars's and Lars\u2019s", "[x]'s and [x]\u2019s");
    redact_is("lars_berg, lars.berg@firma.dk, Lars_x", "[x]_[x], [x].[x]@firma.dk, [x]_x");
    redact_is("Sørens mødes", "[x] mødes");
    redact_is("Larsen, Bergsøe, Larsson", "Larsen, Bergsøe, Larsson");
    redact_is("", "");
    redact_is("lb", "[x]");
}

static void test_words_of(void)
{
    cJSON *p = cJSON_Parse("{\"id\":\"u-17\",\"name\":\"Anne-Marie  B Holm\"}");
    char **w = NULL;
    size_t n = 0;
    CU_ASSERT_EQUAL(rg_recdir_words_of(p, &w, &n), RG_OK);
    /* id, full name, parts of >= 2 bytes (the lone "B" is left out), and
     * the parts run together. */
    CU_ASSERT_EQUAL(n, 6);
    const char *want[] = {"u-17", "Anne-Marie  B Holm", "Anne", "Marie", "Holm",
                          "AnneMarieHolm"};
    for (size_t i = 0; i < n && i < 6; i++)
        CU_ASSERT_STRING_EQUAL(w[i], want[i]);
    rg_recdir_free_words(w, n);
    cJSON_Delete(p);
}

static const char *MANIFEST =
    "{\"participants\":["
    "{\"id\":\"karen\",\"pseudonym\":\"p-k\",\"name\":\"Karen Holm\",\"role\":\"host\",\"removed\":false},"
    "{\"id\":\"lars\",\"pseudonym\":\"p-l\",\"name\":\"Lars Berg\",\"role\":\"guest\",\"removed\":false}],"
    "\"chat\":["
    "{\"no\":0,\"t\":0,\"from\":\"bot\",\"to\":\"all\",\"label\":\"public\",\"text\":\"Notice\"},"
    "{\"no\":1,\"t\":5,\"from\":\"bot\",\"to\":\"lars\",\"label\":\"late_joiner\",\"text\":\"Welcome\"},"
    "{\"no\":2,\"t\":8,\"from\":\"lars\",\"to\":\"all\",\"label\":\"consent\",\"text\":\"ok\"},"
    "{\"no\":3,\"t\":9,\"from\":\"karen\",\"to\":\"all\",\"label\":\"none\",\"text\":\"Hej Lars, hej BERG\"},"
    "{\"no\":4,\"t\":9,\"from\":\"lars\",\"to\":\"bot\",\"label\":\"none\",\"text\":\"Karen?\"}],"
    "\"meeting_id\":\"m-1\",\"captured\":[{\"participant\":\"lars\"},{\"participant\":\"karen\"}],"
    "\"tracks\":[{\"track\":\"t1\",\"participant\":\"karen\",\"destroyed\":false},"
    "{\"track\":\"t2\",\"participant\":\"lars\",\"destroyed\":false}]}";

static void test_anonymize_manifest(void)
{
    cJSON *m = cJSON_Parse(MANIFEST);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(rg_withdraw_anonymize_manifest(m, "nobody", "p-n"), RG_ERR_NOT_FOUND);
    CU_ASSERT_EQUAL(rg_withdraw_anonymize_manifest(m, "lars", "p-l"), RG_OK);
    char *s = cJSON_PrintUnformatted(m);
    CU_ASSERT_PTR_NULL(strstr(s, "lars"));
    CU_ASSERT_PTR_NULL(strstr(s, "Lars"));
    CU_ASSERT_PTR_NULL(strstr(s, "Berg"));
    CU_ASSERT_PTR_NULL(strstr(s, "BERG"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"name\":\"Karen Holm\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"text\":\"Hej [redacted], hej [redacted]\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"to\":\"p-l\",\"label\":\"late_joiner\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "{\"participant\":\"p-l\"},{\"participant\":\"karen\"}"));
    CU_ASSERT_PTR_NULL(strstr(s, "Karen?"));      /* his own lines are gone */
    CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(m, "chat")), 3);
    const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "participants"), 1);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(p, "id")->valuestring, "p-l");
    CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(p, "withdrawn")));
    const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "tracks"), 1);
    CU_ASSERT_TRUE(cJSON_IsTrue(cJSON_GetObjectItem(t, "destroyed")));
    t = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "tracks"), 0);
    CU_ASSERT_TRUE(cJSON_IsFalse(cJSON_GetObjectItem(t, "destroyed")));
    free(s);
    /* Idempotent at this level too: he is no longer there by id. */
    CU_ASSERT_EQUAL(rg_withdraw_anonymize_manifest(m, "lars", "p-l"), RG_ERR_NOT_FOUND);
    cJSON_Delete(m);
}

int main(void)
{
    static const rg_test tests[] = {
        {"ISO-8601 parsing and formatting", test_parse_time},
        {"redaction: whole words, any case, longest first", test_redact},
        {"the words that identify a participant", test_words_of},
        {"manifest anonymisation", test_anonymize_manifest},
        {NULL, NULL},
    };
    return rg_test_run("accountability", tests);
}
