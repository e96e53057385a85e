#include <stdarg.h>
#include <stdio.h>
#include "errfmt.h"
#include "recgate/error.h"

static const char *const error_text[RG_ERR__COUNT] = {
    [RG_OK] = "success",
    [RG_ERR_NOMEM] = "out of memory",
    [RG_ERR_ARG] = "invalid argument",
    [RG_ERR_IO] = "input/output error",
    [RG_ERR_CONFIG] = "invalid policy configuration",
    [RG_ERR_SCENARIO] = "invalid scenario",
    [RG_ERR_PARSE] = "malformed input",
    [RG_ERR_STATE] = "operation not allowed in this state",
    [RG_ERR_DELIVERY] = "chat message could not be delivered",
    [RG_ERR_VERSION] = "interface version or size mismatch",
    [RG_ERR_NOT_FOUND] = "not found",
    [RG_ERR_CRYPTO] = "cryptographic operation failed",
    [RG_ERR_AUTH] = "authentication failed (wrong key or tampered data)",
    [RG_ERR_TRUNCATED] = "data is truncated",
    [RG_ERR_FORMAT] = "not the expected file format",
    [RG_ERR_PERMISSION] = "unsafe permissions or access denied",
    [RG_ERR_MEDIA] = "media pipeline failed",
    [RG_ERR_NETWORK] = "network peer failed",
    [RG_ERR_REFUSED] = "refused by policy",
    [RG_ERR_INTERNAL] = "internal error",
};

const char *rg_strerror(rg_err err)
{
    if ((int)err < 0 || err >= RG_ERR__COUNT || !error_text[err])
        return "unknown error";
    return error_text[err];
}

void rg_errbuf(char *errbuf, const char *fmt, ...)
{
    if (!errbuf)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, RG_ERRBUF_SIZE, fmt, ap);
    va_end(ap);
}

rg_err rg_errorf(char *errbuf, rg_err rc, const char *fmt, ...)
{
    if (errbuf) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, RG_ERRBUF_SIZE, fmt, ap);
        va_end(ap);
    }
    return rc;
}
