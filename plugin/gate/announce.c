/* Announcement texts (docs/announcements.md). Written with open_memstream
 * so every piece of policy text can be spliced in without length limits.
 * Wording rules: `nej` only ever means "do not record"; never a question;
 * never a participant's name. */
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
};

const char *rg_notice_name(rg_notice kind)
{
    return (kind >= 0 && kind < RG_NOTICE__COUNT) ? notice_names[kind] : "?";
}

bool rg_notice_is_private(rg_notice kind)
{
    return kind == RG_NOTICE_LATE_JOINER || kind == RG_NOTICE_OBJECTION_ACK ||
           kind == RG_NOTICE_CONSENT_ACK;
}

/* ---------- small pieces ---------- */

/* Admin text as a sentence: add a full stop unless it already ends one. */
static void sentence(FILE *f, const char *s)
{
    size_t n = strlen(s);
    fputs(s, f);
    if (n == 0 || !strchr(".!?", s[n - 1]))
        fputc('.', f);
}

/* "60 sekunder (1 minut)" / "90 seconds" */
static void duration(FILE *f, rg_lang l, int s)
{
    bool da = l == RG_LANG_DA;
    fprintf(f, "%d %s", s, da ? "sekunder" : "seconds");
    if (s >= 60 && s % 60 == 0) {
        int m = s / 60;
        fprintf(f, " (%d %s)", m,
                da ? (m == 1 ? "minut" : "minutter")
                   : (m == 1 ? "minute" : "minutes"));
    }
}

static void days(FILE *f, rg_lang l, int d)
{
    if (l == RG_LANG_DA)
        fprintf(f, "%d %s", d, d == 1 ? "dag" : "dage");
    else
        fprintf(f, "%d %s", d, d == 1 ? "day" : "days");
}

static const char *media(rg_lang l, const rg_meeting_type *t)
{
    if (l == RG_LANG_DA)
        return t->video ? "lyd, video og chat" : "lyd og chat (ikke video)";
    return t->video ? "audio, video and chat" : "audio and chat (no video)";
}

static bool continues(const rg_meeting_type *t)
{
    return t->basis == RG_BASIS_DOCUMENTATION && t->continue_on_objection &&
           t->justification;
}

/* What happens on regret/withdrawal, as the end of a sentence. */
static void withdraw_effect(FILE *f, rg_lang l, const rg_meeting_type *t)
{
    bool da = l == RG_LANG_DA;
    if (t->on_withdrawal == RG_WITHDRAW_REMOVE_PARTICIPANT)
        fprintf(f, da ? "Så bliver du gjort uigenkendelig i optagelsen: din %s "
                        "og dine chatbeskeder fjernes, og dit navn streges ud."
                      : "You will then be made unrecognisable in the "
                        "recording: your %s and your chat messages are "
                        "removed and your name is redacted.",
                da ? (t->video ? "lyd, dit billede" : "lyd")
                   : (t->video ? "audio, your video" : "audio"));
    else
        fputs(da ? "Så bliver optagelsen slettet."
                 : "The recording will then be deleted.", f);
}

static void withdrawal(FILE *f, rg_lang l, const rg_policy *p,
                       const rg_meeting_type *t)
{
    if (l == RG_LANG_DA)
        fprintf(f, "Fortryder du senere, så kontakt %s (%s) eller "
                   "databeskyttelsesrådgiveren på %s. ", p->controller_name,
                p->controller_contact, p->controller_dpo);
    else
        fprintf(f, "If you change your mind later, contact %s (%s) or the "
                   "data protection officer at %s. ", p->controller_name,
                p->controller_contact, p->controller_dpo);
    withdraw_effect(f, l, t);
}

static void footer(FILE *f, rg_lang l, const rg_policy *p)
{
    if (l == RG_LANG_DA)
        fprintf(f, "Dataansvarlig: %s (%s). Databeskyttelsesrådgiver (DPO): "
                   "%s. Du har ret til indsigt, sletning og indsigelse og kan "
                   "klage til Datatilsynet.",
                p->controller_name, p->controller_contact, p->controller_dpo);
    else
        fprintf(f, "Controller: %s (%s). Data protection officer (DPO): %s. "
                   "You have the right of access, erasure and objection and "
                   "may complain to Datatilsynet (the Danish Data Protection "
                   "Agency).",
                p->controller_name, p->controller_contact, p->controller_dpo);
}

/* "write nej ... publicly or privately to me" */
/* Where copies go (Art. 13(1)(e)-(f)): the upload destinations with the
 * country where the data rests, and the transfer basis when one is set.
 * Nothing when the policy has no destinations. */
static void uploads(FILE *f, rg_lang l, const rg_policy *p)
{
    if (!p->n_upload_dests)
        return;
    fputs(l == RG_LANG_DA ? " Krypterede kopier sendes til: "
                          : " Encrypted copies are sent to: ", f);
    for (size_t i = 0; i < p->n_upload_dests; i++)
        fprintf(f, "%s%s (%s)", i ? ", " : "", p->upload_dests[i].name,
                p->upload_dests[i].region);
    fputs(l == RG_LANG_DA ? " (kun EU/EØS eller lande med tilstrækkeligt "
                            "beskyttelsesniveau)."
                          : " (only the EU/EEA or countries with an adequacy "
                            "decision).", f);
    if (p->transfer_basis) {
        fputs(l == RG_LANG_DA ? " Overførselsgrundlag: " : " Transfer basis: ", f);
        sentence(f, p->transfer_basis);
    }
}

static const char *how_nej(rg_lang l)
{
    return l == RG_LANG_DA
               ? "skriv nej i chatten – offentligt eller privat til mig "
                 "(optagebotten)"
               : "write nej (or no) in the chat – publicly or privately to "
                 "me (the recording bot)";
}

/* ---------- the full information (PUBLIC, LATE_JOINER) ---------- */

static void info_da(FILE *f, const rg_policy *p, const rg_meeting_type *t,
                    bool late)
{
    const char *ctl = p->controller_name;
    if (late)
        fputs("Velkommen. Denne besked er kun til dig. ", f);
    switch (t->basis) {
    case RG_BASIS_OPT_OUT:
        fprintf(f, "Dette møde vil blive optaget af %s, medmindre nogen "
                   "siger fra. ", ctl);
        break;
    case RG_BASIS_CONSENT:
        fprintf(f, "%s vil gerne optage dette møde, men kun hvis alle "
                   "deltagere giver samtykke. ", ctl);
        break;
    default:
        fprintf(f, "Dette møde bliver optaget af %s til dokumentation. ", ctl);
    }
    fprintf(f, "Der optages %s.\n", media(RG_LANG_DA, t));
    fputs("Formål: ", f);
    sentence(f, t->purpose);
    fputs("\nRetsgrundlag: ", f);
    switch (t->basis) {
    case RG_BASIS_OPT_OUT:
        fputs("ingen indsigelse (opt-out). I deltager i en faglig "
              "sammenhæng, og mødet optages kun, hvis ingen af jer siger "
              "fra, efter at alle har fået denne besked.\n", f);
        fprintf(f, "Hvis du ikke ønsker, at mødet bliver optaget, så %s. Så "
                   "bliver mødet ikke optaget. ", how_nej(RG_LANG_DA));
        if (late)
            fputs("Du bliver tidligst optaget om ", f);
        else
            fputs("Optagelsen starter tidligst om ", f);
        duration(f, RG_LANG_DA, t->window_s);
        fputs(", og kun hvis ingen har skrevet nej. Skriver nogen nej, mens "
              "optagelsen kører, stopper den straks.\n", f);
        break;
    case RG_BASIS_CONSENT:
        fputs("samtykke. Mødet optages kun, hvis alle deltagere aktivt "
              "siger ja.\n", f);
        fputs("Skriv ja i chatten, hvis du giver samtykke til, at mødet "
              "bliver optaget. Skriv nej, hvis du ikke vil optages. Du kan "
              "svare offentligt eller privat til mig (optagebotten). "
              "Tavshed er ikke samtykke: ", f);
        fputs(late ? "du bliver ikke optaget uden dit ja, og intet bliver "
                     "optaget uden alles ja. "
                   : "intet bliver optaget uden alles ja. ", f);
        fputs("Svarfrist: ", f);
        duration(f, RG_LANG_DA, t->window_s);
        fputs(". Du kan når som helst trække dit samtykke tilbage ved at "
              "skrive nej; så stopper optagelsen straks.\n", f);
        break;
    default:
        fputs("dokumentation. Optagelsen er nødvendig for at dokumentere, "
              "hvad der bliver sagt og besluttet, og det kan ikke i praksis "
              "dokumenteres på anden måde. Derfor optages mødet uden "
              "samtykke.\n", f);
        fputs(late ? "Du bliver tidligst optaget om " : "Optagelsen starter om ",
              f);
        duration(f, RG_LANG_DA, t->window_s);
        if (continues(t)) {
            fprintf(f, ". Du kan gøre indsigelse: %s. Din indsigelse bliver "
                       "registreret i loggen, men optagelsen fortsætter, "
                       "fordi: ", how_nej(RG_LANG_DA));
            sentence(f, t->justification);
            fputc('\n', f);
        } else {
            fprintf(f, ". Hvis du ikke ønsker at blive optaget, så %s. Så "
                       "bliver mødet ikke optaget, eller optagelsen stopper "
                       "straks.\n", how_nej(RG_LANG_DA));
        }
    }
    fputs("Opbevaring: ", f);
    sentence(f, t->storage_location);
    uploads(f, RG_LANG_DA, p);
    fputs(" Optagelsen slettes efter ", f);
    days(f, RG_LANG_DA, t->retention_days);
    fputs(".\n", f);
    withdrawal(f, RG_LANG_DA, p, t);
    fputc('\n', f);
    footer(f, RG_LANG_DA, p);
}

static void info_en(FILE *f, const rg_policy *p, const rg_meeting_type *t,
                    bool late)
{
    const char *ctl = p->controller_name;
    if (late)
        fputs("Welcome. This message is for you only. ", f);
    switch (t->basis) {
    case RG_BASIS_OPT_OUT:
        fprintf(f, "This meeting will be recorded by %s unless someone "
                   "objects. ", ctl);
        break;
    case RG_BASIS_CONSENT:
        fprintf(f, "%s would like to record this meeting, but only if every "
                   "participant consents. ", ctl);
        break;
    default:
        fprintf(f, "This meeting is recorded by %s for documentation. ", ctl);
    }
    fprintf(f, "What is recorded: %s.\n", media(RG_LANG_EN, t));
    fputs("Purpose: ", f);
    sentence(f, t->purpose);
    fputs("\nLegal basis: ", f);
    switch (t->basis) {
    case RG_BASIS_OPT_OUT:
        fputs("no objection (opt-out). You take part in a professional "
              "setting, and the meeting is recorded only if none of you "
              "objects after everyone has received this message.\n", f);
        fprintf(f, "If you do not want the meeting recorded, %s. Then the "
                   "meeting will not be recorded. ", how_nej(RG_LANG_EN));
        fputs(late ? "You will be recorded no earlier than in "
                   : "Recording starts no earlier than in ", f);
        duration(f, RG_LANG_EN, t->window_s);
        fputs(", and only if nobody has written nej. If someone writes nej "
              "while recording, it stops at once.\n", f);
        break;
    case RG_BASIS_CONSENT:
        fputs("consent. The meeting is recorded only if every participant "
              "actively says yes.\n", f);
        fputs("Write ja (or yes) in the chat if you consent to the meeting "
              "being recorded. Write nej (or no) if you do not want to be "
              "recorded. You can answer publicly or privately to me (the "
              "recording bot). Silence is not consent: ", f);
        fputs(late ? "you are not recorded without your yes, and nothing is "
                     "recorded without everyone's yes. "
                   : "nothing is recorded without everyone's yes. ", f);
        fputs("Time to answer: ", f);
        duration(f, RG_LANG_EN, t->window_s);
        fputs(". You can withdraw your consent at any time by writing nej; "
              "recording then stops at once.\n", f);
        break;
    default:
        fputs("documentation. The recording is necessary to document what "
              "is said and decided, which cannot in practice be documented "
              "another way, so the meeting is recorded without consent.\n",
              f);
        fputs(late ? "You will be recorded no earlier than in "
                   : "Recording starts in ", f);
        duration(f, RG_LANG_EN, t->window_s);
        if (continues(t)) {
            fprintf(f, ". You can object: %s. Your objection is recorded in "
                       "the log, but recording continues, because: ",
                    how_nej(RG_LANG_EN));
            sentence(f, t->justification);
            fputc('\n', f);
        } else {
            fprintf(f, ". If you do not want to be recorded, %s. Then the "
                       "meeting will not be recorded, or recording stops at "
                       "once.\n", how_nej(RG_LANG_EN));
        }
    }
    fputs("Storage: ", f);
    sentence(f, t->storage_location);
    uploads(f, RG_LANG_EN, p);
    fputs(" The recording is deleted after ", f);
    days(f, RG_LANG_EN, t->retention_days);
    fputs(".\n", f);
    withdrawal(f, RG_LANG_EN, p, t);
    fputc('\n', f);
    footer(f, RG_LANG_EN, p);
}

/* ---------- the short notices ---------- */

/* Reminder of how to object while recording, per basis. */
static void while_recording(FILE *f, rg_lang l, const rg_meeting_type *t)
{
    bool da = l == RG_LANG_DA;
    if (continues(t)) {
        fputs(da ? "Indsigelser (nej) registreres i loggen, men optagelsen "
                   "fortsætter, fordi: "
                 : "Objections (nej) are recorded in the log, but recording "
                   "continues, because: ", f);
        sentence(f, t->justification);
    } else if (da) {
        fprintf(f, "Hvis du ikke ønsker at blive optaget, så %s; så stopper "
                   "optagelsen straks.", how_nej(l));
    } else {
        fprintf(f, "If you do not want to be recorded, %s; recording then "
                   "stops at once.", how_nej(l));
    }
}

static void dpo_line(FILE *f, rg_lang l, const rg_policy *p)
{
    fprintf(f, l == RG_LANG_DA ? " Databeskyttelsesrådgiver: %s."
                               : " Data protection officer: %s.",
            p->controller_dpo);
}

/* What becomes of what was already captured when an objection stops it. */
static void captured_effect(FILE *f, rg_lang l, const rg_meeting_type *t,
                            bool to_objector)
{
    bool da = l == RG_LANG_DA;
    if (t->on_withdrawal == RG_WITHDRAW_REMOVE_PARTICIPANT)
        fputs(to_objector
                  ? (da ? " Det, der allerede er optaget af dig, bliver "
                          "fjernet fra optagelsen."
                        : " Whatever was already recorded of you is removed "
                          "from the recording.")
                  : (da ? " Den, der sagde nej, bliver fjernet fra det, der "
                          "allerede er optaget."
                        : " The person who said nej is removed from what was "
                          "already recorded."), f);
    else
        fputs(da ? " Det, der allerede er optaget, bliver slettet."
                 : " Whatever was already recorded is deleted.", f);
}

static void short_notice(FILE *f, rg_lang l, const rg_policy *p,
                         const rg_meeting_type *t, rg_notice kind)
{
    bool da = l == RG_LANG_DA;
    const char *ctl = p->controller_name;
    switch (kind) {
    case RG_NOTICE_STARTED:
        if (t->basis == RG_BASIS_CONSENT)
            fputs(da ? "Alle har givet samtykke. " : "Everyone has consented. ",
                  f);
        fprintf(f, da ? "Optagelsen af mødet er startet (%s). "
                      : "Recording of the meeting has started (%s). ", ctl);
        while_recording(f, l, t);
        dpo_line(f, l, p);
        break;
    case RG_NOTICE_REFUSED:
        fputs(da ? "Der er sagt nej til optagelse, så dette møde bliver ikke "
                   "optaget. Intet er blevet optaget, og optagebotten "
                   "forlader nu mødet."
                 : "Someone has said nej (no) to the recording, so this "
                   "meeting will not be recorded. Nothing has been recorded, "
                   "and the recording bot is now leaving the meeting.", f);
        break;
    case RG_NOTICE_NO_CONSENT:
        fputs(da ? "Ikke alle deltagere har givet samtykke (skrevet ja) "
                   "inden for "
                 : "Not every participant has consented (written ja) within ",
              f);
        duration(f, l, t->window_s);
        fputs(da ? ", så dette møde bliver ikke optaget. Tavshed er ikke "
                   "samtykke. Intet er blevet optaget, og optagebotten "
                   "forlader nu mødet."
                 : ", so this meeting will not be recorded. Silence is not "
                   "consent. Nothing has been recorded, and the recording "
                   "bot is now leaving the meeting.", f);
        break;
    case RG_NOTICE_STOPPED:
        fputs(da ? "Der er sagt nej til optagelse, så optagelsen er stoppet "
                   "og bliver ikke genoptaget i dette møde."
                 : "Someone has said nej (no) to the recording, so recording "
                   "has stopped and will not resume in this meeting.", f);
        captured_effect(f, l, t, false);
        break;
    case RG_NOTICE_OBJECTION_LOGGED:
        fputs(da ? "En indsigelse mod optagelsen er registreret i loggen. "
                   "Optagelsen fortsætter, fordi: "
                 : "An objection to the recording has been recorded in the "
                   "log. Recording continues, because: ", f);
        sentence(f, t->justification ? t->justification
                                     : (da ? "mødet skal dokumenteres"
                                           : "the meeting must be documented"));
        dpo_line(f, l, p);
        break;
    case RG_NOTICE_OBJECTION_ACK:
        if (continues(t)) {
            fputs(da ? "Tak. Din indsigelse er registreret i loggen. "
                       "Optagelsen fortsætter alligevel, fordi: "
                     : "Thank you. Your objection has been recorded in the "
                       "log. Recording continues nevertheless, because: ", f);
            sentence(f, t->justification);
            fprintf(f, da ? " Du kan kontakte %s (%s) eller "
                            "databeskyttelsesrådgiveren på %s, og du kan "
                            "klage til Datatilsynet."
                          : " You can contact %s (%s) or the data protection "
                            "officer at %s, and you may complain to "
                            "Datatilsynet.", ctl,
                    p->controller_contact, p->controller_dpo);
        } else {
            fputs(da ? "Tak. Dit nej er registreret. Du bliver ikke optaget: "
                       "optagelsen starter ikke, eller den stopper straks."
                     : "Thank you. Your nej (no) has been registered. You "
                       "will not be recorded: recording does not start, or "
                       "it stops at once.", f);
            captured_effect(f, l, t, true);
            fprintf(f, da ? " Har du spørgsmål, så kontakt %s (%s) eller "
                            "databeskyttelsesrådgiveren på %s."
                          : " If you have questions, contact %s (%s) or the "
                            "data protection officer at %s.", ctl,
                    p->controller_contact, p->controller_dpo);
        }
        break;
    case RG_NOTICE_CONSENT_ACK:
        fputs(da ? "Tak. Dit ja til optagelse er registreret. Du kan når som "
                   "helst trække det tilbage ved at skrive nej i chatten; så "
                   "stopper optagelsen straks. "
                 : "Thank you. Your ja (yes) to the recording has been "
                   "registered. You can withdraw it at any time by writing "
                   "nej in the chat; recording then stops at once. ", f);
        withdrawal(f, l, p, t);
        break;
    case RG_NOTICE_PAUSED_NO_HOST:
        fprintf(f, da ? "Optagelsen er sat på pause, fordi ingen fra %s er "
                        "til stede i mødet. Der optages ikke, før en af dem "
                        "er tilbage."
                      : "Recording is paused because nobody from %s is "
                        "present in the meeting. Nothing is recorded until "
                        "one of them is back.", ctl);
        break;
    case RG_NOTICE_RESUMED:
        fprintf(f, da ? "Optagelsen fortsætter nu, da en fra %s er tilbage i "
                        "mødet. "
                      : "Recording resumes now that someone from %s is back "
                        "in the meeting. ", ctl);
        while_recording(f, l, t);
        break;
    case RG_NOTICE_ENDED:
        fputs(da ? "Optagelsen er afsluttet. Opbevaring: "
                 : "Recording has ended. Storage: ", f);
        sentence(f, t->storage_location);
        uploads(f, l, p);
        fputs(da ? " Optagelsen slettes efter " : " It is deleted after ", f);
        days(f, l, t->retention_days);
        fputs(". ", f);
        withdrawal(f, l, p, t);
        break;
    default:
        break;
    }
}

rg_err rg_announce_text_lang(const rg_policy *p, const rg_meeting_type *t,
                             rg_notice kind, rg_lang lang, char **text)
{
    char *buf = NULL;
    size_t len = 0;
    if (text)
        *text = NULL;
    if (!p || !t || !text || kind < 0 || kind >= RG_NOTICE__COUNT ||
        lang < 0 || lang >= RG_LANG__COUNT || !t->purpose ||
        !t->storage_location || !p->controller_name ||
        !p->controller_contact || !p->controller_dpo)
        return RG_ERR_ARG;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return RG_ERR_NOMEM;
    fputs(lang == RG_LANG_DA ? "[Dansk]\n" : "[English]\n", f);
    if (kind == RG_NOTICE_PUBLIC || kind == RG_NOTICE_LATE_JOINER) {
        if (lang == RG_LANG_DA)
            info_da(f, p, t, kind == RG_NOTICE_LATE_JOINER);
        else
            info_en(f, p, t, kind == RG_NOTICE_LATE_JOINER);
    } else {
        short_notice(f, lang, p, t, kind);
    }
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad || !buf) {
        free(buf);
        return RG_ERR_NOMEM;
    }
    *text = buf;
    return RG_OK;
}

rg_err rg_announce_text(const rg_policy *p, const rg_meeting_type *t,
                        rg_notice kind, char **text)
{
    char *first = NULL, *second = NULL;
    rg_err err;
    if (text)
        *text = NULL;
    if (!t || !text)
        return RG_ERR_ARG;
    rg_lang other = t->language == RG_LANG_DA ? RG_LANG_EN : RG_LANG_DA;
    if ((err = rg_announce_text_lang(p, t, kind, t->language, &first)) ||
        (err = rg_announce_text_lang(p, t, kind, other, &second)))
        goto cleanup;
    size_t a = strlen(first), b = strlen(second);
    if (!(*text = malloc(a + 2 + b + 1))) {
        err = RG_ERR_NOMEM;
        goto cleanup;
    }
    memcpy(*text, first, a);
    memcpy(*text + a, "\n\n", 2);
    memcpy(*text + a + 2, second, b + 1);
cleanup:
    free(first);
    free(second);
    return err;
}
