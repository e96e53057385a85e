/* Shared helpers for commands that act on a finished recording folder:
 * recording.json, the encrypted manifest, the audit key, redaction and
 * file destruction. See recdir.h and docs/accountability.md. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "errfmt.h"
#include "agefile.h"
#include "jsonerr.h"
#include "policy.h"
#include "recdir.h"
#include "fileio.h"

#define META_MAX (16u << 20)
#define MANIFEST_MAX (64u << 20)


/* ---- time ---------------------------------------------------------------- */

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

rg_err rg_recdir_parse_time(const char *s, time_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
    if (!s || strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' ||
        !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d))
        return RG_ERR_PARSE;
    const char *p = s + 10;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi))
            return RG_ERR_PARSE;
        p += 6;
        if (*p == ':') {
            if (!digits(p + 1, 2, &sec))
                return RG_ERR_PARSE;
            p += 3;
            if (*p == '.' || *p == ',') {
                p++;
                if (!isdigit((unsigned char)*p))
                    return RG_ERR_PARSE;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;
            if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) ||
                oh > 23 || om > 59)
                return RG_ERR_PARSE;
            off = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
            p += 6;
        }
    }
    if (*p)
        return RG_ERR_PARSE;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
        (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 60)
        return RG_ERR_PARSE;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    *out = timegm(&tm) - off;
    return RG_OK;
}

void rg_recdir_format_time(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- recording.json ------------------------------------------------------ */

static const char *str_member(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

rg_err rg_recdir_load_meta(const char *recdir, cJSON **meta, char *errbuf)
{
    char path[PATH_MAX], *text = NULL, what[64];
    size_t len = 0;
    cJSON *m = NULL;
    struct stat st;
    if (stat(recdir, &st) != 0 || !S_ISDIR(st.st_mode))
        return rg_errorf(errbuf, RG_ERR_NOT_FOUND, "%s: not a directory", recdir);
    snprintf(path, sizeof path, "%s/%s", recdir, RG_RECDIR_META);
    rg_err err = rg_vaultio_read_file(path, META_MAX, &text, &len, errbuf);
    if (err == RG_ERR_NOT_FOUND)
        return rg_errorf(errbuf, err, "%s: not a recording (no %s)", recdir,
                   RG_RECDIR_META);
    if (err)
        return err;
    if ((err = rg_json_parse(text, len, path, &m, errbuf)))
        goto cleanup;
    err = RG_ERR_PARSE;
    const char *s;
    time_t t;
    if (!cJSON_IsObject(m) ||
        !(s = str_member(m, "format")) || strcmp(s, "recgate-recording-1")) {
        rg_errorf(errbuf, err, "%s: format: expected \"recgate-recording-1\"", path);
        goto cleanup;
    }
    if (!(s = str_member(m, "id")) || !*s || strlen(s) > 63 ||
        strpbrk(s, "/\\\"")) {
        rg_errorf(errbuf, err, "%s: id: expected a recording id", path);
        goto cleanup;
    }
    static const char *const times[] = {"created", "expires_at"};
    for (size_t i = 0; i < 2; i++)
        if (!(s = str_member(m, times[i])) || rg_recdir_parse_time(s, &t)) {
            rg_json_describe(cJSON_GetObjectItemCaseSensitive(m, times[i]),
                             what, sizeof what);
            rg_errorf(errbuf, err, "%s: %s: expected an ISO-8601 time, got %s", path,
                times[i], what);
            goto cleanup;
        }
    const cJSON *tracks = cJSON_GetObjectItemCaseSensitive(m, "tracks");
    if (!cJSON_IsArray(tracks)) {
        rg_errorf(errbuf, err, "%s: tracks: expected an array", path);
        goto cleanup;
    }
    int i = 0;
    const cJSON *tr;
    cJSON_ArrayForEach(tr, tracks) {
        if (!(s = str_member(tr, "id")) || !rg_vaultio_valid_id(s)) {
            rg_errorf(errbuf, err, "%s: tracks[%d].id: expected a track id", path, i);
            goto cleanup;
        }
        i++;
    }
    *meta = m;
    m = NULL;
    err = RG_OK;
cleanup:
    cJSON_Delete(m);
    free(text);
    return err;
}

rg_err rg_recdir_save_meta(const char *recdir, const cJSON *meta, char *errbuf)
{
    char *text = cJSON_Print(meta);
    if (!text)
        return RG_ERR_NOMEM;
    rg_err err = rg_vaultio_write_atomic(recdir, RG_RECDIR_META, text,
                                         strlen(text), errbuf);
    free(text);
    return err;
}

const char *rg_recdir_meta_id(const cJSON *meta)
{
    return str_member(meta, "id");
}

time_t rg_recdir_meta_expires(const cJSON *meta)
{
    time_t t = 0;
    if (rg_recdir_parse_time(str_member(meta, "expires_at"), &t))
        return 0;
    return t;
}

/* ---- manifest ------------------------------------------------------------ */

typedef struct membuf {
    unsigned char *p;
    size_t len, cap;
} membuf;

static rg_err mem_sink(void *ctx, const void *data, size_t len)
{
    membuf *b = ctx;
    if (b->len + len > MANIFEST_MAX)
        return RG_ERR_ARG;
    if (b->len + len + 1 > b->cap) {
        size_t cap = (b->len + len + 1) * 2;
        unsigned char *np = malloc(cap);
        if (!np)
            return RG_ERR_NOMEM;
        if (b->p) {
            memcpy(np, b->p, b->len);
            OPENSSL_cleanse(b->p, b->cap);
            free(b->p);
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = 0;
    return RG_OK;
}

rg_err rg_recdir_read_manifest(const char *recdir, const rg_age_identity *ids,
                               size_t n, cJSON **out, char *errbuf)
{
    char path[PATH_MAX];
    membuf b = {0};
    cJSON *m = NULL;
    snprintf(path, sizeof path, "%s/%s", recdir, RG_RECDIR_MANIFEST);
    if (access(path, F_OK) != 0)
        return rg_errorf(errbuf, RG_ERR_NOT_FOUND, "%s: missing (the recording has "
                   "no manifest: deleted, or cut short before the meeting "
                   "ended)", path);
    rg_err err = rg_age_decrypt_file(path, ids, n, mem_sink, &b, errbuf);
    if (err)
        goto cleanup;
    if ((err = rg_json_parse(b.p ? (char *)b.p : "", b.len, path, &m, errbuf)))
        goto cleanup;
    err = RG_ERR_PARSE;
    const cJSON *parts = cJSON_GetObjectItemCaseSensitive(m, "participants");
    const cJSON *chat = cJSON_GetObjectItemCaseSensitive(m, "chat");
    if (!cJSON_IsObject(m) || !cJSON_IsArray(parts) || !cJSON_IsArray(chat)) {
        rg_errorf(errbuf, err, "%s: expected an object with participants[] and chat[]",
            path);
        goto cleanup;
    }
    int i = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, parts) {
        if (!str_member(p, "id") || !str_member(p, "pseudonym")) {
            rg_errorf(errbuf, err, "%s: participants[%d]: expected id and pseudonym "
                "strings", path, i);
            goto cleanup;
        }
        i++;
    }
    i = 0;
    cJSON_ArrayForEach(p, chat) {
        if (!cJSON_IsObject(p) || !str_member(p, "text")) {
            rg_errorf(errbuf, err, "%s: chat[%d]: expected an object with text", path, i);
            goto cleanup;
        }
        i++;
    }
    *out = m;
    m = NULL;
    err = RG_OK;
cleanup:
    cJSON_Delete(m);
    if (b.p)
        OPENSSL_cleanse(b.p, b.cap);
    free(b.p);
    return err;
}

rg_err rg_recdir_write_manifest(const char *recdir, const cJSON *m, char *errbuf)
{
    char path[PATH_MAX], *text = NULL, *pt = NULL;
    size_t len = 0, n = 0;
    cJSON *vj = NULL;
    rg_age_recipient *r = NULL;
    unsigned char *ct = NULL;
    size_t ctlen = 0;
    snprintf(path, sizeof path, "%s/vault.json", recdir);
    rg_err err = rg_vaultio_read_file(path, 1 << 20, &text, &len, errbuf);
    if (err)
        return err;
    if ((err = rg_json_parse(text, len, path, &vj, errbuf)))
        goto cleanup;
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(vj, "org_recipients");
    int nr = cJSON_GetArraySize(rs);
    err = RG_ERR_PARSE;
    if (!cJSON_IsArray(rs) || nr < 1 || !(r = calloc((size_t)nr, sizeof *r))) {
        rg_errorf(errbuf, err, "%s: org_recipients: expected a non-empty array", path);
        goto cleanup;
    }
    const cJSON *x;
    cJSON_ArrayForEach(x, rs) {
        if (!cJSON_IsString(x) ||
            rg_agekey_recipient_parse(x->valuestring, &r[n], NULL)) {
            rg_errorf(errbuf, err, "%s: org_recipients[%zu]: not an age1... recipient",
                path, n);
            goto cleanup;
        }
        n++;
    }
    if (!(pt = cJSON_PrintUnformatted(m))) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    if ((err = rg_age_encrypt_buf(r, n, pt, strlen(pt), &ct, &ctlen)))
        goto cleanup;
    err = rg_vaultio_write_atomic(recdir, RG_RECDIR_MANIFEST, ct, ctlen, errbuf);
cleanup:
    if (pt)
        OPENSSL_cleanse(pt, strlen(pt));
    free(pt);
    free(ct);
    free(r);
    free(text);
    cJSON_Delete(vj);
    return err;
}

cJSON *rg_recdir_participant(const cJSON *m, const char *id)
{
    cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(m, "participants")) {
        const char *s = str_member(p, "id");
        if (s && !strcmp(s, id))
            return p;
    }
    return NULL;
}

/* ---- keys, actor, audit -------------------------------------------------- */

rg_err rg_recdir_audit_key(const char *key_file, const char *config,
                           uint8_t key[RG_AUDIT_KEY_LEN], char *errbuf)
{
    rg_policy *pol = NULL;
    if (!key_file && config) {
        rg_err err = rg_policy_load(config, &pol, errbuf);
        if (err)
            return err;
        key_file = pol->audit_key_file;
        if (!key_file) {
            rg_policy_free(pol);
            return rg_errorf(errbuf, RG_ERR_CONFIG, "%s: no audit.key_file: this "
                       "command must log what it does; pass --audit-key FILE",
                       config);
        }
    }
    if (!key_file)
        return rg_errorf(errbuf, RG_ERR_CONFIG, "this command must log what it does "
                   "in the audit log: pass --audit-key FILE or --config FILE "
                   "(whose audit.key_file is used)");
    rg_err err = rg_audit_key_load(key_file, key, errbuf);
    rg_policy_free(pol);
    return err;
}

void rg_recdir_by(const char *by_opt, char out[RG_RECDIR_BY_MAX])
{
    if (by_opt && *by_opt) {
        snprintf(out, RG_RECDIR_BY_MAX, "%s", by_opt);
        return;
    }
    struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name)
        snprintf(out, RG_RECDIR_BY_MAX, "%s", pw->pw_name);
    else
        snprintf(out, RG_RECDIR_BY_MAX, "uid-%ld", (long)geteuid());
}

rg_err rg_recdir_audit_open(const char *recdir, const uint8_t *key,
                            rg_audit **log, char *errbuf)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", recdir, RG_RECDIR_AUDIT);
    if (access(path, F_OK) != 0)
        return rg_errorf(errbuf, RG_ERR_NOT_FOUND, "%s: missing: the recording has "
                   "no audit log (refusing: nothing can be logged)", path);
    return rg_audit_open(path, key, log, errbuf);
}

rg_err rg_recdir_audit_check(const char *recdir, const uint8_t *key,
                             rg_audit_report *rep, char *errbuf)
{
    char path[PATH_MAX];
    rg_audit_report r;
    if (!rep)
        rep = &r;
    snprintf(path, sizeof path, "%s/%s", recdir, RG_RECDIR_AUDIT);
    if (access(path, F_OK) != 0)
        return rg_errorf(errbuf, RG_ERR_NOT_FOUND, "%s: missing: the recording has "
                   "no audit log", path);
    rg_err err = rg_audit_verify(path, key, rep, errbuf);
    if (err == RG_ERR_TRUNCATED && rep->unclosed)
        err = RG_OK;
    return err;
}

static bool audit_grep(const char *recdir, const char *a, const char *b)
{
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", recdir, RG_RECDIR_AUDIT);
    if (rg_vaultio_read_file(path, RG_AUDIT_MAX_FILE, &text, &len, NULL))
        return false;
    bool found = false;
    for (char *line = text; line && *line && !found;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        found = strstr(line, a) && strstr(line, b);
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    return found;
}

bool rg_recdir_audit_has(const char *recdir, const char *event,
                         const char *journal)
{
    char ev[64], jr[96];
    snprintf(ev, sizeof ev, "\"event\":\"%s\"", event);
    snprintf(jr, sizeof jr, "\"journal\":\"%s\"", journal);
    return audit_grep(recdir, ev, jr);
}

bool rg_recdir_audit_joined(const char *recdir, const char *ps)
{
    char who[64];
    snprintf(who, sizeof who, "\"participant\":\"%s\"", ps);
    return audit_grep(recdir, "\"event\":\"join\"", who);
}

/* ---- redaction ----------------------------------------------------------- */

static bool wordch(unsigned char c)
{
    return isalnum(c) || c >= 0x80 || c == '_';
}

char *rg_recdir_redact(const char *text, const char *const *words, size_t n,
                       const char *repl)
{
    size_t tl = strlen(text), rl = strlen(repl), cap = tl + 1, o = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (size_t i = 0; i < tl;) {
        size_t best = 0;
        if (i == 0 || !wordch((unsigned char)text[i - 1]))
            for (size_t k = 0; k < n; k++) {
                size_t wl = strlen(words[k]);
                if (wl > best && wl && i + wl <= tl &&
                    !strncasecmp(text + i, words[k], wl) &&
                    !wordch((unsigned char)text[i + wl]))
                    best = wl;
            }
        size_t add = best ? rl : 1;
        if (o + add + 1 > cap) {
            cap = (o + add + 1) * 2;
            char *np = realloc(out, cap);
            if (!np) {
                free(out);
                return NULL;
            }
            out = np;
        }
        if (best) {
            memcpy(out + o, repl, rl);
            i += best;
        } else {
            out[o] = text[i++];
        }
        o += add;
    }
    out[o] = 0;
    return out;
}

static rg_err add_word(char ***words, size_t *n, const char *w, size_t len)
{
    if (len == 0)
        return RG_OK;
    for (size_t i = 0; i < *n; i++)
        if (strlen((*words)[i]) == len && !strncasecmp((*words)[i], w, len))
            return RG_OK;
    char **nw = realloc(*words, (*n + 1) * sizeof *nw);
    if (!nw)
        return RG_ERR_NOMEM;
    *words = nw;
    if (!(nw[*n] = strndup(w, len)))
        return RG_ERR_NOMEM;
    (*n)++;
    return RG_OK;
}

rg_err rg_recdir_words_of(const cJSON *participant, char ***words, size_t *n)
{
    const char *id = str_member(participant, "id");
    const char *name = str_member(participant, "name");
    rg_err err = RG_OK;
    if (id)
        err = add_word(words, n, id, strlen(id));
    if (!err && name) {
        err = add_word(words, n, name, strlen(name));
        for (const char *p = name; !err && *p;) {
            while (*p && (isspace((unsigned char)*p) || *p == '-'))
                p++;
            const char *s = p;
            while (*p && !isspace((unsigned char)*p) && *p != '-')
                p++;
            if (p - s >= 2)
                err = add_word(words, n, s, (size_t)(p - s));
        }
    }
    return err;
}

void rg_recdir_free_words(char **words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(words[i]);
    free(words);
}

/* ---- destruction --------------------------------------------------------- */

rg_err rg_recdir_shred_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? RG_OK : RG_ERR_IO;
    struct stat st;
    unsigned char buf[4096];
    rg_err err = RG_OK;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        for (off_t done = 0; done < st.st_size && !err;) {
            size_t k = (size_t)(st.st_size - done) < sizeof buf
                           ? (size_t)(st.st_size - done) : sizeof buf;
            if (RAND_bytes(buf, (int)k) != 1 || rg_vaultio_write_all(fd, buf, k))
                err = RG_ERR_IO;
            done += (off_t)k;
        }
        if (!err && fsync(fd) != 0)
            err = RG_ERR_IO;
    }
    close(fd);
    if (unlink(path) != 0 && errno != ENOENT)
        return RG_ERR_IO;
    return err;
}

int rg_recdir_remove_segments(const char *recdir, const char *track)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/tracks/%s", recdir, track);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        bool seg = (n > 4 && !strcmp(e->d_name + n - 4, ".age")) ||
                   (n > 9 && !strcmp(e->d_name + n - 9, ".age.part"));
        char f[PATH_MAX + 256];
        snprintf(f, sizeof f, "%s/%s", path, e->d_name);
        if (seg && unlink(f) == 0)
            removed++;
    }
    closedir(d);
    rg_vaultio_fsync_dir(path);
    return removed;
}

static int tree_files;

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)f;
    if (flag == FTW_DP)
        return rmdir(p) == 0 ? 0 : -1;
    if (unlink(p) != 0)
        return -1;
    tree_files++;
    return 0;
}

rg_err rg_recdir_remove_tree(const char *path, int *files)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? RG_OK : RG_ERR_IO;
    tree_files = 0;
    int rc = nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    if (files)
        *files += tree_files;
    return rc == 0 ? RG_OK : RG_ERR_IO;
}

#ifdef RG_TEST_HOOKS
void rg_recdir_crash_point(const char *step)
{
    const char *at = getenv("RG_TEST_CRASH_AT");
    if (at && !strcmp(at, step))
        raise(SIGKILL);
}
#endif
