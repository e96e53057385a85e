/* recgate serve --config FILE --token-file FILE --out DIR [--listen ADDR:PORT]
 *               [--max-meetings N] [--state-dir DIR] [--audit-key FILE]
 *               [--nats URL] [--port-file FILE]
 *
 * The meeting-bot service (docs/service.md): an HTTP API that sends a bot
 * to a meeting, follows it and stops it. Without --nats it runs the bots
 * itself, each in its own process; with --nats the requests go into a
 * JetStream work queue for `recgate worker`s and the state is read back
 * from JetStream, so any serve instance answers for any meeting. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "policy.h"
#include "svc_common.h"
#include "svc_http.h"
#include "svc_local.h"
#include "svc_nats.h"

static int usage(void)
{
    fputs(RG_USAGE_serve, stderr);
    return 2;
}

int rg_cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"token-file", required_argument, NULL, 't'},
        {"out", required_argument, NULL, 'o'},
        {"listen", required_argument, NULL, 'l'},
        {"max-meetings", required_argument, NULL, 'm'},
        {"state-dir", required_argument, NULL, 's'},
        {"audit-key", required_argument, NULL, 'k'},
        {"nats", required_argument, NULL, 'n'},
        {"port-file", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *token_file = NULL, *out = NULL, *listen_at = "127.0.0.1:8080";
    const char *state_dir = NULL, *audit_key = NULL, *nats_url = NULL, *port_file = NULL;
    long max_meetings = 4;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 't': token_file = optarg; break;
        case 'o': out = optarg; break;
        case 'l': listen_at = optarg; break;
        case 's': state_dir = optarg; break;
        case 'k': audit_key = optarg; break;
        case 'n': nats_url = optarg; break;
        case 'P': port_file = optarg; break;
        case 'm': {
            char *end;
            max_meetings = strtol(optarg, &end, 10);
            if (*end || max_meetings < 1 || max_meetings > 1000) {
                fprintf(stderr, "recgate serve: --max-meetings wants 1..1000, not '%s'\n", optarg);
                return 2;
            }
            break;
        }
        case 'h': fputs(RG_USAGE_serve, stdout); return 0;
        default: return usage();
        }
    }
    if (optind != argc || !config || !token_file || (!out && !nats_url)) {
        fprintf(stderr, "recgate serve: --config, --token-file and --out are required\n");
        return usage();
    }
    char addr[64];
    const char *colon = strrchr(listen_at, ':');
    char *pend = NULL;
    long port = colon ? strtol(colon + 1, &pend, 10) : -1;
    if (!colon || (size_t)(colon - listen_at) >= sizeof addr || *pend || port < 0 || port > 65535) {
        fprintf(stderr, "recgate serve: --listen wants ADDR:PORT (e.g. 127.0.0.1:8080), not '%s'\n",
                listen_at);
        return 2;
    }
    snprintf(addr, sizeof addr, "%.*s", (int)(colon - listen_at), listen_at);

    char errbuf[RG_ERRBUF_SIZE] = "", self[PATH_MAX], sdir[PATH_MAX] = "";
    char *token = NULL;
    rg_policy *policy = NULL;
    rg_svc_local *local = NULL;
    rg_svc_nats *nats = NULL;
    rg_svc_http *http = NULL;
    int status = 1;
    sigset_t sigs;
    rg_svc_block_signals(&sigs);
    rg_err err = rg_policy_load(config, &policy, errbuf);
    if (!err)
        err = rg_svc_token_load(token_file, &token, errbuf);
    if (!err)
        err = rg_svc_self(self, sizeof self, errbuf);
    if (!err && !nats_url)
        err = rg_svc_state_dir(state_dir, sdir, sizeof sdir, errbuf);
    if (err) {
        fprintf(stderr, "recgate serve: %s\n", errbuf[0] ? errbuf : rg_strerror(err));
        goto cleanup;
    }
    rg_svc_run_cfg run = {.self = self, .config = config, .out_dir = out,
                          .audit_key = audit_key, .state_dir = sdir};
    rg_svc_http_cfg hc = {.addr = addr, .port = (int)port, .token = token, .policy = policy,
                          .open_platform = rg_svc_open_platform};
    if (nats_url) {
        err = rg_svc_nats_connect(nats_url, "recgate-serve", &nats, errbuf);
        if (!err)
            hc.backend = rg_svc_nats_backend(nats);
    } else {
        err = rg_svc_local_new(&run, (int)max_meetings, &local, errbuf);
        if (!err)
            hc.backend = rg_svc_local_backend(local);
    }
    if (!err)
        err = rg_svc_http_start(&hc, &http, errbuf);
    if (err) {
        fprintf(stderr, "recgate serve: %s\n", errbuf[0] ? errbuf : rg_strerror(err));
        goto cleanup;
    }
    fprintf(stderr, "recgate serve: listening on http://%s:%d (%s)\n", addr,
            rg_svc_http_port(http),
            nats_url ? "meetings go to NATS JetStream workers" : "running meetings on this machine");
    if (port_file) {
        FILE *pf = fopen(port_file, "w");
        if (pf) {
            fprintf(pf, "%d\n", rg_svc_http_port(http));
            fclose(pf);
        }
    }
    int sig = rg_svc_wait_signal(&sigs);
    fprintf(stderr, "recgate serve: signal %d: stopping (running bots leave properly)\n", sig);
    rg_svc_http_stop(http);
    http = NULL;
    status = 0;
cleanup:
    rg_svc_http_stop(http);
    rg_svc_local_free(local); /* waits for every bot to end properly */
    rg_svc_nats_free(nats);
    rg_svc_token_free(token);
    rg_policy_free(policy);
    if (!nats_url && !state_dir && sdir[0] && !err)
        rmdir(sdir);
    return status;
}
