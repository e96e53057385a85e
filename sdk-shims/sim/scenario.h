/* Scenario files for the simulated platform (format: docs/scenario.md).
 * A scenario is a meeting script: who joins, leaves and chats when, when
 * chat delivery fails, and when it ends. Parsing validates everything and
 * names the JSON path at fault: "FILE: events[2].at: expected ..., got ...". */
#ifndef RG_SIM_SCENARIO_H
#define RG_SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "recgate/error.h"
#include "recgate/session.h"

#define RG_SCENARIO_MAX_BYTES (4u << 20)
#define RG_SCENARIO_MAX_MS (24LL * 3600 * 1000)

typedef enum rg_sim_kind {
    RG_SIM_JOIN,
    RG_SIM_LEAVE,
    RG_SIM_CHAT,
    RG_SIM_FAIL,
    RG_SIM_END
} rg_sim_kind;

typedef struct rg_sim_event {
    rg_sim_kind kind;
    int64_t at_ms;
    char *who;        /* join/leave/chat: participant id */
    char *name;       /* join: display name (defaults to the id) */
    rg_role role;     /* join */
    char *text;       /* chat */
    bool is_private;  /* chat: privately to the bot */
    bool fail_chat;   /* fail: true = "send_chat", false = "none" */
    bool lost;        /* end: "lost", the connection to the platform is lost */
} rg_sim_event;

typedef struct rg_scenario {
    char *meeting_id;
    char *meeting_type;      /* NULL = the policy's default */
    bool video;              /* participants also send video frames */
    rg_sim_event *events;    /* in time order; the last one is the end */
    size_t n_events;
    char **participants;     /* distinct ids in order of first join */
    size_t n_participants;
} rg_scenario;

rg_err rg_scenario_load(const char *path, rg_scenario **out, char *errbuf);
rg_err rg_scenario_parse(const char *json, size_t len, const char *origin,
                         rg_scenario **out, char *errbuf);
void rg_scenario_free(rg_scenario *sc);

#endif
