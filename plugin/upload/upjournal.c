/* Upload journal: append-only JSON lines, fsync'd, replayed on open. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "upjournal.h"
#include "fileio.h"

#define MAX_JOURNAL (64u * 1024 * 1024)

static rg_upj_file *get_file(rg_upjournal *j, const char *file, bool create)
{
    rg_upj_file *f = rg_upj_find(j, file);
    if (f || !create)
        return f;
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 64;
        rg_upj_file *nf = realloc(j->files, cap * sizeof *nf);
        if (!nf)
            return NULL;
        j->files = nf;
        j->cap = cap;
    }
    f = &j->files[j->n];
    memset(f, 0, sizeof *f);
    if (!(f->path = strdup(file)))
        return NULL;
    j->n++;
    return f;
}

rg_upj_file *rg_upj_find(rg_upjournal *j, const char *file)
{
    for (size_t i = 0; j && i < j->n; i++)
        if (!strcmp(j->files[i].path, file))
            return &j->files[i];
    return NULL;
}

static rg_upj_dest *get_dest(rg_upj_file *f, const char *dest, bool create)
{
    rg_upj_dest *d = rg_upj_dest_of(f, dest);
    if (d || !create)
        return d;
    rg_upj_dest *nd = realloc(f->d, (f->nd + 1) * sizeof *nd);
    if (!nd)
        return NULL;
    f->d = nd;
    d = &f->d[f->nd++];
    memset(d, 0, sizeof *d);
    snprintf(d->dest, sizeof d->dest, "%s", dest);
    return d;
}

rg_upj_dest *rg_upj_dest_of(rg_upj_file *f, const char *dest)
{
    for (size_t i = 0; f && i < f->nd; i++)
        if (!strcmp(f->d[i].dest, dest))
            return &f->d[i];
    return NULL;
}

bool rg_upj_delete_covers(const rg_upjournal *j, const char *file)
{
    if (j->delete_all)
        return true;
    for (size_t i = 0; i < j->n_del_tracks; i++) {
        size_t n = strlen(j->del_tracks[i]);
        if (!strncmp(file, "tracks/", 7) && !strncmp(file + 7, j->del_tracks[i], n) &&
            file[7 + n] == '/')
            return true;
        if (!strncmp(file, "keyring/", 8) && !strncmp(file + 8, j->del_tracks[i], n) &&
            !strcmp(file + 8 + n, ".age"))
            return true;
    }
    return false;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(it) ? it->valuedouble : 0;
}

static bool hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

/* Apply one line to the in-memory state. false: malformed. */
bool rg_upj_is_swept(const rg_upjournal *j, const char *dest, const char *prefix)
{
    for (size_t i = 0; i < j->n_swept; i++)
        if (!strcmp(j->swept[i][0], dest) && !strcmp(j->swept[i][1], prefix))
            return true;
    return false;
}

static bool prefix_ok(const char *p)
{
    return p && strlen(p) < 200 && !strstr(p, "..") && p[0] != '/';
}

static bool apply(rg_upjournal *j, const cJSON *o)
{
    const char *op = str(o, "op"), *file = str(o, "file"), *dest = str(o, "dest");
    if (!op)
        return false;
    if (!strcmp(op, "swept")) {
        const char *pre = str(o, "prefix");
        if (!dest || strlen(dest) >= 200 || !prefix_ok(pre))
            return false;
        if (rg_upj_is_swept(j, dest, pre))
            return true;
        char (*ns)[2][200] = realloc(j->swept, (j->n_swept + 1) * sizeof *ns);
        if (!ns)
            return false;
        j->swept = ns;
        snprintf(ns[j->n_swept][0], 200, "%s", dest);
        snprintf(ns[j->n_swept][1], 200, "%s", pre);
        j->n_swept++;
        return true;
    }
    if (!strcmp(op, "delete_wanted")) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "track");
        if (cJSON_IsNull(t) || !t) {
            j->delete_all = true;
            return true;
        }
        if (!cJSON_IsString(t) || !rg_vaultio_valid_id(t->valuestring))
            return false;
        char **nt = realloc(j->del_tracks, (j->n_del_tracks + 1) * sizeof *nt);
        if (!nt)
            return false;
        j->del_tracks = nt;
        return (nt[j->n_del_tracks] = strdup(t->valuestring)) &&
               ++j->n_del_tracks;
    }
    if (!file || !*file || strstr(file, ".."))
        return false;
    rg_upj_file *f = get_file(j, file, true);
    if (!f)
        return false;
    if (!strcmp(op, "queued")) {
        if (!hex64(str(o, "sha256")))
            return false;
        snprintf(f->sha256, sizeof f->sha256, "%s", str(o, "sha256"));
        f->bytes = (uint64_t)num(o, "bytes");
        return true;
    }
    if (!strcmp(op, "local_removed")) {
        f->local_removed = true;
        return true;
    }
    if (!dest)
        return false;
    rg_upj_dest *d = get_dest(f, dest, true);
    if (!d)
        return false;
    if (!strcmp(op, "done")) {
        if (!hex64(str(o, "sha256")))
            return false;
        snprintf(d->done_sha, sizeof d->done_sha, "%s", str(o, "sha256"));
        d->attempts = 0;
        d->error[0] = '\0';
    } else if (!strcmp(op, "failed")) {
        d->attempts++;
        d->next_at = (long long)num(o, "next_at");
        snprintf(d->error, sizeof d->error, "%s", str(o, "error") ? str(o, "error") : "");
    } else if (!strcmp(op, "deleted")) {
        d->deleted = true;
        d->done_sha[0] = '\0';
    } else if (!strcmp(op, "delete_failed")) {
        d->del_attempts++;
        d->next_at = (long long)num(o, "next_at");
        snprintf(d->error, sizeof d->error, "%s", str(o, "error") ? str(o, "error") : "");
    } else {
        return false;
    }
    return true;
}

/* Append one line and fsync, then apply it. */
static rg_err append(rg_upjournal *j, cJSON *o)
{
    rg_err err = RG_ERR_NOMEM;
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    if (text) {
        size_t n = strlen(text);
        text[n] = '\n'; /* cJSON allocated n+1: replace the NUL */
        err = rg_vaultio_write_all(j->fd, text, n + 1);
        if (!err && fsync(j->fd) != 0)
            err = RG_ERR_IO;
        text[n] = '\0';
        if (!err)
            apply(j, o);
        cJSON_free(text);
    }
    cJSON_Delete(o);
    return err;
}

rg_err rg_upj_open(const char *recdir, rg_upjournal **out, char *errbuf)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", recdir, RG_UPJ_NAME);
    rg_upjournal *j = calloc(1, sizeof *j);
    if (!j || !(j->recdir = strdup(recdir))) {
        free(j);
        return RG_ERR_NOMEM;
    }
    j->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (j->fd < 0) {
        rg_vaultio_err(errbuf, "%s: %s", path, strerror(errno));
        rg_upj_close(j);
        return RG_ERR_IO;
    }
    char *buf = NULL;
    size_t len = 0;
    rg_err err = rg_vaultio_read_file(path, MAX_JOURNAL, &buf, &len, errbuf);
    if (err) {
        rg_upj_close(j);
        return err;
    }
    size_t good = 0, lineno = 0;
    for (size_t i = 0; i < len;) {
        char *nl = memchr(buf + i, '\n', len - i);
        if (!nl) {
            j->torn = true; /* torn last line: cut below */
            if (memmem(buf + i, len - i, "delete_wanted", 13))
                j->bad_delete = true;
            break;
        }
        *nl = '\0';
        lineno++;
        cJSON *o = cJSON_Parse(buf + i);
        if (!cJSON_IsObject(o) || !apply(j, o)) {
            if (j->bad_lines < 8)
                j->bad_at[j->bad_lines] = lineno;
            j->bad_lines++;
            if (strstr(buf + i, "delete_wanted"))
                j->bad_delete = true;
        }
        cJSON_Delete(o);
        i = (size_t)(nl - buf) + 1;
        good = i;
    }
    free(buf);
    if (good < len && (ftruncate(j->fd, (off_t)good) != 0 || fsync(j->fd) != 0)) {
        rg_vaultio_err(errbuf, "%s: cannot cut torn last line: %s", path,
                       strerror(errno));
        rg_upj_close(j);
        return RG_ERR_IO;
    }
    if (len == 0)
        rg_vaultio_fsync_dir(recdir);
    *out = j;
    return RG_OK;
}

void rg_upj_close(rg_upjournal *j)
{
    if (!j)
        return;
    if (j->fd >= 0)
        close(j->fd);
    for (size_t i = 0; i < j->n; i++) {
        free(j->files[i].path);
        free(j->files[i].d);
    }
    free(j->files);
    for (size_t i = 0; i < j->n_del_tracks; i++)
        free(j->del_tracks[i]);
    free(j->del_tracks);
    free(j->swept);
    free(j->recdir);
    free(j);
}

static cJSON *line(const char *op, const char *dest, const char *file)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "op", op);
    if (dest)
        cJSON_AddStringToObject(o, "dest", dest);
    if (file)
        cJSON_AddStringToObject(o, "file", file);
    return o;
}

rg_err rg_upj_queue(rg_upjournal *j, const char *file, const char *sha256,
                    uint64_t bytes)
{
    rg_upj_file *f = rg_upj_find(j, file);
    if (f && !strcmp(f->sha256, sha256))
        return RG_OK;
    cJSON *o = line("queued", NULL, file);
    if (o) {
        cJSON_AddStringToObject(o, "sha256", sha256);
        cJSON_AddNumberToObject(o, "bytes", (double)bytes);
    }
    return append(j, o);
}

rg_err rg_upj_done(rg_upjournal *j, const char *dest, const char *file,
                   const char *sha256, uint64_t bytes)
{
    cJSON *o = line("done", dest, file);
    if (o) {
        cJSON_AddStringToObject(o, "sha256", sha256);
        cJSON_AddNumberToObject(o, "bytes", (double)bytes);
        cJSON_AddNumberToObject(o, "ts", (double)time(NULL));
    }
    return append(j, o);
}

static rg_err fail_line(rg_upjournal *j, const char *op, const char *dest,
                        const char *file, int attempts, long long next_at,
                        const char *error)
{
    cJSON *o = line(op, dest, file);
    if (o) {
        cJSON_AddNumberToObject(o, "attempts", attempts);
        cJSON_AddNumberToObject(o, "next_at", (double)next_at);
        cJSON_AddStringToObject(o, "error", error ? error : "");
    }
    return append(j, o);
}

rg_err rg_upj_failed(rg_upjournal *j, const char *dest, const char *file,
                     long long next_at, const char *error)
{
    rg_upj_dest *d = rg_upj_dest_of(rg_upj_find(j, file), dest);
    return fail_line(j, "failed", dest, file, d ? d->attempts + 1 : 1, next_at,
                     error);
}

rg_err rg_upj_local_removed(rg_upjournal *j, const char *file)
{
    cJSON *o = line("local_removed", NULL, file);
    if (o)
        cJSON_AddNumberToObject(o, "ts", (double)time(NULL));
    return append(j, o);
}

rg_err rg_upj_delete_wanted(rg_upjournal *j, const char *track)
{
    if (track && !rg_vaultio_valid_id(track))
        return RG_ERR_ARG;
    cJSON *o = line("delete_wanted", NULL, NULL);
    if (o) {
        if (track)
            cJSON_AddStringToObject(o, "track", track);
        else
            cJSON_AddNullToObject(o, "track");
        cJSON_AddNumberToObject(o, "ts", (double)time(NULL));
    }
    return append(j, o);
}

rg_err rg_upj_deleted(rg_upjournal *j, const char *dest, const char *file)
{
    cJSON *o = line("deleted", dest, file);
    if (o)
        cJSON_AddNumberToObject(o, "ts", (double)time(NULL));
    return append(j, o);
}

rg_err rg_upj_delete_failed(rg_upjournal *j, const char *dest,
                            const char *file, long long next_at,
                            const char *error)
{
    rg_upj_dest *d = rg_upj_dest_of(rg_upj_find(j, file), dest);
    return fail_line(j, "delete_failed", dest, file, d ? d->del_attempts + 1 : 1,
                     next_at, error);
}

rg_err rg_upj_swept(rg_upjournal *j, const char *dest, const char *prefix,
                    size_t objects)
{
    cJSON *o = line("swept", dest, NULL);
    if (o) {
        cJSON_AddStringToObject(o, "prefix", prefix);
        cJSON_AddNumberToObject(o, "objects", (double)objects);
        cJSON_AddNumberToObject(o, "ts", (double)time(NULL));
    }
    return append(j, o);
}

void rg_upj_problems(const rg_upjournal *j, char *out, size_t n)
{
    size_t u = 0;
    out[0] = '\0';
    for (size_t i = 0; i < j->bad_lines && i < 8 && u < n; i++)
        u += (size_t)snprintf(out + u, n - u, "%s%zu", i ? ", " : "line ", j->bad_at[i]);
    if (j->bad_lines > 8 && u < n)
        u += (size_t)snprintf(out + u, n - u, " and %zu more", j->bad_lines - 8);
    if (j->bad_lines && u < n)
        u += (size_t)snprintf(out + u, n - u, " damaged (skipped)%s",
                              j->bad_delete ? ", one of them a delete_wanted" : "");
    if (j->torn && u < n)
        snprintf(out + u, n - u, "%storn last line cut%s", u ? "; " : "",
                 j->bad_delete && !j->bad_lines ? " (a delete_wanted)" : "");
}
