/* The sim's JSON and file helpers for clear errors ("FILE: path: expected
 * X, got Y"). Shims see only include/recgate, so the sim keeps its own. */
#ifndef RG_SIM_SIMJSON_H
#define RG_SIM_SIMJSON_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "recgate/error.h"

/* Compact JSON of `v` for an error message, cut to about 40 characters;
 * "nothing" for NULL. */
void rg_sim_json_describe(const cJSON *v, char *buf, size_t len);

/* Parse `len` bytes as one JSON value. On a syntax error writes
 * "ORIGIN: line L, column C: invalid JSON" and returns RG_ERR_PARSE.
 * *out [owned] (cJSON_Delete). */
rg_err rg_sim_json_parse(const char *text, size_t len, const char *origin,
                         cJSON **out, char *errbuf);

/* Read a whole file of at most max_bytes. *data [owned], NUL-terminated.
 * Errors name the file and the reason (RG_ERR_IO; RG_ERR_ARG: too large). */
rg_err rg_sim_file_read(const char *path, size_t max_bytes, char **data,
                        size_t *len, char *errbuf);

#endif
