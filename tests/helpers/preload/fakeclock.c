/* LD_PRELOAD for tests/e2e/doctor.sh: the kernel's clock discipline as
 * `recgate doctor` sees it through adjtimex(), chosen by RG_FAKE_CLOCK:
 * "sync" (a time service keeps the clock, maximum error 2 ms) or "unsync"
 * (STA_UNSYNC, TIME_ERROR). A container cannot change the real one, and
 * the test must see both outcomes on any host. */
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>

int adjtimex(struct timex *tx)
{
    const char *mode = getenv("RG_FAKE_CLOCK");
    int unsync = mode && !strcmp(mode, "unsync");
    memset(tx, 0, sizeof *tx);
    tx->status = unsync ? STA_UNSYNC : STA_PLL;
    tx->maxerror = unsync ? 16000000 : 2000;
    tx->esterror = unsync ? 16000000 : 500;
    return unsync ? TIME_ERROR : TIME_OK;
}
