/* recgate doctor --config FILE [--out DIR] [--identity FILE]... [--audit-key FILE] [--json]
 * Checks a deployment without recording anything (docs/cli/doctor.txt):
 * policy, keys, recipients, secrets, the recordings folder, each upload
 * destination (a test object, then deleted), the platform, the clock.
 * One line per check; exit 0 ok, 3 warnings only, 1 a failure, 2 usage. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "agekey.h"
#include "audit.h"
#include "cli.h"
#include "policy.h"
#include "upload.h"

#define MAX_IDFILES 16
#define SPACE_FAIL (256ull << 20) /* below this the next meeting may not fit */
#define SPACE_WARN (2ull << 30)

typedef enum { D_OK = 0, D_WARN = 1, D_FAIL = 2 } dstat;

typedef struct doctor {
    bool json;
    cJSON *checks; /* [owned] with --json */
    dstat worst;
} doctor;

static const char *const stat_name[] = {"ok", "warn", "fail"};

/* One check's outcome: a line "STATUS  CHECK  message; fix: what to do". */
static void report(doctor *d, dstat st, const char *check, const char *fix,
                   const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (st > d->worst)
        d->worst = st;
    if (d->json) {
        cJSON *o = cJSON_CreateObject();
        if (o) {
            cJSON_AddStringToObject(o, "check", check);
            cJSON_AddStringToObject(o, "status", stat_name[st]);
            cJSON_AddStringToObject(o, "message", msg);
            cJSON_AddStringToObject(o, "fix", st == D_OK || !fix ? "" : fix);
            cJSON_AddItemToArray(d->checks, o);
        }
        return;
    }
    printf("%-4s  %-10s %s%s%s\n", stat_name[st], check, msg,
           st != D_OK && fix ? "; fix: " : "", st != D_OK && fix ? fix : "");
}

/* Owners a secret may have: root, the user running this, and the `recgate`
 * account the shipped units run as. */
static bool owner_ok(uid_t uid)
{
    if (uid == 0 || uid == geteuid())
        return true;
    struct passwd *pw = getpwnam("recgate");
    return pw && pw->pw_uid == uid;
}

static const char *user_name(uid_t uid, char *buf, size_t n)
{
    struct passwd *pw = getpwuid(uid);
    if (pw)
        snprintf(buf, n, "%s", pw->pw_name);
    else
        snprintf(buf, n, "uid %u", (unsigned)uid);
    return buf;
}

/* A file holding a secret: present, regular, private, owned right.
 * `create` says how to make a missing one. Reports failures only. */
static bool check_private(doctor *d, const char *check, const char *what,
                          const char *path, const char *create)
{
    struct stat st;
    char fix[1200], who[64];
    if (stat(path, &st) != 0) {
        snprintf(fix, sizeof fix, "%s", create ? create : "put the file there or correct the path in the policy");
        report(d, D_FAIL, check, fix, "%s %s: %s", what, path, strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        report(d, D_FAIL, check, "point the policy at the key file itself",
               "%s %s is not a regular file", what, path);
        return false;
    }
    if (st.st_mode & 077) {
        snprintf(fix, sizeof fix, "chmod 600 %.1000s (and replace the secret if others may have read it)", path);
        report(d, D_FAIL, check, fix, "%s %s has mode %04o: %s can read it", what,
               path, (unsigned)(st.st_mode & 07777),
               st.st_mode & 004 ? "every user" : "its group");
        return false;
    }
    if (!owner_ok(st.st_uid)) {
        snprintf(fix, sizeof fix, "chown %s %.1000s", user_name(geteuid(), who, sizeof who), path);
        report(d, D_FAIL, check, fix, "%s %s is owned by %s, not by root or the "
               "user recgate runs as", what, path, user_name(st.st_uid, who, sizeof who));
        return false;
    }
    if (access(path, R_OK) != 0) {
        report(d, D_FAIL, check, "run recgate as the key's owner", "%s %s: %s", what,
               path, strerror(errno));
        return false;
    }
    return true;
}

/* The policy decides what is recorded: only root or its owner may change it. */
static bool policy_writable(doctor *d, const char *path)
{
    struct stat st;
    char fix[1200], who[64];
    if (stat(path, &st) != 0)
        return false; /* it just loaded; a race is not a deployment problem */
    if (st.st_mode & 022) {
        snprintf(fix, sizeof fix, "chmod go-w %.1000s", path);
        report(d, D_FAIL, "policy", fix, "%s has mode %04o: %s can change what is recorded",
               path, (unsigned)(st.st_mode & 07777), st.st_mode & 002 ? "every user" : "its group");
        return true;
    }
    if (!owner_ok(st.st_uid)) {
        snprintf(fix, sizeof fix, "chown root %.1000s", path);
        report(d, D_FAIL, "policy", fix, "%s is owned by %s, who can change what is recorded",
               path, user_name(st.st_uid, who, sizeof who));
        return true;
    }
    return false;
}

static void check_audit_key(doctor *d, const rg_policy *pol, const char *flag)
{
    const char *path = flag ? flag : pol->audit_key_file;
    char err[RG_ERRBUF_SIZE] = "", create[1200], p[RG_PSEUDONYM_LEN];
    uint8_t key[RG_AUDIT_KEY_LEN];
    if (!path) {
        report(d, D_FAIL, "audit-key", "recgate audit keygen -o /etc/recgate/audit.key, "
               "then set audit.key_file in the policy",
               "no audit key: audit.key_file is not set, so nothing can be recorded");
        return;
    }
    snprintf(create, sizeof create, "recgate audit keygen -o %s", path);
    if (!check_private(d, "audit-key", "audit key", path, create))
        return;
    rg_err e = rg_audit_key_load(path, key, err);
    if (!e)
        e = rg_audit_pseudonym(key, "recgate-doctor", p);
    OPENSSL_cleanse(key, sizeof key);
    if (e) {
        report(d, D_FAIL, "audit-key", create, "%s",
               err[0] ? err : rg_strerror(e));
        return;
    }
    report(d, D_OK, "audit-key", NULL, "%s: private, loads, derives pseudonyms", path);
}

static void check_recipients(doctor *d, const rg_policy *pol, rg_age_recipient **out,
                             size_t *n)
{
    char err[RG_ERRBUF_SIZE] = "";
    *out = NULL;
    *n = 0;
    if (!pol->n_vault_recipients) {
        report(d, D_WARN, "recipients", "add the age1... line `recgate keygen -o ORG_KEY` "
               "printed to vault.recipients",
               "vault.recipients is empty: recordings need --recipient on every run");
        return;
    }
    rg_age_recipient *r = calloc(pol->n_vault_recipients, sizeof *r);
    if (!r) {
        report(d, D_FAIL, "recipients", NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < pol->n_vault_recipients; i++)
        if (rg_agekey_recipient_parse(pol->vault_recipients[i], &r[i], err)) {
            report(d, D_FAIL, "recipients", "copy the recipient again from `recgate keygen`",
                   "vault.recipients[%zu]: %s", i, err);
            free(r);
            return;
        }
    report(d, D_OK, "recipients", NULL, "%zu age recipient%s parse", pol->n_vault_recipients,
           pol->n_vault_recipients == 1 ? "" : "s");
    *out = r;
    *n = pol->n_vault_recipients;
}

static void check_identity(doctor *d, const char *path, const rg_age_recipient *r,
                           size_t nr)
{
    rg_age_identity *ids = NULL;
    size_t n = 0;
    char err[RG_ERRBUF_SIZE] = "";
    if (!check_private(d, "identity", "identity", path, "recgate keygen -o FILE"))
        return;
    if (rg_agekey_load_identities(path, &ids, &n, err)) {
        report(d, D_FAIL, "identity", "give the file `recgate keygen` wrote", "%s", err);
        return;
    }
    bool match = false;
    for (size_t i = 0; i < n && !match; i++)
        for (size_t k = 0; k < nr && !match; k++)
            match = !CRYPTO_memcmp(ids[i].pk, r[k].pk, sizeof r[k].pk);
    rg_agekey_free_identities(ids, n);
    if (!match)
        report(d, D_WARN, "identity", "add its recipient to vault.recipients, or use "
               "the right identity", "%s: private, but no vault.recipients entry is its "
               "recipient: it cannot read new recordings", path);
    else
        report(d, D_OK, "identity", NULL, "%s: private, matches vault.recipients", path);
}

static void check_secrets(doctor *d, const rg_policy *pol)
{
    char what[128];
    for (size_t i = 0; i < pol->n_upload_dests; i++) {
        const rg_upload_dest *u = &pol->upload_dests[i];
        const char *s = u->password_file ? u->password_file : u->secret_key_file;
        snprintf(what, sizeof what, "upload.destinations[%zu] (%s) %s", i, u->name,
                 u->password_file ? "password_file" : "secret_key_file");
        if (s && check_private(d, "secret", what, s, NULL))
            report(d, D_OK, "secret", NULL, "%s %s: private", what, s);
        if (u->ca_file && access(u->ca_file, R_OK) != 0)
            report(d, D_FAIL, "secret", "correct ca_file (a PEM file with the server's CA)",
                   "upload.destinations[%zu] (%s) ca_file %s: %s", i, u->name,
                   u->ca_file, strerror(errno));
    }
}

/* The recordings folder: private, writable (probe file), with room. */
static void check_output(doctor *d, const char *out)
{
    struct stat st;
    struct statvfs vfs;
    char fix[1200], probe[4200], parent[4096];
    if (!out) {
        report(d, D_WARN, "output", "add --out DIR (the folder recgate run --out writes to)",
               "no --out DIR given: the recordings folder was not checked");
        return;
    }
    const char *where = out;
    if (stat(out, &st) != 0) {
        if (errno != ENOENT) {
            report(d, D_FAIL, "output", "correct the path", "%s: %s", out, strerror(errno));
            return;
        }
        /* recgate run makes it (0700); check where it would go. */
        snprintf(parent, sizeof parent, "%s", out);
        char *sl = strrchr(parent, '/');
        if (sl == parent)
            sl[1] = '\0';
        else if (sl)
            *sl = '\0';
        else
            snprintf(parent, sizeof parent, ".");
        if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode)) {
            snprintf(fix, sizeof fix, "mkdir -m 700 -p %.1000s", out);
            report(d, D_FAIL, "output", fix, "%s does not exist, nor does its folder %s",
                   out, parent);
            return;
        }
        where = parent;
    } else if (!S_ISDIR(st.st_mode)) {
        report(d, D_FAIL, "output", "give a folder", "%s is not a folder", out);
        return;
    } else if (st.st_mode & 007) {
        snprintf(fix, sizeof fix, "chmod o-rwx %.1000s (0700 is best)", out);
        report(d, D_FAIL, "output", fix, "%s has mode %04o: every user can %s it", out,
               (unsigned)(st.st_mode & 07777), st.st_mode & 004 ? "list" : "enter");
        return;
    }
    /* Writable: what recgate run does first, without a recording. */
    snprintf(probe, sizeof probe, "%s/.recgate-doctor-XXXXXX", where);
    int fd = mkstemp(probe);
    if (fd < 0 || write(fd, "probe\n", 6) != 6 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(probe);
        }
        snprintf(fix, sizeof fix, "make it writable for the user recgate runs as "
                 "(chown recgate %.1000s), on a read-write file system", where);
        report(d, D_FAIL, "output", fix, "%s is not writable: %s", where, strerror(e));
        return;
    }
    close(fd);
    unlink(probe);
    if (where != out)
        report(d, D_WARN, "output", NULL, "%s does not exist yet; recgate run will make it "
               "(mode 0700) in %s, which is writable", out, where);
    else
        report(d, D_OK, "output", NULL, "%s: writable, not readable by others", out);
    if (statvfs(where, &vfs) != 0) {
        report(d, D_WARN, "disk", NULL, "%s: cannot tell the free space: %s", where,
               strerror(errno));
        return;
    }
    unsigned long long avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
    dstat s = avail < SPACE_FAIL ? D_FAIL : avail < SPACE_WARN ? D_WARN : D_OK;
    report(d, s, "disk", "free space there, or point --out at a larger file system "
           "(a meeting hour of audio is ~30 MB per participant)",
           "%s: %.1f %s free%s", where, avail < (1ull << 30) ? (double)avail / (1 << 20)
           : (double)avail / (1ull << 30), avail < (1ull << 30) ? "MiB" : "GiB",
           s == D_FAIL ? " (under 256 MiB: recordings would be cut short)"
           : s == D_WARN ? " (under 2 GiB)" : "");
}

static const char *upload_fix(const rg_upload_dest *u, const char *err)
{
    if (strstr(err, "certificate") || strstr(err, "SSL") || strstr(err, "TLS"))
        return u->ca_file ? "the server's certificate is not signed by ca_file: "
                            "give the right CA in ca_file, and a URL whose host "
                            "name the certificate names"
                          : "the server's certificate is not trusted by the system: "
                            "set ca_file to its CA, and use the host name it names";
    if (strstr(err, "HTTP 401") || strstr(err, "HTTP 403"))
        return u->type == RG_DEST_S3 ? "check access_key_id, secret_key_file and s3_region"
                                     : "check username and password_file";
    if (strstr(err, "HTTP 404") || strstr(err, "HTTP 405") || strstr(err, "HTTP 409"))
        return "check the URL's path (an S3 bucket, or a WebDAV folder that takes PUT)";
    if (strstr(err, "resolve") || strstr(err, "connect") || strstr(err, "refused") ||
        strstr(err, "timed out") || strstr(err, "Timeout"))
        return "check the URL's host and port, and that the server is up and reachable";
    return "see man recgate-upload and the server's log";
}

static void check_upload(doctor *d, const rg_policy *pol)
{
    char err[RG_ERRBUF_SIZE], key[128], host[64] = "host", url[2200], sha[65];
    unsigned char rnd[6], md[32];
    unsigned int mdlen = 0;
    gethostname(host, sizeof host - 1);
    for (char *c = host; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
            *c = '-';
    for (size_t i = 0; i < pol->n_upload_dests; i++) {
        const rg_upload_dest *u = &pol->upload_dests[i];
        const char *type = u->type == RG_DEST_S3 ? "s3" : "webdav";
        rg_upload_conn *c = NULL;
        err[0] = '\0';
        if (!rg_region_allowed(pol, u->region)) {
            report(d, D_FAIL, "upload", "use a destination in an allowed region",
                   "%s: region %s is not in upload.allowed_regions", u->name, u->region);
            continue;
        }
        if (RAND_bytes(rnd, sizeof rnd) != 1) {
            report(d, D_FAIL, "upload", NULL, "%s: no randomness for the test object", u->name);
            continue;
        }
        snprintf(key, sizeof key, "recgate-doctor-%.40s-%02x%02x%02x%02x%02x%02x.probe", host,
                 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
        char body[160];
        int len = snprintf(body, sizeof body, "recgate doctor test object, %ld; "
                           "safe to delete\n", (long)time(NULL));
        EVP_Digest(body, (size_t)len, md, &mdlen, EVP_sha256(), NULL);
        for (int k = 0; k < 32; k++)
            snprintf(sha + 2 * k, 3, "%02x", md[k]);
        rg_upload_url(u, key, url, sizeof url);
        rg_err e = rg_upload_conn_new(u, &c, err);
        if (!e)
            e = rg_upload_put(c, key, body, (size_t)len, sha, err);
        if (e) {
            report(d, D_FAIL, "upload", upload_fix(u, err), "%s (%s, %s): %s", u->name, type,
                   u->region, err[0] ? err : rg_strerror(e));
            rg_upload_conn_free(c);
            continue;
        }
        err[0] = '\0';
        e = rg_upload_delete(c, key, err);
        rg_upload_conn_free(c);
        if (e)
            report(d, D_WARN, "upload", "delete the test object by hand; recgate needs "
                   "DELETE for withdrawals and purges", "%s (%s, %s): test object stored, "
                   "but not deleted: %s", u->name, type, u->region, err);
        else
            report(d, D_OK, "upload", NULL, "%s (%s, %s): TLS verified, test object "
                   "stored, read back and deleted (%s)", u->name, type, u->region, url);
    }
}

typedef struct body_buf {
    char *p;
    size_t n;
} body_buf;

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    body_buf *b = ctx;
    size_t k = size * nmemb;
    if (b->n + k > 65536)
        return 0; /* an info reply is small; anything bigger is not Janus */
    char *q = realloc(b->p, b->n + k + 1);
    if (!q)
        return 0;
    memcpy(q + b->n, data, k);
    b->n += k;
    q[b->n] = '\0';
    b->p = q;
    return k;
}

/* GET URL/info: Janus answers {"janus":"server_info","name":...}. */
static void check_janus(doctor *d, const char *janus_url, int timeout_s)
{
    char url[2200], cerr[CURL_ERROR_SIZE] = "";
    const char *fix = "set platforms.janus.url to Janus's HTTP API, e.g. "
                      "https://janus.example.org/janus (base_path, usually /janus)";
    body_buf b = {0};
    long code = 0, timeout = timeout_s > 0 ? timeout_s : 10;
    snprintf(url, sizeof url, "%s/info", janus_url);
    CURL *h = curl_easy_init();
    if (!h) {
        report(d, D_FAIL, "platform", NULL, "janus: cannot start libcurl");
        return;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(h);
    cJSON *j = rc == CURLE_OK && code == 200 && b.p ? cJSON_Parse(b.p) : NULL;
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "janus");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "version_string");
    if (rc != CURLE_OK)
        report(d, D_FAIL, "platform", fix, "janus: GET %s: %s", url,
               cerr[0] ? cerr : curl_easy_strerror(rc));
    else if (code != 200)
        report(d, D_FAIL, "platform", fix, "janus: GET %s: HTTP %ld: not Janus's HTTP API",
               url, code);
    else if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "server_info"))
        report(d, D_FAIL, "platform", fix, "janus: GET %s: the answer is not a Janus "
               "server_info", url);
    else
        report(d, D_OK, "platform", NULL, "janus: %s %s answers at %s",
               cJSON_IsString(name) ? name->valuestring : "Janus",
               cJSON_IsString(ver) ? ver->valuestring : "", janus_url);
    cJSON_Delete(j);
    free(b.p);
}

/* The first of the usual Chromium names on PATH, or NULL. */
static bool find_chromium(char *out, size_t n)
{
    static const char *const names[] = {"chromium", "chromium-browser",
                                        "google-chrome", "google-chrome-stable"};
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (const char *p = path; *p;) {
            const char *e = strchr(p, ':');
            size_t k = e ? (size_t)(e - p) : strlen(p);
            snprintf(out, n, "%.*s/%s", (int)k, p, names[i]);
            if (k && access(out, X_OK) == 0)
                return true;
            p = e ? e + 1 : p + k;
        }
    return false;
}

static void check_platform(doctor *d, const rg_policy *pol)
{
    /* platforms.<name> is the shim's (opaque to the core): read the two
     * keys a Janus check needs. */
    const char *jtext = rg_policy_platform_settings(pol, "janus");
    const char *browser = rg_policy_platform_settings(pol, "browser");
    cJSON *janus = jtext ? cJSON_Parse(jtext) : NULL;
    const cJSON *jurl = cJSON_GetObjectItemCaseSensitive(janus, "url");
    const cJSON *jto = cJSON_GetObjectItemCaseSensitive(janus, "timeout_s");
    char path[4096];
    if (cJSON_IsString(jurl))
        check_janus(d, jurl->valuestring, cJSON_IsNumber(jto) ? (int)jto->valuedouble : 0);
    else if (janus)
        report(d, D_WARN, "platform", "set platforms.janus.url, or pass --url to every "
               "recgate run", "janus: platforms.janus has no url");
    if (browser) {
        if (find_chromium(path, sizeof path))
            report(d, D_OK, "platform", NULL, "browser: Chromium at %s", path);
        else
            report(d, D_FAIL, "platform", "apt-get install chromium",
                   "browser: no Chromium on PATH (chromium, chromium-browser, google-chrome)");
    }
    if (!janus && !browser)
        report(d, D_OK, "platform", NULL, "no platforms in the policy: only the simulated "
               "platform (recgate run --scenario)");
    cJSON_Delete(janus);
}

/* The kernel's view (what timedatectl calls "System clock synchronized"):
 * adjtimex() read-only; STA_UNSYNC or TIME_ERROR means no time service
 * disciplines the clock. */
static void check_clock(doctor *d)
{
    struct timex tx;
    memset(&tx, 0, sizeof tx);
    int st = adjtimex(&tx);
    const char *fix = "start a time service: timedatectl set-ntp true "
                      "(systemd-timesyncd), or install chrony";
    if (st < 0)
        report(d, D_WARN, "clock", fix, "adjtimex: %s: cannot tell whether the clock is "
               "synchronised", strerror(errno));
    else if (st == TIME_ERROR || (tx.status & STA_UNSYNC))
        report(d, D_WARN, "clock", fix, "the system clock is not synchronised (adjtimex: "
               "%s): audit log times may drift", st == TIME_ERROR && !(tx.status & STA_UNSYNC)
               ? "TIME_ERROR" : "STA_UNSYNC");
    else
        report(d, D_OK, "clock", NULL, "synchronised (adjtimex: maximum error %ld ms)",
               tx.maxerror / 1000);
}

static int usage(void)
{
    fputs(RG_USAGE_doctor, stderr);
    return 2;
}

int rg_cmd_doctor(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"out", required_argument, NULL, 'o'},
        {"identity", required_argument, NULL, 'i'},
        {"audit-key", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *out = NULL, *audit_key = NULL, *ids[MAX_IDFILES];
    size_t nid = 0;
    doctor d = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'o': out = optarg; break;
        case 'k': audit_key = optarg; break;
        case 'j': d.json = true; break;
        case 'i':
            if (nid == MAX_IDFILES) {
                fprintf(stderr, "recgate doctor: at most %d --identity\n", MAX_IDFILES);
                return 2;
            }
            ids[nid++] = optarg;
            break;
        case 'h': fputs(RG_USAGE_doctor, stdout); return 0;
        default: return usage();
        }
    }
    if (optind != argc) {
        fprintf(stderr, "recgate doctor: unexpected argument '%s'\n", argv[optind]);
        return usage();
    }
    if (!config) {
        fprintf(stderr, "recgate doctor: --config is required\n");
        return usage();
    }
    if (d.json && !(d.checks = cJSON_CreateArray())) {
        fprintf(stderr, "recgate doctor: out of memory\n");
        return 1;
    }
    char err[RG_ERRBUF_SIZE] = "";
    rg_policy *pol = NULL;
    rg_age_recipient *rcpt = NULL;
    size_t nr = 0;
    rg_err e = rg_policy_load(config, &pol, err);
    if (e) {
        report(&d, D_FAIL, "policy", "correct the policy (man recgate.json); nothing is "
               "recorded while it does not load", "%s", err[0] ? err : rg_strerror(e));
    } else {
        if (!policy_writable(&d, config))
            report(&d, D_OK, "policy", NULL, "%s loads: %zu meeting type%s (default %s), "
                   "%zu upload destination%s", config, pol->n_types, pol->n_types == 1 ? "" : "s",
                   pol->default_type, pol->n_upload_dests, pol->n_upload_dests == 1 ? "" : "s");
        check_audit_key(&d, pol, audit_key);
        check_recipients(&d, pol, &rcpt, &nr);
        for (size_t i = 0; i < nid; i++)
            check_identity(&d, ids[i], rcpt, nr);
        check_secrets(&d, pol);
    }
    check_output(&d, out);
    if (pol) {
        check_upload(&d, pol);
        check_platform(&d, pol);
    }
    check_clock(&d);
    int status = d.worst == D_FAIL ? 1 : d.worst == D_WARN ? 3 : 0;
    if (d.json) {
        cJSON *o = cJSON_CreateObject();
        char *s = NULL;
        if (o) {
            cJSON_AddStringToObject(o, "status", stat_name[d.worst]);
            cJSON_AddNumberToObject(o, "exit", status);
            cJSON_AddItemToObject(o, "checks", d.checks);
            d.checks = NULL;
            s = cJSON_PrintUnformatted(o);
        }
        if (s)
            printf("%s\n", s);
        else
            status = 1;
        free(s);
        cJSON_Delete(o);
    } else {
        printf("%s: %s\n", config, d.worst == D_FAIL ? "FAILED: fix the lines marked fail "
               "before recording" : d.worst == D_WARN ? "usable, with warnings"
               : "ready to record");
    }
    cJSON_Delete(d.checks);
    free(rcpt);
    rg_policy_free(pol);
    return status;
}
