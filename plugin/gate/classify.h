/* Chat intent classifier: is a chat message an objection to the recording,
 * a consent, or neither? Pure: no I/O, no global state, thread-safe.
 *
 * Product rule (docs/classifier.md): doubt is an objection, never consent.
 * Objection words of every language count whatever the meeting language;
 * normalisation defeats case, punctuation, emoji, full-width letters and
 * repeated letters; negation turns consent into objection. */
#ifndef RG_CLASSIFY_H
#define RG_CLASSIFY_H

#include <stddef.h>
#include "recgate/error.h"
#include "lang.h"

typedef enum rg_intent {
    RG_INTENT_NONE = 0,
    RG_INTENT_CONSENT = 1,
    RG_INTENT_OBJECTION = 2
} rg_intent;

typedef struct rg_classifier rg_classifier;

/* Build a classifier from the built-in lexicon plus the admin's extra words
 * per language (arrays of RG_LANG__COUNT lists; either may be NULL).
 * The lists are copied. *out [owned]; free with rg_classifier_free. */
rg_err rg_classifier_new(const rg_word_list *extra_objection,
                         const rg_word_list *extra_consent,
                         rg_classifier **out, char *errbuf);
void rg_classifier_free(rg_classifier *c);

/* Classify `len` bytes of `text` (not necessarily NUL-terminated, any
 * bytes). `lang` is the meeting language. Always sets *out. Returns
 * RG_ERR_PARSE for input that is not valid UTF-8 (and sets *out to
 * RG_INTENT_OBJECTION: fail closed). */
rg_err rg_classify(const rg_classifier *c, rg_lang lang, const char *text,
                   size_t len, rg_intent *out);

/* "none" / "consent" / "objection" */
const char *rg_intent_name(rg_intent intent);

#endif
