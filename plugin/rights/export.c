/* Export: decrypt and mix a recording's tracks into one Ogg/Opus file, or
 * one track's raw stream (see export.h, docs/export.md).
 *
 * Tracks are decrypted one sealed segment at a time, inside the mixdown's
 * read callback: at most one segment's ciphertext and plaintext per track
 * are in memory, and the plaintext is wiped as soon as it was handed on.
 * Each segment must have the size and SHA-256 its index records (age alone
 * cannot see two segments of one track swapped), and every age chunk tag
 * is checked before its bytes reach the mixer. Any failure aborts the
 * mixdown, which then deletes its temp file: no partial output. */
#include "errfmt.h"
#include "export.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "agefile.h"
#include "recdir.h"
#include "vault.h"
#include "fileio.h"

#define META_MAX (16u << 20)     /* recording.json, manifest */
#define SEGMENT_MAX (256u << 20) /* one sealed segment file */
#define TRACKS_MAX RG_MIXDOWN_MAX_INPUTS

typedef struct ex_track {
    char id[65];
    int audio;
    int destroyed;
    int64_t offset_ms;
} ex_track;

/* One selected track being decrypted into the mixer. */
typedef struct reader {
    struct exporter *ex;
    const char *id;                 /* [borrowed] */
    rg_vault_track_info info;
    rg_age_identity *keys;
    size_t nkeys;
    size_t next;                    /* next segment to decrypt */
    size_t usable;                  /* segments that passed the check */
    unsigned char *plain;           /* current segment's plaintext */
    size_t plen, pos;
    int64_t offset_ms, end_ms;
} reader;

typedef struct exporter {
    const rg_export_params *p;
    rg_export_result res;
    char recording[64];
    ex_track *tracks;               /* from recording.json */
    size_t ntracks;
    char **want;                    /* --participant: its track ids */
    size_t nwant;
    char pseudonym[RG_PSEUDONYM_LEN];
    reader *rd;
    size_t nrd;
    rg_audit *audit;
    rg_vault_seals *seals;          /* the audit log's seal lines */
    char err[RG_ERRBUF_SIZE];       /* first reader error (mixdown would
                                       replace it with a generic line) */
} exporter;


static void note(const exporter *ex, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(const exporter *ex, const char *fmt, ...)
{
    char line[RG_ERRBUF_SIZE];
    va_list ap;
    if (!ex->p->note)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    ex->p->note(ex->p->note_ctx, line);
}

static int get_ms(const cJSON *o, const char *key, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
        v->valuedouble > 7 * 86400e3)
        return -1;
    *out = (int64_t)v->valuedouble;
    return 0;
}

/* RECDIR/recording.json: the recording's id and its tracks. Required in
 * mix mode (offsets live there); optional in track mode. */
static rg_err load_recording(exporter *ex, int required, char *errbuf)
{
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    const char *bad = NULL;
    snprintf(path, sizeof path, "%s/recording.json", ex->p->recdir);
    rg_err rc = rg_vaultio_read_in(ex->p->recdir, "recording.json", META_MAX,
                                   &text, &len, errbuf);
    if (rc == RG_ERR_NOT_FOUND && !required) {
        /* A bare vault: name it after its folder. */
        const char *base = strrchr(ex->p->recdir, '/');
        snprintf(ex->recording, sizeof ex->recording, "%s",
                 base && base[1] ? base + 1 : ex->p->recdir);
        return RG_OK;
    }
    if (rc)
        return rc == RG_ERR_NOT_FOUND
            ? rg_errorf(errbuf, rc, "%s: no such file (not a recgate recording "
                   "folder?)", path) : rc;
    cJSON *root = cJSON_ParseWithLength(text, len);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
    const cJSON *tracks = cJSON_GetObjectItemCaseSensitive(root, "tracks");
    if (!cJSON_IsObject(root))
        bad = "not a JSON object";
    else if (!cJSON_IsString(id) || !rg_vaultio_valid_id(id->valuestring))
        bad = "id: missing or invalid";
    else if (!cJSON_IsArray(tracks))
        bad = "tracks: missing or not an array";
    else if (cJSON_GetArraySize(tracks) > TRACKS_MAX)
        bad = "tracks: more than 256";
    if (!bad) {
        snprintf(ex->recording, sizeof ex->recording, "%s", id->valuestring);
        size_t n = (size_t)cJSON_GetArraySize(tracks);
        if (n && !(ex->tracks = calloc(n, sizeof *ex->tracks)))
            rc = RG_ERR_NOMEM;
        const cJSON *t;
        cJSON_ArrayForEach(t, tracks) {
            if (rc)
                break;
            ex_track *o = &ex->tracks[ex->ntracks];
            const cJSON *tid = cJSON_GetObjectItemCaseSensitive(t, "id");
            const cJSON *kind = cJSON_GetObjectItemCaseSensitive(t, "kind");
            if (!cJSON_IsString(tid) || !rg_vaultio_valid_id(tid->valuestring) ||
                !cJSON_IsString(kind) || get_ms(t, "offset_ms", &o->offset_ms)) {
                bad = "tracks[]: entry with a missing or invalid id, kind or "
                      "offset_ms";
                break;
            }
            snprintf(o->id, sizeof o->id, "%s", tid->valuestring);
            o->audio = !strcmp(kind->valuestring, "audio");
            o->destroyed = cJSON_IsTrue(
                cJSON_GetObjectItemCaseSensitive(t, "destroyed"));
            ex->ntracks++;
        }
    }
    if (bad)
        rc = rg_errorf(errbuf, RG_ERR_PARSE, "%s: %s", path, bad);
    cJSON_Delete(root);
    free(text);
    return rc;
}

static rg_err log_event(exporter *ex, const char *event, const char *what,
                        char *errbuf)
{
    const rg_export_params *p = ex->p;
    cJSON *f = cJSON_CreateObject();
    cJSON *ids = cJSON_CreateArray();
    if (!f || !ids) {
        cJSON_Delete(f);
        cJSON_Delete(ids);
        return RG_ERR_NOMEM;
    }
    cJSON_AddStringToObject(f, "recording", ex->recording);
    cJSON_AddStringToObject(f, "by", p->by && *p->by ? p->by : "unknown");
    if (!strcmp(event, RG_AUDIT_EV_EXPORT)) {
        const char *base = strrchr(p->out, '/');
        cJSON_AddStringToObject(f, "to", !strcmp(p->out, "-") ? "stdout"
                                         : base ? base + 1 : p->out);
        cJSON_AddStringToObject(f, "format", p->track ? "track" : "ogg/opus");
        if (ex->res.cut_short)
            cJSON_AddBoolToObject(f, "partial", 1);
    } else {
        cJSON_AddStringToObject(f, "what", what);
        cJSON_AddStringToObject(f, "purpose", "export");
    }
    if (ex->pseudonym[0])
        cJSON_AddStringToObject(f, "participant", ex->pseudonym);
    if (strcmp(what, "manifest")) {
        for (size_t i = 0; i < ex->nrd; i++)
            cJSON_AddItemToArray(ids, cJSON_CreateString(ex->rd[i].id));
        cJSON_AddItemToObject(f, "tracks", ids);
    } else {
        cJSON_Delete(ids);
    }
    rg_err rc = rg_audit_append(ex->audit, event, f, -1, true);
    cJSON_Delete(f);
    return rc ? rg_errorf(errbuf, rc, "%s/audit.log: cannot append the %s event "
                     "(%s); nothing exported", p->recdir, event,
                     rg_strerror(rc)) : RG_OK;
}

/* --participant without a manifest (the session was cut short by a
 * crash): the audit log's capture_start lines name each track's
 * participant by pseudonym. */
static rg_err from_audit(exporter *ex, char *errbuf)
{
    const rg_export_params *p = ex->p;
    rg_err rc = RG_OK;
    if (!strncmp(p->participant, "p-", 2) &&
        strlen(p->participant) < sizeof ex->pseudonym)
        snprintf(ex->pseudonym, sizeof ex->pseudonym, "%s", p->participant);
    else if ((rc = rg_audit_pseudonym(p->audit_key, p->participant,
                                      ex->pseudonym)))
        return rc;
    if ((rc = rg_recdir_audit_tracks(p->recdir, ex->pseudonym, &ex->want,
                                     &ex->nwant)))
        return rc;
    if (!ex->nwant)
        return rg_errorf(errbuf, RG_ERR_NOT_FOUND, "no participant '%s' in this "
                         "recording (it has no manifest, and its audit log "
                         "records no capture of them)", p->participant);
    note(ex, "warning: %s/manifest.json.age is missing (cut short by a "
         "crash): the participant's tracks come from the audit log",
         p->recdir);
    return RG_OK;
}

/* --participant: decrypt the manifest in memory, find the person by
 * platform id or pseudonym, and collect their track ids. */
static rg_err find_participant(exporter *ex, char *errbuf)
{
    const rg_export_params *p = ex->p;
    char path[PATH_MAX], *ct = NULL;
    unsigned char *plain = NULL;
    size_t ctlen = 0, plen = 0;
    cJSON *root = NULL;
    snprintf(path, sizeof path, "%s/manifest.json.age", p->recdir);
    rg_err rc = rg_vaultio_read_in(p->recdir, "manifest.json.age", META_MAX,
                                   &ct, &ctlen, errbuf);
    if (rc == RG_ERR_NOT_FOUND)
        return from_audit(ex, errbuf); /* nothing to decrypt, nothing logged */
    if (rc || (rc = log_event(ex, RG_AUDIT_EV_DECRYPT, "manifest", errbuf))) {
        free(ct);
        return rc;
    }
    char why[RG_ERRBUF_SIZE] = "";
    if ((rc = rg_age_decrypt_buf(p->ids, p->n_ids, ct, ctlen, &plain, &plen,
                                 why))) {
        free(ct);
        return rg_errorf(errbuf, rc, "%s: %s", path, why[0] ? why : rg_strerror(rc));
    }
    free(ct);
    root = cJSON_ParseWithLength((const char *)plain, plen);
    const cJSON *people = cJSON_GetObjectItemCaseSensitive(root, "participants");
    const cJSON *tracks = cJSON_GetObjectItemCaseSensitive(root, "tracks");
    const cJSON *who = NULL, *q;
    if (!cJSON_IsArray(people) || !cJSON_IsArray(tracks)) {
        rc = rg_errorf(errbuf, RG_ERR_PARSE, "%s: malformed manifest (no "
                  "participants or tracks)", path);
        goto cleanup;
    }
    cJSON_ArrayForEach(q, people) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(q, "id");
        const cJSON *ps = cJSON_GetObjectItemCaseSensitive(q, "pseudonym");
        if ((cJSON_IsString(id) && !strcmp(id->valuestring, p->participant)) ||
            (cJSON_IsString(ps) && !strcmp(ps->valuestring, p->participant))) {
            who = q;
            break;
        }
    }
    if (!who) {
        rc = rg_errorf(errbuf, RG_ERR_NOT_FOUND, "no participant '%s' in this "
                  "recording", p->participant);
        goto cleanup;
    }
    const cJSON *wid = cJSON_GetObjectItemCaseSensitive(who, "id");
    if (!cJSON_IsString(wid)) {
        rc = rg_errorf(errbuf, RG_ERR_PARSE, "%s: malformed manifest (participant "
                  "without an id)", path);
        goto cleanup;
    }
    const char *pid = wid->valuestring;
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(who, "pseudonym");
    if (cJSON_IsString(ps))
        snprintf(ex->pseudonym, sizeof ex->pseudonym, "%s", ps->valuestring);
    size_t n = (size_t)cJSON_GetArraySize(tracks);
    if (n && !(ex->want = calloc(n, sizeof *ex->want))) {
        rc = RG_ERR_NOMEM;
        goto cleanup;
    }
    cJSON_ArrayForEach(q, tracks) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(q, "track");
        const cJSON *who2 = cJSON_GetObjectItemCaseSensitive(q, "participant");
        if (cJSON_IsString(t) && cJSON_IsString(who2) &&
            !strcmp(who2->valuestring, pid) &&
            !(ex->want[ex->nwant++] = strdup(t->valuestring))) {
            rc = RG_ERR_NOMEM;
            goto cleanup;
        }
    }
cleanup:
    cJSON_Delete(root); /* cJSON copies strings; the copies hold names too */
    OPENSSL_cleanse(plain, plen);
    free(plain);
    return rc;
}

static int wanted(const exporter *ex, const char *id)
{
    if (!ex->p->participant)
        return 1;
    for (size_t i = 0; i < ex->nwant; i++)
        if (!strcmp(ex->want[i], id))
            return 1;
    return 0;
}

/* Pick the tracks to export and check each can be exported whole (or,
 * with partial, say what is missing). Nothing is decrypted here. */
static rg_err select_tracks(exporter *ex, char *errbuf)
{
    const rg_export_params *p = ex->p;
    size_t cap = p->track ? 1 : ex->ntracks;
    if (cap && !(ex->rd = calloc(cap, sizeof *ex->rd)))
        return RG_ERR_NOMEM;
    for (size_t i = 0; i < cap; i++) {
        const char *id = p->track ? p->track : ex->tracks[i].id;
        if (!p->track) {
            const ex_track *t = &ex->tracks[i];
            if (!wanted(ex, id))
                continue;
            if (t->destroyed) {
                note(ex, "skipping track %s: it was destroyed", id);
                continue;
            }
            if (!t->audio) {
                note(ex, "skipping track %s: not audio", id);
                continue;
            }
        }
        reader *r = &ex->rd[ex->nrd];
        rg_err rc = rg_vault_read_track(p->recdir, id, &r->info, errbuf);
        if (rc)
            return rc;
        r->ex = ex;
        r->id = r->info.id;
        r->offset_ms = p->track ? 0 : ex->tracks[i].offset_ms;
        ex->nrd++;
        if (r->info.shredded) {
            if (p->track)
                return rg_errorf(errbuf, RG_ERR_NOT_FOUND, "track %s was shredded; "
                            "it cannot be decrypted", id);
            note(ex, "skipping track %s: it was shredded", id);
            rg_vault_track_info_free(&r->info);
            ex->nrd--;
            continue;
        }
        /* The one ordering/binding check every read path shares. */
        int dropped = 0;
        if ((rc = rg_vault_segments_check(p->recdir, &r->info, ex->seals,
                                          &r->usable, &dropped, errbuf)))
            return rc;
        int64_t sealed = r->usable ? r->info.segs[r->usable - 1].to_ms
                                   : r->offset_ms;
        r->end_ms = r->info.closed && !dropped ? r->info.end_ms : sealed;
        if (r->end_ms < r->offset_ms)
            r->end_ms = r->offset_ms;
        if (!r->info.closed || dropped) {
            int64_t lost = (int64_t)(r->info.segment_s > 0 ? r->info.segment_s
                                                           : 5) * 1000;
            if (!p->partial)
                return rg_errorf(errbuf, RG_ERR_TRUNCATED, "track %s was cut short "
                            "(crash): media after %.3f s was never sealed (at "
                            "most %lld s lost); --partial exports the sealed "
                            "part", id, (double)sealed / 1000.0,
                            (long long)(lost / 1000));
            ex->res.cut_short++;
            if (lost > ex->res.missing_ms)
                ex->res.missing_ms = lost;
            note(ex, "warning: track %s was cut short: exporting what was "
                 "sealed, up to %.3f s; at most %lld s after that is missing",
                 id, (double)sealed / 1000.0, (long long)(lost / 1000));
        }
    }
    if (!ex->nrd) {
        if (p->participant)
            return rg_errorf(errbuf, RG_ERR_NOT_FOUND, "participant '%s' has no "
                        "track left to export in this recording",
                        p->participant);
        return rg_errorf(errbuf, RG_ERR_NOT_FOUND, "no track left to export in "
                    "this recording (none recorded, or all destroyed)");
    }
    int64_t first = INT64_MAX, last = 0;
    for (size_t i = 0; i < ex->nrd; i++) {
        if (ex->rd[i].offset_ms < first)
            first = ex->rd[i].offset_ms;
        if (ex->rd[i].end_ms > last)
            last = ex->rd[i].end_ms;
    }
    ex->res.span_ms = p->track ? 0 : last - first;
    return RG_OK;
}

static void wipe_plain(reader *r)
{
    if (r->plain) {
        OPENSSL_cleanse(r->plain, r->plen);
        free(r->plain);
    }
    r->plain = NULL;
    r->plen = r->pos = 0;
}

/* Decrypt the next sealed segment of r into r->plain (read and checked by
 * the vault reader: no symlinks, size and SHA-256 as indexed). */
static rg_err load_segment(reader *r)
{
    const rg_vault_segment *s = &r->info.segs[r->next];
    char why[RG_ERRBUF_SIZE] = "";
    char *err = r->ex->err;
    unsigned char *ct = NULL;
    size_t len = 0;
    rg_err rc = rg_vault_segment_read(r->ex->p->recdir, &r->info, r->next, &ct,
                                      &len, err);
    if (rc)
        return rc;
    rc = rg_age_decrypt_buf(r->keys, r->nkeys, ct, len, &r->plain, &r->plen,
                            why);
    free(ct);
    if (rc)
        return rg_errorf(err, rc, "%s/tracks/%s/%s: %s", r->ex->p->recdir,
                         r->id, s->file, why[0] ? why : rg_strerror(rc));
    r->next++;
    return RG_OK;
}

static rg_err read_track(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    reader *r = ctx;
    *got = 0;
    while (r->pos == r->plen) {
        wipe_plain(r);
        if (r->next == r->usable)
            return RG_OK; /* end of the sealed track */
        rg_err rc = load_segment(r);
        if (rc)
            return rc;
    }
    size_t n = r->plen - r->pos < cap ? r->plen - r->pos : cap;
    memcpy(buf, r->plain + r->pos, n);
    r->pos += n;
    *got = n;
    return RG_OK;
}

static rg_err load_keys(exporter *ex, char *errbuf)
{
    for (size_t i = 0; i < ex->nrd; i++) {
        reader *r = &ex->rd[i];
        char why[RG_ERRBUF_SIZE] = "";
        rg_err rc = rg_vault_track_keys(ex->p->recdir, &r->info, ex->p->ids,
                                        ex->p->n_ids, &r->keys, &r->nkeys, why);
        if (rc)
            return rg_errorf(errbuf, rc, "track %s: %s", r->id,
                        why[0] ? why : rg_strerror(rc));
    }
    return RG_OK;
}

static rg_err mix(exporter *ex, char *errbuf)
{
    const rg_export_params *p = ex->p;
    if (!strcmp(p->out, "-"))
        return rg_errorf(errbuf, RG_ERR_ARG, "the mixed export must go to a file, "
                    "not stdout");
    rg_mixdown_input *in = calloc(ex->nrd, sizeof *in);
    if (!in)
        return RG_ERR_NOMEM;
    int64_t first = INT64_MAX;
    for (size_t i = 0; i < ex->nrd; i++)
        if (ex->rd[i].offset_ms < first)
            first = ex->rd[i].offset_ms;
    for (size_t i = 0; i < ex->nrd; i++) {
        in[i].read = read_track;
        in[i].ctx = &ex->rd[i];
        in[i].offset_ms = ex->rd[i].offset_ms - first;
        in[i].duration_ms = ex->rd[i].end_ms - ex->rd[i].offset_ms;
    }
    rg_mixdown_params mp = {.channels = 1, .progress = p->progress,
                            .progress_ctx = p->progress_ctx};
    rg_err rc = rg_mixdown_run(in, ex->nrd, p->out, &mp, errbuf);
    if (rc && ex->err[0])
        rg_errorf(errbuf, rc, "%s", ex->err);
    free(in);
    return rc;
}

/* Track mode: the track's stream as recorded, via the vault reader. */
static rg_err one_track(exporter *ex, char *errbuf)
{
    const rg_export_params *p = ex->p;
    rg_vaultio_out o;
    int cut = 0;
    rg_err rc = rg_vaultio_out_open(&o, p->out, errbuf);
    if (rc)
        return rc;
    rc = rg_vault_track_decrypt(p->recdir, p->track, p->ids, p->n_ids,
                                ex->seals, rg_vaultio_out_sink, &o,
                                p->partial ? &cut : NULL, errbuf);
    if (rc) {
        rg_vaultio_out_abort(&o);
        return rc;
    }
    return rg_vaultio_out_commit(&o, errbuf);
}

static void exporter_free(exporter *ex)
{
    for (size_t i = 0; i < ex->nrd; i++) {
        wipe_plain(&ex->rd[i]);
        rg_agekey_free_identities(ex->rd[i].keys, ex->rd[i].nkeys);
        rg_vault_track_info_free(&ex->rd[i].info);
    }
    free(ex->rd);
    for (size_t i = 0; i < ex->nwant; i++)
        free(ex->want[i]);
    free(ex->want);
    free(ex->tracks);
    rg_vault_seals_free(ex->seals);
    if (ex->audit) {
        rg_audit_checkpoint(ex->audit);
        rg_audit_close(ex->audit);
    }
}

rg_err rg_export_run(const rg_export_params *p, rg_export_result *res,
                     char *errbuf)
{
    exporter ex;
    memset(&ex, 0, sizeof ex);
    ex.p = p;
    if (errbuf)
        errbuf[0] = '\0';
    if (res)
        memset(res, 0, sizeof *res);
    if (!p || !p->recdir || !p->out || !*p->out || !p->ids || !p->n_ids)
        return rg_errorf(errbuf, RG_ERR_ARG, "export: a recording folder, an "
                    "output and an identity are required");
    if (p->track && p->participant)
        return rg_errorf(errbuf, RG_ERR_ARG, "--track and --participant exclude "
                    "each other");
    if (p->track && !rg_vaultio_valid_id(p->track))
        return rg_errorf(errbuf, RG_ERR_ARG, "invalid track id '%s' (want "
                    "[A-Za-z0-9_-]{1,64})", p->track);
    /* Fail closed: no decryption that is not logged. */
    if (!p->audit_key)
        return rg_errorf(errbuf, RG_ERR_CONFIG, "export needs the audit key to log "
                    "the decryption (--audit-key FILE, or --config FILE with "
                    "audit.key_file); nothing decrypted");
    rg_err rc = load_recording(&ex, p->track == NULL, errbuf);
    if (rc)
        goto cleanup;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/audit.log", p->recdir);
    if ((rc = rg_audit_open(path, p->audit_key, &ex.audit, errbuf)))
        goto cleanup;
    /* Only segments the recorder logged as sealed are exported. */
    if ((rc = rg_vault_seals_load(p->recdir, p->audit_key, &ex.seals, errbuf)))
        goto cleanup;
    if (p->participant && (rc = find_participant(&ex, errbuf)))
        goto cleanup;
    if ((rc = select_tracks(&ex, errbuf)) ||
        (rc = log_event(&ex, RG_AUDIT_EV_DECRYPT, "tracks", errbuf)))
        goto cleanup;
    if (p->track)
        rc = one_track(&ex, errbuf);
    else if (!(rc = load_keys(&ex, errbuf)))
        rc = mix(&ex, errbuf);
    if (rc)
        goto cleanup;
    ex.res.tracks = ex.nrd;
    if ((rc = log_event(&ex, RG_AUDIT_EV_EXPORT, "", errbuf))) {
        /* Unlogged copies must not exist: take the output back. */
        if (strcmp(p->out, "-"))
            remove(p->out);
        goto cleanup;
    }
cleanup:
    snprintf(ex.res.recording, sizeof ex.res.recording, "%s", ex.recording);
    if (res)
        *res = ex.res;
    exporter_free(&ex);
    return rc;
}
