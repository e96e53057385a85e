/* Browser shim: Chromium with a fresh profile, the adapter files, pages. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/random.h>
#include "browser/bint.h"

#ifndef RG_ADAPTER_DIR
#define RG_ADAPTER_DIR "/usr/local/share/recgate/adapters"
#endif
#define MAX_ADAPTER (256u << 10)
#define CDP_TIMEOUT_MS 15000

static char *read_small(const char *path, size_t max, char *errbuf)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errbuf, RG_ERRBUF_SIZE, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf || n > max) {
        snprintf(errbuf, RG_ERRBUF_SIZE, "%s: %s", path, buf ? "too large" : "out of memory");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (memchr(buf, '\0', n)) {
        snprintf(errbuf, RG_ERRBUF_SIZE, "%s: not a text file", path);
        free(buf);
        return NULL;
    }
    return buf;
}

static bool name_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

/* Where adapters are looked for, in order: $RECGATE_ADAPTER_DIR, the
 * installed folder, the source tree (for tests run from the tree). */
static bool find_file(const char *file, char *path, size_t n)
{
    const char *dirs[] = {getenv("RECGATE_ADAPTER_DIR"), RG_ADAPTER_DIR,
                          "sdk-shims/browser/adapters"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        snprintf(path, n, "%s/%s", dirs[i], file);
        if (access(path, R_OK) == 0)
            return true;
    }
    return false;
}

static rg_err load_adapter(rg_browser *b, char *errbuf)
{
    char apath[4096], ppath[4096], file[80];
    if (strchr(b->adapter, '/')) {
        snprintf(apath, sizeof apath, "%s", b->adapter);
        char *slash = strrchr(apath, '/');
        snprintf(ppath, sizeof ppath, "%.*s/prelude.js", (int)(slash - apath), apath);
        if (access(ppath, R_OK) != 0 && !find_file("prelude.js", ppath, sizeof ppath)) {
            snprintf(errbuf, RG_ERRBUF_SIZE, "prelude.js not found next to %.400s", apath);
            return RG_ERR_NOT_FOUND;
        }
    } else {
        if (!name_ok(b->adapter)) {
            snprintf(errbuf, RG_ERRBUF_SIZE,
                     "adapter name '%.64s' must be a-z, 0-9, '-' or '_' (or a path to a .js file)",
                     b->adapter);
            return RG_ERR_ARG;
        }
        snprintf(file, sizeof file, "%s.js", b->adapter);
        if (!find_file(file, apath, sizeof apath) ||
            !find_file("prelude.js", ppath, sizeof ppath)) {
            snprintf(errbuf, RG_ERRBUF_SIZE,
                     "no adapter '%s' (looked for %s in $RECGATE_ADAPTER_DIR, %s and "
                     "sdk-shims/browser/adapters)", b->adapter, file, RG_ADAPTER_DIR);
            return RG_ERR_NOT_FOUND;
        }
    }
    char *prelude = read_small(ppath, MAX_ADAPTER, errbuf);
    char *adapter = prelude ? read_small(apath, MAX_ADAPTER, errbuf) : NULL;
    rg_err err = RG_ERR_NOMEM;
    cJSON *rg = cJSON_CreateObject();
    char *rgtext = NULL;
    if (!prelude || !adapter) {
        err = RG_ERR_NOT_FOUND;
        goto cleanup;
    }
    cJSON *settings = b->settings_json ? cJSON_Parse(b->settings_json) : cJSON_CreateObject();
    if (!rg || !settings || !cJSON_AddStringToObject(rg, "binding", b->binding) ||
        !cJSON_AddStringToObject(rg, "token", b->token) ||
        !cJSON_AddStringToObject(rg, "name", b->name) ||
        !cJSON_AddNumberToObject(rg, "timeout_ms", b->timeout_ms)) {
        cJSON_Delete(settings);
        goto cleanup;
    }
    cJSON_AddItemToObject(rg, "settings", settings);
    if (!(rgtext = cJSON_PrintUnformatted(rg)))
        goto cleanup;
    size_t n = strlen(prelude) + strlen(adapter) + strlen(rgtext) + 64;
    if (!(b->source = malloc(n)))
        goto cleanup;
    snprintf(b->source, n, "(function (RG) {\n%s\n%s\n})(%s);\n", prelude, adapter, rgtext);
    err = RG_OK;
cleanup:
    if (err == RG_ERR_NOMEM)
        snprintf(errbuf, RG_ERRBUF_SIZE, "out of memory");
    cJSON_Delete(rg);
    free(rgtext);
    free(prelude);
    free(adapter);
    return err;
}

static void random_name(char *out, size_t n, const char *prefix)
{
    unsigned char r[12];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        memset(r, 0x5a, sizeof r); /* names only hide the binding; not a secret */
    int k = snprintf(out, n, "%s", prefix);
    for (size_t i = 0; i < sizeof r && (size_t)k + 2 < n; i++)
        k += snprintf(out + k, n - (size_t)k, "%02x", r[i]);
}

/* One second of 16-bit mono silence: the bot's fake microphone. */
static rg_err write_silence(const char *path)
{
    static const unsigned rate = 48000, bytes = 48000 * 2;
    unsigned char h[44] = "RIFF....WAVEfmt ";
    unsigned v;
#define LE32(o, x) (v = (x), h[o] = v & 255, h[o + 1] = (v >> 8) & 255, \
                    h[o + 2] = (v >> 16) & 255, h[o + 3] = (v >> 24) & 255)
    LE32(4, 36 + bytes);
    LE32(16, 16);
    h[20] = 1; h[21] = 0; h[22] = 1; h[23] = 0; /* PCM, mono */
    LE32(24, rate);
    LE32(28, rate * 2);
    h[32] = 2; h[33] = 0; h[34] = 16; h[35] = 0;
    memcpy(h + 36, "data", 4);
    LE32(40, bytes);
#undef LE32
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return RG_ERR_IO;
    static const unsigned char zero[4096];
    bool ok = write(fd, h, sizeof h) == (ssize_t)sizeof h;
    for (unsigned left = bytes; ok && left;) {
        unsigned k = left < sizeof zero ? left : sizeof zero;
        ok = write(fd, zero, k) == (ssize_t)k;
        left -= k;
    }
    return close(fd) == 0 && ok ? RG_OK : RG_ERR_IO;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* Profiles of bots that died without cleaning up (SIGKILL, power loss):
 * each holds owner.pid; a folder whose owner is gone is removed. */
static void remove_stale_profiles(const char *tmp)
{
    DIR *d = opendir(tmp);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, "recgate-browser-", 16))
            continue;
        char dir[4200], pidf[4300], buf[32] = "";
        snprintf(dir, sizeof dir, "%s/%s", tmp, e->d_name);
        snprintf(pidf, sizeof pidf, "%s/owner.pid", dir);
        FILE *f = fopen(pidf, "r");
        if (!f)
            continue; /* being created, or not ours */
        bool got = fgets(buf, sizeof buf, f) != NULL;
        fclose(f);
        struct stat st;
        long pid = got ? strtol(buf, NULL, 10) : 0;
        if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH && lstat(dir, &st) == 0 &&
            S_ISDIR(st.st_mode) && st.st_uid == geteuid())
            nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    }
    if (d)
        closedir(d);
}

rg_err rg_bpage_start(rg_browser *b, char *errbuf)
{
    random_name(b->binding, sizeof b->binding, "rgb_");
    random_name(b->token, sizeof b->token, "rgc_");
    rg_err err = load_adapter(b, errbuf);
    if (err)
        return err;
    const char *tmp = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/recgate-browser-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmpl)) {
        snprintf(errbuf, RG_ERRBUF_SIZE, "cannot make a browser profile in %s: %s",
                 tmp && *tmp ? tmp : "/tmp", strerror(errno));
        return RG_ERR_IO;
    }
    if (!(b->profile = strdup(tmpl)))
        return RG_ERR_NOMEM;
    char pidf[4200];
    snprintf(pidf, sizeof pidf, "%s/owner.pid", b->profile);
    FILE *pf = fopen(pidf, "wx");
    if (pf) {
        fprintf(pf, "%ld\n", (long)getpid());
        fclose(pf);
    }
    remove_stale_profiles(tmp && *tmp ? tmp : "/tmp");
    char wav[4200], profile_arg[4200], wav_arg[4300], errlog[4200];
    snprintf(wav, sizeof wav, "%s/silence.wav", b->profile);
    snprintf(errlog, sizeof errlog, "%s/chromium.log", b->profile);
    if (write_silence(wav)) {
        snprintf(errbuf, RG_ERRBUF_SIZE, "cannot write %.400s", wav);
        return RG_ERR_IO;
    }
    snprintf(profile_arg, sizeof profile_arg, "--user-data-dir=%s/profile", b->profile);
    snprintf(wav_arg, sizeof wav_arg, "--use-file-for-fake-audio-capture=%s", wav);
    const char *chromium = getenv("RECGATE_CHROMIUM");
    if (!chromium || !*chromium)
        chromium = "/usr/bin/chromium";
    char *argv[] = {
        (char *)chromium, "--headless=new", "--remote-debugging-pipe", profile_arg,
        "--no-first-run", "--no-default-browser-check", "--disable-gpu",
        "--disable-extensions", "--disable-sync", "--disable-background-networking",
        "--disable-component-update", "--metrics-recording-only", "--mute-audio",
        "--autoplay-policy=no-user-gesture-required",
        /* WebRTC with 127.0.0.1 host candidates (not mDNS names only) */
        "--allow-loopback-in-peer-connection",
        /* Memory: a bot's pages share one renderer, no spare renderer, the
         * GPU, network and audio services inside the browser process. */
        "--disable-features=WebRtcHideLocalIpsWithMdns,SpareRendererForSitePerProcess,"
        "AudioServiceOutOfProcess",
        "--enable-features=NetworkServiceInProcess2", "--in-process-gpu",
        "--renderer-process-limit=1", "--process-per-site",
        /* the browser's own device prompt only; platform consent prompts
         * are never clicked by the bot */
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", wav_arg,
        /* a bot page runs in the background: do not throttle it */
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows",
        geteuid() == 0 ? "--no-sandbox" : "--enable-sandbox", "about:blank", NULL};
    if (access(chromium, X_OK) != 0) {
        snprintf(errbuf, RG_ERRBUF_SIZE, "no browser at %s (install Debian's chromium, or set "
                 "RECGATE_CHROMIUM)", chromium);
        return RG_ERR_NOT_FOUND;
    }
    if ((err = rg_cdp_start(argv, b->debug ? errlog : NULL, &b->cdp, errbuf)))
        return err;
    cJSON *res = NULL;
    if ((err = rg_cdp_call(b->cdp, NULL, "Browser.getVersion", NULL, CDP_TIMEOUT_MS, &res,
                           errbuf)))
        return err;
    cJSON_Delete(res);
    return RG_OK;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* The tab the browser opened at start costs a renderer: close it (ours
 * exists by now, so the browser keeps running). Best effort. */
static void close_other_tabs(rg_browser *b, const char *keep)
{
    char why[RG_ERRBUF_SIZE];
    cJSON *res = NULL;
    if (rg_cdp_call(b->cdp, NULL, "Target.getTargets", NULL, CDP_TIMEOUT_MS, &res, why))
        return;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(res, "targetInfos"), *t;
    cJSON_ArrayForEach(t, list) {
        const char *id = str(t, "targetId"), *type = str(t, "type");
        if (!id || !type || strcmp(type, "page") || !strcmp(id, keep))
            continue;
        cJSON *par = cJSON_CreateObject();
        cJSON_AddStringToObject(par, "targetId", id);
        (void)rg_cdp_call(b->cdp, NULL, "Target.closeTarget", par, CDP_TIMEOUT_MS, NULL, why);
    }
    cJSON_Delete(res);
}

rg_err rg_bpage_open(rg_browser *b, const char *url, char *errbuf)
{
    if (b->n_pages == RG_BROWSER_MAX_PAGES) {
        snprintf(errbuf, RG_ERRBUF_SIZE, "the adapter asked for more than %d pages",
                 RG_BROWSER_MAX_PAGES);
        return RG_ERR_STATE;
    }
    bpage *p = &b->pages[b->n_pages];
    memset(p, 0, sizeof *p);
    cJSON *res = NULL, *par = cJSON_CreateObject();
    cJSON_AddStringToObject(par, "url", "about:blank");
    rg_err err = rg_cdp_call(b->cdp, NULL, "Target.createTarget", par, CDP_TIMEOUT_MS, &res,
                             errbuf);
    if (err)
        return err;
    p->target = str(res, "targetId") ? strdup(str(res, "targetId")) : NULL;
    cJSON_Delete(res);
    if (!p->target)
        return RG_ERR_NOMEM;
    if (b->n_pages == 0)
        close_other_tabs(b, p->target);
    par = cJSON_CreateObject();
    cJSON_AddStringToObject(par, "targetId", p->target);
    cJSON_AddTrueToObject(par, "flatten");
    if ((err = rg_cdp_call(b->cdp, NULL, "Target.attachToTarget", par, CDP_TIMEOUT_MS, &res,
                           errbuf)))
        return err;
    p->session = str(res, "sessionId") ? strdup(str(res, "sessionId")) : NULL;
    cJSON_Delete(res);
    if (!p->session || !(p->url = strdup(url)))
        return RG_ERR_NOMEM;
    b->n_pages++; /* from here on destroy() knows the page */
    static const char *const enable[] = {"Page.enable", "Runtime.enable", "Inspector.enable"};
    for (size_t i = 0; i < 3; i++)
        if ((err = rg_cdp_call(b->cdp, p->session, enable[i], NULL, CDP_TIMEOUT_MS, NULL,
                               errbuf)))
            return err;
    par = cJSON_CreateObject();
    cJSON_AddStringToObject(par, "name", b->binding);
    if ((err = rg_cdp_call(b->cdp, p->session, "Runtime.addBinding", par, CDP_TIMEOUT_MS,
                           NULL, errbuf)))
        return err;
    par = cJSON_CreateObject();
    cJSON_AddStringToObject(par, "source", b->source);
    if ((err = rg_cdp_call(b->cdp, p->session, "Page.addScriptToEvaluateOnNewDocument", par,
                           CDP_TIMEOUT_MS, NULL, errbuf)))
        return err;
    par = cJSON_CreateObject();
    cJSON_AddStringToObject(par, "url", url);
    if ((err = rg_cdp_call(b->cdp, p->session, "Page.navigate", par, CDP_TIMEOUT_MS, &res,
                           errbuf)))
        return err;
    const char *e = str(res, "errorText");
    if (e) {
        snprintf(errbuf, RG_ERRBUF_SIZE, "cannot open %.300s: %.100s", url, e);
        err = RG_ERR_NETWORK;
    }
    cJSON_Delete(res);
    return err;
}

int rg_bpage_index(const rg_browser *b, const char *session)
{
    for (int i = 0; session && i < b->n_pages; i++)
        if (b->pages[i].session && !strcmp(b->pages[i].session, session))
            return i;
    return -1;
}

void rg_bpage_command(rg_browser *b, int i, cJSON *cmd)
{
    char *text = cJSON_PrintUnformatted(cmd);
    cJSON *lit = text ? cJSON_CreateString(text) : NULL; /* quoted as a JS string */
    char *quoted = lit ? cJSON_PrintUnformatted(lit) : NULL;
    size_t n = quoted ? strlen(quoted) + strlen(b->token) + 32 : 0;
    char *expr = n ? malloc(n) : NULL;
    if (expr && b->cdp && i >= 0 && i < b->n_pages) {
        snprintf(expr, n, "globalThis[\"%s\"](%s)", b->token, quoted);
        cJSON *par = cJSON_CreateObject();
        cJSON_AddStringToObject(par, "expression", expr);
        rg_cdp_send(b->cdp, b->pages[i].session, "Runtime.evaluate", par);
        cJSON_Delete(par);
    }
    free(expr);
    free(quoted);
    cJSON_Delete(lit);
    free(text);
}

void rg_bpage_stop(rg_browser *b)
{
    if (b->cdp) {
        rg_cdp_stop(b->cdp, 3000);
        b->cdp = NULL;
    }
    if (b->profile) {
        if (!getenv("RECGATE_BROWSER_KEEP_PROFILE"))
            nftw(b->profile, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(b->profile);
        b->profile = NULL;
    }
    for (int i = 0; i < b->n_pages; i++) {
        free(b->pages[i].session);
        free(b->pages[i].target);
        free(b->pages[i].url);
    }
    b->n_pages = 0;
}
