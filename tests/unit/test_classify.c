/* Chat intent classifier: a labelled table of real-world messages (both
 * languages, every pitfall from docs/classifier.md), mutation properties
 * (an objection stays an objection however it is dressed up; consent plus
 * doubt is never consent), extra words, invalid UTF-8, lengths. */
#include <stdlib.h>
#include <string.h>
#include "classify.h"
#include "testutil.h"

#define ANY (-1)
#define OBJ RG_INTENT_OBJECTION
#define CON RG_INTENT_CONSENT
#define NON RG_INTENT_NONE

typedef struct tcase {
    const char *text;
    int lang;        /* RG_LANG_DA, RG_LANG_EN or ANY (both) */
    rg_intent want;
    int anywhere;    /* objection: must survive being put in a sentence */
} tcase;

static const tcase cases[] = {
    /* The legal-basis objection words, anywhere. */
    {"nej", ANY, OBJ, 1}, {"nej tak", ANY, OBJ, 1},
    {"ingen optagelse", ANY, OBJ, 1}, {"optag ikke", ANY, OBJ, 1},
    {"stop", ANY, OBJ, 1}, {"stop optagelsen", ANY, OBJ, 1},
    {"jeg gør indsigelse", ANY, OBJ, 1}, {"indsigelse", ANY, OBJ, 1},
    {"jeg ønsker ikke at blive optaget", ANY, OBJ, 1},
    {"jeg vil ikke optages", ANY, OBJ, 1}, {"accepterer ikke", ANY, OBJ, 1},
    {"trækker mit samtykke tilbage", ANY, OBJ, 1},
    {"jeg trækker mit samtykke tilbage", ANY, OBJ, 1},
    {"no", ANY, OBJ, 1}, {"no thanks", ANY, OBJ, 1}, {"opt out", ANY, OBJ, 1},
    {"I object", ANY, OBJ, 1}, {"do not record", ANY, OBJ, 1},
    /* Issue examples and more lexicon. */
    {"nix", ANY, OBJ, 1}, {"absolut ikke", ANY, OBJ, 1},
    {"ikke optag", ANY, OBJ, 1}, {"slet optagelsen", ANY, OBJ, 1},
    {"don't record", ANY, OBJ, 1}, {"please don't record", ANY, OBJ, 1},
    {"no recording", ANY, OBJ, 1}, {"I do not consent", ANY, OBJ, 1},
    {"I withdraw my consent", ANY, OBJ, 1}, {"stop recording", ANY, OBJ, 1},
    {"opt-out", ANY, OBJ, 1}, {"optout", ANY, OBJ, 1},
    {"nope", ANY, OBJ, 1}, {"nah", ANY, OBJ, 1}, {"næ", ANY, OBJ, 1},
    {"næh", ANY, OBJ, 1}, {"nejtak", ANY, OBJ, 1},
    {"stands optagelsen", ANY, OBJ, 1}, {"sluk optagelsen", ANY, OBJ, 1},
    {"afbryd optagelsen", ANY, OBJ, 1}, {"slet mig", ANY, OBJ, 1},
    {"jeg protesterer", ANY, OBJ, 1}, {"jeg fortryder", ANY, OBJ, 1},
    {"jeg tilbagekalder mit samtykke", ANY, OBJ, 1},
    {"bestemt ikke", ANY, OBJ, 1}, {"på ingen måde", ANY, OBJ, 1},
    {"uenig", ANY, OBJ, 1}, {"jeg afslår", ANY, OBJ, 1},
    {"jeg nægter", ANY, OBJ, 1}, {"ingen optagelser tak", ANY, OBJ, 1},
    {"I don't want to be recorded", ANY, OBJ, 1},
    {"I refuse", ANY, OBJ, 1}, {"I decline", ANY, OBJ, 1},
    {"delete the recording", ANY, OBJ, 1}, {"turn off the recording", ANY, OBJ, 1},
    {"absolutely not", ANY, OBJ, 1}, {"definitely not", ANY, OBJ, 1},
    {"of course not", ANY, OBJ, 1}, {"not at all", ANY, OBJ, 1},
    {"no way", ANY, OBJ, 1}, {"I disagree", ANY, OBJ, 1},
    {"withdraw consent", ANY, OBJ, 1}, {"objection", ANY, OBJ, 1},
    {"i revoke my consent", ANY, OBJ, 1}, {"halt", ANY, OBJ, 1},
    /* Negation turns consent into objection. */
    {"ikke ok", ANY, OBJ, 1}, {"IKKE OK!", ANY, OBJ, 1},
    {"not ok", ANY, OBJ, 1}, {"not okay", ANY, OBJ, 1},
    {"I don't agree", ANY, OBJ, 1}, {"I do not agree", ANY, OBJ, 1},
    {"I dont agree", ANY, OBJ, 1}, {"I don’t agree", ANY, OBJ, 1},
    {"jeg samtykker ikke", ANY, OBJ, 1}, {"jeg accepterer ikke", ANY, OBJ, 1},
    {"ikke enig", ANY, OBJ, 1}, {"godkender ikke", ANY, OBJ, 1},
    {"i don't consent", ANY, OBJ, 1}, {"I dont consent", ANY, OBJ, 1},
    {"jeg giver ikke samtykke", ANY, OBJ, 1},
    {"det er ikke ok", ANY, OBJ, 1}, {"det er ikke i orden", ANY, OBJ, 1},
    {"I'm not ok with that", ANY, OBJ, 0}, {"I never agreed", ANY, OBJ, 0},
    {"jeg er ikke enig", ANY, OBJ, 1}, {"jeg accepterer det ikke", ANY, OBJ, 0},
    {"I can't accept that", ANY, OBJ, 0}, {"I won't consent", ANY, OBJ, 0},
    /* Case, punctuation, repeats, full-width, emoji, whitespace tricks. */
    {"NEJ!!", ANY, OBJ, 1}, {"Nej.", ANY, OBJ, 1}, {"neej", ANY, OBJ, 1},
    {"NEJJJ", ANY, OBJ, 1}, {"noooo", ANY, OBJ, 1}, {"NOOOO!!!", ANY, OBJ, 1},
    {"neeeeeeeeeej", ANY, OBJ, 1}, {"nejnej", ANY, OBJ, 1},
    {"nej nej nej", ANY, OBJ, 1}, {"nonono", ANY, OBJ, 1},
    {"No.", ANY, OBJ, 1}, {"¡No!", ANY, OBJ, 1}, {"'nej'", ANY, OBJ, 1},
    {"\"nej\"", ANY, OBJ, 1}, {"(nej)", ANY, OBJ, 1}, {"nej...", ANY, OBJ, 1},
    {"ｎｅｊ", ANY, OBJ, 1}, {"ＮＥＪ！", ANY, OBJ, 1}, {"ｎｏ", ANY, OBJ, 1},
    {"ＳＴＯＰ", ANY, OBJ, 1}, {"n\xe2\x80\x8b" "ej", ANY, OBJ, 1},
    {"ne\xe2\x80\x8d" "j", ANY, OBJ, 1}, {"\xef\xbb\xbfnej", ANY, OBJ, 1},
    {"n\xc2\xad" "ej", ANY, OBJ, 1}, {"nej\xc2\xa0tak", ANY, OBJ, 1},
    {"\tnej\n", ANY, OBJ, 1}, {"nej\r\n", ANY, OBJ, 1},
    {"\xe3\x80\x80nej\xe3\x80\x80", ANY, OBJ, 1},
    {"n\xd0\xb5j", ANY, OBJ, 1},           /* Cyrillic е */
    {"\xd0\xb0" "bsolut ikke", ANY, OBJ, 1},  /* Cyrillic а */
    {"n\xce\xbf", ANY, OBJ, 1},            /* Greek ο */
    {"ne\xcc\x81j", ANY, OBJ, 1},          /* combining acute */
    {"néj", ANY, OBJ, 1}, {"ñej", ANY, OBJ, 1}, {"nëj", ANY, OBJ, 1},
    {"\xf0\x9d\x90\xa7\xf0\x9d\x90\x9e\xf0\x9d\x90\xa3", ANY, OBJ, 1}, /* 𝐧𝐞𝐣 */
    {"\xe2\x93\x9d\xe2\x93\x94\xe2\x93\x99", ANY, OBJ, 1},             /* ⓝⓔⓙ */
    {"n e j", ANY, OBJ, 1}, {"N.E.J.", ANY, OBJ, 1}, {"n-e-j", ANY, OBJ, 1},
    {"nej1", ANY, OBJ, 1}, {"NEJ 🙅", ANY, OBJ, 1}, {"😡 nej 😡", ANY, OBJ, 1},
    {"STOP!!!", ANY, OBJ, 1}, {"stopp", ANY, OBJ, 1},
    {"INGEN OPTAGELSE", ANY, OBJ, 1}, {"Ingen   optagelse", ANY, OBJ, 1},
    {"ØNSKER IKKE AT BLIVE OPTAGET", ANY, OBJ, 1},
    {"jeg onsker ikke at blive optaget", ANY, OBJ, 0},
    {"jeg gor indsigelse", ANY, OBJ, 1},
    {"traekker mit samtykke tilbage", ANY, OBJ, 1},
    {"maaske", ANY, OBJ, 1}, {"MÅSKE", ANY, OBJ, 1},
    /* Objection emoji. */
    {"👎", ANY, OBJ, 1}, {"❌", ANY, OBJ, 1}, {"🚫", ANY, OBJ, 1},
    {"✋", ANY, OBJ, 1}, {"✋🏽", ANY, OBJ, 1}, {"🛑", ANY, OBJ, 1},
    {"⛔", ANY, OBJ, 1}, {"👎👎👎", ANY, OBJ, 1}, {"ok 👎", ANY, OBJ, 1},
    {"ja ❌", ANY, OBJ, 1}, {"🙅‍♀️", ANY, OBJ, 1},
    /* An objection word anywhere, even in a longer sentence. */
    {"nej, det tror jeg ikke", ANY, OBJ, 1},
    {"Nej tak, jeg vil helst ikke optages", ANY, OBJ, 1},
    {"no, please don't", ANY, OBJ, 1}, {"hej alle, nej tak", ANY, OBJ, 1},
    {"ja nej", ANY, OBJ, 1}, {"yes no", ANY, OBJ, 1}, {"ok stop", ANY, OBJ, 1},
    {"no problem, but no", ANY, OBJ, 1}, {"jeg siger nej", ANY, OBJ, 1},
    {"no problem", ANY, NON, 0}, {"nej hvor sjovt", ANY, NON, 0},
    /* Doubt: questions, maybe, consent mixed with other content. */
    {"ja?", ANY, OBJ, 0}, {"ok?", ANY, OBJ, 0}, {"yes?", ANY, OBJ, 0},
    {"ja??", ANY, OBJ, 0}, {"ok ？", ANY, OBJ, 0}, {"¿ok", ANY, OBJ, 0},
    {"ja ❓", ANY, OBJ, 0}, {"?", ANY, OBJ, 0}, {"???", ANY, OBJ, 0},
    {"måske", ANY, OBJ, 1}, {"maybe", ANY, OBJ, 1}, {"ja måske", ANY, OBJ, 1},
    {"maybe yes", ANY, OBJ, 1}, {"perhaps", ANY, OBJ, 1},
    {"muligvis", ANY, OBJ, 1}, {"idk", ANY, OBJ, 1}, {"unsure", ANY, OBJ, 1},
    {"hmm", ANY, OBJ, 0}, {"hmmm ok", ANY, OBJ, 0}, {"tja", ANY, OBJ, 0},
    {"ved ikke", ANY, OBJ, 0}, {"det ved jeg ikke", ANY, OBJ, 0},
    {"I don't know", ANY, OBJ, 0}, {"not sure", ANY, OBJ, 0},
    {"ikke sikker", ANY, OBJ, 0}, {"vent", ANY, OBJ, 0}, {"wait", ANY, OBJ, 0},
    {"ikke nu", ANY, OBJ, 0}, {"not now", ANY, OBJ, 0},
    {"ikke", ANY, OBJ, 0}, {"not", ANY, OBJ, 0}, {"aldrig", ANY, OBJ, 0},
    {"never", ANY, OBJ, 0}, {"not today", ANY, OBJ, 0},
    {"hvad?", ANY, OBJ, 0}, {"what", ANY, OBJ, 0},
    {"ja, men kun lyd", ANY, OBJ, 0}, {"ok, but only audio", ANY, OBJ, 0},
    {"ja hvis det er nødvendigt", ANY, OBJ, 0},
    {"yes if you must", ANY, OBJ, 0}, {"ok fine whatever", ANY, OBJ, 0},
    {"ja jeg kan høre dig", ANY, OBJ, 0}, {"yes I can hear you", ANY, OBJ, 0},
    {"ok men hvem ser optagelsen", ANY, OBJ, 0},
    {"optages det her?", ANY, OBJ, 0}, {"is this being recorded", ANY, OBJ, 0},
    {"hvem får optagelsen", ANY, OBJ, 0}, {"recording?", ANY, OBJ, 0},
    {"I agree with Peter", ANY, OBJ, 0}, {"I accept the terms but", ANY, OBJ, 0},
    {"ja ja ja ja ja ja ja ja ja ja ja ja ja ja ja ja ja", ANY, OBJ, 0},
    {"samtykke?", ANY, OBJ, 0},
    /* Unrelated chat and non-explicit answers: none. */
    {"hej alle", ANY, NON, 0}, {"god morgen", ANY, NON, 0},
    {"can you hear me", ANY, NON, 0}, {"can you hear me?", ANY, NON, 0},
    {"hvornår starter vi", ANY, NON, 0}, {"hvornår starter vi?", ANY, NON, 0},
    {"now", ANY, NON, 0}, {"I know", ANY, NON, 0}, {"nothing", ANY, NON, 0},
    {"I know nothing about it", ANY, NON, 0}, {"Nordic", ANY, NON, 0},
    {"node", ANY, NON, 0}, {"nejlikerne er smukke", ANY, NON, 0},
    {"stoppested", ANY, NON, 0}, {"november", ANY, NON, 0},
    {"notes will follow", ANY, NON, 0}, {"kan I se min skærm", ANY, NON, 0},
    {"jeg kan ikke høre dig", ANY, NON, 0},
    {"I can't hear you, can you unmute", ANY, NON, 0},
    {"lyden er lidt dårlig i dag", ANY, NON, 0}, {"👍", ANY, NON, 0},
    {"✅", ANY, NON, 0}, {"👍👍", ANY, NON, 0}, {"🙂", ANY, NON, 0},
    {"", ANY, NON, 0}, {"   ", ANY, NON, 0}, {"!!!", ANY, NON, 0},
    {"tak", ANY, NON, 0}, {"thanks", ANY, NON, 0}, {"mange tak", ANY, NON, 0},
    {"fint", ANY, NON, 0}, {"please", ANY, NON, 0}, {"hello everyone", ANY, NON, 0},
    {"link: https://example.org/agenda", ANY, NON, 0},
    {"12:30", ANY, NON, 0}, {"日本語のテキスト", ANY, NON, 0},
    {"\xe2\x80\x8b", ANY, NON, 0},
    /* Consent: the whole message is a clear consent phrase. */
    {"ja", RG_LANG_DA, CON, 0}, {"Ja", RG_LANG_DA, CON, 0},
    {"JA!", RG_LANG_DA, CON, 0}, {"ja tak", RG_LANG_DA, CON, 0},
    {"Ja tak!", RG_LANG_DA, CON, 0}, {"jaaa", RG_LANG_DA, CON, 0},
    {"ja gerne", RG_LANG_DA, CON, 0}, {"ja, gerne 😊", RG_LANG_DA, CON, 0},
    {"jeg samtykker", RG_LANG_DA, CON, 0},
    {"Jeg samtykker.", RG_LANG_DA, CON, 0},
    {"jeg accepterer", RG_LANG_DA, CON, 0}, {"accepterer", RG_LANG_DA, CON, 0},
    {"det er fint", RG_LANG_DA, CON, 0}, {"ja det er fint", RG_LANG_DA, CON, 0},
    {"ja, det er fint med mig", RG_LANG_DA, OBJ, 0},
    {"fint med mig", RG_LANG_DA, CON, 0}, {"helt fint", RG_LANG_DA, CON, 0},
    {"jeg samtykker til optagelsen", RG_LANG_DA, CON, 0},
    {"ja til optagelse", RG_LANG_DA, CON, 0},
    {"ＪＡ", RG_LANG_DA, CON, 0}, {"ja ja", RG_LANG_DA, CON, 0},
    {"jaja", RG_LANG_DA, CON, 0}, {"ja 👍", RG_LANG_DA, CON, 0},
    {"ok", ANY, CON, 0}, {"OK", ANY, CON, 0}, {"okay", ANY, CON, 0},
    {"ok!", ANY, CON, 0}, {"ok 👍", ANY, CON, 0}, {"ok tak", ANY, CON, 0},
    {"Okay, thanks", ANY, CON, 0}, {"ｏｋ", ANY, CON, 0}, {"okk", ANY, CON, 0},
    {"yes", ANY, CON, 0}, {"Yes!", ANY, CON, 0}, {"yes please", ANY, CON, 0},
    {"yes, thank you", ANY, CON, 0}, {"yesss", ANY, CON, 0},
    {"I consent", RG_LANG_EN, CON, 0}, {"I agree", RG_LANG_EN, CON, 0},
    {"I agree.", RG_LANG_EN, CON, 0}, {"yes, I agree", RG_LANG_EN, CON, 0},
    {"yes I consent", RG_LANG_EN, CON, 0}, {"sure", RG_LANG_EN, CON, 0},
    {"yeah", RG_LANG_EN, CON, 0}, {"yep", RG_LANG_EN, CON, 0},
    {"that's fine", RG_LANG_EN, CON, 0}, {"that’s fine", RG_LANG_EN, CON, 0},
    {"fine by me", RG_LANG_EN, CON, 0}, {"I consent to the recording", RG_LANG_EN, CON, 0},
    {"go ahead", RG_LANG_EN, CON, 0}, {"I accept", RG_LANG_EN, CON, 0},
    /* Consent phrases of the other language are not consent (none). */
    {"ja", RG_LANG_EN, NON, 0}, {"ja tak", RG_LANG_EN, NON, 0},
    {"jeg samtykker", RG_LANG_EN, NON, 0}, {"I consent", RG_LANG_DA, NON, 0},
    {"I agree", RG_LANG_DA, NON, 0}, {"sure", RG_LANG_DA, NON, 0},
    {"ja, I agree", RG_LANG_DA, NON, 0},
};
#define NCASES (sizeof cases / sizeof cases[0])

static rg_classifier *clf;

static rg_intent classify(const rg_classifier *c, rg_lang lang,
                          const char *text, size_t len, rg_err *err)
{
    rg_intent got = (rg_intent)99;
    /* Exact-size heap copy: ASan catches any read past len. */
    char *copy = malloc(len ? len : 1);
    CU_ASSERT_FATAL(copy != NULL);
    memcpy(copy, text, len);
    rg_err e = rg_classify(c, lang, copy, len, &got);
    free(copy);
    if (err)
        *err = e;
    else
        CU_ASSERT_EQUAL(e, RG_OK);
    return got;
}

static rg_intent cls(rg_lang lang, const char *text)
{
    return classify(clf, lang, text, strlen(text), NULL);
}

static int check(const char *label, rg_lang lang, const char *text,
                 rg_intent want)
{
    rg_intent got = cls(lang, text);
    if (got != want)
        fprintf(stderr, "\n  %s [%s] \"%s\": got %s, want %s", label,
                rg_lang_code(lang), text, rg_intent_name(got),
                rg_intent_name(want));
    CU_ASSERT_EQUAL(got, want);
    return got == want;
}

static void test_table(void)
{
    size_t ok = 0, n = 0;
    CU_ASSERT(NCASES >= 200);
    for (size_t i = 0; i < NCASES; i++)
        for (int l = 0; l < RG_LANG__COUNT; l++)
            if (cases[i].lang == ANY || cases[i].lang == l) {
                n++;
                ok += (size_t)check("table", (rg_lang)l, cases[i].text,
                                    cases[i].want);
            }
    printf("\n  %zu labelled messages, %zu checks, %zu correct\n", NCASES, n, ok);
}

/* The labelled corpus (tests/unit/classify_corpus.tsv): every message must
 * get its label; prints the size per class and category and every miss. */
static int unescape(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = in; *p; p++) {
        unsigned long cp = 0;
        int n = 0;
        if (p[0] == '\\' && (p[1] == 'u' || p[1] == 'U')) {
            int digits = p[1] == 'u' ? 4 : 8;
            for (int i = 0; i < digits; i++) {
                char h = p[2 + i];
                int v = (h >= '0' && h <= '9') ? h - '0'
                      : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                      : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
                if (v < 0)
                    return -1;
                cp = cp * 16 + (unsigned long)v;
            }
            p += 1 + digits;
            char b[4];
            if (cp < 0x80) { b[0] = (char)cp; n = 1; }
            else if (cp < 0x800) { b[0] = (char)(0xC0 | (cp >> 6)); b[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
            else if (cp < 0x10000) { b[0] = (char)(0xE0 | (cp >> 12)); b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); b[2] = (char)(0x80 | (cp & 0x3F)); n = 3; }
            else { b[0] = (char)(0xF0 | (cp >> 18)); b[1] = (char)(0x80 | ((cp >> 12) & 0x3F)); b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); b[3] = (char)(0x80 | (cp & 0x3F)); n = 4; }
            if (o + (size_t)n >= cap)
                return -1;
            memcpy(out + o, b, (size_t)n);
            o += (size_t)n;
            continue;
        }
        if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
            p++;
            out[o++] = *p == 't' ? '\t' : '\n';
        } else {
            out[o++] = *p;
        }
        if (o >= cap)
            return -1;
    }
    out[o] = '\0';
    return (int)o;
}

#define MAX_CATS 32
static void test_corpus(void)
{
    const char *path = getenv("RG_CLASSIFY_CORPUS");
    FILE *f = fopen(path ? path : "tests/unit/classify_corpus.tsv", "r");
    CU_ASSERT_FATAL(f != NULL);
    char line[2048], text[2048];
    char cats[MAX_CATS][32];
    size_t ncat = 0, per_cat[MAX_CATS] = {0}, miss_cat[MAX_CATS] = {0};
    size_t per_label[3] = {0}, miss_label[3] = {0}, n = 0, checks = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *label = strtok(line, "\t"), *lang = strtok(NULL, "\t");
        char *cat = strtok(NULL, "\t"), *raw = strtok(NULL, "");
        CU_ASSERT_FATAL(label && lang && cat);
        int len = unescape(raw ? raw : "", text, sizeof text);
        CU_ASSERT_FATAL(len >= 0);
        rg_intent want = strcmp(label, "objection") == 0 ? OBJ
                       : strcmp(label, "consent") == 0 ? CON : NON;
        CU_ASSERT_FATAL(want != NON || strcmp(label, "none") == 0);
        size_t ci = 0;
        while (ci < ncat && strcmp(cats[ci], cat) != 0)
            ci++;
        if (ci == ncat) {
            CU_ASSERT_FATAL(ncat < MAX_CATS);
            snprintf(cats[ncat++], sizeof cats[0], "%s", cat);
        }
        n++;
        per_cat[ci]++;
        per_label[want]++;
        int missed = 0;
        for (int l = 0; l < RG_LANG__COUNT; l++) {
            if (strcmp(lang, "any") != 0 && strcmp(lang, rg_lang_code((rg_lang)l)) != 0)
                continue;
            checks++;
            rg_intent got = classify(clf, (rg_lang)l, text, (size_t)len, NULL);
            if (got != want) {
                missed = 1;
                fprintf(stderr, "\n  corpus %s [%s] \"%s\": got %s, want %s", cat,
                        rg_lang_code((rg_lang)l), raw ? raw : "",
                        rg_intent_name(got), label);
            }
        }
        miss_cat[ci] += (size_t)missed;
        miss_label[want] += (size_t)missed;
    }
    fclose(f);
    printf("\n  corpus: %zu messages, %zu checks\n", n, checks);
    for (int k = 0; k < 3; k++)
        printf("    %-9s %4zu messages, %zu misclassified\n",
               rg_intent_name((rg_intent)k), per_label[k], miss_label[k]);
    for (size_t i = 0; i < ncat; i++)
        printf("    %-20s %4zu messages, %zu misclassified\n", cats[i],
               per_cat[i], miss_cat[i]);
    CU_ASSERT(n >= 600);
    CU_ASSERT_EQUAL(miss_label[0] + miss_label[1] + miss_label[2], 0);
}

/* Acceptance: every objection is an objection; nothing that is not a
 * consent (in any language) is ever consent. */
static void test_acceptance(void)
{
    size_t nobj = 0, nnon = 0;
    for (size_t i = 0; i < NCASES; i++) {
        for (int l = 0; l < RG_LANG__COUNT; l++) {
            rg_intent got = cls((rg_lang)l, cases[i].text);
            if (cases[i].want == OBJ) {
                nobj++;
                CU_ASSERT_EQUAL(got, OBJ);
            }
            if (cases[i].want != CON && cases[i].lang == ANY) {
                nnon++;
                CU_ASSERT_NOT_EQUAL(got, CON);
            }
        }
    }
    printf("\n  %zu objection checks, %zu never-consent checks\n", nobj, nnon);
}

/* Dressing up: text -> variant, written into out (big enough). */
static void upper(const char *s, char *out)
{
    for (; *s; s++)
        *out++ = (*s >= 'a' && *s <= 'z') ? (char)(*s - 32) : *s;
    *out = '\0';
}

static void fullwidth(const char *s, char *out)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ') {
            memcpy(out, "\xe3\x80\x80", 3); /* U+3000 */
            out += 3;
        } else if (c > 0x20 && c < 0x7F) {
            unsigned cp = c + 0xFEE0u;
            *out++ = (char)(0xE0 | (cp >> 12));
            *out++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *out++ = (char)(0x80 | (cp & 0x3F));
        } else {
            *out++ = (char)c;
        }
    }
    *out = '\0';
}

static void stretch(const char *s, char *out)
{
    for (; *s; s++) {
        *out++ = *s;
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
            *out++ = *s;
            *out++ = *s;
        }
    }
    *out = '\0';
}

static void zerowidth(const char *s, char *out)
{
    for (; *s; s++) {
        *out++ = *s;
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')) {
            memcpy(out, "\xe2\x80\x8b", 3); /* U+200B */
            out += 3;
        }
    }
    *out = '\0';
}

static void oddspace(const char *s, char *out)
{
    for (; *s; s++) {
        if (*s == ' ') {
            memcpy(out, "\xe2\x80\x83\t", 4); /* em space + tab */
            out += 4;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
}

static void decorate(const char *s, char *out)
{
    sprintf(out, "😀  %s!!! 🎉", s);
}

static void sentence(const char *s, char *out)
{
    sprintf(out, "hej alle, %s, det er vigtigt for mig", s);
}

typedef void (*mutator)(const char *, char *);

static void test_objection_survives_mutation(void)
{
    static const mutator muts[] = {upper, fullwidth, stretch, zerowidth,
                                   oddspace, decorate};
    char buf[1024];
    size_t n = 0;
    for (size_t i = 0; i < NCASES; i++) {
        if (cases[i].want != OBJ || cases[i].lang != ANY ||
            strlen(cases[i].text) > 100)
            continue;
        for (size_t m = 0; m < sizeof muts / sizeof muts[0]; m++) {
            muts[m](cases[i].text, buf);
            for (int l = 0; l < RG_LANG__COUNT; l++, n++)
                check("mutated objection", (rg_lang)l, buf, OBJ);
        }
        if (cases[i].anywhere) {
            sentence(cases[i].text, buf);
            for (int l = 0; l < RG_LANG__COUNT; l++, n++)
                check("objection in a sentence", (rg_lang)l, buf, OBJ);
        }
    }
    printf("\n  %zu mutated objections checked\n", n);
}

/* Consent dressed up stays consent; consent plus doubt never is. */
static void test_consent_mutations(void)
{
    static const mutator keep[] = {upper, fullwidth, stretch, zerowidth,
                                   oddspace, decorate};
    static const char *const spoil[] = {
        "%s?", "%s ?", "måske %s", "%s maybe", "%s nej", "ikke %s",
        "not %s", "%s men ikke nu", "%s, but stop", "hmm %s", "%s 👎",
        "%s, no", "%s ikke", "%s hvis du vil", "%s, if needed",
    };
    char buf[1024];
    size_t n = 0;
    for (size_t i = 0; i < NCASES; i++) {
        if (cases[i].want != CON)
            continue;
        for (int l = 0; l < RG_LANG__COUNT; l++) {
            if (cases[i].lang != ANY && cases[i].lang != l)
                continue;
            for (size_t m = 0; m < sizeof keep / sizeof keep[0]; m++, n++) {
                keep[m](cases[i].text, buf);
                check("dressed consent", (rg_lang)l, buf, CON);
            }
            for (size_t m = 0; m < sizeof spoil / sizeof spoil[0]; m++, n++) {
                snprintf(buf, sizeof buf, spoil[m], cases[i].text);
                check("consent with doubt", (rg_lang)l, buf, OBJ);
            }
        }
    }
    printf("\n  %zu consent variants checked\n", n);
}

static void test_extra_words(void)
{
    char *obj_da[] = {"jeg siger fra", "NIKS!!"};
    char *con_da[] = {"kør bare", "Det må I gerne"};
    char *con_en[] = {"roger that"};
    rg_word_list xo[RG_LANG__COUNT] = {{obj_da, 2}, {NULL, 0}};
    rg_word_list xc[RG_LANG__COUNT] = {{con_da, 2}, {con_en, 1}};
    rg_classifier *c = NULL;
    char errbuf[RG_ERRBUF_SIZE];
    rg_intent got;
    CU_ASSERT_EQUAL_FATAL(rg_classifier_new(xo, xc, &c, errbuf), RG_OK);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_EN, "jeg siger fra", 13, NULL), OBJ);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_DA, "JEG SIGER FRAAA!", 16, NULL), OBJ);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_DA, "hej, jeg siger fra til det", 26, NULL), OBJ);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_EN, "niks", 4, NULL), OBJ);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_DA, "kør bare", strlen("kør bare"), NULL), CON);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_DA, "KOER BARE tak", 13, NULL), CON);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_DA, "det må i gerne!", strlen("det må i gerne!"), NULL), CON);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_EN, "kør bare", strlen("kør bare"), NULL), NON);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_DA, "kør bare?", strlen("kør bare?"), NULL), OBJ);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_EN, "Roger that.", 11, NULL), CON);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_DA, "roger that", 10, NULL), NON);
    /* built-ins still work alongside */
    CU_ASSERT_EQUAL(classify(c, RG_LANG_DA, "nej", 3, NULL), OBJ);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_DA, "ja", 2, NULL), CON);
    rg_classifier_free(c);
    /* an extra objection may shadow a built-in consent phrase */
    char *obj_en[] = {"okay"};
    rg_word_list xo2[RG_LANG__COUNT] = {{NULL, 0}, {obj_en, 1}};
    CU_ASSERT_EQUAL_FATAL(rg_classifier_new(xo2, NULL, &c, errbuf), RG_OK);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_DA, "okay", 4, NULL), OBJ);
    CU_ASSERT_EQUAL(classify(c, RG_LANG_DA, "ok", 2, NULL), CON);
    rg_classifier_free(c);
    /* the built-in classifier does not know them */
    CU_ASSERT_EQUAL(cls(RG_LANG_DA, "jeg siger fra"), NON);
    CU_ASSERT_EQUAL(cls(RG_LANG_DA, "kør bare"), NON);
    (void)got;
}

static void expect_bad(rg_word_list *xo, rg_word_list *xc, const char *needle)
{
    rg_classifier *c = (rg_classifier *)&c; /* must be reset to NULL */
    char errbuf[RG_ERRBUF_SIZE] = "";
    rg_err err = rg_classifier_new(xo, xc, &c, errbuf);
    CU_ASSERT_EQUAL(err, RG_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(c);
    if (!strstr(errbuf, needle))
        fprintf(stderr, "\n  errbuf \"%s\" lacks \"%s\"", errbuf, needle);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, needle));
}

static void test_extra_words_rejected(void)
{
    char *empty[] = {"pas", ""};
    char *punct[] = {"!!! 👎"};
    char *null[] = {"pas", NULL};
    char *ctrl[] = {"\x01"};
    char *bad_utf8[] = {"pa\xffs"};
    char *long_word[] = {"aBcdefghijklmnopqrstuvwxyzaBcdefghijklmnopqrstuvwxyzaBcdefghijklmnopq"};
    char *many[] = {"a b c d e f g h i"};
    char *con_nej[] = {"ja nej"};
    char *con_q[] = {"kør?"};
    char *con_maybe[] = {"maybe ok"};
    rg_word_list l_empty[2] = {{empty, 2}, {NULL, 0}};
    rg_word_list l_punct[2] = {{NULL, 0}, {punct, 1}};
    rg_word_list l_null[2] = {{null, 2}, {NULL, 0}};
    rg_word_list l_ctrl[2] = {{ctrl, 1}, {NULL, 0}};
    rg_word_list l_utf8[2] = {{bad_utf8, 1}, {NULL, 0}};
    rg_word_list l_long[2] = {{long_word, 1}, {NULL, 0}};
    rg_word_list l_many[2] = {{NULL, 0}, {many, 1}};
    rg_word_list l_nolist[2] = {{NULL, 3}, {NULL, 0}};
    rg_word_list l_nej[2] = {{con_nej, 1}, {NULL, 0}};
    rg_word_list l_q[2] = {{con_q, 1}, {NULL, 0}};
    rg_word_list l_maybe[2] = {{NULL, 0}, {con_maybe, 1}};
    expect_bad(l_empty, NULL, "extra objection word 2 (da) \"\" has no letters");
    expect_bad(l_punct, NULL, "extra objection word 1 (en)");
    expect_bad(NULL, l_punct, "extra consent word 1 (en) \"!!! 👎\" has no letters");
    expect_bad(l_ctrl, NULL, "extra objection word 1 (da) \"?\" has no letters");
    expect_bad(l_null, NULL, "extra objection word 2 (da) \"\" is missing");
    expect_bad(l_utf8, NULL, "is not valid UTF-8");
    expect_bad(NULL, l_long, "longer than 64 bytes");
    expect_bad(l_many, NULL, "more than 8 words");
    expect_bad(l_nolist, NULL, "3 entries but no list");
    expect_bad(NULL, l_nej, "extra consent word 1 (da) \"ja nej\" contains an objection");
    expect_bad(NULL, l_q, "contains an objection or doubt word or a question mark");
    expect_bad(NULL, l_maybe, "extra consent word 1 (en) \"maybe ok\"");
    CU_ASSERT_EQUAL(rg_classifier_new(NULL, NULL, NULL, NULL), RG_ERR_ARG);
}

static void test_invalid_utf8(void)
{
    static const char *const bad[] = {
        "\xff", "nej\xff", "ja\xc3", "\xc0\xaf", "\xe0\x80\xaf", "ja \xed\xa0\x80",
        "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "ok\x80", "\xe2\x82",
        "ja tak \xf0\x9f\x91", "ok \xc3\x28",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (int l = 0; l < RG_LANG__COUNT; l++) {
            rg_err err;
            rg_intent got = classify(clf, (rg_lang)l, bad[i], strlen(bad[i]), &err);
            CU_ASSERT_EQUAL(err, RG_ERR_PARSE);
            CU_ASSERT_EQUAL(got, OBJ);
        }
}

static void test_len_and_nul(void)
{
    rg_err err;
    rg_intent got = (rg_intent)99;
    /* len is the only bound: bytes after it are never looked at */
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, "nej", 1, NULL), NON);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, "ja nej", 2, NULL), CON);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, "nej", 3, NULL), OBJ);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, "ja\xff", 2, NULL), CON);
    /* an embedded NUL separates words; it hides nothing */
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, "ja\0nej", 6, NULL), OBJ);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, "ja\0", 3, NULL), CON);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, "\0\0\0", 3, NULL), NON);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, "n\0ej", 4, NULL), NON);
    /* NULL text with len 0 is an empty message */
    CU_ASSERT_EQUAL(rg_classify(clf, RG_LANG_DA, NULL, 0, &got), RG_OK);
    CU_ASSERT_EQUAL(got, NON);
    /* bad arguments fail closed */
    got = CON;
    CU_ASSERT_EQUAL(rg_classify(clf, RG_LANG_DA, NULL, 3, &got), RG_ERR_ARG);
    CU_ASSERT_EQUAL(got, OBJ);
    got = CON;
    CU_ASSERT_EQUAL(rg_classify(NULL, RG_LANG_DA, "ja", 2, &got), RG_ERR_ARG);
    CU_ASSERT_EQUAL(got, OBJ);
    got = CON;
    CU_ASSERT_EQUAL(rg_classify(clf, (rg_lang)7, "ja", 2, &got), RG_ERR_ARG);
    CU_ASSERT_EQUAL(got, OBJ);
    CU_ASSERT_EQUAL(rg_classify(clf, RG_LANG_DA, "ja", 2, NULL), RG_ERR_ARG);
    (void)err;
}

static char *repeat(const char *unit, size_t times, const char *tail, size_t *len)
{
    size_t ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(ul * times + tl + 1);
    CU_ASSERT_FATAL(s != NULL);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * ul, unit, ul);
    memcpy(s + ul * times, tail, tl + 1);
    *len = ul * times + tl;
    return s;
}

static void test_long_input(void)
{
    size_t len;
    char *s;
    /* an objection after megabytes of chatter is still found */
    s = repeat("hej alle, kan I høre mig? ", 40000, "nej", &len);
    CU_ASSERT(len > 1000000);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, s, len, NULL), OBJ);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, s, len - 3, NULL), NON);
    free(s);
    /* a long run of consent is not a clear consent */
    s = repeat("ja ", 5000, "", &len);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, s, len, NULL), OBJ);
    free(s);
    /* one enormous word: a repeated objection still reads as one */
    s = repeat("nej", 100000, "", &len);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, s, len, NULL), OBJ);
    free(s);
    s = repeat("N", 100000, "EJ", &len);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, s, len, NULL), OBJ);
    free(s);
    s = repeat("ja", 100000, "", &len);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, s, len, NULL), CON);
    free(s);
    s = repeat("xy", 100000, "z", &len);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, s, len, NULL), NON);
    free(s);
    /* a long non-Latin word overflows safely */
    s = repeat("\xe6\x97\xa5\xe6\x9c\xac", 5000, " nej", &len);
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_EN, s, len, NULL), OBJ);
    free(s);
    /* invalid UTF-8 at the very end of a long message is still caught */
    s = repeat("god morgen ", 100000, "\xc3", &len);
    rg_err err;
    CU_ASSERT_EQUAL(classify(clf, RG_LANG_DA, s, len, &err), OBJ);
    CU_ASSERT_EQUAL(err, RG_ERR_PARSE);
    free(s);
}

static void test_names(void)
{
    CU_ASSERT_STRING_EQUAL(rg_intent_name(RG_INTENT_NONE), "none");
    CU_ASSERT_STRING_EQUAL(rg_intent_name(RG_INTENT_CONSENT), "consent");
    CU_ASSERT_STRING_EQUAL(rg_intent_name(RG_INTENT_OBJECTION), "objection");
    CU_ASSERT_STRING_EQUAL(rg_intent_name((rg_intent)42), "unknown");
}

static void test_setup(void)
{
    char errbuf[RG_ERRBUF_SIZE];
    CU_ASSERT_EQUAL_FATAL(rg_classifier_new(NULL, NULL, &clf, errbuf), RG_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(clf);
}

static void test_teardown(void)
{
    rg_classifier_free(clf);
    clf = NULL;
    rg_classifier_free(NULL);
}

static const rg_test tests[] = {
    {"build classifier", test_setup},
    {"labelled table", test_table},
    {"labelled corpus (classify_corpus.tsv)", test_corpus},
    {"acceptance: objections, never false consent", test_acceptance},
    {"objections survive mutation", test_objection_survives_mutation},
    {"consent mutations", test_consent_mutations},
    {"extra words", test_extra_words},
    {"bad extra words rejected", test_extra_words_rejected},
    {"invalid UTF-8 -> parse error, objection", test_invalid_utf8},
    {"len bound and embedded NUL", test_len_and_nul},
    {"very long input", test_long_input},
    {"intent names", test_names},
    {"free", test_teardown},
    {NULL, NULL},
};

int main(void)
{
    return rg_test_run("classify", tests);
}
