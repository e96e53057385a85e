/* Session reports: the summary (docs/formats.md) and the manifest (the
 * personal data of a session, stored encrypted only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "recgate/recgate.h"
#include "session_priv.h"
#include "session_state.h"

rg_err rg_session_manifest_json(const rg_session *s, char **json)
{
    if (!s || !json)
        return RG_ERR_ARG;
    cJSON *o = cJSON_CreateObject();
    cJSON *people = cJSON_AddArrayToObject(o, "participants");
    cJSON *chat = cJSON_AddArrayToObject(o, "chat");
    if (!o || !people || !chat) {
        cJSON_Delete(o);
        return RG_ERR_NOMEM;
    }
    cJSON_AddStringToObject(o, "meeting_id", s->meeting_id);
    cJSON_AddStringToObject(o, "meeting_type", s->type->name);
    cJSON_AddStringToObject(o, "legal_basis", rg_basis_name(s->type->basis));
    if (s->type->justification)
        cJSON_AddStringToObject(o, "justification", s->type->justification);
    for (size_t i = 0; i < s->n_members; i++) {
        const member *m = &s->members[i];
        cJSON *p = cJSON_CreateObject();
        if (!p)
            break;
        char ps[RG_PSEUDONYM_LEN];
        rg_session_pseudonym(s, m->id, ps);
        cJSON_AddStringToObject(p, "id", m->id);
        cJSON_AddStringToObject(p, "pseudonym", ps);
        cJSON_AddStringToObject(p, "name", m->name);
        cJSON_AddStringToObject(p, "role", m->role == RG_ROLE_HOST ? "host" : "guest");
        if (m->n_roles) {
            /* Rejoins with another role; "role" is the latest. */
            cJSON *rc = cJSON_AddArrayToObject(p, "role_changes");
            for (size_t k = 0; rc && k < m->n_roles; k++) {
                cJSON *e = cJSON_CreateObject();
                if (!e)
                    break;
                cJSON_AddItemToObject(e, "t", rg_json_seconds(m->roles[k].t_ms));
                cJSON_AddStringToObject(e, "role", m->roles[k].role == RG_ROLE_HOST
                                                       ? "host" : "guest");
                cJSON_AddItemToArray(rc, e);
            }
        }
        cJSON_AddBoolToObject(p, "removed", m->removed);
        cJSON_AddItemToArray(people, p);
    }
    for (size_t i = 0; i < s->n_chat; i++) {
        const chat_line *c = &s->chat[i];
        cJSON *l = cJSON_CreateObject();
        if (!l)
            break;
        cJSON_AddNumberToObject(l, "no", (double)i);
        cJSON_AddItemToObject(l, "t", rg_json_seconds(c->t_ms));
        cJSON_AddStringToObject(l, "from", c->from ? c->from : "bot");
        cJSON_AddStringToObject(l, "to", c->to ? c->to : "all");
        cJSON_AddStringToObject(l, "label", c->label);
        cJSON_AddStringToObject(l, "text", c->text);
        cJSON_AddItemToArray(chat, l);
    }
    if (s->n_speakers) {
        cJSON *sp = cJSON_AddArrayToObject(o, "speakers");
        for (size_t i = 0; sp && i < s->n_speakers; i++) {
            cJSON *l = cJSON_CreateObject();
            if (!l)
                break;
            cJSON_AddItemToObject(l, "t", rg_json_seconds(s->speakers[i].t_ms));
            cJSON_AddStringToObject(l, "label", s->speakers[i].label);
            cJSON_AddItemToArray(sp, l);
        }
    }
    *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return *json ? RG_OK : RG_ERR_NOMEM;
}

const char *rg_session_decision(const rg_session *s)
{
    if (s->deleted)
        return "deleted";
    return rg_consent_ever_opened(s->engine) ? "recorded" : "refused";
}

rg_end_cause rg_session_end_cause(const rg_session *s)
{
    if (s->end_cause_set)
        return s->end_cause;
    if (s->lost)
        return RG_END_CONNECTION_LOST;
    switch (s->final_reason ? s->final_reason : rg_consent_reason(s->engine)) {
    case RG_REASON_OBJECTION: return RG_END_OBJECTION;
    case RG_REASON_NO_CONSENT: return RG_END_NO_CONSENT;
    case RG_REASON_NOTICE_FAILED: return RG_END_NOT_INFORMED;
    case RG_REASON_NO_HOST: return RG_END_NO_HOST;
    case RG_REASON_ERROR: return RG_END_ERROR;
    default: return RG_END_FINISHED;
    }
}

rg_end_outcome rg_session_end_outcome(const rg_session *s)
{
    if (!rg_consent_ever_opened(s->engine))
        return RG_OUTCOME_NOTHING;
    if (s->deleted)
        return RG_OUTCOME_DELETED;
    for (size_t i = 0; i < s->n_members; i++)
        if (s->members[i].removed)
            return RG_OUTCOME_REMOVED;
    return RG_OUTCOME_KEPT;
}

/* Why the session ended as it did, in one sentence for the summary:
 * how it started (or that it never did); the real cause of the end; the
 * real outcome. Phrases match the end notice's cause and outcome. */
static void reason_text(const rg_session *s, char *buf, size_t len)
{
    static const char *const before[RG_END__COUNT] = {
        [RG_END_FINISHED] = "the meeting ended before recording could start",
        [RG_END_OBJECTION] = "a participant objected before recording started",
        [RG_END_NO_CONSENT] = "not every participant consented within the window",
        [RG_END_NOT_INFORMED] = "a participant could not be informed, so recording never started",
        [RG_END_NO_HOST] = "no host was present, so recording never started",
        [RG_END_CONNECTION_LOST] = "the connection to the platform was lost before recording started",
        [RG_END_ERROR] = "an internal error stopped the bot before recording started",
        [RG_END_OPERATOR] = "the operator stopped the bot before recording started",
        [RG_END_ALONE] = "the bot was left alone before recording started",
        [RG_END_MAX_DURATION] = "the meeting type's max_duration_s was reached before recording started",
    };
    static const char *const after[RG_END__COUNT] = {
        [RG_END_FINISHED] = "the meeting ended",
        [RG_END_OBJECTION] = "then a participant objected and recording stopped",
        [RG_END_NO_CONSENT] = "then a participant withdrew consent and recording stopped",
        [RG_END_NOT_INFORMED] = "then a participant could not be informed and recording stopped",
        [RG_END_NO_HOST] = "then no host was present",
        [RG_END_CONNECTION_LOST] = "then the connection to the platform was lost and recording stopped",
        [RG_END_ERROR] = "then an internal error stopped the recording",
        [RG_END_OPERATOR] = "then the operator stopped the bot",
        [RG_END_ALONE] = "then the bot was left alone for leave_when_alone_s and left",
        [RG_END_MAX_DURATION] = "then the meeting type's max_duration_s was reached",
    };
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
    rg_end_cause cause = rg_session_end_cause(s);
    int days = s->type->retention_days;
    switch (rg_session_end_outcome(s)) {
    case RG_OUTCOME_NOTHING:
        snprintf(buf, len, "%s; nothing was recorded; only the notices and the "
                           "objection record are kept, as proof, for %d day%s",
                 before[cause], days, days == 1 ? "" : "s");
        break;
    case RG_OUTCOME_KEPT:
        snprintf(buf, len, "%s; %s; the recorded part is kept for %d day%s",
                 basis_text, after[cause], days, days == 1 ? "" : "s");
        break;
    case RG_OUTCOME_DELETED:
        snprintf(buf, len, "%s; %s; the recorded part was deleted (on_withdrawal)",
                 basis_text, after[cause]);
        break;
    default:
        snprintf(buf, len, "%s; %s; the objector was removed from the recorded "
                           "part and the rest is kept for %d day%s",
                 basis_text, after[cause], days, days == 1 ? "" : "s");
        break;
    }
}


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
    char why[400];
    reason_text(s, why, sizeof why);
    cJSON_AddStringToObject(o, "reason", why);
    cJSON_AddStringToObject(o, "end_cause", rg_end_cause_name(rg_session_end_cause(s)));
    cJSON_AddStringToObject(o, "outcome",
                            rg_end_outcome_name(rg_session_end_outcome(s)));
    for (size_t i = 0; i < s->n_members; i++) {
        const member *m = &s->members[i];
        for (size_t k = 0; k < m->n_spans; k++) {
            cJSON *sp = cJSON_CreateObject();
            if (!sp)
                goto cleanup;
            cJSON_AddItemToArray(captured, sp);
            cJSON_AddStringToObject(sp, "participant", m->id);
            cJSON_AddItemToObject(sp, "from", rg_json_seconds(m->spans[k].from_ms));
            cJSON_AddItemToObject(sp, "to", rg_json_seconds(m->spans[k].to_ms));
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
        cJSON_AddItemToObject(o, "bot_left_at", rg_json_seconds(s->left_at));
    char *desc = NULL;
    if (s->sink && s->sink->describe && s->sink->describe(s->sink_ctx, &desc) == RG_OK) {
        /* The sink's members join the summary; what the sink says was
         * really written (e.g. the decision on disk after a failed last
         * rewrite) replaces what the session meant. */
        cJSON *d = desc ? cJSON_Parse(desc) : NULL;
        while (cJSON_IsObject(d) && d->child) {
            cJSON *it = cJSON_DetachItemViaPointer(d, d->child);
            cJSON_DeleteItemFromObjectCaseSensitive(o, it->string);
            cJSON_AddItemToObject(o, it->string, it);
        }
        cJSON_Delete(d);
    }
    free(desc);
    *json = cJSON_PrintUnformatted(o);
    err = *json ? RG_OK : RG_ERR_NOMEM;
cleanup:
    cJSON_Delete(captured);
    cJSON_Delete(removed);
    cJSON_Delete(o);
    return err;
}
