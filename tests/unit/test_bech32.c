/* Bech32: BIP 173 vectors, case rules, age key text forms. */
#include <string.h>
#include <openssl/rand.h>
#include "agekey.h"
#include "bech32.h"
#include "testutil.h"

static int decodes(const char *s)
{
    char hrp[RG_BECH32_MAX_HRP + 1];
    unsigned char data[256];
    size_t len = 0;
    return rg_bech32_decode(s, hrp, sizeof hrp, data, sizeof data, &len,
                            NULL) == RG_OK;
}

static void test_bip173_valid(void)
{
    static const char *const ok[] = {
        "A12UEL5L", "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        CU_ASSERT(decodes(ok[i]));
    char longq[91] = "11"; /* "11" + 82 'q' + checksum: 90 characters */
    memset(longq + 2, 'q', 82);
    memcpy(longq + 84, "c8247j", 7);
    CU_ASSERT(decodes(longq));
}

static void test_bip173_invalid(void)
{
    static const char *const bad[] = {
        "\x20" "1nwldj5", "\x7f" "1axkwrx",
        "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
        "pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3",
        "de1lg7wt\xff", "A1G7SGD8", "10a06t8", "1qzzfhee",
        "a12UEL5L" /* mixed case */, "a12uel5m" /* checksum */,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT(!decodes(bad[i]));
}

static void test_roundtrip(void)
{
    unsigned char data[100], back[100];
    char s[300], hrp[RG_BECH32_MAX_HRP + 1], err[RG_ERRBUF_SIZE];
    for (size_t len = 0; len <= sizeof data; len += 7) {
        RAND_bytes(data, sizeof data);
        for (int upper = 0; upper < 2; upper++) {
            size_t got = 0;
            CU_ASSERT_EQUAL(rg_bech32_encode("test", data, len, upper, s,
                                             sizeof s), RG_OK);
            CU_ASSERT_EQUAL(rg_bech32_decode(s, hrp, sizeof hrp, back,
                                             sizeof back, &got, err), RG_OK);
            CU_ASSERT_STRING_EQUAL(hrp, "test");
            CU_ASSERT_EQUAL(got, len);
            CU_ASSERT(memcmp(data, back, len) == 0);
            /* Any single changed character is caught by the checksum. */
            s[6] = s[6] == 'q' || s[6] == 'Q' ? (upper ? 'P' : 'p')
                                              : (upper ? 'Q' : 'q');
            CU_ASSERT_NOT_EQUAL(rg_bech32_decode(s, hrp, sizeof hrp, back,
                                                 sizeof back, &got, err),
                                RG_OK);
        }
    }
    CU_ASSERT_EQUAL(rg_bech32_encode("test", data, 32, 0, s, 10), RG_ERR_ARG);
    CU_ASSERT_EQUAL(rg_bech32_encode("Test", data, 32, 0, s, sizeof s),
                    RG_ERR_ARG);
}

/* The example pair from the C2SP age spec (identity, its recipient). */
static void test_age_spec_keys(void)
{
    rg_age_identity id;
    rg_age_recipient r;
    char s[128], err[RG_ERRBUF_SIZE];
    const char *sk = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
    const char *pk = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
    CU_ASSERT_EQUAL_FATAL(rg_agekey_identity_parse(sk, &id, err), RG_OK);
    memcpy(r.pk, id.pk, 32);
    CU_ASSERT_EQUAL(rg_agekey_recipient_format(&r, s, sizeof s), RG_OK);
    CU_ASSERT_STRING_EQUAL(s, pk);
    CU_ASSERT_EQUAL(rg_agekey_identity_format(&id, s, sizeof s), RG_OK);
    CU_ASSERT_STRING_EQUAL(s, sk);
    CU_ASSERT_EQUAL(strlen(sk), RG_AGE_IDENTITY_STRLEN);
    CU_ASSERT_EQUAL(strlen(pk), RG_AGE_RECIPIENT_STRLEN);
    CU_ASSERT_EQUAL(rg_agekey_recipient_parse(pk, &r, err), RG_OK);
    CU_ASSERT(memcmp(r.pk, id.pk, 32) == 0);
    /* Wrong kind, wrong prefix, bad checksum, mixed case. */
    CU_ASSERT_NOT_EQUAL(rg_agekey_recipient_parse(sk, &r, err), RG_OK);
    CU_ASSERT_NOT_EQUAL(rg_agekey_identity_parse(pk, &id, err), RG_OK);
    CU_ASSERT_NOT_EQUAL(rg_agekey_recipient_parse(
        "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwk", &r,
        err), RG_OK);
    CU_ASSERT_NOT_EQUAL(rg_agekey_recipient_parse(
        "age1Zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj", &r,
        err), RG_OK);
    CU_ASSERT_NOT_EQUAL(rg_agekey_recipient_parse("age1qqqqqqqqqq", &r, err),
                        RG_OK);
    rg_agekey_wipe(&id);
}

int main(void)
{
    static const rg_test tests[] = {
        {"bip173 valid vectors", test_bip173_valid},
        {"bip173 invalid vectors", test_bip173_invalid},
        {"round trip and checksum", test_roundtrip},
        {"age spec key pair", test_age_spec_keys},
        {NULL, NULL},
    };
    return rg_test_run("bech32", tests);
}
