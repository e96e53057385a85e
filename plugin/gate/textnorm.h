/* Chat text normalisation for the intent classifier: a streaming,
 * allocation-free tokenizer that turns arbitrary UTF-8 bytes into
 * normalised word tokens. The classifier runs both its lexicon and every
 * chat message through it, so both sides are always normalised alike.
 *
 * Per code point (docs/classifier.md has the full list):
 *   - invalid UTF-8 (overlong, surrogate, > U+10FFFF, cut short) stops the
 *     stream with an error;
 *   - full-width forms U+FF01..FF5E -> ASCII, U+3000 -> space;
 *   - case folded; Latin-1 / Latin Extended-A letters folded to ASCII
 *     (é -> e, ñ -> n; Danish æ -> ae, ø -> oe, å -> aa; ä -> ae, ö -> oe,
 *     ß -> ss); common Cyrillic/Greek look-alikes (е, о, а, ј ...) -> ASCII;
 *     mathematical and circled letters (𝐧, ⓝ) -> ASCII;
 *   - zero-width characters, soft hyphen, combining marks, variation
 *     selectors, emoji skin tones and tag characters are dropped (they never
 *     split a word);
 *   - any other whitespace, punctuation, symbol or emoji separates words;
 *     question marks and "no" emoji are reported as events;
 *   - a run of the same character collapses to one (neej -> nej, aa -> a);
 *   - a word splits where letters meet digits or a non-Latin script;
 *   - a word that is one shorter word repeated is reduced to it
 *     (nejnej -> nej, nonono -> no).
 * Words longer than RG_TN_TOKEN_MAX bytes are reported as overflowing:
 * their text is a prefix and must never match a lexicon entry. */
#ifndef RG_TEXTNORM_H
#define RG_TEXTNORM_H

#include <stddef.h>

#define RG_TN_TOKEN_MAX 64

/* Events seen so far in the stream (bit flags in rg_tn_iter.events). */
#define RG_TN_EV_QUESTION  0x1u /* ? ¿ ？ ❓ ... */
#define RG_TN_EV_NO_EMOJI  0x2u /* 👎 ❌ 🚫 ✋ 🛑 ⛔ 🙅 ... */
#define RG_TN_EV_YES_EMOJI 0x4u /* 👍 ✅ ✔ (informational only) */

typedef struct rg_tn_iter {
    const unsigned char *p;   /* next unread byte */
    const unsigned char *end; /* one past the last byte; never read */
    const unsigned char *start; /* first byte, for err_off */
    size_t err_off;           /* offset of the bad byte after an error */
    unsigned events;          /* RG_TN_EV_* seen so far */
    int failed;               /* 1 once invalid UTF-8 was met */
} rg_tn_iter;

typedef struct rg_tn_token {
    char text[RG_TN_TOKEN_MAX + 1]; /* NUL-terminated normalised word */
    size_t len;
    int overflow;                   /* 1: longer than RG_TN_TOKEN_MAX */
} rg_tn_token;

/* Length of the valid UTF-8 sequence at s (at most avail bytes), or -1. */
int rg_tn_utf8_len(const char *s, size_t avail);

/* Start reading `len` bytes at `s` (need not be NUL-terminated). */
void rg_tn_init(rg_tn_iter *it, const char *s, size_t len);

/* Next word: 1 = *tok filled, 0 = end of input, -1 = invalid UTF-8 at
 * it->err_off (the stream stays at the error; later calls return -1). */
int rg_tn_next(rg_tn_iter *it, rg_tn_token *tok);

#endif
