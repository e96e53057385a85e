/* Announcements: the chat texts the bot sends, generated from the policy
 * (GDPR Art. 13 information, how to object, how to withdraw). Pure: no I/O.
 * Rules and the full shipped texts: docs/announcements.md.
 *
 * A text has one block per notice language of the meeting type: its
 * `language` first, then the others — every language when the policy gives
 * its texts per language, else the type's language only — so one block
 * never carries another language's words.
 * The wording lives in one table per language (announce.c), so another
 * language is a new table, not new code. `nej` is only ever offered as "do
 * not record": no text asks a yes/no question. No text names a
 * participant; none of these functions takes a participant.
 *
 * Layered (transparency guidance): PUBLIC / LATE_JOINER are the short first
 * message (who, what, why, how to object, when capture starts; at most
 * RG_NOTICE_SHORT_MAX characters per language); INFO is the full Art. 13
 * text, sent right after unless the policy has a privacy_notice_url. */
#ifndef RG_ANNOUNCE_H
#define RG_ANNOUNCE_H

#include <stdbool.h>
#include "recgate/error.h"
#include "policy.h"

#define RG_NOTICE_SHORT_MAX 500 /* characters per language, short notice */

typedef enum rg_notice {
    RG_NOTICE_PUBLIC = 0,       /* public, when the bot joins: short notice */
    RG_NOTICE_LATE_JOINER,      /* private, to one participant joining later */
    RG_NOTICE_STARTED,          /* public: capture has started */
    RG_NOTICE_REFUSED,          /* public: someone said nej before the start;
                                   nothing recorded, the bot leaves */
    RG_NOTICE_NO_CONSENT,       /* public (consent): not everyone said ja within
                                   the window; nothing recorded, the bot leaves */
    RG_NOTICE_STOPPED,          /* public: stopped after an objection, will not
                                   resume in this meeting */
    RG_NOTICE_OBJECTION_LOGGED, /* public (documentation with
                                   continue_on_objection): logged, continuing */
    RG_NOTICE_OBJECTION_ACK,    /* private, to the objector */
    RG_NOTICE_CONSENT_ACK,      /* private, to a participant who said ja */
    RG_NOTICE_PAUSED_NO_HOST,   /* public: paused, nobody from the controller's
                                   side is present (Straffeloven § 263) */
    RG_NOTICE_RESUMED,          /* public: resumed after PAUSED_NO_HOST */
    RG_NOTICE_ENDED,            /* public: the bot ends (any cause but the
                                   ones above); see rg_announce_end */
    RG_NOTICE_INFO,             /* the full Art. 13 information, after PUBLIC
                                   (public) or LATE_JOINER (private) */
    RG_NOTICE__COUNT
} rg_notice;

/* Why the bot stops or ends: the cause class told to participants (never
 * who). */
typedef enum rg_end_cause {
    RG_END_FINISHED = 0,    /* the meeting ended */
    RG_END_OBJECTION,       /* someone objected (nej) */
    RG_END_NO_CONSENT,      /* consent: not everyone said ja in time / withdrew */
    RG_END_NOT_INFORMED,    /* someone could not be informed */
    RG_END_NO_HOST,         /* nobody from the controller's side present */
    RG_END_CONNECTION_LOST, /* the connection to the platform was lost */
    RG_END_ERROR,           /* an internal error (capture, storage, log) */
    RG_END_OPERATOR,        /* stopped by the operator (SIGINT/SIGTERM) */
    RG_END_ALONE,           /* the bot was alone for leave_when_alone_s */
    RG_END_MAX_DURATION,    /* the meeting type's max_duration_s */
    RG_END__COUNT
} rg_end_cause;

/* What became of the recording. */
typedef enum rg_end_outcome {
    RG_OUTCOME_NOTHING = 0, /* nothing recorded (only the proof is kept) */
    RG_OUTCOME_KEPT,        /* the recorded part is kept */
    RG_OUTCOME_DELETED,     /* the recorded part was deleted */
    RG_OUTCOME_REMOVED,     /* the objector was removed; the rest is kept */
    RG_OUTCOME__COUNT
} rg_end_outcome;

typedef struct rg_end_info {
    rg_end_cause cause;
    rg_end_outcome outcome;
    bool started;  /* had capture started before? */
    bool leaving;  /* does the bot leave now (it says so)? */
} rg_end_info;

/* The end/stop/refusal message for `e` (REFUSED, NO_CONSENT, STOPPED and
 * ENDED with their real cause and outcome), in the languages of
 * rg_announce_text. *text [owned]. */
rg_err rg_announce_end(const rg_policy *p, const rg_meeting_type *t,
                       const rg_end_info *e, char **text);
rg_err rg_announce_end_lang(const rg_policy *p, const rg_meeting_type *t,
                            const rg_end_info *e, rg_lang lang, char **text);
/* Stable names for logs: "objection", "operator", ... / "nothing", "kept". */
const char *rg_end_cause_name(rg_end_cause c);
const char *rg_end_outcome_name(rg_end_outcome o);

/* Text of notice `kind` for meeting type `t` of policy `p` (both
 * [borrowed]), in every notice language of `t`. *text is [owned] by the
 * caller: free(). RG_ERR_ARG for NULL arguments or an unknown kind;
 * RG_ERR_NOMEM. */
rg_err rg_announce_text(const rg_policy *p, const rg_meeting_type *t,
                        rg_notice kind, char **text);

/* The same in one language only (the building block of rg_announce_text);
 * RG_ERR_ARG if `lang` is not one of the type's notice languages. */
rg_err rg_announce_text_lang(const rg_policy *p, const rg_meeting_type *t,
                             rg_notice kind, rg_lang lang, char **text);

/* Check the first-layer notices of every meeting type against
 * RG_NOTICE_SHORT_MAX (a long admin `purpose` can push them over): calls
 * warn(ctx, message) for each one that is longer; returns how many. */
size_t rg_announce_lint(const rg_policy *p,
                        void (*warn)(void *ctx, const char *msg), void *ctx);

/* Stable lower-case name for logs: "public", "late_joiner", ... ("?" if
 * unknown). */
const char *rg_notice_name(rg_notice kind);

/* True for notices sent privately to one participant (LATE_JOINER,
 * OBJECTION_ACK, CONSENT_ACK); the others go to the whole meeting chat
 * (INFO goes where the notice it follows went). */
bool rg_notice_is_private(rg_notice kind);

#endif
