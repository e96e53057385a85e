/* age v1 streaming encryption and decryption (c2sp.org/age) on OpenSSL 3.
 *
 * Payload: 16-byte nonce, then ChaCha20-Poly1305 chunks of 64 KiB
 * plaintext under HKDF(file key, nonce, "payload"), nonce = 11-byte
 * big-endian counter || 0x01 on the final chunk, 0x00 before it. The final
 * chunk is empty only when the whole payload is.
 *
 * Both directions are push-style: bytes go in with *_write, results come
 * out through a sink callback, so the same code serves files, memory,
 * pipes and the fuzzer. The decryptor releases a chunk's plaintext only
 * after its tag verified, and holds back a full-size chunk until it knows
 * whether it is the final one; rg_age_dec_finish fails unless a valid
 * final chunk was seen, so a truncated file never passes as complete. */
#ifndef RG_AGEFILE_H
#define RG_AGEFILE_H

#include <stddef.h>
#include <stdint.h>
#include "agekey.h"
#include "recgate/error.h"

#define RG_AGE_CHUNK 65536u

/* Receives output bytes; return RG_OK or an error that aborts the stream. */
typedef rg_err (*rg_age_sink)(void *ctx, const void *data, size_t len);

typedef struct rg_age_enc rg_age_enc;
typedef struct rg_age_dec rg_age_dec;

/* Start a file to n recipients; the header and nonce go to the sink now. */
rg_err rg_age_enc_new(const rg_age_recipient *rcpts, size_t n,
                      rg_age_sink sink, void *ctx, rg_age_enc **out);
rg_err rg_age_enc_write(rg_age_enc *e, const void *data, size_t len);
/* Emit the final chunk. After this only rg_age_enc_free is allowed. */
rg_err rg_age_enc_finish(rg_age_enc *e);
uint64_t rg_age_enc_plain_bytes(const rg_age_enc *e);
void rg_age_enc_free(rg_age_enc *e); /* wipes keys and buffered plaintext */

/* ids [borrowed] must outlive the decryptor. */
rg_err rg_age_dec_new(const rg_age_identity *ids, size_t n, rg_age_sink sink,
                      void *ctx, rg_age_dec **out);
/* Errors are sticky: after the first one every call returns it again.
 * errbuf gets e.g. "not an age file", "wrong identity: no stanza matched",
 * "header MAC mismatch", "chunk 3 failed authentication", "missing final
 * chunk (truncated)". */
rg_err rg_age_dec_write(rg_age_dec *d, const void *data, size_t len,
                        char *errbuf);
rg_err rg_age_dec_finish(rg_age_dec *d, char *errbuf);
uint64_t rg_age_dec_plain_bytes(const rg_age_dec *d);
void rg_age_dec_free(rg_age_dec *d);

/* Structure check without a key: header well-formed and payload length
 * consistent with the chunk framing. Catches truncation inside a chunk and
 * non-age data; a cut exactly at a chunk boundary needs the key (or the
 * recorded size) to detect. */
rg_err rg_age_check_structure(const char *path, char *errbuf);
/* The same on an open file (not closed); path only names it in errbuf. */
rg_err rg_age_check_structure_fd(int fd, const char *path, char *errbuf);

/* Whole-buffer helpers. *out [owned]; plaintext is wiped on failure. */
rg_err rg_age_encrypt_buf(const rg_age_recipient *rcpts, size_t n,
                          const void *data, size_t len, unsigned char **out,
                          size_t *outlen);
rg_err rg_age_decrypt_buf(const rg_age_identity *ids, size_t n,
                          const void *data, size_t len, unsigned char **out,
                          size_t *outlen, char *errbuf);
/* Decrypt a file into a sink; errbuf is prefixed with the path. */
rg_err rg_age_decrypt_file(const char *path, const rg_age_identity *ids,
                           size_t n, rg_age_sink sink, void *ctx,
                           char *errbuf);
/* The same from an open file (not closed); path only names it. */
rg_err rg_age_decrypt_fd(int fd, const char *path, const rg_age_identity *ids,
                         size_t n, rg_age_sink sink, void *ctx, char *errbuf);

#endif
