/* recgate run --config FILE --scenario FILE [--scenario FILE...] [--out DIR]
 *             [--json] [--realtime] [--recipient age1...]... [--audit-key FILE]
 * recgate run --config FILE --platform janus --url URL --room N [--host NAME]...
 *
 * Janus settings come from the policy's platforms.janus; flags override.
 * Plays one meeting, or several at once (one thread each, sharing nothing
 * but the read-only policy, so one meeting's failure cannot touch another's
 * recording). With --json each meeting's summary is printed as one line. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "audit.h"
#include "fileio.h"
#include "cli.h"
#include "policy.h"
#include "runner.h"

#define MAX_MEETINGS 256
#define MAX_HOSTS 32

typedef struct meeting_job {
    rg_run_opts opts;
    rg_shim_params params;
    char label[64];
    char *summary;  /* [owned] */
    rg_err err;
    char errbuf[RG_ERRBUF_SIZE];
} meeting_job;
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
    fputs(RG_USAGE_run, stderr);
    return 2;
}

static void *run_job(void *arg)
{
    meeting_job *job = arg;
    job->err = rg_run_meeting(&job->opts, &job->summary, job->errbuf);
    return NULL;
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
        {"url", required_argument, NULL, 'U'},
        {"room", required_argument, NULL, 'M'},
        {"textroom", required_argument, NULL, 'T'},
        {"host", required_argument, NULL, 'H'},
        {"type", required_argument, NULL, 'y'},
        {"timeout", required_argument, NULL, 't'},
        {"duration", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *out = NULL, *platform = "sim", *audit_key = NULL;
    const char *scenarios[MAX_MEETINGS], *recipients[64];
    size_t n_scenarios = 0, n_recipients = 0;
    const char *url = NULL, *room = NULL, *textroom = NULL, *type = NULL;
    const char *hosts[MAX_HOSTS];
    size_t n_hosts = 0;
    int timeout_s = 0, duration_s = 0;
    bool json = false, realtime = false, quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'o': out = optarg; break;
        case 'j': json = true; break;
        case 'r': realtime = true; break;
        case 'p': platform = optarg; break;
        case 'q': quiet = true; break;
        case 'k': audit_key = optarg; break;
        case 's':
            if (n_scenarios == MAX_MEETINGS) {
                fprintf(stderr, "recgate run: at most %d scenarios at once\n", MAX_MEETINGS);
                return 2;
            }
            scenarios[n_scenarios++] = optarg;
            break;
        case 'R':
            if (n_recipients == sizeof recipients / sizeof recipients[0]) {
                fprintf(stderr, "recgate run: too many --recipient (max 64)\n");
                return 2;
            }
            recipients[n_recipients++] = optarg;
            break;
        case 'U': url = optarg; break;
        case 'M': room = optarg; break;
        case 'T': textroom = optarg; break;
        case 'y': type = optarg; break;
        case 'H':
            if (n_hosts == MAX_HOSTS) {
                fprintf(stderr, "recgate run: at most %d --host\n", MAX_HOSTS);
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
        case 'h': fputs(RG_USAGE_run, stdout); return 0;
        default: return usage();
        }
    }
    if (optind != argc) {
        fprintf(stderr, "recgate run: unexpected argument '%s'\n", argv[optind]);
        return usage();
    }
    bool is_sim = !strcmp(platform, "sim");
    if (!config || (is_sim && !n_scenarios)) {
        fprintf(stderr, "recgate run: --config%s required\n",
                is_sim ? " and --scenario are" : " is");
        return usage();
    }
    if (!is_sim && n_scenarios) {
        fprintf(stderr, "recgate run: --scenario is for the sim platform only\n");
        return usage();
    }
    if (!is_sim)
        n_scenarios = 1; /* one live meeting */
    const rg_shim_ops *shim = rg_shim_find(platform);
    if (!shim) {
        fprintf(stderr, "recgate run: unknown platform '%s' (known: sim, janus)\n", platform);
        return 2;
    }
    char errbuf[RG_ERRBUF_SIZE] = "";
    rg_policy *policy = NULL;
    int status = 1;
    meeting_job *jobs = calloc(n_scenarios, sizeof *jobs);
    pthread_t *threads = calloc(n_scenarios, sizeof *threads);
    if (!jobs || !threads) {
        fprintf(stderr, "recgate run: out of memory\n");
        goto cleanup;
    }
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
    /* platforms.<name> in the policy; flags override. */
    const rg_platform_cfg *pc = rg_policy_platform(policy, platform);
    if (pc && !room && pc->room)
        room = pc->room;
    if (pc && !textroom && pc->textroom)
        textroom = pc->textroom;
    const char *type_name = type ? type : pc ? pc->meeting_type : NULL;
    const rg_meeting_type *mtype = rg_policy_type(policy, type_name);
    for (size_t i = 0; i < n_scenarios; i++) {
        meeting_job *job = &jobs[i];
        job->params = (rg_shim_params){
            .api_version = RG_SHIM_API_VERSION,
            .struct_size = sizeof job->params,
            .scenario = is_sim ? scenarios[i] : NULL,
            .realtime = realtime,
            .url = url ? url : pc ? pc->url : NULL,
            .room = room,
            .meeting_type = type_name,
            .hosts = n_hosts ? hosts : pc ? (const char *const *)pc->hosts : NULL,
            .n_hosts = n_hosts ? n_hosts : pc ? pc->n_hosts : 0,
            .textroom = textroom,
            .timeout_s = timeout_s ? timeout_s : pc ? pc->timeout_s : 0,
            .duration_s = duration_s,
            .video = mtype && mtype->video,
        };
        if (n_scenarios > 1)
            snprintf(job->label, sizeof job->label, "#%zu ", i + 1);
        job->opts = (rg_run_opts){
            .policy = policy, .shim = shim, .params = &job->params,
            .out_dir = out, .timeline = quiet ? NULL : stderr,
            .recipients = n_recipients ? recipients : NULL,
            .n_recipients = n_recipients, .audit_key_file = audit_key,
            .label = job->label,
        };
    }
    size_t started = 0;
    if (n_scenarios == 1) {
        run_job(&jobs[0]);
    } else {
        for (; started < n_scenarios; started++)
            if (pthread_create(&threads[started], NULL, run_job, &jobs[started]) != 0)
                break;
        for (size_t i = 0; i < started; i++)
            pthread_join(threads[i], NULL);
        for (size_t i = started; i < n_scenarios; i++) {
            jobs[i].err = RG_ERR_NOMEM;
            snprintf(jobs[i].errbuf, sizeof jobs[i].errbuf, "could not start a thread");
        }
    }
    status = 0;
    for (size_t i = 0; i < n_scenarios; i++) {
        const char *what = is_sim ? scenarios[i] : platform;
        /* A meeting cut short still has a summary: what passed the gate
         * before the cut is sealed. */
        if (json && jobs[i].summary)
            printf("%s\n", jobs[i].summary);
        if (jobs[i].err) {
            fprintf(stderr, "recgate run: %s%s: %s\n", jobs[i].label, what,
                    jobs[i].errbuf[0] ? jobs[i].errbuf : rg_strerror(jobs[i].err));
            if (!jobs[i].summary)
                fprintf(stderr, "recgate run: %s%s: nothing was recorded\n",
                        jobs[i].label, what);
            status = 1;
        }
    }
cleanup:
    for (size_t i = 0; jobs && i < n_scenarios; i++)
        free(jobs[i].summary);
    free(jobs);
    free(threads);
    rg_policy_free(policy);
    return status;
}
