/* Chrome DevTools Protocol over --remote-debugging-pipe: the browser reads
 * commands on its fd 3 and writes replies and events on its fd 4, each
 * message one JSON text ended by a NUL byte. No WebSocket, no Node.
 *
 * One reader thread splits the pipe into messages and queues them; every
 * command is sent, and every reply awaited, on the caller's thread. */
#ifndef RG_BROWSER_CDP_H
#define RG_BROWSER_CDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <cjson/cJSON.h>
#include "recgate/error.h"

/* A message larger than this is dropped whole (counted): a page cannot
 * make the bot allocate without bound. */
#define RG_CDP_MAX_MSG (8u << 20)

typedef struct rg_cdp rg_cdp;

/* One message from the browser, or the end of the pipe (json == NULL). */
typedef struct rg_cdp_msg {
    cJSON *json;   /* [owned] */
    int64_t at_us; /* when it was read (monotonic) */
} rg_cdp_msg;

void rg_cdp_msg_free(rg_cdp_msg *m);

/* Start `argv[0]` (argv NULL-terminated) with the pipes on fds 3 and 4,
 * its stderr to `stderr_path` (or /dev/null), in its own process group,
 * killed if we die. */
rg_err rg_cdp_start(char *const argv[], const char *stderr_path, rg_cdp **out,
                    char *errbuf);
/* Send a command; session NULL = the browser. Returns its id or 0. The
 * reply arrives as a message with that id (see rg_cdp_call). */
int rg_cdp_send(rg_cdp *c, const char *session, const char *method, cJSON *params);
/* Send and wait for the reply; every other message read meanwhile goes to
 * the backlog (rg_cdp_next returns it first). *result [owned] = the
 * reply's "result". RG_ERR_NETWORK on timeout or a closed pipe,
 * RG_ERR_NETWORK on an error reply (errbuf names it). params [owned]. */
rg_err rg_cdp_call(rg_cdp *c, const char *session, const char *method, cJSON *params,
                   int timeout_ms, cJSON **result, char *errbuf);
/* The next message (backlog first), waiting up to timeout_us. NULL when
 * none came; a message with json == NULL when the pipe closed. */
rg_cdp_msg *rg_cdp_next(rg_cdp *c, int64_t timeout_us);
/* Push a message back to the front of the backlog. */
void rg_cdp_unread(rg_cdp *c, rg_cdp_msg *m);
bool rg_cdp_closed(const rg_cdp *c);
uint64_t rg_cdp_dropped(const rg_cdp *c);
pid_t rg_cdp_pid(const rg_cdp *c);
/* Ask the browser to close (Browser.close), wait up to wait_ms for it to
 * exit, then kill its process group; join the reader; free. */
void rg_cdp_stop(rg_cdp *c, int wait_ms);

int64_t rg_cdp_now_us(void);

#endif
