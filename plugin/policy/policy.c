/* Policy loader: reads config/recgate.json (docs/config.md), validates every
 * key and value, and builds the immutable rg_policy. Any problem gives
 * RG_ERR_CONFIG and one line "FILE: json.path: expected WHAT, got VALUE";
 * nothing is half-loaded (fail closed). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include "policy.h"

#define MAX_FILE_BYTES (1024 * 1024) /* a policy is a few KiB; cap is generous */
#define MAX_TYPES 256
#define MAX_TYPE_NAME 64
#define MAX_TEXT_BYTES 4000          /* purpose, justification, storage ... */
#define MAX_WORDS 1000               /* per classifier list */
#define MAX_WORD_BYTES 200
#define MAX_RECIPIENTS 64
#define MAX_VALUE_CHARS 40           /* "got VALUE" is cut after this */
#define PATH_SIZE 200

typedef struct ctx {
    const char *origin;
    char *errbuf;
    bool is_file; /* origin is a file path (relative paths resolve there) */
} ctx;

/* ---------- messages ---------- */

static rg_err failf(const ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static rg_err failf(const ctx *c, const char *fmt, ...)
{
    if (c->errbuf) {
        int n = snprintf(c->errbuf, RG_ERRBUF_SIZE, "%s: ", c->origin);
        if (n < 0 || n >= RG_ERRBUF_SIZE)
            n = 0;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->errbuf + n, RG_ERRBUF_SIZE - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return RG_ERR_CONFIG;
}

/* Length of the UTF-8 sequence starting at s (max bytes available), or 0 if
 * it is not valid UTF-8 (overlong, surrogate, > U+10FFFF, cut short). */
static size_t utf8_seq(const unsigned char *s, size_t max)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned cp, min;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if (n > max)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Copy at most `chars` code points of `s` into out (size n), adding "..."
 * when cut. s is valid UTF-8 here (the whole file was checked). */
static void clip(char *out, size_t n, const char *s, size_t chars)
{
    size_t i = 0, len = strlen(s), used = 0;
    while (i < len && used < chars) {
        size_t k = utf8_seq((const unsigned char *)s + i, len - i);
        i += k ? k : 1;
        used++;
    }
    snprintf(out, n, "%.*s%s", (int)i, s, i < len ? "..." : "");
}

/* "got VALUE": compact JSON of the item, or "nothing" if absent. */
static void describe(const cJSON *item, char *out, size_t n)
{
    if (!item) {
        snprintf(out, n, "nothing");
        return;
    }
    if (cJSON_IsNumber(item) && !isfinite(item->valuedouble)) {
        snprintf(out, n, "an out-of-range number");
        return;
    }
    char *txt = cJSON_PrintUnformatted(item); /* the value, not "key": */
    if (txt)
        clip(out, n, txt, MAX_VALUE_CHARS);
    else
        snprintf(out, n, "(unprintable value)");
    cJSON_free(txt);
}

static rg_err expected(const ctx *c, const char *path, const char *what,
                       const cJSON *got)
{
    char val[4 * MAX_VALUE_CHARS + 8];
    describe(got, val, sizeof val);
    if (!path || !*path)
        return failf(c, "expected %s, got %s", what, val);
    return failf(c, "%s: expected %s, got %s", path, what, val);
}

/* path + "." + key; odd keys are shown quoted and clipped so the message
 * stays one readable line. */
static void path_join(char *out, size_t n, const char *base, const char *key)
{
    bool plain = *key != '\0' && strlen(key) <= MAX_TYPE_NAME;
    for (const char *k = key; *k && plain; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
              (*k >= '0' && *k <= '9') || *k == '_' || *k == '-'))
            plain = false;
    char shown[4 * MAX_VALUE_CHARS + 8];
    if (plain) {
        snprintf(shown, sizeof shown, "%s", key);
    } else {
        cJSON *s = cJSON_CreateString(key);
        char *txt = s ? cJSON_PrintUnformatted(s) : NULL;
        clip(shown, sizeof shown, txt ? txt : "\"?\"", MAX_VALUE_CHARS);
        cJSON_free(txt);
        cJSON_Delete(s);
    }
    snprintf(out, n, "%s%s%s", base, *base ? "." : "", shown);
}

/* ---------- structure checks ---------- */

/* Reject unknown and duplicate keys. cJSON keeps duplicates as siblings;
 * since unknown keys fail first, at most ~12 known siblings are compared. */
static rg_err check_keys(const ctx *c, const cJSON *obj, const char *path,
                         const char *const *known)
{
    char p[PATH_SIZE];
    for (const cJSON *ch = obj->child; ch; ch = ch->next) {
        const char *key = ch->string ? ch->string : "";
        bool ok = false;
        for (size_t i = 0; known[i]; i++)
            if (strcmp(known[i], key) == 0)
                ok = true;
        path_join(p, sizeof p, path, key);
        if (!ok) {
            char list[300] = "";
            size_t used = 0;
            for (size_t i = 0; known[i] && used < sizeof list; i++) {
                int w = snprintf(list + used, sizeof list - used, "%s%s",
                                 i ? ", " : "", known[i]);
                if (w < 0)
                    break;
                used += (size_t)w;
            }
            return failf(c, "%s: unknown key (expected one of %s)", p, list);
        }
        for (const cJSON *prev = obj->child; prev != ch; prev = prev->next)
            if (prev->string && strcmp(prev->string, key) == 0)
                return failf(c, "%s: duplicate key", p);
    }
    return RG_OK;
}

static const cJSON *member(const cJSON *obj, const char *key)
{
    for (const cJSON *ch = obj ? obj->child : NULL; ch; ch = ch->next)
        if (ch->string && strcmp(ch->string, key) == 0)
            return ch;
    return NULL;
}

/* An object member that must be an object (or may be absent). */
static rg_err get_object(const ctx *c, const cJSON *obj, const char *path,
                         const char *key, bool required, const cJSON **out)
{
    char p[PATH_SIZE];
    path_join(p, sizeof p, path, key);
    const cJSON *it = member(obj, key);
    *out = NULL;
    if (!it && !required)
        return RG_OK;
    if (!cJSON_IsObject(it))
        return expected(c, p, "an object", it);
    *out = it;
    return RG_OK;
}

/* Validate text: a string, non-blank, no control characters, bounded. */
static rg_err check_text(const ctx *c, const char *p, const cJSON *it,
                         size_t max_bytes)
{
    if (!cJSON_IsString(it) || !it->valuestring)
        return expected(c, p, "non-empty text", it);
    const unsigned char *s = (const unsigned char *)it->valuestring;
    size_t len = strlen(it->valuestring);
    bool blank = true;
    for (size_t i = 0; i < len;) {
        size_t k = utf8_seq(s + i, len - i);
        if (!k)
            return expected(c, p, "UTF-8 text", it);
        if (k == 1 && (s[i] < 0x20 || s[i] == 0x7F))
            return expected(c, p, "text without control characters", it);
        if (!(k == 1 && s[i] == ' '))
            blank = false;
        i += k;
    }
    if (blank)
        return expected(c, p, "non-empty text", it);
    if (len > max_bytes) {
        char what[64];
        snprintf(what, sizeof what, "text of at most %zu bytes", max_bytes);
        return expected(c, p, what, it);
    }
    return RG_OK;
}

static rg_err get_text(const ctx *c, const cJSON *obj, const char *path,
                       const char *key, bool required, char **out)
{
    char p[PATH_SIZE];
    path_join(p, sizeof p, path, key);
    const cJSON *it = member(obj, key);
    if (!it && !required)
        return RG_OK;
    rg_err e = check_text(c, p, it, MAX_TEXT_BYTES);
    if (e)
        return e;
    *out = strdup(it->valuestring);
    return *out ? RG_OK : RG_ERR_NOMEM;
}

/* Whole number in [min, max]; `unit` words the message
 * ("expected seconds >= 10", "expected days <= 3650"). */
static rg_err get_int(const ctx *c, const cJSON *obj, const char *path,
                      const char *key, bool required, const char *unit,
                      int min, int max, int *out)
{
    char p[PATH_SIZE], what[64];
    path_join(p, sizeof p, path, key);
    const cJSON *it = member(obj, key);
    if (!it && !required)
        return RG_OK;
    double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
    if (v > max) { /* also +inf from e.g. 1e999 */
        snprintf(what, sizeof what, "%s <= %d", unit, max);
        return expected(c, p, what, it);
    }
    if (!(v >= min)) { /* not a number, too small or -inf */
        snprintf(what, sizeof what, "%s >= %d", unit, min);
        return expected(c, p, what, it);
    }
    if (floor(v) != v) {
        snprintf(what, sizeof what, "whole %s (%d..%d)", unit, min, max);
        return expected(c, p, what, it);
    }
    *out = (int)v;
    return RG_OK;
}

static rg_err get_bool(const ctx *c, const cJSON *obj, const char *path,
                       const char *key, bool *out)
{
    char p[PATH_SIZE];
    path_join(p, sizeof p, path, key);
    const cJSON *it = member(obj, key);
    if (!it)
        return RG_OK; /* keep the default */
    if (!cJSON_IsBool(it))
        return expected(c, p, "true or false", it);
    *out = cJSON_IsTrue(it);
    return RG_OK;
}

/* One of `names` (NULL-terminated); index into *out. */
static rg_err get_enum(const ctx *c, const cJSON *obj, const char *path,
                       const char *key, bool required,
                       const char *const *names, int *out)
{
    char p[PATH_SIZE], what[200] = "one of ";
    path_join(p, sizeof p, path, key);
    const cJSON *it = member(obj, key);
    if (!it && !required)
        return RG_OK;
    for (int i = 0; names[i]; i++) {
        if (cJSON_IsString(it) && strcmp(it->valuestring, names[i]) == 0) {
            *out = i;
            return RG_OK;
        }
        size_t u = strlen(what);
        snprintf(what + u, sizeof what - u, "%s\"%s\"", i ? ", " : "",
                 names[i]);
    }
    return expected(c, p, what, it);
}

/* ---------- sections ---------- */

static const char *const basis_names[] = {"documentation", "consent",
                                          "opt_out", NULL};
static const char *const withdrawal_names[] = {"delete_recording",
                                               "remove_participant", NULL};
static const char *const lang_names[] = {"da", "en", NULL};

static bool type_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > MAX_TYPE_NAME)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

static rg_err parse_type(const ctx *c, const rg_policy *pol, const cJSON *obj,
                         const char *path, rg_meeting_type *t)
{
    static const char *const keys[] = {
        "legal_basis", "window_s", "retention_days", "language", "purpose",
        "storage_location", "require_host", "continue_on_objection",
        "justification", "on_withdrawal", "video", NULL};
    char p[PATH_SIZE];
    rg_err e;
    int v;
    if (!cJSON_IsObject(obj))
        return expected(c, path, "an object", obj);
    if ((e = check_keys(c, obj, path, keys)))
        return e;
    t->require_host = true;
    if ((e = get_enum(c, obj, path, "legal_basis", true, basis_names, &v)))
        return e;
    t->basis = (rg_basis)v;
    if ((e = get_int(c, obj, path, "window_s", true, "seconds",
                     RG_WINDOW_MIN_S, RG_WINDOW_MAX_S, &t->window_s)) ||
        (e = get_int(c, obj, path, "retention_days", true, "days", 1,
                     RG_RETENTION_MAX_DAYS, &t->retention_days)))
        return e;
    if ((e = get_enum(c, obj, path, "language", true, lang_names, &v)))
        return e;
    t->language = (rg_lang)v;
    if ((e = get_text(c, obj, path, "purpose", true, &t->purpose)) ||
        (e = get_text(c, obj, path, "storage_location", false,
                      &t->storage_location)))
        return e;
    if (!t->storage_location &&
        !(t->storage_location = strdup(pol->storage_location)))
        return RG_ERR_NOMEM;
    if ((e = get_bool(c, obj, path, "require_host", &t->require_host)) ||
        (e = get_bool(c, obj, path, "continue_on_objection",
                      &t->continue_on_objection)) ||
        (e = get_bool(c, obj, path, "video", &t->video)))
        return e;
    v = RG_WITHDRAW_DELETE_RECORDING;
    if ((e = get_enum(c, obj, path, "on_withdrawal", false, withdrawal_names,
                      &v)))
        return e;
    t->on_withdrawal = (rg_on_withdrawal)v;
    /* Product rule: only documentation may keep recording over an
     * objection, and only with a written justification. */
    if (t->continue_on_objection) {
        if (t->basis != RG_BASIS_DOCUMENTATION) {
            path_join(p, sizeof p, path, "continue_on_objection");
            return expected(c, p,
                            "false unless legal_basis is \"documentation\"",
                            member(obj, "continue_on_objection"));
        }
        if (!member(obj, "justification")) {
            path_join(p, sizeof p, path, "justification");
            return expected(c, p,
                "non-empty text when continue_on_objection is true", NULL);
        }
        if ((e = get_text(c, obj, path, "justification", true,
                          &t->justification)))
            return e;
    } else if (member(obj, "justification")) {
        /* Validated so typos surface, then ignored (not in force). */
        path_join(p, sizeof p, path, "justification");
        if ((e = check_text(c, p, member(obj, "justification"),
                            MAX_TEXT_BYTES)))
            return e;
    }
    return RG_OK;
}

static rg_err parse_types(const ctx *c, rg_policy *pol, const cJSON *root)
{
    const cJSON *types = member(root, "meeting_types");
    int n = cJSON_IsObject(types) ? cJSON_GetArraySize(types) : 0;
    if (n < 1)
        return expected(c, "meeting_types", "a non-empty object of meeting types",
                        types);
    if (n > MAX_TYPES) {
        char what[64];
        snprintf(what, sizeof what, "at most %d meeting types", MAX_TYPES);
        return failf(c, "meeting_types: expected %s, got %d", what, n);
    }
    pol->types = calloc((size_t)n, sizeof *pol->types);
    if (!pol->types)
        return RG_ERR_NOMEM;
    char p[PATH_SIZE];
    for (const cJSON *ch = types->child; ch; ch = ch->next) {
        const char *name = ch->string ? ch->string : "";
        if (!type_name_ok(name)) {
            cJSON *s = cJSON_CreateString(name);
            rg_err e = expected(c, "meeting_types",
                "meeting type name of 1..64 characters a-z 0-9 - _", s);
            cJSON_Delete(s);
            return e;
        }
        path_join(p, sizeof p, "meeting_types", name);
        for (const cJSON *prev = types->child; prev != ch; prev = prev->next)
            if (strcmp(prev->string, name) == 0)
                return failf(c, "%s: duplicate key", p);
        rg_meeting_type *t = &pol->types[pol->n_types++];
        if (!(t->name = strdup(name)))
            return RG_ERR_NOMEM;
        rg_err e = parse_type(c, pol, ch, p, t);
        if (e)
            return e;
    }
    return RG_OK;
}

static rg_err parse_words(const ctx *c, const cJSON *obj, const char *path,
                          const char *key, rg_word_list *out)
{
    char p[PATH_SIZE], q[PATH_SIZE + 16];
    path_join(p, sizeof p, path, key);
    const cJSON *arr = member(obj, key);
    if (!arr)
        return RG_OK;
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
    if (n < 0 || n > MAX_WORDS) {
        char what[64];
        snprintf(what, sizeof what, "a list of at most %d words", MAX_WORDS);
        return expected(c, p, what, arr);
    }
    out->words = calloc((size_t)n + 1, sizeof *out->words);
    if (!out->words)
        return RG_ERR_NOMEM;
    int i = 0;
    for (const cJSON *w = arr->child; w; w = w->next, i++) {
        snprintf(q, sizeof q, "%s[%d]", p, i);
        rg_err e = check_text(c, q, w, MAX_WORD_BYTES);
        if (e)
            return e;
        if (!(out->words[out->n] = strdup(w->valuestring)))
            return RG_ERR_NOMEM;
        out->n++;
    }
    return RG_OK;
}

static rg_err parse_classifier(const ctx *c, rg_policy *pol, const cJSON *root)
{
    static const char *const langs[] = {"da", "en", NULL};
    static const char *const lists[] = {"objection", "consent", NULL};
    const cJSON *cl;
    rg_err e;
    if ((e = get_object(c, root, "", "classifier", false, &cl)) || !cl)
        return e;
    if ((e = check_keys(c, cl, "classifier", langs)))
        return e;
    for (int l = 0; l < RG_LANG__COUNT; l++) {
        const cJSON *lo;
        char p[PATH_SIZE];
        path_join(p, sizeof p, "classifier", rg_lang_code((rg_lang)l));
        if ((e = get_object(c, cl, "classifier", rg_lang_code((rg_lang)l),
                            false, &lo)))
            return e;
        if (!lo)
            continue;
        if ((e = check_keys(c, lo, p, lists)) ||
            (e = parse_words(c, lo, p, "objection", &pol->extra_objection[l])) ||
            (e = parse_words(c, lo, p, "consent", &pol->extra_consent[l])))
            return e;
    }
    return RG_OK;
}

static bool recipient_ok(const char *s)
{
    static const char bech32[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    if (strncmp(s, "age1", 4) != 0 || strlen(s) < 5 || strlen(s) > 200)
        return false;
    for (s += 4; *s; s++)
        if (!strchr(bech32, *s))
            return false;
    return true;
}

static rg_err parse_vault(const ctx *c, rg_policy *pol, const cJSON *root)
{
    static const char *const keys[] = {"recipients", "segment_s", NULL};
    const cJSON *v;
    rg_err e;
    if ((e = get_object(c, root, "", "vault", false, &v)) || !v)
        return e;
    if ((e = check_keys(c, v, "vault", keys)) ||
        (e = get_int(c, v, "vault", "segment_s", false, "seconds", 1, 300,
                     &pol->segment_s)))
        return e;
    const cJSON *arr = member(v, "recipients");
    if (!arr)
        return RG_OK;
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : -1;
    if (n < 0 || n > MAX_RECIPIENTS) {
        char what[80];
        snprintf(what, sizeof what, "a list of at most %d age recipients",
                 MAX_RECIPIENTS);
        return expected(c, "vault.recipients", what, arr);
    }
    pol->vault_recipients = calloc((size_t)n + 1, sizeof(char *));
    if (!pol->vault_recipients)
        return RG_ERR_NOMEM;
    int i = 0;
    for (const cJSON *r = arr->child; r; r = r->next, i++) {
        char p[PATH_SIZE];
        snprintf(p, sizeof p, "vault.recipients[%d]", i);
        if (!cJSON_IsString(r) || !recipient_ok(r->valuestring))
            return expected(c, p,
                "an age recipient \"age1...\" (lowercase bech32)", r);
        if (!(pol->vault_recipients[pol->n_vault_recipients] =
                  strdup(r->valuestring)))
            return RG_ERR_NOMEM;
        pol->n_vault_recipients++;
    }
    return RG_OK;
}

/* audit.key_file: a relative path is relative to the policy file's folder,
 * so a policy and its key can move together. */
static rg_err parse_audit(const ctx *c, rg_policy *pol, const cJSON *root)
{
    static const char *const keys[] = {"key_file", NULL};
    const cJSON *a;
    char *file = NULL;
    rg_err e;
    if ((e = get_object(c, root, "", "audit", false, &a)) || !a)
        return e;
    if ((e = check_keys(c, a, "audit", keys)) ||
        (e = get_text(c, a, "audit", "key_file", true, &file)))
        return e;
    const char *slash = strrchr(c->origin, '/');
    if (file[0] == '/' || !slash || !c->is_file) {
        pol->audit_key_file = file;
        return RG_OK;
    }
    size_t dirlen = (size_t)(slash - c->origin);
    pol->audit_key_file = malloc(dirlen + 1 + strlen(file) + 1);
    if (pol->audit_key_file)
        sprintf(pol->audit_key_file, "%.*s/%s", (int)dirlen, c->origin, file);
    free(file);
    return pol->audit_key_file ? RG_OK : RG_ERR_NOMEM;
}

static rg_err parse_root(const ctx *c, rg_policy *pol, const cJSON *root)
{
    static const char *const keys[] = {
        "controller", "storage_location", "default_meeting_type",
        "meeting_types", "classifier", "vault", "audit", "upload", "platforms", NULL};
    static const char *const ckeys[] = {"name", "contact", "dpo", NULL};
    const cJSON *ctl;
    rg_err e;
    if (!cJSON_IsObject(root))
        return expected(c, "", "a JSON object at top level", root);
    if ((e = check_keys(c, root, "", keys)) ||
        (e = get_object(c, root, "", "controller", true, &ctl)) ||
        (e = check_keys(c, ctl, "controller", ckeys)) ||
        (e = get_text(c, ctl, "controller", "name", true,
                      &pol->controller_name)) ||
        (e = get_text(c, ctl, "controller", "contact", true,
                      &pol->controller_contact)) ||
        (e = get_text(c, ctl, "controller", "dpo", true,
                      &pol->controller_dpo)) ||
        (e = get_text(c, root, "", "storage_location", true,
                      &pol->storage_location)) ||
        (e = parse_types(c, pol, root)))
        return e;
    const cJSON *def = member(root, "default_meeting_type");
    if (!cJSON_IsString(def) ||
        !rg_policy_type(pol, def->valuestring)) {
        char what[200] = "the name of a meeting type (";
        for (size_t i = 0; i < pol->n_types; i++) {
            size_t u = strlen(what);
            snprintf(what + u, sizeof what - u, "%s%s", i ? ", " : "",
                     pol->types[i].name);
        }
        size_t u = strlen(what);
        if (u + 2 >= sizeof what)
            snprintf(what + sizeof what - 6, 6, "...)");
        else
            snprintf(what + u, sizeof what - u, ")");
        return expected(c, "default_meeting_type", what, def);
    }
    if (!(pol->default_type = strdup(def->valuestring)))
        return RG_ERR_NOMEM;
    if ((e = parse_classifier(c, pol, root)) || (e = parse_vault(c, pol, root)) ||
        (e = parse_audit(c, pol, root)) ||
        (e = rg_policy_parse_upload(c->origin, c->is_file, root, pol,
                                    c->errbuf)))
        return e;
    char msg[300] = "";
    if ((e = rg_policy_parse_platforms(root, pol, msg, sizeof msg)))
        return e == RG_ERR_CONFIG ? failf(c, "%s", msg) : e;
    return RG_OK;
}

/* ---------- raw text ---------- */

static void line_col(const char *buf, size_t pos, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < pos; i++) {
        unsigned char ch = (unsigned char)buf[i];
        if (ch == '\n') {
            (*line)++;
            *col = 1;
        } else if ((ch & 0xC0) != 0x80) { /* count code points */
            (*col)++;
        }
    }
}

/* Before cJSON sees the text: NUL bytes, invalid UTF-8 and "\u0000"
 * escapes would silently cut or corrupt strings, so refuse them. */
static rg_err prescan(const ctx *c, const char *buf, size_t len)
{
    size_t line, col;
    for (size_t i = 0; i < len;) {
        const unsigned char *s = (const unsigned char *)buf + i;
        const char *why = NULL;
        size_t k = 1;
        if (*s == '\0') {
            why = "invalid JSON (NUL byte)";
        } else if (*s >= 0x80 && !(k = utf8_seq(s, len - i))) {
            why = "invalid UTF-8";
        } else if (*s == '\\') {
            k = 0;
            while (i + k < len && buf[i + k] == '\\')
                k++;
            if ((k & 1) && len - (i + k) >= 5 && buf[i + k] == 'u' &&
                strncmp(buf + i + k + 1, "0000", 4) == 0) {
                i += k - 1;
                why = "\\u0000 (NUL character) is not allowed in text";
            }
        }
        if (why) {
            line_col(buf, i, &line, &col);
            return failf(c, "line %zu, column %zu: %s", line, col, why);
        }
        i += k;
    }
    return RG_OK;
}

static bool is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static rg_err parse_policy(const char *json, size_t len, const char *origin,
                           bool is_file, rg_policy **out, char *errbuf)
{
    ctx c = {origin ? origin : "(policy)", errbuf, is_file};
    rg_err err = RG_OK;
    rg_policy *pol = NULL;
    cJSON *root = NULL;
    char *buf = NULL;
    size_t line, col;

    if (errbuf)
        errbuf[0] = '\0';
    if (!out || (!json && len)) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "rg_policy_parse: NULL argument");
        return RG_ERR_ARG;
    }
    *out = NULL;
    if (len > MAX_FILE_BYTES)
        return failf(&c, "file too large (more than %d bytes)",
                     MAX_FILE_BYTES);
    size_t start = 0;
    if (len >= 3 && memcmp(json, "\xEF\xBB\xBF", 3) == 0)
        start = 3; /* tolerate a UTF-8 byte-order mark from some editors */
    size_t nonws = start;
    while (nonws < len && is_ws(json[nonws]))
        nonws++;
    if (nonws == len)
        return failf(&c, "empty file (expected a JSON object)");
    if ((err = prescan(&c, json, len)))
        return err;

    /* NUL-terminated private copy: cJSON never reads past our buffer. */
    if (!(buf = malloc(len + 1)) || !(pol = calloc(1, sizeof *pol))) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    memcpy(buf, json, len);
    buf[len] = '\0';
    if (!EVP_Digest(json, len, pol->sha256, NULL, EVP_sha256(), NULL)) {
        err = RG_ERR_CRYPTO;
        failf(&c, "cannot compute SHA-256");
        goto cleanup;
    }
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(buf + start, len - start, &end, 0);
    size_t pos = end ? (size_t)(end - buf) : start;
    if (root) { /* only whitespace may follow the value */
        while (pos < len && is_ws(buf[pos]))
            pos++;
    }
    if (!root || pos < len) {
        if (pos > len)
            pos = len;
        line_col(buf, pos, &line, &col);
        err = failf(&c, "line %zu, column %zu: invalid JSON%s", line, col,
                    root ? " (text after the end)" : "");
        goto cleanup;
    }
    pol->segment_s = 5;
    if (!(pol->origin = strdup(c.origin))) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    if ((err = parse_root(&c, pol, root)))
        goto cleanup;
    *out = pol;
    pol = NULL;
cleanup:
    if (err == RG_ERR_NOMEM && errbuf)
        snprintf(errbuf, RG_ERRBUF_SIZE, "%s: out of memory", c.origin);
    cJSON_Delete(root);
    free(buf);
    rg_policy_free(pol);
    return err;
}

rg_err rg_policy_load(const char *path, rg_policy **out, char *errbuf)
{
    rg_err err = RG_OK;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = NULL;

    if (errbuf)
        errbuf[0] = '\0';
    if (!path || !out) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "rg_policy_load: NULL argument");
        return RG_ERR_ARG;
    }
    *out = NULL;
    if (!(f = fopen(path, "rb")))
        goto io_error;
    /* Read up to one byte past the cap so "too large" is detectable. */
    if (!(buf = malloc(MAX_FILE_BYTES + 1))) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    len = fread(buf, 1, MAX_FILE_BYTES + 1, f);
    if (ferror(f))
        goto io_error;
    if (len > MAX_FILE_BYTES) {
        ctx c = {path, errbuf, true};
        err = failf(&c, "file too large (more than %d bytes)", MAX_FILE_BYTES);
        goto cleanup;
    }
    err = parse_policy(buf, len, path, true, out, errbuf);
    goto cleanup;
io_error:
    if (errbuf)
        snprintf(errbuf, RG_ERRBUF_SIZE, "%s: %s", path,
                 strerror(errno ? errno : EIO));
    err = RG_ERR_IO;
cleanup:
    if (f)
        fclose(f);
    free(buf);
    return err;
}

rg_err rg_policy_parse(const char *json, size_t len, const char *origin,
                       rg_policy **out, char *errbuf)
{
    return parse_policy(json, len, origin, false, out, errbuf);
}

static void free_words(rg_word_list *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->words[i]);
    free(w->words);
}

void rg_policy_free(rg_policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_types; i++) {
        rg_meeting_type *t = &p->types[i];
        free(t->name);
        free(t->purpose);
        free(t->storage_location);
        free(t->justification);
    }
    free(p->types);
    for (int l = 0; l < RG_LANG__COUNT; l++) {
        free_words(&p->extra_objection[l]);
        free_words(&p->extra_consent[l]);
    }
    for (size_t i = 0; i < p->n_vault_recipients; i++)
        free(p->vault_recipients[i]);
    free(p->vault_recipients);
    free(p->audit_key_file);
    rg_policy_free_upload(p);
    rg_policy_platforms_free(p);
    free(p->origin);
    free(p->controller_name);
    free(p->controller_contact);
    free(p->controller_dpo);
    free(p->storage_location);
    free(p->default_type);
    free(p);
}

const char *rg_policy_default_type(const rg_policy *p)
{
    return p ? p->default_type : NULL;
}

const rg_meeting_type *rg_policy_type(const rg_policy *p, const char *name)
{
    if (!p)
        return NULL;
    if (!name)
        name = p->default_type;
    if (!name)
        return NULL;
    for (size_t i = 0; i < p->n_types; i++)
        if (strcmp(p->types[i].name, name) == 0)
            return &p->types[i];
    return NULL;
}

const char *rg_basis_name(rg_basis b)
{
    return (b >= 0 && b <= RG_BASIS_OPT_OUT) ? basis_names[b] : "?";
}

const char *rg_on_withdrawal_name(rg_on_withdrawal w)
{
    return (w >= 0 && w <= RG_WITHDRAW_REMOVE_PARTICIPANT)
               ? withdrawal_names[w] : "?";
}
