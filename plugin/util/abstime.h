/* Deadlines for pthread_cond_timedwait, which wants an absolute
 * CLOCK_REALTIME time: "ms milliseconds from now". */
#ifndef RG_ABSTIME_H
#define RG_ABSTIME_H

#include <time.h>

struct timespec rg_abstime_in(long long ms);

#endif
