#include <string.h>
#include "lang.h"

static const char *const lang_codes[RG_LANG__COUNT] = {"da", "en"};

rg_err rg_lang_parse(const char *code, rg_lang *out)
{
    if (!code || !out)
        return RG_ERR_ARG;
    for (int i = 0; i < RG_LANG__COUNT; i++) {
        if (strcmp(code, lang_codes[i]) == 0) {
            *out = (rg_lang)i;
            return RG_OK;
        }
    }
    return RG_ERR_ARG;
}

const char *rg_lang_code(rg_lang lang)
{
    return (lang >= 0 && lang < RG_LANG__COUNT) ? lang_codes[lang] : "??";
}
