#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "audit.h"
#include "fileio.h"
#include "refusal.h"

rg_err rg_audit_refusal_log(const char *out_dir, const char *key_file,
                            const char *reason, const char *detail,
                            char *path, size_t path_len)
{
    if (!out_dir || !key_file || !reason || !path || !path_len)
        return RG_ERR_ARG;
    uint8_t key[RG_AUDIT_KEY_LEN];
    unsigned char rnd[3];
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    rg_audit *log = NULL;
    cJSON *f = NULL;
    rg_err err = rg_audit_key_load(key_file, key, NULL);
    if (err)
        return err;
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        err = RG_ERR_CRYPTO;
        goto cleanup;
    }
    if ((err = rg_vaultio_mkdir(out_dir, NULL)))
        goto cleanup;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(path, path_len, "%s/refused-%s-%02x%02x%02x.audit.log", out_dir, stamp,
             rnd[0], rnd[1], rnd[2]);
    err = RG_ERR_NOMEM;
    if (!(f = cJSON_CreateObject()) || !cJSON_AddStringToObject(f, "reason", reason) ||
        !cJSON_AddStringToObject(f, "detail", detail ? detail : ""))
        goto cleanup;
    if ((err = rg_audit_open(path, key, &log, NULL)) ||
        (err = rg_audit_append(log, RG_AUDIT_EV_REFUSED, f, -1, true)) ||
        (err = rg_audit_checkpoint(log)))
        goto cleanup;
cleanup:
    cJSON_Delete(f);
    rg_audit_close(log);
    OPENSSL_cleanse(key, sizeof key);
    return err;
}
