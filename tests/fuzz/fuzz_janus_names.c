/* libFuzzer target: the Janus shim's chat-name <-> video-name rule
 * (sdk-shims/janus/textroom.c) on arbitrary display names. The input is
 * split at the first NUL into a video name and a chat name.
 * Invariants: a level in 0..2; the rule is symmetric; a name that has a
 * word matches itself at level 2; never reads past either string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "janus/jnames.h"

static int has_word(const char *s)
{
    /* Cheap ASCII check: a letter or digit (UTF-8 words count too, but an
     * ASCII one is enough to know the name has a word). */
    for (; *s; s++)
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9'))
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 2);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    buf[size + 1] = '\0';
    const char *a = buf, *b = buf + strlen(buf) + 1;
    int ab = rg_jtr_name_level(a, b), ba = rg_jtr_name_level(b, a);
    if (ab < 0 || ab > 2 || ab != ba)
        abort();
    if (has_word(a) && g_utf8_validate(a, -1, NULL) && rg_jtr_name_level(a, a) != 2)
        abort();
    free(buf);
    return 0;
}
