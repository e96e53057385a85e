/* recgate withdraw RECDIR --participant ID --mode delete|anonymize
 *                  [--identity ORG_KEY] (--audit-key KEY | --config FILE) [--by NAME]
 * A participant regrets: delete the recording, or make them unrecognisable
 * in it (docs/accountability.md). Idempotent; completes an interrupted
 * withdrawal first. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "cmd_acct.h"
#include "withdraw.h"

#define USAGE RG_USAGE_withdraw

int rg_cmd_withdraw(int argc, char **argv)
{
    rg_acct_opts o;
    char err[RG_ERRBUF_SIZE] = "";
    int rc = rg_acct_parse(&o, "withdraw", argc, argv,
                           "participant,mode,identity,audit-key,config,by", 1, USAGE);
    if (rc)
        return rc;
    if (!o.participant || !o.mode) {
        fprintf(stderr, "recgate withdraw: --participant and --mode are required\n"
                        "%s", USAGE);
        return 2;
    }
    rg_withdraw_mode mode;
    if (!strcmp(o.mode, "delete"))
        mode = RG_WITHDRAW_MODE_DELETE;
    else if (!strcmp(o.mode, "anonymize") || !strcmp(o.mode, "anonymise"))
        mode = RG_WITHDRAW_MODE_ANONYMIZE;
    else {
        fprintf(stderr, "recgate withdraw: --mode: expected delete or anonymize, "
                        "got '%s'\n", o.mode);
        return 2;
    }
    rc = 1;
    if (rg_acct_load_key(&o) || rg_acct_load_ids(&o))
        goto cleanup;
    /* Copies on a server must not be silently left behind. */
    if (rg_acct_remote_check(&o, o.pos[0]))
        goto cleanup;
    rg_withdraw_params p = {
        .recdir = o.pos[0], .participant = o.participant, .mode = mode,
        .ids = o.ids, .n_ids = o.n_ids, .audit_key = o.key, .by = o.byname,
    };
    rg_withdraw_result res;
    rg_err e = rg_withdraw(&p, &res, err);
    if (e) {
        rg_acct_fail(&o, e, err);
        goto cleanup;
    }
    if (res.resumed)
        printf("%s: an interrupted withdrawal was completed first\n", o.pos[0]);
    if (res.already)
        printf("%s: participant %s (%s): already %s; nothing to do\n", o.pos[0],
               o.participant, res.pseudonym,
               mode == RG_WITHDRAW_MODE_DELETE ? "deleted" : "withdrawn");
    else if (mode == RG_WITHDRAW_MODE_DELETE)
        printf("%s: recording deleted at the request of %s: %d track keys "
               "shredded, %d files removed; the audit log and recording.json "
               "remain until retention ends\n",
               o.pos[0], res.pseudonym, res.tracks, res.files);
    else
        printf("%s: participant %s anonymised: %d tracks crypto-shredded "
               "(%d files removed), %s\n", o.pos[0], res.pseudonym, res.tracks,
               res.files, res.no_manifest
               ? "tracks found in the audit log (the recording was cut short "
                 "and has no manifest, so no name or chat to remove)"
               : "name and chat lines removed from the manifest");
    /* Withdrawal reaches the copies: crypto-shredding made them unreadable,
     * the upload destinations (with --config) delete them too. */
    rc = rg_acct_remote_delete(&o, o.pos[0], mode == RG_WITHDRAW_MODE_DELETE);
cleanup:
    rg_acct_free(&o);
    return rc;
}
