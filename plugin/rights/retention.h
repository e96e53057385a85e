/* Retention (GDPR Art. 5(1)(e)): destroy every recording past its
 * expires_at, unless a legal hold stops it (docs/accountability.md).
 *
 *   RECDIR/hold.json   {"format":"recgate-hold/1","reason","by","since"[,"until"]}
 *   DIR/purge.log      an audit log (same key and format as audit.log) of
 *                      every purge: the recording folder, its own audit log
 *                      included, is gone afterwards, so the proof that it
 *                      was destroyed lives here.
 *
 * Purge order per recording: keys first (every keyring entry overwritten
 * and unlinked, so copies of the segments anywhere become unreadable),
 * then the manifest, then the folder is renamed to DIR/.purge-NAME and
 * removed; a crash leaves either the folder (keys maybe gone; the next run
 * repeats) or a .purge-* folder (the next run finishes it). */
#ifndef RG_RETENTION_H
#define RG_RETENTION_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "policy.h"
#include "recgate/error.h"

#define RG_HOLD_FILE "hold.json"
#define RG_PURGE_LOG "purge.log"

/* Put RECDIR under a legal hold (replacing an existing one) and log
 * "hold". until (ISO-8601) is informational and may be NULL. The hold is
 * written only if it could be logged. */
rg_err rg_retention_hold(const char *recdir, const char *reason,
                         const char *until, const uint8_t *audit_key,
                         const char *by, char *errbuf);
/* Lift the hold and log "release". *was_held = false: there was none
 * (nothing logged, RG_OK). */
rg_err rg_retention_release(const char *recdir, const uint8_t *audit_key,
                            const char *by, bool *was_held, char *errbuf);
/* RECDIR/hold.json parsed, or *hold = NULL if none. RG_ERR_PARSE if it
 * is damaged (a damaged hold still counts as a hold for purge). */
rg_err rg_retention_read_hold(const char *recdir, cJSON **hold, char *errbuf);

/* When RECDIR must be gone. recording.json is clear and editable, so its
 * expires_at counts only as far as the audit log confirms it: with
 * audit_key, RECDIR/audit.log must verify and begin with session_start,
 * and the expiry is the earlier of expires_at and that line's ts +
 * retention_days. If that cannot be authenticated (no key, log missing,
 * a broken MAC, no session_start) the expiry falls back to recording.json's
 * created + the policy's retention_days for its meeting type (or its own
 * retention_days if the policy does not know the type; never later than
 * expires_at), and RG_ERR_AUTH is returned with the reason in problem
 * (RG_ERRBUF_SIZE, may be NULL). */
rg_err rg_retention_expiry(const char *recdir, const cJSON *meta,
                           const uint8_t *audit_key, const rg_policy *policy,
                           time_t *expires, char *problem);

typedef enum rg_purge_action {
    RG_PURGE_KEEP,     /* not expired */
    RG_PURGE_HELD,     /* expired, but under a legal hold */
    RG_PURGE_EXPIRED,  /* destroyed (or would be, with dry_run) */
    RG_PURGE_SKIP,     /* not a recording: left alone */
    RG_PURGE_FAILED    /* damaged or could not be destroyed: left alone */
} rg_purge_action;

typedef struct rg_purge_item {
    const char *name;          /* folder name under DIR */
    const char *id;            /* recording id, or NULL */
    rg_purge_action action;
    char expires[32];          /* "" if unknown */
    int files;                 /* files removed */
    const char *note;          /* hold reason, error, audit verdict ... */
} rg_purge_item;

typedef void (*rg_purge_report_fn)(void *ctx, const rg_purge_item *it);

typedef struct rg_purge_params {
    const char *dir;
    time_t now;
    bool dry_run;                  /* list only: nothing changed, no key needed */
    const uint8_t *audit_key;      /* for DIR/purge.log */
    const char *by;
    const rg_policy *policy;       /* its upload destinations get remote
                                      deletes first (may be NULL) */
    rg_purge_report_fn report;     /* one call per folder, may be NULL */
    void *ctx;
} rg_purge_params;

typedef struct rg_purge_result {
    int purged, held, kept, skipped, failed;
    int remote_pending;  /* recordings whose remote copies are not yet
                          * proven deleted (DIR/.remote-deletes/) */
    int unverified;   /* expiry not authenticated: fell back to created +
                         retention (each logged "expiry_unverified" in
                         purge.log; rg_purge then returns RG_ERR_AUTH) */
} rg_purge_result;

/* DIR/.remote-deletes/<recording folder>/upload.journal: remote deletes
 * that outlive a purged folder, retried by every purge (with --config)
 * and by `recgate upload --delete DIR/<recording folder>`. */
#define RG_PURGE_PENDING_DIR ".remote-deletes"

/* Purge DIR. RG_OK if every folder was handled (res->failed == 0) and no
 * remote delete is pending (res->remote_pending == 0, else RG_ERR_NETWORK);
 * otherwise the first error (the others were still processed, except
 * that nothing is destroyed if purge.log cannot be written). */
rg_err rg_purge(const rg_purge_params *p, rg_purge_result *res, char *errbuf);

#endif
