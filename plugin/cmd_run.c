/* recgate run --config FILE --scenario FILE [--out DIR] [--json] [--realtime] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "audit.h"
#include "vaultio.h"
#include "cli.h"
#include "runner.h"

/* The transfer guard refused the policy: no recording exists, so the
 * attempt gets its own audit log OUT/refused-<time>-<rand>.audit.log
 * (one `refused` event, reason transfer_region), when an audit key is
 * at hand. Best effort: the refusal itself never depends on it. */
static void audit_transfer_refusal(const char *out, const char *keyfile,
                                   const char *detail)
{
    uint8_t key[RG_AUDIT_KEY_LEN];
    unsigned char rnd[3];
    char path[4096], stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    rg_audit *log = NULL;
    if (!out || !keyfile || rg_audit_key_load(keyfile, key, NULL) ||
        RAND_bytes(rnd, sizeof rnd) != 1 || rg_vaultio_mkdir(out, NULL))
        return;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(path, sizeof path, "%s/refused-%s-%02x%02x%02x.audit.log", out,
             stamp, rnd[0], rnd[1], rnd[2]);
    cJSON *f = cJSON_CreateObject();
    if (f && rg_audit_open(path, key, &log, NULL) == RG_OK) {
        cJSON_AddStringToObject(f, "reason", "transfer_region");
        cJSON_AddStringToObject(f, "detail", detail);
        if (rg_audit_append(log, RG_AUDIT_EV_REFUSED, f, -1, true) == RG_OK &&
            rg_audit_checkpoint(log) == RG_OK)
            fprintf(stderr, "recgate run: refusal logged in %s\n", path);
    }
    cJSON_Delete(f);
    rg_audit_close(log);
    OPENSSL_cleanse(key, sizeof key);
}

static int usage(void)
{
    fprintf(stderr, "usage: recgate run --config FILE --scenario FILE [--out DIR] "
                    "[--json] [--realtime] [--platform sim] [--quiet]\n"
                    "                   [--recipient age1...]... [--audit-key FILE]\n");
    return 2;
}

int rg_cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"scenario", required_argument, NULL, 's'},
        {"out", required_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},
        {"realtime", no_argument, NULL, 'r'},
        {"platform", required_argument, NULL, 'p'},
        {"quiet", no_argument, NULL, 'q'},
        {"recipient", required_argument, NULL, 'R'},
        {"audit-key", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *scenario = NULL, *out = NULL, *platform = "sim";
    bool json = false, realtime = false, quiet = false;
    const char *recipients[64];
    size_t n_recipients = 0;
    const char *audit_key = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 's': scenario = optarg; break;
        case 'o': out = optarg; break;
        case 'j': json = true; break;
        case 'r': realtime = true; break;
        case 'p': platform = optarg; break;
        case 'q': quiet = true; break;
        case 'k': audit_key = optarg; break;
        case 'R':
            if (n_recipients == sizeof recipients / sizeof recipients[0]) {
                fprintf(stderr, "recgate run: too many --recipient (max 64)\n");
                return 2;
            }
            recipients[n_recipients++] = optarg;
            break;
        case 'h': usage(); return 0;
        default: return usage();
        }
    }
    if (optind != argc) {
        fprintf(stderr, "recgate run: unexpected argument '%s'\n", argv[optind]);
        return usage();
    }
    if (!config || !scenario) {
        fprintf(stderr, "recgate run: --config and --scenario are required\n");
        return usage();
    }
    const rg_shim_ops *shim = rg_shim_find(platform);
    if (!shim) {
        fprintf(stderr, "recgate run: unknown platform '%s' (known: sim)\n", platform);
        return 2;
    }
    char errbuf[RG_ERRBUF_SIZE] = "";
    rg_policy *policy = NULL;
    char *summary = NULL;
    int status = 1;
    rg_err err = rg_policy_load(config, &policy, errbuf);
    if (err) {
        fprintf(stderr, "recgate run: %s\n", errbuf[0] ? errbuf : rg_strerror(err));
        if (strstr(errbuf, "(allowed_regions)")) {
            fprintf(stderr, "recgate run: transfer guard: an upload destination "
                            "lies outside the EU/EEA and adequacy countries\n");
            audit_transfer_refusal(out, audit_key, errbuf);
        }
        fprintf(stderr, "recgate run: nothing was recorded\n");
        goto cleanup;
    }
    rg_shim_params params = {
        .api_version = RG_SHIM_API_VERSION,
        .struct_size = sizeof params,
        .scenario = scenario,
        .realtime = realtime,
    };
    rg_run_opts opts = {policy, shim, &params, out, quiet ? NULL : stderr,
                        n_recipients ? recipients : NULL, n_recipients, audit_key};
    err = rg_run_meeting(&opts, &summary, errbuf);
    if (err) {
        fprintf(stderr, "recgate run: %s\n", errbuf[0] ? errbuf : rg_strerror(err));
        fprintf(stderr, "recgate run: nothing was recorded\n");
        goto cleanup;
    }
    if (json)
        printf("%s\n", summary);
    status = 0;
cleanup:
    free(summary);
    rg_policy_free(policy);
    return status;
}
