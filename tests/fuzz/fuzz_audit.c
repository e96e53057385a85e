/* libFuzzer target: the audit log verifier over arbitrary bytes, with and
 * without the key (chain-only mode reaches the JSON checks, since the
 * fuzzer cannot forge MACs). Property: never crash, and a report that is
 * not ok names a line. When the input is a JSON object, also round-trip
 * it: appended as event fields, the log must verify. Seeds are real logs
 * under the key below (tests/fuzz/corpus/fuzz_audit/). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audit.h"

/* bytes 1..32 (hex 0102...1f20), the key of the seed logs */
static const uint8_t KEY[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                                14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
                                25, 26, 27, 28, 29, 30, 31, 32};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0]) /* tmpfs if there is one: fsync is the slow part */
        snprintf(path, sizeof path, "%s/fuzz_audit.%d.log",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
                 (int)getpid());
    cJSON *f = cJSON_ParseWithLength((const char *)data, size);
    if (!cJSON_IsObject(f)) {
        cJSON_Delete(f);
        return;
    }
    rg_audit *log = NULL;
    rg_audit_report rep;
    unlink(path);
    if (rg_audit_open(path, KEY, &log, NULL) != RG_OK)
        abort();
    rg_err e = rg_audit_append(log, "fuzz", f, 1, false);
    if (e != RG_OK && e != RG_ERR_ARG)
        abort();
    if (rg_audit_checkpoint(log) != RG_OK)
        abort();
    rg_audit_close(log);
    if (rg_audit_verify(path, KEY, &rep, NULL) != RG_OK || !rep.ok)
        abort();
    unlink(path);
    cJSON_Delete(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t mac_key[32];
    static bool derived;
    rg_audit_report rep;
    char err[RG_ERRBUF_SIZE];
    if (!derived && rg_audit_derive(KEY, RG_AUDIT_SUBKEY_MAC, mac_key) == RG_OK)
        derived = true;
    for (int keyed = 0; keyed < 2; keyed++) {
        /* keyed: the inner entry point with the subkey derived once */
        rg_err e = keyed ? rg_audit_verify_mem((const char *)data, size,
                                               mac_key, "fuzz", &rep, NULL, err)
                         : rg_audit_verify_buf((const char *)data, size, NULL,
                                               "fuzz", &rep, err);
        if ((e == RG_OK) != rep.ok)
            abort();
        if (e != RG_OK && (rep.first_bad_line == 0 || !rep.problem[0] ||
                           rep.first_bad_line > rep.lines + 1))
            abort();
    }
    if (size < 4096)
        round_trip(data, size);
    return 0;
}
