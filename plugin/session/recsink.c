/* Recording sink: capture spans -> GStreamer encoder -> vault, plus the
 * recording's audit log, manifest and recording.json. See recording.h and
 * docs/recording-layout.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "capture.h"
#include "recgate/recgate.h"
#include "recdir.h"
#include "recsink.h"
#include "session_priv.h"
#include "session_state.h"
#include "uploader.h"
#include "vault.h"
#include "fileio.h"

typedef struct rec_track {
    char id[16];               /* "t1", "t2", ... */
    struct rg_recording *rec;  /* [borrowed] the owner */
    char *participant;         /* [owned] platform id (goes to the manifest only) */
    rg_capture_track *capture; /* created at the first frame */
    rg_vault_track *vault;     /* [borrowed] from the vault */
    rg_media_kind kind;
    int64_t start_ms, end_ms;
    uint64_t frames_lost;      /* never arrived (the platform's count) */
    uint64_t frames_concealed; /* 20 ms frames of silence filled into holes */
    bool open;
    bool destroyed;            /* shredded by on_withdrawal */
} rec_track;

struct rg_recording {
    char *dir;                 /* [owned] RECDIR */
    char id[64];
    const rg_policy *policy;
    const rg_meeting_type *type;
    rg_vault *vault;
    rg_audit *audit;
    rg_uploader *up;           /* NULL without upload.destinations */
    size_t upload_pending;     /* left for `recgate upload` at finish */
    time_t created;
    rec_track **tracks;        /* [owned] each; handed out by pointer */
    size_t n_tracks, cap_tracks;
    uint64_t frames;
    bool complete;
    bool deleted;
    char decision[16];
    char errmsg[RG_ERRBUF_SIZE];
    rg_err seal_err;           /* a seal line could not be logged */
    bool vault_failed;         /* errmsg holds the vault's own message */
    bool meta_failed;          /* recording.json could not be rewritten */
};

static void iso8601(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* recording.json: everything an operator or the retention job needs, and
 * nothing personal. Rewritten atomically whenever the track list changes so
 * a crash leaves it consistent with what the vault sealed. */
static rg_err write_metadata(rg_recording *r)
{
    char created[32], expires[32];
    iso8601(r->created, created);
    iso8601(r->created + (time_t)r->type->retention_days * 86400, expires);
    char hex[65];
    for (size_t i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", r->policy->sha256[i]);
    cJSON *o = cJSON_CreateObject();
    cJSON *tracks = cJSON_CreateArray();
    if (!o || !tracks) {
        cJSON_Delete(o);
        cJSON_Delete(tracks);
        return RG_ERR_NOMEM;
    }
    cJSON_AddStringToObject(o, "format", "recgate-recording-1");
    cJSON_AddStringToObject(o, "id", r->id);
    cJSON_AddStringToObject(o, "meeting_type", r->type->name);
    cJSON_AddStringToObject(o, "legal_basis", rg_basis_name(r->type->basis));
    cJSON_AddStringToObject(o, "created", created);
    cJSON_AddNumberToObject(o, "retention_days", r->type->retention_days);
    cJSON_AddStringToObject(o, "expires_at", expires);
    cJSON_AddStringToObject(o, "policy_sha256", hex);
    cJSON_AddBoolToObject(o, "complete", r->complete);
    cJSON_AddStringToObject(o, "decision", r->decision[0] ? r->decision : "recording");
    cJSON_AddStringToObject(o, "manifest", "manifest.json.age");
    cJSON_AddStringToObject(o, "audit_log", "audit.log");
    for (size_t i = 0; i < r->n_tracks; i++) {
        const rec_track *t = r->tracks[i];
        cJSON *j = cJSON_CreateObject();
        if (!j)
            break;
        cJSON_AddItemToArray(tracks, j);
        cJSON_AddStringToObject(j, "id", t->id);
        cJSON_AddStringToObject(j, "kind", t->kind == RG_MEDIA_VP8 ? "video" : "audio");
        cJSON_AddStringToObject(j, "container", t->kind == RG_MEDIA_VP8 ? "webm" : "ogg");
        cJSON_AddNumberToObject(j, "offset_ms", (double)t->start_ms);
        cJSON_AddNumberToObject(j, "end_ms", (double)t->end_ms);
        cJSON_AddBoolToObject(j, "closed", !t->open);
        cJSON_AddBoolToObject(j, "destroyed", t->destroyed);
        if (t->kind != RG_MEDIA_VP8) {
            cJSON_AddNumberToObject(j, "frames_lost", (double)t->frames_lost);
            cJSON_AddNumberToObject(j, "frames_concealed", (double)t->frames_concealed);
        }
        rg_vault_track_info info;
        memset(&info, 0, sizeof info);
        cJSON *segs = cJSON_AddArrayToObject(j, "segments");
        if (segs && !t->destroyed &&
            rg_vault_read_track(r->dir, t->id, &info, NULL) == RG_OK) {
            for (size_t k = 0; k < info.nsegs; k++) {
                cJSON *sg = cJSON_CreateObject();
                if (!sg)
                    break;
                cJSON_AddStringToObject(sg, "file", info.segs[k].file);
                cJSON_AddNumberToObject(sg, "from_ms", (double)info.segs[k].from_ms);
                cJSON_AddNumberToObject(sg, "to_ms", (double)info.segs[k].to_ms);
                cJSON_AddNumberToObject(sg, "bytes", (double)info.segs[k].bytes);
                cJSON_AddStringToObject(sg, "sha256", info.segs[k].sha256);
                cJSON_AddItemToArray(segs, sg);
            }
            rg_vault_track_info_free(&info);
        }
    }
    cJSON_AddItemToObject(o, "tracks", tracks);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    if (!text)
        return RG_ERR_NOMEM;
    char why[RG_ERRBUF_SIZE] = "";
    rg_err err = rg_vaultio_write_atomic(r->dir, "recording.json", text,
                                         strlen(text), why);
    free(text);
    r->meta_failed = err != RG_OK;
    if (err && !r->errmsg[0])
        snprintf(r->errmsg, sizeof r->errmsg, "%s", why);
    return err;
}

/* Each sealed segment is bound into the audit log (track, seq, SHA-256)
 * before anyone else hears of it: an index entry without its seal line is
 * not trusted by any reader. Sealing happens on the meeting thread (the
 * capture drains into the vault synchronously), the log's one writer. */
static void sealed(void *ctx, const char *track_id, const rg_vault_segment *seg)
{
    rg_recording *r = ctx;
    rg_err err = rg_vault_seal_audit(r->audit, track_id, seg);
    if (err && !r->seal_err) {
        r->seal_err = err;
        snprintf(r->errmsg, sizeof r->errmsg, "%s/audit.log: cannot log the "
                 "seal of segment %s of track %s: %s", r->dir, seg->file,
                 track_id, rg_strerror(err));
    }
    if (r->up)
        rg_uploader_sealed_hook(r->up, track_id, seg);
}

rg_err rg_recording_create(const rg_recording_params *p, rg_recording **out,
                           char *errbuf)
{
    if (!p || !out || !p->out_dir || !p->policy || !p->type || !p->audit_key)
        return RG_ERR_ARG;
    if (p->n_recipients == 0) {
        rg_errbuf(errbuf, "no vault recipients: set vault.recipients in "
                               "the policy (or pass --recipient age1...)");
        return RG_ERR_CONFIG;
    }
    rg_err err = RG_ERR_NOMEM;
    rg_recording *r = calloc(1, sizeof *r);
    if (!r)
        return RG_ERR_NOMEM;
    r->policy = p->policy;
    r->type = p->type;
    r->created = time(NULL);
    unsigned char rnd[3];
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        err = RG_ERR_CRYPTO;
        goto cleanup;
    }
    struct tm tm;
    gmtime_r(&r->created, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(r->id, sizeof r->id, "rec-%s-%02x%02x%02x", stamp, rnd[0], rnd[1], rnd[2]);
    if ((err = rg_vaultio_mkdir(p->out_dir, errbuf)))
        goto cleanup;
    size_t n = strlen(p->out_dir) + strlen(r->id) + 2;
    if (!(r->dir = malloc(n))) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    snprintf(r->dir, n, "%s/%s", p->out_dir, r->id);
    err = rg_vault_open(r->dir, p->recipients, p->n_recipients, p->policy->segment_s,
                        &r->vault, errbuf);
    if (err)
        goto cleanup;
    char path[4096];
    snprintf(path, sizeof path, "%s/audit.log", r->dir);
    if ((err = rg_audit_open(path, p->audit_key, &r->audit, errbuf)))
        goto cleanup;
    if ((err = write_metadata(r))) {
        rg_errbuf(errbuf, "%s", r->errmsg);
        goto cleanup;
    }
    /* Uploads: the journal is opened (and the transfer guard re-checked)
     * before anything is captured; a failure here records nothing. */
    if (p->policy->n_upload_dests &&
        ((err = rg_uploader_new(p->policy, r->dir, &r->up, errbuf)) ||
         (err = rg_uploader_start(r->up))))
        goto cleanup;
    rg_vault_set_sealed_hook(r->vault, sealed, r);
    *out = r;
    return RG_OK;
cleanup:
    rg_recording_free(r);
    return err;
}

/* Upload outcomes reach the audit log on the meeting thread (the log has
 * one writer); the worker only collects them. */
static void audit_upload(void *ctx, const rg_upload_event *e)
{
    rg_recording *r = ctx;
    (void)rg_uploader_audit(r->audit, r->id, e);
}

static void drain_uploads(rg_recording *r)
{
    if (r->up)
        rg_uploader_drain(r->up, audit_upload, r);
}

static rec_track *track_of(void *track) { return track; }

static rg_err rec_track_start(void *ctx, const char *participant, int64_t t_ms,
                              void **track)
{
    rg_recording *r = ctx;
    if (r->n_tracks == r->cap_tracks) {
        size_t cap = r->cap_tracks ? r->cap_tracks * 2 : 8;
        rec_track **nt = realloc(r->tracks, cap * sizeof *nt);
        if (!nt)
            return RG_ERR_NOMEM;
        r->tracks = nt;
        r->cap_tracks = cap;
    }
    rec_track *t = calloc(1, sizeof *t);
    if (!t)
        return RG_ERR_NOMEM;
    snprintf(t->id, sizeof t->id, "t%zu", r->n_tracks + 1);
    if (!(t->participant = strdup(participant))) {
        free(t);
        return RG_ERR_NOMEM;
    }
    t->start_ms = t->end_ms = t_ms;
    t->rec = r;
    rg_err err = rg_vault_track_open(r->vault, t->id, t_ms, &t->vault);
    if (err) {
        snprintf(r->errmsg, sizeof r->errmsg, "%s", rg_vault_errmsg(r->vault));
        free(t->participant);
        free(t);
        return err;
    }
    t->open = true;
    r->tracks[r->n_tracks++] = t;
    *track = t;
    return write_metadata(r);
}

static rg_err to_vault(void *ctx, int64_t t_ms, const uint8_t *data, size_t len)
{
    rec_track *t = ctx;
    rg_err err = rg_vault_track_write(t->vault, t_ms, data, len);
    if (err && !t->rec->vault_failed) {
        /* The vault's message names the file and the cause (a full disk
         * says so); the capture layer would only see an error code. */
        t->rec->vault_failed = true;
        snprintf(t->rec->errmsg, sizeof t->rec->errmsg, "%s",
                 rg_vault_errmsg(t->rec->vault));
    }
    return err;
}

static rg_err rec_frame(void *ctx, void *track, int64_t t_ms,
                        const rg_media_frame *f)
{
    rg_recording *r = ctx;
    rec_track *t = track_of(track);
    if (!t->open)
        return RG_ERR_STATE;
    if (!t->capture) {
        /* The first frame says what the track is; raw video is encoded. */
        rg_capture_params cp = {.kind = f->kind, .rate = f->rate,
                                .channels = f->channels};
        if (f->kind == RG_MEDIA_I420)
            cp = (rg_capture_params){.kind = RG_MEDIA_VP8, .rate = 90000,
                                     .width = f->width, .height = f->height};
        t->kind = cp.kind;
        rg_err err = rg_capture_track_new(&cp, to_vault, t, &t->capture, r->errmsg);
        if (err)
            return err;
    }
    rg_media_frame vf;
    if (f->kind == RG_MEDIA_I420) { /* capture takes raw video as VP8 + size */
        vf = *f;
        vf.kind = RG_MEDIA_VP8;
        f = &vf;
    }
    rg_err err = rg_capture_track_push(t->capture, t_ms, f);
    if (!err && r->seal_err)
        return r->seal_err; /* fail closed: sealed media must be bound */
    if (err) {
        if (!r->vault_failed)
            snprintf(r->errmsg, sizeof r->errmsg, "%s",
                     rg_capture_track_error(t->capture));
        return err;
    }
    t->end_ms = t_ms + f->duration_ms;
    /* Seal by wall clock too, so a real-time meeting never keeps more than
     * segment_s of media in an open segment. */
    if (++r->frames % 50 == 0) {
        drain_uploads(r);
        return rg_vault_tick(r->vault);
    }
    return RG_OK;
}

static rg_err rec_track_stop(void *ctx, void *track, int64_t t_ms)
{
    rg_recording *r = ctx;
    rec_track *t = track_of(track);
    if (!t->open)
        return RG_OK;
    rg_err err = RG_OK;
    if (t->capture) {
        err = rg_capture_track_finish(t->capture, t->end_ms);
        if (err && !r->vault_failed)
            snprintf(r->errmsg, sizeof r->errmsg, "%s",
                     rg_capture_track_error(t->capture));
        t->frames_concealed = (uint64_t)rg_capture_track_filled_ms(t->capture) / 20;
        rg_capture_track_free(t->capture);
        t->capture = NULL;
    }
    (void)t_ms;
    rg_err e2 = rg_vault_track_close(t->vault, t->end_ms);
    t->open = false;
    rg_err e3 = write_metadata(r);
    return err ? err : e2 ? e2 : e3;
}


/* Destroy one track: stop it, crypto-shred its key, delete its segments. */
static rg_err destroy_track(rg_recording *r, rec_track *t, int *files)
{
    if (t->destroyed)
        return RG_OK;
    if (t->open) {
        /* Discard what is buffered: it must not be sealed any more. */
        rg_capture_track_free(t->capture);
        t->capture = NULL;
        (void)rg_vault_track_close(t->vault, t->end_ms);
        t->open = false;
    }
    rg_err err = rg_vault_shred_track(r->dir, t->id, r->errmsg);
    *files += rg_recdir_remove_segments(r->dir, t->id);
    /* Remote copies are unreadable now; delete them too (best effort). */
    if (r->up)
        (void)rg_uploader_want_delete(r->up, t->id);
    t->destroyed = true;
    return err;
}

static rg_err purge_logged(rg_recording *r, const char *participant_or_null)
{
    int files = 0;
    rg_err err = RG_OK;
    for (size_t i = 0; i < r->n_tracks; i++) {
        rec_track *t = r->tracks[i];
        if (participant_or_null && strcmp(t->participant, participant_or_null))
            continue;
        rg_err e = destroy_track(r, t, &files);
        if (e && !err)
            err = e;
    }
    cJSON *f = cJSON_CreateObject();
    if (f) {
        cJSON_AddStringToObject(f, "recording", r->id);
        cJSON_AddStringToObject(f, "reason", "objection");
        cJSON_AddNumberToObject(f, "files", files);
        cJSON_AddBoolToObject(f, "key_destroyed", err == RG_OK);
        cJSON_AddStringToObject(f, "by", "system");
    }
    rg_err e2 = f ? rg_audit_append(r->audit, RG_AUDIT_EV_PURGE, f, -1, true)
                  : RG_ERR_NOMEM;
    cJSON_Delete(f);
    rg_err e3 = write_metadata(r);
    return err ? err : e2 ? e2 : e3;
}

static rg_err rec_remove_participant(void *ctx, const char *participant)
{
    return purge_logged(ctx, participant);
}

static rg_err rec_delete_recording(void *ctx)
{
    rg_recording *r = ctx;
    r->deleted = true;
    return purge_logged(r, NULL);
}

/* The manifest is the session's, plus which track is whose. */
static rg_err put_manifest(rg_recording *r, const char *manifest_json)
{
    cJSON *m = cJSON_Parse(manifest_json);
    if (!m)
        return RG_ERR_INTERNAL;
    cJSON_AddStringToObject(m, "recording", r->id);
    cJSON *tracks = cJSON_AddArrayToObject(m, "tracks");
    for (size_t i = 0; tracks && i < r->n_tracks; i++) {
        cJSON *t = cJSON_CreateObject();
        if (!t)
            break;
        cJSON_AddStringToObject(t, "track", r->tracks[i]->id);
        cJSON_AddStringToObject(t, "participant", r->tracks[i]->participant);
        cJSON_AddNumberToObject(t, "offset_ms", (double)r->tracks[i]->start_ms);
        cJSON_AddBoolToObject(t, "destroyed", r->tracks[i]->destroyed);
        if (r->tracks[i]->kind != RG_MEDIA_VP8) {
            cJSON_AddNumberToObject(t, "frames_lost", (double)r->tracks[i]->frames_lost);
            cJSON_AddNumberToObject(t, "frames_concealed",
                                    (double)r->tracks[i]->frames_concealed);
        }
        cJSON_AddItemToArray(tracks, t);
    }
    char *text = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    if (!text)
        return RG_ERR_NOMEM;
    rg_err err = rg_vault_put_file(r->vault, "manifest.json", text, strlen(text));
    OPENSSL_cleanse(text, strlen(text));
    free(text);
    return err;
}

static rg_err rec_finish(void *ctx, int64_t t_ms, const char *summary_json,
                         const char *manifest_json)
{
    rg_recording *r = ctx;
    rg_err err = RG_OK;
    for (size_t i = 0; i < r->n_tracks; i++) {
        rg_err e = rec_track_stop(r, r->tracks[i], t_ms);
        if (e && !err)
            err = e;
    }
    cJSON *s = cJSON_Parse(summary_json);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(s, "decision");
    snprintf(r->decision, sizeof r->decision, "%s",
             cJSON_IsString(d) ? d->valuestring : "unknown");
    cJSON_Delete(s);
    rg_err e = put_manifest(r, manifest_json);
    if (e && !err)
        err = e;
    r->complete = err == RG_OK;
    if ((e = write_metadata(r)) && !err)
        err = e;
    /* wait_at_end_s is a hard limit for everything below, the log's own
     * upload included (a trickling server cannot hold the meeting open). */
    long long end_by = rg_vaultio_now_ms() + (long long)r->policy->upload_wait_s * 1000;
    if (r->up) {
        if (r->deleted)
            (void)rg_uploader_want_delete(r->up, NULL);
        else
            (void)rg_uploader_queue_all(r->up, true, false, NULL);
        r->upload_pending = rg_uploader_finish(r->up, end_by - rg_vaultio_now_ms());
        drain_uploads(r);
    }
    if ((e = rg_audit_checkpoint(r->audit)) && !err)
        err = e;
    /* The log's own copy last: it cannot record its own upload (the
     * journal does); `recgate upload` retries it like everything else. */
    if (r->up && !r->deleted &&
        rg_uploader_queue_all(r->up, false, true, NULL) == RG_OK) {
        long long wait = end_by - rg_vaultio_now_ms();
        if (wait > 10000)
            wait = 10000;
        r->upload_pending = rg_uploader_run(r->up, wait > 0 ? wait : 0, NULL, NULL);
    }
    return err;
}

static const char *rec_track_name(void *ctx, void *track)
{
    (void)ctx;
    return track_of(track)->id;
}

/* "recording" and "written" in the run summary: what is really on disk,
 * read back from the vault's track indexes. */
static rg_err rec_describe(void *ctx, char **json)
{
    rg_recording *r = ctx;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return RG_ERR_NOMEM;
    cJSON *rec = cJSON_AddObjectToObject(o, "recording");
    if (rec) {
        cJSON_AddStringToObject(rec, "id", r->id);
        cJSON_AddStringToObject(rec, "dir", r->dir);
        if (r->errmsg[0])
            cJSON_AddStringToObject(rec, "error", r->errmsg);
    }
    /* The summary says what the recording's own metadata says: read it
     * back, and if the last rewrite failed (e.g. disk full), report the
     * state that is really on disk instead of the one we meant to write. */
    cJSON *meta = NULL;
    if (rec && rg_recdir_load_meta(r->dir, &meta, NULL) == RG_OK) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(meta, "decision");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(meta, "complete");
        cJSON_AddBoolToObject(rec, "complete", cJSON_IsTrue(c));
        if (cJSON_IsString(d)) {
            cJSON_AddStringToObject(rec, "decision", d->valuestring);
            /* Our members replace the summary's (session_report.c). */
            if (r->meta_failed && r->decision[0] && strcmp(r->decision, d->valuestring)) {
                cJSON_AddStringToObject(o, "decision_intended", r->decision);
                cJSON_AddStringToObject(o, "decision", d->valuestring);
            }
        }
    }
    cJSON_Delete(meta);
    if (r->up) {
        rg_upload_status st;
        rg_uploader_status(r->up, &st);
        cJSON *u = cJSON_AddObjectToObject(o, "upload");
        if (u) {
            cJSON_AddNumberToObject(u, "destinations", (double)r->policy->n_upload_dests);
            cJSON_AddNumberToObject(u, "confirmed", (double)st.done);
            cJSON_AddNumberToObject(u, "pending", (double)st.pending);
            cJSON_AddNumberToObject(u, "missing", (double)st.missing);
        }
    }
    cJSON *written = cJSON_AddArrayToObject(o, "written");
    for (size_t i = 0; written && i < r->n_tracks; i++) {
        const rec_track *t = r->tracks[i];
        rg_vault_track_info info;
        memset(&info, 0, sizeof info);
        if (t->destroyed || rg_vault_read_track(r->dir, t->id, &info, NULL))
            continue;
        uint64_t bytes = 0;
        for (size_t k = 0; k < info.nsegs; k++)
            bytes += info.segs[k].bytes;
        cJSON *j = cJSON_CreateObject();
        if (j) {
            cJSON_AddStringToObject(j, "track", t->id);
            cJSON_AddStringToObject(j, "participant", t->participant);
            cJSON_AddItemToObject(j, "from", cJSON_CreateNumber((double)t->start_ms / 1000.0));
            cJSON_AddItemToObject(j, "to", cJSON_CreateNumber((double)t->end_ms / 1000.0));
            cJSON_AddNumberToObject(j, "segments", (double)info.nsegs);
            cJSON_AddNumberToObject(j, "bytes", (double)bytes);
            if (t->kind != RG_MEDIA_VP8) {
                cJSON_AddNumberToObject(j, "frames_lost", (double)t->frames_lost);
                cJSON_AddNumberToObject(j, "frames_concealed", (double)t->frames_concealed);
            }
            cJSON_AddItemToArray(written, j);
        }
        rg_vault_track_info_free(&info);
    }
    *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return *json ? RG_OK : RG_ERR_NOMEM;
}

static void rec_destroy(void *ctx) { rg_recording_free(ctx); }
static const char *rec_error(void *ctx) { return ((rg_recording *)ctx)->errmsg; }

static void rec_frames_lost(void *ctx, void *track, uint32_t frames)
{
    (void)ctx;
    track_of(track)->frames_lost += frames;
}

static const rg_sink_ops recording_ops = {
    .api_version = RG_SINK_API_VERSION,
    .struct_size = sizeof(rg_sink_ops),
    .track_start = rec_track_start,
    .frame = rec_frame,
    .track_stop = rec_track_stop,
    .remove_participant = rec_remove_participant,
    .delete_recording = rec_delete_recording,
    .finish = rec_finish,
    .track_name = rec_track_name,
    .describe = rec_describe,
    .destroy = rec_destroy,
    .error = rec_error,
    .frames_lost = rec_frames_lost,
};

const rg_sink_ops *rg_recording_sink_ops(void) { return &recording_ops; }
rg_audit *rg_recording_audit(rg_recording *r) { return r->audit; }
const char *rg_recording_dir(const rg_recording *r) { return r->dir; }
const char *rg_recording_id(const rg_recording *r) { return r->id; }

void rg_recording_free(rg_recording *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_tracks; i++) {
        /* An unfinished track is discarded, never sealed half-way. */
        rg_capture_track_free(r->tracks[i]->capture);
        free(r->tracks[i]->participant);
        free(r->tracks[i]);
    }
    free(r->tracks);
    if (r->vault) {
        rg_vault_set_sealed_hook(r->vault, NULL, NULL);
        rg_vault_close(r->vault);
    }
    rg_uploader_free(r->up);
    rg_audit_close(r->audit);
    free(r->dir);
    free(r);
}

rg_err rg_recording_attach(rg_session *s, const rg_session_params *params,
                           const char **dir, char *errbuf)
{
    const char *key_file = params->audit_key_file ? params->audit_key_file
                                                  : s->policy->audit_key_file;
    if (!key_file) {
        rg_errbuf(errbuf, "recording needs an audit key: set audit.key_file in "
                        "the policy or pass --audit-key FILE "
                        "(make one with: recgate audit keygen -o FILE)");
        return RG_ERR_CONFIG;
    }
    uint8_t key[RG_AUDIT_KEY_LEN];
    rg_err err = rg_audit_key_load(key_file, key, errbuf);
    if (err)
        return err;
    rg_recording_params rp = {
        .out_dir = params->out_dir,
        .policy = s->policy,
        .type = s->type,
        .recipients = params->recipients
                          ? params->recipients
                          : (const char *const *)s->policy->vault_recipients,
        .n_recipients = params->recipients ? params->n_recipients
                                           : s->policy->n_vault_recipients,
        .audit_key = key,
    };
    rg_recording *rec = NULL;
    err = rg_recording_create(&rp, &rec, errbuf);
    if (!err && (err = rg_session_set_sink(s, rg_recording_sink_ops(), rec)))
        rg_recording_free(rec);
    else if (!err && !(err = rg_session_set_audit(s, rg_recording_audit(rec), key)))
        *dir = rg_recording_dir(rec);
    OPENSSL_cleanse(key, sizeof key);
    return err;
}
