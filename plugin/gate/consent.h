/* Consent engine: the pure state machine that decides, for every
 * participant and every instant, whether their media may be captured.
 *
 * No I/O, no clock, no allocation after setup except for new participants:
 * time is injected (ms since the bot joined), and the engine returns
 * actions for the session to carry out. The rules and the state diagram are
 * in docs/consent.md; every rule has a unit test in tests/unit/test_consent.c.
 *
 * One decision round at time t (what rg_session_tick does):
 *   1. feed the events of time t: rg_consent_join / _leave / _intent;
 *   2. rg_consent_pending_notice() until it returns false: deliver each
 *      notice and report with rg_consent_notice_result();
 *   3. rg_consent_decide(t): the actions, in the order to carry them out. */
#ifndef RG_CONSENT_H
#define RG_CONSENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "classify.h"
#include "policy.h"
#include "recgate/error.h"

typedef struct rg_consent_rules {
    rg_basis basis;
    int64_t window_ms;
    bool require_host;
    bool continue_on_objection;  /* documentation only */
    rg_on_withdrawal on_withdrawal;
} rg_consent_rules;

/* Rules of a meeting type. */
void rg_consent_rules_from_type(const rg_meeting_type *t, rg_consent_rules *r);

typedef enum rg_meeting_state {
    RG_MEETING_WAITING = 0, /* informed, window running, gate never opened */
    RG_MEETING_RECORDING,   /* gate opened: cleared participants captured */
    RG_MEETING_REFUSED,     /* final: never recorded; the bot leaves */
    RG_MEETING_STOPPED,     /* final: capture stopped for good; the bot leaves */
    RG_MEETING_ENDED        /* final: the meeting ended */
} rg_meeting_state;

typedef enum rg_action_kind {
    RG_ACT_GATE_OPEN,        /* the recording starts (first time) or resumes */
    RG_ACT_GATE_CLOSE,       /* paused: no host present */
    RG_ACT_CAPTURE_START,    /* participant: capture from now */
    RG_ACT_CAPTURE_STOP,     /* participant: capture stops now */
    RG_ACT_OBJECTION_NOTED,  /* documentation + continue_on_objection */
    RG_ACT_REFUSE,           /* final: no recording; reason set; leave */
    RG_ACT_STOP,             /* final: capture stopped for everyone; leave */
    RG_ACT_DELETE_RECORDING, /* on_withdrawal = delete_recording */
    RG_ACT_REMOVE_PARTICIPANT, /* on_withdrawal = remove_participant */
    RG_ACT_END               /* the meeting ended (rg_consent_end) */
} rg_action_kind;

typedef enum rg_reason {
    RG_REASON_NONE = 0,
    RG_REASON_OBJECTION,           /* someone wrote an objection */
    RG_REASON_NO_CONSENT,          /* consent window ended without a yes */
    RG_REASON_NOTICE_FAILED,       /* a notice could not be delivered */
    RG_REASON_MEETING_ENDED,       /* ended before the gate could open */
    RG_REASON_NO_HOST,             /* (pause) no host present */
    RG_REASON_ERROR                /* something in the gate erred */
} rg_reason;

typedef struct rg_action {
    rg_action_kind kind;
    int64_t t_ms;
    const char *participant; /* [borrowed] engine-owned id, or NULL */
    rg_reason reason;
} rg_action;

typedef struct rg_consent rg_consent;

rg_err rg_consent_new(const rg_consent_rules *rules, rg_consent **out);
void rg_consent_free(rg_consent *c);

/* Events. Ids are copied. Calls after a final state are ignored (RG_OK).
 * The role is that of the latest join (a host rejoining as a guest is a
 * guest from then on). */
rg_err rg_consent_join(rg_consent *c, int64_t t_ms, const char *id, bool host);
rg_err rg_consent_leave(rg_consent *c, int64_t t_ms, const char *id);
/* A classified chat message (public or private: they count the same).
 * A consent from someone whose notice has not been delivered yet (in an
 * earlier round) is ignored: only a yes after being informed counts. Ask
 * rg_consent_informed() first to log it as ignored. */
rg_err rg_consent_intent(rg_consent *c, int64_t t_ms, const char *id,
                         rg_intent intent);
/* Something in the gate failed (e.g. capture could not start): fail
 * closed exactly like an objection that nothing can override. */
rg_err rg_consent_fail(rg_consent *c, int64_t t_ms);

/* The next notice to deliver: *to = NULL means the public notice to
 * everyone, otherwise a private notice to that participant ([borrowed]).
 * Returns false when there is none. */
bool rg_consent_pending_notice(const rg_consent *c, const char **to);
/* Report the delivery of the notice returned by rg_consent_pending_notice.
 * An undelivered PRIVATE notice is not final while the person's own window
 * (from their arrival) runs: it is due again a second later, and once more
 * when the window has run; only that last failure fails closed. Meanwhile
 * the person is present and not informed: they block the gate and are
 * never captured. */
rg_err rg_consent_notice_result(rg_consent *c, int64_t t_ms, const char *to,
                                bool delivered);
/* Would a failed delivery of the private notice to `to` at t be retried
 * (not final)? Lets the caller keep futile attempts out of its records. */
bool rg_consent_notice_retrying(const rg_consent *c, int64_t t_ms, const char *to);

/* Decide at time t. *actions [borrowed] stays valid until the next call
 * into the engine; *n may be 0. */
rg_err rg_consent_decide(rg_consent *c, int64_t t_ms, const rg_action **actions,
                         size_t *n);
/* The meeting ended at t: closes all capture; actions as for decide. */
rg_err rg_consent_end(rg_consent *c, int64_t t_ms, const rg_action **actions,
                      size_t *n);

/* May this participant's media be captured right now (after the last
 * decide)? */
bool rg_consent_may_capture(const rg_consent *c, const char *id);
/* Has a notice reached this participant (so a consent from them counts)? */
bool rg_consent_informed(const rg_consent *c, const char *id);
/* Is this participant's latest join as host? */
bool rg_consent_is_host(const rg_consent *c, const char *id);
rg_meeting_state rg_consent_state(const rg_consent *c);
/* Reason of the final decision (or RG_REASON_NONE). */
rg_reason rg_consent_reason(const rg_consent *c);
/* Did the gate ever open? */
bool rg_consent_ever_opened(const rg_consent *c);

const char *rg_meeting_state_name(rg_meeting_state s);
const char *rg_action_name(rg_action_kind k);
const char *rg_reason_text(rg_reason r);
/* Short machine code for logs: "objection", "no_consent", ... */
const char *rg_reason_code(rg_reason r);

#endif
