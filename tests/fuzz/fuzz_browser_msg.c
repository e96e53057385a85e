/* libFuzzer target: the browser shim's adapter protocol (bproto.c), the
 * parser of everything a meeting page may send the bot. No input may
 * crash or leak; an accepted message keeps every bound (frame sizes, ids,
 * text) the shim relies on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "browser/bproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rg_bp_msg m;
    char why[RG_ERRBUF_SIZE];
    if (rg_bp_parse((const char *)data, size, &m, why) != RG_OK) {
        if (!why[0] || strlen(why) >= RG_ERRBUF_SIZE)
            abort(); /* every refusal says why */
        return 0;
    }
    for (size_t i = 0; i < m.n_frames; i++) {
        const rg_bp_frame *f = &m.frames[i];
        if (!f->len || f->len > RG_BP_MAX_FRAME || f->seq > 65535 || !f->key ||
            strlen(f->key) > RG_BP_MAX_ID)
            abort();
        (void)rg_bp_opus_ms(f->data, f->len, NULL);
    }
    if ((m.id && strlen(m.id) > RG_BP_MAX_ID) || (m.text && strlen(m.text) > RG_BP_MAX_TEXT))
        abort();
    rg_bp_free(&m);
    return 0;
}
