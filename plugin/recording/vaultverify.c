/* Vault verify: structure, sizes, checksums and (with a key) every tag. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include "keyring.h"
#include "vault.h"
#include "fileio.h"

__attribute__((format(printf, 3, 4)))
static void rep_add(rg_vault_report *rep, int problem, const char *fmt, ...)
{
    rg_vault_report_line *grown =
        realloc(rep->lines, (rep->nlines + 1) * sizeof *grown);
    if (problem)
        rep->problems++; /* counted even if the text cannot be stored */
    if (!grown)
        return;
    rep->lines = grown;
    rg_vault_report_line *l = &rep->lines[rep->nlines++];
    l->problem = problem;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->text, sizeof l->text, fmt, ap);
    va_end(ap);
}

void rg_vault_report_free(rg_vault_report *rep)
{
    if (!rep)
        return;
    free(rep->lines);
    memset(rep, 0, sizeof *rep);
}

static rg_err count_sink(void *ctx, const void *data, size_t len)
{
    (void)data;
    *(uint64_t *)ctx += len;
    return RG_OK;
}

static int sha256_fd(int fd, char hex[65])
{
    unsigned char buf[65536], md[32];
    unsigned mdlen = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
             lseek(fd, 0, SEEK_SET) == 0;
    ssize_t r;
    while (ok && (r = read(fd, buf, sizeof buf)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        ok = r > 0 && EVP_DigestUpdate(c, buf, (size_t)r) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(c, md, &mdlen) == 1;
    for (unsigned i = 0; ok && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}

/* Open RECDIR/rel the safe way (no symlink, regular file, no blocking);
 * on failure add a problem line (missing: / damaged:) and return -1. */
static int open_checked(rg_vault_report *rep, const char *recdir,
                        const char *rel, int report_missing)
{
    int fd = rg_vaultio_open_in(recdir, rel);
    if (fd >= 0)
        return fd;
    int e = errno;
    if (e == ENOENT) {
        if (report_missing)
            rep_add(rep, 1, "missing: %s/%s", recdir, rel);
    } else if (e == ELOOP || e == ENOTDIR) {
        rep_add(rep, 1, "damaged: %s/%s: a symlink (or under one): not "
                "followed", recdir, rel);
    } else if (e == EINVAL) {
        rep_add(rep, 1, "damaged: %s/%s: not a regular file (FIFO, device "
                "or directory): not read", recdir, rel);
    } else {
        rep_add(rep, 1, "damaged: %s/%s: %s", recdir, rel, strerror(e));
    }
    errno = e;
    return -1;
}

static double sec(int64_t ms) { return (double)ms / 1000.0; }

/* Decrypt one open file fully; report a problem line on failure. */
static int check_decrypt(rg_vault_report *rep, int fd, const char *path,
                         const rg_age_identity *keys, size_t nkeys,
                         uint64_t want_plain)
{
    char why[RG_ERRBUF_SIZE];
    uint64_t got = 0;
    rg_err err = lseek(fd, 0, SEEK_SET) == 0
        ? rg_age_decrypt_fd(fd, path, keys, nkeys, count_sink, &got, why)
        : RG_ERR_IO;
    if (err == RG_ERR_IO && !why[0])
        snprintf(why, sizeof why, "%s: cannot read", path);
    if (err) {
        /* A key that does not fit proves nothing about the file. */
        rep_add(rep, 1, "%s%s", strstr(why, "no stanza matched")
                ? "cannot check tags: " : "damaged: ", why);
        return -1;
    }
    if (want_plain != UINT64_MAX && got != want_plain) {
        rep_add(rep, 1, "damaged: %s: %llu plaintext bytes, index says %llu",
                path, (unsigned long long)got, (unsigned long long)want_plain);
        return -1;
    }
    return 0;
}

static int in_index(const rg_vault_track_info *info, unsigned seq)
{
    for (size_t i = 0; i < info->nsegs; i++)
        if (info->segs[i].seq == seq)
            return 1;
    return 0;
}

static void verify_track(const char *recdir, const char *id,
                         const rg_age_identity *ids, size_t n,
                         const rg_vault_seals *seals, rg_vault_report *rep)
{
    char dir[PATH_MAX + 80], path[PATH_MAX + 160], krel[96], rel[160];
    char why[RG_ERRBUF_SIZE], hex[65];
    rg_vault_track_info info;
    rg_age_identity *keys = NULL;
    size_t nkeys = 0;
    struct stat st;
    snprintf(dir, sizeof dir, "%s/tracks/%s", recdir, id);
    snprintf(krel, sizeof krel, "keyring/%s.age", id);
    int64_t lost_ms = 0;
    rep->tracks++;
    if (rg_vault_read_track(recdir, id, &info, why)) {
        rep_add(rep, 1, "damaged: %s", why);
        return;
    }
    int kfd = rg_vaultio_open_in(recdir, krel);
    int kerr = kfd < 0 ? errno : 0;
    if (kfd >= 0)
        close(kfd);
    if (info.shredded) {
        rep_add(rep, 0, "track %s: shredded on request (%zu segments are "
                "unreadable by design)", id, info.nsegs);
        if (kerr != ENOENT)
            rep_add(rep, 1, "%s/%s: shred incomplete: keyring entry still "
                    "present", recdir, krel);
        goto cleanup;
    }
    if (kerr == ENOENT)
        rep_add(rep, 1, "missing: %s/%s: no keyring entry; track %s cannot be "
                "decrypted by anyone", recdir, krel, id);
    else if (kerr)
        (void)open_checked(rep, recdir, krel, 1);
    else if (ids && n) {
        if (rg_vault_track_keys(recdir, &info, ids, n, &keys, &nkeys, why))
            rep_add(rep, 1, "cannot check tags of track %s: %s", id, why);
    }
    /* Order and binding: the same check every reader applies. */
    size_t usable = 0;
    int dropped = 0;
    rg_err berr = seals ? rg_vault_segments_check(recdir, &info, seals, &usable,
                                                  &dropped, why)
                        : RG_OK;
    if (berr)
        rep_add(rep, 1, "%s: %s", berr == RG_ERR_TRUNCATED ? "missing"
                                                           : "damaged", why);
    else if (dropped)
        rep_add(rep, 1, "cut short: track %s: segment %06u was sealed but its "
                "seal never reached the audit log (the writer stopped in "
                "between); it is not trusted: media from %.3f s, at most %d s "
                "missing", id, info.segs[usable].seq,
                sec(info.segs[usable].from_ms), info.segment_s);
    for (size_t i = 0; i < info.nsegs; i++) {
        const rg_vault_segment *g = &info.segs[i];
        int ok = 1;
        rep->segments++;
        snprintf(path, sizeof path, "%s/%s", dir, g->file);
        snprintf(rel, sizeof rel, "tracks/%s/%s", id, g->file);
        if (g->seq != i)
            rep_add(rep, 1, "missing: %s/%06zu.age: absent from the index "
                    "(sequence jumps to %06u)", dir, i, g->seq);
        int fd = open_checked(rep, recdir, rel, 0);
        if (fd < 0) {
            if (errno == ENOENT) {
                rep_add(rep, 1, "missing: %s: media %.3f-%.3f s lost (%.3f s)",
                        path, sec(g->from_ms), sec(g->to_ms),
                        sec(g->to_ms - g->from_ms));
                lost_ms += g->to_ms - g->from_ms;
            }
            continue;
        }
        if (fstat(fd, &st) != 0) {
            ok = 0;
        } else if ((uint64_t)st.st_size < g->bytes) {
            rep_add(rep, 1, "truncated: %s: %lld of %llu bytes (media "
                    "%.3f-%.3f s)", path, (long long)st.st_size,
                    (unsigned long long)g->bytes, sec(g->from_ms),
                    sec(g->to_ms));
            ok = 0;
        } else if ((uint64_t)st.st_size != g->bytes) {
            rep_add(rep, 1, "damaged: %s: %lld bytes, index says %llu", path,
                    (long long)st.st_size, (unsigned long long)g->bytes);
            ok = 0;
        } else if (sha256_fd(fd, hex) || strcmp(hex, g->sha256) != 0) {
            rep_add(rep, 1, "damaged: %s: SHA-256 differs from the index",
                    path);
            ok = 0;
        }
        if (rg_age_check_structure_fd(fd, path, why)) {
            if (ok)
                rep_add(rep, 1, "damaged: %s", why);
            ok = 0;
        }
        if (ok && keys && check_decrypt(rep, fd, path, keys, nkeys,
                                        g->plain_bytes))
            ok = 0;
        close(fd);
        rep->segments_ok += ok;
    }
    /* Files the index does not know: a segment sealed just before a crash
     * (index not yet rewritten) or the open segment's temp file. */
    snprintf(rel, sizeof rel, "tracks/%s", id);
    int dfd = rg_vaultio_dir_open(recdir, rel);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d && dfd >= 0)
        close(dfd);
    struct dirent *de;
    long long part_seq = -1; /* newest temp file: the segment really lost */
    while (d && (de = readdir(d))) {
        unsigned seq;
        char tail[16] = "";
        if (sscanf(de->d_name, "%6u.age%15s", &seq, tail) < 1 ||
            strlen(de->d_name) < 10)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        snprintf(rel, sizeof rel, "tracks/%s/%s", id, de->d_name);
        if (!tail[0] && !in_index(&info, seq)) {
            rep->segments++;
            int fd = open_checked(rep, recdir, rel, 1);
            if (fd < 0)
                continue;
            if (rg_age_check_structure_fd(fd, path, why))
                rep_add(rep, 1, "damaged: %s", why);
            else if (keys && check_decrypt(rep, fd, path, keys, nkeys,
                                           UINT64_MAX))
                ;
            else {
                rep->segments_ok++;
                rep_add(rep, 0, "%s: sealed but not in the index (writer "
                        "stopped right after sealing it); media times "
                        "unknown", path);
            }
            close(fd);
        } else if (!strcmp(tail, ".part") && !info.closed) {
            if ((long long)seq > part_seq)
                part_seq = seq;
        } else if (!strcmp(tail, ".part")) {
            rep_add(rep, 0, "%s: stray temporary file", path);
        }
    }
    if (d)
        closedir(d);
    if (!info.closed) {
        if (info.has_open || part_seq >= 0) {
            /* The index may lag one seal behind the directory. */
            unsigned lost = part_seq >= 0 ? (unsigned)part_seq : info.open_seq;
            snprintf(path, sizeof path, "%s/%06u.age.part", dir, lost);
            long long partial = lstat(path, &st) == 0 && S_ISREG(st.st_mode)
                                ? (long long)st.st_size : 0;
            char from[64];
            if (info.has_open && lost == info.open_seq)
                snprintf(from, sizeof from, "from %.3f s", sec(info.open_from_ms));
            else
                snprintf(from, sizeof from, "after segment %06u", lost - 1);
            rep_add(rep, 1, "cut short: track %s: segment %06u was open when "
                    "the writer stopped and is lost: media %s, at most %d s "
                    "missing (%lld unsealed bytes discarded)", id, lost, from,
                    info.segment_s, partial);
            lost_ms += (int64_t)info.segment_s * 1000;
        } else {
            rep_add(rep, 1, "cut short: track %s was never closed", id);
        }
    }
    /* Tracks run in parallel: the recording lost the worst track's loss. */
    if (lost_ms > rep->lost_ms_max)
        rep->lost_ms_max = lost_ms;
cleanup:
    rg_agekey_free_identities(keys, nkeys);
    rg_vault_track_info_free(&info);
}

/* Small files stored with rg_vault_put_file: RECDIR/<name>.age. */
static void verify_files(const char *recdir, const rg_age_identity *ids,
                         size_t n, rg_vault_report *rep)
{
    char path[PATH_MAX + 300], why[RG_ERRBUF_SIZE];
    DIR *d = opendir(recdir);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".age") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", recdir, de->d_name);
        int fd = open_checked(rep, recdir, de->d_name, 1);
        if (fd < 0)
            continue;
        if (rg_age_check_structure_fd(fd, path, why))
            rep_add(rep, 1, "damaged: %s", why);
        else if (ids && n)
            check_decrypt(rep, fd, path, ids, n, UINT64_MAX);
        close(fd);
    }
    if (d)
        closedir(d);
}

/* vault.json: every field (a garbage file must not pass as "0 problems"). */
static void verify_vault_json(const char *recdir, rg_vault_report *rep)
{
    char path[PATH_MAX + 80], why[RG_ERRBUF_SIZE], *text = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/vault.json", recdir);
    if (rg_vaultio_read_in(recdir, "vault.json", 1u << 20, &text, &len, why)) {
        rep_add(rep, 1, "%s: %s", strstr(why, "No such file") ? "missing"
                                                             : "damaged", why);
        return;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "format");
    const cJSON *seg = cJSON_GetObjectItemCaseSensitive(root, "segment_s");
    const cJSON *chunk = cJSON_GetObjectItemCaseSensitive(root, "chunk_bytes");
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(root, "org_recipients");
    const cJSON *x;
    if (!cJSON_IsObject(root))
        rep_add(rep, 1, "damaged: %s: not a JSON object", path);
    else if (!cJSON_IsString(f) || strcmp(f->valuestring, "recgate-vault/1"))
        rep_add(rep, 1, "damaged: %s: not a recgate-vault/1 file", path);
    else {
        if (!cJSON_IsNumber(seg) || seg->valuedouble < 1 ||
            seg->valuedouble > 86400 ||
            seg->valuedouble != (double)(int)seg->valuedouble)
            rep_add(rep, 1, "damaged: %s: segment_s: expected whole seconds "
                    "1..86400", path);
        if (!cJSON_IsNumber(chunk) || chunk->valuedouble != RG_AGE_CHUNK)
            rep_add(rep, 1, "damaged: %s: chunk_bytes: expected %d", path,
                    RG_AGE_CHUNK);
        if (!cJSON_IsArray(rs) || cJSON_GetArraySize(rs) < 1)
            rep_add(rep, 1, "damaged: %s: org_recipients: expected a "
                    "non-empty array", path);
        int i = 0;
        cJSON_ArrayForEach(x, rs) {
            rg_age_recipient r;
            if (!cJSON_IsString(x) ||
                rg_agekey_recipient_parse(x->valuestring, &r, NULL))
                rep_add(rep, 1, "damaged: %s: org_recipients[%d]: not an "
                        "age1... recipient", path, i);
            i++;
        }
    }
    cJSON_Delete(root);
    free(text);
}

rg_err rg_vault_verify(const char *recdir, const rg_age_identity *ids,
                       size_t n, rg_vault_report *rep, char *errbuf)
{
    return rg_vault_verify_bound(recdir, ids, n, NULL, rep, errbuf);
}

rg_err rg_vault_verify_bound(const char *recdir, const rg_age_identity *ids,
                             size_t n, const uint8_t *audit_key,
                             rg_vault_report *rep, char *errbuf)
{
    char why[RG_ERRBUF_SIZE];
    char **tracks = NULL;
    size_t ntracks = 0;
    struct stat st;
    rg_vault_seals *seals = NULL;
    if (!recdir || !rep)
        return RG_ERR_ARG;
    memset(rep, 0, sizeof *rep);
    if (stat(recdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        rg_errbuf(errbuf, "%s: not a recording directory", recdir);
        return RG_ERR_NOT_FOUND;
    }
    verify_vault_json(recdir, rep);
    if (audit_key) {
        rg_err e = rg_vault_seals_load(recdir, audit_key, &seals, why);
        if (e)
            rep_add(rep, 1, "%s: %s (segments cannot be checked against the "
                    "recorder's seals)", e == RG_ERR_NOT_FOUND ? "missing"
                    : "damaged", why);
    }
    rg_err err = rg_vault_list_tracks(recdir, &tracks, &ntracks, why);
    if (err == RG_ERR_NOT_FOUND)
        rep_add(rep, 1, "missing: %s", why);
    else if (err) {
        rg_errbuf(errbuf, "%s", why);
        rg_vault_seals_free(seals);
        return err;
    }
    for (size_t i = 0; i < ntracks; i++)
        verify_track(recdir, tracks[i], ids, n, seals, rep);
    rg_vault_free_ids(tracks, ntracks);
    verify_files(recdir, ids, n, rep);
    rep->decrypted = ids && n && rep->problems == 0;
    rep->bound = seals && rep->problems == 0;
    rg_vault_seals_free(seals);
    return RG_OK;
}
