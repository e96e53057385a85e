/* recgate — the platform-shim interface (how to write one:
 * docs/writing-a-shim.md).
 *
 * A shim adapts one meeting platform (sim, janus, a browser, a hosted
 * service) to the core. Like Janus's plugin.h it is two versioned function
 * tables, one per direction:
 *   rg_shim_ops  core -> shim: implemented by every adapter;
 *   rg_core_ops  shim -> core: implemented by the core, handed to run().
 *
 * Versioned tables (rg_shim_ops, rg_core_ops, rg_shim_params) start with
 * api_version and struct_size. Within one api_version fields are only ever
 * APPENDED, so:
 *   - a table from an older build is smaller: the reader treats every field
 *     past struct_size as zero/NULL (the core copies a registered table into
 *     a zeroed one of its own size, as OBS's obs_register_source does);
 *   - a reader needs only the fields of the first layout of the version
 *     (RG_SHIM_TABLE_OK) and tests appended ones with RG_SHIM_HAS;
 *   - a different api_version is refused (RG_ERR_VERSION).
 *
 * Life cycle: create() joins/prepares the platform and tells the meeting's
 * id and type; the core then creates the session with `host` as its host
 * callbacks (ctx = the shim instance); run() feeds the session until the
 * meeting ends or the session leaves; destroy() (optional) frees
 * everything.
 *
 * Finding shims: a shim is registered (rg_shim_register) by whoever links
 * it in, or is a loadable module NAME.so in a shim directory that exports
 * RG_SHIM_MODULE(...) and is registered when first asked for by name
 * (rg_shim_open). The library itself registers "sim", its embedded
 * default. */
#ifndef RECGATE_SHIM_H
#define RECGATE_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "recgate/error.h"
#include "recgate/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 2: settings_json replaced the per-platform fields of rg_shim_params. */
#define RG_SHIM_API_VERSION 2u

/* Bytes of `type` up to and including `field`. */
#define RG_SHIM_FIELD_END(type, field) \
    (offsetof(type, field) + sizeof(((type *)0)->field))

/* True when `t` carries `field`: tables from older builds may end before
 * fields appended later. */
#define RG_SHIM_HAS(t, type, field) \
    ((size_t)(t)->struct_size >= RG_SHIM_FIELD_END(type, field))

/* True when table `t` (rg_core_ops, rg_shim_ops, rg_shim_params) is of this
 * API version and holds at least the fields of the version's first layout
 * (RG_SHIM_MIN_SIZE_<type>). A larger table (a newer build) is fine, and
 * so is one smaller than this header's struct as long as it has those:
 * fields appended later must be tested with RG_SHIM_HAS before use. */
#define RG_SHIM_TABLE_OK(t, type) \
    ((t)->api_version == RG_SHIM_API_VERSION && \
     (size_t)(t)->struct_size >= RG_SHIM_MIN_SIZE_##type)

/* shim -> core. Each session function has the contract of the rg_session_*
 * function of the same name (session.h). */
typedef struct rg_core_ops {
    uint32_t api_version; /* RG_SHIM_API_VERSION */
    uint32_t struct_size; /* sizeof(rg_core_ops) */
    rg_err (*joined)(rg_session *s, int64_t t_ms, const char *id,
                     const char *name, rg_role role);
    rg_err (*left)(rg_session *s, int64_t t_ms, const char *id);
    rg_err (*chat)(rg_session *s, int64_t t_ms, const char *from_id,
                   const char *text, bool is_private);
    rg_err (*tick)(rg_session *s, int64_t t_ms);
    rg_err (*media)(rg_session *s, int64_t t_ms, const char *id,
                    const rg_media_frame *frame, bool *passed);
    rg_err (*end)(rg_session *s, int64_t t_ms);
    bool (*finished)(const rg_session *s);
    /* rg_strerror, so that a loaded shim needs no symbol of the library. */
    const char *(*strerror)(rg_err err);
    /* --- appended after the first layout of version 2 (RG_SHIM_HAS) --- */
    /* rg_session_wants_video: receive video only when this is true. */
    bool (*wants_video)(const rg_session *s);
    /* rg_session_speaker: active-speaker labels of a mixed-audio track
     * (RG_SHIM_HAS(core, rg_core_ops, speaker)). */
    rg_err (*speaker)(rg_session *s, int64_t t_ms, const char *label);
    /* rg_session_media_lost: media of a participant lost in transmission. */
    rg_err (*lost)(rg_session *s, int64_t t_ms, const char *id, uint32_t frames);
} rg_core_ops;
#define RG_SHIM_MIN_SIZE_rg_core_ops RG_SHIM_FIELD_END(rg_core_ops, strerror)

/* [borrowed] the core's table; static, never freed. */
RG_EXPORT const rg_core_ops *rg_core_ops_get(void);

/* What the core tells a shim when creating it. Strings [borrowed] for the
 * duration of create(); a shim copies what it keeps. */
typedef struct rg_shim_params {
    uint32_t api_version; /* RG_SHIM_API_VERSION */
    uint32_t struct_size; /* sizeof(rg_shim_params) */
    /* The shim's settings, opaque to the core: a JSON object (text, never
     * NULL, "{}" when there are none) = the policy's platforms.<name> with
     * the command line's settings (--set key=value, --url ...) applied on
     * top. The shim validates it: unknown keys and bad values are errors
     * naming "<settings_path>.key" (and the flag, where there is one). */
    const char *settings_json;
    /* Where the settings come from, for error messages:
     * "platforms.<name>". Never NULL. */
    const char *settings_path;
} rg_shim_params;
#define RG_SHIM_MIN_SIZE_rg_shim_params RG_SHIM_FIELD_END(rg_shim_params, settings_path)

/* What a shim learned about the meeting; strings [borrowed] from the shim
 * instance, valid until destroy(). */
typedef struct rg_shim_meeting {
    const char *id;   /* the platform's meeting id */
    const char *type; /* meeting type asked for, or NULL for the default */
    /* Appended (zero = none): the platform gives ONE audio track mixing
     * everyone, fed as this participant id (rg_session_params). */
    const char *mixed_audio_id;
} rg_shim_meeting;

/* core -> shim. Mandatory: name, create, host (with send_chat and leave),
 * run. Optional (NULL is safe): destroy, description. */
typedef struct rg_shim_ops {
    uint32_t api_version; /* RG_SHIM_API_VERSION */
    uint32_t struct_size; /* sizeof(rg_shim_ops) */
    const char *name;     /* "sim", "janus", ...: [a-z0-9_-], 1..32 chars */
    /* Prepare the meeting. *shim is [owned] by the core and passed to
     * destroy(). On error errbuf says what is wrong. */
    rg_err (*create)(const rg_shim_params *params, void **shim,
                     rg_shim_meeting *meeting, char *errbuf);
    /* The session's host callbacks; ctx is the shim instance. A versioned
     * table itself (RG_SESSION_API_VERSION): send_chat and leave are
     * mandatory, timeline optional. */
    const rg_host_ops *host;
    /* Feed `session` [borrowed] through `core` [borrowed] until the meeting
     * ends or the session has finished. */
    rg_err (*run)(void *shim, const rg_core_ops *core, rg_session *session,
                  char *errbuf);
    void (*destroy)(void *shim);
    /* --- appended after the first layout of version 2; NULL when the
     * table is older --- */
    /* Optional: one line saying what the shim connects to, for listings. */
    const char *description;
} rg_shim_ops;
#define RG_SHIM_MIN_SIZE_rg_shim_ops RG_SHIM_FIELD_END(rg_shim_ops, destroy)

/* Register a shim. The core copies `size` bytes of `ops` (sizeof the table
 * the shim was built with; ops->struct_size must say the same) into a
 * zeroed table of its own size, so an older, smaller table keeps working
 * and fields it lacks read as NULL. Checked here, each failure named in
 * errbuf: the API version (RG_ERR_VERSION), the size, every mandatory
 * callback (RG_ERR_ARG, "shim 'x': missing mandatory callback run"), the
 * name, and that no shim of that name is registered yet (RG_ERR_STATE).
 * `ops` is [borrowed] for the call only: strings and the host table it
 * points to must live as long as the process (static tables do).
 * Thread-safe. */
RG_EXPORT rg_err rg_shim_register(const rg_shim_ops *ops, size_t size, char *errbuf);

/* [borrowed] the registered shim called `name` (the core's checked copy),
 * or NULL. "sim" is always registered. Thread-safe. */
RG_EXPORT const rg_shim_ops *rg_shim_find(const char *name);

/* Find the shim `name`: a registered one, else the module NAME.so in the
 * shim directory `dir` (NULL: $RECGATE_SHIM_DIR, else
 * rg_shim_default_dir()), which is loaded
 * and registered. On failure errbuf names what is available (registered
 * shims and modules in the directory) and why a candidate was rejected
 * (RG_ERR_NOT_FOUND, or the registration's error). *ops [borrowed], lives
 * as long as the process. Thread-safe. */
RG_EXPORT rg_err rg_shim_open(const char *name, const char *dir, const rg_shim_ops **ops,
                    char *errbuf);

/* [borrowed] the default shim directory: PREFIX/lib/recgate/shims of the
 * installation this code runs from (found from the library's or the
 * program's own path), else that of the build's PREFIX. */
RG_EXPORT const char *rg_shim_default_dir(void);

/* A loadable shim module exports exactly one symbol, made by
 * RG_SHIM_MODULE(table): rg_shim_module(), returning its table and that
 * table's size. The core registers it like rg_shim_register(). Build it
 * with -fvisibility=hidden and no link against librecgate: a module talks
 * to the core only through rg_core_ops. */
#define RG_SHIM_MODULE_SYMBOL "rg_shim_module"
typedef const rg_shim_ops *(*rg_shim_module_fn)(size_t *size);
#define RG_SHIM_MODULE(table)                                              \
    __attribute__((visibility("default"))) const rg_shim_ops *             \
    rg_shim_module(size_t *size);                                          \
    const rg_shim_ops *rg_shim_module(size_t *size)                        \
    {                                                                      \
        *size = sizeof(table);                                             \
        return &(table);                                                   \
    }

#ifdef __cplusplus
}
#endif
#endif
