/* Bech32 (BIP 173) as age uses it: no 90-character limit on the data part.
 * Strings are all-lowercase or all-uppercase, never mixed; the checksum is
 * always computed over the lowercase form. Data is 8-bit bytes, converted
 * to and from 5-bit groups with zero padding (non-zero padding rejected). */
#ifndef RG_BECH32_H
#define RG_BECH32_H

#include <stddef.h>
#include "recgate/error.h"

#define RG_BECH32_MAX_HRP 83

/* Encode data under hrp (hrp given in lowercase) into out (NUL-terminated).
 * upper != 0 produces the all-uppercase form. RG_ERR_ARG if out is small. */
rg_err rg_bech32_encode(const char *hrp, const unsigned char *data, size_t len,
                        int upper, char *out, size_t outsz);

/* Decode s. hrp receives the human-readable part in lowercase (hrpsz bytes
 * incl. NUL), data up to datasz bytes, *datalen the decoded length.
 * RG_ERR_PARSE with a one-line reason (mixed case, bad checksum, bad
 * character, bad padding ...) in errbuf. */
rg_err rg_bech32_decode(const char *s, char *hrp, size_t hrpsz,
                        unsigned char *data, size_t datasz, size_t *datalen,
                        char *errbuf);

#endif
