/* One-line error messages for parsers and file operations: every module
 * writes them the same way into an optional char[RG_ERRBUF_SIZE]. */
#ifndef RG_ERRFMT_H
#define RG_ERRFMT_H

#include "recgate/error.h"

/* printf into errbuf (may be NULL), truncating to RG_ERRBUF_SIZE. */
__attribute__((format(printf, 2, 3)))
void rg_errbuf(char *errbuf, const char *fmt, ...);

/* The same, returning `rc`: `return rg_errorf(errbuf, RG_ERR_IO, ...);` */
__attribute__((format(printf, 3, 4)))
rg_err rg_errorf(char *errbuf, rg_err rc, const char *fmt, ...);

#endif
