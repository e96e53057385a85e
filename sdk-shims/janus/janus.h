/* The Janus platform shim: the bot joins a Janus VideoRoom (publishers =
 * participants, their Opus audio captured without re-encoding) and the
 * TextRoom with the same number (chat). See docs/platforms.md. */
#ifndef RG_JANUS_SHIM_H
#define RG_JANUS_SHIM_H

#include "recgate/shim.h"

extern const rg_shim_ops rg_janus_shim;

#endif
