/* The browser platform shim: the bot joins a meeting through the
 * platform's own web client in headless Chromium (DevTools over a pipe),
 * with a JavaScript platform adapter. See docs/platforms.md. */
#ifndef RG_BROWSER_SHIM_H
#define RG_BROWSER_SHIM_H

#include "recgate/shim.h"

extern const rg_shim_ops rg_browser_shim;

#endif
