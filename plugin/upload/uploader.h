/* Uploader: ships one recording's sealed files to every destination of the
 * policy, with the journal (upjournal.h) as the durable hand-off between
 * the meeting thread and the transfers (docs/operations.md).
 *
 *  - rg_uploader_queue() (meeting thread, from the vault's sealed hook)
 *    only appends to the journal and wakes the worker: it never waits for
 *    the network.
 *  - The worker thread (rg_uploader_start) or rg_uploader_run (CLI) takes
 *    one due item at a time, uploads and confirms it, and journals the
 *    outcome. A failure backs the destination off exponentially
 *    (1, 2, 4 ... s, at most upload.retry_max_s).
 *  - Every attempt yields an event; the owner of the audit log drains them
 *    (rg_uploader_drain) on its own thread, so the audit log keeps a
 *    single writer and the worker never touches the session.
 *  - A sealed segment is removed locally only when every applicable
 *    destination confirmed the same bytes and one of them says
 *    delete_local_after_upload.
 *  - rg_uploader_want_delete() (purge / withdrawal) turns pending uploads
 *    of the covered files into remote deletions, retried the same way.
 *
 * Remote layout: <url>/<recording id>/<path in RECDIR>. keyring/ goes only
 * to destinations with include_keyring. */
#ifndef RG_UPLOADER_H
#define RG_UPLOADER_H

#include <stdbool.h>
#include <stdint.h>
#include "policy.h"
#include "vault.h"

typedef struct rg_uploader rg_uploader;

typedef struct rg_upload_event {
    bool is_delete;      /* remote delete (else upload) */
    bool ok;
    char dest[65];
    char region[3];
    char file[160];      /* path relative to RECDIR */
    uint64_t bytes;
    char error[RG_ERRBUF_SIZE];
} rg_upload_event;

typedef void (*rg_upload_event_fn)(void *ctx, const rg_upload_event *ev);

/* Open RECDIR's journal. Refuses (RG_ERR_CONFIG) a destination whose
 * region the policy no longer allows: the guard holds at every start. */
rg_err rg_uploader_new(const rg_policy *pol, const char *recdir,
                       rg_uploader **out, char *errbuf);
/* Stops the worker (if any) and frees. */
void rg_uploader_free(rg_uploader *up);

/* Queue RECDIR-relative file (thread-safe, quick: one journal line). */
rg_err rg_uploader_queue(rg_uploader *up, const char *file,
                         const char *sha256, uint64_t bytes);
/* The vault's sealed hook (ctx = the uploader). */
void rg_uploader_sealed_hook(void *ctx, const char *track_id,
                             const rg_vault_segment *seg);
/* Queue everything sealed in RECDIR: every indexed segment; with final
 * also manifest.json.age, recording.json (and keyring/ for destinations
 * that take it); with audit_log also audit.log. */
rg_err rg_uploader_queue_all(rg_uploader *up, bool final, bool audit_log,
                             char *errbuf);
/* Remote copies of a track (NULL: the whole recording) must be deleted. */
rg_err rg_uploader_want_delete(rg_uploader *up, const char *track);

/* Background worker. */
rg_err rg_uploader_start(rg_uploader *up);
/* Wait until nothing is pending or wait_ms passed; then stop the worker.
 * Returns the number of (file, destination) pairs still pending. */
size_t rg_uploader_finish(rg_uploader *up, long long wait_ms);
/* Hand over the events collected so far (on the caller's thread). */
void rg_uploader_drain(rg_uploader *up, rg_upload_event_fn fn, void *ctx);

/* In the calling thread: work until nothing is pending or max_ms passed,
 * sleeping through back-offs; events go to fn as they happen (fn may be
 * NULL). Returns what is still pending. */
size_t rg_uploader_run(rg_uploader *up, long long max_ms,
                       rg_upload_event_fn fn, void *ctx);

typedef struct rg_upload_status {
    size_t files;          /* files known to the journal */
    size_t pending;        /* (file, destination) uploads or deletes to do */
    size_t done;           /* confirmed (file, destination) pairs */
    size_t deleted;        /* remote copies deleted */
    size_t missing;        /* queued but gone locally before upload */
    size_t local_removed;
    size_t damaged;        /* journal lines skipped on replay (+1 if torn) */
} rg_upload_status;
void rg_uploader_status(rg_uploader *up, rg_upload_status *st);
/* What was wrong with the journal on open ("line 3 damaged (skipped)"),
 * "" if nothing. */
void rg_uploader_problems(rg_uploader *up, char *out, size_t n);

/* Write one event to an audit log: `upload` or `remote_delete` with
 * recording, destination, region, file, ok, bytes, error (docs/audit.md). */
typedef struct rg_audit rg_audit;
rg_err rg_uploader_audit(rg_audit *log, const char *recid,
                         const rg_upload_event *e);

/* After a withdrawal or a purge: delete the remote copies of the given
 * tracks (n_tracks == 0: of the whole recording) from every destination
 * and prove it (every known file DELETEd, then each scope swept: webdav
 * collection DELETE, S3 listing until empty), so copies a lost journal
 * forgot go too. replace_manifest (anonymise): also upload the rewritten
 * manifest.json.age and recording.json over the old ones. Works up to
 * max_ms, each attempt audited to `log` [borrowed] (may be NULL). RG_OK
 * only when everything is proven; otherwise the rest stays in RECDIR's
 * journal for `recgate upload --delete`. A damaged journal is reported
 * (RG_ERR_PARSE) even when the deletes succeeded. No destinations: RG_OK. */
rg_err rg_upload_delete_remote(const rg_policy *pol, const char *recdir,
                               const char *const *tracks, size_t n_tracks,
                               bool replace_manifest, rg_audit *log,
                               long long max_ms, char *errbuf);

/* Has RECDIR copies on upload destinations, as far as its journal (`done`
 * lines) or its audit log (`upload` events, ok) tell, on a destination not
 * since proven empty for the whole recording (`swept` "", or a
 * `remote_delete` of "*")? names gets them ("dk-dav, se-s3"). Creates
 * nothing. */
bool rg_upload_remote_copies(const char *recdir, char *names, size_t n);

/* [borrowed] the recording id used in remote names. */
const char *rg_uploader_recid(const rg_uploader *up);

#endif
