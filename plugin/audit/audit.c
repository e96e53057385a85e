/* Audit log writer, key file and pseudonyms (format: docs/audit.md). */
#include "errfmt.h"
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#define GENESIS "recgate audit log v1 genesis"

struct rg_audit {
    int fd;
    char *path;
    uint8_t mac_key[32];
    uint8_t prev[32];   /* SHA-256 of the last line written (or genesis) */
    uint64_t lines;
    off_t size;         /* bytes known good; a failed write is cut back to it */
    bool checkpointed;  /* no more appends on this handle */
    bool failed;        /* a write or fsync failed: fail closed */
};


void rg_audit_hex(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void rg_audit_genesis(uint8_t out[32])
{
    SHA256((const unsigned char *)GENESIS, strlen(GENESIS), out);
}

rg_err rg_audit_derive(const uint8_t key[RG_AUDIT_KEY_LEN],
                       rg_audit_subkey which, uint8_t out[32])
{
    static char salt[] = "recgate-audit";
    char *info = which == RG_AUDIT_SUBKEY_MAC ? "recgate audit mac v1"
                                              : "recgate audit pseudonym v1";
    rg_err err = RG_ERR_CRYPTO;
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    if (!ctx)
        goto cleanup;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key,
                                          RG_AUDIT_KEY_LEN),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt,
                                          strlen(salt)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info,
                                          strlen(info)),
        OSSL_PARAM_construct_end()};
    if (EVP_KDF_derive(ctx, out, 32, params) == 1)
        err = RG_OK;
cleanup:
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return err;
}

rg_err rg_audit_pseudonym(const uint8_t key[RG_AUDIT_KEY_LEN],
                          const char *platform_id, char out[RG_PSEUDONYM_LEN])
{
    if (!key || !platform_id || !out)
        return RG_ERR_ARG;
    uint8_t sub[32], mac[32];
    unsigned mac_len = 0;
    rg_err err = rg_audit_derive(key, RG_AUDIT_SUBKEY_PSEUDONYM, sub);
    if (err)
        goto cleanup;
    if (!HMAC(EVP_sha256(), sub, sizeof sub, (const unsigned char *)platform_id,
              strlen(platform_id), mac, &mac_len)) {
        err = RG_ERR_CRYPTO;
        goto cleanup;
    }
    out[0] = 'p';
    out[1] = '-';
    rg_audit_hex(mac, 8, out + 2);
cleanup:
    OPENSSL_cleanse(sub, sizeof sub);
    OPENSSL_cleanse(mac, sizeof mac);
    return err;
}

/* ---- key file ----------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool decode_key(const char *s, size_t n, uint8_t key[RG_AUDIT_KEY_LEN])
{
    if (n == 2 * RG_AUDIT_KEY_LEN) {
        for (size_t i = 0; i < RG_AUDIT_KEY_LEN; i++) {
            int hi = hexval((unsigned char)s[2 * i]);
            int lo = hexval((unsigned char)s[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return false;
            key[i] = (uint8_t)(hi << 4 | lo);
        }
        return true;
    }
    /* base64 of 32 bytes: 43 characters + one '=' */
    if (n == 44 && s[43] == '=' && s[42] != '=') {
        unsigned char tmp[36];
        bool ok = EVP_DecodeBlock(tmp, (const unsigned char *)s, 44) == 33;
        if (ok)
            memcpy(key, tmp, RG_AUDIT_KEY_LEN);
        OPENSSL_cleanse(tmp, sizeof tmp);
        return ok;
    }
    return false;
}

rg_err rg_audit_key_load(const char *path, uint8_t key[RG_AUDIT_KEY_LEN],
                         char *errbuf)
{
    if (!path || !key)
        return rg_errorf(errbuf, RG_ERR_ARG, "audit key: no key file given");
    char buf[256];
    ssize_t n = 0;
    rg_err err = RG_OK;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rg_errorf(errbuf, errno == EACCES ? RG_ERR_PERMISSION : RG_ERR_IO,
                    "%s: cannot open audit key file: %s", path,
                    strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        err = rg_errorf(errbuf, RG_ERR_FORMAT,
                   "%s: audit key file is not a regular file", path);
        goto cleanup;
    }
    if (st.st_mode & 077) {
        err = rg_errorf(errbuf, RG_ERR_PERMISSION,
                   "%s: audit key file has mode %04o: group/others may "
                   "access it; run chmod 600 %s", path,
                   (unsigned)(st.st_mode & 07777), path);
        goto cleanup;
    }
    n = read(fd, buf, sizeof buf - 1);
    if (n < 0) {
        err = rg_errorf(errbuf, RG_ERR_IO, "%s: cannot read audit key file: %s",
                   path, strerror(errno));
        goto cleanup;
    }
    size_t a = 0, b = (size_t)n;
    while (a < b && strchr(" \t\r\n", buf[a]))
        a++;
    while (b > a && strchr(" \t\r\n", buf[b - 1]))
        b--;
    if (!decode_key(buf + a, b - a, key)) {
        err = rg_errorf(errbuf, RG_ERR_FORMAT,
                   "%s: not an audit key: expected one line of 64 hex digits "
                   "or 44 base64 characters (32 bytes)", path);
        OPENSSL_cleanse(key, RG_AUDIT_KEY_LEN);
    }
cleanup:
    OPENSSL_cleanse(buf, sizeof buf);
    close(fd);
    return err;
}

rg_err rg_audit_key_generate(const char *path, char *errbuf)
{
    if (!path)
        return rg_errorf(errbuf, RG_ERR_ARG, "audit keygen: no output file given");
    uint8_t key[RG_AUDIT_KEY_LEN];
    char line[2 * RG_AUDIT_KEY_LEN + 2];
    rg_err err = RG_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                  0600);
    if (fd < 0)
        return rg_errorf(errbuf, errno == EEXIST ? RG_ERR_REFUSED : RG_ERR_IO,
                    "%s: cannot create audit key file: %s%s", path,
                    strerror(errno),
                    errno == EEXIST ? " (refusing to overwrite a key)" : "");
    if (RAND_bytes(key, sizeof key) != 1) {
        err = rg_errorf(errbuf, RG_ERR_CRYPTO, "%s: no random bytes for the key",
                   path);
        goto cleanup;
    }
    rg_audit_hex(key, sizeof key, line);
    line[2 * RG_AUDIT_KEY_LEN] = '\n';
    if (write(fd, line, sizeof line - 1) != (ssize_t)(sizeof line - 1) ||
        fsync(fd) != 0)
        err = rg_errorf(errbuf, RG_ERR_IO, "%s: cannot write audit key file: %s",
                   path, strerror(errno));
cleanup:
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(line, sizeof line);
    close(fd);
    if (err)
        unlink(path);
    return err;
}

/* ---- line building ------------------------------------------------------ */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* A JSON string literal: quotes, backslashes and control bytes escaped. */
static void sb_json_string(sbuf *b, const char *s)
{
    sb_puts(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            sb_put(b, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sb_puts(b, esc);
        } else {
            sb_put(b, (const char *)&c, 1);
        }
    }
    sb_puts(b, "\"");
}


static bool reserved_key(const char *k)
{
    static const char *const r[] = {"seq", "ts", "t_ms", "event", "prev",
                                    "mac"};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        if (!strcmp(k, r[i]))
            return true;
    return false;
}

static void utc_now(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Build, write and account one line. Single writer (flock), O_APPEND. */
static rg_err write_line(rg_audit *log, const char *event, const cJSON *fields,
                         int64_t t_ms, bool sync)
{
    if (log->failed)
        return RG_ERR_IO;
    if (log->checkpointed)
        return RG_ERR_STATE;
    if (fields && !cJSON_IsObject(fields))
        return RG_ERR_ARG;
    /* keys: no reserved names, no repeats (the verifier relies on it) */
    for (const cJSON *a = fields ? fields->child : NULL; a; a = a->next) {
        if (!a->string || reserved_key(a->string))
            return RG_ERR_ARG;
        for (const cJSON *b = fields->child; b != a; b = b->next)
            if (!strcmp(a->string, b->string))
                return RG_ERR_ARG;
    }

    sbuf b = {0};
    rg_err err = RG_OK;
    char tmp[160], ts[32], hex[65];
    uint8_t mac[32];
    unsigned mac_len = 0;
    rg_audit_report rep;
    bool is_cp = false;

    utc_now(ts);
    snprintf(tmp, sizeof tmp, "{\"seq\":%" PRIu64 ",\"ts\":\"%s\"",
             log->lines + 1, ts);
    sb_puts(&b, tmp);
    if (t_ms >= 0) {
        snprintf(tmp, sizeof tmp, ",\"t_ms\":%" PRId64, t_ms);
        sb_puts(&b, tmp);
    }
    sb_puts(&b, ",\"event\":\"");
    sb_puts(&b, event);
    sb_puts(&b, "\"");
    for (const cJSON *f = fields ? fields->child : NULL; f; f = f->next) {
        char *v = cJSON_PrintUnformatted(f);
        if (!v) {
            err = RG_ERR_NOMEM;
            goto cleanup;
        }
        sb_puts(&b, ",");
        sb_json_string(&b, f->string);
        sb_puts(&b, ":");
        sb_puts(&b, v);
        cJSON_free(v);
    }
    rg_audit_hex(log->prev, 32, hex);
    sb_puts(&b, ",\"prev\":\"");
    sb_puts(&b, hex);
    sb_puts(&b, "\"");
    if (b.oom) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    /* MAC input: every byte of the line before ,"mac":" */
    if (!HMAC(EVP_sha256(), log->mac_key, sizeof log->mac_key,
              (const unsigned char *)b.p, b.n, mac, &mac_len)) {
        err = RG_ERR_CRYPTO;
        goto cleanup;
    }
    rg_audit_hex(mac, 32, hex);
    sb_puts(&b, ",\"mac\":\"");
    sb_puts(&b, hex);
    sb_puts(&b, "\"}\n");
    if (b.oom) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    /* never write a line the verifier would reject (e.g. cJSON raw items
     * smuggling a member or a newline): the log stays verifiable */
    if (b.n > RG_AUDIT_MAX_LINE || memchr(b.p, '\n', b.n - 1) ||
        rg_audit_check_line(b.p, b.n - 1, log->lines + 1, log->prev,
                            log->mac_key, &rep, &is_cp) != RG_OK) {
        err = RG_ERR_ARG;
        goto cleanup;
    }

    for (size_t off = 0; off < b.n;) {
        ssize_t w = write(log->fd, b.p + off, b.n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            /* cut a partial line back so the log stays verifiable */
            if (ftruncate(log->fd, log->size) != 0)
                (void)0;
            log->failed = true;
            err = RG_ERR_IO;
            goto cleanup;
        }
        off += (size_t)w;
    }
    if (sync && fsync(log->fd) != 0) {
        log->failed = true;
        err = RG_ERR_IO;
        goto cleanup;
    }
    SHA256((const unsigned char *)b.p, b.n - 1, log->prev);
    log->lines++;
    log->size += (off_t)b.n;
cleanup:
    free(b.p);
    return err;
}

rg_err rg_audit_append(rg_audit *log, const char *event, const cJSON *fields,
                       int64_t t_ms, bool sync)
{
    if (!log || !event || !rg_audit_event_name_ok(event) ||
        !strcmp(event, RG_AUDIT_EV_CHECKPOINT) ||
        !strcmp(event, RG_AUDIT_EV_RESUME) || t_ms < -1)
        return RG_ERR_ARG;
    return write_line(log, event, fields, t_ms, sync);
}

rg_err rg_audit_checkpoint(rg_audit *log)
{
    if (!log)
        return RG_ERR_ARG;
    cJSON *f = cJSON_CreateObject();
    if (!f || !cJSON_AddNumberToObject(f, "lines", (double)(log->lines + 1))) {
        cJSON_Delete(f);
        return RG_ERR_NOMEM;
    }
    rg_err err = write_line(log, RG_AUDIT_EV_CHECKPOINT, f, -1, true);
    cJSON_Delete(f);
    if (!err)
        log->checkpointed = true;
    return err;
}

uint64_t rg_audit_lines(const rg_audit *log) { return log ? log->lines : 0; }

void rg_audit_close(rg_audit *log)
{
    if (!log)
        return;
    if (log->fd >= 0)
        close(log->fd); /* releases the flock */
    OPENSSL_cleanse(log->mac_key, sizeof log->mac_key);
    free(log->path);
    free(log);
}

/* ---- open --------------------------------------------------------------- */

/* Persist the directory entry of a newly created file. */
static void sync_parent_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    free(copy);
}

/* Read and verify an existing log; set log->prev/lines from its end. */
static rg_err load_existing(rg_audit *log, off_t size, bool *clean,
                            char *errbuf)
{
    if ((uint64_t)size > RG_AUDIT_MAX_FILE)
        return rg_errorf(errbuf, RG_ERR_FORMAT,
                    "%s: audit log larger than %u bytes", log->path,
                    RG_AUDIT_MAX_FILE);
    char *buf = malloc((size_t)size);
    rg_err err = RG_OK;
    rg_audit_report rep;
    if (!buf)
        return rg_errorf(errbuf, RG_ERR_NOMEM, "%s: out of memory", log->path);
    for (size_t got = 0; got < (size_t)size;) {
        ssize_t r = pread(log->fd, buf + got, (size_t)size - got, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            err = rg_errorf(errbuf, RG_ERR_IO, "%s: cannot read audit log: %s",
                       log->path, r < 0 ? strerror(errno) : "file shrank");
            goto cleanup;
        }
        got += (size_t)r;
    }
    err = rg_audit_verify_mem(buf, (size_t)size, log->mac_key, log->path,
                              &rep, log->prev, errbuf);
    /* an unclosed log (crash) may be continued; anything else may not */
    if (err == RG_ERR_TRUNCATED && rep.unclosed)
        err = RG_OK;
    if (err) {
        if (errbuf) {
            size_t n = strlen(errbuf);
            snprintf(errbuf + n, RG_ERRBUF_SIZE - n,
                     " (refusing to append to this audit log)");
        }
        goto cleanup;
    }
    log->lines = rep.lines;
    *clean = rep.checkpointed;
cleanup:
    free(buf);
    return err;
}

rg_err rg_audit_open(const char *path, const uint8_t key[RG_AUDIT_KEY_LEN],
                     rg_audit **out, char *errbuf)
{
    if (!path || !key || !out)
        return rg_errorf(errbuf, RG_ERR_ARG, "audit log: missing argument");
    *out = NULL;
    rg_err err = RG_OK;
    struct stat st;
    bool created = false, clean = true;
    rg_audit *log = calloc(1, sizeof *log);
    if (!log || !(log->path = strdup(path))) {
        free(log);
        return rg_errorf(errbuf, RG_ERR_NOMEM, "%s: out of memory", path);
    }
    log->fd = open(path,
                   O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                   0600);
    if (log->fd >= 0)
        created = true;
    else if (errno == EEXIST)
        log->fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    if (log->fd < 0) {
        err = rg_errorf(errbuf, errno == EACCES ? RG_ERR_PERMISSION : RG_ERR_IO,
                   "%s: cannot open audit log: %s", path, strerror(errno));
        goto cleanup;
    }
    if (flock(log->fd, LOCK_EX | LOCK_NB) != 0) {
        err = rg_errorf(errbuf, RG_ERR_STATE,
                   "%s: audit log is open in another process", path);
        goto cleanup;
    }
    if (fstat(log->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        err = rg_errorf(errbuf, RG_ERR_FORMAT, "%s: not a regular file", path);
        goto cleanup;
    }
    if ((err = rg_audit_derive(key, RG_AUDIT_SUBKEY_MAC, log->mac_key))) {
        rg_errorf(errbuf, err, "%s: cannot derive the audit MAC key", path);
        goto cleanup;
    }
    rg_audit_genesis(log->prev);
    if (st.st_size > 0) {
        if ((err = load_existing(log, st.st_size, &clean, errbuf)))
            goto cleanup;
        log->size = st.st_size;
        cJSON *f = cJSON_CreateObject();
        if (!f || !cJSON_AddBoolToObject(f, "clean", clean) ||
            !cJSON_AddNumberToObject(f, "after_line", (double)log->lines)) {
            cJSON_Delete(f);
            err = rg_errorf(errbuf, RG_ERR_NOMEM, "%s: out of memory", path);
            goto cleanup;
        }
        err = write_line(log, RG_AUDIT_EV_RESUME, f, -1, true);
        cJSON_Delete(f);
        if (err) {
            rg_errorf(errbuf, err, "%s: cannot append to audit log: %s", path,
                 strerror(errno));
            goto cleanup;
        }
    } else if (created) {
        if (fsync(log->fd) != 0) {
            err = rg_errorf(errbuf, RG_ERR_IO, "%s: fsync: %s", path,
                       strerror(errno));
            goto cleanup;
        }
        sync_parent_dir(path);
    }
    *out = log;
    log = NULL;
cleanup:
    if (log && created)
        unlink(path);
    rg_audit_close(log);
    return err;
}
