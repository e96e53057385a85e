/* Janus HTTP API client: one Janus session, its plugin handles, and a
 * long-poll thread that hands every event to a queue.
 *
 * Threads: requests (create, attach, message, trickle, keepalive) are made
 * from the caller's thread with their own curl handle; the long-poll thread
 * has its own. Events from Janus, and events other threads post with
 * rg_jq_push(), arrive in the one queue (rg_jq) the caller drains.
 *
 * Failure: the poller retries a dropped long-poll at once and then every
 * 250 ms; when Janus has not answered for `timeout_ms`, or says the session
 * is gone (error 458), it posts one RG_JEV_LOST event and stops. */
#ifndef RG_JANUS_JSESSION_H
#define RG_JANUS_JSESSION_H

#include <cjson/cJSON.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "recgate/error.h"

typedef enum rg_jev_kind {
    RG_JEV_JANUS = 0,  /* json: one message from the long-poll */
    RG_JEV_LOST,       /* text: why the session is gone */
    RG_JEV_ICE,        /* handle, mline, text = candidate (NULL: gathering done) */
    RG_JEV_MEDIA,      /* handle, mline, data/len: one Opus packet */
    RG_JEV_DC_OPEN,    /* handle: a data channel opened */
    RG_JEV_DC_MSG,     /* handle, text: a data-channel message */
    RG_JEV_PEER_DOWN   /* handle: the PeerConnection failed or closed */
} rg_jev_kind;

typedef struct rg_jev {
    rg_jev_kind kind;
    int64_t at_us;     /* monotonic arrival time */
    uint64_t handle;   /* the Janus handle the peer belongs to */
    int mline;
    cJSON *json;       /* [owned] */
    char *text;        /* [owned] */
    uint8_t *data;     /* [owned] */
    size_t len;
    uint32_t lost;     /* MEDIA: packets missing just before this one */
} rg_jev;

/* [owned] new event stamped now; NULL on out of memory. */
rg_jev *rg_jev_new(rg_jev_kind kind, uint64_t handle);
/* [owned] the same with a copy of `data` in the same allocation. */
rg_jev *rg_jev_new_data(rg_jev_kind kind, uint64_t handle, const void *data, size_t len);
void rg_jev_free(rg_jev *ev);
int64_t rg_jnow_us(void);

typedef struct rg_jsession rg_jsession;

/* POST create to `url` (e.g. http://127.0.0.1:8088/janus) and start the
 * long-poll thread feeding `q` [borrowed, must outlive the session].
 * RG_ERR_NETWORK with "cannot reach Janus at URL: ..." when nothing answers
 * within timeout_ms, RG_ERR_PARSE when the answer is not Janus's. */
rg_err rg_jsession_new(const char *url, int timeout_ms, GAsyncQueue *q,
                       rg_jsession **out, char *errbuf);
/* Stops the poller; destroys the Janus session if still reachable. */
void rg_jsession_free(rg_jsession *js);
uint64_t rg_jsession_id(const rg_jsession *js);

/* Attach `plugin` ("janus.plugin.videoroom"); *handle is its id. */
rg_err rg_jsession_attach(rg_jsession *js, const char *plugin, uint64_t *handle,
                          char *errbuf);
rg_err rg_jsession_detach(rg_jsession *js, uint64_t handle);
/* Send {"janus":"message","body":body,"jsep":jsep} to `handle`; body and
 * jsep [borrowed], jsep may be NULL. *reply [owned] is Janus's direct
 * answer (success with plugindata, or ack); *transaction [owned, may be
 * NULL] its transaction, to match the asynchronous event. A Janus error
 * reply gives RG_ERR_NETWORK and its reason in errbuf. */
rg_err rg_jsession_message(rg_jsession *js, uint64_t handle, const cJSON *body,
                           const cJSON *jsep, cJSON **reply, char **transaction,
                           char *errbuf);
/* Trickle one candidate (NULL candidate: gathering completed). */
rg_err rg_jsession_trickle(rg_jsession *js, uint64_t handle, int mline,
                           const char *candidate);
rg_err rg_jsession_keepalive(rg_jsession *js);
/* {"janus":"hangup"} for a handle's PeerConnection. */
rg_err rg_jsession_hangup(rg_jsession *js, uint64_t handle);

/* The plugin data of a Janus message ("plugindata.data"), [borrowed]. */
const cJSON *rg_jplugindata(const cJSON *msg);
/* uint64 from a JSON number or numeric string; 0 if neither. */
uint64_t rg_jid(const cJSON *it);

#endif
