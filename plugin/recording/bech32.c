/* Bech32 encode/decode (BIP 173 checksum, age's unlimited length). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "bech32.h"
#include "errfmt.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t polymod_step(uint32_t chk, unsigned v)
{
    static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa,
                                    0x3d4233dd, 0x2a1462b3};
    uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; i++)
        if ((top >> i) & 1)
            chk ^= gen[i];
    return chk;
}

/* Checksum state after the expanded hrp (lowercase). */
static uint32_t hrp_polymod(const char *hrp, size_t hlen)
{
    uint32_t chk = 1;
    for (size_t i = 0; i < hlen; i++)
        chk = polymod_step(chk, (unsigned char)hrp[i] >> 5);
    chk = polymod_step(chk, 0);
    for (size_t i = 0; i < hlen; i++)
        chk = polymod_step(chk, (unsigned char)hrp[i] & 31);
    return chk;
}

static void seterr(char *errbuf, const char *msg)
{
    rg_errbuf(errbuf, "%s", msg);
}

rg_err rg_bech32_encode(const char *hrp, const unsigned char *data, size_t len,
                        int upper, char *out, size_t outsz)
{
    size_t hlen = hrp ? strlen(hrp) : 0;
    size_t n5 = (len * 8 + 4) / 5;
    if (!hrp || hlen == 0 || hlen > RG_BECH32_MAX_HRP || !out ||
        (!data && len) || outsz < hlen + 1 + n5 + 6 + 1)
        return RG_ERR_ARG;
    for (size_t i = 0; i < hlen; i++)
        if (hrp[i] < 33 || hrp[i] > 126 || (hrp[i] >= 'A' && hrp[i] <= 'Z'))
            return RG_ERR_ARG;
    uint32_t chk = hrp_polymod(hrp, hlen);
    size_t o = 0;
    memcpy(out, hrp, hlen);
    o = hlen;
    out[o++] = '1';
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            unsigned v = (acc >> bits) & 31;
            chk = polymod_step(chk, v);
            out[o++] = charset[v];
        }
    }
    if (bits > 0) {
        unsigned v = (acc << (5 - bits)) & 31;
        chk = polymod_step(chk, v);
        out[o++] = charset[v];
    }
    for (int i = 0; i < 6; i++)
        chk = polymod_step(chk, 0);
    chk ^= 1;
    for (int i = 0; i < 6; i++)
        out[o++] = charset[(chk >> (5 * (5 - i))) & 31];
    out[o] = '\0';
    if (upper)
        for (size_t i = 0; i < o; i++)
            if (out[i] >= 'a' && out[i] <= 'z')
                out[i] = (char)(out[i] - 'a' + 'A');
    return RG_OK;
}

rg_err rg_bech32_decode(const char *s, char *hrp, size_t hrpsz,
                        unsigned char *data, size_t datasz, size_t *datalen,
                        char *errbuf)
{
    if (!s || !hrp || !datalen || (!data && datasz))
        return RG_ERR_ARG;
    size_t len = strlen(s);
    int has_lower = 0, has_upper = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 33 || c > 126) {
            seterr(errbuf, "bech32: invalid character");
            return RG_ERR_PARSE;
        }
        has_lower |= (c >= 'a' && c <= 'z');
        has_upper |= (c >= 'A' && c <= 'Z');
    }
    if (has_lower && has_upper) {
        seterr(errbuf, "bech32: mixed upper and lower case");
        return RG_ERR_PARSE;
    }
    const char *sep = strrchr(s, '1');
    if (!sep || sep == s) {
        seterr(errbuf, "bech32: missing separator or human-readable part");
        return RG_ERR_PARSE;
    }
    size_t hlen = (size_t)(sep - s), dlen = len - hlen - 1;
    if (hlen > RG_BECH32_MAX_HRP || hlen + 1 > hrpsz) {
        seterr(errbuf, "bech32: human-readable part too long");
        return RG_ERR_PARSE;
    }
    if (dlen < 6) {
        seterr(errbuf, "bech32: too short for a checksum");
        return RG_ERR_PARSE;
    }
    for (size_t i = 0; i < hlen; i++) {
        char c = s[i];
        hrp[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    hrp[hlen] = '\0';
    uint32_t chk = hrp_polymod(hrp, hlen);
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < dlen; i++) {
        char c = sep[1 + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        const char *p = strchr(charset, c);
        if (!p || !c) {
            seterr(errbuf, "bech32: invalid data character");
            return RG_ERR_PARSE;
        }
        unsigned v = (unsigned)(p - charset);
        chk = polymod_step(chk, v);
        if (i >= dlen - 6)
            continue; /* checksum characters carry no data */
        acc = ((acc << 5) | v) & 0xfff;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (o >= datasz) {
                seterr(errbuf, "bech32: data too long");
                return RG_ERR_PARSE;
            }
            data[o++] = (unsigned char)((acc >> bits) & 0xff);
        }
    }
    if (chk != 1) {
        seterr(errbuf, "bech32: checksum mismatch");
        return RG_ERR_PARSE;
    }
    if (bits >= 5 || (acc & ((1u << bits) - 1))) {
        seterr(errbuf, "bech32: invalid padding");
        return RG_ERR_PARSE;
    }
    *datalen = o;
    return RG_OK;
}
