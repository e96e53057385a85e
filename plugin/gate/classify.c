/* Chat intent classifier: see classify.h and docs/classifier.md.
 *
 * Every message and every lexicon entry goes through the same tokenizer
 * (textnorm.c), so they are compared as sequences of normalised words.
 * The lexicon is interned into a vocabulary (word -> id + flags) when the
 * classifier is built; rg_classify then streams the message once, keeping
 * only fixed-size state on the stack: no allocation, any length. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "classify.h"
#include "textnorm.h"

#define MAX_PHRASE 8       /* words per lexicon phrase */
#define HEAD_MAX 16        /* a consent message has at most this many words */
#define MAX_EXTRA 10000    /* extra words per list from the config */

/* Phrase classes. Objection phrases match anywhere in a message; the
 * others only as pieces of a whole message (see segment()). */
enum { P_FILLER = 1, P_CONSENT = 2, P_DOUBT = 3, P_OBJ = 4, P_NEUTRAL = 5 };

#define L_DA (1u << RG_LANG_DA)
#define L_EN (1u << RG_LANG_EN)
#define L_ALL (L_DA | L_EN)

/* Word flags. */
#define V_OBJ_END 0x01u /* last word of some objection phrase */
#define V_CORE    0x02u /* a consent word: mixed with other content = doubt */
#define V_TOPIC   0x04u /* about recording or consent: not consent = doubt */
#define V_NEG     0x08u /* negation */
#define V_FILLER  0x10u /* politeness filler (tak, please) */
#define V_CON_END 0x20u /* last word of some consent phrase */
#define V_NEU_END 0x40u /* last word of some neutral idiom */
#define V_WANT    0x80u /* want / prefer / wish / like / vil / ønsker / lyst */
#define V_FIRST   0x100u /* first person: I, me, jeg, mig ... */

typedef struct lex {
    const char *text;
    unsigned char cls;
    unsigned char langs; /* consent phrases only: languages it counts in */
} lex;

#define O(s) {s, P_OBJ, L_ALL}
#define D(s) {s, P_DOUBT, L_ALL}
#define F(s) {s, P_FILLER, L_ALL}
#define C(s, l) {s, P_CONSENT, l}
#define N(s) {s, P_NEUTRAL, L_ALL}

/* The built-in lexicon, written naturally: it is normalised at build time
 * exactly like chat (so "trækker" and "don't" need no special spelling). */
static const lex builtin[] = {
    /* Objections, Danish: any of these anywhere -> objection. */
    O("nej"), O("nej tak"), O("nejtak"), O("nix"), O("nixen"), O("næ"),
    O("næh"), O("n e j"), O("ingen optagelse"), O("ingen optagelser"),
    O("ikke optag"), O("optag ikke"), O("ikke optage"), O("ikke optages"),
    O("ikke optaget"), O("ikke optagelse"), O("stop"), O("stands"),
    O("stop optagelsen"), O("stands optagelsen"), O("sluk optagelsen"),
    O("afbryd optagelsen"), O("slet optagelsen"), O("slet optagelse"),
    O("slet mig"), O("indsigelse"), O("indsigelser"),
    O("jeg gør indsigelse"), O("protest"), O("protesterer"),
    O("jeg ønsker ikke at blive optaget"), O("ønsker ikke at blive optaget"),
    O("jeg vil ikke optages"), O("vil ikke optages"), O("vil ikke"),
    O("accepterer ikke"), O("jeg accepterer ikke"), O("samtykker ikke"),
    O("jeg samtykker ikke"), O("giver ikke samtykke"), O("ikke samtykke"),
    O("intet samtykke"), O("trækker mit samtykke tilbage"),
    O("trækker samtykket tilbage"), O("trækker samtykke tilbage"),
    O("tilbagekalder"), O("fortryder"), O("absolut ikke"),
    O("bestemt ikke"), O("overhovedet ikke"), O("på ingen måde"),
    O("ikke ok"), O("ikke okay"), O("ikke i orden"), O("ikke enig"),
    O("uenig"), O("godkender ikke"), O("ikke godkendt"), O("afslår"),
    O("afviser"), O("nægter"), O("frabeder"), O("måske"), O("muligvis"),
    O("usikker"),
    /* Objections, English. */
    O("no"), O("n o"), O("nope"), O("nah"), O("nay"), O("no thanks"),
    O("no way"), O("stop recording"), O("stop the recording"), O("halt"),
    O("pause recording"), O("turn off recording"), O("turn it off"),
    O("turn off the recording"), O("delete the recording"),
    O("delete recording"), O("delete my recording"), O("opt out"),
    O("optout"), O("i object"), O("objection"), O("objections"),
    O("i do not consent"), O("i don't consent"), O("i dont consent"),
    O("do not consent"), O("don't consent"), O("dont consent"),
    O("not consent"), O("do not record"), O("don't record"),
    O("dont record"), O("not record"), O("no recording"),
    O("no recordings"), O("not recorded"), O("not be recorded"),
    O("don't want to be recorded"), O("dont want to be recorded"),
    O("i withdraw my consent"), O("withdraw my consent"),
    O("withdraw consent"), O("i withdraw"), O("i revoke"),
    O("revoke my consent"), O("revoke consent"), O("i decline"),
    O("i refuse"), O("refuse"), O("not ok"), O("not okay"),
    O("i don't agree"), O("i do not agree"), O("dont agree"),
    O("disagree"), O("absolutely not"), O("definitely not"),
    O("certainly not"), O("of course not"), O("not at all"), O("maybe"),
    O("perhaps"), O("possibly"), O("unsure"), O("idk"),
    /* Hedged refusals (a negation next to a wish is also a rule, see
     * scan_word): Danish and English. */
    O("helst ikke"), O("hellere ikke"), O("helst lade være"),
    O("hellere lade være"), O("lad være med at optage"),
    O("det ønsker jeg ikke"), O("det vil jeg ikke"), O("det gider jeg ikke"),
    O("har ikke lyst"), O("ikke lyst til"), O("ingen lyst"),
    O("det bryder jeg mig ikke om"), O("bryder mig ikke om"),
    O("foretrækker ikke"), O("foretrækker at lade være"),
    O("rather not"), O("prefer not"), O("would not like"),
    O("wouldn't like"), O("don't want"), O("do not want"), O("dont want"),
    O("don't wish"), O("do not wish"), O("i'd rather you didn't"),
    O("rather you didn't"), O("prefer you didn't"), O("please don't"),
    O("please do not"), O("i'd prefer if you didn't"),
    O("prefer it if you didn't"), O("prefer if you didn't"),
    O("rather skip"), O("prefer to skip"), O("helst være fri for"),
    O("vil helst være fri"), O("hellere være fri for"),
    /* Asking to be left out. */
    O("count me out"), O("leave me out"), O("keep me out"), O("leave me off"),
    O("exclude me"), O("be excluded"), O("get excluded"), O("without me"),
    O("opt me out"), O("i'm out"), O("im out"), O("i am out"),
    O("don't include me"), O("do not include me"), O("not include me"),
    O("not be included"), O("not included"), O("don't count me"),
    O("skip me"), O("remove me"), O("take me out"), O("i'll pass"),
    O("ill pass"), O("i pass"), O("sit this one out"), O("sit it out"),
    O("uden mig"), O("ikke med mig"), O("tæl mig ikke med"),
    O("regn ikke med mig"), O("hold mig ude"), O("hold mig udenfor"),
    O("hold mig uden for"), O("lad mig være ude"), O("udelad mig"),
    O("udeluk mig"), O("ekskluder mig"), O("fjern mig"), O("tag mig ud"),
    O("spring mig over"), O("jeg står over"), O("står over"),
    O("jeg er ude"), O("ikke medtag mig"), O("ikke inkluder mig"),
    O("vil ikke være med"), O("ikke være med"), O("ikke med på"),
    O("ikke med i optagelsen"),
    /* Discomfort with the recording. */
    O("not comfortable"), O("uncomfortable"), O("not comfy"),
    O("not feel comfortable"), O("uneasy"), O("not happy with"),
    O("not happy about"), O("not ok with"), O("not okay with"),
    O("not fine with"), O("not cool with"), O("feel weird"),
    O("feels creepy"), O("feel creepy"),
    O("ikke komfortabel"), O("ukomfortabel"), O("ikke tryg"), O("utryg"),
    O("utilpas"), O("det er ubehageligt"), O("ubehageligt for mig"),
    O("ubehageligt at blive optaget"), O("ikke rart"),
    O("ikke glad for"), O("ikke vild med"), O("føler mig ikke tryg"),
    /* Stop / sluk / pause aimed at the recording. */
    O("sluk den"), O("sluk det"), O("sluk for den"), O("sluk for det"),
    O("sluk for optagelsen"), O("sluk optageren"), O("sluk botten"),
    O("slå den fra"), O("slå det fra"), O("slå optagelsen fra"),
    O("luk for den"), O("luk den"), O("sæt den på pause"),
    O("sæt det på pause"), O("pause den"), O("pause det"),
    O("pause it"), O("pause that"), O("pause the recording"),
    O("turn that off"), O("turn this off"), O("switch it off"),
    O("switch off"), O("shut it off"), O("shut off"), O("kill the recording"),
    O("slukke den"), O("slukke det"), O("slukke for den"),
    O("slukke for det"), O("stoppe den"), O("stoppe det"),
    O("stop it"), O("stop that"), O("stop this"),
    /* Short negatives in the other languages of Danish workplaces: always
     * objection, never consent (nothing but Danish and English can be). */
    O("nein"), O("nee"), O("nein danke"), O("auf keinen fall"),
    O("bitte nicht"), O("lieber nicht"), O("ich will nicht"),
    O("ich möchte nicht"), O("nicht aufnehmen"), O("keine aufnahme"),
    O("ich widerspreche"), O("nicht einverstanden"),
    O("nej tack"), O("helst inte"), O("jag vill inte"),
    O("ingen inspelning"), O("spela inte in"),
    O("nei"), O("nei takk"), O("jeg vil ikkje"), O("ikke ta opp"),
    O("nie"), O("nie dziękuję"), O("nie chcę"), O("nie zgadzam się"),
    O("nie nagrywaj"), O("nie wyrażam zgody"), O("sprzeciw"),
    O("ні"), O("ни"), O("ні дякую"), O("не хочу"), O("не згоден"),
    O("не згодна"), O("не записуйте"), O("нет"), O("не надо"),
    O("لا"), O("لا شكرا"), O("لا أوافق"), O("لا أريد"), O("أرفض"),
    O("hayır"), O("hayir"), O("istemiyorum"), O("kabul etmiyorum"),
    O("katılmıyorum"), O("kaydetme"), O("reddediyorum"),
    O("no gracias"), O("para nada"), O("de ninguna manera"),
    O("no quiero"), O("prefiero que no"), O("me niego"), O("ni hablar"),
    O("non merci"), O("pas question"), O("je refuse"),
    O("je ne veux pas"), O("pas d'accord"), O("je préfère pas"),
    O("surtout pas"), O("no grazie"),

    /* Neutral idioms: an objection word inside one of these is ordinary
     * chat ("no problem", "nej hvor sjovt", "ingen spørgsmål"). */
    N("no problem"), N("no problems"), N("no prob"), N("no probs"),
    N("no worries"), N("no worry"), N("no rush"), N("no hurry"),
    N("no questions"), N("no question"), N("not a problem"),
    N("never mind"), N("nevermind"), N("don't worry"), N("dont worry"),
    N("don't forget"), N("dont forget"),
    N("nej hvor sjovt"), N("nej hvor dejligt"), N("nej hvor fedt"),
    N("nej hvor flot"), N("nej hvor godt"), N("nej hvor sødt"),
    N("nej hvor skønt"), N("nej hvor spændende"), N("nej hvor fint"),
    N("nej hvor er det sjovt"), N("nej hvor er det flot"),
    N("nej hvor er det godt"), N("nej hvor er det dejligt"),
    N("ingen spørgsmål"), N("ingen problemer"), N("intet problem"),
    N("ingen problem"), N("ikke noget problem"), N("ingen årsag"),
    N("ingen grund til"), N("ingen hast"), N("ingen stress"),
    N("ingen sag"), N("ingen kommentarer"), N("ingen bemærkninger"),

    /* Doubt: an objection when it (with fillers) is the whole message. */
    D("hmm"), D("øh"), D("øhm"), D("uh"), D("um"), D("tja"), D("tjo"),
    D("vent"), D("vent lige"), D("vent et øjeblik"), D("et øjeblik"),
    D("øjeblik"), D("wait"), D("hold on"), D("one moment"), D("one sec"),
    D("just a moment"), D("ved ikke"), D("ved det ikke"),
    D("jeg ved ikke"), D("jeg ved det ikke"), D("det ved jeg ikke"),
    D("i don't know"), D("i dont know"), D("don't know"), D("dont know"),
    D("dunno"), D("not sure"), D("i'm not sure"), D("im not sure"),
    D("i am not sure"), D("ikke sikker"), D("jeg er ikke sikker"),
    D("er ikke sikker"), D("ikke rigtig"), D("not really"), D("not now"),
    D("ikke nu"), D("ikke lige nu"), D("hvad"), D("hva"),
    D("hvad mener du"), D("what"), D("huh"), D("hæ"), D("why"),
    D("hvorfor"), D("ikke"), D("not"), D("never"), D("aldrig"),
    D("intet"), D("ingen"), D("pause"), D("sluk"), D("pass"),
    D("inte"), D("ikkje"), D("nicht"), D("не"), D("pas"), D("non"),
    D("not me"), D("ikke mig"), D("lad være"), D("ubehageligt"),
    D("ubehagelig"),

    /* Politeness fillers: ignored around a consent phrase. */
    F("tak"), F("mange tak"), F("tusind tak"), F("tak for det"),
    F("gerne"), F("fint"), F("thanks"), F("thank you"), F("thanks a lot"),
    F("many thanks"), F("thx"), F("ty"), F("please"), F("pls"), F("plz"),
    F("fine"), F("cheers"),

    /* Consent in any meeting language (documented choice). */
    C("ok", L_ALL), C("okay", L_ALL), C("okey", L_ALL), C("oki", L_ALL),
    C("okie", L_ALL), C("o k", L_ALL), C("yes", L_ALL),
    /* Consent, Danish meetings. */
    C("ja", L_DA), C("ja tak", L_DA), C("jep", L_DA),
    C("jeps", L_DA), C("javel", L_DA), C("ja det er fint", L_DA),
    C("det er fint", L_DA), C("det er ok", L_DA), C("det er okay", L_DA),
    C("det er i orden", L_DA), C("i orden", L_DA), C("helt fint", L_DA),
    C("helt ok", L_DA), C("fint med mig", L_DA), C("ok med mig", L_DA),
    C("ok for mig", L_DA), C("fint for mig", L_DA),
    C("jeg samtykker", L_DA), C("samtykker", L_DA),
    C("jeg giver samtykke", L_DA), C("jeg giver mit samtykke", L_DA),
    C("samtykke givet", L_DA), C("jeg accepterer", L_DA),
    C("accepterer", L_DA), C("accepteret", L_DA), C("jeg godkender", L_DA),
    C("godkender", L_DA), C("godkendt", L_DA), C("enig", L_DA),
    C("jeg er enig", L_DA), C("selvfølgelig", L_DA),
    C("naturligvis", L_DA), C("absolut", L_DA), C("klart", L_DA),
    C("fint at optage", L_DA), C("optag bare", L_DA),
    C("bare optag", L_DA), C("ja til optagelse", L_DA),
    C("ja til optagelsen", L_DA), C("jeg samtykker til optagelsen", L_DA),
    C("jeg samtykker til optagelse", L_DA),
    C("jeg accepterer optagelsen", L_DA),
    C("jeg accepterer optagelse", L_DA), C("det er ok at optage", L_DA),
    C("det er fint at optage", L_DA),
    /* Consent, English meetings. */
    C("yeah", L_EN), C("yep", L_EN), C("yup", L_EN), C("yea", L_EN),
    C("sure", L_EN), C("of course", L_EN), C("absolutely", L_EN),
    C("i consent", L_EN), C("consent", L_EN), C("consented", L_EN),
    C("i consent to the recording", L_EN), C("i consent to recording", L_EN),
    C("i consent to being recorded", L_EN), C("i agree", L_EN),
    C("agree", L_EN), C("agreed", L_EN), C("i agree to the recording", L_EN),
    C("i agree to be recorded", L_EN), C("i agree to being recorded", L_EN),
    C("i accept", L_EN), C("accept", L_EN), C("accepted", L_EN),
    C("i approve", L_EN), C("approved", L_EN), C("that's fine", L_EN),
    C("thats fine", L_EN), C("that is fine", L_EN), C("fine by me", L_EN),
    C("fine with me", L_EN), C("ok with me", L_EN), C("ok by me", L_EN),
    C("i'm ok with that", L_EN), C("im ok with that", L_EN),
    C("i am ok with that", L_EN), C("i'm fine with that", L_EN),
    C("i am fine with that", L_EN), C("ok to record", L_EN),
    C("fine to record", L_EN), C("go ahead", L_EN),
    C("you may record", L_EN), C("you can record", L_EN),
    C("happy to be recorded", L_EN),
};

/* Word attributes, also normalised at build time. */
static const char *const core_words[] = {
    "ja", "jep", "jeps", "javel", "yes", "yeah", "yep", "yup", "yea",
    "ok", "okay", "okey", "oki", "okie",
};
static const char *const core_prefixes[] = {
    "accept", "agree", "samtyk", "consent", "godkend", "approv", "enig",
};
static const char *const topic_words[] = {"rec", "opt", "gdpr"};
static const char *const topic_prefixes[] = {
    "optag", "record", "samtyk", "consent", "indsigel",
};
static const char *const neg_words[] = {
    "ikke", "ik", "not", "t", "dont", "doesnt", "didnt", "wont", "cant",
    "cannot", "never", "aldrig", "ingen", "intet", "wouldnt", "nicht",
    "inte", "ikkje", "nie", "не", "kein", "keine",
};
/* A negation within 3 words of one of these, from a first-person
 * message, is a refusal: "I'd rather not", "det ønsker jeg ikke". */
static const char *const want_words[] = {
    "want", "wanna", "prefer", "rather", "wish", "like", "care", "keen",
    "vil", "ville", "ønsker", "ønske", "lyst", "gider", "foretrækker",
    "helst", "hellere", "bryder", "möchte", "mag", "vill",
    "chcę", "veux", "quiero", "хочу",
    /* comfort: "jeg synes ikke det er rart", "I don't feel comfortable" */
    "comfortable", "comfy", "rart", "tryg", "trygt", "komfortabel",
    "komfortabelt",
};
static const char *const first_words[] = {
    "i", "im", "id", "ive", "ill", "me", "my", "myself", "we", "us",
    "jeg", "mig", "min", "mit", "vi", "os", "ich", "mich", "jag", "je",
};

typedef struct phrase {
    int32_t ids[MAX_PHRASE];
    unsigned char n, cls, langs;
} phrase;

typedef struct vword {
    char *text;
    size_t len;
    unsigned flags;
} vword;

typedef struct prefix {
    char text[RG_TN_TOKEN_MAX + 1];
    size_t len;
    unsigned flag;
} prefix;

#define N_PREFIX (sizeof core_prefixes / sizeof core_prefixes[0] + \
                  sizeof topic_prefixes / sizeof topic_prefixes[0])

struct rg_classifier {
    vword *words;      /* the vocabulary */
    size_t nwords, capwords;
    uint32_t *slots;   /* open-addressing hash: word index + 1, 0 = empty */
    size_t nslots;     /* power of two, > 2 * nwords */
    phrase *obj;       /* objection phrases */
    size_t nobj, capobj;
    phrase *whole;     /* consent, filler and doubt phrases */
    size_t nwhole, capwhole;
    phrase *neu;       /* neutral idioms */
    size_t nneu, capneu;
    prefix prefixes[N_PREFIX];
};

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static int32_t lookup(const rg_classifier *c, const char *s, size_t len)
{
    if (!c->nslots)
        return -1;
    for (size_t i = hash(s, len) & (c->nslots - 1);; i = (i + 1) & (c->nslots - 1)) {
        uint32_t v = c->slots[i];
        if (!v)
            return -1;
        const vword *w = &c->words[v - 1];
        if (w->len == len && memcmp(w->text, s, len) == 0)
            return (int32_t)(v - 1);
    }
}

static rg_err rehash(rg_classifier *c, size_t nslots)
{
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return RG_ERR_NOMEM;
    for (size_t k = 0; k < c->nwords; k++) {
        size_t i = hash(c->words[k].text, c->words[k].len) & (nslots - 1);
        while (slots[i])
            i = (i + 1) & (nslots - 1);
        slots[i] = (uint32_t)(k + 1);
    }
    free(c->slots);
    c->slots = slots;
    c->nslots = nslots;
    return RG_OK;
}

static unsigned prefix_flags(const rg_classifier *c, const char *s, size_t len)
{
    unsigned f = 0;
    for (size_t i = 0; i < N_PREFIX; i++) {
        const prefix *p = &c->prefixes[i];
        if (p->len && len >= p->len && memcmp(s, p->text, p->len) == 0)
            f |= p->flag;
    }
    return f;
}

/* Word -> id, adding it to the vocabulary if new. */
static rg_err intern(rg_classifier *c, const rg_tn_token *t, int32_t *id)
{
    rg_err err;
    *id = lookup(c, t->text, t->len);
    if (*id >= 0)
        return RG_OK;
    if (c->nwords >= INT32_MAX / 4)
        return RG_ERR_NOMEM;
    if (c->nwords == c->capwords) {
        size_t cap = c->capwords ? c->capwords * 2 : 256;
        vword *w = realloc(c->words, cap * sizeof *w);
        if (!w)
            return RG_ERR_NOMEM;
        c->words = w;
        c->capwords = cap;
    }
    vword *w = &c->words[c->nwords];
    w->text = malloc(t->len + 1);
    if (!w->text)
        return RG_ERR_NOMEM;
    memcpy(w->text, t->text, t->len + 1);
    w->len = t->len;
    w->flags = prefix_flags(c, t->text, t->len);
    c->nwords++;
    if (c->nwords * 2 >= c->nslots) {
        err = rehash(c, c->nslots ? c->nslots * 2 : 1024);
        if (err) {
            free(c->words[--c->nwords].text);
            return err;
        }
    } else {
        size_t i = hash(t->text, t->len) & (c->nslots - 1);
        while (c->slots[i])
            i = (i + 1) & (c->nslots - 1);
        c->slots[i] = (uint32_t)c->nwords;
    }
    *id = (int32_t)(c->nwords - 1);
    return RG_OK;
}

/* Normalise a lexicon entry into a phrase. Fails (with a reason in why)
 * if it is not valid UTF-8, has no word, too many or too long words. */
static rg_err to_phrase(rg_classifier *c, const char *text, phrase *ph,
                        const char **why)
{
    rg_tn_iter it;
    rg_tn_token tok;
    int r;
    ph->n = 0;
    rg_tn_init(&it, text, strlen(text));
    while ((r = rg_tn_next(&it, &tok)) == 1) {
        if (tok.overflow) {
            *why = "has a word longer than 64 bytes";
            return RG_ERR_CONFIG;
        }
        if (ph->n == MAX_PHRASE) {
            *why = "has more than 8 words";
            return RG_ERR_CONFIG;
        }
        rg_err err = intern(c, &tok, &ph->ids[ph->n]);
        if (err) {
            *why = "could not be stored";
            return err;
        }
        ph->n++;
    }
    if (r < 0) {
        *why = "is not valid UTF-8";
        return RG_ERR_CONFIG;
    }
    if (ph->n == 0) {
        *why = "has no letters or digits after normalisation";
        return RG_ERR_CONFIG;
    }
    return RG_OK;
}

/* Add a phrase to its list; an identical phrase of the same class only
 * gains the new languages. */
static rg_err add_phrase(rg_classifier *c, const phrase *ph)
{
    int obj = ph->cls == P_OBJ, neu = ph->cls == P_NEUTRAL;
    phrase **list = obj ? &c->obj : neu ? &c->neu : &c->whole;
    size_t *n = obj ? &c->nobj : neu ? &c->nneu : &c->nwhole;
    size_t *cap = obj ? &c->capobj : neu ? &c->capneu : &c->capwhole;
    for (size_t i = 0; i < *n; i++) {
        phrase *q = &(*list)[i];
        if (q->cls == ph->cls && q->n == ph->n &&
            memcmp(q->ids, ph->ids, ph->n * sizeof ph->ids[0]) == 0) {
            q->langs |= ph->langs;
            return RG_OK;
        }
    }
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 128;
        phrase *p = realloc(*list, ncap * sizeof *p);
        if (!p)
            return RG_ERR_NOMEM;
        *list = p;
        *cap = ncap;
    }
    (*list)[(*n)++] = *ph;
    if (obj)
        c->words[ph->ids[ph->n - 1]].flags |= V_OBJ_END;
    else if (ph->cls == P_CONSENT)
        c->words[ph->ids[ph->n - 1]].flags |= V_CON_END;
    else if (neu)
        c->words[ph->ids[ph->n - 1]].flags |= V_NEU_END;
    else if (ph->cls == P_FILLER && ph->n == 1)
        c->words[ph->ids[0]].flags |= V_FILLER;
    return RG_OK;
}

/* Sets `flag` on a single attribute word (interned if new). */
static rg_err mark_word(rg_classifier *c, const char *text, unsigned flag)
{
    phrase ph;
    const char *why = NULL;
    rg_err err = to_phrase(c, text, &ph, &why);
    if (err)
        return err;
    if (ph.n != 1)
        return RG_ERR_INTERNAL;
    c->words[ph.ids[0]].flags |= flag;
    return RG_OK;
}

static rg_err set_prefix(prefix *p, const char *text, unsigned flag)
{
    rg_tn_iter it;
    rg_tn_token tok;
    rg_tn_init(&it, text, strlen(text));
    if (rg_tn_next(&it, &tok) != 1 || tok.overflow)
        return RG_ERR_INTERNAL;
    memcpy(p->text, tok.text, tok.len + 1);
    p->len = tok.len;
    p->flag = flag;
    return RG_OK;
}

/* Copy `s` for an error message: valid UTF-8 kept, control characters
 * and invalid bytes shown as '?', cut short to fit. */
static void printable(const char *s, char *out, size_t size)
{
    size_t o = 0, len = strlen(s);
    for (size_t i = 0; i < len && o + 1 < size;) {
        int n = rg_tn_utf8_len(s + i, len - i);
        if (n > 1 && o + (size_t)n < size) {
            memcpy(out + o, s + i, (size_t)n);
            o += (size_t)n;
            i += (size_t)n;
            continue;
        }
        out[o++] = (n == 1 && s[i] >= 0x20 && s[i] != 0x7F) ? s[i] : '?';
        i += n > 0 ? (size_t)n : 1;
    }
    out[o] = '\0';
}

static rg_err add_extras(rg_classifier *c, const rg_word_list *lists,
                         int cls, char *errbuf)
{
    const char *kind = cls == P_OBJ ? "objection" : "consent";
    if (!lists)
        return RG_OK;
    for (int l = 0; l < RG_LANG__COUNT; l++) {
        const rg_word_list *wl = &lists[l];
        if (wl->n && !wl->words) {
            if (errbuf)
                snprintf(errbuf, RG_ERRBUF_SIZE, "classifier: extra %s words "
                         "(%s): %zu entries but no list", kind,
                         rg_lang_code((rg_lang)l), wl->n);
            return RG_ERR_CONFIG;
        }
        if (wl->n > MAX_EXTRA) {
            if (errbuf)
                snprintf(errbuf, RG_ERRBUF_SIZE, "classifier: extra %s words "
                         "(%s): %zu entries, at most %d allowed", kind,
                         rg_lang_code((rg_lang)l), wl->n, MAX_EXTRA);
            return RG_ERR_CONFIG;
        }
        for (size_t i = 0; i < wl->n; i++) {
            phrase ph;
            const char *why = "is missing (NULL)";
            char shown[64] = "";
            rg_err err = RG_ERR_CONFIG;
            if (wl->words[i]) {
                printable(wl->words[i], shown, sizeof shown);
                err = to_phrase(c, wl->words[i], &ph, &why);
            }
            if (!err) {
                ph.cls = (unsigned char)cls;
                ph.langs = (unsigned char)(1u << l);
                err = add_phrase(c, &ph);
                why = "could not be stored";
            }
            if (err) {
                if (errbuf)
                    snprintf(errbuf, RG_ERRBUF_SIZE, "classifier: extra %s "
                             "word %zu (%s) \"%s\" %s", kind, i + 1,
                             rg_lang_code((rg_lang)l), shown, why);
                return err;
            }
        }
    }
    return RG_OK;
}

/* Self-test of the built-in lexicon: every consent phrase must classify
 * as consent in its languages (run before any extra word is added). */
static rg_err check_builtin(const rg_classifier *c, char *errbuf)
{
    rg_intent got;
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
        if (builtin[i].cls != P_CONSENT)
            continue;
        for (int l = 0; l < RG_LANG__COUNT; l++) {
            const char *t = builtin[i].text;
            if (!(builtin[i].langs & (1u << l)))
                continue;
            if (rg_classify(c, (rg_lang)l, t, strlen(t), &got) ||
                got != RG_INTENT_CONSENT) {
                if (errbuf)
                    snprintf(errbuf, RG_ERRBUF_SIZE, "classifier: built-in "
                             "consent phrase \"%s\" is not consent", t);
                return RG_ERR_INTERNAL;
            }
        }
    }
    return RG_OK;
}

/* An extra consent phrase holding an objection or doubt word, or a
 * question mark, would never match: refuse it rather than ignore it. An
 * extra objection may shadow a built-in consent phrase (fail closed). */
static rg_err check_extra_consent(const rg_classifier *c,
                                  const rg_word_list *lists, char *errbuf)
{
    rg_intent got;
    for (int l = 0; lists && l < RG_LANG__COUNT; l++) {
        for (size_t i = 0; i < lists[l].n; i++) {
            const char *t = lists[l].words[i];
            if (rg_classify(c, (rg_lang)l, t, strlen(t), &got) ||
                got != RG_INTENT_CONSENT) {
                if (errbuf) {
                    char shown[64];
                    printable(t, shown, sizeof shown);
                    snprintf(errbuf, RG_ERRBUF_SIZE, "classifier: extra "
                             "consent word %zu (%s) \"%s\" contains an "
                             "objection or doubt word or a question mark",
                             i + 1, rg_lang_code((rg_lang)l), shown);
                }
                return RG_ERR_CONFIG;
            }
        }
    }
    return RG_OK;
}

static rg_err build(rg_classifier *c, const rg_word_list *extra_objection,
                    const rg_word_list *extra_consent, char *errbuf)
{
    rg_err err = RG_OK;
    size_t k = 0;
    const char *why = NULL;
    for (size_t i = 0; !err && i < sizeof core_prefixes / sizeof core_prefixes[0]; i++)
        err = set_prefix(&c->prefixes[k++], core_prefixes[i], V_CORE);
    for (size_t i = 0; !err && i < sizeof topic_prefixes / sizeof topic_prefixes[0]; i++)
        err = set_prefix(&c->prefixes[k++], topic_prefixes[i], V_TOPIC);
    for (size_t i = 0; !err && i < sizeof builtin / sizeof builtin[0]; i++) {
        phrase ph;
        err = to_phrase(c, builtin[i].text, &ph, &why);
        if (!err) {
            ph.cls = builtin[i].cls;
            ph.langs = builtin[i].langs;
            err = add_phrase(c, &ph);
        } else if (errbuf) {
            snprintf(errbuf, RG_ERRBUF_SIZE, "classifier: built-in phrase "
                     "\"%s\" %s", builtin[i].text, why);
        }
    }
    for (size_t i = 0; !err && i < sizeof core_words / sizeof core_words[0]; i++)
        err = mark_word(c, core_words[i], V_CORE);
    for (size_t i = 0; !err && i < sizeof topic_words / sizeof topic_words[0]; i++)
        err = mark_word(c, topic_words[i], V_TOPIC);
    for (size_t i = 0; !err && i < sizeof neg_words / sizeof neg_words[0]; i++)
        err = mark_word(c, neg_words[i], V_NEG);
    for (size_t i = 0; !err && i < sizeof want_words / sizeof want_words[0]; i++)
        err = mark_word(c, want_words[i], V_WANT);
    for (size_t i = 0; !err && i < sizeof first_words / sizeof first_words[0]; i++)
        err = mark_word(c, first_words[i], V_FIRST);
    if (err) {
        if (errbuf && err != RG_ERR_CONFIG)
            snprintf(errbuf, RG_ERRBUF_SIZE, "classifier: building the "
                     "built-in lexicon failed: %s", rg_strerror(err));
        return err == RG_ERR_NOMEM ? err : RG_ERR_INTERNAL;
    }
    err = check_builtin(c, errbuf);
    if (!err)
        err = add_extras(c, extra_objection, P_OBJ, errbuf);
    if (!err)
        err = add_extras(c, extra_consent, P_CONSENT, errbuf);
    if (!err)
        err = check_extra_consent(c, extra_consent, errbuf);
    return err;
}

rg_err rg_classifier_new(const rg_word_list *extra_objection,
                         const rg_word_list *extra_consent,
                         rg_classifier **out, char *errbuf)
{
    rg_err err = RG_OK;
    rg_classifier *c = NULL;
    if (errbuf)
        errbuf[0] = '\0';
    if (!out) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "classifier: no output pointer");
        return RG_ERR_ARG;
    }
    *out = NULL;
    if (rg_tn_global_init() != 0) {
        if (errbuf)
            snprintf(errbuf, RG_ERRBUF_SIZE, "classifier: the Unicode data "
                     "(ICU) could not be loaded");
        return RG_ERR_INTERNAL;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    err = build(c, extra_objection, extra_consent, errbuf);
    if (err)
        goto cleanup;
    *out = c;
    c = NULL;
cleanup:
    if (err == RG_ERR_NOMEM && errbuf)
        snprintf(errbuf, RG_ERRBUF_SIZE, "classifier: out of memory");
    rg_classifier_free(c);
    return err;
}

void rg_classifier_free(rg_classifier *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nwords; i++)
        free(c->words[i].text);
    free(c->words);
    free(c->slots);
    free(c->obj);
    free(c->whole);
    free(c->neu);
    free(c);
}

/* Per-message state: fixed size, on the caller's stack. */
typedef struct scan {
    int32_t ring[MAX_PHRASE]; /* last words, for phrases anywhere */
    unsigned fring[MAX_PHRASE]; /* their flags */
    int32_t head[HEAD_MAX];   /* first words, for the whole-message test */
    size_t ntok;              /* words seen */
    size_t nplain;            /* words that are not fillers */
    unsigned flags;           /* union of V_* over all words */
    int objection;            /* an objection phrase matched, for good */
    int consent;              /* a consent phrase matched somewhere */
    int lookalike;            /* a word was read through look-alike letters */
    /* Objection matches a neutral idiom may still swallow: by the index
     * of their last word (mod MAX_PHRASE), the index of their first + 1. */
    size_t pend[MAX_PHRASE];
    size_t neutral_end;       /* words before this are in a neutral idiom */
    size_t nneg;              /* negations outside neutral idioms */
    size_t last_want, last_neg; /* index + 1 of the last such word, 0 = none */
    int neg_want;             /* a negation within 3 words of a wish */
} scan;

/* Does one of the phrases end with the word just pushed to the ring?
 * Returns the number of words of the longest one, or 0. */
static size_t ends_here(const phrase *list, size_t n, int cls, const scan *s,
                        int32_t id)
{
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        const phrase *p = &list[i];
        if (p->cls != cls || p->ids[p->n - 1] != id || p->n > s->ntok ||
            p->n <= best)
            continue;
        size_t k = 0, first = s->ntok - p->n;
        while (k < p->n && p->ids[k] == s->ring[(first + k) % MAX_PHRASE])
            k++;
        if (k == p->n)
            best = p->n;
    }
    return best;
}

/* Objection matches that no neutral idiom can swallow any more (one
 * would have to end at word `upto` or later) become final; with
 * upto = SIZE_MAX, all of them (end of message). */
static void confirm(scan *s, size_t upto)
{
    for (size_t i = 0; i < MAX_PHRASE; i++)
        if (s->pend[i] && (upto == SIZE_MAX || s->pend[i] - 1 + MAX_PHRASE <= upto)) {
            s->objection = 1;
            s->pend[i] = 0;
        }
}

static void scan_word(const rg_classifier *c, scan *s, const rg_tn_token *t)
{
    int32_t id = t->overflow ? -1 : lookup(c, t->text, t->len);
    if (t->alt_len) {
        /* A word in Cyrillic or Arabic letters that all imitate Latin ones
         * is read as the Latin objection it imitates (нo-style tricks). */
        int32_t alt = lookup(c, t->alt, t->alt_len);
        if (alt >= 0 && (c->words[alt].flags & V_OBJ_END) &&
            (id < 0 || !(c->words[id].flags & V_OBJ_END))) {
            id = alt;
            s->lookalike = 1;
        }
    }
    if (t->lookalike)
        s->lookalike = 1;
    unsigned f = id >= 0 ? c->words[id].flags
                         : (t->overflow ? 0 : prefix_flags(c, t->text, t->len));
    size_t k = s->ntok; /* index of this word */
    if (k < HEAD_MAX)
        s->head[k] = id;
    s->ring[k % MAX_PHRASE] = id;
    s->fring[k % MAX_PHRASE] = f;
    s->ntok++;
    s->flags |= f;
    if (!(f & V_FILLER))
        s->nplain++;
    if (f & V_NEG) {
        s->nneg++;
        if (s->last_want && k + 1 - s->last_want <= 3)
            s->neg_want = 1;
        s->last_neg = k + 1;
    }
    if (f & V_WANT) {
        if (s->last_neg && k + 1 - s->last_neg <= 3)
            s->neg_want = 1;
        s->last_want = k + 1;
    }
    s->pend[k % MAX_PHRASE] = 0;
    if ((f & V_OBJ_END) && !s->objection) {
        size_t n = ends_here(c->obj, c->nobj, P_OBJ, s, id);
        if (n)
            s->pend[k % MAX_PHRASE] = k + 2 - n; /* first word + 1 */
    }
    if (f & V_NEU_END) {
        size_t n = ends_here(c->neu, c->nneu, P_NEUTRAL, s, id);
        if (n) {
            size_t first = k + 1 - n;
            for (size_t i = 0; i < MAX_PHRASE; i++)
                if (s->pend[i] && s->pend[i] - 1 >= first)
                    s->pend[i] = 0; /* "no" of "no problem" */
            for (size_t j = first > s->neutral_end ? first : s->neutral_end; j <= k; j++)
                if (s->fring[j % MAX_PHRASE] & V_NEG)
                    s->nneg--; /* "ingen" of "ingen spørgsmål" */
            s->neutral_end = k + 1;
            if (s->last_neg > first)
                s->last_neg = 0;
        }
    }
    confirm(s, k + 1);
    if ((f & V_CON_END) && !s->consent)
        s->consent = ends_here(c->whole, c->nwhole, P_CONSENT, s, id) > 0;
}

/* The whole-message test: can the first n words be cut into consent,
 * filler and doubt phrases (longest first)? Reports which kinds were used
 * and whether any consent phrase is not valid in `lang`. */
typedef struct seg {
    int consent, foreign, doubt;
} seg;

static int segment(const rg_classifier *c, const int32_t *ids, size_t n,
                   rg_lang lang, seg *r)
{
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < n;) {
        const phrase *best = NULL;
        for (size_t j = 0; j < c->nwhole; j++) {
            const phrase *p = &c->whole[j];
            if (p->n > n - i ||
                memcmp(p->ids, ids + i, p->n * sizeof ids[0]) != 0)
                continue;
            if (!best || p->n > best->n ||
                (p->n == best->n && p->cls > best->cls))
                best = p; /* ties: doubt beats consent beats filler */
        }
        if (!best)
            return 0;
        if (best->cls == P_DOUBT)
            r->doubt = 1;
        if (best->cls == P_CONSENT) {
            r->consent = 1;
            if (!(best->langs & (1u << lang)))
                r->foreign = 1;
        }
        i += best->n;
    }
    return 1;
}

/* One reading of the text; *events gets what the tokenizer saw. */
static rg_err classify_once(const rg_classifier *c, rg_lang lang,
                            const char *text, size_t len, rg_intent *out,
                            unsigned *events)
{
    rg_tn_iter it;
    rg_tn_token tok;
    scan s;
    seg g;
    int r;
    *out = RG_INTENT_OBJECTION;
    memset(&s, 0, sizeof s);
    rg_tn_init(&it, text, len);
    while ((r = rg_tn_next(&it, &tok)) == 1)
        scan_word(c, &s, &tok);
    *events = it.events;
    if (r < 0)
        return RG_ERR_PARSE; /* not UTF-8: objection */
    confirm(&s, SIZE_MAX);
    if (s.objection || (it.events & RG_TN_EV_NO_EMOJI))
        return RG_OK;
    if (s.ntok == 0) {
        /* Only punctuation/emoji: a bare "?" is doubt, 👍 alone is not an
         * explicit yes. */
        if (!(it.events & RG_TN_EV_QUESTION))
            *out = RG_INTENT_NONE;
        return RG_OK;
    }
    if (s.neg_want && (s.flags & V_FIRST || s.nplain <= 6) && s.nplain <= 12)
        return RG_OK;      /* "I'd rather not", "det ønsker jeg ikke" */
    if (s.ntok <= HEAD_MAX && segment(c, s.head, s.ntok, lang, &g)) {
        if (g.doubt || (g.consent && (it.events & RG_TN_EV_QUESTION)))
            return RG_OK;                      /* hmm / ja? / ok? */
        if (g.consent && s.lookalike)
            return RG_OK;  /* disguised letters: doubt, never consent */
        if (g.consent && !g.foreign)
            *out = RG_INTENT_CONSENT;
        else
            *out = RG_INTENT_NONE;             /* tak; "I agree" in a da meeting */
        return RG_OK;
    }
    if (s.consent || (s.flags & (V_CORE | V_TOPIC)))
        return RG_OK;      /* consent or the recording + other content */
    if (s.nneg && s.nplain <= 3)
        return RG_OK;      /* short negative reply: "ikke nu", "not today" */
    *out = RG_INTENT_NONE;
    return RG_OK;
}

rg_err rg_classify(const rg_classifier *c, rg_lang lang, const char *text,
                   size_t len, rg_intent *out)
{
    unsigned events = 0, ev2 = 0;
    rg_intent visual = RG_INTENT_OBJECTION;
    char *vis = NULL;
    size_t vlen = 0;
    if (!out)
        return RG_ERR_ARG;
    *out = RG_INTENT_OBJECTION; /* fail closed until decided */
    if (!c || (!text && len) || (int)lang < 0 || lang >= RG_LANG__COUNT)
        return RG_ERR_ARG;
    rg_err err = classify_once(c, lang, text, len, out, &events);
    if (err || !(events & RG_TN_EV_BIDI))
        return err;
    /* Bidi controls: people read the displayed order ("\u202Ejen" shows
     * "nej"). Both readings are judged; if they differ it is doubt. */
    if (rg_tn_visual(text, len, &vis, &vlen) != 0) {
        *out = RG_INTENT_OBJECTION;
        return RG_OK;
    }
    err = classify_once(c, lang, vis, vlen, &visual, &ev2);
    free(vis);
    if (err || visual != *out)
        *out = RG_INTENT_OBJECTION;
    return RG_OK;
}

const char *rg_intent_name(rg_intent intent)
{
    switch (intent) {
    case RG_INTENT_NONE: return "none";
    case RG_INTENT_CONSENT: return "consent";
    case RG_INTENT_OBJECTION: return "objection";
    }
    return "unknown";
}
