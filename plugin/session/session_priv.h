/* Session internals shared with the core (runner, recording writer), not
 * part of the public ABI. */
#ifndef RG_SESSION_PRIV_H
#define RG_SESSION_PRIV_H

#include "recgate/session.h"
#include "audit.h"
#include "sink.h"

/* Attach the capture sink before the first event; the session takes
 * ownership of ctx (sink->destroy is called by rg_session_free). */
rg_err rg_session_set_sink(rg_session *s, const rg_sink_ops *sink, void *ctx);

/* Log every decision to `log` [borrowed, must outlive the session]; `key`
 * [copied] pseudonymises participant ids. Call before the first event: it
 * writes session_start at once. A failed append fails the gate closed. */
rg_err rg_session_set_audit(rg_session *s, rg_audit *log,
                            const uint8_t key[RG_AUDIT_KEY_LEN]);

/* Pseudonym of a participant id under the session's audit key
 * ("p-" + 16 hex), or the id itself without an audit log. */
/* How the timeline names participant `id`: their display name, with the id
 * added when another participant has the same name; `id` itself when
 * unknown. Written into buf (RG_WHO_LEN), which is returned. */
#define RG_WHO_LEN 192
const char *rg_session_who(const rg_session *s, const char *id, char *buf);

void rg_session_pseudonym(const rg_session *s, const char *id,
                          char out[RG_PSEUDONYM_LEN]);

/* The manifest: personal data of the session as JSON (names, transcript
 * with the bot's notices, consent evidence). *json [owned]. */
rg_err rg_session_manifest_json(const rg_session *s, char **json);

/* "recorded" | "refused" | "deleted" */
const char *rg_session_decision(const rg_session *s);

#endif
