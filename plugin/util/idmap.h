/* A small string -> index map (open addressing, linear probing) for the
 * per-frame participant lookups of the gate: constant time however large
 * the roster. Keys are [borrowed]: the caller keeps each key string alive
 * and unchanged while it is in the map (the roster's own id copies, which
 * do not move when the roster array grows). No removal: a roster only
 * grows during a meeting. Not thread-safe; no global state. */
#ifndef RG_IDMAP_H
#define RG_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "recgate/error.h"

typedef struct rg_idmap_slot {
    const char *key; /* [borrowed]; NULL = empty */
    uint64_t hash;
    size_t index;
} rg_idmap_slot;

typedef struct rg_idmap {
    rg_idmap_slot *slots; /* [owned] */
    size_t nslots;        /* 0 or a power of two, > 2 * n */
    size_t n;
} rg_idmap;

/* A zeroed rg_idmap is an empty map. */
void rg_idmap_free(rg_idmap *m);
/* Add key -> index (the key must not be in the map yet). */
rg_err rg_idmap_put(rg_idmap *m, const char *key, size_t index);
/* Index of key; false if absent. */
bool rg_idmap_get(const rg_idmap *m, const char *key, size_t *index);

#endif
