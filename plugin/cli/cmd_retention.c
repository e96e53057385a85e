/* recgate hold RECDIR --reason TEXT [--until DATE]
 * recgate release RECDIR
 * recgate purge DIR [--dry-run] [--now ISO-8601]
 * (each with --audit-key KEY | --config FILE, and [--by NAME])
 * Retention and legal holds (docs/accountability.md). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "cmd_acct.h"
#include "retention.h"

#define KEYOPTS "audit-key,config,by"

int rg_cmd_hold(int argc, char **argv)
{
    rg_acct_opts o;
    char err[RG_ERRBUF_SIZE] = "";
    const char *usage = RG_USAGE_hold;
    int rc = rg_acct_parse(&o, "hold", argc, argv, "reason,until," KEYOPTS, 1, usage);
    if (rc)
        return rc;
    if (!o.reason) {
        fprintf(stderr, "recgate hold: --reason is required\n%s", usage);
        return 2;
    }
    rc = 1;
    if (rg_acct_load_key(&o))
        goto cleanup;
    rg_err e = rg_retention_hold(o.pos[0], o.reason, o.until, o.key, o.byname, err);
    if (e) {
        rg_acct_fail(&o, e, err);
        goto cleanup;
    }
    printf("%s: under legal hold (by %s); purge leaves it alone until "
           "recgate release\n", o.pos[0], o.byname);
    rc = 0;
cleanup:
    rg_acct_free(&o);
    return rc;
}

int rg_cmd_release(int argc, char **argv)
{
    rg_acct_opts o;
    char err[RG_ERRBUF_SIZE] = "";
    bool held = false;
    int rc = rg_acct_parse(&o, "release", argc, argv, KEYOPTS, 1,
                           RG_USAGE_release);
    if (rc)
        return rc;
    rc = 1;
    if (rg_acct_load_key(&o))
        goto cleanup;
    rg_err e = rg_retention_release(o.pos[0], o.key, o.byname, &held, err);
    if (e) {
        rg_acct_fail(&o, e, err);
        goto cleanup;
    }
    printf(held ? "%s: legal hold released; retention applies again\n"
                : "%s: was not under a legal hold; nothing to release\n", o.pos[0]);
    rc = 0;
cleanup:
    rg_acct_free(&o);
    return rc;
}

static void print_item(void *ctx, const rg_purge_item *it)
{
    const bool *dry = ctx;
    static const char *const what[] = {"keep", "held", "purge", "skip", "FAILED"};
    const char *verb = it->action == RG_PURGE_EXPIRED && !*dry ? "purged"
                                                               : what[it->action];
    printf("%-7s %s", verb, it->name);
    if (it->expires[0])
        printf(" (expires %s)", it->expires);
    if (it->note)
        printf(": %s", it->note);
    printf("\n");
}

int rg_cmd_purge(int argc, char **argv)
{
    rg_acct_opts o;
    char err[RG_ERRBUF_SIZE] = "";
    const char *usage = RG_USAGE_purge;
    int rc = rg_acct_parse(&o, "purge", argc, argv, "dry-run,now," KEYOPTS, 1, usage);
    if (rc)
        return rc;
    time_t now = time(NULL);
    if (o.now && rg_recdir_parse_time(o.now, &now)) {
        fprintf(stderr, "recgate purge: --now: expected an ISO-8601 time "
                        "(e.g. 2027-03-01T00:00:00Z), got '%s'\n", o.now);
        return 2;
    }
    rc = 1;
    if (!o.dry_run && rg_acct_load_key(&o))
        goto cleanup;
    rg_purge_params p = {.dir = o.pos[0], .now = now, .dry_run = o.dry_run,
                         .audit_key = o.key, .by = o.byname,
                         .report = print_item, .ctx = &o.dry_run,
                         .policy = o.policy};
    rg_purge_result res;
    rg_err e = rg_purge(&p, &res, err);
    if (!e || res.failed || res.remote_pending || res.unverified)
        printf("%s: %d %s, %d held, %d kept, %d skipped, %d failed, %d with remote "
               "copies pending%s\n", o.pos[0], res.purged,
               o.dry_run ? "would be purged" : "purged", res.held, res.kept,
               res.skipped, res.failed, res.remote_pending,
               res.unverified ? ", expiry NOT authenticated for some (see "
                                "purge.log: expiry_unverified)" : "");
    if (e) {
        rg_acct_fail(&o, e, err);
        goto cleanup;
    }
    rc = 0;
cleanup:
    rg_acct_free(&o);
    return rc;
}
