/* The adapter protocol parser (bproto.h). Pure: no I/O, no globals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "browser/bproto.h"

static const struct {
    const char *name;
    rg_bp_kind kind;
} kinds[] = {
    {"hello", RG_BP_HELLO},   {"joined", RG_BP_JOINED},
    {"failed", RG_BP_FAILED}, {"ended", RG_BP_ENDED},
    {"participant", RG_BP_PARTICIPANT}, {"chatuser", RG_BP_CHATUSER},
    {"chat", RG_BP_CHAT},     {"track", RG_BP_TRACK},
    {"frames", RG_BP_FRAMES}, {"sent", RG_BP_SENT},
    {"speaker", RG_BP_SPEAKER}, {"open", RG_BP_OPEN},
    {"log", RG_BP_LOG},
};

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Strict base64 (with padding) into out; returns bytes or -1. */
static long b64_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
    if (n % 4)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)s[i + k];
            if (c == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = b64val(c)) < 0) {
                return -1;
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
                     (uint32_t)v[3];
        size_t take = 3 - (size_t)pad;
        if (o + take > cap)
            return -1;
        for (size_t k = 0; k < take; k++)
            out[o++] = (uint8_t)(w >> (16 - 8 * k));
    }
    return (long)o;
}

/* A string field: NULL if absent; error if present and not a string of
 * 1..max bytes without control characters (newlines allowed in text). */
static bool str_field(const cJSON *o, const char *key, size_t max, bool text,
                      bool required, const char **out, char *why)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NULL;
    if (!it || cJSON_IsNull(it)) {
        if (required)
            snprintf(why, RG_ERRBUF_SIZE, "\"%s\" is missing", key);
        return !required;
    }
    if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) > max) {
        snprintf(why, RG_ERRBUF_SIZE, "\"%s\": expected a string of 1..%zu bytes", key, max);
        return false;
    }
    for (const unsigned char *c = (const unsigned char *)it->valuestring; *c; c++)
        if ((*c < 0x20 && !(text && (*c == '\n' || *c == '\t'))) || *c == 0x7f) {
            snprintf(why, RG_ERRBUF_SIZE, "\"%s\": control characters are not allowed", key);
            return false;
        }
    *out = it->valuestring;
    return true;
}

static bool bool_field(const cJSON *o, const char *key, bool dflt, bool *out, char *why)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!it) {
        *out = dflt;
        return true;
    }
    if (!cJSON_IsBool(it)) {
        snprintf(why, RG_ERRBUF_SIZE, "\"%s\": expected true or false", key);
        return false;
    }
    *out = cJSON_IsTrue(it);
    return true;
}

static bool uint_item(const cJSON *it, double max, double *out)
{
    if (!cJSON_IsNumber(it) || !(it->valuedouble >= 0 && it->valuedouble <= max) ||
        (double)(int64_t)it->valuedouble != it->valuedouble)
        return false;
    *out = it->valuedouble;
    return true;
}

static rg_err parse_frames(const cJSON *o, rg_bp_msg *m, char *why)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "f");
    int n = cJSON_IsArray(f) ? cJSON_GetArraySize(f) : -1;
    if (n < 0 || n > (int)RG_BP_MAX_FRAMES) {
        snprintf(why, RG_ERRBUF_SIZE, "\"f\": expected a list of at most %u frames",
                 RG_BP_MAX_FRAMES);
        return RG_ERR_PARSE;
    }
    if (!n)
        return RG_OK;
    /* Room for every frame as decoded: at most 3/4 of its base64. */
    size_t cap = 0, used = 0;
    for (const cJSON *e = f->child; e; e = e->next) {
        const cJSON *d = cJSON_GetArrayItem(e, 3);
        if (cJSON_IsString(d))
            cap += strlen(d->valuestring) / 4 * 3;
    }
    m->frames = calloc((size_t)n, sizeof *m->frames);
    m->bytes = malloc(cap ? cap : 1);
    if (!m->frames || !m->bytes)
        return RG_ERR_NOMEM;
    int i = 0;
    for (const cJSON *e = f->child; e; e = e->next, i++) {
        /* [key, seq, age_ms, base64] */
        const cJSON *k = cJSON_GetArrayItem(e, 0), *s = cJSON_GetArrayItem(e, 1),
                    *a = cJSON_GetArrayItem(e, 2), *d = cJSON_GetArrayItem(e, 3);
        double seq, age;
        if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) != 4 || !cJSON_IsString(k) ||
            !k->valuestring[0] || strlen(k->valuestring) > RG_BP_MAX_ID ||
            !uint_item(s, 65535, &seq) || !uint_item(a, 600000, &age) ||
            !cJSON_IsString(d)) {
            snprintf(why, RG_ERRBUF_SIZE,
                     "\"f\"[%d]: expected [track key, RTP sequence 0..65535, age ms, base64]", i);
            return RG_ERR_PARSE;
        }
        uint8_t *dst = m->bytes + used;
        size_t room = cap - used < RG_BP_MAX_FRAME ? cap - used : RG_BP_MAX_FRAME;
        long len = b64_decode(d->valuestring, strlen(d->valuestring), dst, room);
        if (len <= 0) {
            snprintf(why, RG_ERRBUF_SIZE, "\"f\"[%d]: frame is not base64 of 1..%u bytes", i,
                     RG_BP_MAX_FRAME);
            return RG_ERR_PARSE;
        }
        used += (size_t)len;
        m->frames[i] = (rg_bp_frame){k->valuestring, (uint32_t)seq, (uint32_t)age, dst,
                                     (size_t)len};
    }
    m->n_frames = (size_t)n;
    return RG_OK;
}

void rg_bp_free(rg_bp_msg *m)
{
    if (!m)
        return;
    cJSON_Delete(m->root);
    free(m->frames);
    free(m->bytes);
    memset(m, 0, sizeof *m);
}

rg_err rg_bp_parse(const char *payload, size_t len, rg_bp_msg *m, char *why)
{
    memset(m, 0, sizeof *m);
    why[0] = '\0';
    if (!payload || len > RG_BP_MAX_PAYLOAD) {
        snprintf(why, RG_ERRBUF_SIZE, "message larger than %u bytes", RG_BP_MAX_PAYLOAD);
        return RG_ERR_PARSE;
    }
    cJSON *o = cJSON_ParseWithLength(payload, len);
    m->root = o;
    rg_err err = RG_ERR_PARSE;
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(o, "ev");
    if (!cJSON_IsObject(o) || !cJSON_IsString(ev)) {
        snprintf(why, RG_ERRBUF_SIZE, "not a JSON object with \"ev\"");
        goto fail;
    }
    size_t k = 0;
    while (k < sizeof kinds / sizeof kinds[0] && strcmp(kinds[k].name, ev->valuestring))
        k++;
    if (k == sizeof kinds / sizeof kinds[0]) {
        snprintf(why, RG_ERRBUF_SIZE, "unknown \"ev\": \"%.40s\"", ev->valuestring);
        goto fail;
    }
    m->kind = kinds[k].kind;
    const cJSON *it;
    double v;
    bool ok = true;
    switch (m->kind) {
    case RG_BP_HELLO:
        ok = str_field(o, "adapter", RG_BP_MAX_ID, false, true, &m->adapter, why) &&
             str_field(o, "audio", 16, false, false, &m->audio, why);
        if (ok && m->audio && strcmp(m->audio, "separate") && strcmp(m->audio, "mixed")) {
            snprintf(why, RG_ERRBUF_SIZE, "\"audio\": expected \"separate\" or \"mixed\"");
            ok = false;
        }
        break;
    case RG_BP_JOINED:
        break;
    case RG_BP_FAILED:
    case RG_BP_ENDED:
        ok = str_field(o, "why", RG_BP_MAX_NAME, false, true, &m->why, why);
        break;
    case RG_BP_PARTICIPANT:
    case RG_BP_CHATUSER: {
        const char *role = NULL;
        ok = str_field(o, "id", RG_BP_MAX_ID, false, true, &m->id, why) &&
             str_field(o, "name", RG_BP_MAX_NAME, false, false, &m->name, why) &&
             str_field(o, "role", 16, false, false, &role, why) &&
             bool_field(o, "present", true, &m->present, why);
        if (ok && role && strcmp(role, "host") && strcmp(role, "guest")) {
            snprintf(why, RG_ERRBUF_SIZE, "\"role\": expected \"host\" or \"guest\"");
            ok = false;
        }
        m->host = role && !strcmp(role, "host");
        break;
    }
    case RG_BP_CHAT:
        ok = str_field(o, "from", RG_BP_MAX_ID, false, true, &m->from, why) &&
             str_field(o, "name", RG_BP_MAX_NAME, false, false, &m->name, why) &&
             str_field(o, "text", RG_BP_MAX_TEXT, true, true, &m->text, why) &&
             bool_field(o, "private", false, &m->is_private, why);
        break;
    case RG_BP_TRACK:
        ok = str_field(o, "key", RG_BP_MAX_ID, false, true, &m->key, why) &&
             str_field(o, "id", RG_BP_MAX_ID, false, false, &m->id, why);
        break;
    case RG_BP_FRAMES:
        if ((err = parse_frames(o, m, why)))
            goto fail;
        break;
    case RG_BP_SENT:
        it = cJSON_GetObjectItemCaseSensitive(o, "req");
        ok = uint_item(it, 1e15, &v);
        if (!ok)
            snprintf(why, RG_ERRBUF_SIZE, "\"req\": expected the request number");
        m->req = ok ? (int64_t)v : 0;
        ok = ok && bool_field(o, "ok", false, &m->ok, why) &&
             str_field(o, "why", RG_BP_MAX_NAME, false, false, &m->why, why);
        break;
    case RG_BP_SPEAKER:
        ok = str_field(o, "id", RG_BP_MAX_ID, false, false, &m->id, why) &&
             str_field(o, "name", RG_BP_MAX_NAME, false, false, &m->name, why);
        break;
    case RG_BP_OPEN:
        ok = str_field(o, "url", RG_BP_MAX_URL, false, true, &m->url, why);
        break;
    case RG_BP_LOG:
        ok = str_field(o, "text", RG_BP_MAX_TEXT, true, true, &m->text, why);
        break;
    }
    if (ok)
        return RG_OK;
    err = RG_ERR_PARSE;
fail:
    if (err == RG_ERR_NOMEM)
        snprintf(why, RG_ERRBUF_SIZE, "out of memory");
    rg_bp_free(m);
    return err;
}

unsigned rg_bp_opus_ms(const uint8_t *pkt, size_t len, int *stereo)
{
    if (!pkt || len < 1)
        return 0;
    unsigned config = pkt[0] >> 3, code = pkt[0] & 3, frames;
    if (stereo)
        *stereo = (pkt[0] >> 2) & 1;
    /* Frame length in tenths of a millisecond by configuration (RFC 6716). */
    static const unsigned silk[4] = {100, 200, 400, 600};
    static const unsigned celt[4] = {25, 50, 100, 200};
    unsigned tenths = config < 12 ? silk[config & 3]
                    : config < 16 ? (config & 1 ? 200 : 100)
                                  : celt[config & 3];
    if (code == 0)
        frames = 1;
    else if (code < 3)
        frames = 2;
    else if (len < 2)
        return 0;
    else
        frames = pkt[1] & 0x3f;
    unsigned total = frames * tenths;
    if (!frames || total > 1200)
        return 0;
    return (total + 5) / 10;
}
