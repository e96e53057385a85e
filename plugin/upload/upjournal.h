/* Upload journal: RECDIR/upload.journal, the durable record of what must
 * go where and what already arrived (docs/operations.md).
 *
 * JSON lines, appended with O_APPEND and fsync'd one by one, replayed on
 * open, so a crash or restart loses no decision: at worst an upload that
 * finished before the crash is done again (uploads are idempotent: same
 * name, same bytes). A torn last line (crash mid-write) is cut off; any
 * other unreadable line is skipped and counted (the affected file is then
 * simply uploaded again). Lines:
 *
 *   {"op":"queued","file":F,"sha256":H,"bytes":N}
 *   {"op":"done","dest":D,"file":F,"sha256":H,"bytes":N,"ts":T}
 *   {"op":"failed","dest":D,"file":F,"attempts":K,"next_at":T,"error":E}
 *   {"op":"local_removed","file":F,"ts":T}
 *   {"op":"delete_wanted","track":ID|null,"ts":T}   (null: whole recording)
 *   {"op":"deleted","dest":D,"file":F,"ts":T}
 *   {"op":"delete_failed","dest":D,"file":F,"attempts":K,"next_at":T,"error":E}
 *   {"op":"swept","dest":D,"prefix":P,"objects":N,"ts":T}
 *
 * "swept": everything under P ("" = the whole recording, "tracks/t1/")
 * is proven gone from D (collection DELETE, or an empty S3 listing), so
 * copies the journal never knew of (lost or damaged journal) go too.
 * Damaged lines are counted and their line numbers kept for the report.
 *
 * F is a path relative to RECDIR ("tracks/t1/000003.age"), D a destination
 * name from the policy, T seconds since the epoch. Not thread-safe: the
 * uploader serialises access. */
#ifndef RG_UPJOURNAL_H
#define RG_UPJOURNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "recgate/error.h"

#define RG_UPJ_NAME "upload.journal"

typedef struct rg_upj_dest {
    char dest[65];
    char done_sha[65];  /* sha256 of the copy confirmed there, "" if none */
    int attempts;       /* failed attempts since the last success */
    long long next_at;  /* informational: epoch s of the next try */
    char error[160];    /* last error */
    bool deleted;       /* remote copy deleted (after delete_wanted) */
    int del_attempts;
    bool del_failed_now;/* in memory only: a delete failed in this run */
} rg_upj_dest;

typedef struct rg_upj_file {
    char *path;         /* [owned] relative to RECDIR */
    char sha256[65];    /* of the local file when last queued */
    uint64_t bytes;
    bool local_removed;
    bool missing;       /* in memory only: gone locally before upload */
    rg_upj_dest *d;     /* [owned] per destination */
    size_t nd;
} rg_upj_file;

typedef struct rg_upjournal {
    char *recdir;       /* [owned] */
    int fd;
    rg_upj_file *files; /* [owned] in first-queued order */
    size_t n, cap;
    bool delete_all;    /* delete_wanted for the whole recording */
    char **del_tracks;  /* [owned] tracks whose remote copies must go */
    size_t n_del_tracks;
    size_t bad_lines;   /* skipped on replay */
    size_t bad_at[8];   /* their line numbers (first 8) */
    bool bad_delete;    /* a damaged line mentions delete_wanted */
    bool torn;          /* a torn last line was cut on open */
    char (*swept)[2][200]; /* [owned] (dest, prefix) proven empty */
    size_t n_swept;
} rg_upjournal;

/* Open (create) RECDIR/upload.journal and replay it. */
rg_err rg_upj_open(const char *recdir, rg_upjournal **out, char *errbuf);
void rg_upj_close(rg_upjournal *j);

/* Record that F (with this content) must be uploaded; a no-op when it is
 * already queued with the same sha256. */
rg_err rg_upj_queue(rg_upjournal *j, const char *file, const char *sha256,
                    uint64_t bytes);
rg_err rg_upj_done(rg_upjournal *j, const char *dest, const char *file,
                   const char *sha256, uint64_t bytes);
rg_err rg_upj_failed(rg_upjournal *j, const char *dest, const char *file,
                     long long next_at, const char *error);
rg_err rg_upj_local_removed(rg_upjournal *j, const char *file);
/* track NULL: the whole recording. */
rg_err rg_upj_delete_wanted(rg_upjournal *j, const char *track);
rg_err rg_upj_deleted(rg_upjournal *j, const char *dest, const char *file);
rg_err rg_upj_delete_failed(rg_upjournal *j, const char *dest,
                            const char *file, long long next_at,
                            const char *error);

rg_err rg_upj_swept(rg_upjournal *j, const char *dest, const char *prefix,
                    size_t objects);
bool rg_upj_is_swept(const rg_upjournal *j, const char *dest, const char *prefix);
/* "line 3, 7 damaged; torn last line cut" or "" when the replay was clean. */
void rg_upj_problems(const rg_upjournal *j, char *out, size_t n);

/* [borrowed] lookups; NULL if unknown. */
rg_upj_file *rg_upj_find(rg_upjournal *j, const char *file);
rg_upj_dest *rg_upj_dest_of(rg_upj_file *f, const char *dest);
/* True if F's remote copies are to be deleted (delete_wanted covers it). */
bool rg_upj_delete_covers(const rg_upjournal *j, const char *file);

#endif
