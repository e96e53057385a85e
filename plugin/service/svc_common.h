/* Pieces `recgate serve` and `recgate worker` share: the bearer token, the
 * bot's executable, a private scratch folder, the platform check, and
 * waiting for SIGINT/SIGTERM. */
#ifndef RG_SVC_COMMON_H
#define RG_SVC_COMMON_H

#include <stdbool.h>
#include <signal.h>
#include "recgate/error.h"

/* Read a bearer token from a file only its owner may read (mode 0600 or
 * stricter); at least 16 characters, trailing newline dropped.
 * *token [owned]: free with rg_svc_token_free (wiped). */
rg_err rg_svc_token_load(const char *path, char **token, char *errbuf);
void rg_svc_token_free(char *token);

/* The running recgate executable, into buf. */
rg_err rg_svc_self(char *buf, size_t size, char *errbuf);

/* dir given: create it 0700 if missing (it must then be ours and private);
 * NULL: a fresh mkdtemp folder. Path into buf. */
rg_err rg_svc_state_dir(const char *dir, char *buf, size_t size, char *errbuf);

/* rg_shim_open for a platform name: the built-in ones, or a module in the
 * shim directory ($RECGATE_SHIM_DIR, else the installation's). */
rg_err rg_svc_open_platform(const char *name, char *errbuf);

/* Block SIGINT/SIGTERM (call before starting threads, so only sigwait sees
 * them) and wait for one of them; returns the signal. */
void rg_svc_block_signals(sigset_t *set);
int rg_svc_wait_signal(const sigset_t *set);

#endif
