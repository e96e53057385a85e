/* The core's side of the shim interface: the shim -> core table, the
 * registry of shims (a checked copy of each registered table) and loading
 * shim modules from a shim directory (shim.h). */
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "errfmt.h"
#include "recgate/shim.h"

#ifndef RG_SHIM_DIR
#define RG_SHIM_DIR "/usr/local/lib/recgate/shims"
#endif
#define MAX_SHIMS 64
#define MAX_NAME 32

static const rg_core_ops core_ops = {
    .api_version = RG_SHIM_API_VERSION,
    .struct_size = sizeof(rg_core_ops),
    .joined = rg_session_joined,
    .left = rg_session_left,
    .chat = rg_session_chat,
    .tick = rg_session_tick,
    .media = rg_session_media,
    .end = rg_session_end,
    .finished = rg_session_finished,
    .strerror = rg_strerror,
    .wants_video = rg_session_wants_video,
    .speaker = rg_session_speaker,
    .lost = rg_session_media_lost,
};

const rg_core_ops *rg_core_ops_get(void) { return &core_ops; }

static char default_dir[4096];
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

/* PREFIX/lib/recgate/shims of the installed files, found from where this
 * code lives (PREFIX/lib/librecgate.so or PREFIX/bin/recgate), so an
 * installation works wherever it was copied; else the build's PREFIX. */
static void find_default_dir(void)
{
    char self[4096] = "", dir[4200];
    Dl_info info;
    snprintf(default_dir, sizeof default_dir, "%s", RG_SHIM_DIR);
    /* The main program has no name in dladdr: ask the kernel. */
    if (dladdr((void *)find_default_dir, &info) && info.dli_fname && info.dli_fname[0] == '/')
        snprintf(self, sizeof self, "%s", info.dli_fname);
    else {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        self[n > 0 ? n : 0] = '\0';
    }
    char *slash = strrchr(self, '/');
    if (!slash)
        return;
    *slash = '\0';
    snprintf(dir, sizeof dir, "%s/../lib/recgate/shims", self);
    char *real = realpath(dir, NULL);
    if (real && strlen(real) < sizeof default_dir)
        snprintf(default_dir, sizeof default_dir, "%s", real);
    free(real);
}

const char *rg_shim_default_dir(void)
{
    pthread_once(&default_once, find_default_dir);
    return default_dir;
}

/* Built into the library (sdk-shims/sim): the embedded default, so that
 * `recgate run --scenario` and tests need no shim directory. */
extern const rg_shim_ops rg_sim_shim;

/* One registered shim: the core's own copy of its table (zero past the
 * size it was registered with) and of its host table. */
typedef struct reg_entry {
    rg_shim_ops ops;
    rg_host_ops host;
} reg_entry;

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static reg_entry *registry[MAX_SHIMS];
static size_t n_registry;
static bool builtins_done;

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

static const rg_shim_ops *find_locked(const char *name)
{
    for (size_t i = 0; i < n_registry; i++)
        if (!strcmp(registry[i]->ops.name, name))
            return &registry[i]->ops;
    return NULL;
}

/* Check `ops` and add the copy; reg_lock held. */
static rg_err register_locked(const rg_shim_ops *ops, size_t size,
                              const rg_shim_ops **out, char *errbuf)
{
    if (!ops)
        return rg_errorf(errbuf, RG_ERR_ARG, "shim: no table given");
    const char *who = ops->name && name_ok(ops->name) ? ops->name : "?";
    if (ops->api_version != RG_SHIM_API_VERSION)
        return rg_errorf(errbuf, RG_ERR_VERSION,
                         "shim '%s': built for shim API version %u, this recgate "
                         "speaks version %u", who, ops->api_version, RG_SHIM_API_VERSION);
    if (size < RG_SHIM_MIN_SIZE_rg_shim_ops || ops->struct_size != size)
        return rg_errorf(errbuf, RG_ERR_VERSION,
                         "shim '%s': table of %zu bytes with struct_size %u: both must "
                         "be sizeof(rg_shim_ops) of the shim's build, at least %zu",
                         who, size, ops->struct_size, (size_t)RG_SHIM_MIN_SIZE_rg_shim_ops);
    reg_entry *e = calloc(1, sizeof *e);
    if (!e)
        return RG_ERR_NOMEM;
    /* Append-safe: an older table is smaller, what it lacks stays zero. */
    memcpy(&e->ops, ops, size < sizeof e->ops ? size : sizeof e->ops);
    e->ops.struct_size = sizeof e->ops;
    const char *missing = !e->ops.name ? "name"
                          : !e->ops.create ? "create"
                          : !e->ops.run ? "run"
                          : !e->ops.host ? "host"
                                         : NULL;
    rg_err err = RG_ERR_ARG;
    if (missing) {
        rg_errbuf(errbuf, "shim '%s': missing mandatory callback %s", who, missing);
        goto fail;
    }
    if (!name_ok(e->ops.name)) {
        rg_errbuf(errbuf, "shim '%.40s': name must be 1..%d of a-z 0-9 _ -",
                  e->ops.name, MAX_NAME);
        goto fail;
    }
    const rg_host_ops *h = e->ops.host;
    if (h->api_version != RG_SESSION_API_VERSION ||
        h->struct_size < RG_SHIM_FIELD_END(rg_host_ops, leave)) {
        rg_errbuf(errbuf, "shim '%s': host table of version %u, %u bytes: want "
                  "version %u, at least %zu bytes", who, h->api_version, h->struct_size,
                  RG_SESSION_API_VERSION, (size_t)RG_SHIM_FIELD_END(rg_host_ops, leave));
        err = RG_ERR_VERSION;
        goto fail;
    }
    memcpy(&e->host, h, h->struct_size < sizeof e->host ? h->struct_size : sizeof e->host);
    e->host.struct_size = sizeof e->host;
    e->ops.host = &e->host;
    missing = !e->host.send_chat ? "host.send_chat" : !e->host.leave ? "host.leave" : NULL;
    if (missing) {
        rg_errbuf(errbuf, "shim '%s': missing mandatory callback %s", who, missing);
        goto fail;
    }
    if (find_locked(e->ops.name)) {
        rg_errbuf(errbuf, "shim '%s': a shim of that name is registered already", who);
        err = RG_ERR_STATE;
        goto fail;
    }
    if (n_registry == MAX_SHIMS) {
        rg_errbuf(errbuf, "shim '%s': too many shims (at most %d)", who, MAX_SHIMS);
        err = RG_ERR_STATE;
        goto fail;
    }
    registry[n_registry++] = e;
    if (out)
        *out = &e->ops;
    return RG_OK;
fail:
    free(e);
    return err;
}

static void builtins_locked(void)
{
    if (builtins_done)
        return;
    builtins_done = true;
    (void)register_locked(&rg_sim_shim, sizeof rg_sim_shim, NULL, NULL);
}

rg_err rg_shim_register(const rg_shim_ops *ops, size_t size, char *errbuf)
{
    pthread_mutex_lock(&reg_lock);
    builtins_locked();
    rg_err err = register_locked(ops, size, NULL, errbuf);
    pthread_mutex_unlock(&reg_lock);
    return err;
}

const rg_shim_ops *rg_shim_find(const char *name)
{
    if (!name)
        return NULL;
    pthread_mutex_lock(&reg_lock);
    builtins_locked();
    const rg_shim_ops *ops = find_locked(name);
    pthread_mutex_unlock(&reg_lock);
    return ops;
}

/* Load DIR/NAME.so and register its table; reg_lock held. On failure `why`
 * says why this candidate was rejected. */
static rg_err load_locked(const char *dir, const char *name,
                          const rg_shim_ops **out, char *why)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s.so", dir, name) >= sizeof path)
        return rg_errorf(why, RG_ERR_ARG, "path too long");
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return rg_errorf(why, RG_ERR_FORMAT, "%.400s", dlerror());
    rg_err err;
    rg_shim_module_fn fn;
    /* POSIX's blessed way to turn dlsym's void * into a function pointer. */
    *(void **)&fn = dlsym(h, RG_SHIM_MODULE_SYMBOL);
    size_t size = 0;
    const rg_shim_ops *ops = fn ? fn(&size) : NULL;
    if (!fn) {
        err = rg_errorf(why, RG_ERR_FORMAT, "%s.so: no %s() (a shim module is built "
                        "with RG_SHIM_MODULE)", name, RG_SHIM_MODULE_SYMBOL);
    } else if (!ops) {
        err = rg_errorf(why, RG_ERR_FORMAT, "%s.so: %s() returned no table", name,
                        RG_SHIM_MODULE_SYMBOL);
    } else if ((err = register_locked(ops, size, out, why))) {
        /* why says it */
    } else if (strcmp((*out)->name, name)) {
        /* Registered under its own name; the file name must agree so that
         * --platform NAME means one thing. */
        err = rg_errorf(why, RG_ERR_FORMAT, "%s.so registers itself as '%s'", name,
                        (*out)->name);
        free(registry[--n_registry]);
    }
    if (err)
        dlclose(h);
    /* On success the module stays loaded for the life of the process. */
    return err;
}

/* "sim, x (registered); janus, y in DIR": the registered shims and the
 * modules in dir not loaded yet. */
static void available_locked(const char *dir, char *buf, size_t len)
{
    size_t n = 0, m = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n_registry && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", registry[i]->ops.name);
    if (n < len)
        n += (size_t)snprintf(buf + n, len - n, " (registered)");
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *de;
    while (d && (de = readdir(d)) && n < len) {
        size_t l = strlen(de->d_name);
        char nm[MAX_NAME + 1];
        if (l <= 3 || l - 3 > MAX_NAME || strcmp(de->d_name + l - 3, ".so"))
            continue;
        memcpy(nm, de->d_name, l - 3);
        nm[l - 3] = '\0';
        if (!find_locked(nm))
            n += (size_t)snprintf(buf + n, len - n, "%s%s", m++ ? ", " : "; ", nm);
    }
    if (d)
        closedir(d);
    if (m && n < len)
        snprintf(buf + n, len - n, " in %s", dir);
}

rg_err rg_shim_open(const char *name, const char *dir, const rg_shim_ops **ops,
                    char *errbuf)
{
    if (!name || !ops)
        return RG_ERR_ARG;
    if (!dir || !*dir)
        dir = getenv("RECGATE_SHIM_DIR");
    if (!dir || !*dir)
        dir = rg_shim_default_dir();
    pthread_mutex_lock(&reg_lock);
    builtins_locked();
    rg_err err = RG_OK;
    char why[RG_ERRBUF_SIZE] = "", avail[300];
    if ((*ops = find_locked(name)))
        goto done;
    if (!name_ok(name)) {
        err = rg_errorf(why, RG_ERR_ARG, "a platform name is 1..%d of a-z 0-9 _ -", MAX_NAME);
    } else {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.so", dir, name);
        FILE *f = fopen(path, "rb");
        if (!f)
            err = rg_errorf(why, RG_ERR_NOT_FOUND, "no %s", path);
        else {
            fclose(f);
            err = load_locked(dir, name, ops, why);
        }
    }
    if (err) {
        available_locked(dir, avail, sizeof avail);
        rg_errbuf(errbuf, "unknown platform '%.40s': %.200s; available: %s "
                  "(shim directory: --shim-dir or RECGATE_SHIM_DIR)", name, why, avail);
        *ops = NULL;
    }
done:
    pthread_mutex_unlock(&reg_lock);
    return err;
}
