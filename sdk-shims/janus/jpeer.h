/* One WebRTC PeerConnection (GStreamer webrtcbin) answering a Janus offer.
 *
 * Everything webrtcbin reports on its own threads becomes an rg_jev in the
 * queue `q` tagged with the peer's Janus handle: ICE candidates to trickle,
 * Opus packets (RTP payloads, depayloaded, never decoded), data-channel
 * open and messages, and a failed connection. Calls are made from the
 * queue's consumer thread.
 *
 * Network: ICE uses host candidates only: no STUN/TURN unless configured,
 * no UPnP, no ICE-TCP; `local_ip` (may be NULL) is added as a local
 * address for hosts where libnice would skip it (loopback-only tests). */
#ifndef RG_JANUS_JPEER_H
#define RG_JANUS_JPEER_H

#include <glib.h>
#include <stdint.h>
#include "recgate/error.h"

typedef struct rg_jpeer rg_jpeer;

typedef struct rg_jpeer_opts {
    uint64_t handle;       /* tag for events */
    GAsyncQueue *q;        /* [borrowed] */
    const char *local_ip;  /* extra local ICE address, or NULL */
    const char *stun;      /* "stun://host:port" or NULL */
    /* Publisher side (tests): send an Opus tone of `tone_hz` (> 0), or a
     * muted track that never sends a packet (`silent`). 0: receive only. */
    int tone_hz;
    int silent;
    /* Publisher side (benchmarks): send the Opus packets of this Ogg/Opus
     * file as they are, paced in real time (no encoding). */
    const char *opus_file;
} rg_jpeer_opts;

rg_err rg_jpeer_new(const rg_jpeer_opts *o, rg_jpeer **out, char *errbuf);
/* Answer `offer` [borrowed]; *answer [owned] is the SDP to send back. */
rg_err rg_jpeer_answer(rg_jpeer *p, const char *offer, char **answer, char *errbuf);
/* Publisher: create an offer (after negotiation is needed); *offer [owned]. */
rg_err rg_jpeer_offer(rg_jpeer *p, char **offer, char *errbuf);
rg_err rg_jpeer_set_answer(rg_jpeer *p, const char *answer, char *errbuf);
/* Open a data channel labelled `label` (opens asynchronously). */
rg_err rg_jpeer_open_channel(rg_jpeer *p, const char *label);
/* Send text on the open data channel; RG_ERR_STATE if none is open. */
rg_err rg_jpeer_send(rg_jpeer *p, const char *text);
/* Packets delivered so far (any thread). */
uint64_t rg_jpeer_packets(const rg_jpeer *p);
/* Opus RTP packets missing from the sequence so far (any thread). */
uint64_t rg_jpeer_lost(const rg_jpeer *p);
/* Remote tracks received that are not Opus audio (e.g. video). */
uint64_t rg_jpeer_other_tracks(const rg_jpeer *p);
void rg_jpeer_free(rg_jpeer *p);

/* Length of the Opus packet in ms from its TOC byte (RFC 6716 3.1), 0 if
 * malformed; *stereo from the s bit. */
unsigned rg_opus_packet_ms(const uint8_t *pkt, size_t len, int *stereo);

#endif
