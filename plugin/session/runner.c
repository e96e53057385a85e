#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runner.h"
#include "session_priv.h"

typedef struct runner {
    const rg_shim_ops *shim;
    void *shim_ctx;
    FILE *timeline;
    const char *label; /* prefix of every timeline line, or "" */
    rg_session *session; /* [borrowed] once created: names for the timeline */
    char retrying[96];   /* last recipient a message did not reach ("" = none) */
} runner;

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
    const char *key = to ? to : "*";
    bool again = err && !strcmp(r->retrying, key);
    snprintf(r->retrying, sizeof r->retrying, "%s", err ? key : "");
    if (again)
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

static const rg_host_ops runner_host = {
    .api_version = RG_SESSION_API_VERSION,
    .struct_size = sizeof(rg_host_ops),
    .send_chat = run_send_chat,
    .leave = run_leave,
    .timeline = run_timeline,
};

rg_err rg_run_meeting(const rg_run_opts *opts, char **summary_json,
                      char *errbuf)
{
    if (!opts || !opts->policy || !opts->shim || !opts->params || !summary_json)
        return RG_ERR_ARG;
    const rg_shim_ops *shim = opts->shim;
    if (!RG_SHIM_TABLE_OK(shim, rg_shim_ops) || !shim->create || !shim->run ||
        !shim->host || !shim->host->send_chat || !shim->host->leave)
        return RG_ERR_VERSION;
    runner r = {shim, NULL, opts->timeline, opts->label ? opts->label : "", NULL, ""};
    rg_session *session = NULL;
    rg_shim_meeting meeting = {0};
    rg_err err = shim->create(opts->params, &r.shim_ctx, &meeting, errbuf);
    if (err)
        goto cleanup;
    rg_session_params sp = {
        .api_version = RG_SESSION_API_VERSION,
        .struct_size = sizeof sp,
        .policy = opts->policy,
        .meeting_type = meeting.type,
        .meeting_id = meeting.id,
        .out_dir = opts->out_dir,
        .host = &runner_host,
        .host_ctx = &r,
        .recipients = opts->recipients,
        .n_recipients = opts->n_recipients,
        .audit_key_file = opts->audit_key_file,
    };
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
    if (r.shim_ctx)
        shim->destroy(r.shim_ctx);
    return err;
}
