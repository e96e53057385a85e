/* The name rule of the Janus shim (jnames.h). Pure: GLib's Unicode
 * functions only, no state. */
#include <glib.h>
#include <stdbool.h>
#include <string.h>
#include "janus/jnames.h"

/* Words of a display name: case-folded, letters and digits only, joined
 * by single spaces into `out`. Returns the number of words. */
static int words(const char *name, char *out, size_t cap)
{
    size_t n = 0;
    int count = 0;
    bool in_word = false;
    gchar *fold = name && g_utf8_validate(name, -1, NULL) ? g_utf8_casefold(name, -1) : NULL;
    out[0] = '\0';
    for (const gchar *c = fold; c && *c; c = g_utf8_next_char(c)) {
        gunichar u = g_utf8_get_char(c);
        size_t len = (size_t)(g_utf8_next_char(c) - c);
        if (!g_unichar_isalnum(u)) {
            in_word = false;
            continue;
        }
        if (!in_word && count && n + 1 < cap)
            out[n++] = ' ';
        if (!in_word)
            count++;
        in_word = true;
        if (n + len < cap) {
            memcpy(out + n, c, len);
            n += len;
        }
    }
    out[n] = '\0';
    g_free(fold);
    return count;
}

static void squeeze(const char *w, char *out)
{
    for (; *w; w++)
        if (*w != ' ')
            *out++ = *w;
    *out = '\0';
}

/* Is `a` an initial of `b` (one character, b's first)? */
static bool initial_of(const char *a, size_t la, const char *b)
{
    return g_utf8_next_char(a) == a + la && !strncmp(a, b, la);
}

/* Rule 1: same first word; later words equal or initials. */
static bool loose(const char *a, const char *b)
{
    for (int i = 0;; i++) {
        size_t la = strcspn(a, " "), lb = strcspn(b, " ");
        if (!la || !lb)
            return i > 0;
        bool same = la == lb && !strncmp(a, b, la);
        if (!same && (i == 0 || !(initial_of(a, la, b) || initial_of(b, lb, a))))
            return false;
        a += la + (a[la] == ' ');
        b += lb + (b[lb] == ' ');
    }
}

int rg_jtr_name_level(const char *video, const char *chat)
{
    char a[256], b[256], sa[256], sb[256];
    if (!words(video, a, sizeof a) || !words(chat, b, sizeof b))
        return 0;
    squeeze(a, sa);
    squeeze(b, sb);
    if (!strcmp(a, b) || !strcmp(sa, sb))
        return 2;
    return loose(a, b) ? 1 : 0;
}

