/* Test helper: write a small real audit log for the e2e tests.
 *   audit_demo_log KEYFILE LOG [--no-checkpoint]
 * Appends (or starts) a session of 10 events, then a checkpoint unless
 * --no-checkpoint (a crash-like end). Exit 0 on success. */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include "audit.h"

int main(int argc, char **argv)
{
    static const char *const ev[][2] = {
        {"session_start", "{\"meeting\":\"m-demo\",\"meeting_type\":\"case\","
                          "\"legal_basis\":\"opt_out\",\"policy_sha256\":\"00\"}"},
        {"join", "{\"participant\":\"%s\",\"role\":\"host\"}"},
        {"announcement", "{\"to\":\"all\",\"language\":\"da\","
                         "\"text_sha256\":\"ab\",\"delivered\":true}"},
        {"join", "{\"participant\":\"%s\",\"role\":\"guest\"}"},
        {"chat_intent", "{\"participant\":\"%s\",\"label\":\"consent\"}"},
        {"gate_open", "{\"reason\":\"window passed\"}"},
        {"capture_start", "{\"track\":\"%s/audio\",\"kind\":\"audio\"}"},
        {"capture_stop", "{\"track\":\"%s/audio\",\"reason\":\"end\"}"},
        {"gate_close", "{\"reason\":\"end\"}"},
        {"leave", "{\"participant\":\"%s\"}"},
    };
    uint8_t key[RG_AUDIT_KEY_LEN];
    char err[RG_ERRBUF_SIZE], pn[RG_PSEUDONYM_LEN], buf[512];
    rg_audit *log = NULL;
    int rc = 1;
    if (argc < 3) {
        fprintf(stderr, "usage: audit_demo_log KEYFILE LOG [--no-checkpoint]\n");
        return 2;
    }
    if (rg_audit_key_load(argv[1], key, err) ||
        rg_audit_open(argv[2], key, &log, err)) {
        fprintf(stderr, "audit_demo_log: %s\n", err);
        goto cleanup;
    }
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++) {
        rg_audit_pseudonym(key, i < 3 ? "sim:host" : "sim:guest", pn);
        snprintf(buf, sizeof buf, ev[i][1], pn);
        cJSON *f = cJSON_Parse(buf);
        rg_err e = rg_audit_append(log, ev[i][0], f, (int64_t)i * 1000, true);
        cJSON_Delete(f);
        if (e) {
            fprintf(stderr, "audit_demo_log: append: %s\n", rg_strerror(e));
            goto cleanup;
        }
    }
    if (!(argc > 3 && !strcmp(argv[3], "--no-checkpoint")) &&
        rg_audit_checkpoint(log)) {
        fprintf(stderr, "audit_demo_log: checkpoint failed\n");
        goto cleanup;
    }
    rc = 0;
cleanup:
    rg_audit_close(log);
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}
