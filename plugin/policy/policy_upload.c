/* Policy: the "upload" section — where sealed recordings may be shipped
 * and the transfer guard (GDPR Art. 44-49). A destination whose region is
 * not in allowed_regions makes the whole policy fail to load, so nothing is
 * recorded under a policy that would send data to a third country.
 * Messages follow policy.c: "FILE: json.path: expected WHAT, got VALUE". */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include "policy.h"

#define MAX_DESTS 16
#define MAX_REGIONS 250
#define MAX_TEXT 4000
#define PATH_SIZE 200

/* EU member states (Greece as its ISO code GR) + EEA (IS, LI, NO). */
static const char *const eea[] = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR",
    "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK",
    "SI", "ES", "SE", "IS", "LI", "NO", NULL};
/* Countries with a general EU adequacy decision (Art. 45). The US
 * adequacy (Data Privacy Framework) covers certified organisations only,
 * so it is not a default: an admin adds "US" and a transfer_basis. */
static const char *const adequacy[] = {
    "AD", "AR", "CA", "FO", "GG", "IL", "IM", "JP", "JE", "NZ", "KR", "CH",
    "GB", "UY", NULL};

/* S3 region names and the country where they keep data: every AWS region
 * (commercial, GovCloud, China, European Sovereign Cloud) and a few EU
 * providers' own names. An s3_region not listed here is refused: a region
 * recgate cannot place could be anywhere (docs/operations.md). */
static const char *const s3_regions[][2] = {
    {"eu-central-1", "DE"}, {"eu-central-2", "CH"}, {"eu-west-1", "IE"},
    {"eu-west-2", "GB"}, {"eu-west-3", "FR"}, {"eu-south-1", "IT"},
    {"eu-south-2", "ES"}, {"eu-north-1", "SE"}, {"eusc-de-east-1", "DE"},
    {"us-east-1", "US"}, {"us-east-2", "US"}, {"us-west-1", "US"},
    {"us-west-2", "US"}, {"us-gov-east-1", "US"}, {"us-gov-west-1", "US"},
    {"ca-central-1", "CA"}, {"ca-west-1", "CA"}, {"mx-central-1", "MX"},
    {"sa-east-1", "BR"}, {"af-south-1", "ZA"}, {"il-central-1", "IL"},
    {"me-central-1", "AE"}, {"me-south-1", "BH"}, {"ap-east-1", "HK"},
    {"ap-east-2", "TW"}, {"ap-south-1", "IN"}, {"ap-south-2", "IN"},
    {"ap-southeast-1", "SG"}, {"ap-southeast-2", "AU"},
    {"ap-southeast-3", "ID"}, {"ap-southeast-4", "AU"},
    {"ap-southeast-5", "MY"}, {"ap-southeast-7", "TH"},
    {"ap-northeast-1", "JP"}, {"ap-northeast-2", "KR"},
    {"ap-northeast-3", "JP"}, {"cn-north-1", "CN"}, {"cn-northwest-1", "CN"},
    /* Scaleway, Hetzner, Exoscale */
    {"fr-par", "FR"}, {"nl-ams", "NL"}, {"pl-waw", "PL"}, {"fsn1", "DE"},
    {"nbg1", "DE"}, {"hel1", "FI"}, {"de-fra-1", "DE"}, {"de-muc-1", "DE"},
    {"at-vie-1", "AT"}, {"at-vie-2", "AT"}, {"ch-gva-2", "CH"},
    {"ch-dk-2", "CH"}, {"bg-sof-1", "BG"}, {NULL, NULL}};

typedef struct uctx {
    const char *origin;
    bool is_file;
    char *errbuf;
} uctx;

static rg_err fail(const uctx *c, const char *path, const char *what,
                   const cJSON *got)
{
    if (!c->errbuf)
        return RG_ERR_CONFIG;
    char val[200] = "nothing";
    if (got) {
        char *t = cJSON_PrintUnformatted(got);
        if (t) {
            size_t n = strlen(t);
            snprintf(val, sizeof val, "%.*s%s", n > 40 ? 40 : (int)n, t,
                     n > 40 ? "..." : "");
        }
        cJSON_free(t);
    }
    snprintf(c->errbuf, RG_ERRBUF_SIZE, "%s: %s: expected %s, got %s",
             c->origin, path, what, val);
    return RG_ERR_CONFIG;
}

static const cJSON *member(const cJSON *o, const char *key)
{
    for (const cJSON *ch = o ? o->child : NULL; ch; ch = ch->next)
        if (ch->string && !strcmp(ch->string, key))
            return ch;
    return NULL;
}

static rg_err check_keys(const uctx *c, const cJSON *o, const char *path,
                         const char *const *known)
{
    for (const cJSON *ch = o->child; ch; ch = ch->next) {
        const char *k = ch->string ? ch->string : "";
        bool ok = false;
        for (size_t i = 0; known[i]; i++)
            ok |= !strcmp(known[i], k);
        if (!ok) {
            char list[400] = "";
            for (size_t i = 0; known[i]; i++) {
                size_t u = strlen(list);
                snprintf(list + u, sizeof list - u, "%s%s", i ? ", " : "",
                         known[i]);
            }
            if (c->errbuf)
                snprintf(c->errbuf, RG_ERRBUF_SIZE,
                         "%s: %s.%.60s: unknown key (expected one of %s)",
                         c->origin, path, k, list);
            return RG_ERR_CONFIG;
        }
        for (const cJSON *p = o->child; p != ch; p = p->next)
            if (p->string && !strcmp(p->string, k)) {
                if (c->errbuf)
                    snprintf(c->errbuf, RG_ERRBUF_SIZE,
                             "%s: %s.%s: duplicate key", c->origin, path, k);
                return RG_ERR_CONFIG;
            }
    }
    return RG_OK;
}

/* Text: string, not blank, no control characters, bounded (UTF-8 was
 * checked for the whole file by the loader). */
static rg_err get_text(const uctx *c, const cJSON *o, const char *path,
                       const char *key, bool required, char **out)
{
    char p[PATH_SIZE];
    snprintf(p, sizeof p, "%s.%s", path, key);
    const cJSON *it = member(o, key);
    if (!it && !required)
        return RG_OK;
    if (!cJSON_IsString(it) || !it->valuestring)
        return fail(c, p, "non-empty text", it);
    bool blank = true;
    for (const unsigned char *s = (const unsigned char *)it->valuestring; *s; s++) {
        if (*s < 0x20 || *s == 0x7F)
            return fail(c, p, "text without control characters", it);
        if (*s != ' ')
            blank = false;
    }
    if (blank || strlen(it->valuestring) > MAX_TEXT)
        return fail(c, p, "non-empty text of at most 4000 bytes", it);
    return (*out = strdup(it->valuestring)) ? RG_OK : RG_ERR_NOMEM;
}

/* A file path: relative ones are relative to the policy file's folder. */
static rg_err get_path(const uctx *c, const cJSON *o, const char *path,
                       const char *key, bool required, char **out)
{
    char *f = NULL;
    rg_err e = get_text(c, o, path, key, required, &f);
    if (e || !f)
        return e;
    const char *slash = strrchr(c->origin, '/');
    if (f[0] == '/' || !slash || !c->is_file) {
        *out = f;
        return RG_OK;
    }
    size_t d = (size_t)(slash - c->origin);
    *out = malloc(d + strlen(f) + 2);
    if (*out)
        sprintf(*out, "%.*s/%s", (int)d, c->origin, f);
    free(f);
    return *out ? RG_OK : RG_ERR_NOMEM;
}

static rg_err get_int(const uctx *c, const cJSON *o, const char *path,
                      const char *key, int min, int max, int *out)
{
    char p[PATH_SIZE], what[64];
    snprintf(p, sizeof p, "%s.%s", path, key);
    const cJSON *it = member(o, key);
    if (!it)
        return RG_OK;
    double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
    if (!(v >= min && v <= max) || floor(v) != v) {
        snprintf(what, sizeof what, "whole seconds %d..%d", min, max);
        return fail(c, p, what, it);
    }
    *out = (int)v;
    return RG_OK;
}

static rg_err get_bool(const uctx *c, const cJSON *o, const char *path,
                       const char *key, bool *out)
{
    char p[PATH_SIZE];
    snprintf(p, sizeof p, "%s.%s", path, key);
    const cJSON *it = member(o, key);
    if (!it)
        return RG_OK;
    if (!cJSON_IsBool(it))
        return fail(c, p, "true or false", it);
    *out = cJSON_IsTrue(it);
    return RG_OK;
}

static bool in_list(const char *const *l, const char *cc)
{
    for (; *l; l++)
        if (!strcmp(*l, cc))
            return true;
    return false;
}

int rg_region_is_eea(const char *cc) { return cc && in_list(eea, cc); }

int rg_region_allowed(const rg_policy *pol, const char *cc)
{
    for (size_t i = 0; pol && cc && i < pol->n_allowed_regions; i++)
        if (!strcmp(pol->allowed_regions[i], cc))
            return 1;
    return 0;
}

static bool is_cc(const char *s)
{
    return s && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' &&
           s[1] <= 'Z';
}

/* Case-insensitive: "US-EAST-1" is us-east-1 (where the data goes does not
 * depend on how the name is spelt). */
static const char *s3_country(const char *r)
{
    for (size_t i = 0; r && s3_regions[i][0]; i++)
        if (!strcasecmp(s3_regions[i][0], r))
            return s3_regions[i][1];
    return NULL;
}

/* Looks like an AWS-style region name ("ap-south-2", "us-gov-west-1"):
 * two or more words of letters, then a number, joined by '-'. */
static bool region_like(const char *s, size_t n)
{
    size_t words = 0, i = 0;
    for (;;) {
        size_t a = i;
        while (i < n && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
            i++;
        if (i == a || i == n || s[i] != '-')
            break;
        words++;
        i++;
    }
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return words >= 2 && i == n && i > d;
}

/* Does the URL's host name a region (a host label "us-east-1",
 * "s3-us-west-2", "fr-par")? *name gets the label part; returns its
 * country, "" for a region-like name recgate does not know, NULL if the
 * host names none. */
static const char *url_region(const char *url, char *name, size_t nn)
{
    const char *h = url + 8, *end = h + strcspn(h, "/:");
    while (h < end) {
        const char *dot = memchr(h, '.', (size_t)(end - h));
        size_t n = dot ? (size_t)(dot - h) : (size_t)(end - h);
        const char *lab = h;
        if (n > 3 && !strncasecmp(lab, "s3-", 3)) {
            lab += 3;
            n -= 3;
        }
        if (n > 0 && n < 40) {
            snprintf(name, nn, "%.*s", (int)n, lab);
            const char *cc = s3_country(name);
            if (cc && strchr(name, '-'))
                return cc; /* short names (fsn1) are too common in host names */
            if (!cc && region_like(lab, n))
                return "";
        }
        h = dot ? dot + 1 : end;
    }
    return NULL;
}

/* https only (TLS verification is always on), no user:pass@, no query or
 * fragment: object names are appended to it. */
static bool url_ok(const char *u)
{
    if (strncmp(u, "https://", 8) != 0 || !u[8] || u[8] == '/')
        return false;
    const char *host_end = strchr(u + 8, '/');
    size_t hl = host_end ? (size_t)(host_end - u - 8) : strlen(u + 8);
    if (memchr(u + 8, '@', hl))
        return false;
    for (const char *s = u; *s; s++)
        if (*s == ' ' || *s == '?' || *s == '#' || *s == '\\' || *s == '"')
            return false;
    return strlen(u) <= 1000;
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

static rg_err parse_regions(const uctx *c, const cJSON *up, rg_policy *pol)
{
    const cJSON *arr = member(up, "allowed_regions");
    size_t n = 0;
    if (!arr) { /* default: EU/EEA + adequacy */
        while (eea[n])
            n++;
        for (size_t i = 0; adequacy[i]; i++)
            n++;
    } else if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > MAX_REGIONS) {
        return fail(c, "upload.allowed_regions",
                    "a list of ISO country codes (\"DK\", \"DE\", ...)", arr);
    } else {
        n = (size_t)cJSON_GetArraySize(arr);
    }
    pol->allowed_regions = calloc(n + 1, sizeof *pol->allowed_regions);
    if (!pol->allowed_regions)
        return RG_ERR_NOMEM;
    if (!arr) {
        for (size_t i = 0; eea[i]; i++)
            memcpy(pol->allowed_regions[pol->n_allowed_regions++], eea[i], 3);
        for (size_t i = 0; adequacy[i]; i++)
            memcpy(pol->allowed_regions[pol->n_allowed_regions++], adequacy[i], 3);
        return RG_OK;
    }
    int i = 0;
    for (const cJSON *r = arr->child; r; r = r->next, i++) {
        char p[PATH_SIZE];
        snprintf(p, sizeof p, "upload.allowed_regions[%d]", i);
        if (!cJSON_IsString(r) || !is_cc(r->valuestring))
            return fail(c, p, "an ISO 3166-1 alpha-2 country code in capitals (\"DK\")", r);
        memcpy(pol->allowed_regions[pol->n_allowed_regions++], r->valuestring, 3);
    }
    return RG_OK;
}

static rg_err parse_dest(const uctx *c, const cJSON *o, const char *path,
                         rg_policy *pol, rg_upload_dest *d)
{
    static const char *const keys[] = {
        "name", "type", "url", "region", "s3_region", "ca_file", "username",
        "password_file", "access_key_id", "secret_key_file",
        "delete_local_after_upload", "include_keyring", "timeout_s", NULL};
    char p[PATH_SIZE + 32];
    rg_err e;
    if (!cJSON_IsObject(o))
        return fail(c, path, "an object", o);
    if ((e = check_keys(c, o, path, keys)) ||
        (e = get_text(c, o, path, "name", true, &d->name)))
        return e;
    snprintf(p, sizeof p, "%s.name", path);
    if (!name_ok(d->name))
        return fail(c, p, "a name of 1..64 characters a-z 0-9 - _", member(o, "name"));
    for (size_t i = 0; i + 1 < pol->n_upload_dests; i++)
        if (!strcmp(pol->upload_dests[i].name, d->name))
            return fail(c, p, "a name not used by another destination", member(o, "name"));
    const cJSON *ty = member(o, "type");
    snprintf(p, sizeof p, "%s.type", path);
    if (cJSON_IsString(ty) && !strcmp(ty->valuestring, "webdav"))
        d->type = RG_DEST_WEBDAV;
    else if (cJSON_IsString(ty) && !strcmp(ty->valuestring, "s3"))
        d->type = RG_DEST_S3;
    else
        return fail(c, p, "one of \"webdav\", \"s3\"", ty);
    if ((e = get_text(c, o, path, "url", true, &d->url)))
        return e;
    snprintf(p, sizeof p, "%s.url", path);
    if (!url_ok(d->url))
        return fail(c, p, "an https:// URL without user:password@, ? or #", member(o, "url"));
    size_t ul = strlen(d->url);
    while (ul > 8 && d->url[ul - 1] == '/')
        d->url[--ul] = '\0';
    if ((e = get_text(c, o, path, "s3_region", d->type == RG_DEST_S3, &d->s3_region)))
        return e;
    snprintf(p, sizeof p, "%s.s3_region", path);
    /* A stray s3_region on a webdav destination was silently ignored:
     * whoever wrote it believes the data rests there. */
    if (d->type == RG_DEST_WEBDAV && d->s3_region)
        return fail(c, p, "no s3_region on a webdav destination (region says "
                    "where the data rests)", member(o, "s3_region"));
    if (d->type == RG_DEST_S3 && !s3_country(d->s3_region))
        return fail(c, p, "a known S3 region name (eu-central-1, eu-north-1, ...: "
                    "the list is in docs/operations.md)", member(o, "s3_region"));
    char *region = NULL;
    if ((e = get_text(c, o, path, "region", d->type != RG_DEST_S3, &region)))
        return e;
    snprintf(p, sizeof p, "%s.region", path);
    if (region && !is_cc(region)) {
        free(region);
        return fail(c, p, "an ISO 3166-1 alpha-2 country code in capitals (\"DK\")",
                    member(o, "region"));
    }
    const char *mapped = d->type == RG_DEST_S3 ? s3_country(d->s3_region) : NULL;
    if (region && mapped && strcmp(region, mapped)) {
        char what[120];
        snprintf(what, sizeof what, "the country of s3_region \"%s\" (%s)",
                 d->s3_region, mapped);
        free(region);
        return fail(c, p, what, member(o, "region"));
    }
    snprintf(d->region, sizeof d->region, "%s", region ? region : mapped);
    free(region);
    /* A host that names a region (s3.us-east-1.amazonaws.com) is where
     * the data goes, whatever the declaration says. */
    char hostreg[48];
    const char *hcc = url_region(d->url, hostreg, sizeof hostreg);
    if (hcc && strcmp(hcc, d->region)) {
        char what[200];
        snprintf(p, sizeof p, "%s.url", path);
        if (!*hcc)
            snprintf(what, sizeof what, "a host that names no region unknown to "
                     "recgate (it names \"%s\")", hostreg);
        else
            snprintf(what, sizeof what, "a host in the declared region %s (it "
                     "names \"%s\", %s)", d->region, hostreg, hcc);
        return fail(c, p, what, member(o, "url"));
    }
    /* The transfer guard. */
    if (!rg_region_allowed(pol, d->region)) {
        const cJSON *got = member(o, "region");
        cJSON *tmp = NULL;
        if (!got) {
            snprintf(p, sizeof p, "%s.s3_region", path);
            char v[120];
            snprintf(v, sizeof v, "%s (%s)", d->s3_region, d->region);
            got = tmp = cJSON_CreateString(v);
        }
        (void)fail(c, p, "an EU/EEA or adequacy country (allowed_regions)", got);
        cJSON_Delete(tmp);
        return RG_ERR_REFUSED; /* the transfer guard, not a typo */
    }
    if ((e = get_path(c, o, path, "ca_file", false, &d->ca_file)) ||
        (e = get_text(c, o, path, "username", false, &d->username)) ||
        (e = get_path(c, o, path, "password_file", false, &d->password_file)) ||
        (e = get_text(c, o, path, "access_key_id", d->type == RG_DEST_S3,
                      &d->access_key_id)) ||
        (e = get_path(c, o, path, "secret_key_file", d->type == RG_DEST_S3,
                      &d->secret_key_file)))
        return e;
    if (!d->username != !d->password_file) {
        snprintf(p, sizeof p, "%s.%s", path, d->username ? "password_file" : "username");
        return fail(c, p, "username and password_file together", NULL);
    }
    if (d->type == RG_DEST_WEBDAV && (d->access_key_id || d->secret_key_file)) {
        snprintf(p, sizeof p, "%s.access_key_id", path);
        return fail(c, p, "no S3 credentials on a webdav destination",
                    member(o, "access_key_id") ? member(o, "access_key_id")
                                               : member(o, "secret_key_file"));
    }
    if (d->type == RG_DEST_S3 && d->username) {
        snprintf(p, sizeof p, "%s.username", path);
        return fail(c, p, "access_key_id/secret_key_file on an s3 destination",
                    member(o, "username"));
    }
    d->timeout_s = 60;
    if ((e = get_bool(c, o, path, "delete_local_after_upload",
                      &d->delete_local_after_upload)) ||
        (e = get_bool(c, o, path, "include_keyring", &d->include_keyring)) ||
        (e = get_int(c, o, path, "timeout_s", 1, 3600, &d->timeout_s)))
        return e;
    return RG_OK;
}

rg_err rg_policy_parse_upload(const char *origin, bool is_file,
                              const void *root_cjson, rg_policy *pol,
                              char *errbuf)
{
    static const char *const keys[] = {"destinations", "allowed_regions",
                                       "transfer_basis", "wait_at_end_s",
                                       "retry_max_s", NULL};
    uctx c = {origin, is_file, errbuf};
    const cJSON *up = member(root_cjson, "upload");
    rg_err e;
    pol->upload_wait_s = 30;
    pol->upload_retry_max_s = 300;
    if (up && !cJSON_IsObject(up))
        return fail(&c, "upload", "an object", up);
    if (up && (e = check_keys(&c, up, "upload", keys)))
        return e;
    if ((e = parse_regions(&c, up, pol)))
        return e;
    if (!up)
        return RG_OK;
    if ((e = get_text(&c, up, "upload", "transfer_basis", false,
                      &pol->transfer_basis)) ||
        (e = get_int(&c, up, "upload", "wait_at_end_s", 0, 3600,
                     &pol->upload_wait_s)) ||
        (e = get_int(&c, up, "upload", "retry_max_s", 1, 86400,
                     &pol->upload_retry_max_s)))
        return e;
    const cJSON *arr = member(up, "destinations");
    if (!arr)
        return RG_OK;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) > MAX_DESTS)
        return fail(&c, "upload.destinations", "a list of at most 16 destinations", arr);
    pol->upload_dests = calloc((size_t)cJSON_GetArraySize(arr) + 1,
                               sizeof *pol->upload_dests);
    if (!pol->upload_dests)
        return RG_ERR_NOMEM;
    int i = 0;
    bool third = false;
    for (const cJSON *d = arr->child; d; d = d->next, i++) {
        char p[PATH_SIZE];
        snprintf(p, sizeof p, "upload.destinations[%d]", i);
        rg_upload_dest *dst = &pol->upload_dests[pol->n_upload_dests++];
        if ((e = parse_dest(&c, d, p, pol, dst)))
            return e;
        third |= !rg_region_is_eea(dst->region);
    }
    /* Product rule: outside the EU/EEA the notice must say on what basis. */
    if (third && !pol->transfer_basis)
        return fail(&c, "upload.transfer_basis",
                    "text naming the transfer basis (adequacy decision or "
                    "safeguard) when a destination is outside the EU/EEA", NULL);
    return RG_OK;
}

void rg_policy_free_upload(rg_policy *pol)
{
    for (size_t i = 0; i < pol->n_upload_dests; i++) {
        rg_upload_dest *d = &pol->upload_dests[i];
        free(d->name);
        free(d->url);
        free(d->s3_region);
        free(d->ca_file);
        free(d->username);
        free(d->password_file);
        free(d->access_key_id);
        free(d->secret_key_file);
    }
    free(pol->upload_dests);
    free(pol->allowed_regions);
    free(pol->transfer_basis);
}
