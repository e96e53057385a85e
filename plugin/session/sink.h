/* The recording sink's table is public (recgate/sink.h): the session takes
 * it injected, the library's own recording (recsink.h) is one. */
#ifndef RG_SINK_H
#define RG_SINK_H

#include "recgate/sink.h"

#endif
