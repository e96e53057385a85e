/* Announcements: every notice in both languages carries what the law and
 * the product rules require, built from a real policy parsed from JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "announce.h"
#include "testutil.h"

/* Distinctive values so each element can be found in the text. */
#define CTL "\"controller\":{\"name\":\"Testby Kommune\",\"contact\":" \
            "\"kontakt-123@testby.dk\",\"dpo\":\"dpo-456@testby.dk\"}," \
            "\"storage_location\":{\"da\":\"LAGER-789 i Danmark (EU)\"," \
            "\"en\":\"LAGER-789 in Denmark (EU)\"}"
#define TYPE(name, basis, lang, extra)                                       \
    "\"" name "\":{\"legal_basis\":\"" basis "\",\"window_s\":45,"           \
    "\"retention_days\":77,\"language\":\"" lang "\",\"purpose\":"           \
    "{\"da\":\"FORMÅL-ABC at dokumentere sagen\","                          \
    "\"en\":\"FORMÅL-ABC to document the case\"}" extra "}"

static const char *const policy_json =
    "{" CTL ",\"default_meeting_type\":\"optout\",\"meeting_types\":{"
    TYPE("optout", "opt_out", "da", "") ","
    TYPE("consent", "consent", "da", "") ","
    TYPE("doc", "documentation", "en", "") ","
    TYPE("doccont", "documentation", "da",
         ",\"continue_on_objection\":true,\"justification\":"
         "{\"da\":\"BEGRUNDELSE-XYZ lovkrav\",\"en\":\"BEGRUNDELSE-XYZ legal duty\"}") ","
    TYPE("remove", "opt_out", "en",
         ",\"on_withdrawal\":\"remove_participant\",\"video\":true") ","
    TYPE("twomin", "consent", "da", "") "}}";

static rg_policy *pol;

static rg_policy *load(void)
{
    char eb[RG_ERRBUF_SIZE] = "";
    rg_policy *p = NULL;
    /* TYPE sets window 45 everywhere; make "twomin" 120 s via a copy */
    char *json = strdup(policy_json);
    char *tw = strstr(json, "\"twomin\"");
    char *w = tw ? strstr(tw, "\"window_s\":45") : NULL;
    if (w)
        memcpy(w, "\"window_s\":99", 13);
    if (rg_policy_parse(json, strlen(json), "t.json", &p, eb))
        fprintf(stderr, "\n%s\n", eb);
    free(json);
    return p;
}

static const rg_meeting_type *type(const char *name)
{
    const rg_meeting_type *t = rg_policy_type(pol, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

static char *text_lang(const char *tname, rg_notice k, rg_lang l)
{
    char *s = NULL;
    CU_ASSERT_EQUAL_FATAL(rg_announce_text_lang(pol, type(tname), k, l, &s),
                          RG_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    return s;
}

static bool has_all(const char *text, const char *const *needles,
                    const char *what)
{
    bool ok = true;
    for (size_t i = 0; needles[i]; i++) {
        if (!strstr(text, needles[i])) {
            fprintf(stderr, "\n%s: missing \"%s\" in:\n%s\n", what,
                    needles[i], text);
            ok = false;
        }
    }
    return ok;
}

static bool utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3
              : (*p >> 3) == 30 ? 4 : 0;
        if (!n || (n == 2 && *p < 0xC2))
            return false;
        for (int i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return false;
        p += n;
    }
    return true;
}

static const char *const all_types[] = {"optout", "consent", "doc", "doccont",
                                        "remove", "twomin", NULL};

/* INFO (the second layer) carries the full Art. 13 information; PUBLIC
 * and LATE_JOINER (the first) who, what, why, how to object, when. */
static void test_full_information(void)
{
    static const char *const common[] = {
        "Testby Kommune", "kontakt-123@testby.dk", "dpo-456@testby.dk",
        "FORMÅL-ABC", "LAGER-789", "Datatilsynet", NULL};
    static const char *const da[] = {
        "Formål: ", "Grundlag: ", "Opbevaring: ", "slettes efter 77 dage",
        "Fortryder du senere, så kontakt", "art. 13",
        "Databeskyttelsesrådgiver (DPO): dpo-456@testby.dk", NULL};
    static const char *const en[] = {
        "Purpose: ", "Basis: ", "Storage: ", "deleted after 77 days",
        "If you change your mind later, contact", "Art. 13",
        "Data protection officer (DPO): dpo-456@testby.dk", NULL};
    static const char *const short_da[] = {
        "Testby Kommune", "FORMÅL-ABC at dokumentere sagen", "nej",
        "45 sekunder", "følger i næste besked", NULL};
    static const char *const short_en[] = {
        "Testby Kommune", "FORMÅL-ABC to document the case", "nej",
        "45 seconds", "follow in the next message", NULL};
    const char *types[] = {"optout", "consent", "doc", "doccont", "remove"};
    for (size_t i = 0; i < 5; i++) {
        for (int l = 0; l < RG_LANG__COUNT; l++) {
            char *s = text_lang(types[i], RG_NOTICE_INFO, (rg_lang)l);
            CU_ASSERT(has_all(s, common, types[i]));
            CU_ASSERT(has_all(s, l == RG_LANG_DA ? da : en, types[i]));
            free(s);
            for (int k = RG_NOTICE_PUBLIC; k <= RG_NOTICE_LATE_JOINER; k++) {
                s = text_lang(types[i], (rg_notice)k, (rg_lang)l);
                CU_ASSERT(has_all(s, l == RG_LANG_DA ? short_da : short_en,
                                  types[i]));
                free(s);
            }
        }
    }
}

/* Code points of a UTF-8 string. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static char lint_last[256];
static void lint_seen(void *ctx, const char *msg)
{
    (void)ctx;
    if (!lint_last[0])
        snprintf(lint_last, sizeof lint_last, "%s", msg);
}

/* The first layer is short: at most 500 characters per language (header
 * line not counted), for every shipped meeting type. */
static void test_short_first_layer(void)
{
    char eb[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    CU_ASSERT_EQUAL_FATAL(rg_policy_load("config/recgate.json", &p, eb), RG_OK);
    for (size_t i = 0; i < p->n_types; i++)
        for (int k = RG_NOTICE_PUBLIC; k <= RG_NOTICE_LATE_JOINER; k++)
            for (int l = 0; l < RG_LANG__COUNT; l++) {
                char *s = NULL;
                CU_ASSERT_EQUAL_FATAL(rg_announce_text_lang(p, &p->types[i],
                                      (rg_notice)k, (rg_lang)l, &s), RG_OK);
                const char *body = strchr(s, '\n') + 1;
                if (chars(body) > RG_NOTICE_SHORT_MAX)
                    fprintf(stderr, "\n%zu chars: %s\n", chars(body), body);
                CU_ASSERT(chars(body) <= RG_NOTICE_SHORT_MAX);
                free(s);
            }
    CU_ASSERT_EQUAL(rg_announce_lint(p, NULL, NULL), 0);
    rg_policy_free(p);
    /* a long admin purpose: `recgate run` / `announce` warn about it */
    char json[2048], purpose[700];
    memset(purpose, 'x', 600);
    purpose[600] = '\0';
    snprintf(json, sizeof json,
             "{\"controller\":{\"name\":\"K\",\"contact\":\"c\",\"dpo\":\"d\"},"
             "\"storage_location\":\"s\",\"default_meeting_type\":\"m\","
             "\"meeting_types\":{\"m\":{\"legal_basis\":\"consent\",\"window_s\":10,"
             "\"retention_days\":5,\"language\":\"en\",\"purpose\":\"%s\"}}}", purpose);
    p = NULL;
    CU_ASSERT_EQUAL_FATAL(rg_policy_parse(json, strlen(json), "l.json", &p, eb), RG_OK);
    CU_ASSERT_EQUAL(rg_announce_lint(p, lint_seen, NULL), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(lint_last, "meeting type m: the first notice (public, en)"));
    rg_policy_free(p);
}

/* Per-language policy texts: each block carries its own language's text
 * only; a missing translation is a config error naming the key. */
static void test_per_language_texts(void)
{
    static const char *json =
        "{\"controller\":{\"name\":\"K\",\"contact\":\"c\",\"dpo\":\"d\"},"
        "\"storage_location\":{\"da\":\"LAGER-DA\",\"en\":\"STORE-EN\"},"
        "\"default_meeting_type\":\"m\",\"meeting_types\":{\"m\":{"
        "\"legal_basis\":\"documentation\",\"window_s\":10,\"retention_days\":5,"
        "\"language\":\"da\",\"purpose\":{\"da\":\"FORMÅL-DA\",\"en\":\"PURPOSE-EN\"},"
        "\"continue_on_objection\":true,"
        "\"justification\":{\"da\":\"BEGRUNDELSE-DA\",\"en\":\"REASON-EN\"},"
        "\"gdpr_basis\":{\"article\":\"6(1)(f)\",\"interest\":"
        "{\"da\":\"INTERESSE-DA\",\"en\":\"INTEREST-EN\"}}}}}";
    char eb[RG_ERRBUF_SIZE] = "";
    rg_policy *p = NULL;
    CU_ASSERT_EQUAL_FATAL(rg_policy_parse(json, strlen(json), "l.json", &p, eb),
                          RG_OK);
    CU_ASSERT_PTR_NULL(rg_policy_warning(p, 0)); /* nothing to warn about */
    const rg_meeting_type *t = rg_policy_type(p, NULL);
    CU_ASSERT_STRING_EQUAL(t->purpose, "FORMÅL-DA");
    static const char *const en_words[] = {"STORE-EN", "PURPOSE-EN",
                                           "REASON-EN", "INTEREST-EN"};
    static const char *const da_words[] = {"LAGER-DA", "FORMÅL-DA",
                                           "BEGRUNDELSE-DA", "INTERESSE-DA"};
    for (int k = 0; k < RG_NOTICE__COUNT; k++) {
        char *d = NULL, *e = NULL;
        CU_ASSERT_EQUAL_FATAL(rg_announce_text_lang(p, t, (rg_notice)k,
                                                    RG_LANG_DA, &d), RG_OK);
        CU_ASSERT_EQUAL_FATAL(rg_announce_text_lang(p, t, (rg_notice)k,
                                                    RG_LANG_EN, &e), RG_OK);
        for (int w = 0; w < 4; w++) {
            CU_ASSERT_PTR_NULL(strstr(d, en_words[w]));
            CU_ASSERT_PTR_NULL(strstr(e, da_words[w]));
        }
        free(d);
        free(e);
    }
    char *d = NULL, *e = NULL;
    rg_announce_text_lang(p, t, RG_NOTICE_INFO, RG_LANG_DA, &d);
    rg_announce_text_lang(p, t, RG_NOTICE_INFO, RG_LANG_EN, &e);
    CU_ASSERT(d && strstr(d, "FORMÅL-DA") && strstr(d, "LAGER-DA") &&
              strstr(d, "BEGRUNDELSE-DA") && strstr(d, "INTERESSE-DA"));
    CU_ASSERT(e && strstr(e, "PURPOSE-EN") && strstr(e, "STORE-EN") &&
              strstr(e, "REASON-EN") && strstr(e, "INTEREST-EN"));
    free(d);
    free(e);
    rg_policy_free(p);

    /* a missing translation names the key */
    static const char *const cut = ",\"en\":\"PURPOSE-EN\"";
    char *bad = strdup(json);
    char *at = strstr(bad, cut);
    memmove(at, at + strlen(cut), strlen(at + strlen(cut)) + 1);
    p = NULL;
    CU_ASSERT_EQUAL(rg_policy_parse(bad, strlen(bad), "l.json", &p, eb),
                    RG_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(eb, "l.json: meeting_types.m.purpose.en: "
                                      "missing translation"));
    free(bad);

    /* per-language purpose, one-string storage: the English block would
     * show Danish storage text -> a config error naming the key */
    static const char *const mixed[] = {
        "{\"controller\":{\"name\":\"K\",\"contact\":\"c\",\"dpo\":\"d\"},"
        "\"storage_location\":\"på vores servere\",\"default_meeting_type\":\"m\","
        "\"meeting_types\":{\"m\":{\"legal_basis\":\"opt_out\",\"window_s\":10,"
        "\"retention_days\":5,\"language\":\"da\",\"purpose\":{\"da\":\"x\",\"en\":\"y\"}}}}",
        "{\"controller\":{\"name\":\"K\",\"contact\":\"c\",\"dpo\":\"d\"},"
        "\"storage_location\":{\"da\":\"a\",\"en\":\"b\"},\"default_meeting_type\":\"m\","
        "\"meeting_types\":{\"m\":{\"legal_basis\":\"documentation\",\"window_s\":10,"
        "\"retention_days\":5,\"language\":\"da\",\"purpose\":{\"da\":\"x\",\"en\":\"y\"},"
        "\"continue_on_objection\":true,\"justification\":\"fordi\"}}}", NULL};
    static const char *const mixed_msg[] = {
        "m.json: storage_location: missing translation: meeting_types.m.purpose "
        "is given per language",
        "m.json: meeting_types.m.justification: missing translation: "
        "meeting_types.m.purpose is given per language"};
    for (size_t i = 0; mixed[i]; i++) {
        p = NULL;
        CU_ASSERT_EQUAL(rg_policy_parse(mixed[i], strlen(mixed[i]), "m.json", &p, eb),
                        RG_ERR_CONFIG);
        if (!strstr(eb, mixed_msg[i]))
            fprintf(stderr, "\nwant %s\ngot  %s\n", mixed_msg[i], eb);
        CU_ASSERT_PTR_NOT_NULL(strstr(eb, mixed_msg[i]));
        rg_policy_free(p);
    }
}

/* Texts given as one string are in the type's language only: its notices
 * are in that language only, never half in another. */
static void test_one_language_policy(void)
{
    static const char *json =
        "{\"controller\":{\"name\":\"K\",\"contact\":\"c\",\"dpo\":\"d\"},"
        "\"storage_location\":\"på vores servere\",\"default_meeting_type\":\"m\","
        "\"meeting_types\":{\"m\":{\"legal_basis\":\"opt_out\",\"window_s\":10,"
        "\"retention_days\":5,\"language\":\"da\",\"purpose\":\"at dokumentere\"}}}";
    char eb[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    CU_ASSERT_EQUAL_FATAL(rg_policy_parse(json, strlen(json), "o.json", &p, eb), RG_OK);
    const rg_meeting_type *t = rg_policy_type(p, NULL);
    for (int k = 0; k < RG_NOTICE__COUNT; k++) {
        char *s = NULL;
        CU_ASSERT_EQUAL_FATAL(rg_announce_text(p, t, (rg_notice)k, &s), RG_OK);
        CU_ASSERT(strncmp(s, "[Dansk]\n", 8) == 0);
        CU_ASSERT_PTR_NULL(strstr(s, "[English]"));
        free(s);
        CU_ASSERT_EQUAL(rg_announce_text_lang(p, t, (rg_notice)k, RG_LANG_EN, &s),
                        RG_ERR_ARG);
        CU_ASSERT_PTR_NULL(s);
    }
    rg_end_info e = {RG_END_OPERATOR, RG_OUTCOME_KEPT, true, true};
    char *s = NULL;
    CU_ASSERT_EQUAL(rg_announce_end(p, t, &e, &s), RG_OK);
    CU_ASSERT(s && strstr(s, "på vores servere") && !strstr(s, "[English]"));
    free(s);
    CU_ASSERT_EQUAL(rg_announce_end_lang(p, t, &e, RG_LANG_EN, &s), RG_ERR_ARG);
    rg_policy_free(p);
}

/* GDPR basis (Art. 13(1)(c)-(d)) in the full notice; consent defaults to
 * 6(1)(a); documentation/opt_out without one are warned. */
static void test_gdpr_basis(void)
{
    char *d = text_lang("consent", RG_NOTICE_INFO, RG_LANG_DA);
    char *e = text_lang("consent", RG_NOTICE_INFO, RG_LANG_EN);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "art. 6(1)(a) (samtykke)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e, "GDPR Art. 6(1)(a) (consent)"));
    free(d);
    free(e);
    bool warned_doc = false, warned_consent = false;
    for (size_t i = 0; rg_policy_warning(pol, i); i++) {
        const char *w = rg_policy_warning(pol, i);
        warned_doc |= strstr(w, "meeting_types.doc.gdpr_basis: not set") != NULL;
        warned_consent |= strstr(w, "meeting_types.consent.gdpr_basis") != NULL;
    }
    CU_ASSERT(warned_doc);
    CU_ASSERT(!warned_consent);
    static const char *const shipped[] = {"case-meeting", "board-meeting", NULL};
    char eb[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    CU_ASSERT_EQUAL_FATAL(rg_policy_load("config/recgate.json", &p, eb), RG_OK);
    CU_ASSERT_PTR_NULL(rg_policy_warning(p, 0));
    for (size_t i = 0; shipped[i]; i++) {
        char *s = NULL;
        rg_announce_text(p, rg_policy_type(p, shipped[i]), RG_NOTICE_INFO, &s);
        CU_ASSERT(s && strstr(s, "art. 6(1)(e)") && strstr(s, "GDPR Art. 6(1)(e)"));
        free(s);
    }
    rg_policy_free(p);
    /* a consent type cannot claim another basis; 6(1)(f) needs the interest */
    static const char *const bad[] = {
        "\"consent\",\"gdpr_basis\":{\"article\":\"6(1)(e)\"}",
        "\"opt_out\",\"gdpr_basis\":{\"article\":\"6(1)(f)\"}",
        "\"opt_out\",\"gdpr_basis\":{\"article\":\"6(1)(e)\",\"interest\":\"x\"}",
        "\"opt_out\",\"gdpr_basis\":{\"article\":\"art 6\"}", NULL};
    static const char *const msg[] = {
        "meeting_types.m.gdpr_basis.article: expected \"6(1)(a)\"",
        "meeting_types.m.gdpr_basis.interest: expected non-empty text",
        "meeting_types.m.gdpr_basis.interest: only for article",
        "meeting_types.m.gdpr_basis.article: expected one of"};
    for (size_t i = 0; bad[i]; i++) {
        char json[1024];
        snprintf(json, sizeof json,
                 "{\"controller\":{\"name\":\"K\",\"contact\":\"c\",\"dpo\":\"d\"},"
                 "\"storage_location\":\"s\",\"default_meeting_type\":\"m\","
                 "\"meeting_types\":{\"m\":{\"window_s\":10,\"retention_days\":5,"
                 "\"language\":\"da\",\"purpose\":\"p\",\"legal_basis\":%s}}}", bad[i]);
        p = NULL;
        CU_ASSERT_EQUAL(rg_policy_parse(json, strlen(json), "g.json", &p, eb),
                        RG_ERR_CONFIG);
        if (!strstr(eb, msg[i]))
            fprintf(stderr, "\nwant %s\ngot  %s\n", msg[i], eb);
        CU_ASSERT_PTR_NOT_NULL(strstr(eb, msg[i]));
        rg_policy_free(p);
    }
}

/* Every end/stop/refusal message: real cause, real outcome, both
 * languages, no placeholder left, nobody named, no question. */
static void test_end_messages(void)
{
    static const char *const cause_en[RG_END__COUNT] = {
        "ended", "objected (nej)", "consent", "informed about the recording",
        "Nobody from Testby Kommune", "connection to the meeting platform",
        "internal error", "stopped by its operator", "left the meeting",
        "longest"};
    static const char *const outcome_en[RG_OUTCOME__COUNT] = {
        "kept, as proof that everyone was informed, for 77 days",
        "What was recorded is kept", "has been deleted", "has been removed"};
    const rg_meeting_type *t = type("optout");
    for (int c = 0; c < RG_END__COUNT; c++)
        for (int o = 0; o < RG_OUTCOME__COUNT; o++)
            for (int started = 0; started < 2; started++) {
                rg_end_info e = {(rg_end_cause)c, (rg_end_outcome)o,
                                 started != 0, true};
                char *s = NULL;
                CU_ASSERT_EQUAL_FATAL(rg_announce_end(pol, t, &e, &s), RG_OK);
                if (!strstr(s, cause_en[c]) || !strstr(s, outcome_en[o]))
                    fprintf(stderr, "\n%d/%d/%d: %s\n", c, o, started, s);
                CU_ASSERT_PTR_NOT_NULL(strstr(s, cause_en[c]));
                CU_ASSERT_PTR_NOT_NULL(strstr(s, outcome_en[o]));
                CU_ASSERT_PTR_NOT_NULL(strstr(s, "[Dansk]\n"));
                CU_ASSERT_PTR_NOT_NULL(strstr(s, "leaving the meeting"));
                CU_ASSERT_PTR_NULL(strchr(s, '{'));
                CU_ASSERT_PTR_NULL(strchr(s, '?'));
                if (c != RG_END_OBJECTION && c != RG_END_NO_CONSENT &&
                    o != RG_OUTCOME_REMOVED)
                    CU_ASSERT_PTR_NULL(strstr(s, "nej"));
                free(s);
            }
    rg_end_info bad = {RG_END__COUNT, RG_OUTCOME_KEPT, true, true};
    char *s = (char *)"x";
    CU_ASSERT_EQUAL(rg_announce_end(pol, t, &bad, &s), RG_ERR_ARG);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_STRING_EQUAL(rg_end_cause_name(RG_END_OPERATOR), "operator");
    CU_ASSERT_STRING_EQUAL(rg_end_outcome_name(RG_OUTCOME_NOTHING), "nothing");
}

/* With privacy_notice_url the first layer points there. */
static void test_privacy_notice_url(void)
{
    static const char *json =
        "{\"controller\":{\"name\":\"K\",\"contact\":\"c\",\"dpo\":\"d\"},"
        "\"storage_location\":\"s\",\"default_meeting_type\":\"m\","
        "\"privacy_notice_url\":\"https://example.dk/privatliv\","
        "\"meeting_types\":{\"m\":{\"legal_basis\":\"consent\",\"window_s\":10,"
        "\"retention_days\":5,\"language\":\"da\",\"purpose\":\"p\"}}}";
    char eb[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    CU_ASSERT_EQUAL_FATAL(rg_policy_parse(json, strlen(json), "u.json", &p, eb), RG_OK);
    char *s = NULL;
    rg_announce_text(p, rg_policy_type(p, NULL), RG_NOTICE_PUBLIC, &s);
    CU_ASSERT(s && strstr(s, "https://example.dk/privatliv") &&
              !strstr(s, "next message"));
    free(s);
    rg_policy_free(p);
    char *bad = strdup(json);
    memcpy(strstr(bad, "https://"), "http:///", 8);
    p = NULL;
    CU_ASSERT_EQUAL(rg_policy_parse(bad, strlen(bad), "u.json", &p, eb), RG_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(eb, "privacy_notice_url: expected an https:// address"));
    free(bad);
}

static void test_basis_in_plain_words(void)
{
    struct { const char *type, *da, *en; } want[] = {
        {"optout", "Grundlag: ingen indsigelse (opt-out).",
         "Basis: no objection (opt-out)."},
        {"consent", "Grundlag: samtykke.", "Basis: consent."},
        {"doc", "Grundlag: dokumentation.", "Basis: documentation."},
    };
    for (size_t i = 0; i < 3; i++) {
        char *d = text_lang(want[i].type, RG_NOTICE_INFO, RG_LANG_DA);
        char *e = text_lang(want[i].type, RG_NOTICE_INFO, RG_LANG_EN);
        CU_ASSERT_PTR_NOT_NULL(strstr(d, want[i].da));
        CU_ASSERT_PTR_NOT_NULL(strstr(e, want[i].en));
        free(d);
        free(e);
    }
}

static void test_consent_asks_for_ja(void)
{
    static const char *const da[] = {
        "Skriv ja i chatten, hvis du giver samtykke",
        "og nej, hvis du ikke vil optages", "Tavshed er ikke samtykke",
        "hvis alle giver samtykke", NULL};
    static const char *const en[] = {
        "Write ja (yes) in the chat to consent", "nej (no) to refuse",
        "Silence is not consent", "if everyone consents", NULL};
    for (int k = RG_NOTICE_PUBLIC; k <= RG_NOTICE_LATE_JOINER; k++) {
        char *d = text_lang("consent", (rg_notice)k, RG_LANG_DA);
        char *e = text_lang("consent", (rg_notice)k, RG_LANG_EN);
        CU_ASSERT(has_all(d, da, "consent da"));
        CU_ASSERT(has_all(e, en, "consent en"));
        free(d);
        free(e);
    }
    /* opt-out texts never ask for ja */
    char *o = text_lang("optout", RG_NOTICE_PUBLIC, RG_LANG_DA);
    CU_ASSERT_PTR_NULL(strstr(o, "Skriv ja"));
    free(o);
    char *n = text_lang("consent", RG_NOTICE_NO_CONSENT, RG_LANG_DA);
    CU_ASSERT_PTR_NOT_NULL(strstr(n, "Tavshed er ikke samtykke"));
    CU_ASSERT_PTR_NOT_NULL(strstr(n, "bliver ikke optaget"));
    free(n);
}

static void test_documentation(void)
{
    char *d = text_lang("doc", RG_NOTICE_PUBLIC, RG_LANG_DA);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "til dokumentation"));
    CU_ASSERT_PTR_NULL(strstr(d, "fortsætter, fordi"));
    free(d);
    d = text_lang("doc", RG_NOTICE_INFO, RG_LANG_DA);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "uden samtykke"));
    CU_ASSERT_PTR_NULL(strstr(d, "fortsætter, fordi"));
    free(d);
    for (int l = 0; l < RG_LANG__COUNT; l++) {
        rg_notice kinds[] = {RG_NOTICE_PUBLIC, RG_NOTICE_LATE_JOINER,
                             RG_NOTICE_STARTED, RG_NOTICE_OBJECTION_LOGGED,
                             RG_NOTICE_OBJECTION_ACK, RG_NOTICE_RESUMED,
                             RG_NOTICE_INFO};
        for (size_t i = 0; i < 7; i++) {
            char *s = text_lang("doccont", kinds[i], (rg_lang)l);
            CU_ASSERT_PTR_NOT_NULL(strstr(s, l == RG_LANG_DA
                                                 ? "BEGRUNDELSE-XYZ lovkrav."
                                                 : "BEGRUNDELSE-XYZ legal duty."));
            CU_ASSERT_PTR_NOT_NULL(strstr(s, l == RG_LANG_DA
                                                 ? "fortsætter"
                                                 : "continues"));
            free(s);
        }
    }
}

/* `nej` may only mean "do not record": no text asks anything. */
static void test_never_a_question(void)
{
    for (size_t i = 0; all_types[i]; i++) {
        for (int k = 0; k < RG_NOTICE__COUNT; k++) {
            char *s = NULL;
            CU_ASSERT_EQUAL_FATAL(rg_announce_text(pol, type(all_types[i]),
                                                   (rg_notice)k, &s), RG_OK);
            CU_ASSERT_PTR_NULL(strchr(s, '?'));
            CU_ASSERT_PTR_NULL(strstr(s, "ndvendinger"));
            CU_ASSERT_PTR_NULL(strstr(s, "bjections?"));
            free(s);
        }
    }
}

/* Per-kind required elements, in both languages. */
static void test_short_notices(void)
{
    struct { rg_notice k; const char *type; const char *da[5], *en[5]; }
    want[] = {
        {RG_NOTICE_STARTED, "optout",
         {"Optagelsen af mødet er startet", "skriv nej", "dpo-456", NULL},
         {"has started", "write nej", "dpo-456", NULL}},
        {RG_NOTICE_STARTED, "consent", {"Alle har givet samtykke", NULL},
         {"Everyone has consented", NULL}},
        {RG_NOTICE_REFUSED, "optout",
         {"bliver ikke optaget", "Intet af mødet er blevet optaget",
          "som dokumentation", "77 dage", "forlader"},
         {"will not be recorded", "Nothing of the meeting has been recorded",
          "as proof", "77 days", "leaving"}},
        {RG_NOTICE_NO_CONSENT, "twomin",
         {"99 sekunder", "skrevet ja", "bliver ikke optaget", NULL},
         {"99 seconds", "written ja", "will not be recorded", NULL}},
        {RG_NOTICE_STOPPED, "optout",
         {"optagelsen er stoppet", "ikke genoptaget", "slettet", NULL},
         {"has stopped", "will not resume", "deleted", NULL}},
        {RG_NOTICE_STOPPED, "remove", {"fjernet", NULL}, {"removed", NULL}},
        {RG_NOTICE_OBJECTION_ACK, "optout",
         {"Dit nej er registreret", "Du bliver ikke optaget", "kontakt-123",
          "dpo-456", NULL},
         {"Your nej (no) has been registered", "You will not be recorded",
          "kontakt-123", "dpo-456", NULL}},
        {RG_NOTICE_OBJECTION_ACK, "doccont",
         {"registreret i loggen", "Datatilsynet", "dpo-456", NULL},
         {"recorded in the log", "Datatilsynet", "dpo-456", NULL}},
        {RG_NOTICE_CONSENT_ACK, "consent",
         {"Dit ja til optagelse er registreret", "skrive nej",
          "Fortryder du senere", "dpo-456", NULL},
         {"Your ja (yes)", "writing nej", "If you change your mind later",
          "dpo-456", NULL}},
        {RG_NOTICE_PAUSED_NO_HOST, "optout",
         {"pause", "ingen fra Testby Kommune", NULL},
         {"paused", "nobody from Testby Kommune", NULL}},
        {RG_NOTICE_RESUMED, "optout", {"fortsætter nu", "skriv nej", NULL},
         {"resumes", "write nej", NULL}},
        {RG_NOTICE_ENDED, "remove",
         {"afsluttet", "LAGER-789", "77 dage", "uigenkendelig", "dpo-456"},
         {"has ended", "LAGER-789", "77 days", "unrecognisable", "dpo-456"}},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *d = text_lang(want[i].type, want[i].k, RG_LANG_DA);
        char *e = text_lang(want[i].type, want[i].k, RG_LANG_EN);
        const char *dn[6] = {0}, *en[6] = {0};
        memcpy(dn, want[i].da, sizeof want[i].da);
        memcpy(en, want[i].en, sizeof want[i].en);
        CU_ASSERT(has_all(d, dn, rg_notice_name(want[i].k)));
        CU_ASSERT(has_all(e, en, rg_notice_name(want[i].k)));
        free(d);
        free(e);
    }
}

/* Replies to an objection take no participant and name nobody. */
static void test_objection_replies_anonymous(void)
{
    rg_notice kinds[] = {RG_NOTICE_REFUSED, RG_NOTICE_STOPPED,
                         RG_NOTICE_OBJECTION_LOGGED, RG_NOTICE_NO_CONSENT};
    for (size_t i = 0; i < 4; i++) {
        CU_ASSERT(!rg_notice_is_private(kinds[i]));
        for (size_t j = 0; all_types[j]; j++) {
            char *s = NULL;
            CU_ASSERT_EQUAL_FATAL(rg_announce_text(pol, type(all_types[j]),
                                                   kinds[i], &s), RG_OK);
            /* no placeholder, no participant-ish fields, no controller
             * contact that could identify a person */
            CU_ASSERT_PTR_NULL(strchr(s, '%'));
            CU_ASSERT_PTR_NULL(strchr(s, '{'));
            CU_ASSERT_PTR_NULL(strstr(s, "kontakt-123"));
            CU_ASSERT_PTR_NULL(strstr(s, "Anna"));
            free(s);
        }
    }
    CU_ASSERT(rg_notice_is_private(RG_NOTICE_OBJECTION_ACK));
    CU_ASSERT(rg_notice_is_private(RG_NOTICE_CONSENT_ACK));
    CU_ASSERT(rg_notice_is_private(RG_NOTICE_LATE_JOINER));
    CU_ASSERT(!rg_notice_is_private(RG_NOTICE_PUBLIC));
}

static void test_bilingual_order_and_utf8(void)
{
    for (size_t i = 0; all_types[i]; i++) {
        const rg_meeting_type *t = type(all_types[i]);
        for (int k = 0; k < RG_NOTICE__COUNT; k++) {
            char *s = NULL;
            CU_ASSERT_EQUAL_FATAL(rg_announce_text(pol, t, (rg_notice)k, &s),
                                  RG_OK);
            CU_ASSERT(utf8_valid(s));
            const char *da = strstr(s, "[Dansk]\n");
            const char *en = strstr(s, "[English]\n");
            CU_ASSERT_PTR_NOT_NULL(da);
            CU_ASSERT_PTR_NOT_NULL(en);
            CU_ASSERT_PTR_EQUAL(t->language == RG_LANG_DA ? da : en, s);
            CU_ASSERT_PTR_NOT_NULL(strstr(s, "\n\n["));
            free(s);
        }
    }
    /* Danish letters really are UTF-8 */
    char *d = text_lang("optout", RG_NOTICE_PUBLIC, RG_LANG_DA);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "m\xc3\xb8" "de"));   /* møde */
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "Form\xc3\xa5l"));   /* Formål */
    free(d);
}

static void test_variants(void)
{
    char *s = text_lang("remove", RG_NOTICE_PUBLIC, RG_LANG_EN);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "audio, video and chat"));
    free(s);
    s = text_lang("remove", RG_NOTICE_INFO, RG_LANG_EN);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "made unrecognisable"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "your audio, your video"));
    free(s);
    s = text_lang("optout", RG_NOTICE_PUBLIC, RG_LANG_DA);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "lyd og chat, ikke video"));
    free(s);
    s = text_lang("optout", RG_NOTICE_INFO, RG_LANG_DA);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "Så bliver optagelsen slettet."));
    free(s);
    s = text_lang("twomin", RG_NOTICE_PUBLIC, RG_LANG_DA);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "99 sekunder"));
    free(s);
    s = text_lang("optout", RG_NOTICE_LATE_JOINER, RG_LANG_DA);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "kun til dig"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "Du bliver tidligst optaget om 45"));
    free(s);
}

static void test_shipped_minutes(void)
{
    char eb[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    CU_ASSERT_EQUAL_FATAL(rg_policy_load("config/recgate.json", &p, eb),
                          RG_OK);
    char *s = NULL;
    CU_ASSERT_EQUAL(rg_announce_text(p, rg_policy_type(p, "hr-interview"),
                                     RG_NOTICE_PUBLIC, &s), RG_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "120 sekunder (2 minutter)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "120 seconds (2 minutes)"));
    free(s);
    CU_ASSERT_EQUAL(rg_announce_text(p, rg_policy_type(p, NULL),
                                     RG_NOTICE_PUBLIC, &s), RG_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "60 sekunder (1 minut)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "Eksempel Kommune"));
    free(s);
    rg_policy_free(p);
}

static void test_args_and_names(void)
{
    const rg_meeting_type *t = type("optout");
    char *s = (char *)"x";
    CU_ASSERT_EQUAL(rg_announce_text(NULL, t, RG_NOTICE_PUBLIC, &s),
                    RG_ERR_ARG);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_EQUAL(rg_announce_text(pol, NULL, RG_NOTICE_PUBLIC, &s),
                    RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_announce_text(pol, t, RG_NOTICE_PUBLIC, NULL),
                    RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_announce_text(pol, t, RG_NOTICE__COUNT, &s),
                    RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_announce_text(pol, t, (rg_notice)-1, &s), RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_announce_text_lang(pol, t, RG_NOTICE_PUBLIC,
                                          RG_LANG__COUNT, &s), RG_ERR_ARG);
    CU_ASSERT_PTR_NULL(s);
    for (int a = 0; a < RG_NOTICE__COUNT; a++) {
        CU_ASSERT_STRING_NOT_EQUAL(rg_notice_name((rg_notice)a), "?");
        for (int b = 0; b < a; b++)
            CU_ASSERT_STRING_NOT_EQUAL(rg_notice_name((rg_notice)a),
                                       rg_notice_name((rg_notice)b));
    }
    CU_ASSERT_STRING_EQUAL(rg_notice_name(RG_NOTICE_PUBLIC), "public");
    CU_ASSERT_STRING_EQUAL(rg_notice_name(RG_NOTICE__COUNT), "?");
}

int main(void)
{
    pol = load();
    if (!pol)
        return 1;
    static const rg_test tests[] = {
        {"full Art. 13 information in both languages", test_full_information},
        {"legal basis in plain words", test_basis_in_plain_words},
        {"consent asks for ja, silence is not consent",
         test_consent_asks_for_ja},
        {"documentation and continue_on_objection", test_documentation},
        {"never a yes/no question", test_never_a_question},
        {"short notices carry their elements", test_short_notices},
        {"objection replies name nobody", test_objection_replies_anonymous},
        {"bilingual order and valid UTF-8", test_bilingual_order_and_utf8},
        {"withdrawal, video and window variants", test_variants},
        {"shipped config texts", test_shipped_minutes},
        {"arguments and notice names", test_args_and_names},
        {"short first layer <= 500 characters", test_short_first_layer},
        {"per-language policy texts, never mixed", test_per_language_texts},
        {"one-language policy: one-language notices", test_one_language_policy},
        {"GDPR basis named, warned when missing", test_gdpr_basis},
        {"end messages: real cause and outcome", test_end_messages},
        {"privacy_notice_url", test_privacy_notice_url},
        {NULL, NULL},
    };
    int rc = rg_test_run("announce", tests);
    rg_policy_free(pol);
    return rc;
}
