/* Test helpers for media tests: tones, in-memory output collection,
 * ffprobe on a temp file, GStreamer decoding and tone detection. */
#ifndef RG_TEST_MEDIA_UTIL_H
#define RG_TEST_MEDIA_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "recgate/error.h"

/* Growable byte buffer filled by mu_collect (an rg_capture_output_fn). */
typedef struct mu_bytes {
    uint8_t *d;
    size_t len, cap;
    int calls;
    int64_t first_t, last_t;
    bool backwards;      /* some t_ms went down */
    int fail_after;      /* > 0: the Nth call fails with fail_rc */
    rg_err fail_rc;
} mu_bytes;

rg_err mu_collect(void *ctx, int64_t t_ms, const uint8_t *data, size_t len);
void mu_bytes_free(mu_bytes *b);

/* `n` mono S16LE samples of a sine at `freq` Hz, continuing from sample
 * index `start` (so consecutive frames join without clicks). */
void mu_tone(int16_t *out, size_t n, double freq, uint32_t rate,
             uint64_t start);

/* Write bytes to a fresh temp file (suffix e.g. ".ogg"); returns a path to
 * free() and unlink, or NULL. */
char *mu_temp_file(const uint8_t *d, size_t len, const char *suffix);

/* ffprobe format duration of a file in seconds, or -1. */
double mu_ffprobe_duration(const char *path);
/* Same for bytes in memory (temp file removed afterwards). */
double mu_ffprobe_bytes(const uint8_t *d, size_t len, const char *suffix);

/* Decode an Ogg/Opus file with GStreamer into 48 kHz mono S16 samples
 * (malloc'd, *n samples). NULL on failure. */
int16_t *mu_decode_opus_file(const char *path, size_t *n);
int16_t *mu_decode_opus_bytes(const uint8_t *d, size_t len, size_t *n);

/* Goertzel power of `freq` in the samples. */
double mu_goertzel(const int16_t *s, size_t n, double freq, uint32_t rate);
/* The candidate (300, 400, 440, 500 ... 800, 1000 Hz) with most power. */
int mu_dominant(const int16_t *s, size_t n, uint32_t rate);
/* RMS of the samples. */
double mu_rms(const int16_t *s, size_t n);

/* Run a gst-launch style description ending in "appsink name=out" and
 * return its buffers' bytes (each buffer as one packet). Packets with the
 * HEADER flag are skipped. Returns the number of packets or -1. */
typedef struct mu_packet {
    uint8_t *d;
    size_t len;
    bool key;
} mu_packet;
int mu_pull_packets(const char *launch, mu_packet **out);
void mu_packets_free(mu_packet *p, int n);

#endif
