/* Upload transport over libcurl: WebDAV and S3 (see upload.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "upload.h"
#include "fileio.h"

#define MAX_SECRET 4096
#define MAX_DIRS 64

struct rg_upload_conn {
    const rg_upload_dest *d; /* [borrowed] from the policy */
    CURL *curl;
    char *userpwd;           /* [owned] "user:secret", wiped on free */
    char *dirs[MAX_DIRS];    /* webdav collections known to exist */
    size_t ndirs;
    char curlerr[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static void hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* A secret file: first line, without the line end. */
static rg_err read_secret(const char *path, char **out, char *errbuf)
{
    char *buf = NULL;
    size_t len = 0;
    rg_err err = rg_vaultio_read_file(path, MAX_SECRET, &buf, &len, errbuf);
    if (err)
        return err;
    size_t n = strcspn(buf, "\r\n");
    if (n == 0) {
        rg_vaultio_err(errbuf, "%s: empty secret file", path);
        OPENSSL_cleanse(buf, len);
        free(buf);
        return RG_ERR_CONFIG;
    }
    buf[n] = '\0';
    OPENSSL_cleanse(buf + n, len - n);
    *out = buf;
    return RG_OK;
}

rg_err rg_upload_conn_new(const rg_upload_dest *d, rg_upload_conn **out,
                          char *errbuf)
{
    pthread_once(&curl_once, curl_init_once);
    rg_upload_conn *c = calloc(1, sizeof *c);
    if (!c)
        return RG_ERR_NOMEM;
    c->d = d;
    const char *user = d->type == RG_DEST_S3 ? d->access_key_id : d->username;
    const char *file = d->type == RG_DEST_S3 ? d->secret_key_file : d->password_file;
    if (user && file) {
        char *secret = NULL;
        rg_err err = read_secret(file, &secret, errbuf);
        if (err) {
            free(c);
            return err;
        }
        size_t n = strlen(user) + strlen(secret) + 2;
        if ((c->userpwd = malloc(n)))
            snprintf(c->userpwd, n, "%s:%s", user, secret);
        OPENSSL_cleanse(secret, strlen(secret));
        free(secret);
        if (!c->userpwd) {
            free(c);
            return RG_ERR_NOMEM;
        }
    }
    if (!(c->curl = curl_easy_init())) {
        rg_upload_conn_free(c);
        return RG_ERR_NOMEM;
    }
    *out = c;
    return RG_OK;
}

void rg_upload_conn_free(rg_upload_conn *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    if (c->userpwd) {
        OPENSSL_cleanse(c->userpwd, strlen(c->userpwd));
        free(c->userpwd);
    }
    for (size_t i = 0; i < c->ndirs; i++)
        free(c->dirs[i]);
    free(c);
}

void rg_upload_url(const rg_upload_dest *d, const char *key, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", d->url, key);
}

/* ---- one request ---- */

typedef struct req {
    const unsigned char *body;
    size_t len, off;
    EVP_MD_CTX *sha;         /* hashes the response body when set */
    size_t got;
    char etag[80];
} req;

static size_t read_cb(char *buf, size_t size, size_t n, void *ctx)
{
    req *r = ctx;
    size_t want = size * n, left = r->len - r->off;
    if (want > left)
        want = left;
    memcpy(buf, r->body + r->off, want);
    r->off += want;
    return want;
}

static size_t write_cb(char *buf, size_t size, size_t n, void *ctx)
{
    req *r = ctx;
    if (r->sha && EVP_DigestUpdate(r->sha, buf, size * n) != 1)
        return 0;
    r->got += size * n;
    return size * n;
}

static size_t header_cb(char *buf, size_t size, size_t n, void *ctx)
{
    req *r = ctx;
    size_t len = size * n;
    if (len > 5 && !strncasecmp(buf, "etag:", 5)) {
        size_t i = 5;
        while (i < len && buf[i] == ' ')
            i++;
        size_t e = len;
        while (e > i && (buf[e - 1] == '\r' || buf[e - 1] == '\n' || buf[e - 1] == ' '))
            e--;
        snprintf(r->etag, sizeof r->etag, "%.*s", (int)(e - i), buf + i);
    }
    return len;
}

static const char *reason(long code)
{
    switch (code) {
    case 401: return " Unauthorized";
    case 403: return " Forbidden";
    case 404: return " Not Found";
    case 405: return " Method Not Allowed";
    case 409: return " Conflict";
    case 413: return " Payload Too Large";
    case 500: return " Internal Server Error";
    case 502: return " Bad Gateway";
    case 503: return " Service Unavailable";
    case 504: return " Gateway Timeout";
    case 507: return " Insufficient Storage";
    default: return "";
    }
}

/* Perform METHOD on KEY; *code = HTTP status. Transport errors give
 * RG_ERR_IO with curl's message in errmsg. */
static rg_err perform(rg_upload_conn *c, const char *method, const char *key,
                      req *r, struct curl_slist *hdrs, long *code,
                      char *errmsg)
{
    CURL *h = c->curl;
    const rg_upload_dest *d = c->d;
    char url[2200];
    rg_upload_url(d, key, url, sizeof url);
    curl_easy_reset(h); /* keeps the connection and TLS session caches */
    c->curlerr[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    /* TLS verification is never switched off. */
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (d->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, d->ca_file);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curlerr);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(d->timeout_s < 15 ? d->timeout_s : 15));
    /* A stalled transfer (< 1 byte/s for timeout_s) fails; a slow one
     * that keeps moving is allowed to finish. */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)d->timeout_s);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "recgate-upload/1");
    if (c->userpwd) {
        curl_easy_setopt(h, CURLOPT_USERPWD, c->userpwd);
        if (d->type == RG_DEST_S3) {
            char sig[200];
            snprintf(sig, sizeof sig, "aws:amz:%s:s3", d->s3_region);
            curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sig);
        } else {
            curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        }
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    if (!strcmp(method, "PUT")) {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
        curl_easy_setopt(h, CURLOPT_READDATA, r);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->len);
    } else if (!strcmp(method, "GET")) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }
    if (hdrs)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    CURLcode rc = curl_easy_perform(h);
    *code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
    if (rc != CURLE_OK) {
        rg_vaultio_err(errmsg, "%s %s: %s", method, url,
                       c->curlerr[0] ? c->curlerr : curl_easy_strerror(rc));
        return RG_ERR_IO;
    }
    return RG_OK;
}

static rg_err http_fail(const char *method, const rg_upload_dest *d,
                        const char *key, long code, char *errmsg)
{
    char url[2200];
    rg_upload_url(d, key, url, sizeof url);
    rg_vaultio_err(errmsg, "%s %s: HTTP %ld%s", method, url, code, reason(code));
    return RG_ERR_IO;
}

/* WebDAV: create each collection on the way to KEY (201 created, 405
 * already there), once per connection. */
static rg_err mkcols(rg_upload_conn *c, const char *key, char *errmsg)
{
    char dir[1100];
    for (const char *s = strchr(key, '/'); s; s = strchr(s + 1, '/')) {
        snprintf(dir, sizeof dir, "%.*s/", (int)(s - key), key);
        bool known = false;
        for (size_t i = 0; i < c->ndirs && !known; i++)
            known = !strcmp(c->dirs[i], dir);
        if (known)
            continue;
        req r = {0};
        long code;
        rg_err err = perform(c, "MKCOL", dir, &r, NULL, &code, errmsg);
        if (err)
            return err;
        if (code != 201 && code != 405 && code != 200 && code != 301)
            return http_fail("MKCOL", c->d, dir, code, errmsg);
        if (c->ndirs < MAX_DIRS)
            c->dirs[c->ndirs++] = strdup(dir);
    }
    return RG_OK;
}

/* GET KEY and compare its SHA-256 with the expected one. */
static rg_err verify_get(rg_upload_conn *c, const char *key, size_t len,
                         const char *sha256, char *errmsg)
{
    req r = {0};
    long code;
    unsigned char md[32];
    char got[65];
    if (!(r.sha = EVP_MD_CTX_new()) || EVP_DigestInit_ex(r.sha, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(r.sha);
        return RG_ERR_CRYPTO;
    }
    rg_err err = perform(c, "GET", key, &r, NULL, &code, errmsg);
    if (!err && code != 200)
        err = http_fail("GET (verify)", c->d, key, code, errmsg);
    if (!err) {
        EVP_DigestFinal_ex(r.sha, md, NULL);
        hex(md, 32, got);
        if (r.got != len || strcmp(got, sha256)) {
            char url[2200];
            rg_upload_url(c->d, key, url, sizeof url);
            rg_vaultio_err(errmsg, "%s: remote copy differs (%zu bytes, sha256 %.16s..., "
                           "expected %zu bytes, %.16s...)", url, r.got, got, len, sha256);
            err = RG_ERR_AUTH;
        }
    }
    EVP_MD_CTX_free(r.sha);
    return err;
}

rg_err rg_upload_put(rg_upload_conn *c, const char *key, const void *data,
                     size_t len, const char *sha256, char *errmsg)
{
    struct curl_slist *hdrs = NULL, *t;
    char h1[120], h2[120], md5hex[33];
    unsigned char md5[16];
    rg_err err;
    long code;
    if (c->d->type == RG_DEST_WEBDAV && (err = mkcols(c, key, errmsg)))
        return err;
    if (!EVP_Digest(data, len, md5, NULL, EVP_md5(), NULL))
        return RG_ERR_CRYPTO;
    hex(md5, 16, md5hex);
    unsigned char b64[32];
    EVP_EncodeBlock(b64, md5, 16);
    snprintf(h1, sizeof h1, "Content-MD5: %s", b64);
    snprintf(h2, sizeof h2, "x-amz-content-sha256: %s", sha256);
    if (!(t = curl_slist_append(hdrs, "Content-Type: application/octet-stream")))
        goto nomem;
    hdrs = t;
    if (!(t = curl_slist_append(hdrs, "Expect:")))
        goto nomem;
    hdrs = t;
    if (c->d->type == RG_DEST_S3) {
        if (!(t = curl_slist_append(hdrs, h1)) || !(hdrs = t) ||
            !(t = curl_slist_append(hdrs, h2)))
            goto nomem;
        hdrs = t;
    }
    req r = {.body = data, .len = len};
    err = perform(c, "PUT", key, &r, hdrs, &code, errmsg);
    curl_slist_free_all(hdrs);
    if (err)
        return err;
    if (code != 200 && code != 201 && code != 204)
        return http_fail("PUT", c->d, key, code, errmsg);
    if (c->d->type == RG_DEST_S3) {
        char want[40];
        snprintf(want, sizeof want, "\"%s\"", md5hex);
        if (!strcasecmp(r.etag, want) || !strcasecmp(r.etag, md5hex))
            return RG_OK;
        /* Not an MD5 ETag (multipart, SSE-KMS...): read it back. */
        if (r.etag[0] && !strchr(r.etag, '-') && strlen(r.etag) <= 34 &&
            strlen(r.etag) >= 32) {
            char url[2200];
            rg_upload_url(c->d, key, url, sizeof url);
            rg_vaultio_err(errmsg, "%s: ETag %s does not match the MD5 of the "
                           "local file (%s)", url, r.etag, md5hex);
            return RG_ERR_AUTH;
        }
    }
    return verify_get(c, key, len, sha256, errmsg);
nomem:
    curl_slist_free_all(hdrs);
    return RG_ERR_NOMEM;
}

rg_err rg_upload_delete(rg_upload_conn *c, const char *key, char *errmsg)
{
    req r = {0};
    long code;
    struct curl_slist *hdrs = NULL;
    if (c->d->type == RG_DEST_S3) {
        /* SHA-256 of the empty body, for the signature. */
        hdrs = curl_slist_append(NULL, "x-amz-content-sha256: "
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        if (!hdrs)
            return RG_ERR_NOMEM;
    }
    rg_err err = perform(c, "DELETE", key, &r, hdrs, &code, errmsg);
    curl_slist_free_all(hdrs);
    if (err)
        return err;
    if (code == 200 || code == 202 || code == 204 || code == 404)
        return RG_OK;
    return http_fail("DELETE", c->d, key, code, errmsg);
}
