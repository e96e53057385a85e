/* Consent engine — see consent.h and docs/consent.md. Pure: no I/O, no
 * clock. Every function either updates state or appends actions. */
#include <stdlib.h>
#include <string.h>
#include "consent.h"
#include "idmap.h"

typedef enum notice_state { NOTICE_PENDING, NOTICE_DELIVERED, NOTICE_FAILED } notice_state;

/* An undelivered private notice is tried again this often until the
 * person's own window has run (their chat user may appear later). */
#define NOTICE_RETRY_MS 1000

typedef struct participant {
    char *id;                 /* [owned] */
    bool host;                /* the role of the latest join */
    bool ever_guest;          /* joined as a guest at least once */
    int64_t guest_since;      /* host -> guest change (consent deadline) */
    bool present;
    notice_state notice;      /* private notice, or the public one at join */
    bool notice_due;          /* a notice must be tried for this participant */
    bool notice_failure_seen; /* its failure was acted on */
    int64_t due_since;        /* when the notice became due (retry deadline base) */
    int64_t retry_at;         /* > 0: undelivered so far, try again then */
    bool last_try;            /* the try at the deadline: its failure is final */
    int64_t informed_at;
    bool consented;
    bool objection_pending;   /* an objection not yet acted on */
    bool no_consent_seen;     /* consent deadline already acted on */
    bool capturing;
    bool ever_captured;
} participant;

struct rg_consent {
    rg_consent_rules rules;
    rg_meeting_state state;
    rg_reason reason;
    notice_state public_notice;
    int64_t public_at;        /* when the public notice was delivered */
    bool ever_opened;
    bool gate_open;
    participant *people;
    size_t n_people, cap_people;
    rg_idmap ids;              /* id -> index in people: O(1) per frame */
    rg_action *actions;
    size_t n_actions, cap_actions;
};

void rg_consent_rules_from_type(const rg_meeting_type *t, rg_consent_rules *r)
{
    r->basis = t->basis;
    r->window_ms = (int64_t)t->window_s * 1000;
    r->require_host = t->require_host;
    r->continue_on_objection =
        t->basis == RG_BASIS_DOCUMENTATION && t->continue_on_objection;
    r->on_withdrawal = t->on_withdrawal;
}

rg_err rg_consent_new(const rg_consent_rules *rules, rg_consent **out)
{
    if (!rules || !out || rules->window_ms < 0)
        return RG_ERR_ARG;
    rg_consent *c = calloc(1, sizeof *c);
    if (!c)
        return RG_ERR_NOMEM;
    c->rules = *rules;
    c->state = RG_MEETING_WAITING;
    c->public_notice = NOTICE_PENDING;
    *out = c;
    return RG_OK;
}

void rg_consent_free(rg_consent *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_people; i++)
        free(c->people[i].id);
    free(c->people);
    rg_idmap_free(&c->ids);
    free(c->actions);
    free(c);
}

static bool is_final(const rg_consent *c)
{
    return c->state == RG_MEETING_REFUSED || c->state == RG_MEETING_STOPPED ||
           c->state == RG_MEETING_ENDED;
}

static participant *find(const rg_consent *c, const char *id)
{
    size_t i;
    return rg_idmap_get(&c->ids, id, &i) ? &c->people[i] : NULL;
}

/* Find or add; a new participant is not present until joined. */
static rg_err find_or_add(rg_consent *c, const char *id, participant **out)
{
    participant *p = find(c, id);
    if (!p) {
        if (c->n_people == c->cap_people) {
            size_t cap = c->cap_people ? c->cap_people * 2 : 8;
            participant *np = realloc(c->people, cap * sizeof *np);
            if (!np)
                return RG_ERR_NOMEM;
            c->people = np;
            c->cap_people = cap;
        }
        char *copy = strdup(id);
        if (!copy)
            return RG_ERR_NOMEM;
        if (rg_idmap_put(&c->ids, copy, c->n_people) != RG_OK) {
            free(copy);
            return RG_ERR_NOMEM;
        }
        p = &c->people[c->n_people++];
        memset(p, 0, sizeof *p);
        p->id = copy;
        p->notice = NOTICE_PENDING;
    }
    *out = p;
    return RG_OK;
}

/* Actions are appended while deciding. If this fails we are out of memory
 * in the middle of a decision: the caller fails closed. */
static rg_err push(rg_consent *c, rg_action_kind kind, int64_t t,
                   const participant *p, rg_reason reason)
{
    if (c->n_actions == c->cap_actions) {
        size_t cap = c->cap_actions ? c->cap_actions * 2 : 16;
        rg_action *na = realloc(c->actions, cap * sizeof *na);
        if (!na)
            return RG_ERR_NOMEM;
        c->actions = na;
        c->cap_actions = cap;
    }
    c->actions[c->n_actions++] =
        (rg_action){kind, t, p ? p->id : NULL, reason};
    return RG_OK;
}

rg_err rg_consent_join(rg_consent *c, int64_t t_ms, const char *id, bool host)
{
    if (!c || !id)
        return RG_ERR_ARG;
    if (is_final(c))
        return RG_OK;
    participant *p;
    rg_err err = find_or_add(c, id, &p);
    if (err)
        return err;
    p->present = true;
    /* Roles follow the latest join: a host who comes back as a guest is a
     * guest (no longer keeps the gate open, must consent like one); once a
     * guest, a participant keeps the guest rules for their own window. */
    if (p->host && !host)
        p->guest_since = t_ms;
    p->host = host;
    if (!host)
        p->ever_guest = true;
    /* Rejoining keeps the earlier status: only the never-informed are due;
     * the retry deadline runs from this arrival. */
    if (p->notice == NOTICE_PENDING && !p->notice_due) {
        p->notice_due = true;
        p->due_since = t_ms;
        p->retry_at = 0;
        p->last_try = false;
    }
    return RG_OK;
}

rg_err rg_consent_leave(rg_consent *c, int64_t t_ms, const char *id)
{
    if (!c || !id)
        return RG_ERR_ARG;
    (void)t_ms;
    participant *p = find(c, id);
    if (p) {
        p->present = false;
        if (p->notice == NOTICE_PENDING)
            p->notice_due = false; /* gone before being reached: no more tries */
    }
    return RG_OK;
}

rg_err rg_consent_intent(rg_consent *c, int64_t t_ms, const char *id,
                         rg_intent intent)
{
    if (!c || !id)
        return RG_ERR_ARG;
    if (is_final(c) || intent == RG_INTENT_NONE)
        return RG_OK;
    participant *p;
    /* Even a stranger's objection counts: fail closed. */
    rg_err err = find_or_add(c, id, &p);
    if (err)
        return err;
    (void)t_ms;
    if (intent == RG_INTENT_OBJECTION)
        p->objection_pending = true;
    else if (intent == RG_INTENT_CONSENT && p->notice == NOTICE_DELIVERED)
        p->consented = true; /* a yes before being informed is no yes */
    return RG_OK;
}

rg_err rg_consent_fail(rg_consent *c, int64_t t_ms)
{
    if (!c)
        return RG_ERR_ARG;
    (void)t_ms;
    if (!is_final(c))
        c->reason = RG_REASON_ERROR; /* acted on in the next decide */
    return RG_OK;
}

bool rg_consent_pending_notice(const rg_consent *c, const char **to)
{
    if (!c || is_final(c))
        return false;
    if (c->public_notice == NOTICE_PENDING) {
        *to = NULL;
        return true;
    }
    for (size_t i = 0; i < c->n_people; i++) {
        const participant *p = &c->people[i];
        if (p->present && p->notice_due) {
            *to = p->id;
            return true;
        }
    }
    return false;
}

static void mark_notice(participant *p, int64_t t_ms, bool delivered)
{
    p->notice_due = false;
    p->notice = delivered ? NOTICE_DELIVERED : NOTICE_FAILED;
    if (delivered)
        p->informed_at = t_ms;
}

rg_err rg_consent_notice_result(rg_consent *c, int64_t t_ms, const char *to,
                                bool delivered)
{
    if (!c)
        return RG_ERR_ARG;
    if (!to) {
        if (c->public_notice != NOTICE_PENDING)
            return RG_ERR_STATE;
        c->public_notice = delivered ? NOTICE_DELIVERED : NOTICE_FAILED;
        c->public_at = t_ms;
        /* The public notice informs everyone present when it is posted. */
        for (size_t i = 0; i < c->n_people; i++)
            if (c->people[i].present && c->people[i].notice_due)
                mark_notice(&c->people[i], t_ms, delivered);
        return RG_OK;
    }
    participant *p = find(c, to);
    if (!p || !p->notice_due)
        return RG_ERR_STATE;
    if (!delivered && rg_consent_notice_retrying(c, t_ms, to)) {
        p->notice_due = false;
        p->retry_at = t_ms + NOTICE_RETRY_MS;
        return RG_OK;
    }
    mark_notice(p, t_ms, delivered);
    return RG_OK;
}

bool rg_consent_notice_retrying(const rg_consent *c, int64_t t_ms, const char *to)
{
    const participant *p = c && to ? find(c, to) : NULL;
    return p && p->notice == NOTICE_PENDING && !p->last_try && c->rules.window_ms > 0 &&
           t_ms < p->due_since + c->rules.window_ms;
}

/* Undelivered private notices: due again at their retry time; one last try
 * when the person's window has run (its failure is final). */
static void schedule_retries(rg_consent *c, int64_t t)
{
    for (size_t i = 0; i < c->n_people; i++) {
        participant *p = &c->people[i];
        if (!p->present || p->notice != NOTICE_PENDING || p->notice_due || !p->retry_at)
            continue;
        if (t >= p->due_since + c->rules.window_ms) {
            p->last_try = true;
            p->notice_due = true;
        } else if (t >= p->retry_at) {
            p->notice_due = true;
        }
    }
}

/* Host rule: cleared as soon as informed. Only for someone who has been
 * host in every join: a guest who rejoins as host keeps their window. */
static bool host_rule(const participant *p)
{
    return p->host && !p->ever_guest;
}

static bool cleared(const rg_consent *c, const participant *p, int64_t t)
{
    if (p->notice != NOTICE_DELIVERED)
        return false;
    if (host_rule(p))
        return true; /* records on the controller's behalf: consent implied */
    switch (c->rules.basis) {
    case RG_BASIS_CONSENT:
        return p->consented;
    case RG_BASIS_OPT_OUT:
    case RG_BASIS_DOCUMENTATION:
        return t >= p->informed_at + c->rules.window_ms;
    }
    return false;
}

/* An objection or anything equivalent: refuses before the start, stops
 * for good after it. `overridable` objections are only logged when a
 * documentation meeting type continues on objection. */
static rg_err fail_closed(rg_consent *c, int64_t t, participant *p,
                          rg_reason reason, bool overridable)
{
    rg_err err = RG_OK;
    if (overridable && c->rules.continue_on_objection)
        return push(c, RG_ACT_OBJECTION_NOTED, t, p, reason);
    c->reason = reason;
    if (c->state == RG_MEETING_WAITING) {
        c->state = RG_MEETING_REFUSED;
        return push(c, RG_ACT_REFUSE, t, p, reason);
    }
    for (size_t i = 0; i < c->n_people && !err; i++) {
        if (c->people[i].capturing) {
            c->people[i].capturing = false;
            err = push(c, RG_ACT_CAPTURE_STOP, t, &c->people[i], reason);
        }
    }
    c->gate_open = false;
    c->state = RG_MEETING_STOPPED;
    if (!err)
        err = push(c, RG_ACT_STOP, t, p, reason);
    if (!err && p && p->ever_captured &&
        (reason == RG_REASON_OBJECTION || reason == RG_REASON_NO_CONSENT))
        err = push(c,
                   c->rules.on_withdrawal == RG_WITHDRAW_REMOVE_PARTICIPANT
                       ? RG_ACT_REMOVE_PARTICIPANT
                       : RG_ACT_DELETE_RECORDING,
                   t, p, reason);
    return err;
}

static bool host_ok(const rg_consent *c)
{
    if (!c->rules.require_host)
        return true;
    for (size_t i = 0; i < c->n_people; i++)
        if (c->people[i].present && c->people[i].host &&
            c->people[i].notice == NOTICE_DELIVERED)
            return true;
    return false;
}

/* Objections, failed notices and expired consent windows, in roster order. */
static rg_err judge_objections(rg_consent *c, int64_t t)
{
    rg_err err = RG_OK;
    if (c->reason == RG_REASON_ERROR)
        return fail_closed(c, t, NULL, RG_REASON_ERROR, false);
    if (c->public_notice == NOTICE_FAILED && c->state == RG_MEETING_WAITING)
        return fail_closed(c, t, NULL, RG_REASON_NOTICE_FAILED, false);
    for (size_t i = 0; i < c->n_people && !err && !is_final(c); i++) {
        participant *p = &c->people[i];
        if (p->notice == NOTICE_FAILED && !p->notice_failure_seen) {
            /* The duty to inform is never overridable. */
            p->notice_failure_seen = true;
            err = fail_closed(c, t, p, RG_REASON_NOTICE_FAILED, false);
        } else if (p->objection_pending) {
            p->objection_pending = false;
            err = fail_closed(c, t, p, RG_REASON_OBJECTION, true);
        } else if (c->rules.basis == RG_BASIS_CONSENT && p->present &&
                   !host_rule(p) && !p->consented && !p->no_consent_seen &&
                   p->notice == NOTICE_DELIVERED &&
                   t >= (p->guest_since > p->informed_at ? p->guest_since
                                                         : p->informed_at) +
                            c->rules.window_ms) {
            /* Silence is not consent: an expired window counts as "no". */
            p->no_consent_seen = true;
            err = fail_closed(c, t, p, RG_REASON_NO_CONSENT, false);
        }
    }
    return err;
}

/* Someone is present and every present participant is cleared. */
static bool everyone_cleared(const rg_consent *c, int64_t t)
{
    bool anyone = false;
    for (size_t i = 0; i < c->n_people; i++) {
        const participant *p = &c->people[i];
        if (!p->present)
            continue;
        anyone = true;
        if (!cleared(c, p, t))
            return false;
    }
    return anyone;
}

/* Nobody, host included, is captured before the window has run for the
 * meeting (from the public notice). Only explicit consent from everyone
 * present who needs it (consent mode, at least one) may open it earlier. */
static bool meeting_window_ran(const rg_consent *c, int64_t t)
{
    if (c->public_notice == NOTICE_DELIVERED && t >= c->public_at + c->rules.window_ms)
        return true;
    if (c->rules.basis != RG_BASIS_CONSENT)
        return false;
    bool guest = false;
    for (size_t i = 0; i < c->n_people; i++) {
        const participant *p = &c->people[i];
        if (p->present && !host_rule(p)) {
            if (!p->consented)
                return false;
            guest = true;
        }
    }
    return guest;
}

static rg_err open_gate_if_ready(rg_consent *c, int64_t t)
{
    if (!everyone_cleared(c, t) || !host_ok(c) || !meeting_window_ran(c, t))
        return RG_OK;
    c->state = RG_MEETING_RECORDING;
    c->ever_opened = true;
    c->gate_open = true;
    return push(c, RG_ACT_GATE_OPEN, t, NULL, RG_REASON_NONE);
}

static rg_err update_capture(rg_consent *c, int64_t t)
{
    rg_err err = RG_OK;
    bool hosted = host_ok(c);
    if (c->gate_open && !hosted) {
        c->gate_open = false;
        err = push(c, RG_ACT_GATE_CLOSE, t, NULL, RG_REASON_NO_HOST);
    } else if (!c->gate_open && hosted) {
        c->gate_open = true;
        err = push(c, RG_ACT_GATE_OPEN, t, NULL, RG_REASON_NONE);
    }
    for (size_t i = 0; i < c->n_people && !err; i++) {
        participant *p = &c->people[i];
        bool want = c->gate_open && p->present && cleared(c, p, t);
        if (want && !p->capturing) {
            p->capturing = p->ever_captured = true;
            err = push(c, RG_ACT_CAPTURE_START, t, p, RG_REASON_NONE);
        } else if (!want && p->capturing) {
            p->capturing = false;
            err = push(c, RG_ACT_CAPTURE_STOP, t, p,
                       p->present ? RG_REASON_NO_HOST : RG_REASON_NONE);
        }
    }
    return err;
}

rg_err rg_consent_decide(rg_consent *c, int64_t t_ms, const rg_action **actions,
                         size_t *n)
{
    if (!c || !actions || !n)
        return RG_ERR_ARG;
    c->n_actions = 0;
    rg_err err = RG_OK;
    if (!is_final(c)) {
        schedule_retries(c, t_ms);
        err = judge_objections(c, t_ms);
        if (!err && c->state == RG_MEETING_WAITING)
            err = open_gate_if_ready(c, t_ms);
        if (!err && c->state == RG_MEETING_RECORDING)
            err = update_capture(c, t_ms);
    }
    if (err) {
        /* Out of memory mid-decision: nothing may be captured any more. */
        for (size_t i = 0; i < c->n_people; i++)
            c->people[i].capturing = false;
        c->state = c->ever_opened ? RG_MEETING_STOPPED : RG_MEETING_REFUSED;
        c->reason = RG_REASON_ERROR;
    }
    *actions = c->actions;
    *n = c->n_actions;
    return err;
}

rg_err rg_consent_end(rg_consent *c, int64_t t_ms, const rg_action **actions,
                      size_t *n)
{
    if (!c || !actions || !n)
        return RG_ERR_ARG;
    c->n_actions = 0;
    rg_err err = RG_OK;
    if (!is_final(c)) {
        if (c->state == RG_MEETING_WAITING)
            c->reason = everyone_cleared(c, t_ms) && !host_ok(c)
                            ? RG_REASON_NO_HOST
                            : RG_REASON_MEETING_ENDED;
        for (size_t i = 0; i < c->n_people && !err; i++) {
            if (c->people[i].capturing) {
                c->people[i].capturing = false;
                err = push(c, RG_ACT_CAPTURE_STOP, t_ms, &c->people[i],
                           RG_REASON_NONE);
            }
        }
        c->state = RG_MEETING_ENDED;
        c->gate_open = false;
        if (!err)
            err = push(c, RG_ACT_END, t_ms, NULL, c->reason);
    }
    *actions = c->actions;
    *n = c->n_actions;
    return err;
}

bool rg_consent_may_capture(const rg_consent *c, const char *id)
{
    if (!c || !id || c->state != RG_MEETING_RECORDING || !c->gate_open)
        return false;
    const participant *p = find(c, id);
    return p && p->capturing;
}

bool rg_consent_informed(const rg_consent *c, const char *id)
{
    const participant *p = c && id ? find(c, id) : NULL;
    return p && p->notice == NOTICE_DELIVERED;
}

bool rg_consent_is_host(const rg_consent *c, const char *id)
{
    const participant *p = c && id ? find(c, id) : NULL;
    return p && p->host;
}

rg_meeting_state rg_consent_state(const rg_consent *c) { return c->state; }
rg_reason rg_consent_reason(const rg_consent *c) { return c->reason; }
bool rg_consent_ever_opened(const rg_consent *c) { return c->ever_opened; }

const char *rg_meeting_state_name(rg_meeting_state s)
{
    static const char *const names[] = {"waiting", "recording", "refused",
                                        "stopped", "ended"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

const char *rg_action_name(rg_action_kind k)
{
    static const char *const names[] = {
        "gate_open",     "gate_close", "capture_start",   "capture_stop",
        "objection_noted", "refuse",   "stop",            "delete_recording",
        "remove_participant", "end"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

const char *rg_reason_text(rg_reason r)
{
    switch (r) {
    case RG_REASON_NONE: return "";
    case RG_REASON_OBJECTION: return "a participant objected";
    case RG_REASON_NO_CONSENT: return "a participant did not consent within the window";
    case RG_REASON_NOTICE_FAILED: return "the recording notice could not be delivered";
    case RG_REASON_MEETING_ENDED: return "the meeting ended before recording could start";
    case RG_REASON_NO_HOST: return "no host present";
    case RG_REASON_ERROR: return "capture, storage or logging failed: stopped to fail closed";
    }
    return "?";
}

const char *rg_reason_code(rg_reason r)
{
    static const char *const codes[] = {"none",          "objection",
                                        "no_consent",    "announcement_undelivered",
                                        "meeting_ended", "no_host",
                                        "error"};
    return (unsigned)r < sizeof codes / sizeof codes[0] ? codes[r] : "?";
}
