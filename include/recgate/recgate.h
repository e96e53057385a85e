/* recgate — records online meetings only when the law allows it.
 * Umbrella header of the public C ABI. */
#ifndef RECGATE_RECGATE_H
#define RECGATE_RECGATE_H

#include "recgate/error.h"
#include "recgate/policy.h"
#include "recgate/session.h"
#include "recgate/shim.h"
#include "recgate/sink.h"
#include "recgate/runner.h"

#define RG_VERSION_STRING "0.1.0"

#endif
