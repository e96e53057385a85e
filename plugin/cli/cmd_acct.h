/* Option parsing shared by the accountability commands (withdraw, dsr,
 * hold, release, purge, report): CLI-only, not part of librecgate. */
#ifndef RG_CMD_ACCT_H
#define RG_CMD_ACCT_H

#include <stdbool.h>
#include <stdint.h>
#include "agekey.h"
#include "audit.h"
#include "policy.h"
#include "recdir.h"

#define RG_ACCT_MAX_IDS 16

typedef struct rg_acct_opts {
    const char *cmd;                  /* "withdraw", "dsr export", ... */
    const char *pos[2];
    int npos;
    const char *participant, *mode, *audit_key, *config, *by, *out;
    const char *reason, *until, *now;
    const char *idpaths[RG_ACCT_MAX_IDS];
    int nid;
    bool dry_run;
    rg_age_identity *ids;             /* [owned] after rg_acct_load_ids */
    size_t n_ids;
    uint8_t key[RG_AUDIT_KEY_LEN];    /* after rg_acct_load_key */
    rg_policy *policy;                /* [owned] with --config, else NULL */
    char byname[RG_RECDIR_BY_MAX];
} rg_acct_opts;

/* Parse argv[1..]: `allowed` lists the options this command takes (e.g.
 * "participant,mode,identity,audit-key,config,by"); npos positionals are
 * required. On a usage error prints "recgate CMD: ..." and `usage` (the
 * generated RG_USAGE_* text) and
 * returns 2; otherwise 0. */
int rg_acct_parse(rg_acct_opts *o, const char *cmd, int argc, char **argv,
                  const char *allowed, int npos, const char *usage);
/* Load every --identity file (0, or 1 printing the error). */
int rg_acct_load_ids(rg_acct_opts *o);
/* Load the audit key (--audit-key or --config) and resolve `by`. */
int rg_acct_load_key(rg_acct_opts *o);
/* Print "recgate CMD: msg" (msg falls back to rg_strerror(err)); 1. */
int rg_acct_fail(const rg_acct_opts *o, rg_err err, const char *msg);
void rg_acct_free(rg_acct_opts *o);

/* After a withdrawal or purge of RECDIR: delete the remote copies (the
 * destroyed tracks, or everything when `whole`) from the policy's upload
 * destinations (--config), bounded in time and audited. Best effort: a
 * failure is reported (returns 1) and left in the upload journal. */
int rg_acct_remote_delete(rg_acct_opts *o, const char *recdir, bool whole);
/* Refuse (1, message printed) when RECDIR has remote copies (journal or
 * audit log say so) but no policy with destinations was given. */
int rg_acct_remote_check(rg_acct_opts *o, const char *recdir);

#endif
