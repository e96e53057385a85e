/* The `recgate` command: one function per sub-command, in plugin/cmd_*.c.
 * Each gets argv starting at the sub-command's name and returns the
 * process exit status: 0 ok, 1 the operation failed or was refused,
 * 2 bad usage. Errors go to stderr as "recgate CMD: what went wrong". */
#ifndef RG_CLI_H
#define RG_CLI_H

#include <stddef.h>
#include "agekey.h"

int rg_cmd_announce(int argc, char **argv);
int rg_cmd_classify(int argc, char **argv);
int rg_cmd_run(int argc, char **argv);
int rg_cmd_audit(int argc, char **argv);
int rg_cmd_keygen(int argc, char **argv);
int rg_cmd_decrypt(int argc, char **argv);
int rg_cmd_export(int argc, char **argv);
int rg_cmd_verify(int argc, char **argv);
int rg_cmd_shred(int argc, char **argv);
int rg_cmd_withdraw(int argc, char **argv);
int rg_cmd_dsr(int argc, char **argv);
int rg_cmd_hold(int argc, char **argv);
int rg_cmd_release(int argc, char **argv);
int rg_cmd_purge(int argc, char **argv);
int rg_cmd_report(int argc, char **argv);
int rg_cmd_upload(int argc, char **argv);
int rg_cmd_serve(int argc, char **argv);
int rg_cmd_worker(int argc, char **argv);

/* Load and concatenate identity files (--identity ...); prints the error
 * as "recgate CMD: ...". *ids [owned]: rg_agekey_free_identities. */
rg_err rg_cli_load_identities(const char *cmd, const char *const *paths,
                              size_t np, rg_age_identity **ids, size_t *n);

#endif
