/* The core's side of the shim interface: the shim -> core table and the
 * registry of built-in shims. */
#include <string.h>
#include "recgate/shim.h"
#include "sim/sim.h"
#include "janus/janus.h"

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
    .lost = rg_session_media_lost,
};

const rg_core_ops *rg_core_ops_get(void) { return &core_ops; }

static const rg_shim_ops *const builtin_shims[] = {&rg_sim_shim, &rg_janus_shim};

const rg_shim_ops *rg_shim_find(const char *name)
{
    if (!name)
        name = "sim";
    for (size_t i = 0; i < sizeof builtin_shims / sizeof builtin_shims[0]; i++)
        if (strcmp(builtin_shims[i]->name, name) == 0)
            return builtin_shims[i];
    return NULL;
}
