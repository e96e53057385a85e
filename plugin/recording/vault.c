/* Vault writer: tracks -> sealed age segments, keyring, index. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "keyring.h"
#include "vault.h"
#include "fileio.h"

struct rg_vault_track {
    rg_vault *v;
    rg_vault_track *next;
    char id[65];
    char dir[PATH_MAX + 80];
    int dfd;                     /* tracks/<id>, opened without following
                                    symlinks: every file op is relative */
    rg_age_recipient rcpt;
    rg_vault_segment *segs;
    size_t nsegs, capsegs;
    /* the open segment */
    uint32_t seq;
    int fd;
    rg_age_enc *enc;
    EVP_MD_CTX *sha;
    uint64_t seg_bytes;
    int64_t seg_from_ms, last_ms;
    long long seg_wall_ms;
    int seg_has_data, closed, failed;
    int sys_errno;               /* errno of the last failed write */
};

struct rg_vault {
    pthread_mutex_t mu;
    char dir[PATH_MAX];
    rg_age_recipient *org;
    size_t n_org;
    int segment_s;
    rg_vault_track *tracks;
    long long (*now)(void *);
    void *now_ctx;
    char errmsg[RG_ERRBUF_SIZE];
    rg_vault_sealed_fn sealed;   /* optional: told of each sealed segment */
    void *sealed_ctx;
};

static long long default_now(void *ctx)
{
    (void)ctx;
    return rg_vaultio_now_ms();
}

/* ---- index.json ---- */

static rg_err write_index(rg_vault_track *t)
{
    char rcpt[RG_AGE_RECIPIENT_STRLEN + 1], name[24];
    rg_err err = RG_ERR_NOMEM;
    cJSON *root = cJSON_CreateObject(), *segs, *s;
    char *text = NULL;
    if (!root || rg_agekey_recipient_format(&t->rcpt, rcpt, sizeof rcpt))
        goto cleanup;
    cJSON_AddStringToObject(root, "format", "recgate-vault-track/1");
    cJSON_AddStringToObject(root, "track", t->id);
    cJSON_AddStringToObject(root, "recipient", rcpt);
    cJSON_AddNumberToObject(root, "segment_s", t->v->segment_s);
    if (!(segs = cJSON_AddArrayToObject(root, "segments")))
        goto cleanup;
    for (size_t i = 0; i < t->nsegs; i++) {
        const rg_vault_segment *g = &t->segs[i];
        if (!(s = cJSON_CreateObject()))
            goto cleanup;
        cJSON_AddItemToArray(segs, s);
        cJSON_AddNumberToObject(s, "seq", g->seq);
        cJSON_AddStringToObject(s, "file", g->file);
        cJSON_AddNumberToObject(s, "from_ms", (double)g->from_ms);
        cJSON_AddNumberToObject(s, "to_ms", (double)g->to_ms);
        cJSON_AddNumberToObject(s, "bytes", (double)g->bytes);
        cJSON_AddNumberToObject(s, "plain_bytes", (double)g->plain_bytes);
        cJSON_AddStringToObject(s, "sha256", g->sha256);
    }
    if (t->enc) {
        if (!(s = cJSON_AddObjectToObject(root, "open")))
            goto cleanup;
        snprintf(name, sizeof name, "%06u.age.part", t->seq);
        cJSON_AddNumberToObject(s, "seq", t->seq);
        cJSON_AddStringToObject(s, "file", name);
        cJSON_AddNumberToObject(s, "from_ms", (double)t->seg_from_ms);
    } else {
        cJSON_AddNullToObject(root, "open");
    }
    cJSON_AddBoolToObject(root, "closed", t->closed);
    if (t->closed)
        cJSON_AddNumberToObject(root, "end_ms", (double)t->last_ms);
    if (!(text = cJSON_Print(root)))
        goto cleanup;
    err = rg_vaultio_write_atomic_at(t->dfd, t->dir, "index.json", text,
                                     strlen(text), t->v->errmsg);
cleanup:
    cJSON_Delete(root);
    free(text);
    return err;
}

/* ---- segments ---- */

static rg_err seg_sink(void *ctx, const void *data, size_t len)
{
    rg_vault_track *t = ctx;
    if (EVP_DigestUpdate(t->sha, data, len) != 1)
        return RG_ERR_CRYPTO;
    t->seg_bytes += len;
    errno = 0;
    rg_err err = rg_vaultio_write_all(t->fd, data, len);
    if (err)
        t->sys_errno = errno ? errno : EIO;
    return err;
}

static rg_err seg_start(rg_vault_track *t, int64_t t_ms)
{
    char path[PATH_MAX + 128], name[32];
    snprintf(path, sizeof path, "%s/%06u.age.part", t->dir, t->seq);
    snprintf(name, sizeof name, "%06u.age.part", t->seq);
    t->fd = openat(t->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
                   O_NOFOLLOW, 0600);
    if (t->fd < 0) {
        rg_errbuf(t->v->errmsg, "%s: cannot create: %s", path,
                       strerror(errno));
        return RG_ERR_IO;
    }
    t->seg_bytes = 0;
    t->seg_from_ms = t_ms;
    t->seg_has_data = 0;
    t->seg_wall_ms = t->v->now(t->v->now_ctx);
    rg_err err = RG_ERR_CRYPTO;
    if (EVP_DigestInit_ex(t->sha, EVP_sha256(), NULL) != 1 ||
        (err = rg_age_enc_new(&t->rcpt, 1, seg_sink, t, &t->enc))) {
        rg_errbuf(t->v->errmsg, "%s: cannot start segment: %s", path,
                  t->sys_errno ? strerror(t->sys_errno) : rg_strerror(err));
        return err;
    }
    if ((err = write_index(t))) /* its message names index.json and why */
        return err;
    return RG_OK;
}

/* A segment that failed can never be sealed: drop its temp file, which
 * holds only ciphertext nobody can use, so a full disk gets its space
 * back for the metadata that says what happened. */
static void discard_part(rg_vault_track *t)
{
    char part[32];
    if (t->fd >= 0) {
        close(t->fd);
        t->fd = -1;
    }
    rg_age_enc_free(t->enc);
    t->enc = NULL;
    snprintf(part, sizeof part, "%06u.age.part", t->seq);
    if (unlinkat(t->dfd, part, 0) == 0)
        (void)fsync(t->dfd);
}

/* Final chunk, fsync, rename NNNNNN.age.part -> NNNNNN.age, fsync dir,
 * then record it in the index. */
static rg_err seg_seal(rg_vault_track *t, int64_t to_ms)
{
    char part[PATH_MAX + 128], path[PATH_MAX + 128], pname[32], fname[32];
    unsigned char md[32];
    unsigned mdlen = 0;
    rg_vault_segment g;
    memset(&g, 0, sizeof g);
    snprintf(part, sizeof part, "%s/%06u.age.part", t->dir, t->seq);
    snprintf(path, sizeof path, "%s/%06u.age", t->dir, t->seq);
    snprintf(pname, sizeof pname, "%06u.age.part", t->seq);
    snprintf(fname, sizeof fname, "%06u.age", t->seq);
    rg_err err = rg_age_enc_finish(t->enc);
    g.plain_bytes = rg_age_enc_plain_bytes(t->enc);
    rg_age_enc_free(t->enc);
    t->enc = NULL;
    if (!err && (fsync(t->fd) != 0 || close(t->fd) != 0)) {
        t->sys_errno = errno;
        err = RG_ERR_IO;
    } else if (err) {
        close(t->fd);
    }
    t->fd = -1;
    if (!err && (renameat(t->dfd, pname, t->dfd, fname) != 0 ||
                 fsync(t->dfd) != 0)) {
        t->sys_errno = errno;
        err = RG_ERR_IO;
    }
    if (!err && EVP_DigestFinal_ex(t->sha, md, &mdlen) != 1)
        err = RG_ERR_CRYPTO;
    if (err) {
        rg_errbuf(t->v->errmsg, "%s: cannot seal segment: %s", part,
                  t->sys_errno ? strerror(t->sys_errno) : rg_strerror(err));
        if (faccessat(t->dfd, fname, F_OK, AT_SYMLINK_NOFOLLOW) != 0)
            discard_part(t);
        return err;
    }
    if (t->nsegs == t->capsegs) {
        size_t cap = t->capsegs ? t->capsegs * 2 : 16;
        rg_vault_segment *ns = realloc(t->segs, cap * sizeof *ns);
        if (!ns)
            return RG_ERR_NOMEM;
        t->segs = ns;
        t->capsegs = cap;
    }
    g.seq = t->seq;
    snprintf(g.file, sizeof g.file, "%06u.age", t->seq);
    g.from_ms = t->seg_from_ms;
    g.to_ms = to_ms;
    g.bytes = t->seg_bytes;
    for (unsigned i = 0; i < mdlen && i < 32; i++)
        snprintf(g.sha256 + 2 * i, 3, "%02x", md[i]);
    t->segs[t->nsegs++] = g;
    t->seq++;
    return RG_OK;
}

/* The last sealed segment is durable and in the index: tell the hook
 * (e.g. the uploader queues it). Called with the vault mutex held. */
static void fire_sealed(rg_vault_track *t)
{
    if (t->v->sealed && t->nsegs)
        t->v->sealed(t->v->sealed_ctx, t->id, &t->segs[t->nsegs - 1]);
}

static rg_err rotate(rg_vault_track *t, int64_t t_ms)
{
    rg_err err = seg_seal(t, t_ms);
    if (!err && (err = seg_start(t, t_ms))) /* rewrites the index */
        discard_part(t);
    if (err)
        t->failed = 1;
    else
        fire_sealed(t);
    return err;
}

void rg_vault_set_sealed_hook(rg_vault *v, rg_vault_sealed_fn fn, void *ctx)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->mu);
    v->sealed = fn;
    v->sealed_ctx = ctx;
    pthread_mutex_unlock(&v->mu);
}

/* ---- public writer API ---- */

rg_err rg_vault_open(const char *recdir, const char *const *org_recipients,
                     size_t n, int segment_s, rg_vault **out, char *errbuf)
{
    char path[PATH_MAX + 32];
    struct stat st;
    rg_err err = RG_ERR_NOMEM;
    cJSON *root = NULL, *arr;
    char *text = NULL;
    if (!recdir || !org_recipients || n == 0 || !out) {
        rg_errbuf(errbuf, "vault: no recording directory or no "
                       "organisation recipient");
        return RG_ERR_ARG;
    }
    if (strlen(recdir) >= PATH_MAX - 100)
        return RG_ERR_ARG;
    rg_vault *v = calloc(1, sizeof *v);
    if (!v || !(v->org = calloc(n, sizeof *v->org)))
        goto fail;
    pthread_mutex_init(&v->mu, NULL);
    snprintf(v->dir, sizeof v->dir, "%s", recdir);
    v->n_org = n;
    v->segment_s = segment_s > 0 ? segment_s : RG_VAULT_DEFAULT_SEGMENT_S;
    v->now = default_now;
    for (size_t i = 0; i < n; i++) {
        char why[RG_ERRBUF_SIZE];
        /* The recording host must never hold a secret key. */
        if (org_recipients[i] &&
            !strncasecmp(org_recipients[i], "AGE-SECRET-KEY-", 15)) {
            rg_errbuf(errbuf, "vault: organisation recipient %zu is a "
                           "SECRET key; configure its public age1... "
                           "recipient instead (age-keygen -y)", i + 1);
            err = RG_ERR_REFUSED;
            goto fail;
        }
        if ((err = rg_agekey_recipient_parse(org_recipients[i], &v->org[i],
                                             why))) {
            rg_errbuf(errbuf, "vault: organisation recipient %zu: %s",
                           i + 1, why);
            goto fail;
        }
    }
    snprintf(path, sizeof path, "%s/vault.json", recdir);
    if (stat(path, &st) == 0) {
        rg_errbuf(errbuf, "%s: already a recording; refusing to mix "
                       "recordings", recdir);
        err = RG_ERR_STATE;
        goto fail;
    }
    /* Every folder is made here, new: a folder or symlink planted in
     * advance (pointing anywhere) is refused, never written through. */
    if ((err = rg_vaultio_mkdir_new(recdir, errbuf)))
        goto fail;
    snprintf(path, sizeof path, "%s/tracks", recdir);
    if ((err = rg_vaultio_mkdir_new(path, errbuf)))
        goto fail;
    snprintf(path, sizeof path, "%s/keyring", recdir);
    if ((err = rg_vaultio_mkdir_new(path, errbuf)))
        goto fail;
    err = RG_ERR_NOMEM;
    if (!(root = cJSON_CreateObject()))
        goto fail;
    cJSON_AddStringToObject(root, "format", "recgate-vault/1");
    cJSON_AddNumberToObject(root, "segment_s", v->segment_s);
    cJSON_AddNumberToObject(root, "chunk_bytes", RG_AGE_CHUNK);
    if (!(arr = cJSON_AddArrayToObject(root, "org_recipients")))
        goto fail;
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(org_recipients[i]));
    if (!(text = cJSON_Print(root)))
        goto fail;
    if ((err = rg_vaultio_write_atomic(recdir, "vault.json", text,
                                       strlen(text), errbuf)))
        goto fail;
    cJSON_Delete(root);
    free(text);
    *out = v;
    return RG_OK;
fail:
    cJSON_Delete(root);
    free(text);
    if (v) {
        free(v->org);
        free(v);
    }
    return err;
}

void rg_vault_set_clock(rg_vault *v, long long (*now_ms)(void *), void *ctx)
{
    if (!v)
        return;
    v->now = now_ms ? now_ms : default_now;
    v->now_ctx = ctx;
}

const char *rg_vault_errmsg(rg_vault *v)
{
    return v ? v->errmsg : "";
}

static void track_free(rg_vault_track *t)
{
    if (!t)
        return;
    rg_age_enc_free(t->enc);
    if (t->fd >= 0)
        close(t->fd);
    if (t->dfd >= 0)
        close(t->dfd);
    EVP_MD_CTX_free(t->sha);
    free(t->segs);
    free(t);
}

rg_err rg_vault_track_open(rg_vault *v, const char *track_id, int64_t t_ms,
                           rg_vault_track **out)
{
    if (!v || !out)
        return RG_ERR_ARG;
    if (!rg_vaultio_valid_id(track_id)) {
        rg_errbuf(v->errmsg, "vault: invalid track id (want "
                       "[A-Za-z0-9_-]{1,64})");
        return RG_ERR_ARG;
    }
    pthread_mutex_lock(&v->mu);
    rg_err err = RG_ERR_NOMEM;
    rg_vault_track *t = calloc(1, sizeof *t);
    if (!t || !(t->sha = EVP_MD_CTX_new()))
        goto fail;
    t->v = v;
    t->fd = t->dfd = -1;
    snprintf(t->id, sizeof t->id, "%s", track_id);
    snprintf(t->dir, sizeof t->dir, "%s/tracks/%s", v->dir, track_id);
    if (mkdir(t->dir, 0700) != 0) {
        rg_errbuf(v->errmsg, "%s: %s", t->dir,
                       errno == EEXIST ? "track already exists"
                                       : strerror(errno));
        err = errno == EEXIST ? RG_ERR_STATE : RG_ERR_IO;
        goto fail;
    }
    char rel[96];
    snprintf(rel, sizeof rel, "tracks/%s", track_id);
    if ((t->dfd = rg_vaultio_dir_open(v->dir, rel)) < 0) {
        rg_errbuf(v->errmsg, "%s: cannot open: %s", t->dir, strerror(errno));
        err = RG_ERR_IO;
        goto fail;
    }
    /* The key entry is durable before any media can depend on it. */
    if ((err = rg_keyring_add(v->dir, track_id, v->org, v->n_org, &t->rcpt,
                              v->errmsg)) ||
        (err = rg_vaultio_fsync_dir(v->dir)))
        goto fail;
    t->last_ms = t_ms;
    if ((err = seg_start(t, t_ms)))
        goto fail;
    t->next = v->tracks;
    v->tracks = t;
    *out = t;
    pthread_mutex_unlock(&v->mu);
    return RG_OK;
fail:
    track_free(t);
    pthread_mutex_unlock(&v->mu);
    return err;
}

rg_err rg_vault_track_write(rg_vault_track *t, int64_t t_ms, const void *data,
                            size_t len)
{
    if (!t || (!data && len))
        return RG_ERR_ARG;
    rg_vault *v = t->v;
    rg_err err = RG_OK;
    pthread_mutex_lock(&v->mu);
    if (t->failed || t->closed || !t->enc) {
        err = RG_ERR_STATE;
        goto out;
    }
    if (t_ms < t->last_ms)
        t_ms = t->last_ms; /* media time never runs backwards in the index */
    long long wall = v->now(v->now_ctx) - t->seg_wall_ms;
    if (t->seg_has_data &&
        (t_ms - t->seg_from_ms >= (int64_t)v->segment_s * 1000 ||
         wall >= (long long)v->segment_s * 1000) &&
        (err = rotate(t, t_ms)))
        goto out;
    if ((err = rg_age_enc_write(t->enc, data, len))) {
        t->failed = 1;
        rg_errbuf(v->errmsg, "%s/%06u.age.part: segment write failed: %s",
                  t->dir, t->seq, t->sys_errno ? strerror(t->sys_errno)
                                               : rg_strerror(err));
        discard_part(t);
        goto out;
    }
    t->seg_has_data |= len > 0;
    t->last_ms = t_ms;
out:
    pthread_mutex_unlock(&v->mu);
    return err;
}

rg_err rg_vault_tick(rg_vault *v)
{
    if (!v)
        return RG_ERR_ARG;
    rg_err first = RG_OK;
    pthread_mutex_lock(&v->mu);
    long long now = v->now(v->now_ctx);
    for (rg_vault_track *t = v->tracks; t; t = t->next) {
        if (t->failed || t->closed || !t->enc || !t->seg_has_data ||
            now - t->seg_wall_ms < (long long)v->segment_s * 1000)
            continue;
        rg_err err = rotate(t, t->last_ms);
        if (err && !first)
            first = err;
    }
    pthread_mutex_unlock(&v->mu);
    return first;
}

rg_err rg_vault_track_close(rg_vault_track *t, int64_t t_ms)
{
    if (!t)
        return RG_ERR_ARG;
    rg_vault *v = t->v;
    rg_err err = RG_OK;
    pthread_mutex_lock(&v->mu);
    if (t->closed)
        goto out;
    if (t->failed || !t->enc) {
        err = RG_ERR_STATE;
        goto out;
    }
    if (t_ms < t->last_ms)
        t_ms = t->last_ms;
    t->last_ms = t_ms;
    if ((err = seg_seal(t, t_ms))) {
        t->failed = 1;
        goto out;
    }
    t->closed = 1;
    if ((err = write_index(t)))
        t->failed = 1;
    else
        fire_sealed(t);
out:
    pthread_mutex_unlock(&v->mu);
    return err;
}

rg_err rg_vault_put_file(rg_vault *v, const char *name, const void *data,
                         size_t len)
{
    char fname[80];
    unsigned char *ct = NULL;
    size_t ctlen = 0;
    if (!v || (!data && len))
        return RG_ERR_ARG;
    if (!rg_vaultio_valid_name(name)) {
        rg_errbuf(v->errmsg, "vault: invalid file name");
        return RG_ERR_ARG;
    }
    snprintf(fname, sizeof fname, "%s.age", name);
    pthread_mutex_lock(&v->mu);
    rg_err err = rg_age_encrypt_buf(v->org, v->n_org, data, len, &ct, &ctlen);
    if (!err)
        err = rg_vaultio_write_atomic(v->dir, fname, ct, ctlen, v->errmsg);
    pthread_mutex_unlock(&v->mu);
    free(ct);
    return err;
}

rg_err rg_vault_close(rg_vault *v)
{
    if (!v)
        return RG_OK;
    rg_err first = RG_OK;
    while (v->tracks) {
        rg_vault_track *t = v->tracks;
        if (!t->closed && !t->failed) {
            rg_err err = rg_vault_track_close(t, t->last_ms);
            if (err && !first)
                first = err;
        }
        v->tracks = t->next;
        track_free(t);
    }
    pthread_mutex_destroy(&v->mu);
    free(v->org);
    free(v);
    return first;
}
