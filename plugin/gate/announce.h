/* Announcements: the chat texts the bot sends, generated from the policy
 * (GDPR Art. 13 information, how to object, how to withdraw). Pure: no I/O.
 * Rules and the full shipped texts: docs/announcements.md.
 *
 * Every text is bilingual: the meeting type's language first, then the
 * other one (Danish and English are always both present). `nej` is only
 * ever offered as "do not record": no text asks a yes/no question. No text
 * names a participant; none of these functions takes a participant. */
#ifndef RG_ANNOUNCE_H
#define RG_ANNOUNCE_H

#include <stdbool.h>
#include "recgate/error.h"
#include "policy.h"

typedef enum rg_notice {
    RG_NOTICE_PUBLIC = 0,       /* public, when the bot joins: full Art. 13 info */
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
    RG_NOTICE_ENDED,            /* public: recording finished and stored */
    RG_NOTICE__COUNT
} rg_notice;

/* Bilingual text of notice `kind` for meeting type `t` of policy `p` (both
 * [borrowed]). *text is [owned] by the caller: free(). RG_ERR_ARG for NULL
 * arguments or an unknown kind; RG_ERR_NOMEM. */
rg_err rg_announce_text(const rg_policy *p, const rg_meeting_type *t,
                        rg_notice kind, char **text);

/* The same in one language only (the building block of rg_announce_text). */
rg_err rg_announce_text_lang(const rg_policy *p, const rg_meeting_type *t,
                             rg_notice kind, rg_lang lang, char **text);

/* Stable lower-case name for logs: "public", "late_joiner", ... ("?" if
 * unknown). */
const char *rg_notice_name(rg_notice kind);

/* True for notices sent privately to one participant (LATE_JOINER,
 * OBJECTION_ACK, CONSENT_ACK); the others go to the whole meeting chat. */
bool rg_notice_is_private(rg_notice kind);

#endif
