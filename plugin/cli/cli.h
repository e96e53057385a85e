/* The `recgate` command: one function per sub-command, in plugin/cli/cmd_*.c.
 * Each gets argv starting at the sub-command's name and returns the
 * process exit status: 0 ok, 1 the operation failed or was refused,
 * 2 bad usage. Errors go to stderr as "recgate CMD: what went wrong". */
#ifndef RG_CLI_H
#define RG_CLI_H

#include <stddef.h>
#include "agekey.h"
#include "cli_usage.h"

/* One per docs/cli/NAME.txt (the generated RG_CLI_COMMANDS table). */
#define RG_CLI_DECLARE(id, name, summary) int rg_cmd_##id(int argc, char **argv);
RG_CLI_COMMANDS(RG_CLI_DECLARE)

/* Load and concatenate identity files (--identity ...); prints the error
 * as "recgate CMD: ...". *ids [owned]: rg_agekey_free_identities. */
rg_err rg_cli_load_identities(const char *cmd, const char *const *paths,
                              size_t np, rg_age_identity **ids, size_t *n);

#endif
