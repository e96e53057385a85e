/* The simulated platform: plays a scenario file (scenario.h) on a virtual
 * clock — as fast as possible, or at wall-clock speed — and gives each
 * participant a distinct synthetic tone as 20 ms PCM frames. Embedded in
 * librecgate as the default shim. */
#ifndef RG_SIM_SIM_H
#define RG_SIM_SIM_H

#include "recgate/shim.h"

#define RG_SIM_RATE 48000
#define RG_SIM_FRAME_MS 20
#define RG_SIM_FRAME_SAMPLES (RG_SIM_RATE * RG_SIM_FRAME_MS / 1000)
/* Video (scenarios with "video": true): 160x120 I420 at 25 frames/s, one
 * flat colour per participant. */
#define RG_SIM_VIDEO_W 160
#define RG_SIM_VIDEO_H 120
#define RG_SIM_VIDEO_MS 40

/* The sim's shim table (core -> shim). */
extern const rg_shim_ops rg_sim_shim;

/* Tone of the participant who joined i-th (0-based) in the scenario:
 * 300 Hz, 400 Hz, 500 Hz ... Multiples of 50 Hz fit a whole number of
 * periods into a 20 ms frame, so every frame of a participant is the same. */
int rg_sim_tone_hz(size_t index);

/* Statistics of the last run, for tests. */
typedef struct rg_sim_stats {
    uint64_t frames_offered; /* frames handed to the session */
    uint64_t frames_passed;  /* of which the gate let through */
    uint64_t chats_sent;     /* bot messages the platform accepted */
    uint64_t chats_failed;   /* bot messages refused ("fail": "send_chat") */
} rg_sim_stats;

/* [borrowed] stats of a sim instance returned by rg_sim_shim.create. */
const rg_sim_stats *rg_sim_get_stats(const void *shim);

#endif
