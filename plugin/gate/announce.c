/* Announcement texts (docs/announcements.md).
 *
 * The wording is data: one table of templates per language (lang_tab[]).
 * A template holds {placeholders} that are filled from the policy; the
 * code only picks which templates make up a notice. A third language is
 * a new table (and its code in lang.c), not new code here.
 *
 * Placeholders: {controller} {contact} {dpo} {media} {window} {days}
 * {max} {how_nej} {url} {art} {art_words}, and the policy texts {purpose}
 * {storage} {justification} {interest} (with a trailing '.', e.g.
 * {purpose.}, the text becomes a sentence: a full stop is added unless it
 * already ends one). {uploads} and {withdraw_effect} expand to sub-texts.
 *
 * Wording rules: `nej` only ever means "do not record"; never a question;
 * never a participant's name; one language per block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "announce.h"

static const char *const notice_names[RG_NOTICE__COUNT] = {
    [RG_NOTICE_PUBLIC] = "public",
    [RG_NOTICE_LATE_JOINER] = "late_joiner",
    [RG_NOTICE_STARTED] = "started",
    [RG_NOTICE_REFUSED] = "refused",
    [RG_NOTICE_NO_CONSENT] = "no_consent",
    [RG_NOTICE_STOPPED] = "stopped",
    [RG_NOTICE_OBJECTION_LOGGED] = "objection_logged",
    [RG_NOTICE_OBJECTION_ACK] = "objection_ack",
    [RG_NOTICE_CONSENT_ACK] = "consent_ack",
    [RG_NOTICE_PAUSED_NO_HOST] = "paused_no_host",
    [RG_NOTICE_RESUMED] = "resumed",
    [RG_NOTICE_ENDED] = "ended",
    [RG_NOTICE_INFO] = "info",
};

static const char *const cause_names[RG_END__COUNT] = {
    "finished", "objection", "no_consent", "not_informed", "no_host",
    "connection_lost", "error", "operator", "alone", "max_duration"};
static const char *const outcome_names[RG_OUTCOME__COUNT] = {
    "nothing", "kept", "deleted", "removed"};

const char *rg_notice_name(rg_notice kind)
{
    return (kind >= 0 && kind < RG_NOTICE__COUNT) ? notice_names[kind] : "?";
}

const char *rg_end_cause_name(rg_end_cause c)
{
    return (c >= 0 && c < RG_END__COUNT) ? cause_names[c] : "?";
}

const char *rg_end_outcome_name(rg_end_outcome o)
{
    return (o >= 0 && o < RG_OUTCOME__COUNT) ? outcome_names[o] : "?";
}

bool rg_notice_is_private(rg_notice kind)
{
    return kind == RG_NOTICE_LATE_JOINER || kind == RG_NOTICE_OBJECTION_ACK ||
           kind == RG_NOTICE_CONSENT_ACK;
}

/* ---------- the per-language tables ---------- */

enum { B_DOC = RG_BASIS_DOCUMENTATION, B_CON = RG_BASIS_CONSENT,
       B_OPT = RG_BASIS_OPT_OUT, B__N = 3 };

typedef struct lang_tab {
    const char *header;
    const char *second, *seconds, *minute, *minutes, *day, *days;
    const char *media_av, *media_a;
    const char *how_nej;
    /* short first notice (PUBLIC, LATE_JOINER) */
    const char *late_prefix;
    const char *intro[B__N];
    const char *why;
    const char *object[B__N];
    const char *object_continue;      /* documentation + continue_on_objection */
    const char *starts[B__N], *starts_late[B__N];
    const char *more_url, *more_next;
    /* full notice (INFO, Art. 13) */
    const char *info_title, *info_who, *info_what;
    const char *info_basis[B__N];
    const char *info_continue;
    const char *gdpr, *gdpr_interest;
    const char *gdpr_words[RG_GDPR_6_1_F + 1];
    const char *info_storage, *uploads, *uploads_guard, *transfer;
    const char *withdrawal, *withdraw_delete, *withdraw_remove_a,
        *withdraw_remove_av, *rights;
    /* short notices */
    const char *started_consent, *started, *while_continue, *while_stop,
        *dpo_line, *objection_logged, *objection_logged_default,
        *ack_continue, *ack_stop, *ack_effect_delete, *ack_effect_remove,
        *ack_contact,
        *consent_ack, *paused, *resumed;
    /* end messages: cause (before / after capture started), outcome */
    const char *cause_before[RG_END__COUNT], *cause_after[RG_END__COUNT];
    const char *outcome[RG_OUTCOME__COUNT];
    const char *leaving;
} lang_tab;

static const lang_tab lang_tab_da = {
    .header = "[Dansk]",
    .second = "sekund", .seconds = "sekunder", .minute = "minut",
    .minutes = "minutter", .day = "dag", .days = "dage",
    .media_av = "lyd, video og chat", .media_a = "lyd og chat, ikke video",
    .how_nej = "skriv nej i chatten, offentligt eller privat til mig",
    .late_prefix = "Denne besked er kun til dig. ",
    .why = "Formål: {purpose.} ",
    .intro = {
        [B_DOC] = "{controller} optager dette møde til dokumentation: {media}. ",
        [B_CON] = "{controller} vil gerne optage dette møde ({media}), hvis "
                  "alle giver samtykke. ",
        [B_OPT] = "Dette møde vil blive optaget af {controller} ({media}), "
                  "medmindre nogen siger fra. "},
    .object = {
        [B_DOC] = "Vil du ikke optages, så {how_nej}; så optages intet, "
                  "eller optagelsen stopper straks. ",
        [B_CON] = "Skriv ja i chatten, hvis du giver samtykke, og nej, hvis du "
                  "ikke vil optages, offentligt eller privat til mig. Tavshed "
                  "er ikke samtykke. ",
        [B_OPT] = "Hvis du ikke ønsker, at mødet bliver optaget, så {how_nej}. "},
    .object_continue = "Du kan gøre indsigelse: {how_nej}. Den bliver "
                       "registreret, men optagelsen fortsætter, fordi: "
                       "{justification.} ",
    .starts = {
        [B_DOC] = "Optagelsen starter om {window}.",
        [B_CON] = "Svarfrist: {window}.",
        [B_OPT] = "Optagelsen starter tidligst om {window}, og kun hvis ingen "
                  "siger fra."},
    .starts_late = {
        [B_DOC] = "Du bliver tidligst optaget om {window}.",
        [B_CON] = "Svarfrist: {window}; du bliver ikke optaget uden dit ja.",
        [B_OPT] = "Du bliver tidligst optaget om {window}."},
    .more_url = " Fuld information og dine rettigheder: {url}",
    .more_next = " Fuld information og dine rettigheder følger i næste besked.",
    .info_title = "Information om optagelsen (databeskyttelsesforordningen "
                  "art. 13)\n",
    .info_who = "Dataansvarlig: {controller} ({contact}). "
                "Databeskyttelsesrådgiver (DPO): {dpo}.\n",
    .info_what = "Der optages {media}. Formål: {purpose.}\n",
    .info_basis = {
        [B_DOC] = "Grundlag: dokumentation. Optagelsen er nødvendig for at "
                  "dokumentere, hvad der bliver sagt og besluttet, og det kan "
                  "ikke i praksis dokumenteres på anden måde. Derfor optages "
                  "mødet uden samtykke.",
        [B_CON] = "Grundlag: samtykke. Mødet optages kun, hvis alle deltagere "
                  "aktivt siger ja. Du kan når som helst trække dit samtykke "
                  "tilbage ved at skrive nej; så stopper optagelsen straks.",
        [B_OPT] = "Grundlag: ingen indsigelse (opt-out). I deltager i en "
                  "faglig sammenhæng, og mødet optages kun, hvis ingen af jer "
                  "siger fra, efter at alle har fået besked. Skriver nogen nej, "
                  "mens optagelsen kører, stopper den straks."},
    .info_continue = " Indsigelser bliver registreret i loggen, men "
                     "optagelsen fortsætter, fordi: {justification.}",
    .gdpr = " Retsgrundlag: databeskyttelsesforordningens art. {art} "
            "({art_words}).",
    .gdpr_interest = " Den legitime interesse: {interest.}",
    .gdpr_words = {
        [RG_GDPR_6_1_A] = "samtykke",
        [RG_GDPR_6_1_B] = "opfyldelse af en kontrakt",
        [RG_GDPR_6_1_C] = "en retlig forpligtelse",
        [RG_GDPR_6_1_D] = "vitale interesser",
        [RG_GDPR_6_1_E] = "en opgave i samfundets interesse eller "
                          "myndighedsudøvelse",
        [RG_GDPR_6_1_F] = "en legitim interesse"},
    .info_storage = "\nOpbevaring: {storage.}{uploads} Optagelsen slettes "
                    "efter {days}.\n",
    .uploads = " Krypterede kopier sendes til: ",
    .uploads_guard = " (kun EU/EØS eller lande med tilstrækkeligt "
                     "beskyttelsesniveau).",
    .transfer = " Overførselsgrundlag: ",
    .withdrawal = "Fortryder du senere, så kontakt {controller} ({contact}) "
                  "eller databeskyttelsesrådgiveren på {dpo}. "
                  "{withdraw_effect}",
    .withdraw_delete = "Så bliver optagelsen slettet.",
    .withdraw_remove_a = "Så bliver du gjort uigenkendelig i optagelsen: din "
                         "lyd og dine chatbeskeder fjernes, og dit navn "
                         "streges ud.",
    .withdraw_remove_av = "Så bliver du gjort uigenkendelig i optagelsen: din "
                          "lyd, dit billede og dine chatbeskeder fjernes, og "
                          "dit navn streges ud.",
    .rights = "\nDu har ret til indsigt, sletning og indsigelse og kan klage "
              "til Datatilsynet.",
    .started_consent = "Alle har givet samtykke. ",
    .started = "Optagelsen af mødet er startet ({controller}). ",
    .while_continue = "Indsigelser (nej) registreres i loggen, men optagelsen "
                      "fortsætter, fordi: {justification.}",
    .while_stop = "Hvis du ikke ønsker at blive optaget, så {how_nej}; så "
                  "stopper optagelsen straks.",
    .dpo_line = " Databeskyttelsesrådgiver: {dpo}.",
    .objection_logged = "En indsigelse mod optagelsen er registreret i loggen. "
                        "Optagelsen fortsætter, fordi: {justification.}",
    .objection_logged_default = "En indsigelse mod optagelsen er registreret "
                                "i loggen. Optagelsen fortsætter, fordi "
                                "mødet skal dokumenteres.",
    .ack_continue = "Tak. Din indsigelse er registreret i loggen. Optagelsen "
                    "fortsætter alligevel, fordi: {justification.} Du kan "
                    "kontakte {controller} ({contact}) eller "
                    "databeskyttelsesrådgiveren på {dpo}, og du kan klage til "
                    "Datatilsynet.",
    .ack_stop = "Tak. Dit nej er registreret. Du bliver ikke optaget: "
                "optagelsen starter ikke, eller den stopper straks.",
    .ack_effect_delete = " Er du allerede blevet optaget, bliver optagelsen "
                         "slettet.",
    .ack_effect_remove = " Er du allerede blevet optaget, bliver du fjernet fra "
                         "optagelsen.",
    .ack_contact = " Har du spørgsmål, så kontakt {controller} ({contact}) "
                   "eller databeskyttelsesrådgiveren på {dpo}.",
    .consent_ack = "Tak. Dit ja til optagelse er registreret. Du kan når som "
                   "helst trække det tilbage ved at skrive nej i chatten; så "
                   "stopper optagelsen straks. ",
    .paused = "Optagelsen er sat på pause, fordi ingen fra {controller} er til "
              "stede i mødet. Der optages ikke, før en af dem er tilbage.",
    .resumed = "Optagelsen fortsætter nu, da en fra {controller} er tilbage i "
               "mødet. ",
    .cause_before = {
        [RG_END_FINISHED] = "Mødet sluttede, før optagelsen startede.",
        [RG_END_OBJECTION] = "Der er sagt nej til optagelse, så dette møde "
                             "bliver ikke optaget.",
        [RG_END_NO_CONSENT] = "Ikke alle deltagere har givet samtykke (skrevet "
                              "ja) inden for {window}, så dette møde bliver "
                              "ikke optaget. Tavshed er ikke samtykke.",
        [RG_END_NOT_INFORMED] = "Ikke alle deltagere kunne få besked om "
                                "optagelsen, så dette møde bliver ikke optaget.",
        [RG_END_NO_HOST] = "Ingen fra {controller} var til stede, så dette møde "
                           "bliver ikke optaget.",
        [RG_END_CONNECTION_LOST] = "Forbindelsen til mødeplatformen blev "
                                   "afbrudt, før optagelsen startede.",
        [RG_END_ERROR] = "Der opstod en intern fejl i optagebotten, så dette "
                         "møde bliver ikke optaget.",
        [RG_END_OPERATOR] = "Optagebotten er blevet stoppet af dem, der driver "
                            "den, før optagelsen startede.",
        [RG_END_ALONE] = "Alle andre har forladt mødet, før optagelsen startede.",
        [RG_END_MAX_DURATION] = "Den længste tid, optagebotten må blive i et "
                                "møde af denne type ({max}), er gået."},
    .cause_after = {
        [RG_END_FINISHED] = "Optagelsen er afsluttet.",
        [RG_END_OBJECTION] = "Der er sagt nej til optagelse, så optagelsen er "
                             "stoppet og bliver ikke genoptaget i dette møde.",
        [RG_END_NO_CONSENT] = "Et samtykke er trukket tilbage, så optagelsen er "
                              "stoppet og bliver ikke genoptaget i dette møde.",
        [RG_END_NOT_INFORMED] = "En deltager kunne ikke få besked om "
                                "optagelsen, så optagelsen er stoppet og bliver "
                                "ikke genoptaget i dette møde.",
        [RG_END_NO_HOST] = "Ingen fra {controller} er til stede, så optagelsen "
                           "er stoppet.",
        [RG_END_CONNECTION_LOST] = "Forbindelsen til mødeplatformen blev "
                                   "afbrudt, så optagelsen er stoppet.",
        [RG_END_ERROR] = "Der opstod en intern fejl i optagebotten, så "
                         "optagelsen er stoppet og bliver ikke genoptaget i "
                         "dette møde.",
        [RG_END_OPERATOR] = "Optagebotten er blevet stoppet af dem, der driver "
                            "den, så optagelsen er afsluttet.",
        [RG_END_ALONE] = "Alle andre har forladt mødet, så optagelsen er "
                         "afsluttet.",
        [RG_END_MAX_DURATION] = "Den længste tilladte optagetid for denne "
                                "mødetype ({max}) er nået, så optagelsen er "
                                "afsluttet."},
    .outcome = {
        [RG_OUTCOME_NOTHING] = " Intet af mødet er blevet optaget. Kun "
                               "beskeden om optagelsen og registreringen af "
                               "eventuelle indsigelser gemmes, som "
                               "dokumentation for at alle fik besked, i "
                               "{days}; derefter slettes de.",
        [RG_OUTCOME_KEPT] = " Det, der er optaget, bliver gemt. Opbevaring: "
                            "{storage.}{uploads} Det slettes efter {days}. ",
        [RG_OUTCOME_DELETED] = " Det, der allerede var optaget, er slettet.",
        [RG_OUTCOME_REMOVED] = " Den, der sagde nej, er fjernet fra det, der "
                               "allerede var optaget; resten bliver gemt i "
                               "{days}."},
    .leaving = " Optagebotten forlader nu mødet.",
};

static const lang_tab lang_tab_en = {
    .header = "[English]",
    .second = "second", .seconds = "seconds", .minute = "minute",
    .minutes = "minutes", .day = "day", .days = "days",
    .media_av = "audio, video and chat", .media_a = "audio and chat, not video",
    .how_nej = "write nej (or no) in the chat, publicly or privately to me",
    .late_prefix = "This message is for you only. ",
    .why = "Purpose: {purpose.} ",
    .intro = {
        [B_DOC] = "This meeting is recorded by {controller} for documentation: "
                  "{media}. ",
        [B_CON] = "{controller} would like to record this meeting ({media}) "
                  "if everyone consents. ",
        [B_OPT] = "This meeting will be recorded by {controller} ({media}) "
                  "unless someone objects. "},
    .object = {
        [B_DOC] = "If you do not want to be recorded, {how_nej}; then "
                  "nothing is recorded, or recording stops at once. ",
        [B_CON] = "Write ja (yes) in the chat to consent or nej (no) to "
                  "refuse, publicly or privately to me. Silence is not "
                  "consent. ",
        [B_OPT] = "If you do not want the meeting recorded, {how_nej}. "},
    .object_continue = "You can object: {how_nej}. Your objection is recorded, "
                       "but recording continues, because: {justification.} ",
    .starts = {
        [B_DOC] = "Recording starts in {window}.",
        [B_CON] = "Time to answer: {window}.",
        [B_OPT] = "Recording starts in {window} at the earliest, and only if "
                  "nobody objects."},
    .starts_late = {
        [B_DOC] = "You are recorded in {window} at the earliest.",
        [B_CON] = "Time to answer: {window}; no recording of you without your "
                  "yes.",
        [B_OPT] = "You are recorded in {window} at the earliest."},
    .more_url = " Full information and your rights: {url}",
    .more_next = " Full information and your rights follow in the next "
                 "message.",
    .info_title = "Information about the recording (GDPR Art. 13)\n",
    .info_who = "Controller: {controller} ({contact}). Data protection officer "
                "(DPO): {dpo}.\n",
    .info_what = "What is recorded: {media}. Purpose: {purpose.}\n",
    .info_basis = {
        [B_DOC] = "Basis: documentation. The recording is necessary to "
                  "document what is said and decided, which cannot in "
                  "practice be documented another way, so the meeting is "
                  "recorded without consent.",
        [B_CON] = "Basis: consent. The meeting is recorded only if every "
                  "participant actively says yes. You can withdraw your "
                  "consent at any time by writing nej; recording then stops "
                  "at once.",
        [B_OPT] = "Basis: no objection (opt-out). You take part in a "
                  "professional setting, and the meeting is recorded only if "
                  "none of you objects after everyone has been informed. If "
                  "someone writes nej while recording, it stops at once."},
    .info_continue = " Objections are recorded in the log, but recording "
                     "continues, because: {justification.}",
    .gdpr = " Legal basis: GDPR Art. {art} ({art_words}).",
    .gdpr_interest = " The legitimate interest: {interest.}",
    .gdpr_words = {
        [RG_GDPR_6_1_A] = "consent",
        [RG_GDPR_6_1_B] = "performance of a contract",
        [RG_GDPR_6_1_C] = "a legal obligation",
        [RG_GDPR_6_1_D] = "vital interests",
        [RG_GDPR_6_1_E] = "a task in the public interest or the exercise of "
                          "official authority",
        [RG_GDPR_6_1_F] = "a legitimate interest"},
    .info_storage = "\nStorage: {storage.}{uploads} The recording is deleted "
                    "after {days}.\n",
    .uploads = " Encrypted copies are sent to: ",
    .uploads_guard = " (only the EU/EEA or countries with an adequacy "
                     "decision).",
    .transfer = " Transfer basis: ",
    .withdrawal = "If you change your mind later, contact {controller} "
                  "({contact}) or the data protection officer at {dpo}. "
                  "{withdraw_effect}",
    .withdraw_delete = "The recording will then be deleted.",
    .withdraw_remove_a = "You will then be made unrecognisable in the "
                         "recording: your audio and your chat messages are "
                         "removed and your name is redacted.",
    .withdraw_remove_av = "You will then be made unrecognisable in the "
                          "recording: your audio, your video and your chat "
                          "messages are removed and your name is redacted.",
    .rights = "\nYou have the right of access, erasure and objection and may "
              "complain to Datatilsynet (the Danish Data Protection Agency).",
    .started_consent = "Everyone has consented. ",
    .started = "Recording of the meeting has started ({controller}). ",
    .while_continue = "Objections (nej) are recorded in the log, but recording "
                      "continues, because: {justification.}",
    .while_stop = "If you do not want to be recorded, {how_nej}; recording "
                  "then stops at once.",
    .dpo_line = " Data protection officer: {dpo}.",
    .objection_logged = "An objection to the recording has been recorded in "
                        "the log. Recording continues, because: "
                        "{justification.}",
    .objection_logged_default = "An objection to the recording has been "
                                "recorded in the log. Recording continues, "
                                "because the meeting must be documented.",
    .ack_continue = "Thank you. Your objection has been recorded in the log. "
                    "Recording continues nevertheless, because: "
                    "{justification.} You can contact {controller} ({contact}) "
                    "or the data protection officer at {dpo}, and you may "
                    "complain to Datatilsynet.",
    .ack_stop = "Thank you. Your nej (no) has been registered. You will not be "
                "recorded: recording does not start, or it stops at once.",
    .ack_effect_delete = " If you were already recorded, the recording is "
                         "deleted.",
    .ack_effect_remove = " If you were already recorded, you are removed from "
                         "the recording.",
    .ack_contact = " If you have questions, contact {controller} ({contact}) "
                   "or the data protection officer at {dpo}.",
    .consent_ack = "Thank you. Your ja (yes) to the recording has been "
                   "registered. You can withdraw it at any time by writing nej "
                   "in the chat; recording then stops at once. ",
    .paused = "Recording is paused because nobody from {controller} is present "
              "in the meeting. Nothing is recorded until one of them is back.",
    .resumed = "Recording resumes now that someone from {controller} is back "
               "in the meeting. ",
    .cause_before = {
        [RG_END_FINISHED] = "The meeting ended before recording started.",
        [RG_END_OBJECTION] = "Someone has objected (nej) to the recording, so "
                             "this meeting will not be recorded.",
        [RG_END_NO_CONSENT] = "Not every participant has consented (written "
                              "ja) within {window}, so this meeting will not "
                              "be recorded. Silence is not consent.",
        [RG_END_NOT_INFORMED] = "Not every participant could be informed about "
                                "the recording, so this meeting will not be "
                                "recorded.",
        [RG_END_NO_HOST] = "Nobody from {controller} was present, so this "
                           "meeting will not be recorded.",
        [RG_END_CONNECTION_LOST] = "The connection to the meeting platform was "
                                   "lost before recording started.",
        [RG_END_ERROR] = "An internal error occurred in the recording bot, so "
                         "this meeting will not be recorded.",
        [RG_END_OPERATOR] = "The recording bot was stopped by its operator "
                            "before recording started.",
        [RG_END_ALONE] = "Everyone else left the meeting before recording "
                         "started.",
        [RG_END_MAX_DURATION] = "The longest time the recording bot may stay "
                                "in a meeting of this type ({max}) is over."},
    .cause_after = {
        [RG_END_FINISHED] = "Recording has ended.",
        [RG_END_OBJECTION] = "Someone has objected (nej) to the recording, so "
                             "recording has stopped and will not resume in "
                             "this meeting.",
        [RG_END_NO_CONSENT] = "A consent has been withdrawn, so recording has "
                              "stopped and will not resume in this meeting.",
        [RG_END_NOT_INFORMED] = "A participant could not be informed about the "
                                "recording, so recording has stopped and will "
                                "not resume in this meeting.",
        [RG_END_NO_HOST] = "Nobody from {controller} is present, so recording "
                           "has stopped.",
        [RG_END_CONNECTION_LOST] = "The connection to the meeting platform was "
                                   "lost, so recording has stopped.",
        [RG_END_ERROR] = "An internal error occurred in the recording bot, so "
                         "recording has stopped and will not resume in this "
                         "meeting.",
        [RG_END_OPERATOR] = "The recording bot was stopped by its operator, so "
                            "recording has ended.",
        [RG_END_ALONE] = "Everyone else has left the meeting, so recording has "
                         "ended.",
        [RG_END_MAX_DURATION] = "The longest recording time allowed for this "
                                "meeting type ({max}) has been reached, so "
                                "recording has ended."},
    .outcome = {
        [RG_OUTCOME_NOTHING] = " Nothing of the meeting has been recorded. Only "
                               "the notice about the recording and the record "
                               "of any objections are kept, as proof that "
                               "everyone was informed, for {days}; then they "
                               "are deleted.",
        [RG_OUTCOME_KEPT] = " What was recorded is kept. Storage: "
                            "{storage.}{uploads} It is deleted after {days}. ",
        [RG_OUTCOME_DELETED] = " Whatever had already been recorded has been "
                               "deleted.",
        [RG_OUTCOME_REMOVED] = " The person who objected has been removed from "
                               "what was already recorded; the rest is kept "
                               "for {days}."},
    .leaving = " The recording bot is now leaving the meeting.",
};

/* Indexed by rg_lang (lang.c). */
static const lang_tab *const lang_tabs[RG_LANG__COUNT] = {
    [RG_LANG_DA] = &lang_tab_da,
    [RG_LANG_EN] = &lang_tab_en,
};

/* ---------- filling templates ---------- */

typedef struct fill {
    FILE *f;
    const lang_tab *L;
    rg_lang lang;
    const rg_policy *p;
    const rg_meeting_type *t;
} fill;

static void put(const fill *x, const char *tmpl);

/* Admin text as a sentence: add a full stop unless it already ends one. */
static void sentence(FILE *f, const char *s)
{
    size_t n = strlen(s);
    fputs(s, f);
    if (n == 0 || !strchr(".!?", s[n - 1]))
        fputc('.', f);
}

/* "60 sekunder (1 minut)" / "90 seconds" */
static void duration(const fill *x, int s)
{
    fprintf(x->f, "%d %s", s, s == 1 ? x->L->second : x->L->seconds);
    if (s >= 60 && s % 60 == 0) {
        int m = s / 60;
        fprintf(x->f, " (%d %s)", m, m == 1 ? x->L->minute : x->L->minutes);
    }
}

/* Where copies go (Art. 13(1)(e)-(f)): the upload destinations with the
 * country where the data rests, and the transfer basis when one is set. */
static void uploads(const fill *x)
{
    const rg_policy *p = x->p;
    if (!p->n_upload_dests)
        return;
    fputs(x->L->uploads, x->f);
    for (size_t i = 0; i < p->n_upload_dests; i++)
        fprintf(x->f, "%s%s (%s)", i ? ", " : "", p->upload_dests[i].name,
                p->upload_dests[i].region);
    fputs(x->L->uploads_guard, x->f);
    if (p->transfer_basis) {
        fputs(x->L->transfer, x->f);
        sentence(x->f, p->transfer_basis);
    }
}

/* A policy text in this block's language (never another's: the type's
 * langs only include languages every text has). */
static const char *ltext(const fill *x, const rg_ltext *lt, const char *fallback)
{
    return lt->v[x->lang] ? lt->v[x->lang] : fallback;
}

static void var(const fill *x, const char *name, size_t n)
{
    bool sent = n && name[n - 1] == '.';
    if (sent)
        n--;
#define IS(s) (n == sizeof(s) - 1 && !memcmp(name, s, n))
    const char *text = NULL;
    const rg_meeting_type *t = x->t;
    if (IS("controller"))
        text = x->p->controller_name;
    else if (IS("contact"))
        text = x->p->controller_contact;
    else if (IS("dpo"))
        text = x->p->controller_dpo;
    else if (IS("url"))
        text = x->p->privacy_notice_url ? x->p->privacy_notice_url : "";
    else if (IS("media"))
        text = t->video ? x->L->media_av : x->L->media_a;
    else if (IS("how_nej"))
        text = x->L->how_nej;
    else if (IS("purpose"))
        text = ltext(x, &t->purpose_l, t->purpose);
    else if (IS("storage"))
        text = ltext(x, &t->storage_l, t->storage_location);
    else if (IS("justification"))
        text = ltext(x, &t->justification_l,
                     t->justification ? t->justification : "");
    else if (IS("interest"))
        text = ltext(x, &t->gdpr_interest, "");
    else if (IS("art"))
        text = rg_gdpr_art_name(t->gdpr_art);
    else if (IS("art_words"))
        text = t->gdpr_art ? x->L->gdpr_words[t->gdpr_art] : "";
    else if (IS("window"))
        duration(x, t->window_s);
    else if (IS("max"))
        duration(x, t->max_duration_s);
    else if (IS("days"))
        fprintf(x->f, "%d %s", t->retention_days,
                t->retention_days == 1 ? x->L->day : x->L->days);
    else if (IS("uploads"))
        uploads(x);
    else if (IS("withdraw_effect"))
        put(x, t->on_withdrawal == RG_WITHDRAW_REMOVE_PARTICIPANT
                   ? (t->video ? x->L->withdraw_remove_av
                               : x->L->withdraw_remove_a)
                   : x->L->withdraw_delete);
#undef IS
    if (text) {
        if (sent)
            sentence(x->f, text);
        else
            fputs(text, x->f);
    }
}

static void put(const fill *x, const char *tmpl)
{
    if (!tmpl)
        return;
    for (const char *s = tmpl; *s;) {
        const char *open = strchr(s, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            fputs(s, x->f);
            return;
        }
        fwrite(s, 1, (size_t)(open - s), x->f);
        var(x, open + 1, (size_t)(close - open - 1));
        s = close + 1;
    }
}

/* ---------- notices ---------- */

static bool continues(const rg_meeting_type *t)
{
    return t->basis == RG_BASIS_DOCUMENTATION && t->continue_on_objection &&
           t->justification;
}

/* The short first message: who, what, why, how to object, when. */
static void short_first(const fill *x, bool late)
{
    const lang_tab *L = x->L;
    const rg_meeting_type *t = x->t;
    if (late)
        put(x, L->late_prefix);
    put(x, L->intro[t->basis]);
    put(x, L->why);
    put(x, continues(t) ? L->object_continue : L->object[t->basis]);
    put(x, late ? L->starts_late[t->basis] : L->starts[t->basis]);
    put(x, x->p->privacy_notice_url ? L->more_url : L->more_next);
}

/* The full Art. 13 information. */
static void info(const fill *x)
{
    const lang_tab *L = x->L;
    const rg_meeting_type *t = x->t;
    put(x, L->info_title);
    put(x, L->info_who);
    put(x, L->info_what);
    put(x, L->info_basis[t->basis]);
    if (continues(t))
        put(x, L->info_continue);
    if (t->gdpr_art) {
        put(x, L->gdpr);
        if (t->gdpr_art == RG_GDPR_6_1_F)
            put(x, L->gdpr_interest);
    }
    put(x, L->info_storage);
    put(x, L->withdrawal);
    put(x, L->rights);
}

static void short_notice(const fill *x, rg_notice kind)
{
    const lang_tab *L = x->L;
    const rg_meeting_type *t = x->t;
    switch (kind) {
    case RG_NOTICE_STARTED:
    case RG_NOTICE_RESUMED:
        if (kind == RG_NOTICE_STARTED && t->basis == RG_BASIS_CONSENT)
            put(x, L->started_consent);
        put(x, kind == RG_NOTICE_STARTED ? L->started : L->resumed);
        put(x, continues(t) ? L->while_continue : L->while_stop);
        if (kind == RG_NOTICE_STARTED)
            put(x, L->dpo_line);
        break;
    case RG_NOTICE_OBJECTION_LOGGED:
        put(x, t->justification ? L->objection_logged
                                : L->objection_logged_default);
        put(x, L->dpo_line);
        break;
    case RG_NOTICE_OBJECTION_ACK:
        if (continues(t)) {
            put(x, L->ack_continue);
        } else {
            put(x, L->ack_stop);
            put(x, t->on_withdrawal == RG_WITHDRAW_REMOVE_PARTICIPANT
                       ? L->ack_effect_remove : L->ack_effect_delete);
            put(x, L->ack_contact);
        }
        break;
    case RG_NOTICE_CONSENT_ACK:
        put(x, L->consent_ack);
        put(x, L->withdrawal);
        break;
    case RG_NOTICE_PAUSED_NO_HOST:
        put(x, L->paused);
        break;
    default:
        break;
    }
}

static void end_notice(const fill *x, const rg_end_info *e)
{
    const lang_tab *L = x->L;
    put(x, e->started ? L->cause_after[e->cause] : L->cause_before[e->cause]);
    put(x, L->outcome[e->outcome]);
    if (e->outcome == RG_OUTCOME_KEPT)
        put(x, L->withdrawal);
    if (e->leaving)
        put(x, L->leaving);
}

/* The usual cause and outcome of the end notices when the caller does not
 * say (previews, `recgate announce`). */
static rg_end_info default_end(const rg_meeting_type *t, rg_notice kind)
{
    rg_end_info e = {RG_END_FINISHED, RG_OUTCOME_KEPT, true, false};
    if (kind == RG_NOTICE_REFUSED || kind == RG_NOTICE_NO_CONSENT)
        e = (rg_end_info){kind == RG_NOTICE_REFUSED ? RG_END_OBJECTION
                                                    : RG_END_NO_CONSENT,
                          RG_OUTCOME_NOTHING, false, true};
    else if (kind == RG_NOTICE_STOPPED)
        e = (rg_end_info){RG_END_OBJECTION,
                          t->on_withdrawal == RG_WITHDRAW_REMOVE_PARTICIPANT
                              ? RG_OUTCOME_REMOVED : RG_OUTCOME_DELETED,
                          true, true};
    return e;
}

/* The type's notice languages (policy.h: per-language texts -> all). */
static unsigned type_langs(const rg_meeting_type *t)
{
    return t->langs ? t->langs : 1u << t->language;
}

static bool args_ok(const rg_policy *p, const rg_meeting_type *t, rg_lang lang)
{
    return p && t && lang >= 0 && lang < RG_LANG__COUNT && lang_tabs[lang] &&
           (type_langs(t) & (1u << lang)) &&
           t->purpose && t->storage_location && p->controller_name &&
           p->controller_contact && p->controller_dpo &&
           (int)t->basis >= 0 && (int)t->basis < (int)B__N;
}

static rg_err build(const rg_policy *p, const rg_meeting_type *t,
                    rg_notice kind, const rg_end_info *e, rg_lang lang,
                    char **text)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return RG_ERR_NOMEM;
    fill x = {f, lang_tabs[lang], lang, p, t};
    fputs(x.L->header, f);
    fputc('\n', f);
    if (e)
        end_notice(&x, e);
    else if (kind == RG_NOTICE_PUBLIC || kind == RG_NOTICE_LATE_JOINER)
        short_first(&x, kind == RG_NOTICE_LATE_JOINER);
    else if (kind == RG_NOTICE_INFO)
        info(&x);
    else
        short_notice(&x, kind);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad || !buf) {
        free(buf);
        return RG_ERR_NOMEM;
    }
    /* Templates end some sentences with a space for the next one. */
    while (len && buf[len - 1] == ' ')
        buf[--len] = '\0';
    *text = buf;
    return RG_OK;
}

static bool is_end_kind(rg_notice kind)
{
    return kind == RG_NOTICE_REFUSED || kind == RG_NOTICE_NO_CONSENT ||
           kind == RG_NOTICE_STOPPED || kind == RG_NOTICE_ENDED;
}

rg_err rg_announce_text_lang(const rg_policy *p, const rg_meeting_type *t,
                             rg_notice kind, rg_lang lang, char **text)
{
    if (text)
        *text = NULL;
    if (!text || kind < 0 || kind >= RG_NOTICE__COUNT || !args_ok(p, t, lang))
        return RG_ERR_ARG;
    rg_end_info e = default_end(t, kind);
    return build(p, t, kind, is_end_kind(kind) ? &e : NULL, lang, text);
}

rg_err rg_announce_end_lang(const rg_policy *p, const rg_meeting_type *t,
                            const rg_end_info *e, rg_lang lang, char **text)
{
    if (text)
        *text = NULL;
    if (!text || !e || e->cause < 0 || e->cause >= RG_END__COUNT ||
        e->outcome < 0 || e->outcome >= RG_OUTCOME__COUNT || !args_ok(p, t, lang))
        return RG_ERR_ARG;
    return build(p, t, RG_NOTICE_ENDED, e, lang, text);
}

/* Every notice language of the type: its own first, then the others,
 * a blank line between. */
static rg_err both(const rg_policy *p, const rg_meeting_type *t,
                   rg_notice kind, const rg_end_info *e, char **text)
{
    char *parts[RG_LANG__COUNT] = {NULL};
    size_t total = 0, n = 0;
    rg_err err = RG_OK;
    if (text)
        *text = NULL;
    if (!t || !text || t->language < 0 || t->language >= RG_LANG__COUNT)
        return RG_ERR_ARG;
    for (int i = 0; i < RG_LANG__COUNT && !err; i++) {
        rg_lang l = i == 0 ? t->language
                           : (rg_lang)(i <= (int)t->language ? i - 1 : i);
        if (!(type_langs(t) & (1u << l)))
            continue;
        err = e ? rg_announce_end_lang(p, t, e, l, &parts[n])
                : rg_announce_text_lang(p, t, kind, l, &parts[n]);
        if (!err)
            total += strlen(parts[n++]) + 2;
    }
    if (!err && !(*text = malloc(total + 1)))
        err = RG_ERR_NOMEM;
    if (!err) {
        char *w = *text;
        for (size_t i = 0; i < n; i++) {
            if (i) {
                memcpy(w, "\n\n", 2);
                w += 2;
            }
            size_t len = strlen(parts[i]);
            memcpy(w, parts[i], len);
            w += len;
        }
        *w = '\0';
    }
    for (int i = 0; i < RG_LANG__COUNT; i++)
        free(parts[i]);
    return err;
}

rg_err rg_announce_text(const rg_policy *p, const rg_meeting_type *t,
                        rg_notice kind, char **text)
{
    return both(p, t, kind, NULL, text);
}

rg_err rg_announce_end(const rg_policy *p, const rg_meeting_type *t,
                       const rg_end_info *e, char **text)
{
    if (!e) {
        if (text)
            *text = NULL;
        return RG_ERR_ARG;
    }
    return both(p, t, RG_NOTICE_ENDED, e, text);
}

size_t rg_announce_lint(const rg_policy *p,
                        void (*warn)(void *ctx, const char *msg), void *ctx)
{
    size_t n_long = 0;
    for (size_t i = 0; p && i < p->n_types; i++) {
        const rg_meeting_type *t = &p->types[i];
        for (int l = 0; l < RG_LANG__COUNT; l++) {
            for (int k = RG_NOTICE_PUBLIC; k <= RG_NOTICE_LATE_JOINER; k++) {
                char *text = NULL;
                if (!(type_langs(t) & (1u << l)) ||
                    rg_announce_text_lang(p, t, (rg_notice)k, (rg_lang)l, &text))
                    continue;
                const char *body = strchr(text, '\n');
                size_t chars = 0;
                for (const char *c = body ? body + 1 : text; *c; c++)
                    chars += ((unsigned char)*c & 0xC0) != 0x80;
                if (chars > RG_NOTICE_SHORT_MAX) {
                    char msg[256];
                    snprintf(msg, sizeof msg, "meeting type %s: the first "
                             "notice (%s, %s) is %zu characters, more than %d: "
                             "shorten its purpose", t->name,
                             rg_notice_name((rg_notice)k), rg_lang_code((rg_lang)l),
                             chars, RG_NOTICE_SHORT_MAX);
                    if (warn)
                        warn(ctx, msg);
                    n_long++;
                }
                free(text);
            }
        }
    }
    return n_long;
}
