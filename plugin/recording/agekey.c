/* age X25519 identities and recipients on OpenSSL EVP. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "agekey.h"
#include "bech32.h"
#include "errfmt.h"

#define HRP_RECIPIENT "age"
#define HRP_IDENTITY "age-secret-key-"

rg_err rg_agekey_public(const unsigned char sk[RG_AGE_KEY_LEN],
                        unsigned char pk[RG_AGE_KEY_LEN])
{
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk,
                                                 RG_AGE_KEY_LEN);
    size_t len = RG_AGE_KEY_LEN;
    rg_err err = RG_ERR_CRYPTO;
    if (key && EVP_PKEY_get_raw_public_key(key, pk, &len) == 1 &&
        len == RG_AGE_KEY_LEN)
        err = RG_OK;
    EVP_PKEY_free(key); /* OpenSSL cleanses the private key on free */
    return err;
}

rg_err rg_agekey_generate(rg_age_identity *id)
{
    if (!id)
        return RG_ERR_ARG;
    if (RAND_priv_bytes(id->sk, RG_AGE_KEY_LEN) != 1)
        return RG_ERR_CRYPTO;
    rg_err err = rg_agekey_public(id->sk, id->pk);
    if (err)
        rg_agekey_wipe(id);
    return err;
}

void rg_agekey_wipe(rg_age_identity *id)
{
    if (id)
        OPENSSL_cleanse(id, sizeof *id);
}

rg_err rg_agekey_recipient_format(const rg_age_recipient *r, char *out,
                                  size_t outsz)
{
    if (!r)
        return RG_ERR_ARG;
    return rg_bech32_encode(HRP_RECIPIENT, r->pk, RG_AGE_KEY_LEN, 0, out,
                            outsz);
}

rg_err rg_agekey_identity_format(const rg_age_identity *id, char *out,
                                 size_t outsz)
{
    if (!id)
        return RG_ERR_ARG;
    return rg_bech32_encode(HRP_IDENTITY, id->sk, RG_AGE_KEY_LEN, 1, out,
                            outsz);
}

static rg_err decode_key(const char *s, const char *want_hrp, const char *what,
                         unsigned char key[RG_AGE_KEY_LEN], char *errbuf)
{
    char hrp[RG_BECH32_MAX_HRP + 1], why[RG_ERRBUF_SIZE];
    unsigned char data[RG_AGE_KEY_LEN + 8];
    size_t len = 0;
    rg_err err = rg_bech32_decode(s, hrp, sizeof hrp, data, sizeof data, &len,
                                  why);
    if (err) {
        rg_errbuf(errbuf, "not a valid %s (%.300s)", what, why);
        err = RG_ERR_PARSE;
        goto cleanup;
    }
    if (strcmp(hrp, want_hrp) != 0 || len != RG_AGE_KEY_LEN) {
        rg_errbuf(errbuf, "not a valid %s (wrong prefix or length)", what);
        err = RG_ERR_PARSE;
        goto cleanup;
    }
    memcpy(key, data, RG_AGE_KEY_LEN);
cleanup:
    OPENSSL_cleanse(data, sizeof data);
    return err;
}

rg_err rg_agekey_recipient_parse(const char *s, rg_age_recipient *r,
                                 char *errbuf)
{
    if (!s || !r)
        return RG_ERR_ARG;
    return decode_key(s, HRP_RECIPIENT, "age recipient (age1...)", r->pk,
                      errbuf);
}

rg_err rg_agekey_identity_parse(const char *s, rg_age_identity *id,
                                char *errbuf)
{
    if (!s || !id)
        return RG_ERR_ARG;
    rg_err err = decode_key(s, HRP_IDENTITY, "age identity (AGE-SECRET-KEY-1...)",
                            id->sk, errbuf);
    if (!err)
        err = rg_agekey_public(id->sk, id->pk);
    if (err)
        rg_agekey_wipe(id);
    return err;
}

void rg_agekey_free_identities(rg_age_identity *ids, size_t n)
{
    if (!ids)
        return;
    OPENSSL_cleanse(ids, n * sizeof *ids);
    free(ids);
}

rg_err rg_agekey_parse_identities(const char *text, size_t len,
                                  const char *name, rg_age_identity **ids,
                                  size_t *n, char *errbuf)
{
    if (!text || !ids || !n)
        return RG_ERR_ARG;
    rg_age_identity *out = NULL;
    size_t cnt = 0, cap = 0, lineno = 0;
    char line[RG_AGE_IDENTITY_STRLEN + 2];
    rg_err err = RG_OK;
    const char *nm = name ? name : "identity file";
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t ll = end - pos;
        const char *l = text + pos;
        pos = end + 1;
        lineno++;
        if (ll && l[ll - 1] == '\r')
            ll--;
        if (ll == 0 || l[0] == '#')
            continue;
        if (ll != RG_AGE_IDENTITY_STRLEN || memchr(l, '\0', ll)) {
            rg_errbuf(errbuf, "%s: line %zu is not an age X25519 identity "
                         "(expected AGE-SECRET-KEY-1...)", nm, lineno);
            err = RG_ERR_PARSE;
            goto cleanup;
        }
        memcpy(line, l, ll);
        line[ll] = '\0';
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            rg_age_identity *grown = calloc(ncap, sizeof *grown);
            if (!grown) {
                err = RG_ERR_NOMEM;
                goto cleanup;
            }
            if (out)
                memcpy(grown, out, cnt * sizeof *out);
            rg_agekey_free_identities(out, cap);
            out = grown;
            cap = ncap;
        }
        char why[RG_ERRBUF_SIZE];
        err = rg_agekey_identity_parse(line, &out[cnt], why);
        if (err) {
            rg_errbuf(errbuf, "%.200s: line %zu: %.250s", nm,
                         lineno, why);
            goto cleanup;
        }
        cnt++;
    }
    if (cnt == 0) {
        rg_errbuf(errbuf, "%s: no identity found", nm);
        err = RG_ERR_PARSE;
        goto cleanup;
    }
    *ids = out;
    *n = cnt;
    out = NULL;
cleanup:
    OPENSSL_cleanse(line, sizeof line);
    rg_agekey_free_identities(out, cap);
    return err;
}

rg_err rg_agekey_load_identities(const char *path, rg_age_identity **ids,
                                 size_t *n, char *errbuf)
{
    if (!path || !ids || !n)
        return RG_ERR_ARG;
    rg_err err = RG_OK;
    char *buf = NULL;
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        rg_errbuf(errbuf, "%s: cannot open identity file: %s",
                     path, strerror(errno));
        err = errno == ENOENT ? RG_ERR_NOT_FOUND : RG_ERR_IO;
        goto cleanup;
    }
    /* Pipes (process substitution) are private to us; regular files must
     * not be readable by anyone else, as age-keygen creates them. */
    if (S_ISREG(st.st_mode) && (st.st_mode & 077)) {
        rg_errbuf(errbuf, "%s: identity file is accessible by group or others "
                     "(mode %04o); refusing it, run chmod 600 %s",
                     path, (unsigned)(st.st_mode & 07777), path);
        err = RG_ERR_PERMISSION;
        goto cleanup;
    }
    size_t cap = 4096;
    buf = malloc(cap);
    if (!buf) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    for (;;) {
        if (len == cap) {
            if (cap >= RG_AGE_IDFILE_MAX) {
                rg_errbuf(errbuf, "%s: identity file larger than %u bytes", path,
                             RG_AGE_IDFILE_MAX);
                err = RG_ERR_PARSE;
                goto cleanup;
            }
            char *grown = malloc(cap * 2);
            if (!grown) {
                err = RG_ERR_NOMEM;
                goto cleanup;
            }
            memcpy(grown, buf, len);
            OPENSSL_cleanse(buf, cap);
            free(buf);
            buf = grown;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rg_errbuf(errbuf, "%s: read failed: %s", path,
                         strerror(errno));
            err = RG_ERR_IO;
            goto cleanup;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    err = rg_agekey_parse_identities(buf, len, path, ids, n, errbuf);
cleanup:
    if (buf) {
        OPENSSL_cleanse(buf, len);
        free(buf);
    }
    if (fd >= 0)
        close(fd);
    return err;
}

rg_err rg_agekey_write_identity_file(const char *path,
                                     const rg_age_identity *id, char *errbuf)
{
    if (!path || !id)
        return RG_ERR_ARG;
    char text[512], rcpt[RG_AGE_RECIPIENT_STRLEN + 1],
        sec[RG_AGE_IDENTITY_STRLEN + 1], when[32];
    rg_age_recipient r;
    rg_err err = RG_OK;
    int fd = -1;
    memcpy(r.pk, id->pk, sizeof r.pk);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if ((err = rg_agekey_recipient_format(&r, rcpt, sizeof rcpt)) ||
        (err = rg_agekey_identity_format(id, sec, sizeof sec)))
        goto cleanup;
    int tl = snprintf(text, sizeof text,
                      "# created: %s\n# public key: %s\n%s\n", when, rcpt, sec);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        rg_errbuf(errbuf, "%s: %s", path,
                     errno == EEXIST ? "file exists; refusing to overwrite it"
                                     : strerror(errno));
        err = errno == EEXIST ? RG_ERR_REFUSED : RG_ERR_IO;
        goto cleanup;
    }
    if (fchmod(fd, 0600) != 0 || write(fd, text, (size_t)tl) != (ssize_t)tl ||
        fsync(fd) != 0) {
        rg_errbuf(errbuf, "%s: write failed: %s", path,
                     strerror(errno));
        err = RG_ERR_IO;
        unlink(path);
        goto cleanup;
    }
cleanup:
    if (fd >= 0)
        close(fd);
    OPENSSL_cleanse(text, sizeof text);
    OPENSSL_cleanse(sec, sizeof sec);
    return err;
}
