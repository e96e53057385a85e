/* Upload transport over libcurl: WebDAV and S3 (see upload.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "upload.h"
#include "fileio.h"

#define MAX_SECRET 4096
#define MAX_DIRS 64

struct rg_upload_conn {
    const rg_upload_dest *d; /* [borrowed] from the policy */
    CURL *curl;
    char *user;              /* [owned] user name / access key id */
    char *secret;            /* [owned] password / S3 secret, wiped on free */
    char *basic;             /* [owned] "Authorization: Basic ..." (webdav), wiped */
    _Atomic long long deadline_ms; /* monotonic; 0: none (set_deadline) */
    char *dirs[MAX_DIRS];    /* webdav collections known to exist */
    size_t ndirs;
    char curlerr[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
/* libxml2 too: its implicit initialisation is not thread-safe. */
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    xmlInitParser();
}

static void hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* A secret file: first line, without the line end. Like the audit key, a
 * file group or others can read is refused: the secret may already have
 * leaked, and silently using it hides that. */
static rg_err read_secret(const char *path, char **out, char *errbuf)
{
    char *buf = NULL;
    struct stat st;
    rg_err err = RG_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rg_errorf(errbuf, errno == ENOENT ? RG_ERR_NOT_FOUND : RG_ERR_IO,
                         "%s: cannot open secret file: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_SECRET) {
        err = rg_errorf(errbuf, RG_ERR_CONFIG, "%s: secret file is not a regular "
                        "file of at most %d bytes", path, MAX_SECRET);
        goto out;
    }
    if (st.st_mode & 077) {
        err = rg_errorf(errbuf, RG_ERR_PERMISSION, "%s: secret file has mode %04o: "
                        "group/others may read it; run chmod 600 %s", path,
                        (unsigned)(st.st_mode & 07777), path);
        goto out;
    }
    if (!(buf = calloc(1, MAX_SECRET + 1))) {
        err = RG_ERR_NOMEM;
        goto out;
    }
    ssize_t len = read(fd, buf, MAX_SECRET);
    if (len < 0) {
        err = rg_errorf(errbuf, RG_ERR_IO, "%s: %s", path, strerror(errno));
        goto out;
    }
    size_t n = strcspn(buf, "\r\n");
    if (n == 0) {
        err = rg_errorf(errbuf, RG_ERR_CONFIG, "%s: empty secret file", path);
        goto out;
    }
    OPENSSL_cleanse(buf + n, MAX_SECRET + 1 - n);
    *out = buf;
    buf = NULL;
out:
    if (buf) {
        OPENSSL_cleanse(buf, MAX_SECRET + 1);
        free(buf);
    }
    close(fd);
    return err;
}

static void free_secret(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

rg_err rg_upload_conn_new(const rg_upload_dest *d, rg_upload_conn **out,
                          char *errbuf)
{
    pthread_once(&curl_once, curl_init_once);
    rg_upload_conn *c = calloc(1, sizeof *c);
    if (!c)
        return RG_ERR_NOMEM;
    c->d = d;
    rg_err err = RG_ERR_NOMEM;
    const char *user = d->type == RG_DEST_S3 ? d->access_key_id : d->username;
    const char *file = d->type == RG_DEST_S3 ? d->secret_key_file : d->password_file;
    if (user && file) {
        if ((err = read_secret(file, &c->secret, errbuf)))
            goto fail;
        err = RG_ERR_NOMEM;
        if (!(c->user = strdup(user)))
            goto fail;
        if (d->type == RG_DEST_WEBDAV) {
            /* Basic auth as our own header, so the one copy of it that
             * recgate builds is wiped with the connection. */
            size_t n = strlen(user) + strlen(c->secret) + 1;
            char *up = malloc(n + 1);
            size_t bn = 4 * ((n + 2) / 3) + 1;
            if (!up || !(c->basic = malloc(bn + 32))) {
                free_secret(up);
                goto fail;
            }
            snprintf(up, n + 1, "%s:%s", user, c->secret);
            int k = snprintf(c->basic, 32, "Authorization: Basic ");
            EVP_EncodeBlock((unsigned char *)c->basic + k, (unsigned char *)up, (int)n);
            free_secret(up);
        }
    }
    if (!(c->curl = curl_easy_init()))
        goto fail;
    *out = c;
    return RG_OK;
fail:
    rg_upload_conn_free(c);
    return err;
}

void rg_upload_conn_free(rg_upload_conn *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    free(c->user);
    free_secret(c->secret);
    free_secret(c->basic);
    for (size_t i = 0; i < c->ndirs; i++)
        free(c->dirs[i]);
    free(c);
}

void rg_upload_conn_set_deadline(rg_upload_conn *c, long long deadline_ms)
{
    atomic_store(&c->deadline_ms, deadline_ms);
}

bool rg_upload_conn_expired(rg_upload_conn *c)
{
    long long dl = atomic_load(&c->deadline_ms);
    return dl && rg_vaultio_now_ms() >= dl;
}

void rg_upload_url(const rg_upload_dest *d, const char *key, char *out, size_t n)
{
    /* "?..." : a request on the bucket itself (S3 list) */
    snprintf(out, n, "%s%s%s", d->url, key[0] == '?' ? "" : "/", key);
}

/* ---- one request ---- */

typedef struct req {
    const unsigned char *body;
    size_t len, off;
    EVP_MD_CTX *sha;         /* hashes the response body when set */
    size_t got;
    char etag[80];
    bool collect;            /* keep the response body (S3 list) */
    char *resp;              /* [owned] */
    size_t resp_len, resp_cap;
} req;

#define MAX_RESPONSE (8u * 1024 * 1024)

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
    if (r->collect) {
        size_t k = size * n;
        if (r->resp_len + k + 1 > MAX_RESPONSE)
            return 0;
        if (r->resp_len + k + 1 > r->resp_cap) {
            size_t cap = (r->resp_len + k + 1) * 2;
            char *nr = realloc(r->resp, cap);
            if (!nr)
                return 0;
            r->resp = nr;
            r->resp_cap = cap;
        }
        memcpy(r->resp + r->resp_len, buf, k);
        r->resp_len += k;
        r->resp[r->resp_len] = '\0';
    }
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

/* Called by libcurl at least once a second, also when nothing moves: the
 * owner's deadline (wait_at_end_s, --max-seconds) can end a transfer that
 * started before it was set. */
static int progress_cb(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                       curl_off_t un)
{
    (void)dt; (void)dn; (void)ut; (void)un;
    return rg_upload_conn_expired(ctx) ? 1 : 0;
}

/* Perform METHOD on KEY; *code = HTTP status. Transport errors give
 * RG_ERR_IO with curl's message in errmsg. Every request has an overall
 * deadline: timeout_s plus 1 s per 16 KiB of body (a trickling server
 * that keeps the low-speed check happy cannot hold a transfer), and never
 * past the owner's deadline. */
static rg_err perform(rg_upload_conn *c, const char *method, const char *key,
                      req *r, struct curl_slist *hdrs, long *code,
                      char *errmsg)
{
    CURL *h = c->curl;
    const rg_upload_dest *d = c->d;
    char url[2200];
    rg_upload_url(d, key, url, sizeof url);
    *code = 0;
    long long total = (long long)d->timeout_s * 1000 + (long long)(r->len / 16);
    long long dl = atomic_load(&c->deadline_ms), now = rg_vaultio_now_ms();
    if (dl && dl - now < total)
        total = dl - now;
    if (total <= 0) {
        rg_vaultio_err(errmsg, "%s %s: not started: the deadline (wait_at_end_s / "
                       "--max-seconds) has passed", method, url);
        return RG_ERR_NETWORK;
    }
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
    /* A stalled transfer (< 1 byte/s for timeout_s) fails early. */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)d->timeout_s);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)total);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "recgate-upload/1");
    struct curl_slist *auth = NULL;
    if (c->secret && d->type == RG_DEST_S3) {
        /* libcurl copies these for the request and frees them on the next
         * reset; its API offers no way to wipe its copy. */
        char sig[200];
        snprintf(sig, sizeof sig, "aws:amz:%s:s3", d->s3_region);
        curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->secret);
        curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sig);
    }
    if (c->basic) {
        /* Our own list node in front of the caller's: wiped below. */
        if (!(auth = calloc(1, sizeof *auth)))
            return RG_ERR_NOMEM;
        auth->data = c->basic;
        auth->next = hdrs;
        hdrs = auth;
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
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
    if (c->secret && d->type == RG_DEST_S3) {
        curl_easy_setopt(h, CURLOPT_USERNAME, NULL);
        curl_easy_setopt(h, CURLOPT_PASSWORD, NULL);
    }
    free(auth); /* the node only: c->basic stays for the next request */
    if (rc == CURLE_ABORTED_BY_CALLBACK || (rc == CURLE_OPERATION_TIMEDOUT &&
                                            rg_upload_conn_expired(c))) {
        rg_vaultio_err(errmsg, "%s %s: stopped at the deadline (wait_at_end_s / "
                       "--max-seconds): left for later", method, url);
        return RG_ERR_NETWORK;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT && !strstr(c->curlerr, "less than")) {
        rg_vaultio_err(errmsg, "%s %s: no complete answer within %.1f s (%s)",
                       method, url, (double)total / 1000,
                       c->curlerr[0] ? c->curlerr : curl_easy_strerror(rc));
        return RG_ERR_IO;
    }
    if (rc != CURLE_OK) {
        rg_vaultio_err(errmsg, "%s %s: %s", method, url,
                       c->curlerr[0] ? c->curlerr : curl_easy_strerror(rc));
        return RG_ERR_IO;
    }
    return RG_OK;
}

/* A 3xx is never followed (the target could be anywhere, also outside the
 * allowed regions): say so, naming where it pointed. */
static rg_err http_fail(rg_upload_conn *c, const char *method, const char *key,
                        long code, char *errmsg)
{
    char url[2200];
    rg_upload_url(c->d, key, url, sizeof url);
    if (code >= 300 && code < 400) {
        char *loc = NULL, host[256] = "an unnamed place";
        if (curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc) {
            CURLU *u = curl_url();
            char *hn = NULL;
            if (u && curl_url_set(u, CURLUPART_URL, loc, 0) == CURLUE_OK &&
                curl_url_get(u, CURLUPART_HOST, &hn, 0) == CURLUE_OK)
                snprintf(host, sizeof host, "%s", hn);
            curl_free(hn);
            curl_url_cleanup(u);
        }
        rg_vaultio_err(errmsg, "%s %s: redirect to %s refused (HTTP %ld)", method,
                       url, host, code);
        return RG_ERR_IO;
    }
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
            return http_fail(c, "MKCOL", dir, code, errmsg);
        if (c->ndirs < MAX_DIRS)
            c->dirs[c->ndirs++] = strdup(dir);
    }
    return RG_OK;
}

/* SigV4: the SHA-256 of an empty body (GET, DELETE). */
static const char *const EMPTY_SHA =
    "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/* GET KEY and compare its SHA-256 with the expected one. */
static rg_err verify_get(rg_upload_conn *c, const char *key, size_t len,
                         const char *sha256, char *errmsg)
{
    req r = {.len = len}; /* for the deadline: len bytes come back */
    long code;
    unsigned char md[32];
    char got[65];
    if (!(r.sha = EVP_MD_CTX_new()) || EVP_DigestInit_ex(r.sha, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(r.sha);
        return RG_ERR_CRYPTO;
    }
    struct curl_slist *hdrs = NULL;
    if (c->d->type == RG_DEST_S3 && !(hdrs = curl_slist_append(NULL, EMPTY_SHA))) {
        EVP_MD_CTX_free(r.sha);
        return RG_ERR_NOMEM;
    }
    rg_err err = perform(c, "GET", key, &r, hdrs, &code, errmsg);
    curl_slist_free_all(hdrs);
    if (!err && code != 200)
        err = http_fail(c, "GET (verify)", key, code, errmsg);
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
        return http_fail(c, "PUT", key, code, errmsg);
    if (c->d->type == RG_DEST_S3) {
        /* A wrong ETag is a damaged upload; a right one proves nothing
         * (a server can return the MD5 of what it was sent and store
         * less): the read-back below is the proof. */
        char want[40];
        snprintf(want, sizeof want, "\"%s\"", md5hex);
        if (r.etag[0] && !strchr(r.etag, '-') && strlen(r.etag) <= 34 &&
            strlen(r.etag) >= 32 && strcasecmp(r.etag, want) &&
            strcasecmp(r.etag, md5hex)) {
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
        hdrs = curl_slist_append(NULL, EMPTY_SHA);
        if (!hdrs)
            return RG_ERR_NOMEM;
    }
    rg_err err = perform(c, "DELETE", key, &r, hdrs, &code, errmsg);
    curl_slist_free_all(hdrs);
    if (err)
        return err;
    if (code == 200 || code == 202 || code == 204 || code == 404)
        return RG_OK;
    return http_fail(c, "DELETE", key, code, errmsg);
}

/* ---- listing and prefix deletes (proof that nothing is left) ---- */


static bool named(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

rg_err rg_upload_s3_parse_list(const char *xml, size_t len,
                               rg_upload_key_fn fn, void *ctx, bool *truncated,
                               char *token, size_t token_size)
{
    *truncated = false;
    if (token_size)
        token[0] = '\0';
    if (len > MAX_RESPONSE || len > (size_t)INT32_MAX)
        return RG_ERR_PARSE;
    /* No network, no entity expansion, no DTD loading. */
    xmlDoc *doc = xmlReadMemory(xml, (int)len, "list.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || !named(root, "ListBucketResult")) {
        xmlFreeDoc(doc);
        return RG_ERR_PARSE;
    }
    rg_err err = RG_OK;
    for (xmlNode *n = root->children; n && !err; n = n->next) {
        if (named(n, "IsTruncated")) {
            xmlChar *t = xmlNodeGetContent(n);
            *truncated = t && !strcmp((const char *)t, "true");
            xmlFree(t);
        } else if (named(n, "NextContinuationToken") && token_size) {
            xmlChar *t = xmlNodeGetContent(n);
            if (t && strlen((const char *)t) < token_size)
                snprintf(token, token_size, "%s", (const char *)t);
            xmlFree(t);
        } else if (named(n, "Contents")) {
            for (xmlNode *k = n->children; k; k = k->next)
                if (named(k, "Key")) {
                    xmlChar *t = xmlNodeGetContent(k);
                    if (t && fn)
                        err = fn(ctx, (const char *)t);
                    xmlFree(t);
                }
        }
    }
    xmlFreeDoc(doc);
    if (!err && *truncated && token_size && !token[0])
        err = RG_ERR_PARSE; /* truncated without a way to go on */
    return err;
}

rg_err rg_upload_list(rg_upload_conn *c, const char *prefix, rg_upload_key_fn fn,
                      void *ctx, char *errmsg)
{
    if (c->d->type != RG_DEST_S3)
        return RG_ERR_ARG;
    char token[1100] = "", key[2600];
    struct curl_slist *hdrs = curl_slist_append(NULL, EMPTY_SHA);
    if (!hdrs)
        return RG_ERR_NOMEM;
    char *ep = curl_easy_escape(c->curl, prefix, 0);
    rg_err err = ep ? RG_OK : RG_ERR_NOMEM;
    for (int page = 0; !err && page < 1000; page++) {
        char *et = token[0] ? curl_easy_escape(c->curl, token, 0) : NULL;
        snprintf(key, sizeof key, "?list-type=2&prefix=%s%s%s", ep,
                 et ? "&continuation-token=" : "", et ? et : "");
        curl_free(et);
        req r = {.collect = true};
        long code;
        if (!(err = perform(c, "GET", key, &r, hdrs, &code, errmsg)) && code != 200)
            err = http_fail(c, "GET (list)", key, code, errmsg);
        bool more = false;
        if (!err && (err = rg_upload_s3_parse_list(r.resp ? r.resp : "", r.resp_len,
                                                   fn, ctx, &more, token, sizeof token))) {
            if (err == RG_ERR_PARSE)
                rg_vaultio_err(errmsg, "%s: GET (list): not an S3 ListObjectsV2 answer",
                               c->d->url);
        }
        free(r.resp);
        if (!more)
            break;
    }
    curl_free(ep);
    curl_slist_free_all(hdrs);
    return err;
}

typedef struct keys {
    char **k;
    size_t n;
} keys;

static rg_err add_key(void *ctx, const char *key)
{
    keys *ks = ctx;
    char **nk = realloc(ks->k, (ks->n + 1) * sizeof *nk);
    if (!nk)
        return RG_ERR_NOMEM;
    ks->k = nk;
    return (nk[ks->n] = strdup(key)) ? (ks->n++, RG_OK) : RG_ERR_NOMEM;
}

rg_err rg_upload_delete_prefix(rg_upload_conn *c, const char *prefix,
                               size_t *deleted, char *errmsg)
{
    *deleted = 0;
    if (c->d->type == RG_DEST_WEBDAV)
        /* A collection (ends in '/') goes with everything in it; 204 or
         * 404 proves nothing is left under it. */
        return rg_upload_delete(c, prefix, errmsg) ? RG_ERR_IO : (*deleted = 1, RG_OK);
    /* S3 has no folders: list, delete each, and list again until the
     * listing itself says nothing is left. */
    rg_err err = RG_OK;
    for (int round = 0; round < 5; round++) {
        keys ks = {0};
        err = rg_upload_list(c, prefix, add_key, &ks, errmsg);
        for (size_t i = 0; !err && i < ks.n; i++)
            if (!(err = rg_upload_delete(c, ks.k[i], errmsg)))
                (*deleted)++;
        bool empty = ks.n == 0;
        for (size_t i = 0; i < ks.n; i++)
            free(ks.k[i]);
        free(ks.k);
        if (err || empty)
            return err;
    }
    rg_vaultio_err(errmsg, "%s/%s: objects keep appearing under this prefix",
                   c->d->url, prefix);
    return RG_ERR_NETWORK;
}
