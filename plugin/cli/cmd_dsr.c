/* recgate dsr export RECDIR --participant ID --identity ORG_KEY -o DIR
 *                    (--audit-key KEY | --config FILE) [--by NAME]
 * A participant's access request (Art. 15): their tracks, chat lines and
 * audit entries, nothing about anyone else (docs/accountability.md). */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "cmd_acct.h"
#include "dsr.h"

#define USAGE RG_USAGE_dsr

int rg_cmd_dsr(int argc, char **argv)
{
    rg_acct_opts o;
    char err[RG_ERRBUF_SIZE] = "";
    if (argc < 2 || strcmp(argv[1], "export")) {
        fprintf(stderr, "recgate dsr: unknown or missing sub-command%s%s\n"
                "%s", argc >= 2 ? ": " : "",
                argc >= 2 ? argv[1] : "", USAGE);
        return 2;
    }
    int rc = rg_acct_parse(&o, "dsr export", argc - 1, argv + 1,
                           "participant,identity,output,audit-key,config,by", 1, USAGE);
    if (rc)
        return rc;
    if (!o.participant || !o.out || o.nid == 0) {
        fprintf(stderr, "recgate dsr export: --participant, --identity and -o "
                        "are required\n%s", USAGE);
        return 2;
    }
    rc = 1;
    if (rg_acct_load_key(&o) || rg_acct_load_ids(&o))
        goto cleanup;
    rg_dsr_params p = {.recdir = o.pos[0], .participant = o.participant,
                       .ids = o.ids, .n_ids = o.n_ids, .audit_key = o.key,
                       .by = o.byname, .out_dir = o.out};
    rg_dsr_result res;
    rg_err e = rg_dsr_export(&p, &res, err);
    if (e) {
        rg_acct_fail(&o, e, err);
        goto cleanup;
    }
    printf("%s: access request for %s (%s): %d tracks, %d chat lines, %d audit "
           "lines%s; plaintext, keep it safe and delete it after delivery\n",
           o.out, o.participant, res.pseudonym, res.tracks, res.chat_lines,
           res.audit_lines, res.withdrawn ? " (withdrawn: audit entries only)" : "");
    rc = 0;
cleanup:
    rg_acct_free(&o);
    return rc;
}
