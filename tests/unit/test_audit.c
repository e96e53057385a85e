/* Audit log: write a real log, then tamper with it in every way the issue
 * names and check the verifier blames the right line. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "audit.h"
#include "testutil.h"

static const uint8_t KEY[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                                14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
                                25, 26, 27, 28, 29, 30, 31, 32};

static char tmpdir[256];

static void mk_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/rg_audit_test.XXXXXX");
    CU_ASSERT_FATAL(mkdtemp(tmpdir) != NULL);
}

static void rm_tmpdir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    CU_ASSERT(system(cmd) == 0);
}

static char *path_in(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    return p;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b)
        b[n] = '\0';
    *len = (size_t)n;
    return b;
}

static void spit(const char *path, const char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT(fwrite(buf, 1, len, f) == len);
    fclose(f);
}

static cJSON *obj(const char *json)
{
    cJSON *o = cJSON_Parse(json);
    CU_ASSERT_FATAL(o != NULL);
    return o;
}

static void add(rg_audit *log, const char *event, const char *json,
                int64_t t_ms)
{
    cJSON *f = json ? obj(json) : NULL;
    CU_ASSERT_EQUAL(rg_audit_append(log, event, f, t_ms, true), RG_OK);
    cJSON_Delete(f);
}

/* A realistic session: 29 events + checkpoint = 30 lines. */
static void write_session(const char *path, bool checkpoint)
{
    rg_audit *log = NULL;
    char err[RG_ERRBUF_SIZE] = "";
    char pa[RG_PSEUDONYM_LEN], pb[RG_PSEUDONYM_LEN], pc[RG_PSEUDONYM_LEN];
    char buf[512];
    CU_ASSERT_EQUAL_FATAL(rg_audit_open(path, KEY, &log, err), RG_OK);
    rg_audit_pseudonym(KEY, "zoom:alice", pa);
    rg_audit_pseudonym(KEY, "zoom:bob", pb);
    rg_audit_pseudonym(KEY, "zoom:carol", pc);
    add(log, "session_start",
        "{\"meeting\":\"m-1\",\"meeting_type\":\"case_meeting\","
        "\"legal_basis\":\"opt_out\",\"window_s\":60,\"retention_days\":90,"
        "\"language\":\"da\",\"policy_sha256\":\"00ff\",\"version\":\"0.1.0\"}",
        0);
    snprintf(buf, sizeof buf, "{\"participant\":\"%s\",\"role\":\"host\"}", pa);
    add(log, "join", buf, 10);
    snprintf(buf, sizeof buf, "{\"participant\":\"%s\",\"role\":\"guest\"}", pb);
    add(log, "join", buf, 20);
    for (int i = 0; i < 2; i++)
        add(log, "announcement",
            i ? "{\"to\":\"all\",\"language\":\"en\",\"text_sha256\":\"ab\","
                "\"delivered\":true,\"kind\":\"initial\"}"
              : "{\"to\":\"all\",\"language\":\"da\",\"text_sha256\":\"cd\","
                "\"delivered\":true,\"kind\":\"initial\"}",
            100);
    snprintf(buf, sizeof buf,
             "{\"participant\":\"%s\",\"label\":\"consent\",\"private\":false,"
             "\"msg_no\":1}", pb);
    add(log, "chat_intent", buf, 5000);
    snprintf(buf, sizeof buf, "{\"participants\":[\"%s\",\"%s\"],"
             "\"reason\":\"window passed\"}", pa, pb);
    add(log, "gate_open", buf, 60100);
    for (int i = 0; i < 4; i++) {
        snprintf(buf, sizeof buf, "{\"track\":\"%s/audio\",\"participant\":"
                 "\"%s\",\"kind\":\"audio\"}", i % 2 ? pb : pa, i % 2 ? pb : pa);
        add(log, i < 2 ? "capture_start" : "capture_stop", buf, 60100 + i);
    }
    snprintf(buf, sizeof buf, "{\"participant\":\"%s\",\"role\":\"guest\"}", pc);
    add(log, "join", buf, 70000);
    snprintf(buf, sizeof buf, "{\"to\":\"%s\",\"language\":\"da\","
             "\"text_sha256\":\"ef\",\"delivered\":false,"
             "\"error\":\"send \\\"failed\\\"\\n\",\"kind\":\"late_joiner\"}", pc);
    add(log, "announcement", buf, 70001);
    snprintf(buf, sizeof buf, "{\"participant\":\"%s\",\"label\":\"objection\","
             "\"private\":true,\"msg_no\":2}", pc);
    add(log, "chat_intent", buf, 80000);
    add(log, "gate_close", "{\"reason\":\"objection\"}", 80000);
    snprintf(buf, sizeof buf, "{\"participant\":\"%s\"}", pc);
    add(log, "leave", buf, 90000);
    add(log, "refused", "{\"reason\":\"objection\",\"detail\":\"æøå 日本\"}", 90001);
    for (int i = 0; i < 12; i++) {
        static const char *const ev[] = {"hold", "release", "export", "decrypt",
                                         "upload", "purge", "withdrawal"};
        snprintf(buf, sizeof buf, "{\"recording\":\"r-%d\",\"by\":\"admin\","
                 "\"n\":%d,\"ok\":%s,\"x\":null}", i, i * 1000,
                 i % 2 ? "true" : "false");
        add(log, ev[i % 7], buf, i % 3 ? -1 : 100000 + i);
    }
    CU_ASSERT_EQUAL(rg_audit_lines(log), 29);
    if (checkpoint)
        CU_ASSERT_EQUAL(rg_audit_checkpoint(log), RG_OK);
    rg_audit_close(log);
}

/* Line starts: starts[i] = offset of line i+1; starts[n] = len. */
static size_t line_starts(const char *b, size_t len, size_t *starts)
{
    size_t n = 0;
    starts[n++] = 0;
    for (size_t i = 0; i < len; i++)
        if (b[i] == '\n' && i + 1 < len)
            starts[n++] = i + 1;
    starts[n] = len;
    return n;
}

static uint8_t mac_key[32];

static rg_err vmem(const char *b, size_t len, bool keyed, rg_audit_report *r)
{
    return rg_audit_verify_mem(b, len, keyed ? mac_key : NULL, "t", r, NULL,
                               NULL);
}

static char *log_buf;
static size_t log_len, n_lines, starts[64];

static void load_log(void)
{
    mk_tmpdir();
    write_session(path_in("a.log"), true);
    log_buf = slurp(path_in("a.log"), &log_len);
    CU_ASSERT_FATAL(log_buf != NULL);
    n_lines = line_starts(log_buf, log_len, starts);
    CU_ASSERT_EQUAL(n_lines, 30);
    CU_ASSERT_EQUAL(rg_audit_derive(KEY, RG_AUDIT_SUBKEY_MAC, mac_key), RG_OK);
}

static void unload_log(void)
{
    free(log_buf);
    log_buf = NULL;
    rm_tmpdir();
}

static size_t line_of(size_t off)
{
    size_t l = 0;
    while (l + 1 < n_lines && starts[l + 1] <= off)
        l++;
    return l + 1;
}

static void test_intact(void)
{
    rg_audit_report r;
    char err[RG_ERRBUF_SIZE] = "";
    struct stat st;
    load_log();
    CU_ASSERT_EQUAL(stat(path_in("a.log"), &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    CU_ASSERT_EQUAL(rg_audit_verify(path_in("a.log"), KEY, &r, err), RG_OK);
    CU_ASSERT(r.ok && r.checkpointed && r.macs_checked && !r.unclosed);
    CU_ASSERT_EQUAL(r.lines, 30);
    CU_ASSERT_EQUAL(r.first_bad_line, 0);
    CU_ASSERT_EQUAL(strlen(r.head), 64);
    CU_ASSERT(strstr(log_buf, "\"event\":\"checkpoint\",\"lines\":30,") != NULL);
    CU_ASSERT(strstr(log_buf, "\"send \\\"failed\\\"\\n\"") != NULL);
    CU_ASSERT(strncmp(log_buf, "{\"seq\":1,\"ts\":\"", 15) == 0);
    unload_log();
}

/* Every byte of every line, each bit position in turn. */
static void test_every_byte_flip(void)
{
    rg_audit_report r;
    load_log();
    char *b = malloc(log_len);
    size_t wrong = 0;
    for (size_t i = 0; i < log_len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            memcpy(b, log_buf, log_len);
            b[i] ^= (char)(1 << ((bit + i) % 8));
            rg_err e = vmem(b, log_len, true, &r);
            if (e == RG_OK || r.first_bad_line != line_of(i)) {
                if (wrong++ < 5)
                    fprintf(stderr, "flip at %zu (line %zu): err %d line %llu: %s\n",
                            i, line_of(i), e,
                            (unsigned long long)r.first_bad_line, r.problem);
            }
        }
    }
    CU_ASSERT_EQUAL(wrong, 0);
    free(b);
    unload_log();
}

/* Without the key, only the chain: an edit shows at its line or the next;
 * (an edit of the last line may go unseen: that is what the MAC is for). */
static void test_chain_only(void)
{
    rg_audit_report r;
    load_log();
    CU_ASSERT_EQUAL(vmem(log_buf, log_len, false, &r), RG_OK);
    CU_ASSERT(r.ok && !r.macs_checked);
    char *b = malloc(log_len);
    size_t wrong = 0;
    for (size_t i = 0; i < starts[n_lines - 1]; i++) {
        memcpy(b, log_buf, log_len);
        b[i] ^= 0x04;
        rg_err e = vmem(b, log_len, false, &r);
        if (e == RG_OK || r.first_bad_line < line_of(i) ||
            r.first_bad_line > line_of(i) + 1)
            wrong++;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    free(b);
    /* the wrong key fails at line 1; no key passes */
    rg_audit_report r2;
    uint8_t k2[32];
    memcpy(k2, KEY, 32);
    k2[31] ^= 1;
    CU_ASSERT_EQUAL(rg_audit_verify_buf(log_buf, log_len, k2, "t", &r2, NULL),
                    RG_ERR_AUTH);
    CU_ASSERT_EQUAL(r2.first_bad_line, 1);
    CU_ASSERT(strstr(r2.problem, "wrong key") != NULL);
    unload_log();
}

/* Build a file from line indexes (0-based) of the log. */
static size_t assemble(char *out, const size_t *idx, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t a = starts[idx[i]], z = starts[idx[i] + 1];
        memcpy(out + len, log_buf + a, z - a);
        len += z - a;
    }
    return len;
}

static void test_drop_swap_insert(void)
{
    rg_audit_report r;
    size_t idx[64];
    load_log();
    char *b = malloc(2 * log_len);
    for (bool keyed = false;; keyed = true) {
        /* drop line d: blamed on the line now at d (after the gap) */
        for (size_t d = 0; d < n_lines; d++) {
            size_t m = 0;
            for (size_t i = 0; i < n_lines; i++)
                if (i != d)
                    idx[m++] = i;
            CU_ASSERT_NOT_EQUAL(vmem(b, assemble(b, idx, m), keyed, &r), RG_OK);
            CU_ASSERT_EQUAL(r.first_bad_line, d + 1);
        }
        /* swap d and d+1 */
        for (size_t d = 0; d + 1 < n_lines; d++) {
            for (size_t i = 0; i < n_lines; i++)
                idx[i] = i;
            idx[d] = d + 1;
            idx[d + 1] = d;
            CU_ASSERT_EQUAL(vmem(b, assemble(b, idx, n_lines), keyed, &r),
                            RG_ERR_AUTH);
            CU_ASSERT_EQUAL(r.first_bad_line, d + 1);
        }
        /* insert a copy of line c before position p */
        for (size_t c = 0; c < n_lines; c++)
            for (size_t p = 0; p <= n_lines; p++) {
                size_t m = 0;
                for (size_t i = 0; i <= n_lines; i++) {
                    if (i == p)
                        idx[m++] = c;
                    if (i < n_lines)
                        idx[m++] = i;
                }
                CU_ASSERT_NOT_EQUAL(vmem(b, assemble(b, idx, m), keyed, &r),
                                    RG_OK);
                /* a copy right before its original reads as the original */
                CU_ASSERT_EQUAL(r.first_bad_line, p == c ? c + 2 : p + 1);
            }
        if (keyed)
            break;
    }
    free(b);
    unload_log();
}

/* Cut the file at every byte: the first missing byte's line is blamed. */
static void test_cut_tail(void)
{
    rg_audit_report r;
    char err[RG_ERRBUF_SIZE];
    load_log();
    for (size_t cut = 0; cut < log_len; cut++) {
        rg_err e = vmem(log_buf, cut, true, &r);
        CU_ASSERT_NOT_EQUAL(e, RG_OK);
        CU_ASSERT_EQUAL(r.first_bad_line, line_of(cut));
        if (cut == 0) {
            CU_ASSERT_EQUAL(e, RG_ERR_FORMAT);
        } else {
            CU_ASSERT_EQUAL(e, RG_ERR_TRUNCATED);
            bool boundary = log_buf[cut - 1] == '\n';
            CU_ASSERT_EQUAL(r.unclosed, boundary);
            CU_ASSERT(strstr(r.problem, boundary ? "ends without checkpoint"
                                                 : "incomplete last line") != NULL);
        }
    }
    /* the message names the line */
    spit(path_in("cut.log"), log_buf, starts[5]);
    CU_ASSERT_EQUAL(rg_audit_verify(path_in("cut.log"), KEY, &r, err),
                    RG_ERR_TRUNCATED);
    CU_ASSERT(strstr(err, "line 6: ends without checkpoint after line 5") != NULL);
    unload_log();
}

static void test_bad_files(void)
{
    rg_audit_report r;
    char err[RG_ERRBUF_SIZE];
    mk_tmpdir();
    CU_ASSERT_EQUAL(rg_audit_verify(path_in("none"), KEY, &r, err), RG_ERR_IO);
    CU_ASSERT(strstr(err, "cannot open") != NULL);
    CU_ASSERT_EQUAL(rg_audit_verify(tmpdir, KEY, &r, err), RG_ERR_IO);
    spit(path_in("empty"), "", 0);
    CU_ASSERT_EQUAL(rg_audit_verify(path_in("empty"), KEY, &r, err),
                    RG_ERR_FORMAT);
    CU_ASSERT(strstr(err, "empty file") != NULL);
    spit(path_in("text"), "hello world\n", 12);
    CU_ASSERT_EQUAL(rg_audit_verify(path_in("text"), NULL, &r, err),
                    RG_ERR_FORMAT);
    CU_ASSERT(strstr(err, "line 1: not a recgate audit log") != NULL);
    /* a line over the cap */
    size_t big = RG_AUDIT_MAX_LINE + 100;
    char *b = malloc(big);
    memset(b, 'x', big);
    b[big - 1] = '\n';
    CU_ASSERT_EQUAL(rg_audit_verify_buf(b, big, KEY, "big", &r, err),
                    RG_ERR_PARSE);
    CU_ASSERT(strstr(err, "big: line 1: line longer than") != NULL);
    free(b);
    /* a MACed, chained line that is not JSON: the JSON check still runs */
    uint8_t g[32], mk[32], mac[32];
    unsigned ml = 0;
    char gh[65], mh[65], line[512];
    rg_audit_genesis(g);
    rg_audit_hex(g, 32, gh);
    rg_audit_derive(KEY, RG_AUDIT_SUBKEY_MAC, mk);
    int n = snprintf(line, sizeof line, "{\"seq\":1,\"x\":,\"prev\":\"%s\"", gh);
    HMAC(EVP_sha256(), mk, 32, (unsigned char *)line, (size_t)n, mac, &ml);
    rg_audit_hex(mac, 32, mh);
    snprintf(line + n, sizeof line - (size_t)n, ",\"mac\":\"%s\"}\n", mh);
    CU_ASSERT_EQUAL(rg_audit_verify_buf(line, strlen(line), KEY, "j", &r, err),
                    RG_ERR_PARSE);
    CU_ASSERT(strstr(err, "j: line 1: invalid JSON") != NULL);
    /* same, valid JSON but no ts */
    n = snprintf(line, sizeof line, "{\"seq\":1,\"event\":\"x\",\"prev\":\"%s\"",
                 gh);
    HMAC(EVP_sha256(), mk, 32, (unsigned char *)line, (size_t)n, mac, &ml);
    rg_audit_hex(mac, 32, mh);
    snprintf(line + n, sizeof line - (size_t)n, ",\"mac\":\"%s\"}\n", mh);
    CU_ASSERT_EQUAL(rg_audit_verify_buf(line, strlen(line), KEY, "j", &r, err),
                    RG_ERR_PARSE);
    CU_ASSERT(strstr(err, "ts is not") != NULL);
    rm_tmpdir();
}

static void test_reopen(void)
{
    rg_audit *log = NULL, *log2 = NULL;
    rg_audit_report r;
    char err[RG_ERRBUF_SIZE] = "";
    size_t len = 0;
    mk_tmpdir();
    const char *p = path_in("c.log");
    write_session(p, true);
    /* a later withdrawal appends to a closed log */
    CU_ASSERT_EQUAL_FATAL(rg_audit_open(p, KEY, &log, err), RG_OK);
    CU_ASSERT_EQUAL(rg_audit_lines(log), 31);
    /* one writer at a time */
    CU_ASSERT_EQUAL(rg_audit_open(p, KEY, &log2, err), RG_ERR_STATE);
    CU_ASSERT(log2 == NULL);
    add(log, "withdrawal", "{\"participant\":\"p-1\",\"action\":\"delete_recording\"}", -1);
    CU_ASSERT_EQUAL(rg_audit_checkpoint(log), RG_OK);
    CU_ASSERT_EQUAL(rg_audit_append(log, "purge", NULL, -1, true), RG_ERR_STATE);
    CU_ASSERT_EQUAL(rg_audit_checkpoint(log), RG_ERR_STATE);
    rg_audit_close(log);
    CU_ASSERT_EQUAL(rg_audit_verify(p, KEY, &r, err), RG_OK);
    CU_ASSERT_EQUAL(r.lines, 33);
    char *b = slurp(p, &len);
    CU_ASSERT(strstr(b, "\"seq\":31,") != NULL);
    CU_ASSERT(strstr(b, "\"event\":\"resume\",\"clean\":true,\"after_line\":30,") != NULL);
    free(b);

    /* a crashed (unclosed) log may be continued; the resume line says so */
    const char *q = path_in("d.log");
    write_session(q, false);
    CU_ASSERT_EQUAL(rg_audit_verify(q, KEY, &r, err), RG_ERR_TRUNCATED);
    CU_ASSERT(r.unclosed && r.first_bad_line == 30);
    CU_ASSERT_EQUAL_FATAL(rg_audit_open(q, KEY, &log, err), RG_OK);
    CU_ASSERT_EQUAL(rg_audit_checkpoint(log), RG_OK);
    rg_audit_close(log);
    CU_ASSERT_EQUAL(rg_audit_verify(q, KEY, &r, err), RG_OK);
    b = slurp(q, &len);
    CU_ASSERT(strstr(b, "\"event\":\"resume\",\"clean\":false,\"after_line\":29,") != NULL);

    /* never append to a tampered, foreign-key or cut log */
    char *t = strstr(b, "\"role\":\"guest\"");
    char saved = t[9];
    t[9] = 'G';
    spit(q, b, len);
    CU_ASSERT_EQUAL(rg_audit_open(q, KEY, &log, err), RG_ERR_AUTH);
    CU_ASSERT(strstr(err, "line 3: MAC does not match") != NULL);
    CU_ASSERT(strstr(err, "refusing to append") != NULL);
    size_t len2 = 0;
    char *b2 = slurp(q, &len2);
    CU_ASSERT(len2 == len && !memcmp(b, b2, len));
    free(b2);
    t[9] = saved;
    spit(q, b, len - 10);
    CU_ASSERT_EQUAL(rg_audit_open(q, KEY, &log, err), RG_ERR_TRUNCATED);
    uint8_t k2[32] = {0};
    spit(q, b, len);
    CU_ASSERT_EQUAL(rg_audit_open(q, k2, &log, err), RG_ERR_AUTH);
    CU_ASSERT_EQUAL(rg_audit_open(q, KEY, &log, err), RG_OK);
    rg_audit_close(log);
    free(b);
    rm_tmpdir();
}

static void test_append_args(void)
{
    rg_audit *log = NULL;
    rg_audit_report r;
    char err[RG_ERRBUF_SIZE] = "";
    mk_tmpdir();
    const char *p = path_in("e.log");
    CU_ASSERT_EQUAL_FATAL(rg_audit_open(p, KEY, &log, err), RG_OK);
    static const char *const bad_events[] = {"", "Join", "a b", "checkpoint",
                                             "resume", "x\"y",
                                             "abcdefghijabcdefghijabcdefghijabc"};
    for (size_t i = 0; i < sizeof bad_events / sizeof bad_events[0]; i++)
        CU_ASSERT_EQUAL(rg_audit_append(log, bad_events[i], NULL, -1, false),
                        RG_ERR_ARG);
    static const char *const bad_fields[] = {"{\"seq\":1}", "{\"mac\":\"x\"}",
                                             "{\"prev\":1}", "{\"t_ms\":1}",
                                             "{\"a\":1,\"a\":2}", "[1]", "3"};
    for (size_t i = 0; i < sizeof bad_fields / sizeof bad_fields[0]; i++) {
        cJSON *f = obj(bad_fields[i]);
        CU_ASSERT_EQUAL(rg_audit_append(log, "join", f, -1, false), RG_ERR_ARG);
        cJSON_Delete(f);
    }
    CU_ASSERT_EQUAL(rg_audit_append(log, "join", NULL, -2, false), RG_ERR_ARG);
    /* raw JSON smuggling a reserved member or a newline: refused */
    static const char *const raws[] = {"1,\"seq\":9", "1\n", "{", "1,\"x\":2"};
    for (size_t i = 0; i < sizeof raws / sizeof raws[0]; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddRawToObject(f, "r", raws[i]);
        rg_err e = rg_audit_append(log, "join", f, -1, false);
        cJSON_Delete(f);
        /* "1,\"x\":2" yields a valid line: that one is allowed */
        CU_ASSERT_EQUAL(e, i == 3 ? RG_OK : RG_ERR_ARG);
    }
    /* over the line cap: refused, nothing written */
    char *big = malloc(RG_AUDIT_MAX_LINE);
    memset(big, 'a', RG_AUDIT_MAX_LINE - 1);
    big[RG_AUDIT_MAX_LINE - 1] = '\0';
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "text", big);
    CU_ASSERT_EQUAL(rg_audit_append(log, "join", f, -1, false), RG_ERR_ARG);
    cJSON_Delete(f);
    free(big);
    CU_ASSERT_EQUAL(rg_audit_lines(log), 1);
    CU_ASSERT_EQUAL(rg_audit_append(log, "join", NULL, -1, false), RG_OK);
    CU_ASSERT_EQUAL(rg_audit_checkpoint(log), RG_OK);
    rg_audit_close(log);
    CU_ASSERT_EQUAL(rg_audit_verify(p, KEY, &r, err), RG_OK);
    CU_ASSERT_EQUAL(r.lines, 3);
    /* an empty existing file is a new log */
    spit(path_in("f.log"), "", 0);
    CU_ASSERT_EQUAL(rg_audit_open(path_in("f.log"), KEY, &log, err), RG_OK);
    CU_ASSERT_EQUAL(rg_audit_lines(log), 0);
    rg_audit_close(log);
    CU_ASSERT_EQUAL(rg_audit_open(path_in("no/such/dir.log"), KEY, &log, err),
                    RG_ERR_IO);
    rm_tmpdir();
}

static void test_pseudonym(void)
{
    char a[RG_PSEUDONYM_LEN], a2[RG_PSEUDONYM_LEN], b[RG_PSEUDONYM_LEN],
        c[RG_PSEUDONYM_LEN];
    uint8_t k2[32];
    memcpy(k2, KEY, 32);
    k2[0] ^= 0x80;
    CU_ASSERT_EQUAL(rg_audit_pseudonym(KEY, "teams:alice@example.com", a), RG_OK);
    CU_ASSERT_EQUAL(rg_audit_pseudonym(KEY, "teams:alice@example.com", a2), RG_OK);
    CU_ASSERT_EQUAL(rg_audit_pseudonym(KEY, "teams:bob@example.com", b), RG_OK);
    CU_ASSERT_EQUAL(rg_audit_pseudonym(k2, "teams:alice@example.com", c), RG_OK);
    CU_ASSERT_STRING_EQUAL(a, a2);
    CU_ASSERT_STRING_NOT_EQUAL(a, b);
    CU_ASSERT_STRING_NOT_EQUAL(a, c);
    CU_ASSERT_EQUAL(strlen(a), RG_PSEUDONYM_LEN - 1);
    CU_ASSERT(a[0] == 'p' && a[1] == '-' &&
              strspn(a + 2, "0123456789abcdef") == 16);
    CU_ASSERT(strstr(a, "alice") == NULL);
    CU_ASSERT_EQUAL(rg_audit_pseudonym(KEY, NULL, a), RG_ERR_ARG);
}

static void test_key_file(void)
{
    uint8_t k[32], k2[32];
    char err[RG_ERRBUF_SIZE] = "";
    struct stat st;
    mk_tmpdir();
    const char *p = path_in("audit.key");
    CU_ASSERT_EQUAL(rg_audit_key_generate(p, err), RG_OK);
    CU_ASSERT_EQUAL(stat(p, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    CU_ASSERT_EQUAL(st.st_size, 65);
    CU_ASSERT_EQUAL(rg_audit_key_generate(p, err), RG_ERR_REFUSED);
    CU_ASSERT(strstr(err, "refusing to overwrite") != NULL);
    CU_ASSERT_EQUAL(rg_audit_key_load(p, k, err), RG_OK);
    /* group- or world-accessible: refused */
    chmod(p, 0640);
    CU_ASSERT_EQUAL(rg_audit_key_load(p, k2, err), RG_ERR_PERMISSION);
    CU_ASSERT(strstr(err, "mode 0640") != NULL);
    CU_ASSERT(strstr(err, "chmod 600") != NULL);
    chmod(p, 0604);
    CU_ASSERT_EQUAL(rg_audit_key_load(p, k2, err), RG_ERR_PERMISSION);
    chmod(p, 0400);
    CU_ASSERT_EQUAL(rg_audit_key_load(p, k2, err), RG_OK);
    CU_ASSERT(memcmp(k, k2, 32) == 0);
    /* the same key in hex (upper case, CRLF) and base64 */
    const char *hex = "0102030405060708090A0B0C0D0E0F10"
                      "1112131415161718191a1b1c1d1e1f20\r\n";
    const char *b64 = "  AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n";
    const char *forms[] = {hex, b64};
    for (int i = 0; i < 2; i++) {
        const char *q = path_in(i ? "b64.key" : "hex.key");
        int fd = open(q, O_WRONLY | O_CREAT | O_EXCL, 0600);
        CU_ASSERT(write(fd, forms[i], strlen(forms[i])) == (ssize_t)strlen(forms[i]));
        close(fd);
        memset(k2, 0, 32);
        CU_ASSERT_EQUAL(rg_audit_key_load(q, k2, err), RG_OK);
        CU_ASSERT(memcmp(k2, KEY, 32) == 0);
    }
    static const char *const junk[] = {"", "0102", "zz02030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
                                       "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHy==",
                                       "0102030405060708090a0b0c0d0e0f10 1112131415161718191a1b1c1d1e1f20"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        const char *q = path_in("junk.key");
        unlink(q);
        int fd = open(q, O_WRONLY | O_CREAT | O_EXCL, 0600);
        CU_ASSERT(write(fd, junk[i], strlen(junk[i])) == (ssize_t)strlen(junk[i]));
        close(fd);
        CU_ASSERT_EQUAL(rg_audit_key_load(q, k2, err), RG_ERR_FORMAT);
        CU_ASSERT(strstr(err, "not an audit key") != NULL);
    }
    CU_ASSERT_EQUAL(rg_audit_key_load(path_in("missing.key"), k2, err), RG_ERR_IO);
    CU_ASSERT_EQUAL(rg_audit_key_load(tmpdir, k2, err), RG_ERR_FORMAT);
    rm_tmpdir();
}

int main(void)
{
    static const rg_test tests[] = {
        {"intact log verifies", test_intact},
        {"every byte flip blamed on its line", test_every_byte_flip},
        {"chain-only mode and wrong key", test_chain_only},
        {"dropped, swapped, inserted lines", test_drop_swap_insert},
        {"tail cut at every byte", test_cut_tail},
        {"not a log, empty, too long, bad JSON", test_bad_files},
        {"reopen and continue, refuse tampered", test_reopen},
        {"append argument checks", test_append_args},
        {"pseudonyms", test_pseudonym},
        {"key file", test_key_file},
        {NULL, NULL}};
    return rg_test_run("audit", tests);
}
