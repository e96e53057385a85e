/* The policy's "platforms" section: settings per platform shim, opaque to
 * the core (docs/config.md):
 *   "platforms": {"janus": {"url": "...", "room": 1234, ...}, "NAME": {...}}
 * The core checks only the shape (an object per platform name) and one
 * convention every shim shares: a "meeting_type" must name a meeting type
 * of this policy. The named shim validates the rest when it is created,
 * with errors naming "platforms.NAME.key". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "policy.h"

#define MAX_PLATFORMS 32
#define MAX_NAME 32

static bool name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > MAX_NAME)
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
            return false;
    return true;
}

rg_err rg_policy_parse_platforms(const cJSON *root, rg_policy *pol, char *msg, size_t n)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "platforms");
    if (!p)
        return RG_OK;
    if (!cJSON_IsObject(p)) {
        snprintf(msg, n, "platforms: expected an object");
        return RG_ERR_CONFIG;
    }
    int cnt = cJSON_GetArraySize(p);
    if (cnt > MAX_PLATFORMS) {
        snprintf(msg, n, "platforms: expected at most %d platforms", MAX_PLATFORMS);
        return RG_ERR_CONFIG;
    }
    if (!(pol->platform_names = calloc((size_t)cnt + 1, sizeof *pol->platform_names)) ||
        !(pol->platform_json = calloc((size_t)cnt + 1, sizeof *pol->platform_json)))
        return RG_ERR_NOMEM;
    for (const cJSON *ch = p->child; ch; ch = ch->next) {
        if (!name_ok(ch->string)) {
            snprintf(msg, n, "platforms.%.40s: expected a platform name of 1..%d "
                     "characters a-z 0-9 _ -", ch->string, MAX_NAME);
            return RG_ERR_CONFIG;
        }
        if (rg_policy_platform_settings(pol, ch->string)) {
            snprintf(msg, n, "platforms.%s: duplicate key", ch->string);
            return RG_ERR_CONFIG;
        }
        if (!cJSON_IsObject(ch)) {
            snprintf(msg, n, "platforms.%s: expected an object (the %s shim's settings)",
                     ch->string, ch->string);
            return RG_ERR_CONFIG;
        }
        const cJSON *mt = cJSON_GetObjectItemCaseSensitive(ch, "meeting_type");
        if (cJSON_IsString(mt) && !rg_policy_type(pol, mt->valuestring)) {
            snprintf(msg, n, "platforms.%s.meeting_type: no meeting type \"%.60s\"",
                     ch->string, mt->valuestring);
            return RG_ERR_CONFIG;
        }
        size_t i = pol->n_platforms;
        if (!(pol->platform_names[i] = strdup(ch->string)) ||
            !(pol->platform_json[i] = cJSON_PrintUnformatted(ch)))
            return RG_ERR_NOMEM;
        pol->n_platforms++;
    }
    return RG_OK;
}

void rg_policy_platforms_free(rg_policy *pol)
{
    if (!pol)
        return;
    for (size_t i = 0; i < pol->n_platforms; i++) {
        free(pol->platform_names[i]);
        free(pol->platform_json[i]);
    }
    /* A half-filled slot after an allocation failure. */
    if (pol->platform_names)
        free(pol->platform_names[pol->n_platforms]);
    free(pol->platform_names);
    free(pol->platform_json);
    pol->platform_names = pol->platform_json = NULL;
    pol->n_platforms = 0;
}

const char *rg_policy_platform_settings(const rg_policy *p, const char *name)
{
    for (size_t i = 0; p && name && i < p->n_platforms; i++)
        if (!strcmp(p->platform_names[i], name))
            return p->platform_json[i];
    return NULL;
}
