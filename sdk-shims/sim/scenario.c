/* Scenario parser: strict, so a typo in a test script is an error and not
 * a silently different meeting. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/simjson.h"
#include "sim/scenario.h"

typedef struct parser {
    const char *origin;
    char *errbuf;
    rg_scenario *sc;
} parser;

static rg_err fail(parser *ps, const char *path, const cJSON *got,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "ORIGIN: PATH: expected WHAT, got VALUE" (got omitted when fmt says all). */
static rg_err fail(parser *ps, const char *path, const cJSON *got,
                   const char *fmt, ...)
{
    if (ps->errbuf) {
        char what[256], val[64];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        if (got != (const cJSON *)-1) {
            rg_sim_json_describe(got, val, sizeof val);
            snprintf(ps->errbuf, RG_ERRBUF_SIZE, "%s: %s: %s, got %s", ps->origin,
                     path, what, val);
        } else {
            snprintf(ps->errbuf, RG_ERRBUF_SIZE, "%s: %s: %s", ps->origin, path,
                     what);
        }
    }
    return RG_ERR_SCENARIO;
}
#define NO_GOT ((const cJSON *)-1)

static bool only_keys(parser *ps, const cJSON *obj, const char *path,
                      const char *const *allowed, rg_err *err)
{
    for (const cJSON *k = obj->child; k; k = k->next) {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            ok = ok || strcmp(k->string, *a) == 0;
        for (const cJSON *d = obj->child; d != k && ok; d = d->next)
            if (strcmp(d->string, k->string) == 0) {
                *err = fail(ps, path, NO_GOT, "duplicate key \"%s\"", k->string);
                return false;
            }
        if (!ok) {
            char list[256] = "";
            for (const char *const *a = allowed; *a; a++) {
                strncat(list, *a, sizeof list - strlen(list) - 3);
                if (a[1])
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            *err = fail(ps, path, NO_GOT, "unknown key \"%s\" (expected one of %s)",
                        k->string, list);
            return false;
        }
    }
    return true;
}

static bool valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 128)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

static rg_err get_id(parser *ps, const cJSON *v, const char *path, char **out)
{
    if (!cJSON_IsString(v) || !valid_id(v->valuestring))
        return fail(ps, path, v, "expected a participant id (string, 1-128 printable characters)");
    *out = strdup(v->valuestring);
    return *out ? RG_OK : RG_ERR_NOMEM;
}

static ssize_t find_participant(const rg_scenario *sc, const char *id)
{
    for (size_t i = 0; i < sc->n_participants; i++)
        if (strcmp(sc->participants[i], id) == 0)
            return (ssize_t)i;
    return -1;
}

static rg_err parse_event(parser *ps, const cJSON *e, size_t i, int64_t prev_ms,
                          bool *present, rg_sim_event *ev)
{
    char path[64];
    snprintf(path, sizeof path, "events[%zu]", i);
    if (!cJSON_IsObject(e))
        return fail(ps, path, e, "expected an event object");
    const char *kinds[] = {"join", "leave", "chat", "fail", "end"};
    int kind = -1;
    for (int k = 0; k < 5; k++) {
        if (cJSON_GetObjectItemCaseSensitive(e, kinds[k])) {
            if (kind >= 0)
                return fail(ps, path, NO_GOT, "has both \"%s\" and \"%s\" (one kind per event)",
                            kinds[kind], kinds[k]);
            kind = k;
        }
    }
    if (kind < 0)
        return fail(ps, path, NO_GOT,
                    "expected one of the keys join, leave, chat, fail, end");
    static const char *const join_keys[] = {"at", "join", "name", "role", NULL};
    static const char *const leave_keys[] = {"at", "leave", NULL};
    static const char *const chat_keys[] = {"at", "chat", "text", "private", NULL};
    static const char *const fail_keys[] = {"at", "fail", NULL};
    static const char *const end_keys[] = {"at", "end", NULL};
    static const char *const *const keys[] = {join_keys, leave_keys, chat_keys,
                                              fail_keys, end_keys};
    rg_err err = RG_OK;
    if (!only_keys(ps, e, path, keys[kind], &err))
        return err;
    ev->kind = (rg_sim_kind)kind;

    char sub[96];
    snprintf(sub, sizeof sub, "%s.at", path);
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(e, "at");
    if (!cJSON_IsNumber(at) || !isfinite(at->valuedouble) || at->valuedouble < 0 ||
        at->valuedouble * 1000.0 > (double)RG_SCENARIO_MAX_MS)
        return fail(ps, sub, at, "expected seconds from 0 to 86400");
    ev->at_ms = llround(at->valuedouble * 1000.0);
    if (ev->at_ms < prev_ms)
        return fail(ps, sub, at, "expected a time >= %.3f (events must be in time order)",
                    (double)prev_ms / 1000.0);

    snprintf(sub, sizeof sub, "%s.%s", path, kinds[kind]);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, kinds[kind]);
    rg_scenario *sc = ps->sc;
    switch (ev->kind) {
    case RG_SIM_JOIN: {
        if ((err = get_id(ps, v, sub, &ev->who)))
            return err;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(e, "role");
        snprintf(sub, sizeof sub, "%s.name", path);
        if (name && (!cJSON_IsString(name) || !valid_id(name->valuestring)))
            return fail(ps, sub, name, "expected a display name (string, 1-128 printable characters)");
        ev->name = strdup(name ? name->valuestring : ev->who);
        if (!ev->name)
            return RG_ERR_NOMEM;
        snprintf(sub, sizeof sub, "%s.role", path);
        if (role && !(cJSON_IsString(role) && (!strcmp(role->valuestring, "host") ||
                                               !strcmp(role->valuestring, "guest"))))
            return fail(ps, sub, role, "expected \"host\" or \"guest\"");
        ev->role = role && !strcmp(role->valuestring, "host") ? RG_ROLE_HOST
                                                              : RG_ROLE_GUEST;
        ssize_t idx = find_participant(sc, ev->who);
        if (idx < 0) {
            char **np = realloc(sc->participants,
                                (sc->n_participants + 1) * sizeof *np);
            if (!np)
                return RG_ERR_NOMEM;
            sc->participants = np;
            if (!(np[sc->n_participants] = strdup(ev->who)))
                return RG_ERR_NOMEM;
            idx = (ssize_t)sc->n_participants++;
        } else if (present[idx]) {
            return fail(ps, path, NO_GOT, "\"%s\" joins but is already in the meeting",
                        ev->who);
        }
        present[idx] = true;
        break;
    }
    case RG_SIM_LEAVE:
    case RG_SIM_CHAT: {
        if ((err = get_id(ps, v, sub, &ev->who)))
            return err;
        ssize_t idx = find_participant(sc, ev->who);
        if (idx < 0 || !present[idx])
            return fail(ps, path, NO_GOT, "\"%s\" %s but is not in the meeting",
                        ev->who, ev->kind == RG_SIM_LEAVE ? "leaves" : "chats");
        if (ev->kind == RG_SIM_LEAVE) {
            present[idx] = false;
            break;
        }
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(e, "text");
        const cJSON *priv = cJSON_GetObjectItemCaseSensitive(e, "private");
        snprintf(sub, sizeof sub, "%s.text", path);
        if (!cJSON_IsString(text))
            return fail(ps, sub, text, "expected the chat text (string)");
        snprintf(sub, sizeof sub, "%s.private", path);
        if (priv && !cJSON_IsBool(priv))
            return fail(ps, sub, priv, "expected true or false");
        ev->is_private = priv && cJSON_IsTrue(priv);
        if (!(ev->text = strdup(text->valuestring)))
            return RG_ERR_NOMEM;
        break;
    }
    case RG_SIM_FAIL:
        if (!cJSON_IsString(v) || (strcmp(v->valuestring, "send_chat") &&
                                   strcmp(v->valuestring, "none")))
            return fail(ps, sub, v, "expected \"send_chat\" or \"none\"");
        ev->fail_chat = !strcmp(v->valuestring, "send_chat");
        break;
    case RG_SIM_END:
        /* "lost": the platform goes away (the connection is lost). */
        ev->lost = cJSON_IsString(v) && !strcmp(v->valuestring, "lost");
        if (!cJSON_IsTrue(v) && !ev->lost)
            return fail(ps, sub, v, "expected true (or \"lost\")");
        break;
    }
    return RG_OK;
}

rg_err rg_scenario_parse(const char *json, size_t len, const char *origin,
                         rg_scenario **out, char *errbuf)
{
    if (!json || !out)
        return RG_ERR_ARG;
    if (!origin)
        origin = "scenario";
    parser ps = {origin, errbuf, NULL};
    cJSON *root = NULL;
    bool *present = NULL;
    rg_err err = rg_sim_json_parse(json, len, origin, &root, errbuf);
    if (err)
        return RG_ERR_SCENARIO;
    err = RG_ERR_NOMEM;
    ps.sc = calloc(1, sizeof *ps.sc);
    if (!ps.sc)
        goto cleanup;
    rg_scenario *sc = ps.sc;
    static const char *const top_keys[] = {"meeting", "events", "description", NULL};
    static const char *const meeting_keys[] = {"id", "type", "video", NULL};
    if (!cJSON_IsObject(root)) {
        err = fail(&ps, "(top level)", root, "expected an object with \"meeting\" and \"events\"");
        goto cleanup;
    }
    if (!only_keys(&ps, root, "(top level)", top_keys, &err))
        goto cleanup;
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(root, "description");
    if (desc && !cJSON_IsString(desc)) {
        err = fail(&ps, "description", desc, "expected a string");
        goto cleanup;
    }
    const cJSON *meeting = cJSON_GetObjectItemCaseSensitive(root, "meeting");
    if (!cJSON_IsObject(meeting)) {
        err = fail(&ps, "meeting", meeting, "expected an object {\"id\": ..., \"type\": ...}");
        goto cleanup;
    }
    if (!only_keys(&ps, meeting, "meeting", meeting_keys, &err))
        goto cleanup;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(meeting, "id");
    if (!cJSON_IsString(id) || !valid_id(id->valuestring)) {
        err = fail(&ps, "meeting.id", id, "expected a meeting id (string, 1-128 printable characters)");
        goto cleanup;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(meeting, "type");
    if (type && (!cJSON_IsString(type) || !valid_id(type->valuestring))) {
        err = fail(&ps, "meeting.type", type, "expected a meeting type name (string)");
        goto cleanup;
    }
    const cJSON *video = cJSON_GetObjectItemCaseSensitive(meeting, "video");
    if (video && !cJSON_IsBool(video)) {
        err = fail(&ps, "meeting.video", video, "expected true or false");
        goto cleanup;
    }
    sc->video = video && cJSON_IsTrue(video);
    if (!(sc->meeting_id = strdup(id->valuestring)) ||
        (type && !(sc->meeting_type = strdup(type->valuestring)))) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(root, "events");
    int n = cJSON_GetArraySize(events);
    if (!cJSON_IsArray(events) || n == 0) {
        err = fail(&ps, "events", events, "expected a non-empty array of events ending with {\"at\": T, \"end\": true}");
        goto cleanup;
    }
    sc->events = calloc((size_t)n, sizeof *sc->events);
    present = calloc((size_t)n, sizeof *present); /* at most n participants */
    if (!sc->events || !present) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    int64_t prev = 0;
    size_t i = 0;
    for (const cJSON *e = events->child; e; e = e->next, i++) {
        if (i > 0 && sc->events[i - 1].kind == RG_SIM_END) {
            char path[32];
            snprintf(path, sizeof path, "events[%zu]", i);
            err = fail(&ps, path, NO_GOT, "comes after the end event");
            goto cleanup;
        }
        sc->n_events = i + 1;
        err = parse_event(&ps, e, i, prev, present, &sc->events[i]);
        if (err)
            goto cleanup;
        prev = sc->events[i].at_ms;
    }
    if (sc->events[sc->n_events - 1].kind != RG_SIM_END) {
        err = fail(&ps, "events", NO_GOT, "the last event must be {\"at\": T, \"end\": true}");
        goto cleanup;
    }
    *out = sc;
    ps.sc = NULL;
    err = RG_OK;
cleanup:
    free(present);
    rg_scenario_free(ps.sc);
    cJSON_Delete(root);
    return err;
}

rg_err rg_scenario_load(const char *path, rg_scenario **out, char *errbuf)
{
    char *data = NULL;
    size_t len = 0;
    rg_err err = rg_sim_file_read(path, RG_SCENARIO_MAX_BYTES, &data, &len, errbuf);
    if (err)
        return err == RG_ERR_ARG ? RG_ERR_SCENARIO : err;
    err = rg_scenario_parse(data, len, path, out, errbuf);
    free(data);
    return err;
}

void rg_scenario_free(rg_scenario *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->n_events; i++) {
        free(sc->events[i].who);
        free(sc->events[i].name);
        free(sc->events[i].text);
    }
    free(sc->events);
    for (size_t i = 0; i < sc->n_participants; i++)
        free(sc->participants[i]);
    free(sc->participants);
    free(sc->meeting_id);
    free(sc->meeting_type);
    free(sc);
}
