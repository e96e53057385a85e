/* recgate run --config FILE --scenario FILE [--out DIR] [--json] [--realtime]
 * recgate run --config FILE --platform janus --url URL --room N [--host NAME]...
 * Janus settings come from the policy's platforms.janus, CLI flags override. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "policy.h"
#include "runner.h"

#define RG_RUN_MAX_HOSTS 32

static int usage(void)
{
    fprintf(stderr, "usage: recgate run --config FILE --scenario FILE [--out DIR] "
                    "[--json] [--realtime] [--platform sim] [--quiet]\n"
                    "       recgate run --config FILE --platform janus [--url URL] [--room N]\n"
                    "                   [--textroom N] [--host NAME|ID]... [--type MEETING_TYPE]\n"
                    "                   [--timeout S] [--duration S] [--out DIR] [--json] [--quiet]\n");
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
        {"url", required_argument, NULL, 'U'},
        {"room", required_argument, NULL, 'R'},
        {"textroom", required_argument, NULL, 'T'},
        {"host", required_argument, NULL, 'H'},
        {"type", required_argument, NULL, 'y'},
        {"timeout", required_argument, NULL, 't'},
        {"duration", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *scenario = NULL, *out = NULL, *platform = "sim";
    const char *url = NULL, *room = NULL, *textroom = NULL, *type = NULL;
    const char *hosts[RG_RUN_MAX_HOSTS];
    size_t n_hosts = 0;
    int timeout_s = 0, duration_s = 0;
    bool json = false, realtime = false, quiet = false;
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
        case 'U': url = optarg; break;
        case 'R': room = optarg; break;
        case 'T': textroom = optarg; break;
        case 'y': type = optarg; break;
        case 'H':
            if (n_hosts == RG_RUN_MAX_HOSTS) {
                fprintf(stderr, "recgate run: at most %d --host\n", RG_RUN_MAX_HOSTS);
                return 2;
            }
            hosts[n_hosts++] = optarg;
            break;
        case 't':
        case 'd': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 86400) {
                fprintf(stderr, "recgate run: --%s wants seconds 1..86400, not '%s'\n",
                        c == 't' ? "timeout" : "duration", optarg);
                return 2;
            }
            *(c == 't' ? &timeout_s : &duration_s) = (int)v;
            break;
        }
        case 'h': usage(); return 0;
        default: return usage();
        }
    }
    if (optind != argc) {
        fprintf(stderr, "recgate run: unexpected argument '%s'\n", argv[optind]);
        return usage();
    }
    bool is_sim = !strcmp(platform, "sim");
    if (!config || (is_sim && !scenario)) {
        fprintf(stderr, "recgate run: --config%s required\n",
                is_sim ? " and --scenario are" : " is");
        return usage();
    }
    const rg_shim_ops *shim = rg_shim_find(platform);
    if (!shim) {
        fprintf(stderr, "recgate run: unknown platform '%s' (known: sim, janus)\n", platform);
        return 2;
    }
    char errbuf[RG_ERRBUF_SIZE] = "";
    rg_policy *policy = NULL;
    char *summary = NULL;
    int status = 1;
    rg_err err = rg_policy_load(config, &policy, errbuf);
    if (err) {
        fprintf(stderr, "recgate run: %s\n", errbuf[0] ? errbuf : rg_strerror(err));
        fprintf(stderr, "recgate run: nothing was recorded\n");
        goto cleanup;
    }
    /* platforms.<name> in the policy; flags override. */
    const rg_platform_cfg *pc = rg_policy_platform(policy, platform);
    if (pc && !room && pc->room)
        room = pc->room;
    if (pc && !textroom && pc->textroom)
        textroom = pc->textroom;
    rg_shim_params params = {
        .api_version = RG_SHIM_API_VERSION,
        .struct_size = sizeof params,
        .scenario = scenario,
        .realtime = realtime,
        .url = url ? url : pc ? pc->url : NULL,
        .room = room,
        .meeting_type = type ? type : pc ? pc->meeting_type : NULL,
        .hosts = n_hosts ? hosts : pc ? (const char *const *)pc->hosts : NULL,
        .n_hosts = n_hosts ? n_hosts : pc ? pc->n_hosts : 0,
        .textroom = textroom,
        .timeout_s = timeout_s ? timeout_s : pc ? pc->timeout_s : 0,
        .duration_s = duration_s,
    };
    rg_run_opts opts = {policy, shim, &params, out, quiet ? NULL : stderr};
    err = rg_run_meeting(&opts, &summary, errbuf);
    if (err && summary) {
        /* The meeting was cut short: what passed the gate before is sealed. */
        if (json)
            printf("%s\n", summary);
        fprintf(stderr, "recgate run: %s\n", errbuf[0] ? errbuf : rg_strerror(err));
        goto cleanup;
    }
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
