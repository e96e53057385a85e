/* Export: a copy of a recording leaves the vault (docs/export.md).
 *
 * Mix mode (track == NULL): every audio track that was not destroyed (or
 * only those of one participant) is decrypted segment by segment straight
 * into the mixdown's read callbacks and mixed, aligned by the tracks'
 * start offsets, into ONE standard Ogg/Opus file. The output timeline
 * starts at the first selected track's start; its length is the span to
 * the last selected track's end.
 * Track mode (track != NULL): one track's decrypted stream, as recorded.
 *
 * Plaintext exists only in memory (wiped after use) and in `out`, which is
 * written to a private temp name beside it and renamed only on success.
 * Fail closed: nothing is decrypted unless the audit key opens
 * RECDIR/audit.log; a `decrypt` event is appended (fsync'd) before any
 * decryption, an `export` event after success, then a checkpoint. */
#ifndef RG_EXPORT_H
#define RG_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include "agekey.h"
#include "audit.h"
#include "mixdown.h"

/* A warning for the user (skipped track, cut short, ...); no names. */
typedef void (*rg_export_note_fn)(void *ctx, const char *line);

typedef struct rg_export_params {
    const char *recdir;
    const char *out;                 /* file; "-" (stdout) in track mode only */
    const rg_age_identity *ids;      /* organisation identities [borrowed] */
    size_t n_ids;
    const uint8_t *audit_key;        /* RG_AUDIT_KEY_LEN bytes; NULL: refused */
    const char *by;                  /* who exports (audit "by"); NULL: "unknown" */
    const char *participant;         /* mix mode: platform id or pseudonym; NULL = all */
    const char *track;               /* track mode: track id; NULL = mix mode */
    int partial;                     /* accept cut-short tracks (sealed part) */
    rg_mixdown_progress_fn progress; /* mix mode, may be NULL */
    void *progress_ctx;
    rg_export_note_fn note;          /* may be NULL */
    void *note_ctx;
} rg_export_params;

typedef struct rg_export_result {
    size_t tracks;       /* tracks in the output */
    int64_t span_ms;     /* expected length of the output (mix mode) */
    size_t cut_short;    /* tracks that were cut short (only with partial) */
    int64_t missing_ms;  /* upper bound of media lost, worst track */
    char recording[64];  /* the recording's id */
} rg_export_result;

/* Run an export. errbuf gets one line naming what is wrong:
 * RG_ERR_ARG bad parameters, RG_ERR_CONFIG no audit key,
 * RG_ERR_NOT_FOUND unknown participant / track or nothing left to export,
 * RG_ERR_TRUNCATED a cut-short track without `partial`, RG_ERR_AUTH wrong
 * identity or tampered data, RG_ERR_PARSE malformed metadata,
 * RG_ERR_MEDIA the mixdown failed, RG_ERR_IO output or audit log.
 * res may be NULL. */
rg_err rg_export_run(const rg_export_params *p, rg_export_result *res,
                     char *errbuf);

#endif
