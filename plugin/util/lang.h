/* Languages recgate speaks in chat: announcement language and the word
 * lists of the chat classifier. */
#ifndef RG_LANG_H
#define RG_LANG_H

#include "recgate/error.h"

typedef enum rg_lang {
    RG_LANG_DA = 0, /* Danish */
    RG_LANG_EN = 1, /* English */
    RG_LANG__COUNT
} rg_lang;

/* "da" / "en" -> enum. RG_ERR_ARG for anything else. */
rg_err rg_lang_parse(const char *code, rg_lang *out);
/* enum -> "da" / "en". */
const char *rg_lang_code(rg_lang lang);

/* A list of words or phrases; strings [owned] by whoever owns the list. */
typedef struct rg_word_list {
    char **words;
    size_t n;
} rg_word_list;

#endif
