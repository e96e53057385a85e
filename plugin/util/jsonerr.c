#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jsonerr.h"
#include "errfmt.h"

void rg_json_describe(const cJSON *v, char *buf, size_t len)
{
    if (!v) {
        snprintf(buf, len, "nothing");
        return;
    }
    char *s = cJSON_PrintUnformatted(v);
    if (!s) {
        snprintf(buf, len, "(unprintable)");
        return;
    }
    if (strlen(s) > 40)
        snprintf(buf, len, "%.37s...", s);
    else
        snprintf(buf, len, "%s", s);
    free(s);
}

rg_err rg_json_parse(const char *text, size_t len, const char *origin,
                     cJSON **out, char *errbuf)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (root) {
        /* Trailing garbage after the value is an error too. */
        const char *p = end;
        while (p && p < text + len && strchr(" \t\r\n", *p) && *p)
            p++;
        if (p && p < text + len && *p) {
            cJSON_Delete(root);
            root = NULL;
            end = p;
        }
    }
    if (!root) {
        const char *at = end ? end : cJSON_GetErrorPtr();
        if (!at || at < text || at > text + len)
            at = text + len;
        int line = 1, col = 1;
        for (const char *p = text; p < at; p++) {
            if (*p == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        rg_errbuf(errbuf, "%s: line %d, column %d: invalid JSON%s",
                     origin, line, col, len == 0 ? " (empty file)" : "");
        return RG_ERR_PARSE;
    }
    *out = root;
    return RG_OK;
}

rg_err rg_file_read(const char *path, size_t max_bytes, char **data,
                    size_t *len, char *errbuf)
{
    rg_err err = RG_ERR_IO;
    char *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        rg_errbuf(errbuf, "%s: cannot open: %s", path,
                     strerror(errno));
        return RG_ERR_IO;
    }
    buf = malloc(max_bytes + 1);
    if (!buf) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    size_t n = fread(buf, 1, max_bytes + 1, f);
    if (ferror(f)) {
        rg_errbuf(errbuf, "%s: cannot read: %s", path,
                     strerror(errno));
        goto cleanup;
    }
    if (n > max_bytes) {
        rg_errbuf(errbuf, "%s: too large (limit %zu bytes)",
                     path, max_bytes);
        err = RG_ERR_ARG;
        goto cleanup;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    buf = NULL;
    err = RG_OK;
cleanup:
    free(buf);
    fclose(f);
    return err;
}
