/* Session: glues the platform's events to the consent engine, the
 * classifier, the announcements and the capture sink. The engine decides;
 * the session carries out its actions and keeps the record of what passed
 * the gate (the summary). Fails closed on every error. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "announce.h"
#include "classify.h"
#include "consent.h"
#include "policy.h"
#include "recgate/session.h"
#include "session_priv.h"

typedef struct span {
    int64_t from_ms, to_ms;
} span;

typedef struct member {
    char *id;      /* [owned] platform id */
    char *name;    /* [owned] display name (personal data: memory only) */
    rg_role role;
    bool present;
    bool capturing;    /* engine said capture; frames may pass */
    bool span_started; /* a frame passed since the capture started */
    bool removed;      /* on_withdrawal = remove_participant */
    void *track;       /* sink track while capturing */
    span *spans;
    size_t n_spans, cap_spans;
} member;

struct rg_session {
    const rg_policy *policy;
    const rg_meeting_type *type;
    char *meeting_id;
    rg_host_ops host;
    void *host_ctx;
    rg_classifier *classifier;
    rg_consent *engine;
    const rg_sink_ops *sink;
    void *sink_ctx;
    member *members;
    size_t n_members, cap_members;
    int64_t last_t;
    int64_t left_at;
    bool left;
    bool ended;
    bool deleted;
    bool stopped;
    bool gate_opened_before;
    int announcements, announcements_failed, objections, consents;
    rg_reason final_reason;
};

static void timeline(rg_session *s, int64_t t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void timeline(rg_session *s, int64_t t, const char *fmt, ...)
{
    if (!s->host.timeline)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    s->host.timeline(s->host_ctx, t, line);
}

static void set_err(char *errbuf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_err(char *errbuf, const char *fmt, ...)
{
    if (!errbuf)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, RG_ERRBUF_SIZE, fmt, ap);
    va_end(ap);
}

rg_err rg_session_new(const rg_session_params *params, rg_session **out,
                      char *errbuf)
{
    if (!params || !out || !params->policy || !params->host)
        return RG_ERR_ARG;
    if (params->api_version != RG_SESSION_API_VERSION ||
        params->struct_size < sizeof(rg_session_params) ||
        params->host->api_version != RG_SESSION_API_VERSION ||
        params->host->struct_size < sizeof(rg_host_ops)) {
        set_err(errbuf, "session: unsupported API version or struct size");
        return RG_ERR_VERSION;
    }
    if (!params->host->send_chat || !params->host->leave) {
        set_err(errbuf, "session: host callbacks send_chat and leave are required");
        return RG_ERR_ARG;
    }
    const rg_meeting_type *type =
        rg_policy_type(params->policy, params->meeting_type);
    if (!type) {
        set_err(errbuf, "meeting type '%s' is not defined in the policy %s",
                params->meeting_type ? params->meeting_type : "(default)",
                params->policy->origin ? params->policy->origin : "");
        return RG_ERR_NOT_FOUND;
    }
    rg_err err = RG_ERR_NOMEM;
    rg_session *s = calloc(1, sizeof *s);
    if (!s)
        return RG_ERR_NOMEM;
    s->policy = params->policy;
    s->type = type;
    s->host = *params->host;
    s->host_ctx = params->host_ctx;
    s->last_t = 0;
    s->meeting_id = strdup(params->meeting_id ? params->meeting_id : "");
    if (!s->meeting_id)
        goto cleanup;
    err = rg_classifier_new(params->policy->extra_objection,
                            params->policy->extra_consent, &s->classifier,
                            errbuf);
    if (err)
        goto cleanup;
    rg_consent_rules rules;
    rg_consent_rules_from_type(type, &rules);
    err = rg_consent_new(&rules, &s->engine);
    if (err)
        goto cleanup;
    *out = s;
    return RG_OK;
cleanup:
    rg_session_free(s);
    return err;
}

rg_err rg_session_set_sink(rg_session *s, const rg_sink_ops *sink, void *ctx)
{
    if (!s || s->n_members || s->last_t)
        return RG_ERR_STATE; /* only before the meeting starts */
    s->sink = sink;
    s->sink_ctx = ctx;
    return RG_OK;
}

void rg_session_free(rg_session *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_members; i++) {
        free(s->members[i].id);
        free(s->members[i].name);
        free(s->members[i].spans);
    }
    free(s->members);
    if (s->sink && s->sink->destroy)
        s->sink->destroy(s->sink_ctx);
    rg_consent_free(s->engine);
    rg_classifier_free(s->classifier);
    free(s->meeting_id);
    free(s);
}

static member *find_member(const rg_session *s, const char *id)
{
    for (size_t i = 0; i < s->n_members; i++)
        if (strcmp(s->members[i].id, id) == 0)
            return &s->members[i];
    return NULL;
}

static rg_err add_member(rg_session *s, const char *id, const char *name,
                         rg_role role, member **out)
{
    if (s->n_members == s->cap_members) {
        size_t cap = s->cap_members ? s->cap_members * 2 : 8;
        member *nm = realloc(s->members, cap * sizeof *nm);
        if (!nm)
            return RG_ERR_NOMEM;
        s->members = nm;
        s->cap_members = cap;
    }
    member *m = &s->members[s->n_members];
    memset(m, 0, sizeof *m);
    m->id = strdup(id);
    m->name = strdup(name ? name : id);
    if (!m->id || !m->name) {
        free(m->id);
        free(m->name);
        return RG_ERR_NOMEM;
    }
    m->role = role;
    s->n_members++;
    *out = m;
    return RG_OK;
}

/* Time goes forward only; anything else is a broken platform. */
static rg_err check_time(rg_session *s, int64_t t)
{
    if (t < s->last_t || t < 0)
        return RG_ERR_ARG;
    s->last_t = t;
    return RG_OK;
}

/* Events after the bot left or the meeting ended change nothing. */
static bool closed(const rg_session *s) { return s->left || s->ended; }

rg_err rg_session_joined(rg_session *s, int64_t t_ms, const char *id,
                         const char *name, rg_role role)
{
    if (!s || !id || !*id)
        return RG_ERR_ARG;
    rg_err err = check_time(s, t_ms);
    if (err || closed(s))
        return err;
    member *m = find_member(s, id);
    if (!m && (err = add_member(s, id, name, role, &m)))
        return err;
    m->present = true;
    timeline(s, t_ms, "%s joined%s", id, role == RG_ROLE_HOST ? " (host)" : "");
    return rg_consent_join(s->engine, t_ms, id, role == RG_ROLE_HOST);
}

rg_err rg_session_left(rg_session *s, int64_t t_ms, const char *id)
{
    if (!s || !id)
        return RG_ERR_ARG;
    rg_err err = check_time(s, t_ms);
    if (err || closed(s))
        return err;
    member *m = find_member(s, id);
    if (!m || !m->present)
        return RG_ERR_NOT_FOUND;
    m->present = false;
    timeline(s, t_ms, "%s left", id);
    return rg_consent_leave(s->engine, t_ms, id);
}

/* Best effort: replies after the fact are courtesy, not a legal duty. */
static void say(rg_session *s, int64_t t, const char *to, rg_notice kind)
{
    char *text = NULL;
    if (rg_announce_text(s->policy, s->type, kind, &text) != RG_OK)
        return;
    rg_err err = s->host.send_chat(s->host_ctx, to, text);
    if (err)
        timeline(s, t, "could not send a message to %s: %s",
                 to ? to : "everyone", rg_strerror(err));
    free(text);
}

rg_err rg_session_chat(rg_session *s, int64_t t_ms, const char *from_id,
                       const char *text, bool is_private)
{
    if (!s || !from_id || !text)
        return RG_ERR_ARG;
    rg_err err = check_time(s, t_ms);
    if (err || closed(s))
        return err;
    rg_intent intent = RG_INTENT_OBJECTION;
    /* A message that cannot be classified counts as an objection. */
    if (rg_classify(s->classifier, s->type->language, text, strlen(text),
                    &intent) != RG_OK)
        intent = RG_INTENT_OBJECTION;
    if (intent == RG_INTENT_NONE)
        return RG_OK;
    if (intent == RG_INTENT_OBJECTION)
        s->objections++;
    else
        s->consents++;
    timeline(s, t_ms, "%s wrote %s: %s", from_id,
             is_private ? "privately to the bot" : "in the chat",
             rg_intent_name(intent));
    err = rg_consent_intent(s->engine, t_ms, from_id, intent);
    if (!err && intent == RG_INTENT_CONSENT &&
        s->type->basis == RG_BASIS_CONSENT)
        say(s, t_ms, from_id, RG_NOTICE_CONSENT_ACK);
    return err;
}

static rg_err span_close(member *m)
{
    m->capturing = false;
    m->span_started = false;
    return RG_OK;
}

static rg_err capture_start(rg_session *s, int64_t t, member *m)
{
    m->capturing = true;
    m->span_started = false;
    timeline(s, t, "capture starts: %s", m->id);
    if (s->sink && s->sink->track_start)
        return s->sink->track_start(s->sink_ctx, m->id, t, &m->track);
    return RG_OK;
}

static rg_err capture_stop(rg_session *s, int64_t t, member *m)
{
    rg_err err = RG_OK;
    span_close(m);
    timeline(s, t, "capture stops: %s", m->id);
    if (s->sink && s->sink->track_stop && m->track)
        err = s->sink->track_stop(s->sink_ctx, m->track, t);
    m->track = NULL;
    return err;
}

static void leave(rg_session *s, int64_t t, const char *why)
{
    if (s->left)
        return;
    s->left = true;
    s->left_at = t;
    timeline(s, t, "bot leaves: %s", why);
    rg_err err = s->host.leave(s->host_ctx, why);
    if (err)
        timeline(s, t, "leaving failed: %s", rg_strerror(err));
}

static rg_err apply(rg_session *s, const rg_action *a)
{
    member *m = a->participant ? find_member(s, a->participant) : NULL;
    rg_err err = RG_OK;
    switch (a->kind) {
    case RG_ACT_GATE_OPEN:
        timeline(s, a->t_ms, "gate open: recording %s",
                 s->gate_opened_before ? "resumes (host present)" : "starts");
        say(s, a->t_ms, NULL,
            s->gate_opened_before ? RG_NOTICE_RESUMED : RG_NOTICE_STARTED);
        s->gate_opened_before = true;
        break;
    case RG_ACT_GATE_CLOSE:
        timeline(s, a->t_ms, "gate closed: %s", rg_reason_text(a->reason));
        say(s, a->t_ms, NULL, RG_NOTICE_PAUSED_NO_HOST);
        break;
    case RG_ACT_CAPTURE_START:
        if (m)
            err = capture_start(s, a->t_ms, m);
        break;
    case RG_ACT_CAPTURE_STOP:
        if (m)
            err = capture_stop(s, a->t_ms, m);
        break;
    case RG_ACT_OBJECTION_NOTED:
        timeline(s, a->t_ms,
                 "objection from %s logged; recording continues (documentation)",
                 a->participant ? a->participant : "?");
        say(s, a->t_ms, NULL, RG_NOTICE_OBJECTION_LOGGED);
        if (a->participant)
            say(s, a->t_ms, a->participant, RG_NOTICE_OBJECTION_ACK);
        break;
    case RG_ACT_REFUSE:
        s->final_reason = a->reason;
        timeline(s, a->t_ms, "refused: %s", rg_reason_text(a->reason));
        say(s, a->t_ms, NULL,
            a->reason == RG_REASON_NO_CONSENT ? RG_NOTICE_NO_CONSENT
                                              : RG_NOTICE_REFUSED);
        leave(s, a->t_ms, rg_reason_text(a->reason));
        break;
    case RG_ACT_STOP:
        s->final_reason = a->reason;
        s->stopped = true;
        timeline(s, a->t_ms, "recording stopped for good: %s",
                 rg_reason_text(a->reason));
        say(s, a->t_ms, NULL, RG_NOTICE_STOPPED);
        leave(s, a->t_ms, rg_reason_text(a->reason));
        break;
    case RG_ACT_DELETE_RECORDING:
        s->deleted = true;
        timeline(s, a->t_ms, "on_withdrawal: the recording is deleted");
        if (s->sink && s->sink->delete_recording)
            err = s->sink->delete_recording(s->sink_ctx);
        break;
    case RG_ACT_REMOVE_PARTICIPANT:
        if (m) {
            m->removed = true;
            timeline(s, a->t_ms, "on_withdrawal: %s is removed from the recording",
                     m->id);
            if (s->sink && s->sink->remove_participant)
                err = s->sink->remove_participant(s->sink_ctx, m->id);
        }
        break;
    case RG_ACT_END:
        if (rg_consent_ever_opened(s->engine) && !s->left)
            say(s, a->t_ms, NULL, RG_NOTICE_ENDED);
        break;
    }
    return err;
}

/* Carry out actions; any failure fails the gate closed and decides again.
 * A second failure while already failing closed only stops capture. */
static rg_err apply_all(rg_session *s, int64_t t, const rg_action *acts,
                        size_t n)
{
    rg_err first = RG_OK;
    for (size_t i = 0; i < n; i++) {
        rg_err err = apply(s, &acts[i]);
        if (err && !first)
            first = err;
    }
    if (first && !closed(s)) {
        timeline(s, t, "capture failed (%s): failing closed", rg_strerror(first));
        rg_consent_fail(s->engine, t);
        size_t n2 = 0;
        const rg_action *acts2 = NULL;
        if (rg_consent_decide(s->engine, t, &acts2, &n2) == RG_OK)
            for (size_t i = 0; i < n2; i++)
                (void)apply(s, &acts2[i]);
    }
    /* Whatever happened, nobody the engine does not allow is captured. */
    for (size_t i = 0; i < s->n_members; i++)
        if (s->members[i].capturing &&
            !rg_consent_may_capture(s->engine, s->members[i].id))
            span_close(&s->members[i]);
    return first;
}

rg_err rg_session_tick(rg_session *s, int64_t t_ms)
{
    if (!s)
        return RG_ERR_ARG;
    rg_err err = check_time(s, t_ms);
    if (err || closed(s))
        return err;
    const char *to;
    while (rg_consent_pending_notice(s->engine, &to)) {
        char *text = NULL;
        bool delivered = false;
        err = rg_announce_text(s->policy, s->type,
                               to ? RG_NOTICE_LATE_JOINER : RG_NOTICE_PUBLIC,
                               &text);
        if (!err)
            delivered = s->host.send_chat(s->host_ctx, to, text) == RG_OK;
        free(text);
        if (delivered)
            s->announcements++;
        else
            s->announcements_failed++;
        timeline(s, t_ms, "notice %s%s %s", to ? "privately to " : "to everyone",
                 to ? to : "", delivered ? "delivered" : "NOT delivered: fail closed");
        err = rg_consent_notice_result(s->engine, t_ms, to, delivered);
        if (err)
            return err;
    }
    const rg_action *acts = NULL;
    size_t n = 0;
    err = rg_consent_decide(s->engine, t_ms, &acts, &n);
    rg_err err2 = apply_all(s, t_ms, acts, n);
    return err ? err : err2;
}

rg_err rg_session_media(rg_session *s, int64_t t_ms, const char *id,
                        const rg_media_frame *frame, bool *passed)
{
    if (passed)
        *passed = false;
    if (!s || !id || !frame)
        return RG_ERR_ARG;
    rg_err err = check_time(s, t_ms);
    if (err || closed(s))
        return err;
    member *m = find_member(s, id);
    /* The engine is the only authority; the member flag mirrors it. */
    if (!m || !m->present || !m->capturing ||
        !rg_consent_may_capture(s->engine, id))
        return RG_OK;
    if (s->sink && s->sink->frame && m->track) {
        err = s->sink->frame(s->sink_ctx, m->track, t_ms, frame);
        if (err) {
            timeline(s, t_ms, "capture of %s failed: %s", id, rg_strerror(err));
            rg_consent_fail(s->engine, t_ms);
            const rg_action *acts = NULL;
            size_t n = 0;
            if (rg_consent_decide(s->engine, t_ms, &acts, &n) == RG_OK)
                apply_all(s, t_ms, acts, n);
            return err;
        }
    }
    int64_t end = t_ms + frame->duration_ms;
    if (m->span_started && m->n_spans) {
        m->spans[m->n_spans - 1].to_ms = end;
    } else {
        if (m->n_spans == m->cap_spans) {
            size_t cap = m->cap_spans ? m->cap_spans * 2 : 4;
            span *ns = realloc(m->spans, cap * sizeof *ns);
            if (!ns)
                return RG_ERR_NOMEM;
            m->spans = ns;
            m->cap_spans = cap;
        }
        m->spans[m->n_spans++] = (span){t_ms, end};
        m->span_started = true;
    }
    if (passed)
        *passed = true;
    return RG_OK;
}

rg_err rg_session_end(rg_session *s, int64_t t_ms)
{
    if (!s)
        return RG_ERR_ARG;
    if (s->ended)
        return RG_OK;
    if (t_ms < s->last_t)
        t_ms = s->last_t;
    s->last_t = t_ms;
    const rg_action *acts = NULL;
    size_t n = 0;
    rg_err err = rg_consent_end(s->engine, t_ms, &acts, &n);
    rg_err err2 = apply_all(s, t_ms, acts, n);
    s->ended = true;
    if (!s->final_reason)
        s->final_reason = rg_consent_reason(s->engine);
    timeline(s, t_ms, "meeting ended");
    if (s->sink && s->sink->finish) {
        char *json = NULL;
        if (rg_session_summary_json(s, &json) == RG_OK) {
            rg_err e3 = s->sink->finish(s->sink_ctx, t_ms, json);
            if (e3 && !err2)
                err2 = e3;
        }
        free(json);
    }
    return err ? err : err2;
}

bool rg_session_finished(const rg_session *s) { return s && (s->left || s->ended); }

const char *rg_session_decision(const rg_session *s)
{
    if (s->deleted)
        return "deleted";
    return rg_consent_ever_opened(s->engine) ? "recorded" : "refused";
}

/* Why the session ended as it did, in one line for the summary. */
static void reason_text(const rg_session *s, char *buf, size_t len)
{
    bool opened = rg_consent_ever_opened(s->engine);
    const char *basis_text = "";
    switch (s->type->basis) {
    case RG_BASIS_OPT_OUT:
        basis_text = "every participant was informed and none objected within the window";
        break;
    case RG_BASIS_CONSENT:
        basis_text = "every participant consented";
        break;
    case RG_BASIS_DOCUMENTATION:
        basis_text = "recorded for documentation after every participant was informed";
        break;
    }
    if (s->deleted)
        snprintf(buf, len, "%s during the recording; on_withdrawal deleted it",
                 rg_reason_text(s->final_reason));
    else if (opened && s->final_reason != RG_REASON_NONE)
        snprintf(buf, len, "%s; recording stopped early: %s", basis_text,
                 rg_reason_text(s->final_reason));
    else if (!opened)
        snprintf(buf, len, "%s", s->final_reason != RG_REASON_NONE
                                     ? rg_reason_text(s->final_reason)
                                     : "the gate never opened");
    else
        snprintf(buf, len, "%s", basis_text);
}

/* Seconds with millisecond precision, as a JSON number. */
static cJSON *seconds(int64_t ms) { return cJSON_CreateNumber((double)ms / 1000.0); }

rg_err rg_session_summary_json(const rg_session *s, char **json)
{
    if (!s || !json)
        return RG_ERR_ARG;
    rg_err err = RG_ERR_NOMEM;
    cJSON *o = cJSON_CreateObject();
    cJSON *captured = cJSON_CreateArray();
    cJSON *removed = cJSON_CreateArray();
    if (!o || !captured || !removed)
        goto cleanup;
    cJSON_AddStringToObject(o, "meeting_id", s->meeting_id);
    cJSON_AddStringToObject(o, "meeting_type", s->type->name);
    cJSON_AddStringToObject(o, "legal_basis", rg_basis_name(s->type->basis));
    cJSON_AddStringToObject(o, "decision", rg_session_decision(s));
    char why[256];
    reason_text(s, why, sizeof why);
    cJSON_AddStringToObject(o, "reason", why);
    for (size_t i = 0; i < s->n_members; i++) {
        const member *m = &s->members[i];
        for (size_t k = 0; k < m->n_spans; k++) {
            cJSON *sp = cJSON_CreateObject();
            if (!sp)
                goto cleanup;
            cJSON_AddItemToArray(captured, sp);
            cJSON_AddStringToObject(sp, "participant", m->id);
            cJSON_AddItemToObject(sp, "from", seconds(m->spans[k].from_ms));
            cJSON_AddItemToObject(sp, "to", seconds(m->spans[k].to_ms));
        }
        if (m->removed)
            cJSON_AddItemToArray(removed, cJSON_CreateString(m->id));
    }
    cJSON_AddItemToObject(o, "captured", captured);
    captured = NULL;
    cJSON_AddNumberToObject(o, "announcements", s->announcements);
    cJSON_AddNumberToObject(o, "objections", s->objections);
    cJSON_AddNumberToObject(o, "consents", s->consents);
    cJSON_AddNumberToObject(o, "announcements_failed", s->announcements_failed);
    cJSON_AddItemToObject(o, "removed_participants", removed);
    removed = NULL;
    if (s->left)
        cJSON_AddItemToObject(o, "bot_left_at", seconds(s->left_at));
    *json = cJSON_PrintUnformatted(o);
    err = *json ? RG_OK : RG_ERR_NOMEM;
cleanup:
    cJSON_Delete(captured);
    cJSON_Delete(removed);
    cJSON_Delete(o);
    return err;
}
