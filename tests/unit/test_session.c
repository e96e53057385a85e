/* Session: the glue between platform events, the engine and the capture
 * sink. These drive it directly with a fake host and a counting sink. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "recgate/recgate.h"
#include "session_priv.h"
#include "testutil.h"

static const char *POLICY =
    "{\"controller\":{\"name\":\"C\",\"contact\":\"c@example.dk\",\"dpo\":\"d@example.dk\"},"
    "\"storage_location\":{\"da\":\"her\",\"en\":\"here\"},\"default_meeting_type\":\"opt\","
    "\"meeting_types\":{"
    "\"opt\":{\"legal_basis\":\"opt_out\",\"window_s\":10,\"retention_days\":1,\"language\":\"da\",\"purpose\":{\"da\":\"p\",\"en\":\"p\"}},"
    "\"con\":{\"legal_basis\":\"consent\",\"window_s\":20,\"retention_days\":1,\"language\":\"en\",\"purpose\":\"p\"},"
    "\"max\":{\"legal_basis\":\"opt_out\",\"window_s\":10,\"retention_days\":7,\"language\":\"en\",\"purpose\":\"p\",\"max_duration_s\":60},"
    "\"rem\":{\"legal_basis\":\"opt_out\",\"window_s\":10,\"retention_days\":1,\"language\":\"en\",\"purpose\":\"p\","
    "\"on_withdrawal\":\"remove_participant\"}},"
    "\"leave_when_alone_s\":30}";

/* fake host */
static int chats_ok, chats_failed, leaves;
static bool chat_fails;
static rg_err chat_fail_err = RG_ERR_DELIVERY;
static char last_text[8192]; /* the last message to everyone */
static rg_err host_send(void *ctx, const char *to, const char *text)
{
    (void)ctx;
    CU_ASSERT(text && *text);
    if (!to)
        snprintf(last_text, sizeof last_text, "%s", text);
    if (chat_fails) {
        chats_failed++;
        return chat_fail_err;
    }
    chats_ok++;
    return RG_OK;
}
static rg_err host_leave(void *ctx, const char *why) { (void)ctx; (void)why; leaves++; return RG_OK; }
static const rg_host_ops HOST = {.api_version = RG_SESSION_API_VERSION, .struct_size = sizeof(rg_host_ops),
                                 .send_chat = host_send, .leave = host_leave};

/* counting sink */
static int tracks_started, tracks_stopped, frames_in, fail_start, fail_frame_at;
static int64_t first_frame_t = -1, last_frame_t = -1;
static rg_err sk_start(void *c, const char *p, int64_t t, void **tr)
{
    (void)c; (void)p; (void)t;
    if (fail_start)
        return RG_ERR_MEDIA;
    tracks_started++;
    *tr = (void *)1;
    return RG_OK;
}
static rg_err sk_frame(void *c, void *tr, int64_t t, const rg_media_frame *f)
{
    (void)c; (void)tr; (void)f;
    if (fail_frame_at && frames_in + 1 == fail_frame_at)
        return RG_ERR_IO;
    frames_in++;
    if (first_frame_t < 0)
        first_frame_t = t;
    last_frame_t = t;
    return RG_OK;
}
static rg_err sk_stop(void *c, void *tr, int64_t t) { (void)c; (void)tr; (void)t; tracks_stopped++; return RG_OK; }
static const rg_sink_ops SINK = {.api_version = RG_SINK_API_VERSION,
                                 .struct_size = sizeof(rg_sink_ops), .track_start = sk_start,
                                 .frame = sk_frame, .track_stop = sk_stop};

static rg_policy *policy;
static void reset(void)
{
    chats_ok = chats_failed = leaves = 0;
    chat_fails = false;
    chat_fail_err = RG_ERR_DELIVERY;
    last_text[0] = '\0';
    tracks_started = tracks_stopped = frames_in = fail_start = fail_frame_at = 0;
    first_frame_t = last_frame_t = -1;
}

static rg_session *new_session_stop(const char *type,
                                    const volatile sig_atomic_t *stop)
{
    /* The sink is injected: no media stack behind the gate. */
    rg_session_params p = {.api_version = RG_SESSION_API_VERSION, .struct_size = sizeof p,
                           .policy = policy, .meeting_type = type, .meeting_id = "m",
                           .host = &HOST, .sink = &SINK, .stop = stop};
    rg_session *s = NULL;
    char err[RG_ERRBUF_SIZE];
    CU_ASSERT_FATAL(rg_session_new(&p, &s, err) == RG_OK);
    reset();
    return s;
}

static rg_session *new_session(const char *type)
{
    return new_session_stop(type, NULL);
}

/* summary field `key` as text (static buffer) */
static const char *summary_field(rg_session *s, const char *key)
{
    static char val[512];
    char *json = NULL;
    val[0] = '\0';
    CU_ASSERT_FATAL(rg_session_summary_json(s, &json) == RG_OK);
    cJSON *o = cJSON_Parse(json);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsString(v))
        snprintf(val, sizeof val, "%s", v->valuestring);
    cJSON_Delete(o);
    free(json);
    return val;
}

static const int16_t PCM[960];
static const rg_media_frame FRAME = {.kind = RG_MEDIA_PCM_S16LE, .rate = 48000,
                                     .channels = 1, .duration_ms = 20,
                                     .data = (const uint8_t *)PCM, .len = sizeof PCM};

/* One 20 ms step for everyone in ids[]: tick then frames. Returns how many
 * frames passed. */
static int step(rg_session *s, int64_t t, const char *const *ids, int n)
{
    int passed = 0;
    CU_ASSERT(rg_session_tick(s, t) == RG_OK);
    for (int i = 0; i < n; i++) {
        bool ok = false;
        rg_session_media(s, t, ids[i], &FRAME, &ok);
        passed += ok;
    }
    return passed;
}

static void test_params_checked(void)
{
    rg_session *s = NULL;
    char err[RG_ERRBUF_SIZE] = "";
    rg_session_params p = {.api_version = RG_SESSION_API_VERSION + 1, .struct_size = sizeof p,
                           .policy = policy, .meeting_id = "m", .host = &HOST};
    CU_ASSERT(rg_session_new(&p, &s, err) == RG_ERR_VERSION);
    p.api_version = RG_SESSION_API_VERSION;
    p.struct_size = 8;
    CU_ASSERT(rg_session_new(&p, &s, err) == RG_ERR_VERSION);
    p.struct_size = sizeof p;
    rg_host_ops no_send = HOST;
    no_send.send_chat = NULL;
    p.host = &no_send;
    CU_ASSERT(rg_session_new(&p, &s, err) == RG_ERR_ARG);
    p.host = &HOST;
    p.meeting_type = "party";
    CU_ASSERT(rg_session_new(&p, &s, err) == RG_ERR_NOT_FOUND);
    CU_ASSERT(strstr(err, "'party'") != NULL);
    CU_ASSERT(s == NULL);
    CU_ASSERT(rg_session_new(NULL, &s, err) == RG_ERR_ARG);
}

/* Not one frame before the gate opens reaches the sink; exactly the frames
 * from the opening on do. */
static void test_zero_capture_before_gate(void)
{
    rg_session *s = new_session(NULL);
    const char *ids[] = {"h", "g"};
    CU_ASSERT(rg_session_joined(s, 0, "h", "Host", RG_ROLE_HOST) == RG_OK);
    CU_ASSERT(rg_session_joined(s, 0, "g", "Guest", RG_ROLE_GUEST) == RG_OK);
    int passed = 0;
    for (int64_t t = 0; t < 10000; t += 20)
        passed += step(s, t, ids, 2);
    CU_ASSERT_EQUAL(passed, 0);
    CU_ASSERT_EQUAL(frames_in, 0);
    CU_ASSERT_EQUAL(tracks_started, 0);
    for (int64_t t = 10000; t < 12000; t += 20)
        passed += step(s, t, ids, 2);
    CU_ASSERT_EQUAL(passed, 200);
    CU_ASSERT_EQUAL(frames_in, 200);
    CU_ASSERT_EQUAL(first_frame_t, 10000);
    CU_ASSERT_EQUAL(tracks_started, 2);
    /* an objection stops capture before the next frame */
    CU_ASSERT(rg_session_chat(s, 12010, "g", "nej", true) == RG_OK);
    passed = step(s, 12020, ids, 2);
    CU_ASSERT_EQUAL(passed, 0);
    CU_ASSERT_EQUAL(last_frame_t, 11980);
    CU_ASSERT_EQUAL(tracks_stopped, 2);
    CU_ASSERT(rg_session_finished(s));
    CU_ASSERT_EQUAL(leaves, 1);
    CU_ASSERT(rg_session_end(s, 13000) == RG_OK);
    char *json = NULL;
    CU_ASSERT(rg_session_summary_json(s, &json) == RG_OK);
    CU_ASSERT(strstr(json, "\"decision\":\"deleted\"") != NULL);
    CU_ASSERT(strstr(json, "{\"participant\":\"g\",\"from\":10,\"to\":12}") != NULL);
    free(json);
    rg_session_free(s);
}

/* A sink that cannot start a track: fail closed, nobody captured. */
static void test_sink_start_failure_fails_closed(void)
{
    rg_session *s = new_session(NULL);
    const char *ids[] = {"h", "g"};
    rg_session_joined(s, 0, "h", "Host", RG_ROLE_HOST);
    rg_session_joined(s, 0, "g", "Guest", RG_ROLE_GUEST);
    fail_start = 1;
    int passed = 0;
    for (int64_t t = 0; t <= 11000; t += 20)
        passed += step(s, t, ids, 2);
    CU_ASSERT_EQUAL(passed, 0);
    CU_ASSERT_EQUAL(frames_in, 0);
    CU_ASSERT(rg_session_finished(s));
    rg_session_free(s);
}

/* A sink that fails mid-recording: capture stops for everyone at once. */
static void test_sink_frame_failure_fails_closed(void)
{
    rg_session *s = new_session(NULL);
    const char *ids[] = {"h", "g"};
    rg_session_joined(s, 0, "h", "Host", RG_ROLE_HOST);
    rg_session_joined(s, 0, "g", "Guest", RG_ROLE_GUEST);
    fail_frame_at = 51;
    int passed = 0;
    for (int64_t t = 0; t <= 12000; t += 20)
        passed += step(s, t, ids, 2);
    CU_ASSERT_EQUAL(frames_in, 50);
    CU_ASSERT_EQUAL(passed, 50);
    CU_ASSERT(rg_session_finished(s));
    rg_session_free(s);
}

/* The public notice cannot be delivered: refused, nothing captured. */
static void test_notice_failure(void)
{
    rg_session *s = new_session(NULL);
    const char *ids[] = {"h", "g"};
    chat_fails = true;
    rg_session_joined(s, 0, "h", "Host", RG_ROLE_HOST);
    rg_session_joined(s, 0, "g", "Guest", RG_ROLE_GUEST);
    int passed = 0;
    for (int64_t t = 0; t <= 12000; t += 20)
        passed += step(s, t, ids, 2);
    CU_ASSERT_EQUAL(passed, 0);
    CU_ASSERT(chats_failed >= 1);
    CU_ASSERT(rg_session_finished(s));
    rg_session_free(s);
}

/* A message that is not valid UTF-8 cannot be classified: objection. */
static void test_unclassifiable_chat_is_objection(void)
{
    rg_session *s = new_session(NULL);
    const char *ids[] = {"h", "g"};
    rg_session_joined(s, 0, "h", "Host", RG_ROLE_HOST);
    rg_session_joined(s, 0, "g", "Guest", RG_ROLE_GUEST);
    step(s, 0, ids, 2);
    CU_ASSERT(rg_session_chat(s, 1000, "g", "\xff\xfe ok", false) == RG_OK);
    step(s, 1000, ids, 2);
    CU_ASSERT(rg_session_finished(s));
    int passed = 0;
    for (int64_t t = 1020; t <= 12000; t += 20)
        passed += step(s, t, ids, 2);
    CU_ASSERT_EQUAL(passed, 0);
    rg_session_free(s);
}

/* Issue 12: a chat event stamped earlier than the previous event is not
 * rejected before it is classified (an objection could be lost): it counts
 * as an objection at the current time, and capture stops. */
static void test_out_of_order_chat_is_objection(void)
{
    rg_session *s = new_session(NULL);
    const char *ids[] = {"h", "g"};
    rg_session_joined(s, 0, "h", "Host", RG_ROLE_HOST);
    rg_session_joined(s, 0, "g", "Guest", RG_ROLE_GUEST);
    int passed = 0;
    for (int64_t t = 0; t <= 12000; t += 20)
        passed += step(s, t, ids, 2);
    CU_ASSERT(passed > 0); /* the gate opened at 10 s */
    CU_ASSERT_FALSE(rg_session_finished(s));
    /* stamped 2 s in the past, and harmless-looking text */
    CU_ASSERT(rg_session_chat(s, 10000, "g", "ok", true) == RG_OK);
    passed = 0;
    for (int64_t t = 12020; t <= 13000; t += 20)
        passed += step(s, t, ids, 2);
    CU_ASSERT_EQUAL(passed, 0);
    CU_ASSERT(rg_session_finished(s));
    CU_ASSERT_EQUAL(last_frame_t, 12000);
    char *json = NULL;
    CU_ASSERT(rg_session_summary_json(s, &json) == RG_OK);
    CU_ASSERT(json && strstr(json, "\"objections\":1") != NULL);
    free(json);
    rg_session_free(s);
}

/* Consent mode: ja from the guest opens the gate at once. */
static void test_consent_mode(void)
{
    rg_session *s = new_session("con");
    const char *ids[] = {"h", "g"};
    rg_session_joined(s, 0, "h", "Host", RG_ROLE_HOST);
    rg_session_joined(s, 0, "g", "Guest", RG_ROLE_GUEST);
    CU_ASSERT_EQUAL(step(s, 0, ids, 2), 0);
    rg_session_chat(s, 3000, "g", "yes", false);
    CU_ASSERT_EQUAL(step(s, 3000, ids, 2), 2);
    rg_session_free(s);
}

static void test_bad_event_order(void)
{
    rg_session *s = new_session(NULL);
    CU_ASSERT(rg_session_tick(s, 1000) == RG_OK);
    CU_ASSERT(rg_session_tick(s, 999) == RG_ERR_ARG);
    CU_ASSERT(rg_session_joined(s, 500, "x", "X", RG_ROLE_GUEST) == RG_ERR_ARG);
    CU_ASSERT(rg_session_left(s, 2000, "nobody") == RG_ERR_NOT_FOUND);
    CU_ASSERT(rg_session_joined(s, 2000, "", "X", RG_ROLE_GUEST) == RG_ERR_ARG);
    CU_ASSERT(rg_session_media(s, 2000, "nobody", &FRAME, NULL) == RG_OK);
    rg_session_free(s);
}

/* Every decision lands in the audit log, in order. */
static void test_audit_trail(void)
{
    char dir[] = "/tmp/rg-session-XXXXXX";
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    char keyf[256], logf[256];
    snprintf(keyf, sizeof keyf, "%s/k", dir);
    snprintf(logf, sizeof logf, "%s/audit.log", dir);
    CU_ASSERT_FATAL(rg_audit_key_generate(keyf, NULL) == RG_OK);
    uint8_t key[RG_AUDIT_KEY_LEN];
    CU_ASSERT_FATAL(rg_audit_key_load(keyf, key, NULL) == RG_OK);
    rg_audit *log = NULL;
    CU_ASSERT_FATAL(rg_audit_open(logf, key, &log, NULL) == RG_OK);
    rg_session *s = new_session(NULL);
    CU_ASSERT(rg_session_set_audit(s, log, key) == RG_OK);
    const char *ids[] = {"h", "g"};
    rg_session_joined(s, 0, "h", "Host Name", RG_ROLE_HOST);
    rg_session_joined(s, 0, "g", "Guest Name", RG_ROLE_GUEST);
    for (int64_t t = 0; t <= 10000; t += 20)
        step(s, t, ids, 2);
    rg_session_chat(s, 10010, "g", "nej", true);
    step(s, 10020, ids, 2);
    rg_session_end(s, 10020);
    CU_ASSERT(rg_audit_checkpoint(log) == RG_OK);
    rg_audit_close(log);
    rg_audit_report rep;
    CU_ASSERT(rg_audit_verify(logf, key, &rep, NULL) == RG_OK);
    CU_ASSERT(rep.ok);
    FILE *f = fopen(logf, "r");
    char line[8192], events[2048] = "";
    while (f && fgets(line, sizeof line, f)) {
        char *e = strstr(line, "\"event\":\"");
        CU_ASSERT(strstr(line, "Guest Name") == NULL && strstr(line, "\"g\"") == NULL);
        if (e) {
            e += 9;
            strncat(events, e, strcspn(e, "\""));
            strcat(events, " ");
        }
    }
    if (f)
        fclose(f);
    CU_ASSERT_STRING_EQUAL(events,
        "session_start join join announcement announcement gate_open announcement "
        "capture_start capture_start chat_intent capture_stop capture_stop gate_close "
        "withdrawal announcement session_end checkpoint ");
    rg_session_free(s);
    unlink(keyf);
    unlink(logf);
    rmdir(dir);
}

/* Two people, recording from 10 s; run to t_end (ms). */
static void run_to(rg_session *s, int64_t from, int64_t t_end)
{
    const char *ids[] = {"h", "g"};
    for (int64_t t = from; t <= t_end; t += 20)
        step(s, t, ids, 2);
}

static void start_two(rg_session *s)
{
    rg_session_joined(s, 0, "h", "Host", RG_ROLE_HOST);
    rg_session_joined(s, 0, "g", "Guest", RG_ROLE_GUEST);
    run_to(s, 0, 12000);
}

/* A late joiner who cannot be informed stops the recording once the
 * notice has been retried for their whole window: the stop notice says so
 * — not that someone said nej, not that anything was deleted — and the
 * summary agrees. */
static void test_stop_says_real_cause(void)
{
    rg_session *s = new_session("max");
    start_two(s);
    chat_fails = true;
    rg_session_joined(s, 12020, "late", "Late", RG_ROLE_GUEST);
    int64_t t = 12020;
    for (; t <= 12020 + 11000 && !rg_session_finished(s); t += 20)
        step(s, t, NULL, 0);
    CU_ASSERT(rg_session_finished(s));
    CU_ASSERT_PTR_NOT_NULL(strstr(last_text, "could not be informed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(last_text, "What was recorded is kept"));
    CU_ASSERT_PTR_NULL(strstr(last_text, "nej"));
    CU_ASSERT_PTR_NULL(strstr(last_text, "has been deleted"));
    CU_ASSERT_PTR_NULL(strstr(last_text, "recorded is deleted"));
    CU_ASSERT_PTR_NULL(strstr(last_text, "sagt nej"));
    CU_ASSERT(rg_session_end(s, t + 20) == RG_OK);
    CU_ASSERT_STRING_EQUAL(summary_field(s, "end_cause"), "not_informed");
    CU_ASSERT_STRING_EQUAL(summary_field(s, "outcome"), "kept");
    CU_ASSERT_PTR_NOT_NULL(strstr(summary_field(s, "reason"),
                                  "could not be informed"));
    rg_session_free(s);
}

/* An objection after the start with delete_recording: the notice is said
 * after the deletion and says it was deleted. */
static void test_stop_after_objection_says_deleted(void)
{
    rg_session *s = new_session("max");
    start_two(s);
    rg_session_chat(s, 12020, "g", "nej", false);
    step(s, 12020, NULL, 0);
    CU_ASSERT(rg_session_finished(s));
    CU_ASSERT_PTR_NOT_NULL(strstr(last_text, "objected (nej)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(last_text, "has been deleted"));
    CU_ASSERT_STRING_EQUAL(summary_field(s, "outcome"), "deleted");
    rg_session_free(s);
}

/* Refused before the start: what is kept as proof, and for how long. */
static void test_refusal_says_what_is_kept(void)
{
    rg_session *s = new_session("max");
    rg_session_joined(s, 0, "h", "Host", RG_ROLE_HOST);
    rg_session_joined(s, 0, "g", "Guest", RG_ROLE_GUEST);
    step(s, 0, NULL, 0);
    rg_session_chat(s, 2000, "g", "nej", true);
    step(s, 2000, NULL, 0);
    CU_ASSERT(rg_session_finished(s));
    CU_ASSERT_PTR_NOT_NULL(strstr(last_text, "Nothing of the meeting has been recorded"));
    CU_ASSERT_PTR_NOT_NULL(strstr(last_text, "as proof that everyone was informed, for 7 days"));
    rg_session_end(s, 2000);
    CU_ASSERT_PTR_NOT_NULL(strstr(summary_field(s, "reason"), "as proof, for 7 days"));
    rg_session_free(s);
}

/* Operator stop (SIGINT/SIGTERM in recgate run): capture stops at the next
 * tick, the end notice says who stopped it and that the recording is
 * kept, the bot leaves; a second signal skips the notice. */
static void test_operator_stop(void)
{
    volatile sig_atomic_t stop = 0;
    rg_session *s = new_session_stop("max", &stop);
    start_two(s);
    int before = frames_in;
    stop = 1;
    const char *ids[] = {"h", "g"};
    CU_ASSERT_EQUAL(step(s, 12020, ids, 2), 0);
    CU_ASSERT(rg_session_finished(s));
    CU_ASSERT_EQUAL(frames_in, before);
    CU_ASSERT_EQUAL(leaves, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_text, "stopped by its operator"));
    CU_ASSERT_PTR_NOT_NULL(strstr(last_text, "What was recorded is kept"));
    CU_ASSERT(rg_session_end(s, 12040) == RG_OK);
    CU_ASSERT_EQUAL(leaves, 1);
    CU_ASSERT_STRING_EQUAL(summary_field(s, "end_cause"), "operator");
    CU_ASSERT_STRING_EQUAL(summary_field(s, "decision"), "recorded");
    rg_session_free(s);

    stop = 0;
    s = new_session_stop("max", &stop);
    start_two(s);
    int chats = chats_ok;
    stop = 2;
    step(s, 12020, NULL, 0);
    CU_ASSERT(rg_session_finished(s));
    CU_ASSERT_EQUAL(chats_ok, chats); /* no end notice */
    CU_ASSERT(rg_session_end(s, 12040) == RG_OK);
    CU_ASSERT_STRING_EQUAL(summary_field(s, "end_cause"), "operator");
    rg_session_free(s);
}

/* Alone for leave_when_alone_s (30 s here): the bot leaves with the end
 * notice; not a moment earlier. */
static void test_leave_when_alone(void)
{
    rg_session *s = new_session(NULL);
    start_two(s);
    rg_session_left(s, 13000, "g");
    rg_session_left(s, 13000, "h");
    step(s, 13000, NULL, 0);
    step(s, 42980, NULL, 0);
    CU_ASSERT(!rg_session_finished(s));
    step(s, 43000, NULL, 0);
    CU_ASSERT(rg_session_finished(s));
    CU_ASSERT_PTR_NOT_NULL(strstr(last_text, "forladt mødet"));
    CU_ASSERT_PTR_NOT_NULL(strstr(last_text, "left the meeting"));
    CU_ASSERT(rg_session_end(s, 43000) == RG_OK);
    CU_ASSERT_STRING_EQUAL(summary_field(s, "end_cause"), "alone");
    rg_session_free(s);
}

/* max_duration_s: 60 s for type "max". */
static void test_max_duration(void)
{
    rg_session *s = new_session("max");
    start_two(s);
    run_to(s, 12020, 59980);
    CU_ASSERT(!rg_session_finished(s));
    step(s, 60000, NULL, 0);
    CU_ASSERT(rg_session_finished(s));
    CU_ASSERT_PTR_NOT_NULL(strstr(last_text, "(60 seconds (1 minute)) has been reached"));
    CU_ASSERT(rg_session_end(s, 60000) == RG_OK);
    CU_ASSERT_STRING_EQUAL(summary_field(s, "end_cause"), "max_duration");
    rg_session_free(s);
}

/* The platform connection is gone (send_chat: RG_ERR_NETWORK): the
 * summary says so instead of "the meeting ended". */
static void test_connection_lost(void)
{
    rg_session *s = new_session(NULL);
    start_two(s);
    chat_fails = true;
    chat_fail_err = RG_ERR_NETWORK;
    CU_ASSERT(rg_session_end(s, 13000) == RG_OK);
    CU_ASSERT_STRING_EQUAL(summary_field(s, "end_cause"), "connection_lost");
    CU_ASSERT_PTR_NOT_NULL(strstr(summary_field(s, "reason"),
                                  "connection to the platform was lost"));
    rg_session_free(s);
}
/* Mixed audio (one track of everyone, Teams-style): a type that would
 * remove one person is refused at start; the mix passes only while
 * everyone present is cleared; an objection deletes everything. */
static void test_mixed_audio(void)
{
    rg_session *s = NULL;
    char err[RG_ERRBUF_SIZE] = "";
    rg_session_params p = {.api_version = RG_SESSION_API_VERSION, .struct_size = sizeof p,
                           .policy = policy, .meeting_type = "rem", .meeting_id = "m",
                           .host = &HOST, .sink = &SINK, .mixed_audio_id = "mix"};
    CU_ASSERT_EQUAL(rg_session_new(&p, &s, err), RG_ERR_REFUSED);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "'rem' asks on_withdrawal: remove_participant"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "one mixed audio track"));
    p.meeting_type = "opt";
    CU_ASSERT_FATAL(rg_session_new(&p, &s, err) == RG_OK);
    reset();
    const char *mix[] = {"mix"};
    CU_ASSERT(rg_session_joined(s, 0, "h", "Host", RG_ROLE_HOST) == RG_OK);
    CU_ASSERT(rg_session_joined(s, 0, "g", "Guest", RG_ROLE_GUEST) == RG_OK);
    CU_ASSERT(rg_session_joined(s, 0, "mix", "everyone", RG_ROLE_GUEST) == RG_OK);
    int passed = 0;
    for (int64_t t = 0; t < 10000; t += 20)
        passed += step(s, t, mix, 1);
    CU_ASSERT_EQUAL(passed, 0);
    /* a speaker label before the gate is not kept (personal data) */
    CU_ASSERT(rg_session_speaker(s, 9990, "Guest Before") == RG_OK);
    for (int64_t t = 10000; t < 11000; t += 20)
        passed += step(s, t, mix, 1);
    CU_ASSERT_EQUAL(passed, 50);
    CU_ASSERT_EQUAL(tracks_started, 1); /* the mix only: nobody has a track of their own */
    CU_ASSERT(rg_session_speaker(s, 10980, "Host") == RG_OK);
    CU_ASSERT(rg_session_speaker(s, 10985, "Host") == RG_OK); /* same: one line */
    CU_ASSERT(rg_session_speaker(s, 10990, "Guest") == RG_OK);
    /* a late joiner is in the mix at once: it waits for their window */
    CU_ASSERT(rg_session_joined(s, 11000, "l", "Late", RG_ROLE_GUEST) == RG_OK);
    passed = 0;
    for (int64_t t = 11000; t < 21000; t += 20)
        passed += step(s, t, mix, 1);
    CU_ASSERT_EQUAL(passed, 0);
    for (int64_t t = 21000; t < 22000; t += 20)
        passed += step(s, t, mix, 1);
    CU_ASSERT_EQUAL(passed, 50);
    /* anyone objects: everything stops and is deleted */
    CU_ASSERT(rg_session_chat(s, 22010, "l", "nej", true) == RG_OK);
    CU_ASSERT_EQUAL(step(s, 22020, mix, 1), 0);
    CU_ASSERT(rg_session_finished(s));
    CU_ASSERT(rg_session_end(s, 23000) == RG_OK);
    char *json = NULL;
    CU_ASSERT(rg_session_summary_json(s, &json) == RG_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"decision\":\"deleted\""));
    free(json);
    json = NULL;
    CU_ASSERT(rg_session_manifest_json(s, &json) == RG_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"speakers\":[{\"t\":10.98,\"label\":\"Host\"},"
                                        "{\"t\":10.99,\"label\":\"Guest\"}]"));
    CU_ASSERT_PTR_NULL(strstr(json, "Guest Before"));
    free(json);
    rg_session_free(s);
}


/* Loss is never hidden: frames lost while a participant is captured are
 * counted into their track (sink and audit capture_stop); frames lost
 * before the gate opened, or of someone not captured, are not. */
static uint64_t sink_lost;
static void sk_lost(void *c, void *tr, uint32_t n) { (void)c; (void)tr; sink_lost += n; }

static void test_loss_counted(void)
{
    char dir[] = "/tmp/rg-session-XXXXXX";
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    char keyf[256], logf[256];
    snprintf(keyf, sizeof keyf, "%s/k", dir);
    snprintf(logf, sizeof logf, "%s/audit.log", dir);
    CU_ASSERT_FATAL(rg_audit_key_generate(keyf, NULL) == RG_OK);
    uint8_t key[RG_AUDIT_KEY_LEN];
    CU_ASSERT_FATAL(rg_audit_key_load(keyf, key, NULL) == RG_OK);
    rg_audit *log = NULL;
    CU_ASSERT_FATAL(rg_audit_open(logf, key, &log, NULL) == RG_OK);
    rg_session *s = new_session(NULL);
    rg_sink_ops lossy = SINK;
    lossy.frames_lost = sk_lost;
    CU_ASSERT_FATAL(rg_session_set_sink(s, &lossy, NULL) == RG_OK);
    CU_ASSERT(rg_session_set_audit(s, log, key) == RG_OK);
    sink_lost = 0;
    const char *ids[] = {"h", "g"};
    rg_session_joined(s, 0, "h", "Host", RG_ROLE_HOST);
    rg_session_joined(s, 0, "g", "Guest", RG_ROLE_GUEST);
    for (int64_t t = 0; t < 10000; t += 20)
        step(s, t, ids, 2);
    CU_ASSERT(rg_session_media_lost(s, 9980, "g", 7) == RG_OK); /* gate still closed */
    for (int64_t t = 10000; t < 11000; t += 20)
        step(s, t, ids, 2);
    CU_ASSERT(rg_session_media_lost(s, 11000, "g", 3) == RG_OK);
    CU_ASSERT(rg_session_media_lost(s, 11000, "g", 2) == RG_OK);
    CU_ASSERT(rg_session_media_lost(s, 11000, "nobody", 5) == RG_OK);
    CU_ASSERT(rg_session_media_lost(s, 11000, NULL, 5) == RG_ERR_ARG);
    CU_ASSERT(rg_session_media_lost(s, 10990, "g", 1) != RG_OK); /* time went back */
    CU_ASSERT_EQUAL(sink_lost, 5);
    step(s, 11020, ids, 2);
    rg_session_end(s, 11040);
    rg_audit_close(log);
    FILE *f = fopen(logf, "r");
    char line[8192];
    int stops = 0, lost5 = 0, lost0 = 0;
    while (f && fgets(line, sizeof line, f)) {
        if (!strstr(line, "\"event\":\"capture_stop\""))
            continue;
        stops++;
        lost5 += strstr(line, "\"frames_lost\":5") != NULL;
        lost0 += strstr(line, "\"frames_lost\":0") != NULL;
    }
    if (f)
        fclose(f);
    CU_ASSERT_EQUAL(stops, 2);
    CU_ASSERT_EQUAL(lost5, 1); /* the guest's track */
    CU_ASSERT_EQUAL(lost0, 1); /* the host's: nothing lost, and it says so */
    rg_session_free(s);
    unlink(keyf);
    unlink(logf);
    rmdir(dir);
}

/* A yes written before the writer's notice went out is ignored: nothing
 * opens, the bot does not thank them; a yes after the notice counts. */
static void test_consent_before_notice(void)
{
    rg_session *s = new_session("con");
    const char *ids[] = {"h", "g"};
    rg_session_joined(s, 0, "h", "Host", RG_ROLE_HOST);
    rg_session_joined(s, 0, "g", "Guest", RG_ROLE_GUEST);
    rg_session_chat(s, 0, "g", "yes", false);
    CU_ASSERT_EQUAL(step(s, 0, ids, 2), 0);
    CU_ASSERT_EQUAL(chats_ok, 2); /* the public notice and its INFO, no thanks */
    CU_ASSERT_EQUAL(step(s, 2000, ids, 2), 0);
    rg_session_chat(s, 3000, "g", "yes", false);
    CU_ASSERT_EQUAL(step(s, 3000, ids, 2), 2);
    rg_session_free(s);
}

/* Audit lines of a log, as "event event ...", and whether `needle`
 * appears in any line. */
static void read_events(const char *logf, char *events, size_t cap,
                        const char *needle, int *found)
{
    FILE *f = fopen(logf, "r");
    char line[8192];
    events[0] = '\0';
    *found = 0;
    while (f && fgets(line, sizeof line, f)) {
        char *e = strstr(line, "\"event\":\"");
        if (needle && strstr(line, needle))
            *found = 1;
        if (e) {
            e += 9;
            strncat(events, e, strcspn(e, "\""));
            strncat(events, " ", cap - strlen(events) - 1);
        }
    }
    if (f)
        fclose(f);
}

/* Roles follow the latest join: the host who comes back as a guest no
 * longer keeps the gate open; the change and an ignored yes are in the
 * audit log and the manifest. */
static void test_roles_and_ignored_consent_on_record(void)
{
    char dir[] = "/tmp/rg-session-XXXXXX";
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    char keyf[256], logf[256];
    snprintf(keyf, sizeof keyf, "%s/k", dir);
    snprintf(logf, sizeof logf, "%s/audit.log", dir);
    CU_ASSERT_FATAL(rg_audit_key_generate(keyf, NULL) == RG_OK);
    uint8_t key[RG_AUDIT_KEY_LEN];
    CU_ASSERT_FATAL(rg_audit_key_load(keyf, key, NULL) == RG_OK);
    rg_audit *log = NULL;
    CU_ASSERT_FATAL(rg_audit_open(logf, key, &log, NULL) == RG_OK);
    rg_session *s = new_session(NULL);
    CU_ASSERT(rg_session_set_audit(s, log, key) == RG_OK);
    const char *ids[] = {"h", "g"};
    rg_session_joined(s, 0, "h", "Host Name", RG_ROLE_HOST);
    rg_session_joined(s, 0, "g", "Guest Name", RG_ROLE_GUEST);
    rg_session_chat(s, 0, "g", "ja", false); /* before the notice */
    CU_ASSERT_EQUAL(step(s, 0, ids, 2), 0);
    CU_ASSERT_EQUAL(step(s, 10000, ids, 2), 2);
    rg_session_left(s, 20000, "h");
    CU_ASSERT_EQUAL(step(s, 20000, ids, 2), 0);
    rg_session_joined(s, 25000, "h", "Host Name", RG_ROLE_GUEST);
    CU_ASSERT_EQUAL(step(s, 25000, ids, 2), 0); /* no host: gate stays closed */
    CU_ASSERT_EQUAL(step(s, 60000, ids, 2), 0);
    rg_session_end(s, 60000);
    char *manifest = NULL;
    CU_ASSERT(rg_session_manifest_json(s, &manifest) == RG_OK);
    CU_ASSERT(manifest && strstr(manifest, "\"role_changes\":[{\"t\":25,\"role\":\"guest\"}]"));
    free(manifest);
    CU_ASSERT(rg_audit_checkpoint(log) == RG_OK);
    rg_audit_close(log);
    char events[4096];
    int found = 0;
    read_events(logf, events, sizeof events, "\"previous_role\":\"host\"", &found);
    CU_ASSERT(found);
    CU_ASSERT(strstr(events, "chat_intent consent_ignored ") != NULL);
    read_events(logf, events, sizeof events, "\"reason\":\"not_informed\"", &found);
    CU_ASSERT(found);
    rg_session_free(s);
    unlink(keyf);
    unlink(logf);
    rmdir(dir);
}

int main(void)
{
    char err[RG_ERRBUF_SIZE];
    if (rg_policy_parse(POLICY, strlen(POLICY), "test", &policy, err) != RG_OK) {
        fprintf(stderr, "policy: %s\n", err);
        return 1;
    }
    static const rg_test tests[] = {
        {"parameters are checked", test_params_checked},
        {"zero capture before the gate", test_zero_capture_before_gate},
        {"sink start failure fails closed", test_sink_start_failure_fails_closed},
        {"loss counted per captured track", test_loss_counted},
        {"sink frame failure fails closed", test_sink_frame_failure_fails_closed},
        {"notice failure refuses", test_notice_failure},
        {"unclassifiable chat is an objection", test_unclassifiable_chat_is_objection},
        {"out-of-order chat is an objection, now", test_out_of_order_chat_is_objection},
        {"consent mode", test_consent_mode},
        {"bad event order", test_bad_event_order},
        {"audit trail", test_audit_trail},
        {"stop notice states the real cause", test_stop_says_real_cause},
        {"stop after objection says deleted", test_stop_after_objection_says_deleted},
        {"refusal says what is kept", test_refusal_says_what_is_kept},
        {"operator stop", test_operator_stop},
        {"leave when alone", test_leave_when_alone},
        {"max duration", test_max_duration},
        {"connection lost", test_connection_lost},
        {"mixed audio", test_mixed_audio},
        {"consent before the notice is ignored", test_consent_before_notice},
        {"roles and ignored consent on the record", test_roles_and_ignored_consent_on_record},
        {NULL, NULL},
    };
    int rc = rg_test_run("session", tests);
    rg_policy_free(policy);
    return rc;
}
