/* Audit log verifier: finds the first line at which tampering shows.
 * Checks per line, in this order (docs/audit.md): framing (newline,
 * length, NUL), the fixed prefix/suffix, the MAC (with a key), the hash
 * chain, then the JSON contents (seq, ts, event, checkpoint count). */
#include "audit.h"
#include "errfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#define LINE_HEAD "{\"seq\":"
#define PREV_TAG ",\"prev\":\""          /* 9 bytes, then 64 hex */
#define MAC_TAG "\",\"mac\":\""          /* 9 bytes, then 64 hex */
#define LINE_END "\"}"
#define SUFFIX_LEN (9 + 64 + 9 + 64 + 2) /* ,"prev":"<hex>","mac":"<hex>"} */
#define MAC_PART_LEN (8 + 64 + 2)        /* ,"mac":"<hex>"} : not MACed */

static rg_err bad(rg_audit_report *rep, uint64_t line, rg_err err,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static rg_err bad(rg_audit_report *rep, uint64_t line, rg_err err,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rep->problem, sizeof rep->problem, fmt, ap);
    va_end(ap);
    rep->first_bad_line = line;
    return err;
}

static bool lower_hex(const char *s, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i += 2) {
        int v[2];
        for (int j = 0; j < 2; j++) {
            char c = s[i + (size_t)j];
            if (c >= '0' && c <= '9')
                v[j] = c - '0';
            else if (c >= 'a' && c <= 'f')
                v[j] = c - 'a' + 10;
            else
                return false;
        }
        out[i / 2] = (uint8_t)(v[0] << 4 | v[1]);
    }
    return true;
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" */
static bool ts_ok(const char *s)
{
    static const char pat[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (strlen(s) != sizeof pat - 1)
        return false;
    for (size_t i = 0; pat[i]; i++)
        if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i])
            return false;
    return true;
}

bool rg_audit_event_name_ok(const char *e)
{
    size_t n = strlen(e);
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((e[i] >= 'a' && e[i] <= 'z') || (e[i] >= '0' && e[i] <= '9') ||
              e[i] == '_'))
            return false;
    return true;
}

static bool is_uint(const cJSON *v, double want)
{
    return cJSON_IsNumber(v) && v->valuedouble == want;
}

/* The JSON contents of line k (framing, MAC and chain already passed). */
static rg_err check_json(const char *p, size_t n, uint64_t k,
                         const char *prev_hex, const char *mac_hex,
                         rg_audit_report *rep, bool *is_checkpoint)
{
    rg_err err = RG_OK;
    char *copy = malloc(n + 1);
    cJSON *o = NULL;
    if (!copy)
        return bad(rep, k, RG_ERR_NOMEM, "out of memory");
    memcpy(copy, p, n);
    copy[n] = '\0';
    const char *end = NULL;
    o = cJSON_ParseWithOpts(copy, &end, 1);
    if (!o || !cJSON_IsObject(o)) {
        size_t at = end && end >= copy ? (size_t)(end - copy) : 0;
        err = bad(rep, k, RG_ERR_PARSE, "invalid JSON near byte %zu", at + 1);
        goto cleanup;
    }
    /* each fixed member exactly once */
    static const char *const fixed[] = {"seq", "ts", "t_ms", "event", "prev",
                                        "mac"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        int count = 0;
        for (const cJSON *c = o->child; c; c = c->next)
            count += c->string && !strcmp(c->string, fixed[i]);
        if (count > 1) {
            err = bad(rep, k, RG_ERR_PARSE, "member \"%s\" appears %d times",
                      fixed[i], count);
            goto cleanup;
        }
    }
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(o, "seq");
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(o, "ts");
    const cJSON *tms = cJSON_GetObjectItemCaseSensitive(o, "t_ms");
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(o, "event");
    const cJSON *pv = cJSON_GetObjectItemCaseSensitive(o, "prev");
    const cJSON *mc = cJSON_GetObjectItemCaseSensitive(o, "mac");
    if (!is_uint(seq, (double)k)) {
        if (cJSON_IsNumber(seq))
            err = bad(rep, k, RG_ERR_AUTH,
                      "seq is %.0f, expected %" PRIu64
                      ": a line was removed, inserted or reordered here",
                      seq->valuedouble, k);
        else
            err = bad(rep, k, RG_ERR_PARSE, "seq is not a number");
        goto cleanup;
    }
    if (!cJSON_IsString(ts) || !ts_ok(ts->valuestring)) {
        err = bad(rep, k, RG_ERR_PARSE,
                  "ts is not a UTC time YYYY-MM-DDTHH:MM:SS.mmmZ");
        goto cleanup;
    }
    if (tms && !(cJSON_IsNumber(tms) && tms->valuedouble >= 0)) {
        err = bad(rep, k, RG_ERR_PARSE, "t_ms is not a time in milliseconds");
        goto cleanup;
    }
    if (!cJSON_IsString(ev) || !rg_audit_event_name_ok(ev->valuestring)) {
        err = bad(rep, k, RG_ERR_PARSE, "event is not an event name");
        goto cleanup;
    }
    if (!cJSON_IsString(pv) || strncmp(pv->valuestring, prev_hex, 64) ||
        pv->valuestring[64] || !cJSON_IsString(mc) ||
        strncmp(mc->valuestring, mac_hex, 64) || mc->valuestring[64]) {
        err = bad(rep, k, RG_ERR_PARSE,
                  "prev/mac members do not end the line as required");
        goto cleanup;
    }
    *is_checkpoint = !strcmp(ev->valuestring, RG_AUDIT_EV_CHECKPOINT);
    if (*is_checkpoint &&
        !is_uint(cJSON_GetObjectItemCaseSensitive(o, "lines"), (double)k)) {
        err = bad(rep, k, RG_ERR_AUTH,
                  "checkpoint does not count %" PRIu64 " lines", k);
        goto cleanup;
    }
    if (!strcmp(ev->valuestring, RG_AUDIT_EV_RESUME) &&
        !is_uint(cJSON_GetObjectItemCaseSensitive(o, "after_line"),
                 (double)(k - 1))) {
        err = bad(rep, k, RG_ERR_AUTH,
                  "resume does not follow line %" PRIu64, k - 1);
        goto cleanup;
    }
cleanup:
    cJSON_Delete(o);
    free(copy);
    return err;
}

/* One complete line (without '\n') against the expected prev hash. */
rg_err rg_audit_check_line(const char *p, size_t n, uint64_t k,
                         const uint8_t prev[32], const uint8_t *mac_key,
                         rg_audit_report *rep, bool *is_checkpoint)
{
    uint8_t got_prev[32], got_mac[32], want_mac[32];
    unsigned mac_len = 0;
    if (n == 0)
        return bad(rep, k, RG_ERR_PARSE, "empty line");
    if (memchr(p, '\0', n))
        return bad(rep, k, RG_ERR_PARSE, "contains a NUL byte");
    const char *s = n >= SUFFIX_LEN ? p + n - SUFFIX_LEN : p;
    if (n < strlen(LINE_HEAD) + SUFFIX_LEN ||
        memcmp(p, LINE_HEAD, strlen(LINE_HEAD)) ||
        memcmp(s, PREV_TAG, 9) || !lower_hex(s + 9, 64, got_prev) ||
        memcmp(s + 73, MAC_TAG, 9) || !lower_hex(s + 82, 64, got_mac) ||
        memcmp(s + 146, LINE_END, 2)) {
        if (k == 1)
            return bad(rep, k, RG_ERR_FORMAT,
                       "not a recgate audit log: the line is not "
                       "{\"seq\":...,\"prev\":\"<64 hex>\",\"mac\":\"<64 hex>\"}");
        return bad(rep, k, RG_ERR_PARSE,
                   "malformed audit line: expected {\"seq\":...,"
                   "\"prev\":\"<64 hex>\",\"mac\":\"<64 hex>\"}");
    }
    if (mac_key) {
        if (!HMAC(EVP_sha256(), mac_key, 32, (const unsigned char *)p,
                  n - MAC_PART_LEN, want_mac, &mac_len))
            return bad(rep, k, RG_ERR_CRYPTO, "HMAC failed");
        if (CRYPTO_memcmp(want_mac, got_mac, 32))
            return bad(rep, k, RG_ERR_AUTH, "%s",
                       k == 1 ? "MAC does not match: wrong key, or the "
                                "line was edited"
                              : "MAC does not match: the line was edited");
    }
    if (memcmp(got_prev, prev, 32)) {
        if (k == 1)
            return bad(rep, k, RG_ERR_AUTH,
                       "prev is not the genesis hash: lines before it were "
                       "removed%s", mac_key ? "" : ", or it was edited");
        if (mac_key)
            return bad(rep, k, RG_ERR_AUTH,
                       "hash chain broken: prev is not the SHA-256 of line "
                       "%" PRIu64 ": a line was removed, inserted or "
                       "reordered here", k - 1);
        return bad(rep, k, RG_ERR_AUTH,
                   "hash chain broken: prev is not the SHA-256 of line %" PRIu64
                   ": line %" PRIu64 " or this line was edited, or a line was "
                   "removed, inserted or reordered here", k - 1, k - 1);
    }
    char prev_hex[65], mac_hex[65];
    memcpy(prev_hex, s + 9, 64);
    prev_hex[64] = '\0';
    memcpy(mac_hex, s + 82, 64);
    mac_hex[64] = '\0';
    return check_json(p, n, k, prev_hex, mac_hex, rep, is_checkpoint);
}

rg_err rg_audit_verify_mem(const char *buf, size_t len, const uint8_t *mac_key,
                           const char *origin, rg_audit_report *rep,
                           uint8_t head[32], char *errbuf)
{
    rg_err err = RG_OK;
    uint8_t prev[32];
    uint64_t k = 0;
    bool last_cp = false;
    memset(rep, 0, sizeof *rep);
    rep->macs_checked = mac_key != NULL;
    rg_audit_genesis(prev);
    if (!origin)
        origin = "audit log";
    if (len == 0) {
        err = bad(rep, 1, RG_ERR_FORMAT, "empty file: no audit lines");
        goto done;
    }
    for (size_t pos = 0; pos < len;) {
        k++;
        size_t avail = len - pos;
        size_t scan = avail < RG_AUDIT_MAX_LINE ? avail : RG_AUDIT_MAX_LINE;
        const char *nl = memchr(buf + pos, '\n', scan);
        if (!nl) {
            if (avail >= RG_AUDIT_MAX_LINE)
                err = bad(rep, k, RG_ERR_PARSE,
                          "line longer than %d bytes", RG_AUDIT_MAX_LINE);
            else
                err = bad(rep, k, RG_ERR_TRUNCATED,
                          "incomplete last line (no newline): the log was "
                          "cut mid-line");
            goto done;
        }
        size_t n = (size_t)(nl - (buf + pos));
        bool cp = false;
        if ((err = rg_audit_check_line(buf + pos, n, k, prev, mac_key, rep, &cp)))
            goto done;
        SHA256((const unsigned char *)buf + pos, n, prev);
        rep->lines = k;
        last_cp = cp;
        pos += n + 1;
    }
    if (!last_cp) {
        rep->unclosed = true;
        err = bad(rep, k + 1, RG_ERR_TRUNCATED,
                  "ends without checkpoint after line %" PRIu64
                  ": truncated or the session did not close", k);
    }
done:
    rep->checkpointed = last_cp;
    if (rep->lines > 0) {
        rg_audit_hex(prev, 32, rep->head);
        if (head)
            memcpy(head, prev, 32);
    }
    rep->ok = err == RG_OK;
    if (err)
        rg_errbuf(errbuf, "%s: line %" PRIu64 ": %s", origin,
                 rep->first_bad_line, rep->problem);
    return err;
}

rg_err rg_audit_verify_buf(const char *buf, size_t len, const uint8_t *key,
                           const char *origin, rg_audit_report *rep,
                           char *errbuf)
{
    uint8_t mac_key[32];
    rg_err err;
    if (!rep || (!buf && len))
        return RG_ERR_ARG;
    if (key && (err = rg_audit_derive(key, RG_AUDIT_SUBKEY_MAC, mac_key))) {
        memset(rep, 0, sizeof *rep);
        return err;
    }
    err = rg_audit_verify_mem(buf ? buf : "", len, key ? mac_key : NULL,
                              origin, rep, NULL, errbuf);
    OPENSSL_cleanse(mac_key, sizeof mac_key);
    return err;
}

rg_err rg_audit_verify(const char *path, const uint8_t *key,
                       rg_audit_report *rep, char *errbuf)
{
    if (!path || !rep)
        return RG_ERR_ARG;
    memset(rep, 0, sizeof *rep);
    rep->macs_checked = key != NULL;
    rg_err err = RG_OK;
    char *buf = NULL;
    size_t got = 0;
    struct stat st;
    /* O_NONBLOCK: a FIFO in place of the log must not block the check. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(rep->problem, sizeof rep->problem, "cannot open: %s",
                 strerror(errno));
        err = RG_ERR_IO;
        goto cleanup;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(rep->problem, sizeof rep->problem, "not a regular file");
        err = RG_ERR_IO;
        goto cleanup;
    }
    if ((uint64_t)st.st_size > RG_AUDIT_MAX_FILE) {
        snprintf(rep->problem, sizeof rep->problem,
                 "larger than %u bytes: not an audit log", RG_AUDIT_MAX_FILE);
        err = RG_ERR_FORMAT;
        goto cleanup;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        snprintf(rep->problem, sizeof rep->problem, "out of memory");
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    /* read to EOF: the file may still be growing; verify what is there */
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(rep->problem, sizeof rep->problem, "cannot read: %s",
                     strerror(errno));
            err = RG_ERR_IO;
            goto cleanup;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    err = rg_audit_verify_buf(buf, got, key, path, rep, errbuf);
cleanup:
    /* file-level failures (no line to blame) */
    if (err && !rep->first_bad_line)
        rg_errbuf(errbuf, "%s: %s", path, rep->problem);
    free(buf);
    if (fd >= 0)
        close(fd);
    return err;
}
