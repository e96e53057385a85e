/* libFuzzer target: rg_policy_parse must never crash, leak or read out of
 * bounds; on success every announcement must also build, in exactly the
 * type's notice languages. On failure the
 * message must be one non-empty line starting with the origin. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "announce.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char errbuf[RG_ERRBUF_SIZE];
    rg_policy *p = NULL;
    rg_err e = rg_policy_parse((const char *)data, size, "fuzz.json", &p,
                               errbuf);
    if (e != RG_OK) {
        if (p || strncmp(errbuf, "fuzz.json: ", 11) != 0 ||
            strchr(errbuf, '\n'))
            abort();
        return 0;
    }
    if (!p || !rg_policy_type(p, NULL))
        abort();
    for (size_t i = 0; i < p->n_types; i++) {
        for (int k = 0; k < RG_NOTICE__COUNT; k++) {
            char *text = NULL;
            /* a block for each notice language, none for the others: a
             * notice never mixes languages */
            /* (policy texts cannot hold a newline: "\n\n[" is ours) */
            unsigned langs = p->types[i].langs;
            bool da_first = p->types[i].language == RG_LANG_DA;
            if (rg_announce_text(p, &p->types[i], (rg_notice)k, &text) ||
                !(langs & (1u << p->types[i].language)) ||
                strncmp(text, da_first ? "[Dansk]\n" : "[English]\n",
                        da_first ? 8 : 10) ||
                !strstr(text, da_first ? "\n\n[English]\n" : "\n\n[Dansk]\n") !=
                    !(langs & (1u << (da_first ? RG_LANG_EN : RG_LANG_DA))))
                abort();
            free(text);
        }
    }
    rg_policy_free(p);
    return 0;
}
