/* libFuzzer target: classify arbitrary bytes in both languages.
 * Invariants: always a valid label; invalid UTF-8 -> RG_ERR_PARSE and
 * objection; the ASCII words " nej tak " or " stop " anywhere -> objection
 * (a bare "nej" may be part of a neutral idiom: "nej hvor sjovt");
 * consent never when the bytes hold '?'; the result is the same for the
 * same input; prefixing "nej tak " always gives objection. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "classify.h"

static rg_classifier *clf;

static int contains(const uint8_t *d, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(d + i, needle, k) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!clf) {
        char errbuf[RG_ERRBUF_SIZE];
        char *xo[] = {"jeg siger pas"};
        char *xc[] = {"kør bare"};
        rg_word_list lo[RG_LANG__COUNT] = {{xo, 1}, {NULL, 0}};
        rg_word_list lc[RG_LANG__COUNT] = {{xc, 1}, {NULL, 0}};
        if (rg_classifier_new(lo, lc, &clf, errbuf) != RG_OK)
            abort();
    }
    const char *text = (const char *)data;
    int has_nej = contains(data, size, " nej tak ") || contains(data, size, " stop ");
    int has_q = contains(data, size, "?");
    for (int l = 0; l < RG_LANG__COUNT; l++) {
        rg_intent a = (rg_intent)99, b = (rg_intent)99;
        rg_err ea = rg_classify(clf, (rg_lang)l, text, size, &a);
        rg_err eb = rg_classify(clf, (rg_lang)l, text, size, &b);
        if (a != RG_INTENT_NONE && a != RG_INTENT_CONSENT &&
            a != RG_INTENT_OBJECTION)
            abort();
        if (ea != RG_OK && ea != RG_ERR_PARSE)
            abort();
        if (ea == RG_ERR_PARSE && a != RG_INTENT_OBJECTION)
            abort();
        if (ea != eb || a != b)
            abort(); /* pure: same input, same answer */
        if (has_nej && a != RG_INTENT_OBJECTION)
            abort();
        if (has_q && a == RG_INTENT_CONSENT)
            abort();
    }
    /* "nej tak " in front of anything is an objection */
    if (size < 4096) {
        char *buf = malloc(size + 8);
        if (!buf)
            return 0;
        memcpy(buf, "nej tak ", 8);
        memcpy(buf + 8, data, size);
        rg_intent r = RG_INTENT_NONE;
        rg_classify(clf, RG_LANG_EN, buf, size + 8, &r);
        free(buf);
        if (r != RG_INTENT_OBJECTION)
            abort();
    }
    return 0;
}
