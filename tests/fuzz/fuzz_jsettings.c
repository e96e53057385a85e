/* libFuzzer target: the Janus shim's settings parser
 * (sdk-shims/janus/jsettings.c), fed what the core hands create():
 * platforms.janus with the command line on top, as JSON text.
 * Invariants: never crashes; an error always names the settings path or
 * the flag; accepted settings have a URL and a room. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "janus/jsettings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), errbuf[RG_ERRBUF_SIZE] = "";
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    rg_shim_params p = {.api_version = RG_SHIM_API_VERSION, .struct_size = sizeof p,
                        .settings_json = text, .settings_path = "platforms.janus"};
    rg_jsettings js;
    rg_err err = rg_jsettings_parse(&p, &js, errbuf);
    if (err && err != RG_ERR_NOMEM && !strstr(errbuf, "platforms.janus") &&
        !strstr(errbuf, "--"))
        abort();
    if (!err && (!js.url || !js.room))
        abort();
    rg_jsettings_free(&js);
    free(text);
    return 0;
}
