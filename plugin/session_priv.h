/* Session internals shared with the core (runner, recording writer), not
 * part of the public ABI. */
#ifndef RG_SESSION_PRIV_H
#define RG_SESSION_PRIV_H

#include "recgate/session.h"
#include "sink.h"

/* Attach the capture sink before the first event; the session takes
 * ownership of ctx (sink->destroy is called by rg_session_free). */
rg_err rg_session_set_sink(rg_session *s, const rg_sink_ops *sink, void *ctx);

/* "recorded" | "refused" | "deleted" */
const char *rg_session_decision(const rg_session *s);

#endif
