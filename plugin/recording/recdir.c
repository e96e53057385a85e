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
    rg_err err = rg_vaultio_read_in(recdir, RG_RECDIR_META, META_MAX, &text, &len,
                                    errbuf);
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

rg_err rg_recdir_read_manifest(const char *recdir, const rg_age_identity *ids,
                               size_t n, cJSON **out, char *errbuf)
{
    char path[PATH_MAX];
    membuf b = {0};
    cJSON *m = NULL;
    snprintf(path, sizeof path, "%s/%s", recdir, RG_RECDIR_MANIFEST);
    char *ct = NULL, why[RG_ERRBUF_SIZE] = "";
    size_t ctlen = 0;
    rg_err err = rg_vaultio_read_in(recdir, RG_RECDIR_MANIFEST, MANIFEST_MAX,
                                    &ct, &ctlen, errbuf);
    if (err == RG_ERR_NOT_FOUND)
        return rg_errorf(errbuf, RG_ERR_NOT_FOUND, "%s: missing (the recording has "
                   "no manifest: deleted, or cut short before the meeting "
                   "ended)", path);
    if (err)
        return err;
    err = rg_age_decrypt_buf(ids, n, ct, ctlen, &b.p, &b.len, why);
    b.cap = b.len;
    free(ct);
    if (err) {
        rg_errorf(errbuf, err, "%s: %s", path, why[0] ? why : rg_strerror(err));
        goto cleanup;
    }
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

static rg_err add_word(char ***words, size_t *n, const char *w, size_t len);

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
    char *text = NULL;
    size_t len = 0;
    if (rg_vaultio_read_in(recdir, RG_RECDIR_AUDIT, RG_AUDIT_MAX_FILE, &text,
                           &len, NULL))
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

/* Each line of the audit log whose event is `event` and participant ps. */
typedef rg_err (*line_fn)(void *ctx, const cJSON *line);
static rg_err audit_each(const char *recdir, const char *event, const char *ps,
                         line_fn fn, void *ctx)
{
    char *text = NULL;
    size_t len = 0;
    rg_err err = rg_vaultio_read_in(recdir, RG_RECDIR_AUDIT, RG_AUDIT_MAX_FILE,
                                    &text, &len, NULL);
    for (char *line = text; !err && line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        if (!nl)
            break;
        cJSON *o = cJSON_ParseWithLength(line, (size_t)(nl - line));
        const char *ev = str_member(o, "event"), *who = str_member(o, "participant");
        if (ev && who && !strcmp(ev, event) && !strcmp(who, ps))
            err = fn(ctx, o);
        cJSON_Delete(o);
        line = nl + 1;
    }
    free(text);
    return err;
}

typedef struct track_list {
    char ***words;
    size_t *n;
} track_list;

static rg_err add_track(void *ctx, const cJSON *line)
{
    track_list *l = ctx;
    const char *t = str_member(line, "track");
    if (!t || !rg_vaultio_valid_id(t))
        return RG_OK;
    return add_word(l->words, l->n, t, strlen(t));
}

rg_err rg_recdir_audit_tracks(const char *recdir, const char *ps,
                              char ***tracks, size_t *n)
{
    track_list l = {tracks, n};
    return audit_each(recdir, RG_AUDIT_EV_CAPTURE_START, ps, add_track, &l);
}

static rg_err found(void *ctx, const cJSON *line)
{
    (void)line;
    *(bool *)ctx = true;
    return RG_OK;
}

bool rg_recdir_audit_withdrawn(const char *recdir, const char *ps)
{
    bool yes = false;
    (void)audit_each(recdir, RG_AUDIT_EV_WITHDRAWAL, ps, found, &yes);
    return yes;
}

bool rg_recdir_audit_joined(const char *recdir, const char *ps)
{
    char who[64];
    snprintf(who, sizeof who, "\"participant\":\"%s\"", ps);
    return audit_grep(recdir, "\"event\":\"join\"", who);
}

/* ---- redaction ----------------------------------------------------------- */

/* Word characters: letters, digits and every byte of a multi-byte UTF-8
 * character (so "Søren" is one word), except the typographic apostrophe
 * U+2019 ("Bob\u2019s"). '_' and '.' separate words: "bob_berg" and
 * "bob.berg" are two names. */
static bool wordch(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

static bool rsquo_at(const char *s)
{
    return (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
           (unsigned char)s[2] == 0x99;
}

static bool boundary_after(const char *text, size_t pos)
{
    return !text[pos] || !wordch((unsigned char)text[pos]) || rsquo_at(text + pos);
}

static bool boundary_before(const char *text, size_t i)
{
    return i == 0 || !wordch((unsigned char)text[i - 1]) ||
           (i >= 3 && rsquo_at(text + i - 3));
}

/* Length of a match of w at text+i: the word itself, or with the genitive
 * -s ("Bobs", Danish and English without apostrophe); 0 if none. "Bob's"
 * and "Bob\u2019s" need nothing: the apostrophe already ends the word. */
static size_t match_at(const char *text, size_t tl, size_t i, const char *w)
{
    size_t wl = strlen(w);
    if (!wl || i + wl > tl || strncasecmp(text + i, w, wl))
        return 0;
    if (boundary_after(text, i + wl))
        return wl;
    if ((text[i + wl] == 's' || text[i + wl] == 'S') &&
        boundary_after(text, i + wl + 1))
        return wl + 1;
    return 0;
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
        if (boundary_before(text, i))
            for (size_t k = 0; k < n; k++) {
                size_t m = match_at(text, tl, i, words[k]);
                if (m > best)
                    best = m;
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
        char joined[256];
        size_t jl = 0, parts = 0;
        err = add_word(words, n, name, strlen(name));
        for (const char *p = name; !err && *p;) {
            while (*p && (isspace((unsigned char)*p) || *p == '-'))
                p++;
            const char *s = p;
            while (*p && !isspace((unsigned char)*p) && *p != '-')
                p++;
            if (p - s >= 2) {
                err = add_word(words, n, s, (size_t)(p - s));
                if (jl + (size_t)(p - s) < sizeof joined) {
                    memcpy(joined + jl, s, (size_t)(p - s));
                    jl += (size_t)(p - s);
                    parts++;
                }
            }
        }
        /* The parts run together, as in a user name ("larsberg"). */
        if (!err && parts >= 2)
            err = add_word(words, n, joined, jl);
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

/* Overwrite an open regular file with random bytes and fsync it. */
static rg_err overwrite_fd(int fd)
{
    struct stat st;
    unsigned char buf[4096];
    rg_err err = RG_OK;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return RG_OK;
    for (off_t done = 0; done < st.st_size && !err;) {
        size_t k = (size_t)(st.st_size - done) < sizeof buf
                       ? (size_t)(st.st_size - done) : sizeof buf;
        if (RAND_bytes(buf, (int)k) != 1 || rg_vaultio_write_all(fd, buf, k))
            err = RG_ERR_IO;
        done += (off_t)k;
    }
    if (!err && fsync(fd) != 0)
        err = RG_ERR_IO;
    return err;
}

rg_err rg_recdir_shred_keyring(const char *recdir, int *files)
{
    int dfd = rg_vaultio_dir_open(recdir, "keyring");
    if (dfd < 0)
        return errno == ENOENT ? RG_OK : RG_ERR_IO;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return RG_ERR_IO;
    }
    rg_err err = RG_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        int fd = openat(dirfd(d), e->d_name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW |
                                             O_NONBLOCK);
        if (fd >= 0) {
            if (overwrite_fd(fd))
                err = RG_ERR_IO;
            close(fd);
        }
        /* A symlink or special file is removed, never followed. */
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            (*files)++;
        else if (errno != ENOENT)
            err = RG_ERR_IO;
    }
    fsync(dirfd(d));
    closedir(d);
    return err;
}

int rg_recdir_remove_segments(const char *recdir, const char *track)
{
    char rel[96];
    if (!rg_vaultio_valid_id(track))
        return 0;
    snprintf(rel, sizeof rel, "tracks/%s", track);
    /* Relative to the recording, no symlink followed: a tracks/<id> that
     * is a symlink to elsewhere is not entered (nothing outside the
     * recording is ever deleted). */
    int dfd = rg_vaultio_dir_open(recdir, rel);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return 0;
    }
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        bool seg = (n > 4 && !strcmp(e->d_name + n - 4, ".age")) ||
                   (n > 9 && !strcmp(e->d_name + n - 9, ".age.part"));
        /* unlinkat removes the entry itself, never a symlink's target. */
        if (seg && unlinkat(dirfd(d), e->d_name, 0) == 0)
            removed++;
    }
    fsync(dirfd(d));
    closedir(d);
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
