#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "janus/jsettings.h"

#define MAX_HOSTS 64
#define MAX_FIELD 1000

static rg_err bad(char *errbuf, const char *at, const char *key, const char *what)
{
    if (errbuf)
        snprintf(errbuf, RG_ERRBUF_SIZE, "%s.%s: expected %s", at, key, what);
    return RG_ERR_CONFIG;
}

static bool text_ok(const cJSON *it)
{
    if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) > MAX_FIELD)
        return false;
    for (const unsigned char *c = (const unsigned char *)it->valuestring; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return false;
    return true;
}

/* A room id: a whole number >= 1 or 1..64 printable characters without
 * spaces or quotes. */
static rg_err room_id(const cJSON *it, const char *at, const char *key, char **out,
                      char *errbuf)
{
    static const char want[] = "a room number >= 1 (or a room name)";
    char buf[32];
    if (cJSON_IsNumber(it)) {
        double v = it->valuedouble;
        if (!(v >= 1 && v <= 9007199254740992.0) || floor(v) != v)
            return bad(errbuf, at, key, want);
        snprintf(buf, sizeof buf, "%.0f", v);
        *out = strdup(buf);
    } else if (text_ok(it) && !strpbrk(it->valuestring, " \"\\") &&
               strlen(it->valuestring) <= 64) {
        *out = strdup(it->valuestring);
    } else {
        return bad(errbuf, at, key, want);
    }
    return *out ? RG_OK : RG_ERR_NOMEM;
}

static rg_err seconds(const cJSON *it, const char *at, const char *key, int max,
                      int *out, char *errbuf)
{
    double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
    if (!(v >= 1 && v <= max) || floor(v) != v) {
        char what[40];
        snprintf(what, sizeof what, "whole seconds 1..%d", max);
        return bad(errbuf, at, key, what);
    }
    *out = (int)v;
    return RG_OK;
}

static rg_err parse_obj(const cJSON *o, const char *at, rg_jsettings *js, char *errbuf)
{
    static const char *const keys[] = {"url", "room", "textroom", "hosts", "meeting_type",
                                       "timeout_s", "duration_s", NULL};
    if (!cJSON_IsObject(o)) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "%s: expected an object", at);
        return RG_ERR_CONFIG;
    }
    for (const cJSON *ch = o->child; ch; ch = ch->next) {
        bool known = false;
        for (size_t i = 0; keys[i]; i++)
            known = known || !strcmp(ch->string, keys[i]);
        if (!known) {
            if (errbuf)
                snprintf(errbuf, RG_ERRBUF_SIZE, "%s.%.60s: unknown key (expected one of "
                         "url, room, textroom, hosts, meeting_type, timeout_s, duration_s)",
                         at, ch->string);
            return RG_ERR_CONFIG;
        }
    }
    const cJSON *it;
    rg_err e;
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "url"))) {
        if (!text_ok(it) || (strncmp(it->valuestring, "http://", 7) &&
                             strncmp(it->valuestring, "https://", 8)))
            return bad(errbuf, at, "url", "an http:// or https:// URL");
        if (!(js->url = strdup(it->valuestring)))
            return RG_ERR_NOMEM;
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "room")) &&
        (e = room_id(it, at, "room", &js->room, errbuf)))
        return e;
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "textroom")) &&
        (e = room_id(it, at, "textroom", &js->textroom, errbuf)))
        return e;
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "meeting_type"))) {
        if (!text_ok(it))
            return bad(errbuf, at, "meeting_type", "the name of a meeting type");
        if (!(js->meeting_type = strdup(it->valuestring)))
            return RG_ERR_NOMEM;
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "timeout_s")) &&
        (e = seconds(it, at, "timeout_s", 3600, &js->timeout_s, errbuf)))
        return e;
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "duration_s")) &&
        (e = seconds(it, at, "duration_s", 86400, &js->duration_s, errbuf)))
        return e;
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "hosts"))) {
        int cnt = cJSON_IsArray(it) ? cJSON_GetArraySize(it) : -1;
        if (cnt < 0 || cnt > MAX_HOSTS)
            return bad(errbuf, at, "hosts", "a list of at most 64 names or ids");
        if (!(js->hosts = calloc((size_t)cnt + 1, sizeof *js->hosts)))
            return RG_ERR_NOMEM;
        int i = 0;
        for (const cJSON *h = it->child; h; h = h->next, i++) {
            char key[32];
            snprintf(key, sizeof key, "hosts[%d]", i);
            if (!text_ok(h))
                return bad(errbuf, at, key, "a display name or participant id");
            if (!(js->hosts[js->n_hosts] = strdup(h->valuestring)))
                return RG_ERR_NOMEM;
            js->n_hosts++;
        }
    }
    return RG_OK;
}

rg_err rg_jsettings_parse(const rg_shim_params *params, rg_jsettings *js, char *errbuf)
{
    memset(js, 0, sizeof *js);
    const char *at = params->settings_path ? params->settings_path : "platforms.janus";
    cJSON *o = params->settings_json ? cJSON_Parse(params->settings_json) : NULL;
    if (!o) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "%s: settings are not valid JSON", at);
        return RG_ERR_CONFIG;
    }
    rg_err err = parse_obj(o, at, js, errbuf);
    cJSON_Delete(o);
    if (err)
        return err;
    if (!js->url || !js->room) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "janus: %s",
                     !js->url ? "--url (Janus's HTTP API address) is required"
                              : "--room (the VideoRoom to join) is required");
        return RG_ERR_ARG;
    }
    return RG_OK;
}

void rg_jsettings_free(rg_jsettings *js)
{
    for (size_t i = 0; i < js->n_hosts; i++)
        free(js->hosts[i]);
    free(js->hosts);
    free(js->url);
    free(js->room);
    free(js->textroom);
    free(js->meeting_type);
    memset(js, 0, sizeof *js);
}
