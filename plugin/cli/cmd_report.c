/* recgate report RECDIR --identity ORG_KEY -o report.html
 *                (--audit-key KEY | --config FILE) [--by NAME]
 * The DPO's one-page HTML report with an SVG timeline
 * (docs/accountability.md). */
#include <stdio.h>
#include "cli.h"
#include "cmd_acct.h"
#include "report.h"

#define USAGE RG_USAGE_report

int rg_cmd_report(int argc, char **argv)
{
    rg_acct_opts o;
    char err[RG_ERRBUF_SIZE] = "";
    int rc = rg_acct_parse(&o, "report", argc, argv,
                           "identity,output,audit-key,config,by", 1, USAGE);
    if (rc)
        return rc;
    if (!o.out || o.nid == 0) {
        fprintf(stderr, "recgate report: --identity and -o are required\n"
                        "%s", USAGE);
        return 2;
    }
    rc = 1;
    if (rg_acct_load_key(&o) || rg_acct_load_ids(&o))
        goto cleanup;
    rg_report_params p = {.recdir = o.pos[0], .ids = o.ids, .n_ids = o.n_ids,
                          .audit_key = o.key, .by = o.byname, .out_path = o.out};
    rg_report_result res;
    rg_err e = rg_report_write(&p, &res, err);
    if (e) {
        rg_acct_fail(&o, e, err);
        goto cleanup;
    }
    printf("%s: %d participants, %d notices (%d matched in the audit log), %d "
           "audit lines, audit chain %s\n", o.out, res.participants, res.notices,
           res.notices_matched, res.audit_lines, res.chain_ok ? "intact" : "BROKEN");
    rc = 0;
cleanup:
    rg_acct_free(&o);
    return rc;
}
