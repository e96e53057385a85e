/* The policy's "platforms" section: connection settings per platform shim
 * (docs/config.md). Only "janus" is known:
 *   "platforms": {"janus": {"url": "...", "room": 1234, "textroom": 1234,
 *                           "hosts": ["..."], "meeting_type": "...",
 *                           "timeout_s": 10}}
 * Errors name the JSON path, like the rest of the policy loader. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "policy.h"

#define MAX_HOSTS 64
#define MAX_FIELD 1000

static rg_err bad(char *msg, size_t n, const char *path, const char *what)
{
    snprintf(msg, n, "%s: expected %s", path, what);
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

/* A room id: a whole number >= 1 or a non-empty string without spaces. */
static rg_err room_id(const cJSON *it, const char *path, char **out, char *msg, size_t n)
{
    char buf[32];
    if (cJSON_IsNumber(it)) {
        double v = it->valuedouble;
        if (!(v >= 1 && v <= 9007199254740992.0) || floor(v) != v)
            return bad(msg, n, path, "a room number >= 1 (or a room name)");
        snprintf(buf, sizeof buf, "%.0f", v);
        *out = strdup(buf);
    } else if (text_ok(it) && !strpbrk(it->valuestring, " \"\\") &&
               strlen(it->valuestring) <= 64) {
        *out = strdup(it->valuestring);
    } else {
        return bad(msg, n, path, "a room number >= 1 (or a room name)");
    }
    return *out ? RG_OK : RG_ERR_NOMEM;
}

static rg_err parse_janus(const cJSON *o, rg_platform_cfg *pc, char *msg, size_t n)
{
    static const char *const keys[] = {"url", "room", "textroom", "hosts",
                                       "meeting_type", "timeout_s", NULL};
    if (!cJSON_IsObject(o))
        return bad(msg, n, "platforms.janus", "an object");
    for (const cJSON *ch = o->child; ch; ch = ch->next) {
        bool known = false;
        for (size_t i = 0; keys[i]; i++)
            known = known || (ch->string && !strcmp(ch->string, keys[i]));
        if (!known) {
            snprintf(msg, n, "platforms.janus.%s: unknown key (expected one of url, "
                     "room, textroom, hosts, meeting_type, timeout_s)",
                     ch->string ? ch->string : "");
            return RG_ERR_CONFIG;
        }
    }
    const cJSON *it;
    rg_err e;
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "url"))) {
        if (!text_ok(it) || (strncmp(it->valuestring, "http://", 7) &&
                             strncmp(it->valuestring, "https://", 8)))
            return bad(msg, n, "platforms.janus.url", "an http:// or https:// URL");
        if (!(pc->url = strdup(it->valuestring)))
            return RG_ERR_NOMEM;
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "room")) &&
        (e = room_id(it, "platforms.janus.room", &pc->room, msg, n)))
        return e;
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "textroom")) &&
        (e = room_id(it, "platforms.janus.textroom", &pc->textroom, msg, n)))
        return e;
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "meeting_type"))) {
        if (!text_ok(it))
            return bad(msg, n, "platforms.janus.meeting_type", "the name of a meeting type");
        if (!(pc->meeting_type = strdup(it->valuestring)))
            return RG_ERR_NOMEM;
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "timeout_s"))) {
        double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
        if (!(v >= 1 && v <= 3600) || floor(v) != v)
            return bad(msg, n, "platforms.janus.timeout_s", "whole seconds 1..3600");
        pc->timeout_s = (int)v;
    }
    if ((it = cJSON_GetObjectItemCaseSensitive(o, "hosts"))) {
        int cnt = cJSON_IsArray(it) ? cJSON_GetArraySize(it) : -1;
        if (cnt < 0 || cnt > MAX_HOSTS)
            return bad(msg, n, "platforms.janus.hosts", "a list of at most 64 names or ids");
        if (!(pc->hosts = calloc((size_t)cnt + 1, sizeof *pc->hosts)))
            return RG_ERR_NOMEM;
        int i = 0;
        for (const cJSON *h = it->child; h; h = h->next, i++) {
            char path[64];
            snprintf(path, sizeof path, "platforms.janus.hosts[%d]", i);
            if (!text_ok(h))
                return bad(msg, n, path, "a display name or participant id");
            if (!(pc->hosts[pc->n_hosts] = strdup(h->valuestring)))
                return RG_ERR_NOMEM;
            pc->n_hosts++;
        }
    }
    return RG_OK;
}

rg_err rg_policy_parse_platforms(const cJSON *root, rg_policy *pol, char *msg, size_t n)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "platforms");
    if (!p)
        return RG_OK;
    if (!cJSON_IsObject(p))
        return bad(msg, n, "platforms", "an object");
    for (const cJSON *ch = p->child; ch; ch = ch->next) {
        if (!ch->string || strcmp(ch->string, "janus")) {
            snprintf(msg, n, "platforms.%s: unknown platform (expected janus)",
                     ch->string ? ch->string : "");
            return RG_ERR_CONFIG;
        }
        if (pol->janus) {
            snprintf(msg, n, "platforms.janus: duplicate key");
            return RG_ERR_CONFIG;
        }
        if (!(pol->janus = calloc(1, sizeof *pol->janus)))
            return RG_ERR_NOMEM;
        rg_err e = parse_janus(ch, pol->janus, msg, n);
        if (e)
            return e;
    }
    return RG_OK;
}

void rg_policy_platforms_free(rg_policy *pol)
{
    rg_platform_cfg *pc = pol ? pol->janus : NULL;
    if (!pc)
        return;
    for (size_t i = 0; i < pc->n_hosts; i++)
        free(pc->hosts[i]);
    free(pc->hosts);
    free(pc->url);
    free(pc->room);
    free(pc->textroom);
    free(pc->meeting_type);
    free(pc);
    pol->janus = NULL;
}

const rg_platform_cfg *rg_policy_platform(const rg_policy *p, const char *name)
{
    return p && name && !strcmp(name, "janus") ? p->janus : NULL;
}
