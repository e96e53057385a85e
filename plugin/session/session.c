/* Session: glues the platform's events to the consent engine, the
 * classifier, the announcements and the capture sink. The engine decides;
 * the session carries out its actions and keeps the record of what passed
 * the gate (the summary). Fails closed on every error. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include "errfmt.h"
#include "announce.h"
#include "audit.h"
#include "classify.h"
#include "consent.h"
#include "policy.h"
#include "recgate/recgate.h"
#include "session_priv.h"
#include "recsink.h"
#include "recgate/shim.h"
#include "session_state.h"


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

/* Tell a following service the meeting's state (rg_host_ops.state). */
static void state(rg_session *s, int64_t t, const char *st, const char *detail)
{
    if (s->host.state)
        s->host.state(s->host_ctx, t, st, detail);
}



/* Take an injected sink (recgate/sink.h): a checked copy of its table. */
static rg_err inject_sink(rg_session *s, const rg_sink_ops *sink, void *ctx, char *errbuf)
{
    if (sink->api_version != RG_SINK_API_VERSION ||
        sink->struct_size < RG_SHIM_FIELD_END(rg_sink_ops, track_stop))
        return rg_errorf(errbuf, RG_ERR_VERSION, "session: sink table of version %u, "
                         "%u bytes: want version %u", sink->api_version,
                         sink->struct_size, RG_SINK_API_VERSION);
    memcpy(&s->sink_tab, sink, sink->struct_size < sizeof s->sink_tab
                                   ? sink->struct_size : sizeof s->sink_tab);
    s->sink_tab.struct_size = sizeof s->sink_tab;
    /* Owned from here on, whatever happens next. */
    s->sink = &s->sink_tab;
    s->sink_ctx = ctx;
    const char *missing = !sink->track_start ? "track_start" : !sink->frame ? "frame"
                          : !sink->track_stop ? "track_stop" : NULL;
    if (missing)
        return rg_errorf(errbuf, RG_ERR_ARG, "session: sink without mandatory callback %s",
                         missing);
    return RG_OK;
}

rg_err rg_session_new(const rg_session_params *in, rg_session **out,
                      char *errbuf)
{
    /* Append-safe: an older, smaller table reads as zero past its end. */
    rg_session_params pcopy;
    memset(&pcopy, 0, sizeof pcopy);
    if (in && in->api_version == RG_SESSION_API_VERSION &&
        in->struct_size >= RG_SESSION_PARAMS_MIN_SIZE)
        memcpy(&pcopy, in, in->struct_size < sizeof pcopy ? in->struct_size : sizeof pcopy);
    const rg_session_params *params = &pcopy;
    rg_err err = RG_ERR_ARG;
    if (!in || !out || !in->policy || !in->host)
        goto refused;
    if (in->api_version != RG_SESSION_API_VERSION ||
        in->struct_size < RG_SESSION_PARAMS_MIN_SIZE ||
        params->host->api_version != RG_SESSION_API_VERSION ||
        params->host->struct_size < RG_SHIM_FIELD_END(rg_host_ops, leave)) {
        rg_errbuf(errbuf, "session: unsupported API version or struct size");
        err = RG_ERR_VERSION;
        goto refused;
    }
    if (!params->host->send_chat || !params->host->leave) {
        rg_errbuf(errbuf, "session: host callbacks send_chat and leave are required");
        goto refused;
    }
    if (params->sink && params->out_dir) {
        rg_errbuf(errbuf, "session: give a sink or out_dir, not both");
        goto refused;
    }
    const rg_meeting_type *type =
        rg_policy_type(params->policy, params->meeting_type);
    if (!type) {
        rg_errbuf(errbuf, "meeting type '%s' is not defined in the policy %s",
                params->meeting_type ? params->meeting_type : "(default)",
                params->policy->origin ? params->policy->origin : "");
        err = RG_ERR_NOT_FOUND;
        goto refused;
    }
    if (params->mixed_audio_id && type->continue_on_objection) {
        rg_errbuf(errbuf, "meeting type '%s' continues on objection, but this platform gives "
                  "one mixed audio track of everyone: an objector could not be left out of it, "
                  "so any objection must stop the recording", type->name ? type->name : "(default)");
        err = RG_ERR_REFUSED;
        goto refused;
    }
    if (params->mixed_audio_id && type->on_withdrawal == RG_WITHDRAW_REMOVE_PARTICIPANT) {
        rg_errbuf(errbuf, "meeting type '%s' asks on_withdrawal: remove_participant, but this "
                  "platform gives one mixed audio track of everyone: one person cannot be "
                  "removed from it (use a type with on_withdrawal: delete_recording)",
                  type->name ? type->name : "(default)");
        err = RG_ERR_REFUSED;
        goto refused;
    }
    err = RG_ERR_NOMEM;
    rg_session *s = calloc(1, sizeof *s);
    if (!s)
        goto refused;
    memcpy(&s->host, params->host, params->host->struct_size < sizeof s->host
                                       ? params->host->struct_size : sizeof s->host);
    s->host.struct_size = sizeof s->host;
    if (params->sink && (err = inject_sink(s, params->sink, params->sink_ctx, errbuf))) {
        rg_session_free(s);
        return err;
    }
    err = RG_ERR_NOMEM;
    s->policy = params->policy;
    if (params->mixed_audio_id && !(s->mixed_id = strdup(params->mixed_audio_id)))
        goto cleanup;
    s->type = type;
    s->host_ctx = params->host_ctx;
    s->last_t = 0;
    s->alone_since = -1;
    s->stop = params->stop; /* NULL from an older caller's table */
    /* Fields past an older caller's table read as NULL (pcopy). */
    s->request_id = params->request_id ? strdup(params->request_id) : NULL;
    s->previous_recording =
        params->previous_recording ? strdup(params->previous_recording) : NULL;
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
    /* out_dir: the library's own sink, built by the recording module. */
    const char *dir = NULL;
    if (params->out_dir && (err = rg_recording_attach(s, params, &dir, errbuf)))
        goto cleanup;
    if (dir) {
        const char *slash = strrchr(dir, '/');
        timeline(s, 0, "recording to %s", dir);
        state(s, 0, "recording_id", slash ? slash + 1 : dir);
    }
    *out = s;
    return RG_OK;
cleanup:
    rg_session_free(s);
    return err;
refused:
    /* The injected sink is ours even when we refuse. */
    if (params->sink && params->sink->destroy)
        params->sink->destroy(params->sink_ctx);
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
        free(s->members[i].roles);
    }
    free(s->members);
    rg_idmap_free(&s->member_ids);
    for (size_t i = 0; i < s->n_chat; i++) {
        free(s->chat[i].from);
        free(s->chat[i].to);
        free(s->chat[i].text);
    }
    free(s->chat);
    OPENSSL_cleanse(s->audit_key, sizeof s->audit_key);
    if (s->sink && s->sink->destroy)
        s->sink->destroy(s->sink_ctx);
    rg_consent_free(s->engine);
    rg_classifier_free(s->classifier);
    free(s->meeting_id);
    free(s->mixed_id);
    for (size_t i = 0; i < s->n_speakers; i++)
        free(s->speakers[i].label);
    free(s->speakers);
    free(s->request_id);
    free(s->previous_recording);
    free(s);
}

static member *find_member(const rg_session *s, const char *id)
{
    size_t i;
    return rg_idmap_get(&s->member_ids, id, &i) ? &s->members[i] : NULL;
}

const char *rg_session_who(const rg_session *s, const char *id, char *buf)
{
    const member *m = s && id ? find_member(s, id) : NULL;
    int same = 0;
    for (size_t i = 0; m && i < s->n_members; i++)
        same += strcmp(s->members[i].name, m->name) == 0;
    if (!m || !strcmp(m->name, m->id))
        snprintf(buf, RG_WHO_LEN, "%s", id ? id : "?");
    else if (same > 1)
        snprintf(buf, RG_WHO_LEN, "%.120s [%.60s]", m->name, m->id);
    else
        snprintf(buf, RG_WHO_LEN, "%.180s", m->name);
    return buf;
}
/* The timeline shows people by name (the audit log never does). */
#define WHO(id) rg_session_who(s, (id), (char[RG_WHO_LEN]){0})

void rg_session_pseudonym(const rg_session *s, const char *id,
                          char out[RG_PSEUDONYM_LEN])
{
    if (!s->audit || rg_audit_pseudonym(s->audit_key, id, out) != RG_OK)
        snprintf(out, RG_PSEUDONYM_LEN, "%s", s->audit ? "p-?" : id);
}

/* Log one decision (fsync'd). The fields object is consumed. A failure is
 * returned so the caller fails closed: no decision without its record. */
static rg_err audit_ev(rg_session *s, const char *event, int64_t t, cJSON *fields)
{
    rg_err err = RG_OK;
    if (s->audit) {
        err = fields ? rg_audit_append(s->audit, event, fields, t, true)
                     : RG_ERR_NOMEM;
        if (err)
            timeline(s, t, "audit log write failed (%s): failing closed",
                     rg_strerror(err));
    }
    cJSON_Delete(fields);
    return err;
}

/* {"participant": pseudonym} plus an optional string member. */
static cJSON *who_fields(const rg_session *s, const char *id, const char *key,
                         const char *val)
{
    cJSON *f = cJSON_CreateObject();
    if (f && id) {
        char ps[RG_PSEUDONYM_LEN];
        rg_session_pseudonym(s, id, ps);
        cJSON_AddStringToObject(f, "participant", ps);
    }
    if (f && key)
        cJSON_AddStringToObject(f, key, val);
    return f;
}

static rg_err add_chat(rg_session *s, int64_t t, const char *from,
                       const char *to, const char *text, const char *label)
{
    if (s->n_chat == s->cap_chat) {
        size_t cap = s->cap_chat ? s->cap_chat * 2 : 16;
        chat_line *nc = realloc(s->chat, cap * sizeof *nc);
        if (!nc)
            return RG_ERR_NOMEM;
        s->chat = nc;
        s->cap_chat = cap;
    }
    chat_line *c = &s->chat[s->n_chat];
    c->t_ms = t;
    c->label = label;
    c->from = from ? strdup(from) : NULL;
    c->to = to ? strdup(to) : NULL;
    c->text = strdup(text);
    if ((from && !c->from) || (to && !c->to) || !c->text) {
        free(c->from);
        free(c->to);
        free(c->text);
        return RG_ERR_NOMEM;
    }
    s->n_chat++;
    return RG_OK;
}

/* Send one bot message `text` (built with `err`), keep it in the
 * transcript and log it. A message not delivered is kept out of the
 * records when `retry` (a private notice that will be tried again: only
 * its outcome is a decision). */
static rg_err send_text(rg_session *s, int64_t t, const char *to,
                        rg_notice kind, const rg_end_info *end, char *text,
                        rg_err err, bool *delivered, bool retry)
{
    *delivered = false;
    if (!err) {
        rg_err serr = s->host.send_chat(s->host_ctx, to, text);
        *delivered = serr == RG_OK;
        if (serr == RG_ERR_NETWORK && !s->lost) {
            s->lost = true;
            timeline(s, t, "the connection to the platform is lost");
        }
    }
    if (text && !*delivered && retry) {
        free(text);
        return err;
    }
    if (text) {
        uint8_t md[32];
        char hex[65];
        unsigned int mdlen = 0;
        EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
        rg_audit_hex(md, sizeof md, hex);
        cJSON *f = cJSON_CreateObject();
        if (f) {
            char ps[RG_PSEUDONYM_LEN];
            if (to)
                rg_session_pseudonym(s, to, ps);
            cJSON_AddStringToObject(f, "to", to ? ps : "all");
            cJSON_AddStringToObject(f, "kind", rg_notice_name(kind));
            if (end) {
                cJSON_AddStringToObject(f, "cause", rg_end_cause_name(end->cause));
                cJSON_AddStringToObject(f, "outcome",
                                        rg_end_outcome_name(end->outcome));
            }
            cJSON_AddStringToObject(f, "language", rg_lang_code(s->type->language));
            cJSON_AddStringToObject(f, "text_sha256", hex);
            cJSON_AddBoolToObject(f, "delivered", *delivered);
        }
        rg_err e2 = add_chat(s, t, NULL, to, text, rg_notice_name(kind));
        rg_err e3 = audit_ev(s, RG_AUDIT_EV_ANNOUNCEMENT, t, f);
        if (!err)
            err = e2 ? e2 : e3;
    }
    free(text);
    return err;
}

static rg_err send_logged(rg_session *s, int64_t t, const char *to,
                          rg_notice kind, bool *delivered)
{
    char *text = NULL;
    rg_err err = rg_announce_text(s->policy, s->type, kind, &text);
    return send_text(s, t, to, kind, NULL, text, err, delivered, false);
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
    if (!m->id || !m->name ||
        rg_idmap_put(&s->member_ids, m->id, s->n_members) != RG_OK) {
        free(m->id);
        free(m->name);
        return RG_ERR_NOMEM;
    }
    m->role = role;
    s->n_members++;
    *out = m;
    return RG_OK;
}

static rg_err add_role_change(member *m, int64_t t, rg_role role)
{
    if (m->n_roles == m->cap_roles) {
        size_t cap = m->cap_roles ? m->cap_roles * 2 : 2;
        role_change *nr = realloc(m->roles, cap * sizeof *nr);
        if (!nr)
            return RG_ERR_NOMEM;
        m->roles = nr;
        m->cap_roles = cap;
    }
    m->roles[m->n_roles++] = (role_change){t, role};
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
    s->had_someone = true;
    s->alone_since = -1;
    /* Roles follow the latest join (the engine applies it); the change is
     * part of the record: timeline, audit log, manifest. */
    bool changed = m->role != role;
    rg_role before = m->role;
    if (changed && (err = add_role_change(m, t_ms, role)))
        return err;
    m->role = role;
    timeline(s, t_ms, "%s joined%s%s", WHO(id), role == RG_ROLE_HOST ? " (host)" : "",
             !changed ? "" : role == RG_ROLE_HOST ? ": was a guest, now host"
                                                  : ": was host, now a guest");
    err = rg_consent_join(s->engine, t_ms, id, role == RG_ROLE_HOST);
    cJSON *jf = who_fields(s, id, "role", role == RG_ROLE_HOST ? "host" : "guest");
    if (jf && changed)
        cJSON_AddStringToObject(jf, "previous_role",
                                before == RG_ROLE_HOST ? "host" : "guest");
    rg_err e2 = audit_ev(s, RG_AUDIT_EV_JOIN, t_ms, jf);
    if (e2)
        rg_consent_fail(s->engine, t_ms);
    return err;
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
    timeline(s, t_ms, "%s left", WHO(id));
    bool anyone = false;
    for (size_t i = 0; i < s->n_members; i++)
        anyone = anyone || s->members[i].present;
    if (!anyone)
        s->alone_since = t_ms;
    err = rg_consent_leave(s->engine, t_ms, id);
    if (audit_ev(s, RG_AUDIT_EV_LEAVE, t_ms, who_fields(s, id, NULL, NULL)))
        rg_consent_fail(s->engine, t_ms);
    return err;
}

/* Replies after the fact are courtesy, not the legal notice: a message
 * that is not delivered changes nothing, but one that cannot be logged
 * fails the gate closed (returned). */
static rg_err say(rg_session *s, int64_t t, const char *to, rg_notice kind)
{
    bool delivered = false;
    rg_err err = send_logged(s, t, to, kind, &delivered);
    if (!delivered)
        timeline(s, t, "could not send a message to %s", to ? WHO(to) : "everyone");
    return err;
}

rg_err rg_session_chat(rg_session *s, int64_t t_ms, const char *from_id,
                       const char *text, bool is_private)
{
    if (!s || !from_id || !text || t_ms < 0)
        return RG_ERR_ARG;
    /* A message stamped before the previous event cannot be placed before
     * or after the gate: rejecting it could drop an objection, so it is
     * taken as an objection, now (fail closed). */
    bool out_of_order = t_ms < s->last_t;
    if (out_of_order)
        t_ms = s->last_t;
    rg_err err = check_time(s, t_ms);
    if (err || closed(s))
        return err;
    rg_intent intent = RG_INTENT_OBJECTION;
    /* A message that cannot be classified counts as an objection. */
    if (out_of_order ||
        rg_classify(s->classifier, s->type->language, text, strlen(text),
                    &intent) != RG_OK)
        intent = RG_INTENT_OBJECTION;
    if (out_of_order)
        timeline(s, t_ms, "%s: chat message stamped before the previous "
                 "event: counted as an objection (fail closed)", from_id);
    member *m = find_member(s, from_id);
    if (intent == RG_INTENT_NONE) {
        /* Ordinary chat is kept only from someone being captured. */
        if (m && m->capturing && rg_consent_may_capture(s->engine, from_id))
            return add_chat(s, t_ms, from_id, is_private ? "bot" : NULL, text,
                            rg_intent_name(intent));
        return RG_OK;
    }
    if (intent == RG_INTENT_OBJECTION)
        s->objections++;
    else
        s->consents++;
    timeline(s, t_ms, "%s wrote %s: %s", WHO(from_id),
             is_private ? "privately to the bot" : "in the chat",
             rg_intent_name(intent));
    /* A yes before this participant's notice reached them counts for
     * nothing (the engine ignores it): say so in the record, never thank
     * them for it. */
    bool uninformed = intent == RG_INTENT_CONSENT &&
                      !rg_consent_informed(s->engine, from_id);
    err = rg_consent_intent(s->engine, t_ms, from_id, intent);
    /* The message itself is consent evidence: manifest (encrypted) for the
     * text, audit log for the fact. */
    size_t msg_no = s->n_chat;
    rg_err e2 = add_chat(s, t_ms, from_id, is_private ? "bot" : NULL, text,
                         rg_intent_name(intent));
    cJSON *f = who_fields(s, from_id, "label", rg_intent_name(intent));
    if (f) {
        cJSON_AddBoolToObject(f, "private", is_private);
        cJSON_AddNumberToObject(f, "msg_no", (double)msg_no);
        if (out_of_order)
            cJSON_AddBoolToObject(f, "out_of_order", true);
    }
    rg_err e3 = audit_ev(s, RG_AUDIT_EV_CHAT_INTENT, t_ms, f);
    if (!e3 && uninformed) {
        timeline(s, t_ms, "consent from %s ignored: written before they were "
                 "informed", from_id);
        cJSON *g = who_fields(s, from_id, "reason", "not_informed");
        if (g)
            cJSON_AddNumberToObject(g, "msg_no", (double)msg_no);
        e3 = audit_ev(s, "consent_ignored", t_ms, g);
    }
    if (e2 || e3)
        rg_consent_fail(s->engine, t_ms);
    if (!err && intent == RG_INTENT_CONSENT && !uninformed &&
        s->type->basis == RG_BASIS_CONSENT && say(s, t_ms, from_id, RG_NOTICE_CONSENT_ACK))
        rg_consent_fail(s->engine, t_ms);
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
    /* Mixed audio: people are cleared for the mix, but have no track. */
    bool own_track = !s->mixed_id || !strcmp(m->id, s->mixed_id);
    timeline(s, t, own_track ? "capture starts: %s" : "cleared for the mixed track: %s",
             WHO(m->id));
    rg_err err = RG_OK;
    if (s->sink && s->sink->track_start && own_track)
        err = s->sink->track_start(s->sink_ctx, m->id, t, &m->track);
    cJSON *f = who_fields(s, m->id, "kind", "audio");
    if (f && m->track && s->sink->track_name)
        cJSON_AddStringToObject(f, "track", s->sink->track_name(s->sink_ctx, m->track));
    m->frames_lost = 0;
    rg_err e2 = audit_ev(s, RG_AUDIT_EV_CAPTURE_START, t, f);
    return err ? err : e2;
}

/* Video is opened lazily: only participants whose video really arrives
 * get a video track. */
static rg_err video_start(rg_session *s, int64_t t, member *m)
{
    rg_err err = RG_OK;
    if (s->sink && s->sink->track_start)
        err = s->sink->track_start(s->sink_ctx, m->id, t, &m->vtrack);
    cJSON *f = who_fields(s, m->id, "kind", "video");
    if (f && m->vtrack && s->sink->track_name)
        cJSON_AddStringToObject(f, "track", s->sink->track_name(s->sink_ctx, m->vtrack));
    rg_err e2 = audit_ev(s, RG_AUDIT_EV_CAPTURE_START, t, f);
    return err ? err : e2;
}

static rg_err video_stop(rg_session *s, int64_t t, member *m, rg_reason reason)
{
    if (!m->vtrack)
        return RG_OK;
    cJSON *f = who_fields(s, m->id, "reason", rg_reason_code(reason));
    if (f && s->sink->track_name)
        cJSON_AddStringToObject(f, "track", s->sink->track_name(s->sink_ctx, m->vtrack));
    if (f)
        cJSON_AddStringToObject(f, "kind", "video");
    rg_err err = s->sink->track_stop ? s->sink->track_stop(s->sink_ctx, m->vtrack, t)
                                     : RG_OK;
    m->vtrack = NULL;
    rg_err e2 = audit_ev(s, RG_AUDIT_EV_CAPTURE_STOP, t, f);
    return err ? err : e2;
}

static rg_err capture_stop(rg_session *s, int64_t t, member *m, rg_reason reason)
{
    rg_err err = video_stop(s, t, m, reason);
    span_close(m);
    timeline(s, t, "capture stops: %s", WHO(m->id));
    cJSON *f = who_fields(s, m->id, "reason", rg_reason_code(reason));
    if (f && m->track && s->sink->track_name)
        cJSON_AddStringToObject(f, "track", s->sink->track_name(s->sink_ctx, m->track));
    if (f && m->n_spans)
        cJSON_AddNumberToObject(f, "duration_ms",
                                (double)(m->spans[m->n_spans - 1].to_ms -
                                         m->spans[m->n_spans - 1].from_ms));
    /* Loss is never hidden: what did not arrive is said with the stop. */
    if (f && m->track)
        cJSON_AddNumberToObject(f, "frames_lost", (double)m->frames_lost);
    if (m->frames_lost)
        timeline(s, t, "%s: %" PRIu64 " frame(s) lost in transmission", WHO(m->id),
                 m->frames_lost);
    if (s->sink && s->sink->track_stop && m->track)
        err = s->sink->track_stop(s->sink_ctx, m->track, t);
    m->track = NULL;
    rg_err e2 = audit_ev(s, RG_AUDIT_EV_CAPTURE_STOP, t, f);
    return err ? err : e2;
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

/* The end/stop/refusal notice with its real cause and outcome. Courtesy:
 * not delivered changes nothing (the summary says what happened). With
 * the operator's second signal it is skipped. */
static void say_end(rg_session *s, int64_t t, rg_notice kind,
                    rg_end_cause cause, bool leaving)
{
    if (s->stop && *s->stop >= 2) {
        timeline(s, t, "end notice skipped (second stop signal)");
        return;
    }
    rg_end_info e = {cause, rg_session_end_outcome(s),
                     rg_consent_ever_opened(s->engine), leaving};
    char *text = NULL;
    bool delivered = false;
    rg_err err = rg_announce_end(s->policy, s->type, &e, &text);
    (void)send_text(s, t, NULL, kind, &e, text, err, &delivered, false);
    if (!delivered)
        timeline(s, t, "could not send the end notice (%s)",
                 rg_end_cause_name(s->lost ? RG_END_CONNECTION_LOST : cause));
}

/* {"reason": code} plus the participant (pseudonym) if any. */
static cJSON *reason_fields(const rg_session *s, const rg_action *a)
{
    return who_fields(s, a->participant, "reason", rg_reason_code(a->reason));
}

static rg_err apply(rg_session *s, const rg_action *a)
{
    member *m = a->participant ? find_member(s, a->participant) : NULL;
    rg_err err = RG_OK, e2 = RG_OK;
    cJSON *f;
    switch (a->kind) {
    case RG_ACT_GATE_OPEN:
        timeline(s, a->t_ms, "gate open: recording %s",
                 s->gate_opened_before ? "resumes (host present)" : "starts");
        f = cJSON_CreateObject();
        if (f)
            cJSON_AddStringToObject(f, "reason", s->gate_opened_before
                                                     ? "host_back"
                                                     : "everyone_cleared");
        err = audit_ev(s, RG_AUDIT_EV_GATE_OPEN, a->t_ms, f);
        e2 = say(s, a->t_ms, NULL,
                 s->gate_opened_before ? RG_NOTICE_RESUMED : RG_NOTICE_STARTED);
        s->gate_opened_before = true;
        state(s, a->t_ms, "recording", NULL);
        break;
    case RG_ACT_GATE_CLOSE:
        timeline(s, a->t_ms, "gate closed: %s", rg_reason_text(a->reason));
        err = audit_ev(s, RG_AUDIT_EV_GATE_CLOSE, a->t_ms, reason_fields(s, a));
        e2 = say(s, a->t_ms, NULL, RG_NOTICE_PAUSED_NO_HOST);
        break;
    case RG_ACT_CAPTURE_START:
        if (m)
            err = capture_start(s, a->t_ms, m);
        break;
    case RG_ACT_CAPTURE_STOP:
        if (m)
            err = capture_stop(s, a->t_ms, m, a->reason);
        break;
    case RG_ACT_OBJECTION_NOTED:
        timeline(s, a->t_ms,
                 "objection from %s logged; recording continues (documentation)",
                 a->participant ? WHO(a->participant) : "?");
        f = reason_fields(s, a);
        if (f && s->type->justification)
            cJSON_AddStringToObject(f, "justification", s->type->justification);
        err = audit_ev(s, "objection_noted", a->t_ms, f);
        e2 = say(s, a->t_ms, NULL, RG_NOTICE_OBJECTION_LOGGED);
        if (!e2 && a->participant)
            e2 = say(s, a->t_ms, a->participant, RG_NOTICE_OBJECTION_ACK);
        break;
    case RG_ACT_REFUSE:
        s->final_reason = a->reason;
        timeline(s, a->t_ms, "refused: %s", rg_reason_text(a->reason));
        state(s, a->t_ms, "refused", rg_reason_code(a->reason));
        err = audit_ev(s, RG_AUDIT_EV_REFUSED, a->t_ms, reason_fields(s, a));
        s->pending_final = a->reason == RG_REASON_NO_CONSENT ? RG_NOTICE_NO_CONSENT
                                                             : RG_NOTICE_REFUSED;
        break;
    case RG_ACT_STOP:
        s->final_reason = a->reason;
        s->stopped = true;
        timeline(s, a->t_ms, "recording stopped for good: %s",
                 rg_reason_text(a->reason));
        state(s, a->t_ms, "stopped", rg_reason_code(a->reason));
        f = reason_fields(s, a);
        if (f)
            cJSON_AddBoolToObject(f, "final", true);
        err = audit_ev(s, RG_AUDIT_EV_GATE_CLOSE, a->t_ms, f);
        s->pending_final = RG_NOTICE_STOPPED;
        break;
    case RG_ACT_DELETE_RECORDING:
    case RG_ACT_REMOVE_PARTICIPANT: {
        bool all = a->kind == RG_ACT_DELETE_RECORDING;
        if (all)
            s->deleted = true;
        else if (m)
            m->removed = true;
        timeline(s, a->t_ms, "on_withdrawal: %s",
                 all ? "the whole recording is deleted"
                     : "the objector's tracks are destroyed");
        f = who_fields(s, a->participant, "action",
                       all ? "delete_recording" : "remove_participant");
        if (f)
            cJSON_AddStringToObject(f, "by", "system");
        err = audit_ev(s, RG_AUDIT_EV_WITHDRAWAL, a->t_ms, f);
        if (s->sink && all && s->sink->delete_recording)
            e2 = s->sink->delete_recording(s->sink_ctx);
        else if (s->sink && !all && m && s->sink->remove_participant)
            e2 = s->sink->remove_participant(s->sink_ctx, m->id);
        break;
    }
    case RG_ACT_END:
        break; /* the end notice is rg_session_end's (real cause known) */
    }
    return err ? err : e2;
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
    /* A refusal or stop is said once the whole batch is carried out: only
     * then is it known whether the recorded part was deleted. */
    if (s->pending_final) {
        rg_notice kind = (rg_notice)s->pending_final;
        s->pending_final = 0;
        say_end(s, t, kind, rg_session_end_cause(s), true);
        leave(s, t, rg_end_cause_name(rg_session_end_cause(s)));
    }
    return first;
}

/* The session ends the meeting itself (operator stop, alone, maximum
 * duration): capture stops for everyone, the end notice says why, the bot
 * leaves. rg_session_end (called by the shim once finished) seals. */
static void end_now(rg_session *s, int64_t t, rg_end_cause cause)
{
    s->end_cause = cause;
    s->end_cause_set = true;
    timeline(s, t, "ending: %s", rg_end_cause_name(cause));
    const rg_action *acts = NULL;
    size_t n = 0;
    if (rg_consent_end(s->engine, t, &acts, &n) == RG_OK)
        (void)apply_all(s, t, acts, n);
    cJSON *f = cJSON_CreateObject();
    if (f)
        cJSON_AddStringToObject(f, "cause", rg_end_cause_name(cause));
    if (audit_ev(s, "bot_ends", t, f))
        timeline(s, t, "could not log why the bot ends");
    say_end(s, t, RG_NOTICE_ENDED, cause, true);
    leave(s, t, rg_end_cause_name(cause));
}

/* The public (or a private) notice: the short first message, then the
 * full Art. 13 text unless the policy points to a privacy_notice_url.
 * Informed = every part delivered and logged. */
static bool notify(rg_session *s, int64_t t, const char *to, bool retry)
{
    bool delivered = false, info = true;
    rg_notice kind = to ? RG_NOTICE_LATE_JOINER : RG_NOTICE_PUBLIC;
    char *text = NULL;
    rg_err err = rg_announce_text(s->policy, s->type, kind, &text);
    /* A notice that cannot be logged does not count as given. */
    if (send_text(s, t, to, kind, NULL, text, err, &delivered, retry) != RG_OK)
        delivered = false;
    if (delivered && !s->policy->privacy_notice_url &&
        send_logged(s, t, to, RG_NOTICE_INFO, &info) != RG_OK)
        info = false;
    return delivered && info;
}

rg_err rg_session_tick(rg_session *s, int64_t t_ms)
{
    if (!s)
        return RG_ERR_ARG;
    rg_err err = check_time(s, t_ms);
    if (err || closed(s))
        return err;
    int64_t max_ms = (int64_t)s->type->max_duration_s * 1000;
    if (s->stop && *s->stop) {
        end_now(s, t_ms, RG_END_OPERATOR);
        return RG_OK;
    }
    if (max_ms && t_ms >= max_ms) {
        end_now(s, t_ms, RG_END_MAX_DURATION);
        return RG_OK;
    }
    if (s->had_someone && s->alone_since >= 0 &&
        t_ms - s->alone_since >= (int64_t)s->policy->leave_when_alone_s * 1000) {
        end_now(s, t_ms, RG_END_ALONE);
        return RG_OK;
    }
    const char *to;
    while (rg_consent_pending_notice(s->engine, &to)) {
        bool retry = to && rg_consent_notice_retrying(s->engine, t_ms, to);
        bool delivered = notify(s, t_ms, to, retry);
        if (delivered)
            s->announcements++;
        else if (!retry)
            s->announcements_failed++;
        member *nm = to ? find_member(s, to) : NULL;
        if (delivered || !retry || !nm || !nm->notice_retrying)
            timeline(s, t_ms, "notice %s%s %s", to ? "privately to " : "to everyone",
                     to ? WHO(to) : "",
                     delivered ? "delivered"
                     : retry   ? "not delivered yet: they cannot be reached in the chat; "
                                 "trying again until their window has run (not captured meanwhile)"
                               : "NOT delivered: fail closed");
        if (nm)
            nm->notice_retrying = retry && !delivered;
        if (!to && delivered) {
            state(s, t_ms, "announced", NULL);
            state(s, t_ms, "window", NULL);
        }
        err = rg_consent_notice_result(s->engine, t_ms, to, delivered);
        if (err)
            return err;
    }
    const rg_action *acts = NULL;
    size_t n = 0;
    err = rg_consent_decide(s->engine, t_ms, &acts, &n);
    /* A failure while carrying out the actions has already failed the gate
     * closed (apply_all): the platform has nothing to do about it. */
    (void)apply_all(s, t_ms, acts, n);
    return err;
}

/* Mixed audio: every participant present (but the mix itself) may be
 * captured now; a late joiner still in their window holds the mix back. */
static bool everyone_capturable(const rg_session *s)
{
    for (size_t i = 0; i < s->n_members; i++) {
        const member *o = &s->members[i];
        if (o->present && strcmp(o->id, s->mixed_id) &&
            (!o->capturing || !rg_consent_may_capture(s->engine, o->id)))
            return false;
    }
    return true;
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
    if (s->mixed_id && !strcmp(id, s->mixed_id) && !everyone_capturable(s))
        return RG_OK; /* a mix holds everyone's voice: all must be cleared */
    bool video = frame->kind == RG_MEDIA_VP8 || frame->kind == RG_MEDIA_I420;
    if (video && !s->type->video)
        return RG_OK; /* data minimisation: audio only unless the type says so */
    if (s->sink) {
        if (video && !m->vtrack)
            err = video_start(s, t_ms, m);
        void *track = video ? m->vtrack : m->track;
        if (!err && s->sink->frame && track)
            err = s->sink->frame(s->sink_ctx, track, t_ms, frame);
        if (err) {
            const char *why = s->sink->error ? s->sink->error(s->sink_ctx) : "";
            timeline(s, t_ms, "capture of %s failed: %s", WHO(id),
                     why && *why ? why : rg_strerror(err));
            rg_consent_fail(s->engine, t_ms);
            const rg_action *acts = NULL;
            size_t n = 0;
            if (rg_consent_decide(s->engine, t_ms, &acts, &n) == RG_OK)
                (void)apply_all(s, t_ms, acts, n);
            return RG_OK; /* handled: failed closed, the frame is dropped */
        }
    }
    if (passed)
        *passed = true;
    if (video)
        return RG_OK; /* spans are the audio's */
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
    return RG_OK;
}

#define MAX_SPEAKER_LINES 100000

rg_err rg_session_speaker(rg_session *s, int64_t t_ms, const char *label)
{
    if (!s || !label)
        return RG_ERR_ARG;
    rg_err err = check_time(s, t_ms);
    if (err || closed(s) || !s->mixed_id)
        return err;
    const member *m = find_member(s, s->mixed_id);
    /* Names are personal data: kept only while the mix itself is kept. */
    if (!m || !m->present || !m->capturing || !rg_consent_may_capture(s->engine, m->id) ||
        !everyone_capturable(s))
        return RG_OK;
    if (s->n_speakers && !strcmp(s->speakers[s->n_speakers - 1].label, label))
        return RG_OK;
    if (s->n_speakers == MAX_SPEAKER_LINES)
        return RG_OK; /* bounded: a flapping label cannot grow the manifest forever */
    if (s->n_speakers == s->cap_speakers) {
        size_t cap = s->cap_speakers ? s->cap_speakers * 2 : 16;
        struct speaker_line *n = realloc(s->speakers, cap * sizeof *n);
        if (!n)
            return RG_ERR_NOMEM;
        s->speakers = n;
        s->cap_speakers = cap;
    }
    char *l = strndup(label, 256);
    if (!l)
        return RG_ERR_NOMEM;
    s->speakers[s->n_speakers++] = (struct speaker_line){t_ms, l};
    return RG_OK;
}

rg_err rg_session_media_lost(rg_session *s, int64_t t_ms, const char *id,
                             uint32_t frames)
{
    if (!s || !id)
        return RG_ERR_ARG;
    rg_err err = check_time(s, t_ms);
    if (err || closed(s) || !frames)
        return err;
    member *m = find_member(s, id);
    if (!m || !m->capturing || !m->track)
        return RG_OK; /* not recorded: nothing of theirs is missing */
    m->frames_lost += frames;
    /* frames_lost is appended to rg_sink_ops: older sinks end before it. */
    if (s->sink && s->sink->struct_size >= offsetof(rg_sink_ops, frames_lost) +
                                            sizeof(s->sink->frames_lost) &&
        s->sink->frames_lost)
        s->sink->frames_lost(s->sink_ctx, m->track, frames);
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
    if (!s->final_reason)
        s->final_reason = rg_consent_reason(s->engine);
    /* Tell the meeting how it ended (if the bot is still in it): this is
     * also where a lost connection shows (send_chat: RG_ERR_NETWORK). */
    if (!s->left) {
        say_end(s, t_ms, RG_NOTICE_ENDED, rg_session_end_cause(s), true);
        leave(s, t_ms, rg_end_cause_name(rg_session_end_cause(s)));
    }
    s->ended = true;
    timeline(s, t_ms, "meeting ended: %s", rg_end_cause_name(rg_session_end_cause(s)));
    state(s, t_ms, "ended", rg_session_decision(s));
    cJSON *f = cJSON_CreateObject();
    if (f) {
        cJSON_AddStringToObject(f, "decision", rg_session_decision(s));
        cJSON_AddStringToObject(f, "reason", rg_reason_code(s->final_reason));
        cJSON_AddStringToObject(f, "cause", rg_end_cause_name(rg_session_end_cause(s)));
        cJSON_AddStringToObject(f, "outcome",
                                rg_end_outcome_name(rg_session_end_outcome(s)));
    }
    rg_err e3 = audit_ev(s, "session_end", t_ms, f);
    if (e3 && !err2)
        err2 = e3;
    if (s->sink && s->sink->finish) {
        char *summary = NULL, *manifest = NULL;
        e3 = rg_session_summary_json(s, &summary);
        if (!e3)
            e3 = rg_session_manifest_json(s, &manifest);
        if (!e3)
            e3 = s->sink->finish(s->sink_ctx, t_ms, summary, manifest);
        if (e3 && !err2)
            err2 = e3;
        free(summary);
        if (manifest) {
            OPENSSL_cleanse(manifest, strlen(manifest));
            free(manifest);
        }
    }
    return err ? err : err2;
}

rg_err rg_session_set_audit(rg_session *s, rg_audit *log,
                            const uint8_t key[RG_AUDIT_KEY_LEN])
{
    if (!s || !log || !key)
        return RG_ERR_ARG;
    if (s->n_members || s->last_t || s->audit)
        return RG_ERR_STATE;
    s->audit = log;
    memcpy(s->audit_key, key, RG_AUDIT_KEY_LEN);
    char meeting[RG_PSEUDONYM_LEN], hex[65];
    rg_session_pseudonym(s, s->meeting_id, meeting);
    rg_audit_hex(s->policy->sha256, sizeof s->policy->sha256, hex);
    cJSON *f = cJSON_CreateObject();
    if (f) {
        cJSON_AddStringToObject(f, "meeting", meeting);
        cJSON_AddStringToObject(f, "meeting_type", s->type->name);
        cJSON_AddStringToObject(f, "legal_basis", rg_basis_name(s->type->basis));
        cJSON_AddNumberToObject(f, "window_s", s->type->window_s);
        cJSON_AddNumberToObject(f, "retention_days", s->type->retention_days);
        cJSON_AddStringToObject(f, "language", rg_lang_code(s->type->language));
        cJSON_AddStringToObject(f, "policy_sha256", hex);
        cJSON_AddStringToObject(f, "version", RG_VERSION_STRING);
        if (s->request_id)
            cJSON_AddStringToObject(f, "service_request", s->request_id);
        if (s->previous_recording)
            cJSON_AddStringToObject(f, "previous_recording", s->previous_recording);
    }
    return audit_ev(s, RG_AUDIT_EV_SESSION_START, 0, f);
}

bool rg_session_finished(const rg_session *s) { return s && (s->left || s->ended); }

bool rg_session_wants_video(const rg_session *s) { return s && s->type->video; }

