/* Upload transport: one destination from the policy (docs/operations.md),
 * over libcurl, HTTPS only, certificate and host name always verified
 * (the destination's ca_file is added to the trust store when given).
 *
 *  webdav: MKCOL for each missing collection, PUT, then GET the object
 *          back and compare its SHA-256: nothing counts as uploaded unless
 *          the remote bytes are the local bytes.
 *  s3:     PUT signed with AWS SigV4 (libcurl's CURLOPT_AWS_SIGV4), path
 *          style URL/KEY, with x-amz-content-sha256 and Content-MD5 so the
 *          server refuses damaged bodies; a wrong ETag fails at once, but a
 *          right one is not proof (a server may store less than it was
 *          sent): the object is always read back and its SHA-256 compared.
 *
 * Every request has an overall deadline (upload.timeout_s + 1 s per 16 KiB
 * of body) and never runs past the owner's deadline (set_deadline). 3xx
 * answers are never followed: "redirect to HOST refused".
 *
 * PUT of the same key with the same bytes is idempotent, so a retry after
 * a crash is harmless. A connection is used by one thread at a time. */
#ifndef RG_UPLOAD_H
#define RG_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include "policy.h"
#include "recgate/error.h"

typedef struct rg_upload_conn rg_upload_conn;

/* Reads the destination's secret files (kept in memory, wiped on free). */
rg_err rg_upload_conn_new(const rg_upload_dest *d, rg_upload_conn **out,
                          char *errbuf);
void rg_upload_conn_free(rg_upload_conn *c);

/* Store data under KEY ("rec-.../tracks/t1/000000.age") and confirm it.
 * sha256 is the lower-case hex of data. errmsg: one line on failure. */
rg_err rg_upload_put(rg_upload_conn *c, const char *key, const void *data,
                     size_t len, const char *sha256, char *errmsg);
/* Delete KEY (a collection when it ends in '/', webdav). A 404 is success:
 * the object is not there. */
rg_err rg_upload_delete(rg_upload_conn *c, const char *key, char *errmsg);

/* Owner's hard deadline (rg_vaultio_now_ms() clock; 0: none): a request
 * in flight stops within about a second of it, none starts after it.
 * Thread-safe. */
void rg_upload_conn_set_deadline(rg_upload_conn *c, long long deadline_ms);
bool rg_upload_conn_expired(rg_upload_conn *c);

/* Delete everything under PREFIX ("rec-x/" or "rec-x/tracks/t1/") and
 * prove it: webdav DELETEs the collection (2xx or 404), s3 lists the
 * prefix (ListObjectsV2), deletes every key and lists again until empty.
 * *deleted counts the objects (webdav: 1 for the collection). */
rg_err rg_upload_delete_prefix(rg_upload_conn *c, const char *prefix,
                               size_t *deleted, char *errmsg);

typedef rg_err (*rg_upload_key_fn)(void *ctx, const char *key);
/* S3 ListObjectsV2 of PREFIX, every page; fn gets each key. */
rg_err rg_upload_list(rg_upload_conn *c, const char *prefix, rg_upload_key_fn fn,
                      void *ctx, char *errmsg);
/* Parse one ListObjectsV2 answer (libxml2, no network or entities):
 * fn per <Contents><Key>, *truncated and the continuation token. */
rg_err rg_upload_s3_parse_list(const char *xml, size_t len, rg_upload_key_fn fn,
                               void *ctx, bool *truncated, char *token,
                               size_t token_size);

/* The URL of KEY (for messages). */
void rg_upload_url(const rg_upload_dest *d, const char *key, char *out,
                   size_t n);

#endif
