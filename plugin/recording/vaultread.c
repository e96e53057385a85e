/* Vault reader: track index, whole-track decryption, shredding, verify. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
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

#define INDEX_MAX (64u << 20)

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
    DIR *d = opendir(path);
    if (!d) {
        rg_errbuf(errbuf, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? RG_ERR_NOT_FOUND : RG_ERR_IO;
    }
    while ((de = readdir(d))) {
        if (!rg_vaultio_valid_id(de->d_name))
            continue;
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
    snprintf(path, sizeof path, "%s/tracks/%s/index.json", recdir, track_id);
    if ((err = rg_vaultio_read_file(path, INDEX_MAX, &text, &len, errbuf)))
        return err;
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
    if (!(s = get_str(root, "recipient", RG_AGE_RECIPIENT_STRLEN))) {
        bad = "recipient: missing";
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
        if (get_int(op, "seq", &seq) || seq > 999999 ||
            get_int(op, "from_ms", &from)) {
            bad = "open: invalid";
            goto cleanup;
        }
        info->has_open = 1;
        info->open_seq = (uint32_t)seq;
        info->open_from_ms = from;
    } else if (op && !cJSON_IsNull(op)) {
        bad = "open: neither an object nor null";
        goto cleanup;
    }
    info->closed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "closed"));
    info->shredded =
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "shredded"));
    if (info->closed && get_int(root, "end_ms", &info->end_ms)) {
        bad = "end_ms: missing on a closed track";
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

rg_err rg_vault_track_decrypt(const char *recdir, const char *track_id,
                              const rg_age_identity *ids, size_t n,
                              rg_age_sink sink, void *ctx, int *cut_short,
                              char *errbuf)
{
    rg_vault_track_info info;
    rg_age_identity *keys = NULL;
    size_t nkeys = 0;
    char path[PATH_MAX + 160];
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
    if ((err = rg_vault_track_keys(recdir, &info, ids, n, &keys, &nkeys, errbuf)))
        goto cleanup;
    for (size_t i = 0; i < info.nsegs; i++) {
        if (info.segs[i].seq != i) {
            rg_errbuf(errbuf, "track %s: segment %zu missing from the "
                           "index", track_id, i);
            err = RG_ERR_TRUNCATED;
            goto cleanup;
        }
        snprintf(path, sizeof path, "%s/tracks/%s/%s", recdir, track_id,
                 info.segs[i].file);
        if ((err = rg_age_decrypt_file(path, keys, nkeys, sink, ctx, errbuf)))
            goto cleanup;
    }
    if (!info.closed) {
        rg_errbuf(errbuf, "track %s was cut short: media after %.3f s "
                       "was lost (segment %06u never sealed)", track_id,
                       (double)(info.has_open ? info.open_from_ms
                                              : (info.nsegs ? info.segs[info.nsegs - 1].to_ms : 0)) / 1000.0,
                       info.has_open ? info.open_seq : (unsigned)info.nsegs);
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
    /* Mark the index so verify reports the track as shredded on purpose. */
    snprintf(dir, sizeof dir, "%s/tracks/%s", recdir, track_id);
    char path[PATH_MAX + 160];
    snprintf(path, sizeof path, "%s/index.json", dir);
    if (rg_vaultio_read_file(path, INDEX_MAX, &text, &len, NULL) == RG_OK &&
        (root = cJSON_ParseWithLength(text, len)) && cJSON_IsObject(root)) {
        cJSON_DeleteItemFromObjectCaseSensitive(root, "shredded");
        cJSON_AddBoolToObject(root, "shredded", 1);
        if ((out = cJSON_Print(root)))
            err = rg_vaultio_write_atomic(dir, "index.json", out, strlen(out),
                                          errbuf);
    }
    cJSON_Delete(root);
    free(text);
    free(out);
    return err;
}
