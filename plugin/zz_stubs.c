/* TEMPORARY stubs until the classify and policy branches merge */
#include <stdlib.h>
#include <string.h>
#include "classify.h"
struct rg_classifier { int x; };
rg_err rg_classifier_new(const rg_word_list *a, const rg_word_list *b, rg_classifier **out, char *e)
{ (void)a; (void)b; (void)e; *out = calloc(1, sizeof **out); return RG_OK; }
void rg_classifier_free(rg_classifier *c) { free(c); }
rg_err rg_classify(const rg_classifier *c, rg_lang l, const char *t, size_t len, rg_intent *out)
{ (void)c; (void)l; *out = RG_INTENT_NONE;
  if (len >= 3 && strncmp(t, "nej", 3) == 0) *out = RG_INTENT_OBJECTION;
  if (len >= 2 && strncmp(t, "ja", 2) == 0) *out = RG_INTENT_CONSENT;
  return RG_OK; }
const char *rg_intent_name(rg_intent i) { return i == RG_INTENT_CONSENT ? "consent" : i == RG_INTENT_OBJECTION ? "objection" : "none"; }
