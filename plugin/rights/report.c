/* The DPO's report: one self-contained HTML page with an SVG timeline.
 * See report.h and docs/accountability.md. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include "recdir.h"
#include "report.h"
#include "retention.h"
#include "fileio.h"
#include "withdraw.h"

#define MAX_PEOPLE 256
#define SVG_W 1040
#define X0 200.0
#define PLOT_W 730.0
#define ROW_H 36
#define TOP 40

typedef struct person {
    char ps[RG_PSEUDONYM_LEN];
    const char *name;     /* [borrowed] from the manifest, NULL if unknown */
    const char *role;
    const char *id;
    bool withdrawn;
} person;

typedef struct rep {
    FILE *f;
    const cJSON *meta, *m;  /* m may be NULL (deleted recording) */
    cJSON *lines;           /* parsed audit lines */
    person people[MAX_PEOPLE];
    size_t np;
    int64_t t_end;
} rep;

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *S(const char *s) { return s ? s : "?"; }

static int64_t t_of(const cJSON *line)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(line, "t_ms");
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;
}

static bool is(const cJSON *line, const char *event)
{
    const char *e = str_of(line, "event");
    return e && !strcmp(e, event);
}

static void esc(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

static void fmt_t(int64_t ms, char out[24])
{
    if (ms < 0) {
        snprintf(out, 24, "–");
        return;
    }
    long long s = ms / 1000;
    if (s >= 3600)
        snprintf(out, 24, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, 24, "%lld:%02lld", s / 60, s % 60);
}

static const person *who(const rep *r, const char *ps)
{
    for (size_t i = 0; ps && i < r->np; i++)
        if (!strcmp(r->people[i].ps, ps))
            return &r->people[i];
    return NULL;
}

/* "Karen Holm" / "withdrawn participant p-…" / the pseudonym. */
static void name_of(const rep *r, const char *ps, FILE *f)
{
    const person *p = who(r, ps);
    if (p && p->name && !p->withdrawn)
        esc(f, p->name);
    else if (p && p->withdrawn)
        fprintf(f, "withdrawn participant %s", ps);
    else
        esc(f, ps);
}

static void add_person(rep *r, const char *ps, const cJSON *entry)
{
    if (!ps || strlen(ps) >= RG_PSEUDONYM_LEN || who(r, ps) || r->np >= MAX_PEOPLE)
        return;
    person *p = &r->people[r->np++];
    snprintf(p->ps, sizeof p->ps, "%s", ps);
    if (entry) {
        p->name = str_of(entry, "name");
        p->role = str_of(entry, "role");
        p->id = str_of(entry, "id");
        p->withdrawn = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(entry, "withdrawn"));
    }
}

static void collect(rep *r)
{
    const cJSON *p, *l;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(r->m, "participants"))
        add_person(r, str_of(p, "pseudonym"), p);
    r->t_end = 1000;
    cJSON_ArrayForEach(l, r->lines) {
        if (is(l, "join"))
            add_person(r, str_of(l, "participant"), NULL);
        if (t_of(l) > r->t_end)
            r->t_end = t_of(l);
    }
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(r->meta, "tracks")) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(p, "end_ms");
        if (cJSON_IsNumber(e) && e->valuedouble > (double)r->t_end)
            r->t_end = (int64_t)e->valuedouble;
    }
}

static double X(const rep *r, int64_t t)
{
    if (t < 0)
        t = 0;
    return X0 + (double)t / (double)r->t_end * PLOT_W;
}

static bool track_destroyed(const rep *r, const char *track)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(r->meta, "tracks")) {
        const char *id = str_of(t, "id");
        if (id && track && !strcmp(id, track))
            return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "destroyed"));
    }
    return false;
}

static void bar(rep *r, const char *cls, int64_t a, int64_t b, double y,
                double h, const char *title_fmt, const char *arg)
{
    char ta[24], tb[24];
    fmt_t(a, ta);
    fmt_t(b, tb);
    double w = X(r, b) - X(r, a);
    fprintf(r->f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
            "height=\"%.1f\"><title>", cls, X(r, a), y, w < 1.5 ? 1.5 : w, h);
    fprintf(r->f, title_fmt, arg ? arg : "");
    fprintf(r->f, " %s–%s</title></rect>\n", ta, tb);
}

static void mark(rep *r, const char *cls, int64_t t, double y, const char *title)
{
    char ts[24];
    double x = X(r, t);
    fmt_t(t, ts);
    if (!strcmp(cls, "informed"))
        fprintf(r->f, "<path class=\"informed\" d=\"M%.1f %.1f l6 7 l-6 7 l-6 -7 z\">",
                x, y);
    else if (!strcmp(cls, "consent"))
        fprintf(r->f, "<circle class=\"consent\" cx=\"%.1f\" cy=\"%.1f\" r=\"6\">",
                x, y + 7);
    else
        fprintf(r->f, "<path class=\"%s\" d=\"M%.1f %.1f l10 10 m0 -10 l-10 10\">",
                cls, x - 5, y + 2);
    fprintf(r->f, "<title>%s at %s</title></%s>\n", title, ts,
            !strcmp(cls, "consent") ? "circle" : "path");
}

/* One participant's row: presence, captured spans, notices, answers. */
static void row(rep *r, const person *p, double y)
{
    int64_t joined = -1;
    struct { const char *track; int64_t t; } open[16];
    size_t nopen = 0;
    const cJSON *l;
    const char *ps = p->ps;
    fprintf(r->f, "<g class=\"participant\" data-pseudonym=\"%s\">\n", ps);
    fprintf(r->f, "<text class=\"label\" x=\"8\" y=\"%.1f\">", y + 17);
    if (p->withdrawn)
        fprintf(r->f, "(withdrawn participant)");
    else
        name_of(r, ps, r->f);
    fprintf(r->f, "</text>\n<text class=\"sub\" x=\"8\" y=\"%.1f\">", y + 29);
    if (p->role) {
        esc(r->f, p->role);
        fprintf(r->f, " · ");
    }
    fprintf(r->f, "%s</text>\n", ps);
    /* Presence first (background), then the rest on top. */
    cJSON_ArrayForEach(l, r->lines) {
        const char *who_ps = str_of(l, "participant");
        if (!who_ps || strcmp(who_ps, ps))
            continue;
        if (is(l, "join") && joined < 0)
            joined = t_of(l);
        else if (is(l, "leave") && joined >= 0) {
            bar(r, "presence", joined, t_of(l), y + 4, 20, "present%s", NULL);
            joined = -1;
        }
    }
    if (joined >= 0)
        bar(r, "presence", joined, r->t_end, y + 4, 20, "present%s", NULL);
    bool present = false;
    cJSON_ArrayForEach(l, r->lines) {
        const char *who_ps = str_of(l, "participant"), *to = str_of(l, "to");
        bool mine = who_ps && !strcmp(who_ps, ps);
        int64_t t = t_of(l);
        if (mine && is(l, "join"))
            present = true;
        else if (mine && is(l, "leave"))
            present = false;
        if (is(l, "announcement") && to && (!strcmp(to, ps) ||
                                            (!strcmp(to, "all") && present))) {
            const char *k = str_of(l, "kind");
            bool notice = k && (!strcmp(k, "public") || !strcmp(k, "late_joiner"));
            if (notice && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(l, "delivered")))
                mark(r, "informed", t, y + 5, "informed (full notice)");
            else if (notice)
                mark(r, "undelivered", t, y + 5, "notice NOT delivered");
        }
        if (!mine)
            continue;
        if (is(l, "chat_intent")) {
            const char *lab = str_of(l, "label");
            bool yes = lab && !strcmp(lab, "consent");
            mark(r, yes ? "consent" : "objection", t, y + 5,
                 yes ? "consent" : "objection");
        } else if (is(l, "capture_start") && nopen < 16) {
            open[nopen].track = str_of(l, "track");
            open[nopen++].t = t;
        } else if (is(l, "capture_stop")) {
            const char *tr = str_of(l, "track");
            for (size_t i = 0; i < nopen; i++)
                if (tr && open[i].track && !strcmp(tr, open[i].track)) {
                    bool d = track_destroyed(r, tr);
                    bar(r, d ? "captured destroyed" : "captured", open[i].t, t,
                        y + 9, 10, d ? "track %s captured, since DESTROYED"
                                     : "track %s captured", tr);
                    open[i] = open[--nopen];
                    break;
                }
        } else if (is(l, "withdrawal")) {
            fprintf(r->f, "<text class=\"withdrawn\" x=\"%.1f\" y=\"%.1f\">"
                    "withdrawn<title>withdrawal (", X0 + PLOT_W + 8, y + 17);
            esc(r->f, S(str_of(l, "action")));
            fprintf(r->f, ") at ");
            esc(r->f, S(str_of(l, "ts")));
            fprintf(r->f, " by ");
            esc(r->f, S(str_of(l, "by")));
            fprintf(r->f, "</title></text>\n");
        }
    }
    for (size_t i = 0; i < nopen; i++) {
        bool d = track_destroyed(r, open[i].track);
        bar(r, d ? "captured destroyed" : "captured", open[i].t, r->t_end, y + 9,
            10, "track %s captured (not closed)", open[i].track);
    }
    fprintf(r->f, "</g>\n");
}

static void gate_row(rep *r, double y)
{
    int64_t opened = -1;
    const cJSON *l;
    fprintf(r->f, "<g class=\"gate\">\n<text class=\"label\" x=\"8\" y=\"%.1f\">"
            "Gate (capture allowed)</text>\n", y + 17);
    cJSON_ArrayForEach(l, r->lines) {
        int64_t t = t_of(l);
        if (is(l, "gate_open") && opened < 0)
            opened = t;
        else if (is(l, "gate_close") && opened >= 0) {
            bar(r, "gate-open", opened, t, y + 6, 16, "gate open%s", NULL);
            opened = -1;
        } else if (is(l, "refused"))
            mark(r, "objection", t, y + 5, "recording refused");
        else if (is(l, "withdrawal") && str_of(l, "action") &&
                 !strcmp(str_of(l, "action"), "delete_recording"))
            fprintf(r->f, "<text class=\"withdrawn\" x=\"%.1f\" y=\"%.1f\">"
                    "deleted</text>\n", X0 + PLOT_W + 8, y + 17);
    }
    if (opened >= 0)
        bar(r, "gate-open", opened, r->t_end, y + 6, 16, "gate open%s", NULL);
    fprintf(r->f, "</g>\n");
}

static void timeline(rep *r)
{
    int h = TOP + (int)(r->np + 1) * ROW_H + 40;
    fprintf(r->f, "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
            "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
            "aria-label=\"timeline of the meeting\">\n", SVG_W, h, SVG_W, h);
    fprintf(r->f, "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" "
            "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
            "<rect width=\"6\" height=\"6\" fill=\"#ddd\"/><line x1=\"0\" y1=\"0\" "
            "x2=\"0\" y2=\"6\" stroke=\"#888\" stroke-width=\"3\"/></pattern></defs>\n");
    static const int steps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900,
                                1800, 3600, 7200, 14400};
    int step = steps[14];
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if ((double)r->t_end / 1000.0 / steps[i] <= 12) {
            step = steps[i];
            break;
        }
    for (int64_t t = 0; t <= r->t_end; t += (int64_t)step * 1000) {
        char ts[24];
        fmt_t(t, ts);
        fprintf(r->f, "<line class=\"tick\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
                "y2=\"%d\"/><text class=\"axis\" x=\"%.1f\" y=\"%d\">%s</text>\n",
                X(r, t), TOP - 8, X(r, t), h - 36, X(r, t), TOP - 14, ts);
    }
    gate_row(r, TOP);
    for (size_t i = 0; i < r->np; i++)
        row(r, &r->people[i], TOP + (double)(i + 1) * ROW_H);
    double ly = h - 18;
    fprintf(r->f, "<g class=\"legend\">"
            "<rect class=\"presence\" x=\"%.0f\" y=\"%.0f\" width=\"24\" height=\"12\"/>"
            "<text x=\"%.0f\" y=\"%.0f\">present</text>"
            "<rect class=\"captured\" x=\"%.0f\" y=\"%.0f\" width=\"24\" height=\"12\"/>"
            "<text x=\"%.0f\" y=\"%.0f\">captured</text>"
            "<rect class=\"captured destroyed\" x=\"%.0f\" y=\"%.0f\" width=\"24\" height=\"12\"/>"
            "<text x=\"%.0f\" y=\"%.0f\">captured, destroyed</text>"
            "<rect class=\"gate-open\" x=\"%.0f\" y=\"%.0f\" width=\"24\" height=\"12\"/>"
            "<text x=\"%.0f\" y=\"%.0f\">gate open</text>"
            "<path class=\"informed\" d=\"M%.0f %.0f l6 7 l-6 7 l-6 -7 z\"/>"
            "<text x=\"%.0f\" y=\"%.0f\">informed</text>"
            "<circle class=\"consent\" cx=\"%.0f\" cy=\"%.0f\" r=\"6\"/>"
            "<text x=\"%.0f\" y=\"%.0f\">consent</text>"
            "<path class=\"objection\" d=\"M%.0f %.0f l10 10 m0 -10 l-10 10\"/>"
            "<text x=\"%.0f\" y=\"%.0f\">objection</text></g>\n",
            X0, ly, X0 + 30, ly + 11, X0 + 100, ly, X0 + 130, ly + 11,
            X0 + 210, ly, X0 + 240, ly + 11, X0 + 380, ly, X0 + 410, ly + 11,
            X0 + 496, ly - 1, X0 + 508, ly + 11, X0 + 580, ly + 6, X0 + 592, ly + 11,
            X0 + 655, ly + 1, X0 + 672, ly + 11);
    fprintf(r->f, "</svg>\n");
}

/* ---- the page ------------------------------------------------------------- */

static const char *CSS =
    "body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1040px}"
    "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 7px;"
    "text-align:left;vertical-align:top}th{background:#f3f3f3}"
    ".ok{background:#e3f6e3;border:1px solid #5a5;padding:8px}"
    ".bad{background:#fbe3e3;border:1px solid #c44;padding:8px}"
    "pre{white-space:pre-wrap;background:#f8f8f8;padding:8px;border:1px solid #ddd}"
    "code{font-size:12px}"
    "svg text{font:12px system-ui,sans-serif}svg .sub{font-size:10px;fill:#666}"
    "svg .axis{text-anchor:middle;font-size:10px;fill:#555}"
    "svg .tick{stroke:#e4e4e4}svg .presence{fill:#cfe0f5}"
    "svg .captured{fill:#2d6cb3}svg .captured.destroyed{fill:url(#hatch)}"
    "svg .gate-open{fill:#9bd39b}svg .informed{fill:#f0a020;stroke:#955}"
    "svg .consent{fill:#2a9d2a}svg .objection,svg .undelivered{stroke:#d22;"
    "stroke-width:3;fill:none}svg .withdrawn{fill:#b00;"
    "font-weight:bold;font-size:11px}";

static void fact(FILE *f, const char *k, const char *v)
{
    fprintf(f, "<tr><th>%s</th><td>", k);
    esc(f, v ? v : "–");
    fprintf(f, "</td></tr>\n");
}

static void facts(rep *r, const char *recdir)
{
    FILE *f = r->f;
    const cJSON *meta = r->meta, *x;
    char num[32];
    fprintf(f, "<table id=\"facts\">\n");
    fact(f, "Recording", str_of(meta, "id"));
    fact(f, "Meeting type", str_of(meta, "meeting_type"));
    fact(f, "Legal basis", str_of(meta, "legal_basis"));
    fact(f, "Created", str_of(meta, "created"));
    x = cJSON_GetObjectItemCaseSensitive(meta, "retention_days");
    snprintf(num, sizeof num, "%d days", cJSON_IsNumber(x) ? x->valueint : 0);
    fact(f, "Retention", num);
    fact(f, "Expires", str_of(meta, "expires_at"));
    fact(f, "Decision", str_of(meta, "decision"));
    fact(f, "Complete", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(meta, "complete"))
                            ? "yes" : "no (cut short)");
    {   /* loss is never hidden: per track, what never arrived */
        char loss[512] = "";
        size_t used = 0;
        double total = 0;
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(meta, "tracks")) {
            const cJSON *l = cJSON_GetObjectItemCaseSensitive(x, "frames_lost");
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(x, "frames_concealed");
            const char *id = str_of(x, "id");
            if (!cJSON_IsNumber(l) || !id || used >= sizeof loss - 80)
                continue;
            total += l->valuedouble;
            used += (size_t)snprintf(loss + used, sizeof loss - used, "%s%s: %.0f lost, %.0f concealed",
                                     used ? "; " : "", id, l->valuedouble,
                                     cJSON_IsNumber(c) ? c->valuedouble : 0);
        }
        if (used) {
            char line[600];
            snprintf(line, sizeof line, "%.0f frame(s) lost in transmission (%s)", total, loss);
            fact(f, "Media lost", line);
        }
    }
    cJSON *hold = NULL;
    if (rg_retention_read_hold(recdir, &hold, NULL) == RG_OK && hold) {
        char h[1200];
        snprintf(h, sizeof h, "since %s by %s: %s", S(str_of(hold, "since")),
                 S(str_of(hold, "by")), S(str_of(hold, "reason")));
        fact(f, "Legal hold", h);
    } else {
        fact(f, "Legal hold", "none");
    }
    cJSON_Delete(hold);
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(meta, "withdrawals")) {
        char w[300];
        snprintf(w, sizeof w, "%s: %s at %s by %s", S(str_of(x, "participant")),
                 S(str_of(x, "mode")), S(str_of(x, "at")), S(str_of(x, "by")));
        fact(f, "Withdrawal", w);
    }
    fprintf(f, "</table>\n");
}

static void sha256_hex(const char *s, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
    rg_audit_hex(md, 32, out);
}

static int notices(rep *r, int *matched)
{
    FILE *f = r->f;
    const cJSON *c, *l;
    int n = 0;
    if (!r->m) {
        fprintf(f, "<p>The manifest no longer exists (recording deleted): the "
                "notice texts are gone; the audit log keeps their SHA-256.</p>\n");
        return 0;
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(r->m, "chat")) {
        const char *from = str_of(c, "from"), *to = str_of(c, "to");
        if (!from || strcmp(from, "bot"))
            continue;
        char hex[65], tbuf[24];
        sha256_hex(str_of(c, "text"), hex);
        const cJSON *hit = NULL, *t = cJSON_GetObjectItemCaseSensitive(c, "t");
        cJSON_ArrayForEach(l, r->lines) {
            const char *h = str_of(l, "text_sha256");
            if (is(l, "announcement") && h && !strcmp(h, hex))
                hit = l;
        }
        fmt_t(cJSON_IsNumber(t) ? (int64_t)(t->valuedouble * 1000) : -1, tbuf);
        fprintf(f, "<div class=\"notice\"><p><b>%s</b> · to ", tbuf);
        if (!to || !strcmp(to, "all"))
            fprintf(f, "everyone");
        else {
            const person *p = NULL;
            for (size_t i = 0; i < r->np && !p; i++)
                if ((r->people[i].id && !strcmp(r->people[i].id, to)) ||
                    !strcmp(r->people[i].ps, to))
                    p = &r->people[i];
            name_of(r, p ? p->ps : to, f);
        }
        fprintf(f, " · kind ");
        esc(f, str_of(c, "label"));
        fprintf(f, " · SHA-256 <code>%.16s…</code> ", hex);
        if (hit) {
            const cJSON *seq = cJSON_GetObjectItemCaseSensitive(hit, "seq");
            fprintf(f, "<span class=\"match\">matches audit line %d</span>",
                    cJSON_IsNumber(seq) ? seq->valueint : 0);
            (*matched)++;
        } else {
            fprintf(f, "<b class=\"nomatch\">NOT in the audit log</b>");
        }
        fprintf(f, "</p><pre>");
        esc(f, str_of(c, "text"));
        fprintf(f, "</pre></div>\n");
        n++;
    }
    return n;
}

static void audit_table(rep *r)
{
    FILE *f = r->f;
    const cJSON *l, *x;
    fprintf(f, "<table id=\"audit\"><tr><th>#</th><th>time (UTC)</th><th>t</th>"
            "<th>event</th><th>details</th></tr>\n");
    cJSON_ArrayForEach(l, r->lines) {
        char tb[24];
        const cJSON *seq = cJSON_GetObjectItemCaseSensitive(l, "seq");
        fmt_t(t_of(l), tb);
        fprintf(f, "<tr><td>%d</td><td>", cJSON_IsNumber(seq) ? seq->valueint : 0);
        esc(f, str_of(l, "ts"));
        fprintf(f, "</td><td>%s</td><td>", tb);
        esc(f, str_of(l, "event"));
        fprintf(f, "</td><td>");
        cJSON_ArrayForEach(x, l) {
            static const char *const skip[] = {"seq", "ts", "t_ms", "event", "prev", "mac"};
            bool s = false;
            for (size_t i = 0; i < 6; i++)
                s = s || !strcmp(x->string, skip[i]);
            if (s)
                continue;
            fprintf(f, "%s=", x->string);
            if (cJSON_IsString(x) && who(r, x->valuestring)) {
                name_of(r, x->valuestring, f);
            } else {
                char *v = cJSON_IsString(x) ? NULL : cJSON_PrintUnformatted(x);
                esc(f, v ? v : x->valuestring);
                free(v);
            }
            fprintf(f, " ");
        }
        fprintf(f, "</td></tr>\n");
    }
    fprintf(f, "</table>\n");
}

static rg_err load_lines(const char *recdir, cJSON **out, char *errbuf)
{
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", recdir, RG_RECDIR_AUDIT);
    rg_err err = rg_vaultio_read_in(recdir, RG_RECDIR_AUDIT, RG_AUDIT_MAX_FILE, &text,
                                    &len, errbuf);
    if (err)
        return err;
    cJSON *arr = cJSON_CreateArray();
    for (char *line = text; arr && *line;) {
        char *nl = strchr(line, '\n');
        if (!nl)
            break;
        *nl = 0;
        cJSON *j = cJSON_Parse(line);
        if (j)
            cJSON_AddItemToArray(arr, j);
        line = nl + 1;
    }
    free(text);
    *out = arr;
    return arr ? RG_OK : RG_ERR_NOMEM;
}

rg_err rg_report_write(const rg_report_params *p, rg_report_result *res,
                       char *errbuf)
{
    rep r;
    cJSON *meta = NULL, *m = NULL;
    rg_audit *log = NULL;
    char *buf = NULL;
    size_t blen = 0;
    if (!p || !res || !p->recdir || !p->ids || !p->n_ids || !p->audit_key ||
        !p->by || !p->out_path)
        return RG_ERR_ARG;
    memset(res, 0, sizeof *res);
    memset(&r, 0, sizeof r);
    rg_err err = rg_recdir_load_meta(p->recdir, &meta, errbuf);
    if (err)
        return err;
    if ((err = rg_recdir_audit_check(p->recdir, p->audit_key, NULL, errbuf)) ||
        (err = rg_withdraw_resume(p->recdir, p->ids, p->n_ids, p->audit_key,
                                  NULL, errbuf)) ||
        (err = rg_recdir_audit_open(p->recdir, p->audit_key, &log, errbuf)))
        goto cleanup;
    cJSON *f = cJSON_CreateObject();
    if (f) {
        cJSON_AddStringToObject(f, "recording", rg_recdir_meta_id(meta));
        cJSON_AddStringToObject(f, "by", p->by);
        cJSON_AddStringToObject(f, "what", "manifest");
        cJSON_AddStringToObject(f, "purpose", "report");
    }
    err = f ? rg_audit_append(log, "decrypt", f, -1, true) : RG_ERR_NOMEM;
    cJSON_Delete(f);
    if (!err)
        err = rg_audit_checkpoint(log);
    rg_audit_close(log);
    if (err) {
        rg_vaultio_err(errbuf, "cannot log the decryption (%s): refusing",
                       rg_strerror(err));
        goto cleanup;
    }
    err = rg_recdir_read_manifest(p->recdir, p->ids, p->n_ids, &m, errbuf);
    if (err && err != RG_ERR_NOT_FOUND)
        goto cleanup;
    rg_audit_report ar;
    char path[PATH_MAX], vmsg[RG_ERRBUF_SIZE] = "";
    snprintf(path, sizeof path, "%s/%s", p->recdir, RG_RECDIR_AUDIT);
    rg_err verr = rg_audit_verify(path, p->audit_key, &ar, vmsg);
    if ((err = load_lines(p->recdir, &r.lines, errbuf)))
        goto cleanup;
    r.meta = meta;
    r.m = m;
    collect(&r);
    if (!(r.f = open_memstream(&buf, &blen))) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    char now[32];
    rg_recdir_format_time(time(NULL), now);
    fprintf(r.f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
            "'none'; style-src 'unsafe-inline'\"><title>Recording ");
    esc(r.f, rg_recdir_meta_id(meta));
    fprintf(r.f, " — accountability report</title><style>%s</style></head><body>\n"
            "<h1>Accountability report: ", CSS);
    esc(r.f, rg_recdir_meta_id(meta));
    fprintf(r.f, "</h1>\n<p>Generated %s by ", now);
    esc(r.f, p->by);
    fprintf(r.f, ". Contains personal data: keep it as confidential as the "
            "recording.</p>\n");
    facts(&r, p->recdir);
    fprintf(r.f, "<h2>Audit chain</h2>\n<p id=\"verdict\" class=\"%s\">",
            verr ? "bad" : "ok");
    if (verr)
        fprintf(r.f, "<b>BROKEN</b>: ");
    else
        fprintf(r.f, "<b>Intact</b>: %llu lines, %s, every MAC checked; head <code>%s</code>",
                (unsigned long long)ar.lines, ar.checkpointed ? "checkpointed"
                                                              : "not checkpointed", ar.head);
    esc(r.f, verr ? vmsg : "");
    fprintf(r.f, "</p>\n<h2>Timeline</h2>\n");
    timeline(&r);
    fprintf(r.f, "<h2>Notices shown (exact text)</h2>\n");
    res->notices = notices(&r, &res->notices_matched);
    fprintf(r.f, "<h2>Audit log</h2>\n");
    audit_table(&r);
    fprintf(r.f, "</body></html>\n");
    if (fclose(r.f) != 0) {
        r.f = NULL;
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    r.f = NULL;
    res->participants = (int)r.np;
    res->audit_lines = cJSON_GetArraySize(r.lines);
    res->chain_ok = verr == RG_OK;
    char dir[PATH_MAX], name[PATH_MAX];
    const char *slash = strrchr(p->out_path, '/');
    if (slash) {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - p->out_path), p->out_path);
        snprintf(name, sizeof name, "%s", slash + 1);
    } else {
        snprintf(dir, sizeof dir, ".");
        snprintf(name, sizeof name, "%s", p->out_path);
    }
    if (!dir[0])
        snprintf(dir, sizeof dir, "/");
    err = rg_vaultio_write_atomic(dir, name, buf, blen, errbuf);
cleanup:
    if (r.f)
        fclose(r.f);
    if (buf)
        OPENSSL_cleanse(buf, blen);
    free(buf);
    cJSON_Delete(r.lines);
    cJSON_Delete(m);
    cJSON_Delete(meta);
    return err;
}
