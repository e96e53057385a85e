/* Vault reader: track index, whole-track decryption, shredding, verify. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include "errfmt.h"
#include "keyring.h"
#include "vault.h"
#include "fileio.h"

#define INDEX_MAX (64u << 20)
#define SEGMENT_MAX (256u << 20) /* one sealed segment file */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void rg_vault_free_ids(char **ids, size_t n)
{
    for (size_t i = 0; ids && i < n; i++)
        free(ids[i]);
    free(ids);
}

rg_err rg_vault_list_tracks(const char *recdir, char ***ids, size_t *n,
                            char *errbuf)
{
    char path[PATH_MAX + 80];
    char **out = NULL;
    size_t cnt = 0, cap = 0;
    struct dirent *de;
    snprintf(path, sizeof path, "%s/tracks", recdir);
    int dfd = rg_vaultio_dir_open(recdir, "tracks");
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        int e = errno;
        if (dfd >= 0)
            close(dfd);
        rg_errbuf(errbuf, "%s: %s", path, e == ELOOP || e == ENOTDIR
                  ? "not a directory (a symlink?): refusing to follow it"
                  : strerror(e));
        return e == ENOENT ? RG_ERR_NOT_FOUND : RG_ERR_IO;
    }
    while ((de = readdir(d))) {
        if (!rg_vaultio_valid_id(de->d_name))
            continue;
        /* Entries that are not directories (a symlink to elsewhere) are
         * still listed: opening them fails and says why. */
        if (cnt == cap) {
            cap = cap ? cap * 2 : 8;
            char **grown = realloc(out, cap * sizeof *out);
            if (!grown)
                goto nomem;
            out = grown;
        }
        if (!(out[cnt] = strdup(de->d_name)))
            goto nomem;
        cnt++;
    }
    closedir(d);
    if (cnt)
        qsort(out, cnt, sizeof *out, cmp_str);
    *ids = out;
    *n = cnt;
    return RG_OK;
nomem:
    closedir(d);
    rg_vault_free_ids(out, cnt);
    return RG_ERR_NOMEM;
}

void rg_vault_track_info_free(rg_vault_track_info *info)
{
    if (!info)
        return;
    free(info->segs);
    memset(info, 0, sizeof *info);
}

/* Non-negative integer field (JSON numbers are doubles; 2^53 is plenty). */
static int get_int(const cJSON *o, const char *k, int64_t *v)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble) ||
        it->valuedouble < 0 || it->valuedouble > 9007199254740992.0 ||
        it->valuedouble != floor(it->valuedouble))
        return -1;
    *v = (int64_t)it->valuedouble;
    return 0;
}

static const char *get_str(const cJSON *o, const char *k, size_t max)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsString(it) || !it->valuestring ||
        strlen(it->valuestring) > max)
        return NULL;
    return it->valuestring;
}

rg_err rg_vault_read_track(const char *recdir, const char *track_id,
                           rg_vault_track_info *info, char *errbuf)
{
    char path[PATH_MAX + 160], *text = NULL;
    size_t len = 0;
    const char *bad = NULL, *s;
    cJSON *root = NULL;
    rg_err err;
    int64_t v;
    if (!recdir || !info || !rg_vaultio_valid_id(track_id))
        return RG_ERR_ARG;
    memset(info, 0, sizeof *info);
    snprintf(path, sizeof path, "tracks/%s/index.json", track_id);
    if ((err = rg_vaultio_read_in(recdir, path, INDEX_MAX, &text, &len,
                                  errbuf)))
        return err;
    snprintf(path, sizeof path, "%s/tracks/%s/index.json", recdir, track_id);
    if (!(root = cJSON_ParseWithLength(text, len)) || !cJSON_IsObject(root)) {
        bad = "not valid JSON";
        goto cleanup;
    }
    if (!(s = get_str(root, "format", 64)) ||
        strcmp(s, "recgate-vault-track/1") != 0) {
        bad = "format: not recgate-vault-track/1";
        goto cleanup;
    }
    if (!(s = get_str(root, "track", 64)) || strcmp(s, track_id) != 0) {
        bad = "track: does not name this track";
        goto cleanup;
    }
    snprintf(info->id, sizeof info->id, "%s", track_id);
    rg_age_recipient rc;
    if (!(s = get_str(root, "recipient", RG_AGE_RECIPIENT_STRLEN)) ||
        rg_agekey_recipient_parse(s, &rc, NULL)) {
        bad = "recipient: missing or not an age1... recipient";
        goto cleanup;
    }
    snprintf(info->recipient, sizeof info->recipient, "%s", s);
    if (get_int(root, "segment_s", &v) || v < 1 || v > 86400) {
        bad = "segment_s: missing or out of range";
        goto cleanup;
    }
    info->segment_s = (int)v;
    const cJSON *segs = cJSON_GetObjectItemCaseSensitive(root, "segments");
    if (!cJSON_IsArray(segs)) {
        bad = "segments: not an array";
        goto cleanup;
    }
    size_t n = (size_t)cJSON_GetArraySize(segs);
    if (n && !(info->segs = calloc(n, sizeof *info->segs))) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    const cJSON *g;
    cJSON_ArrayForEach(g, segs) {
        rg_vault_segment *o = &info->segs[info->nsegs];
        int64_t seq, from, to, bytes, plain;
        const char *file = get_str(g, "file", 31), *sha = get_str(g, "sha256", 64);
        char want[32];
        if (get_int(g, "seq", &seq) || seq > 999999 || get_int(g, "from_ms", &from) ||
            get_int(g, "to_ms", &to) || to < from || get_int(g, "bytes", &bytes) ||
            get_int(g, "plain_bytes", &plain) || !file || !sha ||
            strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64) {
            bad = "segments[]: entry with a missing or invalid field";
            goto cleanup;
        }
        snprintf(want, sizeof want, "%06u.age", (unsigned)seq);
        if (info->nsegs && (uint32_t)seq <= info->segs[info->nsegs - 1].seq) {
            bad = "segments[]: seq not increasing";
            goto cleanup;
        }
        if (strcmp(file, want) != 0) {
            bad = "segments[]: file name does not match seq";
            goto cleanup;
        }
        o->seq = (uint32_t)seq;
        snprintf(o->file, sizeof o->file, "%s", file);
        o->from_ms = from;
        o->to_ms = to;
        o->bytes = (uint64_t)bytes;
        o->plain_bytes = (uint64_t)plain;
        memcpy(o->sha256, sha, 65);
        info->nsegs++;
    }
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(root, "open");
    if (cJSON_IsObject(op)) {
        int64_t seq, from;
        char want[32];
        const char *file = get_str(op, "file", 31);
        if (get_int(op, "seq", &seq) || seq > 999999 ||
            get_int(op, "from_ms", &from)) {
            bad = "open: invalid";
            goto cleanup;
        }
        snprintf(want, sizeof want, "%06u.age.part", (unsigned)seq);
        if (!file || strcmp(file, want) != 0) {
            bad = "open.file: not NNNNNN.age.part of open.seq";
            goto cleanup;
        }
        if ((info->nsegs && seq <= info->segs[info->nsegs - 1].seq) ||
            (!info->nsegs && seq != 0)) {
            bad = "open.seq: does not follow the last sealed segment";
            goto cleanup;
        }
        info->has_open = 1;
        info->open_seq = (uint32_t)seq;
        info->open_from_ms = from;
    } else if (op && !cJSON_IsNull(op)) {
        bad = "open: neither an object nor null";
        goto cleanup;
    }
    const cJSON *cl = cJSON_GetObjectItemCaseSensitive(root, "closed");
    if (cl && !cJSON_IsBool(cl)) {
        bad = "closed: not a boolean";
        goto cleanup;
    }
    info->closed = cJSON_IsTrue(cl);
    if (info->closed && info->has_open) {
        bad = "open: a closed track has an open segment";
        goto cleanup;
    }
    if (info->closed && !info->nsegs &&
        !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "shredded"))) {
        bad = "segments: a closed track with no segment";
        goto cleanup;
    }
    info->shredded =
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "shredded"));
    if (!info->closed && !info->has_open && !info->nsegs) {
        bad = "segments: empty, and no segment open";
        goto cleanup;
    }
    if (info->closed && (get_int(root, "end_ms", &info->end_ms) ||
                         (info->nsegs &&
                          info->end_ms < info->segs[info->nsegs - 1].to_ms))) {
        bad = "end_ms: missing on a closed track or before its last segment";
        goto cleanup;
    }
cleanup:
    if (bad) {
        rg_errbuf(errbuf, "%s: malformed index: %s", path, bad);
        err = RG_ERR_PARSE;
    }
    if (err)
        rg_vault_track_info_free(info);
    cJSON_Delete(root);
    free(text);
    return err;
}

/* Keys for a track: its keyring entry opened with ids, or, if one of ids
 * is the track's own identity (e.g. a decrypted keyring), ids itself. */
rg_err rg_vault_track_keys(const char *recdir, const rg_vault_track_info *info,
                           const rg_age_identity *ids, size_t n,
                           rg_age_identity **keys, size_t *nkeys,
                           char *errbuf)
{
    rg_age_recipient r;
    if (rg_agekey_recipient_parse(info->recipient, &r, errbuf))
        return RG_ERR_PARSE;
    for (size_t i = 0; i < n; i++)
        if (!memcmp(ids[i].pk, r.pk, sizeof r.pk)) {
            if (!(*keys = malloc(sizeof **keys)))
                return RG_ERR_NOMEM;
            **keys = ids[i];
            *nkeys = 1;
            return RG_OK;
        }
    rg_err err = rg_keyring_load(recdir, info->id, ids, n, keys, nkeys, errbuf);
    if (err)
        return err;
    /* The entry must hold this track's key (not, say, a swapped file). */
    for (size_t i = 0; i < *nkeys; i++)
        if (!memcmp((*keys)[i].pk, r.pk, sizeof r.pk))
            return RG_OK;
    rg_agekey_free_identities(*keys, *nkeys);
    *keys = NULL;
    *nkeys = 0;
    rg_errbuf(errbuf, "%s/keyring/%s.age: does not hold the key of track "
                   "%s (index recipient %s)", recdir, info->id, info->id,
                   info->recipient);
    return RG_ERR_AUTH;
}

/* ---- seals ---------------------------------------------------------------- */

typedef struct seal {
    char track[65];
    uint32_t seq;
    char sha256[65];
} seal;

struct rg_vault_seals {
    seal *v;
    size_t n, cap;
    char (*stopped)[65];    /* tracks with a capture_stop line */
    size_t nstopped;
};

rg_err rg_vault_seal_audit(rg_audit *log, const char *track_id,
                           const rg_vault_segment *seg)
{
    cJSON *f = cJSON_CreateObject();
    if (!f)
        return RG_ERR_NOMEM;
    cJSON_AddStringToObject(f, "track", track_id);
    cJSON_AddNumberToObject(f, "segment", seg->seq); /* "seq" is the line's */
    cJSON_AddStringToObject(f, "sha256", seg->sha256);
    cJSON_AddNumberToObject(f, "bytes", (double)seg->bytes);
    rg_err err = rg_audit_append(log, RG_AUDIT_EV_SEAL, f, -1, true);
    cJSON_Delete(f);
    return err;
}

void rg_vault_seals_free(rg_vault_seals *s)
{
    if (!s)
        return;
    free(s->v);
    free(s->stopped);
    free(s);
}

static rg_err seals_add_line(rg_vault_seals *s, const cJSON *o)
{
    const char *ev = get_str(o, "event", 32), *tr = get_str(o, "track", 64);
    if (!ev || !tr)
        return RG_OK;
    if (!strcmp(ev, RG_AUDIT_EV_CAPTURE_STOP)) {
        char (*g)[65] = realloc(s->stopped, (s->nstopped + 1) * sizeof *g);
        if (!g)
            return RG_ERR_NOMEM;
        s->stopped = g;
        snprintf(g[s->nstopped++], 65, "%s", tr);
        return RG_OK;
    }
    if (strcmp(ev, RG_AUDIT_EV_SEAL))
        return RG_OK;
    int64_t seq;
    const char *sha = get_str(o, "sha256", 64);
    if (get_int(o, "segment", &seq) || seq > 999999 || !sha || strlen(sha) != 64)
        return RG_ERR_PARSE;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        seal *g = realloc(s->v, cap * sizeof *g);
        if (!g)
            return RG_ERR_NOMEM;
        s->v = g;
        s->cap = cap;
    }
    seal *e = &s->v[s->n++];
    snprintf(e->track, sizeof e->track, "%s", tr);
    e->seq = (uint32_t)seq;
    memcpy(e->sha256, sha, 65);
    return RG_OK;
}

rg_err rg_vault_seals_load(const char *recdir, const uint8_t *key,
                           rg_vault_seals **out, char *errbuf)
{
    char *text = NULL, what[PATH_MAX + 16];
    size_t len = 0;
    rg_audit_report rep;
    if (!recdir || !key || !out)
        return RG_ERR_ARG;
    *out = NULL;
    snprintf(what, sizeof what, "%s/audit.log", recdir);
    rg_err err = rg_vaultio_read_in(recdir, "audit.log", RG_AUDIT_MAX_FILE,
                                    &text, &len, errbuf);
    if (err)
        return err;
    /* Verify and parse the same bytes: no window to swap the file. */
    err = rg_audit_verify_buf(text, len, key, what, &rep, errbuf);
    if (err == RG_ERR_TRUNCATED && rep.unclosed)
        err = RG_OK;
    rg_vault_seals *s = err ? NULL : calloc(1, sizeof *s);
    if (!err && !s)
        err = RG_ERR_NOMEM;
    for (char *line = text; !err && line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        if (!nl)
            break;
        cJSON *o = cJSON_ParseWithLength(line, (size_t)(nl - line));
        err = o ? seals_add_line(s, o) : RG_ERR_PARSE;
        cJSON_Delete(o);
        line = nl + 1;
    }
    if (err == RG_ERR_PARSE)
        rg_errbuf(errbuf, "%s: malformed seal event", what);
    free(text);
    if (err) {
        rg_vault_seals_free(s);
        return err;
    }
    *out = s;
    return RG_OK;
}

static const seal *seal_find(const rg_vault_seals *s, const char *track,
                             uint32_t seq)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].seq == seq && !strcmp(s->v[i].track, track))
            return &s->v[i];
    return NULL;
}

static int seals_stopped(const rg_vault_seals *s, const char *track)
{
    for (size_t i = 0; i < s->nstopped; i++)
        if (!strcmp(s->stopped[i], track))
            return 1;
    return 0;
}

rg_err rg_vault_segments_check(const char *recdir,
                               const rg_vault_track_info *info,
                               const rg_vault_seals *seals, size_t *usable,
                               int *dropped, char *errbuf)
{
    size_t n = info->nsegs;
    *usable = 0;
    *dropped = 0;
    for (size_t i = 0; i < n; i++)
        if (info->segs[i].seq != i)
            return rg_errorf(errbuf, RG_ERR_TRUNCATED, "%s/tracks/%s: "
                             "segment %06zu missing from its index (sequence "
                             "jumps to %06u)", recdir, info->id, i,
                             info->segs[i].seq);
    if (!seals) {
        *usable = n;
        return RG_OK;
    }
    for (size_t i = 0; i < n; i++) {
        const rg_vault_segment *g = &info->segs[i];
        const seal *e = seal_find(seals, info->id, g->seq);
        if (!e && i + 1 == n && !info->closed &&
            !seals_stopped(seals, info->id)) {
            *dropped = 1; /* sealed, then the writer died before logging */
            break;
        }
        if (!e)
            return rg_errorf(errbuf, RG_ERR_AUTH, "%s/tracks/%s/%s: not "
                             "sealed by the recorder (no seal line in the "
                             "audit log): forged or added", recdir, info->id,
                             g->file);
        if (strcmp(e->sha256, g->sha256))
            return rg_errorf(errbuf, RG_ERR_AUTH, "%s/tracks/%s/%s: its "
                             "index does not match what the recorder sealed "
                             "(SHA-256 differs from the audit log's seal "
                             "line): replaced or forged", recdir, info->id,
                             g->file);
        (*usable)++;
    }
    for (size_t i = 0; i < seals->n; i++)
        if (!strcmp(seals->v[i].track, info->id) && seals->v[i].seq >= n)
            return rg_errorf(errbuf, RG_ERR_TRUNCATED, "%s/tracks/%s: "
                             "segment %06u was sealed (audit log) but is not "
                             "in the index: removed", recdir, info->id,
                             seals->v[i].seq);
    return RG_OK;
}

rg_err rg_vault_segment_read(const char *recdir,
                             const rg_vault_track_info *info, size_t i,
                             unsigned char **ct, size_t *len, char *errbuf)
{
    const rg_vault_segment *g = &info->segs[i];
    char rel[160], hex[65];
    unsigned char md[32];
    unsigned mdlen = 0;
    char *buf = NULL;
    size_t n = 0;
    snprintf(rel, sizeof rel, "tracks/%s/%s", info->id, g->file);
    rg_err err = rg_vaultio_read_in(recdir, rel, SEGMENT_MAX, &buf, &n, errbuf);
    if (err)
        return err;
    if (n != g->bytes) {
        free(buf);
        return rg_errorf(errbuf, n < g->bytes ? RG_ERR_TRUNCATED : RG_ERR_AUTH,
                         "%s/%s: %zu bytes, its index says %llu: damaged or "
                         "truncated", recdir, rel, n,
                         (unsigned long long)g->bytes);
    }
    if (EVP_Digest(buf, n, md, &mdlen, EVP_sha256(), NULL) != 1) {
        free(buf);
        return RG_ERR_CRYPTO;
    }
    for (int k = 0; k < 32; k++)
        snprintf(hex + 2 * k, 3, "%02x", md[k]);
    if (strcmp(hex, g->sha256)) {
        free(buf);
        return rg_errorf(errbuf, RG_ERR_AUTH, "%s/%s: not the segment its "
                         "index recorded (SHA-256 differs): replaced or "
                         "reordered", recdir, rel);
    }
    *ct = (unsigned char *)buf;
    *len = n;
    return RG_OK;
}

rg_err rg_vault_track_decrypt(const char *recdir, const char *track_id,
                              const rg_age_identity *ids, size_t n,
                              const rg_vault_seals *seals, rg_age_sink sink,
                              void *ctx, int *cut_short, char *errbuf)
{
    rg_vault_track_info info;
    rg_age_identity *keys = NULL;
    size_t nkeys = 0, usable = 0;
    int dropped = 0;
    rg_err err;
    if (!ids || !n || !sink)
        return RG_ERR_ARG;
    if (cut_short)
        *cut_short = 0;
    if ((err = rg_vault_read_track(recdir, track_id, &info, errbuf)))
        return err;
    if (info.shredded) {
        rg_errbuf(errbuf, "track %s was shredded; it cannot be decrypted",
                       track_id);
        err = RG_ERR_NOT_FOUND;
        goto cleanup;
    }
    if ((err = rg_vault_segments_check(recdir, &info, seals, &usable, &dropped,
                                       errbuf)) ||
        (err = rg_vault_track_keys(recdir, &info, ids, n, &keys, &nkeys, errbuf)))
        goto cleanup;
    for (size_t i = 0; i < usable; i++) {
        unsigned char *ct = NULL, *pt = NULL;
        size_t ctlen = 0, ptlen = 0;
        char why[RG_ERRBUF_SIZE] = "";
        if ((err = rg_vault_segment_read(recdir, &info, i, &ct, &ctlen, errbuf)))
            goto cleanup;
        err = rg_age_decrypt_buf(keys, nkeys, ct, ctlen, &pt, &ptlen, why);
        free(ct);
        if (err) {
            rg_errbuf(errbuf, "%s/tracks/%s/%s: %s", recdir, track_id,
                      info.segs[i].file, why[0] ? why : rg_strerror(err));
            goto cleanup;
        }
        err = sink(ctx, pt, ptlen);
        OPENSSL_cleanse(pt, ptlen);
        free(pt);
        if (err)
            goto cleanup;
    }
    if (!info.closed || dropped) {
        int64_t from = dropped ? info.segs[usable].from_ms
                     : info.has_open ? info.open_from_ms
                     : (info.nsegs ? info.segs[info.nsegs - 1].to_ms : 0);
        unsigned lost = dropped ? info.segs[usable].seq
                      : info.has_open ? info.open_seq : (unsigned)info.nsegs;
        rg_errbuf(errbuf, "track %s was cut short: media after %.3f s "
                       "was lost (segment %06u %s)", track_id,
                       (double)from / 1000.0, lost, dropped
                       ? "sealed but never logged in the audit log"
                       : "never sealed");
        if (cut_short)
            *cut_short = 1;
        else
            err = RG_ERR_TRUNCATED;
    }
cleanup:
    rg_agekey_free_identities(keys, nkeys);
    rg_vault_track_info_free(&info);
    return err;
}

rg_err rg_vault_shred_track(const char *recdir, const char *track_id,
                            char *errbuf)
{
    char dir[PATH_MAX + 80], *text = NULL, *out = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    if (!recdir || !rg_vaultio_valid_id(track_id)) {
        rg_errbuf(errbuf, "invalid track id (want [A-Za-z0-9_-]{1,64})");
        return RG_ERR_ARG;
    }
    rg_err err = rg_keyring_shred(recdir, track_id, errbuf);
    if (err)
        return err;
    /* Mark the index so verify reports the track as shredded on purpose
     * (read and written inside the recording, no symlink followed). */
    snprintf(dir, sizeof dir, "tracks/%s", track_id);
    char rel[PATH_MAX + 160];
    snprintf(rel, sizeof rel, "%s/index.json", dir);
    if (rg_vaultio_read_in(recdir, rel, INDEX_MAX, &text, &len, NULL) == RG_OK &&
        (root = cJSON_ParseWithLength(text, len)) && cJSON_IsObject(root)) {
        cJSON_DeleteItemFromObjectCaseSensitive(root, "shredded");
        cJSON_AddBoolToObject(root, "shredded", 1);
        if ((out = cJSON_Print(root)))
            err = rg_vaultio_write_atomic_in(recdir, dir, "index.json", out,
                                             strlen(out), errbuf);
    }
    cJSON_Delete(root);
    free(text);
    free(out);
    return err;
}
