/* String -> index map: see idmap.h. */
#include <stdlib.h>
#include <string.h>
#include "idmap.h"

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

void rg_idmap_free(rg_idmap *m)
{
    if (!m)
        return;
    free(m->slots);
    m->slots = NULL;
    m->nslots = m->n = 0;
}

static void place(rg_idmap_slot *slots, size_t nslots, const rg_idmap_slot *e)
{
    size_t i = (size_t)e->hash & (nslots - 1);
    while (slots[i].key)
        i = (i + 1) & (nslots - 1);
    slots[i] = *e;
}

rg_err rg_idmap_put(rg_idmap *m, const char *key, size_t index)
{
    if (!m || !key)
        return RG_ERR_ARG;
    if ((m->n + 1) * 2 > m->nslots) {
        size_t nslots = m->nslots ? m->nslots * 2 : 16;
        if (nslots > SIZE_MAX / sizeof(rg_idmap_slot))
            return RG_ERR_NOMEM;
        rg_idmap_slot *slots = calloc(nslots, sizeof *slots);
        if (!slots)
            return RG_ERR_NOMEM;
        for (size_t i = 0; i < m->nslots; i++)
            if (m->slots[i].key)
                place(slots, nslots, &m->slots[i]);
        free(m->slots);
        m->slots = slots;
        m->nslots = nslots;
    }
    rg_idmap_slot e = {key, hash_str(key), index};
    place(m->slots, m->nslots, &e);
    m->n++;
    return RG_OK;
}

bool rg_idmap_get(const rg_idmap *m, const char *key, size_t *index)
{
    if (!m || !key || !m->nslots)
        return false;
    uint64_t h = hash_str(key);
    for (size_t i = (size_t)h & (m->nslots - 1);; i = (i + 1) & (m->nslots - 1)) {
        const rg_idmap_slot *s = &m->slots[i];
        if (!s->key)
            return false;
        if (s->hash == h && strcmp(s->key, key) == 0) {
            if (index)
                *index = s->index;
            return true;
        }
    }
}
