/* Simulated platform. The virtual clock advances in 20 ms frame steps and
 * stops at every scenario event time as well, so windows that end between
 * frames are decided at their exact millisecond. Order at each instant t:
 * the events of t, then tick(t), then (unless the meeting ends at t) one
 * frame per present participant starting at t. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/simjson.h"

typedef struct sim {
    rg_scenario *sc;
    bool realtime;
    bool chat_fails;
    bool left;
    bool *present;          /* per scenario participant */
    int16_t *tones;         /* n_participants frames of PCM */
    uint8_t *pictures;      /* n_participants I420 frames (video only) */
    rg_sim_stats stats;
} sim;

int rg_sim_tone_hz(size_t index) { return 300 + 100 * (int)index; }

/* The sim's settings (platforms.sim, --scenario, --realtime, --type):
 *   {"scenario": "FILE", "realtime": false, "meeting_type": "TYPE"}
 * meeting_type replaces the scenario's meeting.type. */
static rg_err sim_settings(const rg_shim_params *params, char **scenario,
                           bool *realtime, char **type, char *errbuf)
{
    const char *at = params->settings_path;
    cJSON *o = NULL;
    rg_err err = rg_sim_json_parse(params->settings_json, strlen(params->settings_json),
                                   at, &o, errbuf);
    if (err)
        return RG_ERR_CONFIG;
    err = RG_ERR_CONFIG;
    char got[64];
    if (!cJSON_IsObject(o)) {
        rg_sim_json_describe(o, got, sizeof got);
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "%s: expected an object, got %s", at, got);
        goto cleanup;
    }
    for (const cJSON *ch = o->child; ch; ch = ch->next) {
        if (!strcmp(ch->string, "scenario")) {
            if (!cJSON_IsString(ch) || !ch->valuestring[0]) {
                rg_sim_json_describe(ch, got, sizeof got);
                if (errbuf)
                    snprintf(errbuf, RG_ERRBUF_SIZE, "%s.scenario: expected the path "
                             "of a scenario file, got %s", at, got);
                goto cleanup;
            }
        } else if (!strcmp(ch->string, "realtime")) {
            if (!cJSON_IsBool(ch)) {
                rg_sim_json_describe(ch, got, sizeof got);
                if (errbuf)
                    snprintf(errbuf, RG_ERRBUF_SIZE, "%s.realtime: expected true or "
                             "false, got %s", at, got);
                goto cleanup;
            }
            *realtime = cJSON_IsTrue(ch);
        } else if (!strcmp(ch->string, "meeting_type")) {
            if (!cJSON_IsString(ch) || !ch->valuestring[0]) {
                rg_sim_json_describe(ch, got, sizeof got);
                if (errbuf)
                    snprintf(errbuf, RG_ERRBUF_SIZE, "%s.meeting_type: expected the name "
                             "of a meeting type, got %s", at, got);
                goto cleanup;
            }
            if (!(*type = strdup(ch->valuestring))) {
                err = RG_ERR_NOMEM;
                goto cleanup;
            }
        } else {
            if (errbuf)
                snprintf(errbuf, RG_ERRBUF_SIZE, "%s.%.60s: unknown setting (the sim "
                         "knows scenario, realtime, meeting_type)", at, ch->string);
            goto cleanup;
        }
    }
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o, "scenario");
    if (!sc) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "sim: a scenario file is required "
                     "(--scenario FILE or %s.scenario)", at);
        err = RG_ERR_ARG;
        goto cleanup;
    }
    err = (*scenario = strdup(sc->valuestring)) ? RG_OK : RG_ERR_NOMEM;
cleanup:
    cJSON_Delete(o);
    return err;
}

static rg_err sim_create(const rg_shim_params *params, void **out,
                         rg_shim_meeting *meeting, char *errbuf)
{
    if (!params || !out || !meeting)
        return RG_ERR_ARG;
    if (!RG_SHIM_TABLE_OK(params, rg_shim_params))
        return RG_ERR_VERSION;
    char *scenario = NULL, *type = NULL;
    bool realtime = false;
    rg_err err = sim_settings(params, &scenario, &realtime, &type, errbuf);
    if (err) {
        free(type);
        return err;
    }
    sim *s = calloc(1, sizeof *s);
    if (!s) {
        free(scenario);
        free(type);
        return RG_ERR_NOMEM;
    }
    err = rg_scenario_load(scenario, &s->sc, errbuf);
    free(scenario);
    if (err) {
        free(type);
        goto cleanup;
    }
    if (type) {
        free(s->sc->meeting_type);
        s->sc->meeting_type = type;
    }
    size_t np = s->sc->n_participants;
    err = RG_ERR_NOMEM;
    s->present = calloc(np ? np : 1, sizeof *s->present);
    s->tones = calloc((np ? np : 1) * RG_SIM_FRAME_SAMPLES, sizeof *s->tones);
    if (!s->present || !s->tones)
        goto cleanup;
    for (size_t i = 0; i < np; i++) {
        double hz = rg_sim_tone_hz(i);
        for (int k = 0; k < RG_SIM_FRAME_SAMPLES; k++)
            s->tones[i * RG_SIM_FRAME_SAMPLES + k] = (int16_t)lrint(
                8000.0 * sin(2.0 * M_PI * hz * k / RG_SIM_RATE));
    }
    if (s->sc->video) {
        size_t fsz = RG_SIM_VIDEO_W * RG_SIM_VIDEO_H * 3 / 2;
        if (!(s->pictures = malloc((np ? np : 1) * fsz)))
            goto cleanup;
        for (size_t i = 0; i < np; i++) {
            uint8_t *p = s->pictures + i * fsz;
            memset(p, (int)(40 + (37 * i) % 180), RG_SIM_VIDEO_W * RG_SIM_VIDEO_H);
            memset(p + RG_SIM_VIDEO_W * RG_SIM_VIDEO_H, (int)(64 + 50 * (i % 4)),
                   fsz - RG_SIM_VIDEO_W * RG_SIM_VIDEO_H);
        }
    }
    s->realtime = realtime;
    meeting->id = s->sc->meeting_id;
    meeting->type = s->sc->meeting_type;
    *out = s;
    return RG_OK;
cleanup:
    free(s->present);
    free(s->tones);
    free(s->pictures);
    rg_scenario_free(s->sc);
    free(s);
    return err;
}

static void sim_destroy(void *shim)
{
    sim *s = shim;
    if (!s)
        return;
    free(s->present);
    free(s->tones);
    free(s->pictures);
    rg_scenario_free(s->sc);
    free(s);
}

static rg_err sim_send_chat(void *ctx, const char *to, const char *text)
{
    sim *s = ctx;
    (void)to;
    (void)text;
    if (s->chat_fails || s->left) {
        s->stats.chats_failed++;
        return RG_ERR_DELIVERY;
    }
    s->stats.chats_sent++;
    return RG_OK;
}

static rg_err sim_leave(void *ctx, const char *reason)
{
    sim *s = ctx;
    (void)reason;
    s->left = true;
    return RG_OK;
}

static const rg_host_ops sim_host = {
    .api_version = RG_SESSION_API_VERSION,
    .struct_size = sizeof(rg_host_ops),
    .send_chat = sim_send_chat,
    .leave = sim_leave,
    .timeline = NULL,
};

/* Wall-clock pacing for --realtime: sleep until `t_ms` after the start. */
static void pace(const struct timespec *start, int64_t t_ms)
{
    struct timespec due = *start;
    due.tv_sec += t_ms / 1000;
    due.tv_nsec += (t_ms % 1000) * 1000000L;
    if (due.tv_nsec >= 1000000000L) {
        due.tv_sec++;
        due.tv_nsec -= 1000000000L;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) != 0)
        ;
}

static size_t index_of(const rg_scenario *sc, const char *id)
{
    for (size_t i = 0; i < sc->n_participants; i++)
        if (!strcmp(sc->participants[i], id))
            return i;
    return 0; /* unreachable: the parser checked every id */
}

static rg_err apply_event(sim *s, const rg_core_ops *core, rg_session *session,
                          const rg_sim_event *ev)
{
    switch (ev->kind) {
    case RG_SIM_JOIN:
        s->present[index_of(s->sc, ev->who)] = true;
        return core->joined(session, ev->at_ms, ev->who, ev->name, ev->role);
    case RG_SIM_LEAVE:
        s->present[index_of(s->sc, ev->who)] = false;
        return core->left(session, ev->at_ms, ev->who);
    case RG_SIM_CHAT:
        return core->chat(session, ev->at_ms, ev->who, ev->text, ev->is_private);
    case RG_SIM_FAIL:
        s->chat_fails = ev->fail_chat;
        return RG_OK;
    case RG_SIM_END:
        return RG_OK;
    }
    return RG_ERR_INTERNAL;
}

static rg_err sim_run(void *shim, const rg_core_ops *core, rg_session *session,
                      char *errbuf)
{
    sim *s = shim;
    if (!s || !core || !session)
        return RG_ERR_ARG;
    if (!RG_SHIM_TABLE_OK(core, rg_core_ops))
        return RG_ERR_VERSION;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    const rg_scenario *sc = s->sc;
    size_t ei = 0;
    int64_t next_frame = 0;
    rg_err err = RG_OK;
    for (;;) {
        int64_t t = sc->events[ei].at_ms < next_frame ? sc->events[ei].at_ms
                                                      : next_frame;
        if (s->realtime)
            pace(&start, t);
        bool ends = false;
        while (ei < sc->n_events && sc->events[ei].at_ms == t) {
            ends = ends || sc->events[ei].kind == RG_SIM_END;
            if ((err = apply_event(s, core, session, &sc->events[ei])))
                goto failed;
            ei++;
        }
        if ((err = core->tick(session, t)))
            goto failed;
        if (ends && sc->events[ei - 1].lost) {
            /* The platform went away: end (what passed is sealed), and
             * say so, as a network shim does. */
            (void)core->end(session, t);
            if (errbuf)
                snprintf(errbuf, RG_ERRBUF_SIZE, "sim: lost the meeting at %.3f s "
                         "(the scenario's end: \"lost\")", (double)t / 1000.0);
            return RG_ERR_NETWORK;
        }
        if (ends || core->finished(session))
            return core->end(session, t);
        if (t == next_frame) {
            for (size_t i = 0; i < sc->n_participants; i++) {
                if (!s->present[i])
                    continue;
                rg_media_frame f = {
                    .kind = RG_MEDIA_PCM_S16LE,
                    .rate = RG_SIM_RATE,
                    .channels = 1,
                    .duration_ms = RG_SIM_FRAME_MS,
                    .data = (const uint8_t *)&s->tones[i * RG_SIM_FRAME_SAMPLES],
                    .len = RG_SIM_FRAME_SAMPLES * sizeof(int16_t),
                };
                bool passed = false;
                s->stats.frames_offered++;
                if ((err = core->media(session, t, sc->participants[i], &f, &passed)))
                    goto failed;
                s->stats.frames_passed += passed;
                if (!s->pictures || t % RG_SIM_VIDEO_MS)
                    continue;
                size_t fsz = RG_SIM_VIDEO_W * RG_SIM_VIDEO_H * 3 / 2;
                rg_media_frame v = {
                    .kind = RG_MEDIA_I420,
                    .rate = 90000,
                    .duration_ms = RG_SIM_VIDEO_MS,
                    .data = s->pictures + i * fsz,
                    .len = fsz,
                    .width = RG_SIM_VIDEO_W,
                    .height = RG_SIM_VIDEO_H,
                };
                if ((err = core->media(session, t, sc->participants[i], &v, &passed)))
                    goto failed;
            }
            next_frame += RG_SIM_FRAME_MS;
        }
    }
failed:
    if (errbuf)
        snprintf(errbuf, RG_ERRBUF_SIZE, "sim: the session rejected an event: %s",
                 rg_strerror(err));
    (void)core->end(session, sc->events[ei < sc->n_events ? ei : sc->n_events - 1].at_ms);
    return err;
}

const rg_sim_stats *rg_sim_get_stats(const void *shim)
{
    return shim ? &((const sim *)shim)->stats : NULL;
}

/* Registered by the library itself (plugin/session/registry.c). */
const rg_shim_ops rg_sim_shim = {
    .api_version = RG_SHIM_API_VERSION,
    .struct_size = sizeof(rg_shim_ops),
    .name = "sim",
    .create = sim_create,
    .host = &sim_host,
    .run = sim_run,
    .destroy = sim_destroy,
    .description = "simulated meetings played from scenario files",
};
