/* libFuzzer target: the scenario parser (sdk-shims/sim/scenario.c).
 * Invariants: never crashes; an error always comes with a message naming
 * the origin; a parsed scenario ends with its end event, in time order,
 * and every join/leave/chat names a known participant. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char errbuf[RG_ERRBUF_SIZE] = "";
    rg_scenario *sc = NULL;
    rg_err err = rg_scenario_parse((const char *)data, size, "fuzz.json", &sc, errbuf);
    if (err) {
        if (strncmp(errbuf, "fuzz.json: ", 11) != 0 && err != RG_ERR_NOMEM)
            abort();
        return 0;
    }
    if (!sc->n_events || sc->events[sc->n_events - 1].kind != RG_SIM_END)
        abort();
    for (size_t i = 0; i < sc->n_events; i++) {
        const rg_sim_event *e = &sc->events[i];
        if (i && e->at_ms < sc->events[i - 1].at_ms)
            abort();
        if (e->kind == RG_SIM_JOIN || e->kind == RG_SIM_LEAVE || e->kind == RG_SIM_CHAT) {
            size_t k = 0;
            while (k < sc->n_participants && strcmp(sc->participants[k], e->who))
                k++;
            if (k == sc->n_participants)
                abort();
        }
    }
    rg_scenario_free(sc);
    return 0;
}
