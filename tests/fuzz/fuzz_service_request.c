/* libFuzzer target: rg_svc_request_parse (the body of POST /v1/meetings)
 * must never crash, leak or read out of bounds; a refusal is 400 or 422
 * with a one-line message, an acceptance a "queued" status with an id. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "policy.h"
#include "svc_status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rg_policy *policy;

static rg_err known(const char *name, char *errbuf)
{
    if (!strcmp(name, "sim") || !strcmp(name, "janus"))
        return RG_OK;
    snprintf(errbuf, RG_ERRBUF_SIZE, "no platform '%.40s' (available: sim, janus)", name);
    return RG_ERR_NOT_FOUND;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The shipped policy (the fuzzers run from the top of the tree). */
    if (!policy && rg_policy_load("config/recgate.json", &policy, NULL))
        abort();
    char errbuf[RG_ERRBUF_SIZE] = "";
    cJSON *st = NULL;
    int code = 0;
    rg_err e = rg_svc_request_parse((const char *)data, size, policy, known, &st, &code, errbuf);
    if (e) {
        if (st || (code != 400 && code != 422 && code != 500) || !errbuf[0] || strchr(errbuf, '\n'))
            abort();
        return 0;
    }
    if (!st || code != 201 || strcmp(rg_svc_status_state(st), "queued") ||
        strlen(rg_svc_status_str(st, "id")) != 32)
        abort();
    cJSON_Delete(st);
    return 0;
}
