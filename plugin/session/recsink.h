/* Recording: the capture sink that turns what passed the gate into one
 * recording directory (docs/recording-layout.md):
 *
 *   RECDIR/recording.json    clear metadata, no personal data
 *   RECDIR/audit.log         the session's tamper-evident audit log
 *   RECDIR/manifest.json.age names, chat transcript, consent evidence
 *   RECDIR/keyring/, tracks/ the vault: per-track keys and sealed segments
 *
 * Each capture span of a participant is one track: PCM is encoded to
 * Ogg/Opus (Opus is muxed as is) by the capture module and every byte goes
 * straight into the vault, encrypted. Nothing plaintext touches the disk. */
#ifndef RG_RECSINK_H
#define RG_RECSINK_H

#include <stdint.h>
#include "audit.h"
#include "policy.h"
#include "sink.h"

typedef struct rg_recording rg_recording;

typedef struct rg_recording_params {
    const char *out_dir;              /* parent folder; created if missing */
    const rg_policy *policy;          /* [borrowed] */
    const rg_meeting_type *type;      /* [borrowed] */
    const char *const *recipients;    /* organisation "age1..." recipients */
    size_t n_recipients;
    const uint8_t *audit_key;         /* RG_AUDIT_KEY_LEN bytes [copied] */
} rg_recording_params;

/* Create a new recording directory under out_dir with its audit log and
 * vault. *out [owned]: hand it to the session with rg_session_set_sink
 * (ctx) and rg_recording_sink_ops; the session then owns it. */
rg_err rg_recording_create(const rg_recording_params *p, rg_recording **out,
                           char *errbuf);

/* The sink table (ctx = the rg_recording). */
const rg_sink_ops *rg_recording_sink_ops(void);

/* [borrowed] the audit log, for rg_session_set_audit. */
rg_audit *rg_recording_audit(rg_recording *r);

/* [borrowed] the recording's directory and id. */
const char *rg_recording_dir(const rg_recording *r);
const char *rg_recording_id(const rg_recording *r);

/* Free without a session (only before rg_session_set_sink). */
void rg_recording_free(rg_recording *r);

/* rg_session_params.out_dir: make the recording folder (audit log, vault)
 * for session `s` and attach it as the session's sink and audit log; *dir
 * [borrowed] is the folder. Any failure means nothing may be recorded. */
rg_err rg_recording_attach(rg_session *s, const rg_session_params *params,
                           const char **dir, char *errbuf);

#endif
