/* Consent engine: one test (or more) per rule of docs/consent.md. The
 * engine is pure, so these drive it with injected time and check the
 * exact actions it returns. */
#include <stdlib.h>
#include <string.h>
#include "consent.h"
#include "testutil.h"

static rg_consent *E;
static bool fail_notices;       /* deliver notices or not */
static const char *fail_only;   /* if set: only notices to this id fail */
static char log_buf[4096];      /* actions of the last round */
static int notices_public, notices_private;

static rg_consent *engine(rg_basis basis, int window_s)
{
    rg_consent_rules r = {basis, (int64_t)window_s * 1000, true, false,
                          RG_WITHDRAW_DELETE_RECORDING};
    rg_consent *c = NULL;
    CU_ASSERT_FATAL(rg_consent_new(&r, &c) == RG_OK);
    fail_notices = false;
    fail_only = NULL;
    notices_public = notices_private = 0;
    return c;
}

static rg_consent *engine_rules(rg_consent_rules r)
{
    rg_consent *c = NULL;
    CU_ASSERT_FATAL(rg_consent_new(&r, &c) == RG_OK);
    fail_notices = false;
    fail_only = NULL;
    notices_public = notices_private = 0;
    return c;
}

static void append_actions(const rg_action *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char one[128];
        snprintf(one, sizeof one, "%s%s%s;", rg_action_name(a[i].kind),
                 a[i].participant ? ":" : "",
                 a[i].participant ? a[i].participant : "");
        strncat(log_buf, one, sizeof log_buf - strlen(log_buf) - 1);
    }
}

/* One decision round at second `t` (ms if ms_flag). Returns the actions. */
static const char *round_ms(int64_t t)
{
    const char *to;
    log_buf[0] = '\0';
    while (rg_consent_pending_notice(E, &to)) {
        bool ok = !fail_notices && !(fail_only && to && !strcmp(fail_only, to));
        if (to)
            notices_private++;
        else
            notices_public++;
        CU_ASSERT_FATAL(rg_consent_notice_result(E, t, to, ok) == RG_OK);
    }
    const rg_action *a;
    size_t n;
    CU_ASSERT(rg_consent_decide(E, t, &a, &n) == RG_OK);
    append_actions(a, n);
    return log_buf;
}
static const char *round_s(double s) { return round_ms((int64_t)(s * 1000)); }

static const char *end_s(double s)
{
    const rg_action *a;
    size_t n;
    log_buf[0] = '\0';
    CU_ASSERT(rg_consent_end(E, (int64_t)(s * 1000), &a, &n) == RG_OK);
    append_actions(a, n);
    return log_buf;
}

static void join(double s, const char *id, bool host)
{
    CU_ASSERT(rg_consent_join(E, (int64_t)(s * 1000), id, host) == RG_OK);
}
static void said(double s, const char *id, rg_intent i)
{
    CU_ASSERT(rg_consent_intent(E, (int64_t)(s * 1000), id, i) == RG_OK);
}
static void leave(double s, const char *id)
{
    CU_ASSERT(rg_consent_leave(E, (int64_t)(s * 1000), id) == RG_OK);
}
#define CAP(id) rg_consent_may_capture(E, id)

/* The usual start: alice (host) and bob are there when the bot joins and
 * the public notice informs them at 0. */
static void alice_and_bob(rg_basis basis, int window_s)
{
    E = engine(basis, window_s);
    join(0, "alice", true);
    join(0, "bob", false);
    round_s(0);
}
#define ASSERT_LOG(expr, want) do { \
        const char *got_ = (expr); \
        if (strcmp(got_, want) != 0) \
            fprintf(stderr, "\n  line %d: got \"%s\", want \"%s\"", __LINE__, got_, want); \
        CU_ASSERT_STRING_EQUAL(got_, want); \
    } while (0)

/* Everyone present at join gets the public notice; nobody is captured in
 * the window; all are cleared together when it ends. */
static void test_opt_out_basic(void)
{
    E = engine(RG_BASIS_OPT_OUT, 60);
    join(0, "alice", true);
    join(0, "bob", false);
    ASSERT_LOG(round_s(0), "");
    CU_ASSERT_EQUAL(notices_public, 1);
    CU_ASSERT_EQUAL(notices_private, 0);
    CU_ASSERT(!CAP("alice") && !CAP("bob"));
    ASSERT_LOG(round_s(59.98), "");
    CU_ASSERT(!CAP("bob"));
    ASSERT_LOG(round_s(60), "gate_open;capture_start:alice;capture_start:bob;");
    CU_ASSERT(CAP("alice") && CAP("bob"));
    CU_ASSERT_EQUAL(rg_consent_state(E), RG_MEETING_RECORDING);
    ASSERT_LOG(end_s(600), "capture_stop:alice;capture_stop:bob;end;");
    CU_ASSERT(!CAP("alice"));
    CU_ASSERT(rg_consent_ever_opened(E));
    rg_consent_free(E);
}

static void test_opt_out_objection_before_start_refuses(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    said(20.5, "bob", RG_INTENT_OBJECTION);
    ASSERT_LOG(round_s(20.5), "refuse:bob;");
    CU_ASSERT_EQUAL(rg_consent_state(E), RG_MEETING_REFUSED);
    CU_ASSERT_EQUAL(rg_consent_reason(E), RG_REASON_OBJECTION);
    ASSERT_LOG(round_s(60), "");
    CU_ASSERT(!CAP("alice"));
    CU_ASSERT(!rg_consent_ever_opened(E));
    rg_consent_free(E);
}

/* Same-time events happen together: an objection at the very instant the
 * window ends still refuses. */
static void test_objection_at_window_end_wins(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    said(60, "bob", RG_INTENT_OBJECTION);
    ASSERT_LOG(round_s(60), "refuse:bob;");
    rg_consent_free(E);
}

static void test_opt_out_host_objection_counts(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    said(10, "alice", RG_INTENT_OBJECTION);
    ASSERT_LOG(round_s(10), "refuse:alice;");
    rg_consent_free(E);
}

/* Consent and chatter do not shorten the opt-out window. */
static void test_opt_out_consent_does_not_shorten(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    said(5, "bob", RG_INTENT_CONSENT);
    said(5, "bob", RG_INTENT_NONE);
    ASSERT_LOG(round_s(5), "");
    CU_ASSERT(!CAP("bob"));
    ASSERT_LOG(round_s(60), "gate_open;capture_start:alice;capture_start:bob;");
    rg_consent_free(E);
}

static void test_public_notice_failure_refuses(void)
{
    E = engine(RG_BASIS_OPT_OUT, 60);
    join(0, "alice", true);
    join(0, "bob", false);
    fail_notices = true;
    ASSERT_LOG(round_s(0), "refuse;");
    CU_ASSERT_EQUAL(rg_consent_reason(E), RG_REASON_NOTICE_FAILED);
    fail_notices = false;
    ASSERT_LOG(round_s(60), "");
    CU_ASSERT(!CAP("alice") && !CAP("bob"));
    rg_consent_free(E);
}

/* Late joiner during the window: private notice; the start waits for
 * their own window. */
static void test_late_joiner_before_start_delays_start(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    join(30, "carol", false);
    round_s(30);
    CU_ASSERT_EQUAL(notices_private, 1);
    ASSERT_LOG(round_s(60), "");
    ASSERT_LOG(round_s(89.98), "");
    ASSERT_LOG(round_s(90), "gate_open;capture_start:alice;capture_start:bob;capture_start:carol;");
    rg_consent_free(E);
}

/* Late joiner after the start: others go on; they are captured from their
 * own clearance. */
static void test_late_joiner_after_start(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    round_s(60);
    join(100.01, "carol", false);
    ASSERT_LOG(round_s(100.01), "");
    CU_ASSERT_EQUAL(notices_private, 1);
    CU_ASSERT(CAP("alice") && CAP("bob") && !CAP("carol"));
    ASSERT_LOG(round_s(160), "");
    ASSERT_LOG(round_s(160.01), "capture_start:carol;");
    CU_ASSERT(CAP("carol"));
    rg_consent_free(E);
}

static void test_late_joiner_objection_stops_all(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    round_s(60);
    join(100, "carol", false);
    round_s(100);
    said(110, "carol", RG_INTENT_OBJECTION);
    /* carol was never captured: no withdrawal action, just the stop */
    ASSERT_LOG(round_s(110), "capture_stop:alice;capture_stop:bob;stop:carol;");
    CU_ASSERT_EQUAL(rg_consent_state(E), RG_MEETING_STOPPED);
    CU_ASSERT(!CAP("alice") && !CAP("bob"));
    /* never resumes */
    ASSERT_LOG(round_s(200), "");
    CU_ASSERT(!CAP("alice"));
    rg_consent_free(E);
}

/* A late joiner who cannot be reached is tried again every second while
 * their own window runs (never captured meanwhile, the others go on); the
 * failure at the end of it stops everyone. */
static void test_late_joiner_notice_failure_stops_all(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    round_s(60);
    fail_only = "carol";
    join(100, "carol", false);
    ASSERT_LOG(round_s(100), "");
    CU_ASSERT(CAP("alice") && CAP("bob") && !CAP("carol"));
    ASSERT_LOG(round_s(100.5), "");
    CU_ASSERT_EQUAL(notices_private, 1);
    ASSERT_LOG(round_s(101), "");
    ASSERT_LOG(round_s(101.02), "");
    CU_ASSERT_EQUAL(notices_private, 2); /* tried again a second later */
    for (int t = 102; t < 160; t++)
        ASSERT_LOG(round_s(t + 0.5), "");
    CU_ASSERT(CAP("alice") && !CAP("carol"));
    ASSERT_LOG(round_s(160), "");       /* the window has run: one last try */
    ASSERT_LOG(round_s(160.02), "capture_stop:alice;capture_stop:bob;stop:carol;");
    CU_ASSERT_EQUAL(rg_consent_reason(E), RG_REASON_NOTICE_FAILED);
    rg_consent_free(E);
}

static void test_late_joiner_notice_failure_before_start_refuses(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    fail_only = "dave";
    join(10, "dave", false);
    ASSERT_LOG(round_s(10), "");
    ASSERT_LOG(round_s(60), "");        /* dave blocks the gate */
    CU_ASSERT(!CAP("alice"));
    ASSERT_LOG(round_s(69.5), "");
    ASSERT_LOG(round_s(70), "");
    ASSERT_LOG(round_s(70.02), "refuse:dave;");
    rg_consent_free(E);
}

/* Someone present who cannot be reached yet blocks the gate; reached
 * later (their chat user appeared), they are informed then, and everyone
 * starts when their window has run. */
static void test_unreached_blocks_then_informed(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 10);
    fail_only = "carol";
    join(0.02, "carol", false);
    ASSERT_LOG(round_s(0.02), "");
    ASSERT_LOG(round_s(5), "");
    fail_only = NULL;                   /* carol opened the chat */
    ASSERT_LOG(round_s(5.5), "");       /* tried again: informed now */
    ASSERT_LOG(round_s(10), "");        /* alice and bob are cleared; carol is not */
    CU_ASSERT(!CAP("alice") && !CAP("bob") && !CAP("carol"));
    ASSERT_LOG(round_s(15.48), "");
    ASSERT_LOG(round_s(15.5),
               "gate_open;capture_start:alice;capture_start:bob;capture_start:carol;");
    rg_consent_free(E);
}

/* The host alone is not captured before the window has run for the
 * meeting (issue 10: the host was captured 0.16 s after the notice). */
static void test_host_alone_waits_for_window(void)
{
    E = engine(RG_BASIS_OPT_OUT, 10);
    join(0, "alice", true);
    ASSERT_LOG(round_s(0), "");
    ASSERT_LOG(round_s(0.16), "");
    ASSERT_LOG(round_s(9.98), "");
    CU_ASSERT(!CAP("alice"));
    ASSERT_LOG(round_s(10), "gate_open;capture_start:alice;");
    rg_consent_free(E);
}

/* Someone who leaves before being reached is not tried any more; coming
 * back, they are due again with a new deadline. */
static void test_unreached_leaves_and_returns(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 10);
    fail_only = "carol";
    join(1, "carol", false);
    round_s(1);
    leave(3, "carol");
    round_s(3);
    int before = notices_private;
    ASSERT_LOG(round_s(10), "gate_open;capture_start:alice;capture_start:bob;");
    ASSERT_LOG(round_s(12), "");
    CU_ASSERT_EQUAL(notices_private, before);
    join(20, "carol", false);
    ASSERT_LOG(round_s(20), "");
    ASSERT_LOG(round_s(29.98), "");
    ASSERT_LOG(round_s(30), "capture_stop:alice;capture_stop:bob;stop:carol;");
    rg_consent_free(E);
}

/* Objection after the start by someone already captured: delete. */
static void test_objection_after_start_deletes(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    round_s(60);
    said(300, "bob", RG_INTENT_OBJECTION);
    ASSERT_LOG(round_s(300),
               "capture_stop:alice;capture_stop:bob;stop:bob;delete_recording:bob;");
    rg_consent_free(E);
}

static void test_objection_after_start_removes_participant(void)
{
    E = engine_rules((rg_consent_rules){RG_BASIS_OPT_OUT, 60000, true, false,
                                        RG_WITHDRAW_REMOVE_PARTICIPANT});
    join(0, "alice", true);
    join(0, "bob", false);
    round_s(0);
    round_s(60);
    said(300, "bob", RG_INTENT_OBJECTION);
    ASSERT_LOG(round_s(300),
               "capture_stop:alice;capture_stop:bob;stop:bob;remove_participant:bob;");
    rg_consent_free(E);
}

/* Consent: nobody is captured before everyone's explicit yes; the host's
 * consent is implied. */
static void test_consent_all_yes(void)
{
    E = engine(RG_BASIS_CONSENT, 120);
    join(0, "alice", true);
    join(0, "bob", false);
    join(0, "carol", false);
    round_s(0);
    said(10, "bob", RG_INTENT_CONSENT);
    ASSERT_LOG(round_s(10), "");
    CU_ASSERT(!CAP("bob") && !CAP("alice"));
    said(15.5, "carol", RG_INTENT_CONSENT);
    ASSERT_LOG(round_s(15.5),
               "gate_open;capture_start:alice;capture_start:bob;capture_start:carol;");
    rg_consent_free(E);
}

static void test_consent_silence_is_no(void)
{
    alice_and_bob(RG_BASIS_CONSENT, 120);
    ASSERT_LOG(round_s(119.98), "");
    ASSERT_LOG(round_s(120), "refuse:bob;");
    CU_ASSERT_EQUAL(rg_consent_reason(E), RG_REASON_NO_CONSENT);
    CU_ASSERT(!rg_consent_ever_opened(E));
    rg_consent_free(E);
}

static void test_consent_objection_refuses(void)
{
    alice_and_bob(RG_BASIS_CONSENT, 120);
    said(3, "bob", RG_INTENT_OBJECTION);
    ASSERT_LOG(round_s(3), "refuse:bob;");
    rg_consent_free(E);
}

/* A consent later withdrawn with "nej" is an objection. */
static void test_consent_then_withdraw(void)
{
    alice_and_bob(RG_BASIS_CONSENT, 120);
    said(3, "bob", RG_INTENT_CONSENT);
    ASSERT_LOG(round_s(3), "gate_open;capture_start:alice;capture_start:bob;");
    said(50, "bob", RG_INTENT_OBJECTION);
    ASSERT_LOG(round_s(50),
               "capture_stop:alice;capture_stop:bob;stop:bob;delete_recording:bob;");
    rg_consent_free(E);
}

/* Consent mode late joiner: not captured until yes; no yes in their own
 * window counts as objecting and stops everyone. */
static void test_consent_late_joiner(void)
{
    alice_and_bob(RG_BASIS_CONSENT, 120);
    said(1, "bob", RG_INTENT_CONSENT);
    round_s(1);
    join(200, "carol", false);
    ASSERT_LOG(round_s(200), "");
    CU_ASSERT(CAP("bob") && !CAP("carol"));
    said(210, "carol", RG_INTENT_CONSENT);
    ASSERT_LOG(round_s(210), "capture_start:carol;");
    join(300, "dave", false);
    round_s(300);
    ASSERT_LOG(round_s(419.98), "");
    ASSERT_LOG(round_s(420),
               "capture_stop:alice;capture_stop:bob;capture_stop:carol;stop:dave;");
    CU_ASSERT_EQUAL(rg_consent_reason(E), RG_REASON_NO_CONSENT);
    rg_consent_free(E);
}

/* Documentation: cleared after the window whatever the chat says, but an
 * objection still refuses by default. */
static void test_documentation_basic(void)
{
    alice_and_bob(RG_BASIS_DOCUMENTATION, 30);
    ASSERT_LOG(round_s(30), "gate_open;capture_start:alice;capture_start:bob;");
    rg_consent_free(E);

    alice_and_bob(RG_BASIS_DOCUMENTATION, 30);
    said(10, "bob", RG_INTENT_OBJECTION);
    ASSERT_LOG(round_s(10), "refuse:bob;");
    rg_consent_free(E);
}

static void test_documentation_continue_on_objection(void)
{
    E = engine_rules((rg_consent_rules){RG_BASIS_DOCUMENTATION, 30000, true,
                                        true, RG_WITHDRAW_DELETE_RECORDING});
    join(0, "alice", true);
    join(0, "bob", false);
    round_s(0);
    said(10, "bob", RG_INTENT_OBJECTION);
    ASSERT_LOG(round_s(10), "objection_noted:bob;");
    ASSERT_LOG(round_s(30), "gate_open;capture_start:alice;capture_start:bob;");
    said(40, "bob", RG_INTENT_OBJECTION);
    ASSERT_LOG(round_s(40), "objection_noted:bob;");
    CU_ASSERT(CAP("bob"));
    /* ... but the duty to inform is never overridden */
    fail_only = "eve";
    join(50, "eve", false);
    ASSERT_LOG(round_s(50), "");
    ASSERT_LOG(round_s(80), "");
    ASSERT_LOG(round_s(80.02), "capture_stop:alice;capture_stop:bob;stop:eve;");
    rg_consent_free(E);
}

/* No host present: nothing captured; the host leaving pauses everyone. */
static void test_require_host(void)
{
    E = engine(RG_BASIS_OPT_OUT, 60);
    join(0, "bob", false);
    join(0, "carol", false);
    round_s(0);
    ASSERT_LOG(round_s(60), "");
    CU_ASSERT(!CAP("bob"));
    join(70, "alice", true);
    ASSERT_LOG(round_s(70), "gate_open;capture_start:bob;capture_start:carol;capture_start:alice;");
    leave(80, "alice");
    ASSERT_LOG(round_s(80), "gate_close;capture_stop:bob;capture_stop:carol;capture_stop:alice;");
    CU_ASSERT(!CAP("bob"));
    join(90, "alice", true);
    ASSERT_LOG(round_s(90), "gate_open;capture_start:bob;capture_start:carol;capture_start:alice;");
    CU_ASSERT_EQUAL(notices_private, 1); /* rejoin: no second notice */
    rg_consent_free(E);
}

/* A meeting that ends while only the host is missing says so. */
static void test_no_host_reason(void)
{
    E = engine(RG_BASIS_OPT_OUT, 60);
    join(0, "bob", false);
    round_s(0);
    round_s(60);
    ASSERT_LOG(end_s(100), "end;");
    CU_ASSERT_EQUAL(rg_consent_reason(E), RG_REASON_NO_HOST);
    rg_consent_free(E);
}

static void test_require_host_false(void)
{
    E = engine_rules((rg_consent_rules){RG_BASIS_OPT_OUT, 60000, false, false,
                                        RG_WITHDRAW_DELETE_RECORDING});
    join(0, "bob", false);
    round_s(0);
    ASSERT_LOG(round_s(60), "gate_open;capture_start:bob;");
    rg_consent_free(E);
}

/* Leaving stops a participant's capture; rejoining keeps their status. */
static void test_leave_and_rejoin(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    round_s(60);
    leave(100, "bob");
    ASSERT_LOG(round_s(100), "capture_stop:bob;");
    join(120, "bob", false);
    ASSERT_LOG(round_s(120), "capture_start:bob;");
    CU_ASSERT_EQUAL(notices_private, 0);
    rg_consent_free(E);
}

/* A participant who leaves during the window and comes back later keeps
 * the time they were informed; while they are away, only those present
 * count for the start (here the host alone) -- but nobody, the host
 * included, is captured before the window has run for the meeting. */
static void test_rejoin_during_window(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    leave(10, "bob");
    ASSERT_LOG(round_s(10), "");
    CU_ASSERT(!CAP("alice"));
    join(20, "bob", false);
    ASSERT_LOG(round_s(20), "");
    CU_ASSERT(!CAP("bob"));
    ASSERT_LOG(round_s(60), "gate_open;capture_start:alice;capture_start:bob;");
    CU_ASSERT_EQUAL(notices_private, 0);
    rg_consent_free(E);
}

/* Consent before being informed does not count: a "ja" fed in the same
 * round as (before) the public notice is ignored; only a later one clears. */
static void test_consent_before_notice_ignored(void)
{
    E = engine(RG_BASIS_CONSENT, 120);
    join(0, "alice", true);
    join(0, "bob", false);
    CU_ASSERT(!rg_consent_informed(E, "bob"));
    said(0, "bob", RG_INTENT_CONSENT); /* before the notice went out */
    ASSERT_LOG(round_s(0), "");
    CU_ASSERT(rg_consent_informed(E, "bob"));
    ASSERT_LOG(round_s(5), "");
    CU_ASSERT(!CAP("bob") && !CAP("alice"));
    said(6, "bob", RG_INTENT_CONSENT);
    ASSERT_LOG(round_s(6), "gate_open;capture_start:alice;capture_start:bob;");
    rg_consent_free(E);
}

/* Someone who joins, writes "ja" and leaves before any notice reaches them
 * is not cleared when they come back: their notice comes then, and only a
 * "ja" after it counts. A stranger's "ja" counts for nothing either. */
static void test_consent_join_ja_leave_ignored(void)
{
    E = engine(RG_BASIS_CONSENT, 120);
    join(0, "alice", true);
    ASSERT_LOG(round_s(0), ""); /* the host alone waits for the window */
    join(10, "carol", false);
    said(10, "carol", RG_INTENT_CONSENT);
    leave(10, "carol");
    said(10, "dave", RG_INTENT_CONSENT); /* never joined */
    ASSERT_LOG(round_s(10), "");
    CU_ASSERT_EQUAL(notices_private, 0);
    CU_ASSERT(!rg_consent_informed(E, "carol"));
    join(20, "carol", false);
    ASSERT_LOG(round_s(20), "");
    CU_ASSERT_EQUAL(notices_private, 1);
    CU_ASSERT(rg_consent_informed(E, "carol") && !CAP("carol"));
    ASSERT_LOG(round_s(30), "");
    said(31, "carol", RG_INTENT_CONSENT);
    ASSERT_LOG(round_s(31), "gate_open;capture_start:alice;capture_start:carol;");
    join(40, "dave", false);
    ASSERT_LOG(round_s(40), "");
    CU_ASSERT(!CAP("dave"));
    rg_consent_free(E);
}

/* The first public notice fails: a "ja" before it never counts, and the
 * meeting is refused anyway. */
static void test_consent_before_failed_notice(void)
{
    E = engine(RG_BASIS_CONSENT, 120);
    join(0, "alice", true);
    join(0, "bob", false);
    said(0, "bob", RG_INTENT_CONSENT);
    fail_notices = true;
    ASSERT_LOG(round_s(0), "refuse;");
    CU_ASSERT(!rg_consent_informed(E, "bob"));
    rg_consent_free(E);
}

/* Roles follow the latest join: a host who rejoins as a guest no longer
 * keeps the gate open (require_host). */
static void test_host_rejoins_as_guest(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    ASSERT_LOG(round_s(60), "gate_open;capture_start:alice;capture_start:bob;");
    leave(100, "alice");
    ASSERT_LOG(round_s(100), "gate_close;capture_stop:alice;capture_stop:bob;");
    join(110, "alice", false);
    CU_ASSERT(!rg_consent_is_host(E, "alice"));
    ASSERT_LOG(round_s(110), "");
    CU_ASSERT(!CAP("alice") && !CAP("bob"));
    ASSERT_LOG(round_s(115), "");
    /* a host again (erik): cleared at once, the gate reopens for all */
    join(120, "erik", true);
    ASSERT_LOG(round_s(120),
               "gate_open;capture_start:alice;capture_start:bob;capture_start:erik;");
    rg_consent_free(E);
}

/* In a consent meeting the former host must now say yes like any guest;
 * their own window runs from the role change. */
static void test_host_rejoins_as_guest_consent(void)
{
    alice_and_bob(RG_BASIS_CONSENT, 120);
    said(5, "bob", RG_INTENT_CONSENT);
    ASSERT_LOG(round_s(5), "gate_open;capture_start:alice;capture_start:bob;");
    leave(10, "alice");
    ASSERT_LOG(round_s(10), "gate_close;capture_stop:alice;capture_stop:bob;");
    join(20, "alice", false);
    join(20, "erik", true);
    ASSERT_LOG(round_s(20), "gate_open;capture_start:bob;capture_start:erik;");
    CU_ASSERT(!CAP("alice"));
    ASSERT_LOG(round_s(139.98), "");
    ASSERT_LOG(round_s(140), "capture_stop:bob;capture_stop:erik;stop:alice;"
                             "delete_recording:alice;");
    CU_ASSERT_EQUAL(rg_consent_reason(E), RG_REASON_NO_CONSENT);
    rg_consent_free(E);
}

/* A guest who rejoins as host does not skip the rest of their own window. */
static void test_guest_rejoins_as_host(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    join(30, "carol", false);
    ASSERT_LOG(round_s(30), "");
    leave(35, "carol");
    round_s(35);
    join(40, "carol", true);
    CU_ASSERT(rg_consent_is_host(E, "carol"));
    ASSERT_LOG(round_s(40), "");
    ASSERT_LOG(round_s(60), "");
    CU_ASSERT(!CAP("carol"));
    ASSERT_LOG(round_s(90),
               "gate_open;capture_start:alice;capture_start:bob;capture_start:carol;");
    /* and she now counts as the host present */
    leave(100, "alice");
    ASSERT_LOG(round_s(100), "capture_stop:alice;");
    rg_consent_free(E);
}

/* Consent meeting: a guest who rejoins as host still needs their yes. */
static void test_guest_rejoins_as_host_consent(void)
{
    alice_and_bob(RG_BASIS_CONSENT, 120);
    leave(5, "bob");
    ASSERT_LOG(round_s(5), ""); /* the host alone waits for the window */
    join(6, "bob", true);
    ASSERT_LOG(round_s(6), "");
    CU_ASSERT(!CAP("bob"));
    said(7, "bob", RG_INTENT_CONSENT);
    ASSERT_LOG(round_s(7), "gate_open;capture_start:alice;capture_start:bob;");
    rg_consent_free(E);
}

/* Large rosters: every one of 5000 participants is found (constant-time
 * lookups, see bench_gate for the cost). */
static void test_large_roster(void)
{
    char id[32];
    E = engine(RG_BASIS_CONSENT, 120);
    join(0, "host", true);
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof id, "guest-%d", i);
        join(0, id, false);
    }
    round_s(0);
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof id, "guest-%d", i);
        said(1, id, RG_INTENT_CONSENT);
    }
    round_s(1);
    int captured = 0;
    for (int i = 0; i < 5000; i++) {
        snprintf(id, sizeof id, "guest-%d", i);
        captured += CAP(id);
    }
    CU_ASSERT_EQUAL(captured, 5000);
    CU_ASSERT(!CAP("guest-5000") && !CAP("guest-") && !CAP(""));
    rg_consent_free(E);
}

/* An objection from someone the engine never saw still counts. */
static void test_stranger_objection_counts(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    said(5, "mallory", RG_INTENT_OBJECTION);
    ASSERT_LOG(round_s(5), "refuse:mallory;");
    rg_consent_free(E);
}

static void test_meeting_ends_in_window(void)
{
    alice_and_bob(RG_BASIS_OPT_OUT, 60);
    ASSERT_LOG(end_s(30), "end;");
    CU_ASSERT_EQUAL(rg_consent_reason(E), RG_REASON_MEETING_ENDED);
    CU_ASSERT(!rg_consent_ever_opened(E));
    rg_consent_free(E);
}

static void test_gate_error_fails_closed(void)
{
    E = engine(RG_BASIS_OPT_OUT, 60);
    join(0, "alice", true);
    round_s(0);
    round_s(60);
    CU_ASSERT(CAP("alice"));
    CU_ASSERT(rg_consent_fail(E, 70000) == RG_OK);
    ASSERT_LOG(round_s(70), "capture_stop:alice;stop;");
    CU_ASSERT(!CAP("alice"));
    rg_consent_free(E);
}

/* An empty meeting is never recorded; events after a final state are
 * ignored; bad arguments are rejected. */
static void test_edges(void)
{
    E = engine(RG_BASIS_OPT_OUT, 60);
    round_s(0);
    ASSERT_LOG(round_s(100), "");
    CU_ASSERT_EQUAL(rg_consent_state(E), RG_MEETING_WAITING);
    CU_ASSERT(rg_consent_join(E, 0, NULL, false) == RG_ERR_ARG);
    CU_ASSERT(rg_consent_notice_result(E, 0, NULL, true) == RG_ERR_STATE);
    CU_ASSERT(rg_consent_notice_result(E, 0, "nobody", true) == RG_ERR_STATE);
    CU_ASSERT(!CAP(NULL));
    rg_consent_free(E);
    rg_consent_rules bad = {RG_BASIS_OPT_OUT, -1, true, false, 0};
    rg_consent *c = NULL;
    CU_ASSERT(rg_consent_new(&bad, &c) == RG_ERR_ARG);
    CU_ASSERT(rg_consent_new(NULL, &c) == RG_ERR_ARG);
}

/* Property: over random event sequences, nobody is ever captured before
 * their clearance (informed + window, or consent), nobody after an
 * objection, and the gate never reopens after a stop. */
static void test_random_invariants(void)
{
    unsigned seed = 12345;
    for (int run = 0; run < 300; run++) {
        rg_basis basis = (rg_basis)(run % 3);
        E = engine(basis, 10 + (run % 50));
        const char *ids[] = {"a", "b", "c", "d"};
        int64_t informed[4] = {-1, -1, -1, -1};
        bool present[4] = {0}, consented[4] = {0}, objected = false, stopped = false;
        for (int64_t t = 0; t < 200000; t += 20) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 8) % 1000;
            int who = (int)((seed >> 20) % 4);
            if (r < 4 && !present[who]) {
                join((double)t / 1000, ids[who], who == 0);
                present[who] = true;
            } else if (r < 6 && present[who]) {
                leave((double)t / 1000, ids[who]);
                present[who] = false;
            } else if (r < 9) {
                said((double)t / 1000, ids[who], RG_INTENT_CONSENT);
                consented[who] = true;
            } else if (r == 9 && (seed & 0x7000) == 0) {
                said((double)t / 1000, ids[who], RG_INTENT_OBJECTION);
                objected = true;
            }
            for (int i = 0; i < 4; i++)
                if (present[i] && informed[i] < 0)
                    informed[i] = t;
            round_ms(t);
            rg_meeting_state st = rg_consent_state(E);
            if (st == RG_MEETING_STOPPED || st == RG_MEETING_REFUSED)
                stopped = true;
            for (int i = 0; i < 4; i++) {
                if (!CAP(ids[i]))
                    continue;
                CU_ASSERT(!objected && !stopped && present[i]);
                if (i != 0 && basis != RG_BASIS_CONSENT)
                    CU_ASSERT(t >= informed[i] + (10 + (run % 50)) * 1000);
                if (i != 0 && basis == RG_BASIS_CONSENT)
                    CU_ASSERT(consented[i]);
            }
        }
        rg_consent_free(E);
    }
}

int main(void)
{
    static const rg_test tests[] = {
        {"opt_out: informed, window, start", test_opt_out_basic},
        {"opt_out: objection before start refuses", test_opt_out_objection_before_start_refuses},
        {"same-time objection beats window end", test_objection_at_window_end_wins},
        {"host objection counts", test_opt_out_host_objection_counts},
        {"opt_out: consent does not shorten the window", test_opt_out_consent_does_not_shorten},
        {"public notice failure refuses", test_public_notice_failure_refuses},
        {"late joiner before start delays it", test_late_joiner_before_start_delays_start},
        {"late joiner after start", test_late_joiner_after_start},
        {"late joiner objection stops everyone", test_late_joiner_objection_stops_all},
        {"unreached participant blocks the gate, informed later", test_unreached_blocks_then_informed},
        {"host alone waits for the meeting's window", test_host_alone_waits_for_window},
        {"unreached participant leaves and returns", test_unreached_leaves_and_returns},
        {"late joiner notice failure stops everyone", test_late_joiner_notice_failure_stops_all},
        {"late joiner notice failure before start refuses", test_late_joiner_notice_failure_before_start_refuses},
        {"objection after start: delete_recording", test_objection_after_start_deletes},
        {"objection after start: remove_participant", test_objection_after_start_removes_participant},
        {"consent: all yes", test_consent_all_yes},
        {"consent: silence is no", test_consent_silence_is_no},
        {"consent: objection refuses", test_consent_objection_refuses},
        {"consent: yes then nej", test_consent_then_withdraw},
        {"consent: late joiners", test_consent_late_joiner},
        {"documentation: window, objection", test_documentation_basic},
        {"documentation: continue_on_objection", test_documentation_continue_on_objection},
        {"require_host", test_require_host},
        {"require_host false", test_require_host_false},
        {"no host: reason", test_no_host_reason},
        {"leave and rejoin", test_leave_and_rejoin},
        {"rejoin during window", test_rejoin_during_window},
        {"stranger objection counts", test_stranger_objection_counts},
        {"consent before the notice is ignored", test_consent_before_notice_ignored},
        {"join, ja, leave before any notice: ignored", test_consent_join_ja_leave_ignored},
        {"consent before a failed public notice", test_consent_before_failed_notice},
        {"roles: host rejoins as guest", test_host_rejoins_as_guest},
        {"roles: host rejoins as guest (consent)", test_host_rejoins_as_guest_consent},
        {"roles: guest rejoins as host keeps window", test_guest_rejoins_as_host},
        {"roles: guest rejoins as host (consent)", test_guest_rejoins_as_host_consent},
        {"large roster", test_large_roster},
        {"meeting ends in window", test_meeting_ends_in_window},
        {"gate error fails closed", test_gate_error_fails_closed},
        {"edges and bad arguments", test_edges},
        {"random sequences keep the invariants", test_random_invariants},
        {NULL, NULL},
    };
    return rg_test_run("consent", tests);
}
