/* The Janus shim's settings: platforms.janus in the policy, with the
 * command line's settings on top (docs/platforms.md):
 *   {"url": "http://...", "room": 1234, "textroom": 1234, "hosts": ["..."],
 *    "meeting_type": "...", "timeout_s": 10, "duration_s": 0}
 * Validated here, not by the core: errors name the path
 * ("platforms.janus.room: expected ...") and the flag where there is one. */
#ifndef RG_JANUS_JSETTINGS_H
#define RG_JANUS_JSETTINGS_H

#include <stddef.h>
#include "recgate/shim.h"

typedef struct rg_jsettings {
    char *url, *room, *textroom, *meeting_type; /* NULL: not set */
    char **hosts;
    size_t n_hosts;
    int timeout_s;  /* 0: not set */
    int duration_s; /* 0: not set */
} rg_jsettings;

/* Parse and check params->settings_json into *out (zeroed first; free with
 * rg_jsettings_free also on error). url and room are required. */
rg_err rg_jsettings_parse(const rg_shim_params *params, rg_jsettings *out,
                          char *errbuf);
void rg_jsettings_free(rg_jsettings *js);

#endif
