#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <openssl/rand.h>
#include "errfmt.h"
#include "policy.h"
#include "svc_status.h"

static const char *const states[] = {RG_SVC_STATES};
#define N_STATES (sizeof states / sizeof states[0])

static int state_index(const char *s)
{
    for (size_t i = 0; s && i < N_STATES; i++)
        if (!strcmp(s, states[i]))
            return (int)i;
    return -1;
}

bool rg_svc_state_valid(const char *state) { return state_index(state) >= 0; }

bool rg_svc_state_final(const char *state)
{
    return state_index(state) >= state_index("refused");
}

bool rg_svc_state_running(const char *state)
{
    int i = state_index(state);
    return i >= state_index("joining") && i <= state_index("recording");
}

void rg_svc_iso(time_t t, char buf[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "YYYY-MM-DDTHH:MM:SS" then "Z" or "+HH:MM"/"-HH:MM". */
static int parse_iso(const char *s, time_t *out)
{
    struct tm tm = {0};
    const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p)
        return -1;
    long off = 0;
    if (*p == 'Z' && !p[1]) {
        off = 0;
    } else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
               isdigit((unsigned char)p[2]) && p[3] == ':' &&
               isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5]) && !p[6]) {
        off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 +
              ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
        if (*p == '-')
            off = -off;
    } else {
        return -1;
    }
    *out = timegm(&tm) - off;
    return 0;
}

/* Settings become `recgate run --KEY VALUE` flags of the bot process, so
 * keys the service sets itself, or that could redirect what is written
 * where, are not the caller's to give. */
static const char *const reserved[] = {
    "config", "out", "json", "quiet", "status_fd", "audit_key", "recipient",
    "platform", "type", "duration", "help", "status-fd",
};

/* A name from the request, fit to quote in a one-line error: printable
 * ASCII only, at most 40 characters. */
static const char *quotable(const char *in, char out[48])
{
    size_t n = 0;
    for (; in && *in && n < 40; in++)
        out[n++] = (*in >= 0x20 && *in < 0x7f) ? *in : '?';
    if (in && *in)
        out[n++] = '.', out[n++] = '.', out[n++] = '.';
    out[n] = '\0';
    return out;
}

static rg_err bad(int *http, int code, char *errbuf, const char *fmt, const char *a,
                  const char *b)
{
    char qa[48], qb[48];
    *http = code;
    rg_errbuf(errbuf, fmt, quotable(a, qa), quotable(b, qb));
    return code == 400 ? RG_ERR_PARSE : RG_ERR_REFUSED;
}

static rg_err check_settings(const cJSON *set, int *http, char *errbuf)
{
    if (!cJSON_IsObject(set))
        return bad(http, 400, errbuf, "settings: expected an object%s%s", "", "");
    for (const cJSON *it = set->child; it; it = it->next) {
        const char *k = it->string;
        size_t n = strlen(k);
        bool ok = n >= 1 && n <= 32 && islower((unsigned char)k[0]);
        for (size_t i = 0; ok && i < n; i++)
            ok = islower((unsigned char)k[i]) || isdigit((unsigned char)k[i]) || k[i] == '_';
        if (!ok)
            return bad(http, 400, errbuf,
                       "settings.%s: a setting name is lower-case letters, digits and _%s",
                       k, "");
        for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
            if (!strcmp(k, reserved[i]))
                return bad(http, 400, errbuf,
                           "settings.%s: set by the service, not by a request%s", k, "");
        if (!strcmp(k, "scenario") && cJSON_IsObject(it))
            continue; /* sim: an inline scenario */
        if (cJSON_IsString(it) || cJSON_IsNumber(it) || cJSON_IsBool(it))
            continue;
        if (cJSON_IsArray(it)) {
            for (const cJSON *e = it->child; e; e = e->next)
                if (!cJSON_IsString(e) && !cJSON_IsNumber(e))
                    return bad(http, 400, errbuf,
                               "settings.%s: expected a list of strings or numbers%s", k, "");
            continue;
        }
        return bad(http, 400, errbuf,
                   "settings.%s: expected a string, number, boolean or list%s", k, "");
    }
    return RG_OK;
}

rg_err rg_svc_request_parse(const char *body, size_t len, const rg_policy *policy,
                            rg_err (*open_platform)(const char *name, char *errbuf),
                            cJSON **status, int *http_status, char *errbuf)
{
    *status = NULL;
    const char *end = NULL;
    cJSON *req = cJSON_ParseWithLengthOpts(body, len, &end, false);
    cJSON *st = NULL;
    rg_err err;
    if (!cJSON_IsObject(req)) {
        err = bad(http_status, 400, errbuf, "request body: expected a JSON object%s%s", "", "");
        goto cleanup;
    }
    for (const cJSON *it = req->child; it; it = it->next)
        if (strcmp(it->string, "platform") && strcmp(it->string, "settings") &&
            strcmp(it->string, "meeting_type") && strcmp(it->string, "join_at") &&
            strcmp(it->string, "max_duration_s")) {
            err = bad(http_status, 400, errbuf, "%s: unknown field%s", it->string, "");
            goto cleanup;
        }
    const cJSON *platform = cJSON_GetObjectItemCaseSensitive(req, "platform");
    const cJSON *settings = cJSON_GetObjectItemCaseSensitive(req, "settings");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(req, "meeting_type");
    const cJSON *join_at = cJSON_GetObjectItemCaseSensitive(req, "join_at");
    const cJSON *maxd = cJSON_GetObjectItemCaseSensitive(req, "max_duration_s");
    if (!cJSON_IsString(platform) || !platform->valuestring[0]) {
        err = bad(http_status, 400, errbuf, "platform: expected a platform name%s%s", "", "");
        goto cleanup;
    }
    if (type && !cJSON_IsString(type)) {
        err = bad(http_status, 400, errbuf, "meeting_type: expected a string%s%s", "", "");
        goto cleanup;
    }
    time_t when = 0;
    if (join_at && (!cJSON_IsString(join_at) || parse_iso(join_at->valuestring, &when))) {
        err = bad(http_status, 400, errbuf,
                  "join_at: expected an ISO-8601 time such as 2026-12-01T09:00:00Z%s%s", "", "");
        goto cleanup;
    }
    if (maxd && (!cJSON_IsNumber(maxd) || maxd->valuedouble != (double)(int)maxd->valuedouble ||
                 maxd->valueint < 1 || maxd->valueint > 86400)) {
        err = bad(http_status, 400, errbuf, "max_duration_s: expected whole seconds 1..86400%s%s",
                  "", "");
        goto cleanup;
    }
    if (settings && (err = check_settings(settings, http_status, errbuf)))
        goto cleanup;
    const char *pn = platform->valuestring;
    bool name_ok = strlen(pn) <= 32;
    for (const char *c = pn; name_ok && *c; c++)
        name_ok = islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_' || *c == '-';
    if (!name_ok) {
        err = bad(http_status, 400, errbuf, "platform: '%s' is not a platform name (a-z 0-9 _ -)%s",
                  pn, "");
        goto cleanup;
    }
    char why[RG_ERRBUF_SIZE] = "";
    if (open_platform(platform->valuestring, why)) {
        *http_status = 422;
        err = RG_ERR_REFUSED;
        rg_errbuf(errbuf, "platform: %s", why[0] ? why : "unknown platform");
        goto cleanup;
    }
    const char *tname = type ? type->valuestring : NULL;
    if (!rg_policy_type(policy, tname)) {
        err = bad(http_status, 422, errbuf,
                  "meeting_type: '%s' is not a meeting type of the policy%s",
                  tname ? tname : "(default)", "");
        goto cleanup;
    }
    if (!strcmp(platform->valuestring, "sim") &&
        !cJSON_GetObjectItemCaseSensitive(settings, "scenario")) {
        err = bad(http_status, 400, errbuf,
                  "settings.scenario: the sim platform needs a scenario (object or path)%s%s", "", "");
        goto cleanup;
    }
    unsigned char rnd[16];
    char id[40];
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        err = RG_ERR_CRYPTO;
        *http_status = 500;
        goto cleanup;
    }
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(id + 2 * i, 3, "%02x", rnd[i]);
    err = RG_ERR_NOMEM;
    *http_status = 500;
    if (!(st = cJSON_CreateObject()))
        goto cleanup;
    time_t now = time(NULL);
    char iso[32];
    cJSON_AddStringToObject(st, "id", id);
    cJSON_AddStringToObject(st, "platform", platform->valuestring);
    cJSON_AddStringToObject(st, "meeting_type", tname ? tname : rg_policy_default_type(policy));
    rg_svc_iso(now, iso);
    cJSON_AddStringToObject(st, "created_at", iso);
    cJSON_AddNumberToObject(st, "created_epoch", (double)now);
    if (join_at) {
        rg_svc_iso(when, iso);
        cJSON_AddStringToObject(st, "join_at", iso);
        cJSON_AddNumberToObject(st, "join_at_epoch", (double)when);
    }
    if (maxd)
        cJSON_AddNumberToObject(st, "max_duration_s", maxd->valueint);
    cJSON_AddItemToObject(st, "settings",
                          settings ? cJSON_Duplicate(settings, true) : cJSON_CreateObject());
    cJSON_AddNumberToObject(st, "attempt", 1);
    cJSON_AddItemToObject(st, "states", cJSON_CreateObject());
    rg_svc_status_set(st, "queued", NULL);
    if (!cJSON_GetObjectItemCaseSensitive(st, "states") ||
        !cJSON_GetObjectItemCaseSensitive(st, "settings"))
        goto cleanup;
    *status = st;
    st = NULL;
    *http_status = 201;
    err = RG_OK;
cleanup:
    cJSON_Delete(st);
    cJSON_Delete(req);
    return err;
}

const char *rg_svc_status_str(const cJSON *status, const char *field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(status, field);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *rg_svc_status_state(const cJSON *status)
{
    const char *s = rg_svc_status_str(status, "state");
    return s ? s : "";
}

void rg_svc_status_put_str(cJSON *status, const char *field, const char *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(status, field);
    if (value)
        cJSON_AddStringToObject(status, field, value);
}

void rg_svc_status_put_num(cJSON *status, const char *field, double value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(status, field);
    cJSON_AddNumberToObject(status, field, value);
}

/* Now, to the millisecond: latencies are measured from these stamps. */
static void iso_now_ms(char buf[40])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, 40 - n, ".%03ldZ", ts.tv_nsec / 1000000L);
}

void rg_svc_status_set(cJSON *status, const char *state, const char *detail)
{
    const char *cur = rg_svc_status_state(status);
    /* States only move forward; a final state is final. */
    if (rg_svc_state_final(cur) || (cur[0] && state_index(state) < state_index(cur)))
        return;
    char iso[40];
    iso_now_ms(iso);
    rg_svc_status_put_str(status, "state", state);
    rg_svc_status_put_str(status, "updated_at", iso);
    cJSON *st = cJSON_GetObjectItemCaseSensitive(status, "states");
    if (st && !cJSON_GetObjectItemCaseSensitive(st, state))
        cJSON_AddStringToObject(st, state, iso);
    if (detail && (!strcmp(state, "refused") || !strcmp(state, "stopped")))
        rg_svc_status_put_str(status, "cause", detail);
}

void rg_svc_status_bot_state(cJSON *status, const char *state, const char *detail)
{
    if (!strcmp(state, "recording_id"))
        rg_svc_status_put_str(status, "recording_id", detail);
    else if (strcmp(state, "ended") && rg_svc_state_valid(state))
        rg_svc_status_set(status, state, detail);
}

/* Seconds of media let through the gate, from the summary's spans. */
static double capture_seconds(const cJSON *summary)
{
    double total = 0;
    const cJSON *cap = cJSON_GetObjectItemCaseSensitive(summary, "captured");
    for (const cJSON *c = cap ? cap->child : NULL; c; c = c->next) {
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(c, "from");
        const cJSON *to = cJSON_GetObjectItemCaseSensitive(c, "to");
        if (cJSON_IsNumber(from) && cJSON_IsNumber(to) && to->valuedouble > from->valuedouble)
            total += to->valuedouble - from->valuedouble;
    }
    return total;
}

void rg_svc_status_finish(cJSON *status, int ws, const char *summary,
                          const char *last_error, bool stop_requested)
{
    cJSON *sum = summary ? cJSON_Parse(summary) : NULL;
    const char *decision = rg_svc_status_str(sum, "decision");
    const char *reason = rg_svc_status_str(sum, "reason");
    char why[512] = "";
    bool clean = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    if (WIFSIGNALED(ws))
        snprintf(why, sizeof why, "the bot process was killed by signal %d", WTERMSIG(ws));
    else if (!clean && last_error)
        snprintf(why, sizeof why, "%s", last_error);
    else if (!clean)
        snprintf(why, sizeof why, "the bot process exited with status %d", WEXITSTATUS(ws));
    if (decision)
        rg_svc_status_put_str(status, "decision", decision);
    rg_svc_status_put_str(status, "reason", reason ? reason : why[0] ? why : NULL);
    if (why[0] && reason)
        rg_svc_status_put_str(status, "error", why);
    if (sum) {
        rg_svc_status_put_num(status, "capture_seconds", capture_seconds(sum));
        const cJSON *nf = cJSON_GetObjectItemCaseSensitive(sum, "announcements_failed");
        if (cJSON_IsNumber(nf))
            rg_svc_status_put_num(status, "notices_failed", nf->valuedouble);
    }
    if (stop_requested)
        cJSON_AddBoolToObject(status, "stopped_by_operator", true);
    rg_svc_status_put_num(status, "exit_status",
                          WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws));
    const char *cur = rg_svc_status_state(status);
    const char *final;
    if (!clean && !(stop_requested && sum))
        final = "failed";
    else if (!strcmp(cur, "refused") || !strcmp(cur, "stopped"))
        final = cur;
    else if (decision && !strcmp(decision, "refused"))
        final = "refused";
    else
        final = "ended";
    if (!rg_svc_state_final(cur))
        rg_svc_status_set(status, final, NULL);
    cJSON_Delete(sum);
}

void rg_svc_status_new_attempt(cJSON *status, int attempt)
{
    cJSON *prev = cJSON_GetObjectItemCaseSensitive(status, "previous");
    if (!prev) {
        prev = cJSON_CreateArray();
        cJSON_AddItemToObject(status, "previous", prev);
    }
    cJSON *p = cJSON_CreateObject();
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(status, "attempt");
    cJSON_AddNumberToObject(p, "attempt", cJSON_IsNumber(a) ? a->valuedouble : 1);
    static const char *const keep[] = {"worker", "recording_id", "state"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        const char *v = rg_svc_status_str(status, keep[i]);
        if (v)
            cJSON_AddStringToObject(p, keep[i], v);
    }
    cJSON_AddStringToObject(p, "outcome", "the bot was lost (its worker stopped "
                                          "answering); what it sealed stays");
    cJSON_AddItemToArray(prev, p);
    static const char *const reset[] = {"state", "worker", "recording_id", "decision",
                                        "reason", "cause", "error", "exit_status"};
    for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
        cJSON_DeleteItemFromObjectCaseSensitive(status, reset[i]);
    cJSON_DeleteItemFromObjectCaseSensitive(status, "states");
    cJSON_AddItemToObject(status, "states", cJSON_CreateObject());
    rg_svc_status_put_num(status, "attempt", attempt);
    rg_svc_status_set(status, "queued", NULL);
}
