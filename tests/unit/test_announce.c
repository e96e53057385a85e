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
            "\"storage_location\":\"LAGER-789 i Danmark (EU)\""
#define TYPE(name, basis, lang, extra)                                       \
    "\"" name "\":{\"legal_basis\":\"" basis "\",\"window_s\":45,"           \
    "\"retention_days\":77,\"language\":\"" lang "\",\"purpose\":"           \
    "\"FORMÅL-ABC at dokumentere sagen\"" extra "}"

static const char *const policy_json =
    "{" CTL ",\"default_meeting_type\":\"optout\",\"meeting_types\":{"
    TYPE("optout", "opt_out", "da", "") ","
    TYPE("consent", "consent", "da", "") ","
    TYPE("doc", "documentation", "en", "") ","
    TYPE("doccont", "documentation", "da",
         ",\"continue_on_objection\":true,\"justification\":"
         "\"BEGRUNDELSE-XYZ lovkrav\"") ","
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

/* PUBLIC and LATE_JOINER carry the full Art. 13 information. */
static void test_full_information(void)
{
    static const char *const common[] = {
        "Testby Kommune", "kontakt-123@testby.dk", "dpo-456@testby.dk",
        "FORMÅL-ABC at dokumentere sagen", "LAGER-789 i Danmark (EU)", "nej",
        "Datatilsynet", NULL};
    static const char *const da[] = {
        "Formål: ", "Retsgrundlag: ", "Opbevaring: ", "slettes efter 77 dage",
        "45 sekunder", "Fortryder du senere, så kontakt", "kriv nej",
        "Databeskyttelsesrådgiver (DPO): dpo-456@testby.dk", NULL};
    static const char *const en[] = {
        "Purpose: ", "Legal basis: ", "Storage: ", "deleted after 77 days",
        "45 seconds", "If you change your mind later, contact", "nej",
        "Data protection officer (DPO): dpo-456@testby.dk", NULL};
    const char *types[] = {"optout", "consent", "doc", "doccont", "remove"};
    for (size_t i = 0; i < 5; i++) {
        for (int k = RG_NOTICE_PUBLIC; k <= RG_NOTICE_LATE_JOINER; k++) {
            for (int l = 0; l < RG_LANG__COUNT; l++) {
                char *s = text_lang(types[i], (rg_notice)k, (rg_lang)l);
                CU_ASSERT(has_all(s, common, types[i]));
                CU_ASSERT(has_all(s, l == RG_LANG_DA ? da : en, types[i]));
                free(s);
            }
        }
    }
}

static void test_basis_in_plain_words(void)
{
    struct { const char *type, *da, *en; } want[] = {
        {"optout", "Retsgrundlag: ingen indsigelse (opt-out).",
         "Legal basis: no objection (opt-out)."},
        {"consent", "Retsgrundlag: samtykke.", "Legal basis: consent."},
        {"doc", "Retsgrundlag: dokumentation.", "Legal basis: documentation."},
    };
    for (size_t i = 0; i < 3; i++) {
        char *d = text_lang(want[i].type, RG_NOTICE_PUBLIC, RG_LANG_DA);
        char *e = text_lang(want[i].type, RG_NOTICE_PUBLIC, RG_LANG_EN);
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
        "Skriv nej, hvis du ikke vil optages", "Tavshed er ikke samtykke",
        "intet bliver optaget uden alles ja", NULL};
    static const char *const en[] = {
        "Write ja (or yes) in the chat if you consent",
        "Write nej (or no) if you do not want to be recorded",
        "Silence is not consent", "nothing is recorded without everyone's yes",
        NULL};
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
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "uden samtykke"));
    CU_ASSERT_PTR_NULL(strstr(d, "fortsætter, fordi"));
    free(d);
    for (int l = 0; l < RG_LANG__COUNT; l++) {
        rg_notice kinds[] = {RG_NOTICE_PUBLIC, RG_NOTICE_LATE_JOINER,
                             RG_NOTICE_STARTED, RG_NOTICE_OBJECTION_LOGGED,
                             RG_NOTICE_OBJECTION_ACK, RG_NOTICE_RESUMED};
        for (size_t i = 0; i < 6; i++) {
            char *s = text_lang("doccont", kinds[i], (rg_lang)l);
            CU_ASSERT_PTR_NOT_NULL(strstr(s, "BEGRUNDELSE-XYZ lovkrav."));
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
         {"bliver ikke optaget", "Intet er blevet optaget", "forlader", NULL},
         {"will not be recorded", "Nothing has been recorded", "leaving",
          NULL}},
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
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "made unrecognisable"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "your audio, your video"));
    free(s);
    s = text_lang("optout", RG_NOTICE_PUBLIC, RG_LANG_DA);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "lyd og chat (ikke video)"));
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
        {NULL, NULL},
    };
    int rc = rg_test_run("announce", tests);
    rg_policy_free(pol);
    return rc;
}
