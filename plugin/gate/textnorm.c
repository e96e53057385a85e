/* Chat text normalisation: see textnorm.h and docs/classifier.md. The
 * Unicode data (normalisation, confusables, names, properties, bidi) is
 * ICU's; the only rules of our own are the Nordic spellings (æ ø å ä ö)
 * and which scripts keep their own words (see native_script()). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubidi.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include "textnorm.h"

/* ICU objects: created once, read-only afterwards (thread-safe for
 * normalising and for uspoof_getSkeleton on a checker nobody changes). */
static const UNormalizer2 *nfkc_cf, *nfd;
static USpoofChecker *spoof;
static int icu_ok;
static pthread_once_t icu_once = PTHREAD_ONCE_INIT;

static void icu_init(void)
{
    UErrorCode e = U_ZERO_ERROR;
    nfkc_cf = unorm2_getNFKCCasefoldInstance(&e);
    if (U_SUCCESS(e))
        nfd = unorm2_getNFDInstance(&e);
    if (U_SUCCESS(e))
        spoof = uspoof_open(&e);
    icu_ok = U_SUCCESS(e) && nfkc_cf && nfd && spoof;
}

int rg_tn_global_init(void)
{
    pthread_once(&icu_once, icu_init);
    return icu_ok ? 0 : -1;
}

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

static int in(uint32_t cp, uint32_t lo, uint32_t hi)
{
    return cp >= lo && cp <= hi;
}

/* What one source character does. */
typedef enum cp_kind {
    K_SKIP,   /* invisible: dropped, never splits a word */
    K_SEP,    /* separates words */
    K_LETTER  /* letter or digit: its folded code points go to pend[] */
} cp_kind;

/* One folded code point, ready to join a word. */
typedef enum piece_kind { P_NONE, P_SEP, P_DIGIT, P_LATIN, P_FOREIGN } piece_kind;
typedef struct piece {
    piece_kind kind;
    char lat[8];      /* Latin reading: ASCII, or the UTF-8 of a Latin
                       * letter without one; "" for foreign letters that
                       * imitate no Latin letter */
    int lat_len;
    char nat[8];      /* foreign letters: their own (accent-free) UTF-8 */
    int nat_len;
    int native;       /* foreign letter of a script with lexicon words */
} piece;

/* NFKC case folding of one code point into out[] (UTF-32); count. */
static int fold_cp(uint32_t cp, uint32_t *out, int cap)
{
    UChar src[2], dst[64];
    int32_t n = 0, m, k = 0;
    UErrorCode e = U_ZERO_ERROR;
    U16_APPEND_UNSAFE(src, n, cp);
    m = unorm2_normalize(nfkc_cf, src, n, dst, 64, &e);
    if (U_FAILURE(e) || m <= 0) {
        out[0] = cp;
        return 1;
    }
    for (int32_t i = 0; i < m && k < cap;) {
        UChar32 c;
        U16_NEXT(dst, i, m, c);
        out[k++] = (uint32_t)c;
    }
    return k;
}

/* First code point of the canonical decomposition (the base letter). */
static uint32_t nfd_base(uint32_t cp)
{
    UChar d[16];
    UErrorCode e = U_ZERO_ERROR;
    int32_t n = unorm2_getDecomposition(nfd, (UChar32)cp, d, 16, &e);
    if (U_FAILURE(e) || n <= 0)
        return cp;
    UChar32 c;
    int32_t i = 0;
    U16_NEXT(d, i, n, c);
    return (uint32_t)c;
}

/* The ASCII letter a Latin letter is named after ("LATIN LETTER SMALL
 * CAPITAL N" -> n, "LATIN SMALL LETTER L WITH STROKE" -> l, "NEGATIVE
 * SQUARED LATIN CAPITAL LETTER N" -> n), or 0. Turned, reversed or
 * otherwise different-looking letters are named differently and give 0. */
static char letter_from_name(uint32_t cp)
{
    char name[128];
    UErrorCode e = U_ZERO_ERROR;
    int32_t n = u_charName((UChar32)cp, U_UNICODE_CHAR_NAME, name, sizeof name, &e);
    if (U_FAILURE(e) || n <= 0 || n >= (int32_t)sizeof name)
        return 0;
    name[n] = '\0';
    const char *p = strstr(name, "LATIN ");
    if (!p) {
        p = strstr(name, "MODIFIER LETTER ");
        if (!p)
            return 0;
    }
    p = strstr(p, "LETTER ");
    if (!p)
        return 0;
    p += 7;
    static const char *const skip[] = {"SMALL CAPITAL ", "SMALL ", "CAPITAL ", "DOTLESS "};
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (strncmp(p, skip[i], strlen(skip[i])) == 0)
            p += strlen(skip[i]);
    if (p[0] >= 'A' && p[0] <= 'Z' && (p[1] == '\0' || p[1] == ' '))
        return (char)(p[0] - 'A' + 'a');
    return 0;
}

/* ASCII reading of a non-ASCII Latin letter (already case-folded), into
 * out (at most 3 bytes); length or 0. */
static int latin_ascii(uint32_t c, char *out)
{
    static const struct { uint32_t cp; const char *s; } nordic[] = {
        {0xE6, "ae"}, {0xF8, "oe"}, {0xE5, "aa"}, {0xE4, "ae"}, {0xF6, "oe"},
    };
    for (size_t i = 0; i < sizeof nordic / sizeof nordic[0]; i++)
        if (nordic[i].cp == c) {
            memcpy(out, nordic[i].s, 2);
            return 2;
        }
    uint32_t b = nfd_base(c);
    if (b < 0x80) {
        if (b >= 'a' && b <= 'z') {
            out[0] = (char)b;
            return 1;
        }
        return 0;
    }
    char l = letter_from_name(b);
    if (l) {
        out[0] = l;
        return 1;
    }
    return 0;
}

/* The Latin letters a character of another script imitates (its UTS #39
 * skeleton, read as ASCII), into out (at most 3 bytes); length or 0. */
static int lookalike(uint32_t cp, char *out)
{
    UChar src[2], sk[32];
    int32_t n = 0, m, k = 0;
    UErrorCode e = U_ZERO_ERROR;
    U16_APPEND_UNSAFE(src, n, cp);
    m = uspoof_getSkeleton(spoof, 0, src, n, sk, 32, &e);
    if (U_FAILURE(e) || m <= 0)
        return 0;
    for (int32_t i = 0; i < m;) {
        UChar32 c;
        U16_NEXT(sk, i, m, c);
        int8_t gc = (int8_t)u_charType(c);
        if (gc == U_NON_SPACING_MARK || gc == U_ENCLOSING_MARK)
            continue;
        char one[3];
        int ol = 0;
        if (c >= 'A' && c <= 'Z')
            one[0] = (char)(c - 'A' + 'a'), ol = 1;
        else if (c >= 'a' && c <= 'z')
            one[0] = (char)c, ol = 1;
        else if (c >= 0x80 && uscript_getScript(c, &e) == USCRIPT_LATIN)
            ol = latin_ascii((uint32_t)u_foldCase(c, U_FOLD_CASE_DEFAULT), one);
        if (ol == 0 || k + ol > 3)
            return 0;
        memcpy(out + k, one, (size_t)ol);
        k += ol;
    }
    return k;
}

/* Scripts with lexicon words of their own: a word wholly in one of them
 * keeps its letters (Ukrainian "ні" must not become the Latin "hi"). */
static int native_script(UScriptCode s)
{
    return s == USCRIPT_CYRILLIC || s == USCRIPT_ARABIC;
}

/* Fold one case-folded code point `c` (from source character `src`). */
static void fold_piece(uint32_t c, uint32_t src, piece *pc)
{
    UErrorCode e = U_ZERO_ERROR;
    memset(pc, 0, sizeof *pc);
    if (c < 0x80) {
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (c >= '0' && c <= '9') {
            pc->kind = P_DIGIT;
        } else if (c >= 'a' && c <= 'z') {
            pc->kind = P_LATIN;
        } else {
            pc->kind = P_SEP;
            return;
        }
        pc->lat[0] = (char)c;
        pc->lat_len = 1;
        return;
    }
    int8_t gc = (int8_t)u_charType((UChar32)c);
    if (gc == U_NON_SPACING_MARK || gc == U_ENCLOSING_MARK ||
        u_hasBinaryProperty((UChar32)c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
        return; /* P_NONE */
    if (gc == U_DECIMAL_DIGIT_NUMBER) {
        int32_t v = u_charDigitValue((UChar32)c);
        if (v >= 0 && v <= 9) {
            pc->kind = P_DIGIT;
            pc->lat[0] = (char)('0' + v);
            pc->lat_len = 1;
            return;
        }
    }
    uint32_t base = nfd_base(c);
    UScriptCode sc = uscript_getScript((UChar32)base, &e);
    int letter = u_isalpha((UChar32)c) || gc == U_COMBINING_SPACING_MARK ||
                 gc == U_LETTER_NUMBER || gc == U_OTHER_NUMBER;
    if (sc == USCRIPT_LATIN || sc == USCRIPT_COMMON || sc == USCRIPT_INHERITED ||
        U_FAILURE(e)) {
        pc->lat_len = latin_ascii(c, pc->lat);
        if (!pc->lat_len) {
            char l = letter_from_name(c);
            if (!l)
                pc->lat_len = lookalike(c, pc->lat);
            else
                pc->lat[0] = l, pc->lat_len = 1;
        }
        if (pc->lat_len) {
            pc->kind = P_LATIN;
        } else if (sc == USCRIPT_LATIN && letter) {
            pc->kind = P_LATIN; /* a Latin letter without an ASCII reading */
            pc->lat_len = utf8_encode(base, pc->lat);
        } else {
            pc->kind = P_SEP; /* ʼ ˈ and other symbols */
        }
        return;
    }
    if (!letter) {
        pc->kind = P_SEP;
        return;
    }
    pc->kind = P_FOREIGN;
    pc->native = native_script(sc);
    pc->nat_len = utf8_encode(base, pc->nat);
    /* Look-alikes by the source character first: Greek Ν looks like N,
     * its case-folded ν like v. */
    pc->lat_len = src != c ? lookalike(src, pc->lat) : 0;
    if (!pc->lat_len)
        pc->lat_len = lookalike(c, pc->lat);
}

/* Emoji and symbols that carry a meaning; everything else separates. */
static void symbol_events(uint32_t cp, unsigned *events)
{
    switch (cp) {
    case 0x1F44E: case 0x274C: case 0x1F6AB: case 0x270B: case 0x26D4:
    case 0x1F6D1: case 0x274E: case 0x2716: case 0x1F645: case 0x1F91A:
    case 0x1F590:
        *events |= RG_TN_EV_NO_EMOJI; /* 👎 ❌ 🚫 ✋ ⛔ 🛑 ❎ ✖ 🙅 🤚 🖐 */
        return;
    case 0x1F44D: case 0x2705: case 0x2714: case 0x2611:
        *events |= RG_TN_EV_YES_EMOJI; /* 👍 ✅ ✔ ☑ */
        return;
    case 0xBF: case 0x37E: case 0x61F: case 0x2047: case 0x2048:
    case 0x2049: case 0x203D: case 0x2753: case 0x2754: case 0x2E2E:
        *events |= RG_TN_EV_QUESTION; /* ¿ ; ؟ ⁇ ⁈ ⁉ ‽ ❓ ❔ ⸮ */
        return;
    default:
        return;
    }
}

/* Classify one source character; letters fill it->pend. */
static cp_kind map_cp(rg_tn_iter *it, uint32_t cp)
{
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
            (cp >= 'A' && cp <= 'Z')) {
            it->pend[0] = cp;
            it->pend_src = cp;
            it->pend_i = 0;
            it->pend_n = 1;
            return K_LETTER;
        }
        if (cp == '?')
            it->events |= RG_TN_EV_QUESTION;
        return K_SEP;
    }
    if (u_hasBinaryProperty((UChar32)cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) {
        if (in(cp, 0x202A, 0x202E) || in(cp, 0x2066, 0x2069))
            it->events |= RG_TN_EV_BIDI;
        return K_SKIP; /* zero-width, bidi, fillers, selectors, tags */
    }
    int8_t gc = (int8_t)u_charType((UChar32)cp);
    if (gc == U_NON_SPACING_MARK || gc == U_ENCLOSING_MARK ||
        u_hasBinaryProperty((UChar32)cp, UCHAR_EMOJI_MODIFIER))
        return K_SKIP; /* ne\u0301j reads as nej; skin tones */
    if (in(cp, 0x1F1E6, 0x1F1FF))
        return K_SEP; /* regional indicators: flags, not letters */
    int n = fold_cp(cp, it->pend, RG_TN_PEND_MAX);
    int letters = 0;
    for (int i = 0; i < n; i++) {
        uint32_t c = it->pend[i];
        if (c == '?')
            it->events |= RG_TN_EV_QUESTION; /* ？ ﹖ ︖ */
        if ((c < 0x80 && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) ||
            (c >= 0x80 && (u_isalnum((UChar32)c) ||
                           u_charType((UChar32)c) == U_COMBINING_SPACING_MARK)))
            letters = 1;
    }
    if (!letters) {
        /* Symbols named after a Latin letter without a decomposition
         * (🅽 NEGATIVE SQUARED LATIN CAPITAL LETTER N). */
        char l = gc == U_OTHER_SYMBOL ? letter_from_name(cp) : 0;
        if (!l) {
            symbol_events(cp, &it->events);
            return K_SEP;
        }
        it->pend[0] = (uint32_t)l;
        n = 1;
    }
    it->pend_src = cp;
    it->pend_i = 0;
    it->pend_n = n;
    return K_LETTER;
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

/* The word being built: its Latin reading (lat, in tok->text) and its
 * own-script reading (nat), and what kinds of letters it holds. */
typedef struct word {
    build b;
    piece_kind kind;   /* P_NONE = empty, P_DIGIT, or letters */
    int has_latin;     /* genuine Latin letters */
    int has_foreign;   /* letters of other scripts */
    int has_odd;       /* foreign letters that imitate no Latin letter */
    int has_native;    /* foreign letters of a script with its own words */
    char nat[RG_TN_TOKEN_MAX + 1];
    size_t nat_len;
    int nat_overflow;
    uint32_t nat_last;
} word;

/* Must `pc` start a new word? */
static int splits(const word *w, const piece *pc)
{
    if (w->kind == P_NONE)
        return 0;
    if ((w->kind == P_DIGIT) != (pc->kind == P_DIGIT))
        return 1; /* nej1 */
    if (pc->kind == P_LATIN && w->has_odd)
        return 1; /* жnej */
    if (pc->kind == P_FOREIGN && !pc->lat_len && w->has_latin)
        return 1; /* nejж */
    return 0;
}

static void add_piece(rg_tn_token *tok, word *w, const piece *pc, uint32_t cp)
{
    w->kind = pc->kind == P_DIGIT ? P_DIGIT : P_LATIN;
    if (pc->kind == P_LATIN)
        w->has_latin = 1;
    if (pc->kind == P_FOREIGN) {
        w->has_foreign = 1;
        if (!pc->lat_len)
            w->has_odd = 1;
        if (pc->native)
            w->has_native = 1;
    }
    for (int i = 0; i < pc->lat_len; i++)
        append_byte(tok, &w->b, pc->lat[i]);
    /* Own-script reading: digits and Latin letters as their ASCII. */
    const char *s = pc->nat_len ? pc->nat : pc->lat;
    int n = pc->nat_len ? pc->nat_len : pc->lat_len;
    if (cp == w->nat_last && pc->nat_len)
        return; /* collapse repeats */
    w->nat_last = pc->nat_len ? cp : 0;
    if (w->nat_len + (size_t)n > RG_TN_TOKEN_MAX) {
        w->nat_overflow = 1;
        return;
    }
    memcpy(w->nat + w->nat_len, s, (size_t)n);
    w->nat_len += (size_t)n;
}

/* Pick the reading and finish the token. */
static int finish_word(rg_tn_token *tok, word *w)
{
    tok->alt_len = 0;
    tok->lookalike = 0;
    if (w->has_odd || (w->has_native && !w->has_latin)) {
        /* Own script: Cyrillic "ні", Arabic "لا", or letters that imitate
         * nothing Latin. */
        if (!w->has_odd && !tok->overflow) {
            finish(tok, &w->b);
            memcpy(tok->alt, tok->text, tok->len + 1);
            tok->alt_len = tok->len;
        }
        memcpy(tok->text, w->nat, w->nat_len);
        tok->len = w->nat_len;
        tok->overflow = w->nat_overflow;
        build nb = {w->nat_len, 0, 0};
        return finish(tok, &nb);
    }
    tok->lookalike = w->has_foreign;
    return finish(tok, &w->b);
}

int rg_tn_next(rg_tn_iter *it, rg_tn_token *tok)
{
    word w;
    memset(&w, 0, sizeof w);
    tok->len = 0;
    tok->overflow = 0;
    tok->text[0] = '\0';
    tok->alt_len = 0;
    tok->alt[0] = '\0';
    tok->lookalike = 0;
    if (it->failed)
        return -1;
    if (rg_tn_global_init() != 0) {
        it->failed = 1;
        it->err_off = 0;
        return -1;
    }
    for (;;) {
        if (it->pend_i < it->pend_n) {
            piece pc;
            uint32_t c = it->pend[it->pend_i];
            fold_piece(c, it->pend_n == 1 ? it->pend_src : c, &pc);
            if (pc.kind == P_NONE) {
                it->pend_i++;
                continue;
            }
            if (pc.kind == P_SEP) {
                it->pend_i++;
                if (w.kind != P_NONE)
                    return finish_word(tok, &w);
                continue;
            }
            if (splits(&w, &pc))
                return finish_word(tok, &w); /* reread this piece */
            add_piece(tok, &w, &pc, c);
            it->pend_i++;
            continue;
        }
        if (it->p >= it->end)
            break;
        uint32_t cp;
        int n = utf8_decode(it->p, it->end, &cp);
        if (n < 0) {
            it->failed = 1;
            it->err_off = (size_t)(it->p - it->start);
            return -1;
        }
        it->p += n;
        cp_kind k = map_cp(it, cp);
        if (k == K_SEP && w.kind != P_NONE)
            return finish_word(tok, &w);
    }
    return w.kind != P_NONE ? finish_word(tok, &w) : 0;
}

int rg_tn_visual(const char *s, size_t len, char **out, size_t *out_len)
{
    UErrorCode e = U_ZERO_ERROR;
    UChar *u = NULL, *v = NULL;
    char *o = NULL;
    UBiDi *bidi = NULL;
    int32_t ulen = 0, vlen, olen = 0;
    int rc = -1;
    *out = NULL;
    *out_len = 0;
    if (len > (size_t)INT32_MAX / 4)
        return -1;
    u_strFromUTF8(NULL, 0, &ulen, s, (int32_t)len, &e);
    if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e))
        goto cleanup;
    e = U_ZERO_ERROR;
    u = malloc(((size_t)ulen + 1) * sizeof *u);
    v = malloc(((size_t)ulen + 1) * sizeof *v);
    if (!u || !v)
        goto cleanup;
    u_strFromUTF8(u, ulen + 1, NULL, s, (int32_t)len, &e);
    bidi = ubidi_open();
    if (U_FAILURE(e) || !bidi)
        goto cleanup;
    ubidi_setPara(bidi, u, ulen, UBIDI_DEFAULT_LTR, NULL, &e);
    vlen = ubidi_writeReordered(bidi, v, ulen + 1, UBIDI_REMOVE_BIDI_CONTROLS, &e);
    if (U_FAILURE(e))
        goto cleanup;
    u_strToUTF8(NULL, 0, &olen, v, vlen, &e);
    if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e))
        goto cleanup;
    e = U_ZERO_ERROR;
    o = malloc((size_t)olen + 1);
    if (!o)
        goto cleanup;
    u_strToUTF8(o, olen + 1, NULL, v, vlen, &e);
    if (U_FAILURE(e))
        goto cleanup;
    *out = o;
    *out_len = (size_t)olen;
    o = NULL;
    rc = 0;
cleanup:
    if (bidi)
        ubidi_close(bidi);
    free(u);
    free(v);
    free(o);
    return rc;
}
