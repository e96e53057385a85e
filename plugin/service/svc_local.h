/* The embedded runner of `recgate serve` without --nats: meetings are kept
 * in memory and each runs as a bot process of this machine (svc_child),
 * at most `max_meetings` at once, the rest queued by join time. */
#ifndef RG_SVC_LOCAL_H
#define RG_SVC_LOCAL_H

#include "svc_backend.h"
#include "svc_child.h"

typedef struct rg_svc_local rg_svc_local;

/* cfg [borrowed] must outlive the runner. */
rg_err rg_svc_local_new(const rg_svc_run_cfg *cfg, int max_meetings,
                        rg_svc_local **out, char *errbuf);
rg_svc_backend rg_svc_local_backend(rg_svc_local *l);
/* Stop taking meetings, ask every bot to leave properly, wait for them. */
void rg_svc_local_shutdown(rg_svc_local *l);
void rg_svc_local_free(rg_svc_local *l);

#endif
