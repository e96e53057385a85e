/* recgate — one error enum for the whole library, with a strerror.
 *
 * Every function that can fail returns rg_err; 0 (RG_OK) means success.
 * Functions that parse user input also take an optional error buffer
 * (char errbuf[RG_ERRBUF_SIZE], may be NULL) that receives a one-line
 * message naming the file, the JSON path or the byte offset at fault. */
#ifndef RECGATE_ERROR_H
#define RECGATE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

#define RG_ERRBUF_SIZE 512

/* Marks the library's public functions, the only symbols librecgate.so
 * exports (it is built with -fvisibility=hidden and a version script,
 * config/librecgate.map). */
#if defined(__GNUC__) && !defined(RG_EXPORT)
#define RG_EXPORT __attribute__((visibility("default")))
#elif !defined(RG_EXPORT)
#define RG_EXPORT
#endif

typedef enum rg_err {
    RG_OK = 0,
    RG_ERR_NOMEM,        /* out of memory */
    RG_ERR_ARG,          /* bad argument from the caller (NULL, out of range) */
    RG_ERR_IO,           /* a file or socket operation failed */
    RG_ERR_CONFIG,       /* the policy file is invalid */
    RG_ERR_SCENARIO,     /* the scenario file is invalid */
    RG_ERR_PARSE,        /* malformed input (JSON, chat, network reply) */
    RG_ERR_STATE,        /* call not allowed in the current state */
    RG_ERR_DELIVERY,     /* a chat message could not be delivered */
    RG_ERR_VERSION,      /* ABI version or struct size mismatch */
    RG_ERR_NOT_FOUND,    /* no such meeting type, participant, file ... */
    RG_ERR_CRYPTO,       /* a cryptographic primitive failed */
    RG_ERR_AUTH,         /* authentication failed: wrong key or tampered data */
    RG_ERR_TRUNCATED,    /* data ends early (missing final chunk, cut file) */
    RG_ERR_FORMAT,       /* not the expected file format at all */
    RG_ERR_PERMISSION,   /* unsafe file permissions or access denied */
    RG_ERR_MEDIA,        /* the media pipeline failed */
    RG_ERR_NETWORK,      /* a network peer failed or answered badly */
    RG_ERR_REFUSED,      /* the law (policy) forbids the operation */
    RG_ERR_INTERNAL,     /* a bug: an invariant did not hold */
    RG_ERR__COUNT
} rg_err;

/* Static English description of an error code; never NULL. */
RG_EXPORT const char *rg_strerror(rg_err err);

#ifdef __cplusplus
}
#endif
#endif
