/* Chat text normalisation for the classifier: a streaming tokenizer that
 * turns UTF-8 text into normalised words. Pure, thread-safe, allocates
 * nothing. The Unicode knowledge comes from ICU (Debian libicu):
 *   - NFKC case folding (full-width, superscript, mathematical, circled
 *     letters, ligatures, ß -> ss, upper -> lower);
 *   - canonical decomposition to drop accents (é -> e), except the Nordic
 *     letters æ ø å ä ö, which are spelled out (ae oe aa ae oe);
 *   - Unicode character names for Latin letters that have no decomposition
 *     (small capitals ɴᴇᴊ, ł, đ, ı ...);
 *   - UTS #39 confusable skeletons (uspoof) for look-alike letters of other
 *     scripts (Cyrillic е, Greek ο, Armenian ո ...): a word mixing them
 *     with Latin letters, or written wholly in a script no lexicon entry
 *     uses, is read as the Latin word it imitates;
 *   - default-ignorable code points (zero-width, bidi controls, variation
 *     selectors, tags) and combining marks are dropped without splitting
 *     a word; bidi embedding/override/isolate controls are reported so the
 *     caller can also read the text in its displayed (visual) order.
 * Then:
 *   - any other whitespace, punctuation, symbol or emoji separates words;
 *     question marks and "no" emoji are reported as events;
 *   - a run of the same character collapses to one (neej -> nej, aa -> a);
 *   - a word splits where letters meet digits, or Latin letters meet a
 *     letter of another script that imitates none;
 *   - a word that is one shorter word repeated is reduced to it
 *     (nejnej -> nej, nonono -> no).
 * Words longer than RG_TN_TOKEN_MAX bytes are reported as overflowing:
 * their text is a prefix and must never match a lexicon entry. */
#ifndef RG_TEXTNORM_H
#define RG_TEXTNORM_H

#include <stddef.h>
#include <stdint.h>

#define RG_TN_TOKEN_MAX 64
#define RG_TN_PEND_MAX 32

/* Events seen so far in the stream (bit flags in rg_tn_iter.events). */
#define RG_TN_EV_QUESTION  0x1u /* ? ¿ ？ ❓ ... */
#define RG_TN_EV_NO_EMOJI  0x2u /* 👎 ❌ 🚫 ✋ 🛑 ⛔ 🙅 ... */
#define RG_TN_EV_YES_EMOJI 0x4u /* 👍 ✅ ✔ (informational only) */
#define RG_TN_EV_BIDI      0x8u /* an explicit bidi embedding/override/isolate */

typedef struct rg_tn_iter {
    const unsigned char *p;   /* next unread byte */
    const unsigned char *end; /* one past the last byte; never read */
    const unsigned char *start; /* first byte, for err_off */
    size_t err_off;           /* offset of the bad byte after an error */
    unsigned events;          /* RG_TN_EV_* seen so far */
    int failed;               /* 1 once invalid UTF-8 was met */
    /* Case-folded code points of the last source character, not yet
     * consumed (NFKC may expand one character into several). */
    uint32_t pend[RG_TN_PEND_MAX];
    uint32_t pend_src;        /* the source character they came from */
    int pend_i, pend_n;
} rg_tn_iter;

typedef struct rg_tn_token {
    char text[RG_TN_TOKEN_MAX + 1]; /* NUL-terminated normalised word */
    size_t len;
    int overflow;                   /* 1: longer than RG_TN_TOKEN_MAX */
    int lookalike;                  /* 1: letters of another script were
                                     * read as the Latin ones they imitate */
    /* A word wholly in a script that has lexicon words of its own (Cyrillic,
     * Arabic) is kept in that script; if every letter imitates a Latin one,
     * alt holds that Latin reading (alt_len > 0), else alt_len = 0. */
    char alt[RG_TN_TOKEN_MAX + 1];
    size_t alt_len;
} rg_tn_token;

/* Load the Unicode data once (thread-safe). 0 = ready, -1 = ICU failed:
 * nothing can be classified (the caller fails closed). */
int rg_tn_global_init(void);

/* Length of the valid UTF-8 sequence at s (at most avail bytes), or -1. */
int rg_tn_utf8_len(const char *s, size_t avail);

/* Start reading `len` bytes at `s` (need not be NUL-terminated). */
void rg_tn_init(rg_tn_iter *it, const char *s, size_t len);

/* Next word: 1 = *tok filled, 0 = end of input, -1 = invalid UTF-8 at
 * it->err_off, or the Unicode data is missing (the stream stays failed;
 * later calls return -1). */
int rg_tn_next(rg_tn_iter *it, rg_tn_token *tok);

/* The text as displayed: bidi-reordered (Unicode Bidirectional Algorithm,
 * ICU ubidi), controls removed, UTF-8. *out [owned], free() it.
 * 0 = done, -1 = invalid input or out of memory. */
int rg_tn_visual(const char *s, size_t len, char **out, size_t *out_len);

#endif
