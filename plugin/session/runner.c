#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "recgate/runner.h"
#include "errfmt.h"
#include "session_priv.h"

typedef struct runner {
    const rg_shim_ops *shim;
    void *shim_ctx;
    FILE *timeline;
    const char *label; /* prefix of every timeline line, or "" */
    const rg_run_params *opts; /* [borrowed] the checked copy */
    rg_session *session; /* [borrowed] once created: names for the timeline */
    char retrying[8][96]; /* recipients the last message to did not reach */
} runner;

/* Was the last message to `key` undelivered too? Remembers this outcome. */
static bool failed_before(runner *r, const char *key, bool failed)
{
    int slot = -1, free_slot = -1;
    for (int i = 0; i < 8; i++) {
        if (!strcmp(r->retrying[i], key))
            slot = i;
        else if (!r->retrying[i][0] && free_slot < 0)
            free_slot = i;
    }
    if (!failed) {
        if (slot >= 0)
            r->retrying[slot][0] = '\0';
        return false;
    }
    if (slot >= 0)
        return true;
    snprintf(r->retrying[free_slot >= 0 ? free_slot : 0], sizeof r->retrying[0], "%s", key);
    return false;
}

/* Timeline lines of meetings running on other threads must not mix:
 * each entry is written under the stream's lock. */
static void run_timeline(void *ctx, int64_t t_ms, const char *line)
{
    runner *r = ctx;
    if (r->timeline)
        fprintf(r->timeline, "%s[%8.3f] %s\n", r->label, (double)t_ms / 1000.0, line);
}

/* A bot message in full, indented under the timeline. */
static void show_message(runner *r, const char *to, const char *text, rg_err err)
{
    if (!r->timeline)
        return;
    /* Retries of a message that reaches nobody are shown once. */
    if (failed_before(r, to ? to : "*", err != RG_OK))
        return;
    char who[RG_WHO_LEN] = "";
    if (to)
        rg_session_who(r->session, to, who);
    flockfile(r->timeline);
    fprintf(r->timeline, "%s           bot -> %s%s%s%s\n", r->label,
            to ? "privately to " : "everyone", who,
            err ? " (NOT delivered)" : "", err ? "" : ":");
    if (err) { /* an attempt that reached nobody: its text says nothing new */
        funlockfile(r->timeline);
        return;
    }
    for (const char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        fprintf(r->timeline, "%s             | %.*s\n", r->label, (int)n, line);
        line += n;
        if (*line == '\n')
            line++;
    }
    funlockfile(r->timeline);
}

static rg_err run_send_chat(void *ctx, const char *to, const char *text)
{
    runner *r = ctx;
    rg_err err = r->shim->host->send_chat(r->shim_ctx, to, text);
    show_message(r, to, text, err);
    return err;
}

static rg_err run_leave(void *ctx, const char *reason)
{
    runner *r = ctx;
    return r->shim->host->leave(r->shim_ctx, reason);
}

static void run_state(void *ctx, int64_t t_ms, const char *state, const char *detail)
{
    runner *r = ctx;
    if (r->opts->on_state)
        r->opts->on_state(r->opts->state_ctx, t_ms, state, detail);
}

static const rg_host_ops runner_host = {
    .api_version = RG_SESSION_API_VERSION,
    .struct_size = sizeof(rg_host_ops),
    .send_chat = run_send_chat,
    .leave = run_leave,
    .timeline = run_timeline,
    .state = run_state,
};

/* platforms.<name> of the policy with the caller's keys on top, as JSON
 * text. *out [owned]. */
static rg_err merge_settings(const rg_run_params *p, char **out, char *errbuf)
{
    const char *base = rg_policy_platform_settings(p->policy, p->shim->name);
    cJSON *o = cJSON_Parse(base ? base : "{}");
    cJSON *over = p->settings_json ? cJSON_Parse(p->settings_json) : NULL;
    rg_err err = RG_ERR_NOMEM;
    if (p->settings_json && !cJSON_IsObject(over)) {
        err = rg_errorf(errbuf, RG_ERR_ARG, "%s: the settings given are not a JSON "
                        "object", p->shim->name);
        goto cleanup;
    }
    if (!o)
        goto cleanup;
    while (over && over->child) {
        cJSON *it = cJSON_DetachItemViaPointer(over, over->child);
        /* Not cJSON_Replace...(o, it->string, it): it frees the key it
         * is about to copy. */
        cJSON_DeleteItemFromObjectCaseSensitive(o, it->string);
        cJSON_AddItemToObject(o, it->string, it);
    }
    err = (*out = cJSON_PrintUnformatted(o)) ? RG_OK : RG_ERR_NOMEM;
cleanup:
    cJSON_Delete(o);
    cJSON_Delete(over);
    return err;
}

rg_err rg_run_meeting(const rg_run_params *in, char **summary_json,
                      char *errbuf)
{
    rg_run_params opts;
    memset(&opts, 0, sizeof opts);
    if (in && in->api_version == RG_RUN_API_VERSION && in->struct_size >= RG_RUN_MIN_SIZE)
        memcpy(&opts, in, in->struct_size < sizeof opts ? in->struct_size : sizeof opts);
    rg_err err = RG_ERR_ARG;
    char *settings = NULL;
    rg_session *session = NULL;
    const rg_shim_ops *shim = opts.shim;
    runner r = {shim, NULL, opts.timeline, opts.label ? opts.label : "", &opts, NULL, {{0}}};
    if (!in || in->api_version != RG_RUN_API_VERSION || in->struct_size < RG_RUN_MIN_SIZE) {
        rg_errbuf(errbuf, "run: unsupported API version or struct size");
        err = in ? RG_ERR_VERSION : RG_ERR_ARG;
        goto cleanup;
    }
    if (!opts.policy || !shim || !summary_json || (opts.sink && opts.out_dir)) {
        rg_errbuf(errbuf, "run: policy, shim and summary are required; sink and "
                  "out_dir exclude each other");
        goto cleanup;
    }
    /* Only a registered table: registration checked it (shim.h). */
    if (!shim->name || rg_shim_find(shim->name) != shim) {
        rg_errbuf(errbuf, "run: the shim is not registered (rg_shim_register)");
        goto cleanup;
    }
    char path[64];
    snprintf(path, sizeof path, "platforms.%s", shim->name);
    if ((err = merge_settings(&opts, &settings, errbuf)))
        goto cleanup;
    rg_shim_params sp0 = {
        .api_version = RG_SHIM_API_VERSION,
        .struct_size = sizeof sp0,
        .settings_json = settings,
        .settings_path = path,
    };
    rg_shim_meeting meeting = {0};
    err = shim->create(&sp0, &r.shim_ctx, &meeting, errbuf);
    if (err)
        goto cleanup;
    rg_session_params sp = {
        .api_version = RG_SESSION_API_VERSION,
        .struct_size = sizeof sp,
        .policy = opts.policy,
        .meeting_type = meeting.type,
        .meeting_id = meeting.id,
        .out_dir = opts.out_dir,
        .host = &runner_host,
        .host_ctx = &r,
        .recipients = opts.recipients,
        .n_recipients = opts.n_recipients,
        .audit_key_file = opts.audit_key_file,
        .sink = opts.sink,
        .sink_ctx = opts.sink_ctx,
        .request_id = opts.request_id,
        .previous_recording = opts.previous_recording,
        .stop = opts.stop,
        .mixed_audio_id = meeting.mixed_audio_id,
    };
    opts.sink = NULL; /* the session owns it now, even if it refuses */
    err = rg_session_new(&sp, &session, errbuf);
    if (err)
        goto cleanup;
    r.session = session;
    err = shim->run(r.shim_ctx, rg_core_ops_get(), session, errbuf);
    /* A meeting cut short (the platform went away) still has a summary:
     * the caller gets both it and the error. */
    if (err && !rg_session_finished(session))
        goto cleanup;
    rg_err serr = rg_session_summary_json(session, summary_json);
    if (!err)
        err = serr;
cleanup:
    rg_session_free(session);
    if (r.shim_ctx && shim->destroy)
        shim->destroy(r.shim_ctx);
    if (opts.sink && opts.sink->destroy)
        opts.sink->destroy(opts.sink_ctx);
    free(settings);
    return err;
}
