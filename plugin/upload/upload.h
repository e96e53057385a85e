/* Upload transport: one destination from the policy (docs/operations.md),
 * over libcurl, HTTPS only, certificate and host name always verified
 * (the destination's ca_file is added to the trust store when given).
 *
 *  webdav: MKCOL for each missing collection, PUT, then GET the object
 *          back and compare its SHA-256: nothing counts as uploaded unless
 *          the remote bytes are the local bytes.
 *  s3:     PUT signed with AWS SigV4 (libcurl's CURLOPT_AWS_SIGV4), path
 *          style URL/KEY, with x-amz-content-sha256 and Content-MD5 so the
 *          server refuses damaged bodies; confirmed by the returned ETag
 *          (the MD5 of a single-part object), else by a GET + SHA-256.
 *
 * PUT of the same key with the same bytes is idempotent, so a retry after
 * a crash is harmless. A connection is used by one thread at a time. */
#ifndef RG_UPLOAD_H
#define RG_UPLOAD_H

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

/* The URL of KEY (for messages). */
void rg_upload_url(const rg_upload_dest *d, const char *key, char *out,
                   size_t n);

#endif
