/* Chat text normalisation: see textnorm.h and docs/classifier.md. */
#include <stdint.h>
#include <string.h>
#include "textnorm.h"

/* What one code point does to the word being built. */
typedef enum cp_kind {
    K_SKIP,  /* invisible: dropped, never splits a word */
    K_SEP,   /* separates words */
    K_LATIN, /* Latin letter(s), folded to ASCII in out[] */
    K_DIGIT, /* ASCII digit in out[] */
    K_OTHER  /* letter of another script, kept as its UTF-8 in out[] */
} cp_kind;

/* Decode one UTF-8 sequence at p (strict: no overlongs, surrogates or
 * code points past U+10FFFF). Returns its length, or -1 if invalid. */
static int utf8_decode(const unsigned char *p, const unsigned char *end,
                       uint32_t *cp)
{
    unsigned char b = p[0];
    int n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b >= 0xC2 && b <= 0xDF) {
        n = 2; *cp = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
        n = 3; *cp = b & 0x0Fu;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F; /* no UTF-16 surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4; *cp = b & 0x07u;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F; /* nothing past U+10FFFF */
    } else {
        return -1;
    }
    if (end - p < n)
        return -1;
    for (int i = 1; i < n; i++) {
        unsigned char c = p[i];
        if (i == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF))
            return -1;
        *cp = (*cp << 6) | (c & 0x3Fu);
    }
    return n;
}

int rg_tn_utf8_len(const char *s, size_t avail)
{
    uint32_t cp;
    if (!avail)
        return -1;
    return utf8_decode((const unsigned char *)s,
                       (const unsigned char *)s + avail, &cp);
}

static int utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* U+00C0..U+00FF folded to ASCII; "" = not a letter (× ÷). */
static const char *const latin1_fold[64] = {
    "a", "a", "a", "a", "ae", "aa", "ae", "c",   /* C0 À..Ç */
    "e", "e", "e", "e", "i", "i", "i", "i",      /* C8 È..Ï */
    "d", "n", "o", "o", "o", "o", "oe", "",      /* D0 Ð..× */
    "oe", "u", "u", "u", "u", "y", "th", "ss",   /* D8 Ø..ß */
    "a", "a", "a", "a", "ae", "aa", "ae", "c",   /* E0 à..ç */
    "e", "e", "e", "e", "i", "i", "i", "i",      /* E8 è..ï */
    "d", "n", "o", "o", "o", "o", "oe", "",      /* F0 ð..÷ */
    "oe", "u", "u", "u", "u", "y", "th", "y",    /* F8 ø..ÿ */
};

/* U+0100..U+017F (Latin Extended-A) in runs: first code point, fold. */
static const struct { uint16_t first; const char *fold; } latin_ext_a[] = {
    {0x0100, "a"}, {0x0106, "c"}, {0x010E, "d"}, {0x0112, "e"},
    {0x011C, "g"}, {0x0124, "h"}, {0x0128, "i"}, {0x0132, "ij"},
    {0x0134, "j"}, {0x0136, "k"}, {0x0139, "l"}, {0x0143, "n"},
    {0x014C, "o"}, {0x0152, "oe"}, {0x0154, "r"}, {0x015A, "s"},
    {0x0162, "t"}, {0x0168, "u"}, {0x0174, "w"}, {0x0176, "y"},
    {0x0179, "z"}, {0x017F, "s"},
};

/* Greek and Cyrillic letters that look like Latin ones (homoglyph tricks
 * such as "nеj" with a Cyrillic е). */
static const struct { uint16_t cp; char c; } confusables[] = {
    {0x0391, 'a'}, {0x0392, 'b'}, {0x0395, 'e'}, {0x0396, 'z'},
    {0x0397, 'h'}, {0x0399, 'i'}, {0x039A, 'k'}, {0x039C, 'm'},
    {0x039D, 'n'}, {0x039F, 'o'}, {0x03A1, 'p'}, {0x03A4, 't'},
    {0x03A5, 'y'}, {0x03A7, 'x'}, {0x03AC, 'a'}, {0x03AD, 'e'},
    {0x03AF, 'i'}, {0x03B1, 'a'}, {0x03B5, 'e'}, {0x03B9, 'i'},
    {0x03BA, 'k'}, {0x03BD, 'v'}, {0x03BF, 'o'}, {0x03C1, 'p'},
    {0x03C4, 't'}, {0x03C5, 'u'}, {0x03C7, 'x'}, {0x03CC, 'o'},
    {0x03CD, 'u'}, {0x03F3, 'j'},
    {0x0401, 'e'}, {0x0405, 's'}, {0x0406, 'i'}, {0x0407, 'i'},
    {0x0408, 'j'}, {0x0410, 'a'}, {0x0412, 'b'}, {0x0415, 'e'},
    {0x041A, 'k'}, {0x041C, 'm'}, {0x041D, 'h'}, {0x041E, 'o'},
    {0x0420, 'p'}, {0x0421, 'c'}, {0x0422, 't'}, {0x0423, 'y'},
    {0x0425, 'x'}, {0x0430, 'a'}, {0x0435, 'e'}, {0x043A, 'k'},
    {0x043E, 'o'}, {0x0440, 'p'}, {0x0441, 'c'}, {0x0443, 'y'},
    {0x0445, 'x'}, {0x0451, 'e'}, {0x0455, 's'}, {0x0456, 'i'},
    {0x0457, 'i'}, {0x0458, 'j'}, {0x04AE, 'y'}, {0x04AF, 'y'},
    {0x0501, 'd'}, {0x051B, 'q'}, {0x051D, 'w'},
};

static int in(uint32_t cp, uint32_t lo, uint32_t hi)
{
    return cp >= lo && cp <= hi;
}

static cp_kind one_ascii(char c, char *out, int *olen)
{
    out[0] = c;
    *olen = 1;
    return (c >= '0' && c <= '9') ? K_DIGIT : K_LATIN;
}

/* Emoji and symbols above U+2000 that carry a meaning; others separate. */
static cp_kind symbol(uint32_t cp, unsigned *events)
{
    switch (cp) {
    case 0x1F44E: case 0x274C: case 0x1F6AB: case 0x270B: case 0x26D4:
    case 0x1F6D1: case 0x274E: case 0x2716: case 0x1F645: case 0x1F91A:
    case 0x1F590:
        *events |= RG_TN_EV_NO_EMOJI; /* 👎 ❌ 🚫 ✋ ⛔ 🛑 ❎ ✖ 🙅 🤚 🖐 */
        return K_SEP;
    case 0x1F44D: case 0x2705: case 0x2714: case 0x2611:
        *events |= RG_TN_EV_YES_EMOJI; /* 👍 ✅ ✔ ☑ */
        return K_SEP;
    case 0x2047: case 0x2048: case 0x2049: case 0x203D: case 0x2753:
    case 0x2754: case 0x2E2E: case 0xFE16: case 0xFE56:
        *events |= RG_TN_EV_QUESTION; /* ⁇ ⁈ ⁉ ‽ ❓ ❔ ⸮ ︖ ﹖ */
        return K_SEP;
    default:
        return K_SEP;
    }
}

/* Map one code point; fills out[] (olen bytes) for letters and digits. */
static cp_kind map_cp(uint32_t cp, char *out, int *olen, unsigned *events)
{
    if (in(cp, 0xFF01, 0xFF5E))
        cp -= 0xFEE0; /* full-width ASCII */
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
            return one_ascii((char)cp, out, olen);
        if (cp == '?')
            *events |= RG_TN_EV_QUESTION;
        return K_SEP;
    }
    if (cp < 0xC0) {
        if (cp == 0xAD)
            return K_SKIP; /* soft hyphen */
        if (cp == 0xBF)
            *events |= RG_TN_EV_QUESTION; /* ¿ */
        return K_SEP;
    }
    if (cp < 0x100) {
        const char *f = latin1_fold[cp - 0xC0];
        if (!*f)
            return K_SEP;
        *olen = (int)strlen(f);
        memcpy(out, f, (size_t)*olen);
        return K_LATIN;
    }
    if (cp < 0x180) {
        size_t i = sizeof latin_ext_a / sizeof latin_ext_a[0];
        while (i > 0 && latin_ext_a[i - 1].first > cp)
            i--;
        *olen = (int)strlen(latin_ext_a[i - 1].fold);
        memcpy(out, latin_ext_a[i - 1].fold, (size_t)*olen);
        return K_LATIN;
    }
    if (in(cp, 0x2B0, 0x2FF))
        return K_SEP; /* modifier letters: ʼ ˈ ˮ ... */
    if (in(cp, 0x300, 0x36F) || in(cp, 0x483, 0x489) ||
        in(cp, 0x1AB0, 0x1AFF) || in(cp, 0x1DC0, 0x1DFF) ||
        in(cp, 0x20D0, 0x20FF) || in(cp, 0xFE20, 0xFE2F))
        return K_SKIP; /* combining marks: ne\u0301j reads as nej */
    if (cp == 0x37E || cp == 0x61F) {
        *events |= RG_TN_EV_QUESTION; /* Greek ; and Arabic ؟ */
        return K_SEP;
    }
    if (in(cp, 0x370, 0x52F)) {
        for (size_t i = 0; i < sizeof confusables / sizeof confusables[0]; i++)
            if (confusables[i].cp == cp)
                return one_ascii(confusables[i].c, out, olen);
        *olen = utf8_encode(cp, out);
        return K_OTHER;
    }
    if (cp == 0x34F || cp == 0x115F || cp == 0x1160 || cp == 0x3164 ||
        cp == 0xFFA0 || in(cp, 0x180B, 0x180F) || in(cp, 0x200B, 0x200F) ||
        in(cp, 0x202A, 0x202E) || in(cp, 0x2060, 0x206F) ||
        in(cp, 0xFE00, 0xFE0F) || cp == 0xFEFF || in(cp, 0x1F3FB, 0x1F3FF) ||
        in(cp, 0xE0000, 0xE007F) || in(cp, 0xE0100, 0xE01EF))
        return K_SKIP; /* zero-width, bidi, fillers, selectors, tones, tags */
    if (in(cp, 0x24B6, 0x24CF))
        return one_ascii((char)('a' + (cp - 0x24B6)), out, olen); /* Ⓐ */
    if (in(cp, 0x24D0, 0x24E9))
        return one_ascii((char)('a' + (cp - 0x24D0)), out, olen); /* ⓐ */
    if (in(cp, 0x1D400, 0x1D6A3)) { /* mathematical letters 𝐀 𝐚 𝑛 ... */
        uint32_t i = (cp - 0x1D400) % 52;
        return one_ascii((char)('a' + (i < 26 ? i : i - 26)), out, olen);
    }
    if (in(cp, 0x1D7CE, 0x1D7FF))
        return one_ascii((char)('0' + (cp - 0x1D7CE) % 10), out, olen);
    if (in(cp, 0x1F130, 0x1F149))
        return one_ascii((char)('a' + (cp - 0x1F130)), out, olen); /* 🄰 */
    if (in(cp, 0x1F150, 0x1F169))
        return one_ascii((char)('a' + (cp - 0x1F150)), out, olen); /* 🅐 */
    if (in(cp, 0x1F170, 0x1F189))
        return one_ascii((char)('a' + (cp - 0x1F170)), out, olen); /* 🅰 */
    if (in(cp, 0x1680, 0x1680) || in(cp, 0x2000, 0x2BFF) ||
        in(cp, 0x2E00, 0x2E7F) || in(cp, 0x3000, 0x303F) ||
        in(cp, 0xFE10, 0xFE1F) || in(cp, 0xFE30, 0xFE6F) ||
        in(cp, 0xFF00, 0xFF0F) || in(cp, 0xFF5F, 0xFF65) ||
        in(cp, 0xFFF0, 0xFFFF) || in(cp, 0x1F000, 0x1FAFF))
        return symbol(cp, events); /* spaces, punctuation, symbols, emoji */
    *olen = utf8_encode(cp, out);
    return K_OTHER;
}

void rg_tn_init(rg_tn_iter *it, const char *s, size_t len)
{
    memset(it, 0, sizeof *it);
    it->start = (const unsigned char *)s;
    it->p = it->start;
    it->end = s ? it->start + len : it->start; /* no arithmetic on NULL */
}

/* Smallest p <= len/2 with s[i] == s[i - p] for all i, or 0. */
static size_t period_of(const char *s, size_t len)
{
    for (size_t p = 1; p <= len / 2; p++) {
        size_t i = p;
        while (i < len && s[i] == s[i - p])
            i++;
        if (i == len)
            return p;
    }
    return 0;
}

/* Words built so far: the Latin/digit ones keep a virtual length past
 * RG_TN_TOKEN_MAX so that a very long repetition (nejnejnej... x 1000)
 * still reduces to its word instead of hiding as an overflow. */
typedef struct build {
    size_t vlen;   /* bytes appended, counting those past the buffer */
    size_t per;    /* period of the buffer once it is full, 0 = none */
    char last;     /* last byte appended */
} build;

/* A word that is one shorter word repeated (nejnej, nonono) -> that word. */
static int finish(rg_tn_token *tok, const build *b)
{
    if (tok->overflow && b->per && b->vlen % b->per == 0) {
        tok->len = b->per;
        tok->overflow = 0;
    } else if (!tok->overflow) {
        size_t p = period_of(tok->text, tok->len);
        if (p && tok->len % p == 0)
            tok->len = p;
    }
    tok->text[tok->len] = '\0';
    return 1;
}

static void append_byte(rg_tn_token *tok, build *b, char c)
{
    if (b->vlen > 0 && c == b->last)
        return; /* neej -> nej; also å (aa) -> a */
    b->last = c;
    if (b->vlen < RG_TN_TOKEN_MAX) {
        tok->text[b->vlen] = c;
        tok->len = b->vlen + 1;
    } else {
        if (!tok->overflow) {
            tok->overflow = 1;
            b->per = period_of(tok->text, RG_TN_TOKEN_MAX);
        }
        if (b->per && c != tok->text[b->vlen % b->per])
            b->per = 0;
    }
    b->vlen++;
}

int rg_tn_next(rg_tn_iter *it, rg_tn_token *tok)
{
    cp_kind cls = K_SKIP;   /* kind of the word being built */
    uint32_t last_cp = 0;   /* for collapsing repeats in other scripts */
    build b = {0, 0, 0};
    tok->len = 0;
    tok->overflow = 0;
    tok->text[0] = '\0';
    if (it->failed)
        return -1;
    while (it->p < it->end) {
        uint32_t cp;
        char out[4];
        int olen = 0;
        int n = utf8_decode(it->p, it->end, &cp);
        if (n < 0) {
            it->failed = 1;
            it->err_off = (size_t)(it->p - it->start);
            return -1;
        }
        cp_kind k = map_cp(cp, out, &olen, &it->events);
        if (k == K_SKIP) {
            it->p += n;
            continue;
        }
        if (k == K_SEP) {
            it->p += n;
            if (cls != K_SKIP)
                return finish(tok, &b);
            continue;
        }
        if (cls != K_SKIP && cls != k)
            return finish(tok, &b); /* nej1, nejж: split, reread this one */
        cls = k;
        it->p += n;
        if (k != K_OTHER) {
            for (int i = 0; i < olen; i++)
                append_byte(tok, &b, out[i]);
            continue;
        }
        if (cp == last_cp)
            continue;
        last_cp = cp;
        if (tok->len + (size_t)olen > RG_TN_TOKEN_MAX) {
            tok->overflow = 1; /* never split a character */
            continue;
        }
        memcpy(tok->text + tok->len, out, (size_t)olen);
        tok->len += (size_t)olen;
    }
    return cls != K_SKIP ? finish(tok, &b) : 0;
}
