/* recgate — the platform-shim interface.
 *
 * A shim adapts one meeting platform (sim, janus, teams, zoom) to the core.
 * Like Janus's plugin.h it is two versioned function tables, one per
 * direction:
 *   rg_shim_ops  core -> shim: implemented by every adapter;
 *   rg_core_ops  shim -> core: implemented by the core, handed to run().
 * Both start with api_version and struct_size; a side refuses a table whose
 * version it does not know or whose size is smaller than it needs
 * (RG_ERR_VERSION), so fields can be appended without breaking old shims.
 *
 * Life cycle: create() joins/prepares the platform and tells the meeting's
 * id and type; the core then creates the session with `host` as its host
 * callbacks (ctx = the shim instance); run() feeds the session until the
 * meeting ends or the session leaves; destroy() frees everything. */
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

#define RG_SHIM_API_VERSION 1u

/* True when table `t` (rg_core_ops, rg_shim_ops, rg_shim_params) is of
 * this API version and at least as large as this side's `type`. */
#define RG_SHIM_TABLE_OK(t, type) \
    ((t)->api_version == RG_SHIM_API_VERSION && (t)->struct_size >= sizeof(type))

/* shim -> core. Each function has the contract of the rg_session_* function
 * of the same name (session.h). */
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
    /* Appended: media lost in transmission (rg_session_media_lost). */
    rg_err (*lost)(rg_session *s, int64_t t_ms, const char *id, uint32_t frames);
} rg_core_ops;

/* [borrowed] the core's table; static, never freed. */
const rg_core_ops *rg_core_ops_get(void);

/* What the core tells a shim when creating it. Strings [borrowed] for the
 * duration of create(); a shim copies what it keeps. */
typedef struct rg_shim_params {
    uint32_t api_version; /* RG_SHIM_API_VERSION */
    uint32_t struct_size; /* sizeof(rg_shim_params) */
    const char *scenario; /* sim: path of the scenario file */
    bool realtime;        /* sim: play at wall-clock speed */
    const char *url;      /* network shims: the platform's API address */
    const char *room;     /* network shims: the room to join */
    /* Appended for network shims (janus); zero/NULL = default. */
    const char *meeting_type;  /* meeting type to use; NULL: the policy's default */
    const char *const *hosts;  /* display names or participant ids that are hosts */
    size_t n_hosts;
    const char *textroom;      /* janus: TextRoom id; NULL: same as room */
    int timeout_s;             /* signalling timeout / give-up time; 0: 10 s */
    int duration_s;            /* leave after this long; 0: when everyone left */
    bool video;                /* the meeting type stores video: receive it; else audio only */
} rg_shim_params;

/* What a shim learned about the meeting; strings [borrowed] from the shim
 * instance, valid until destroy(). */
typedef struct rg_shim_meeting {
    const char *id;   /* the platform's meeting id */
    const char *type; /* meeting type asked for, or NULL for the default */
} rg_shim_meeting;

/* core -> shim. */
typedef struct rg_shim_ops {
    uint32_t api_version; /* RG_SHIM_API_VERSION */
    uint32_t struct_size; /* sizeof(rg_shim_ops) */
    const char *name;     /* "sim", "janus", ... */
    /* Prepare the meeting. *shim is [owned] by the core and must be passed
     * to destroy(). On error errbuf says what is wrong. */
    rg_err (*create)(const rg_shim_params *params, void **shim,
                     rg_shim_meeting *meeting, char *errbuf);
    /* The session's host callbacks; ctx is the shim instance. */
    const rg_host_ops *host;
    /* Feed `session` [borrowed] through `core` [borrowed] until the meeting
     * ends or the session has finished. */
    rg_err (*run)(void *shim, const rg_core_ops *core, rg_session *session,
                  char *errbuf);
    void (*destroy)(void *shim);
} rg_shim_ops;

/* [borrowed] the built-in shim called `name`, or NULL. */
const rg_shim_ops *rg_shim_find(const char *name);

#ifdef __cplusplus
}
#endif
#endif
