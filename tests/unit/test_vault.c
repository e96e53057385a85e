/* Vault writer/reader: segmenting by media and wall time, keyring, put
 * files, verify findings, shredding, no plaintext on disk. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "agefile.h"
#include "keyring.h"
#include "vault.h"
#include "testutil.h"

static rg_age_identity org;
static char org_rcpt[RG_AGE_RECIPIENT_STRLEN + 1];
static const char *rcpts[1] = {org_rcpt};
static long long fake_now;

static long long clock_fn(void *ctx)
{
    (void)ctx;
    return fake_now;
}

static void mkrec(char *dir, size_t sz)
{
    snprintf(dir, sz, "/tmp/rg_vault_XXXXXX");
    CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
    strcat(dir, "/rec"); /* the vault creates the recording dir itself */
}

static void rmrec(const char *dir)
{
    char cmd[600];
    /* dir is /tmp/rg_vault_XXXXXX/rec: remove the mkdtemp parent. */
    snprintf(cmd, sizeof cmd, "rm -rf '%.*s'", (int)(strlen(dir) - 4), dir);
    CU_ASSERT(system(cmd) == 0);
}

typedef struct membuf {
    unsigned char *p;
    size_t len;
} membuf;

static rg_err mem_sink(void *ctx, const void *d, size_t len)
{
    membuf *m = ctx;
    m->p = realloc(m->p, m->len + len);
    memcpy(m->p + m->len, d, len);
    m->len += len;
    return RG_OK;
}

/* One record per 100 ms of media, 1000 bytes, marked with "SECRET". */
static void record(unsigned char *buf, int i)
{
    memset(buf, 'a' + i % 26, 1000);
    memcpy(buf, "SECRET", 6);
}

static rg_vault *write_two_tracks(const char *dir, int segment_s, int end_ms)
{
    rg_vault *v = NULL;
    rg_vault_track *t1, *t2;
    char err[RG_ERRBUF_SIZE] = "";
    unsigned char buf[1000];
    CU_ASSERT_FATAL(rg_vault_open(dir, rcpts, 1, segment_s, &v, err) == RG_OK);
    rg_vault_set_clock(v, clock_fn, NULL);
    fake_now = 0;
    CU_ASSERT_FATAL(rg_vault_track_open(v, "t1", 0, &t1) == RG_OK);
    CU_ASSERT_FATAL(rg_vault_track_open(v, "t2", 0, &t2) == RG_OK);
    for (int i = 0; i * 100 < end_ms; i++) {
        record(buf, i);
        CU_ASSERT(rg_vault_track_write(t1, i * 100, buf, sizeof buf) == RG_OK);
        CU_ASSERT(rg_vault_track_write(t2, i * 100, buf, 10) == RG_OK);
    }
    CU_ASSERT(rg_vault_track_close(t1, end_ms) == RG_OK);
    CU_ASSERT(rg_vault_track_close(t2, end_ms) == RG_OK);
    return v;
}

static void test_segments_by_media_time(void)
{
    char dir[256], err[RG_ERRBUF_SIZE] = "";
    mkrec(dir, sizeof dir);
    rg_vault *v = write_two_tracks(dir, 5, 12000);
    CU_ASSERT(rg_vault_close(v) == RG_OK);
    rg_vault_track_info info;
    CU_ASSERT_FATAL(rg_vault_read_track(dir, "t1", &info, err) == RG_OK);
    CU_ASSERT_EQUAL(info.nsegs, 3);
    CU_ASSERT(info.closed && !info.has_open && info.end_ms == 12000);
    if (info.nsegs == 3) {
        CU_ASSERT(info.segs[0].from_ms == 0 && info.segs[0].to_ms == 5000);
        CU_ASSERT(info.segs[1].from_ms == 5000 && info.segs[1].to_ms == 10000);
        CU_ASSERT(info.segs[2].from_ms == 10000 && info.segs[2].to_ms == 12000);
        CU_ASSERT_EQUAL(info.segs[0].plain_bytes, 50 * 1000);
        CU_ASSERT_EQUAL(info.segs[2].plain_bytes, 20 * 1000);
    }
    rg_vault_track_info_free(&info);
    /* Whole-track decryption with the org identity = what was written. */
    membuf m = {0};
    CU_ASSERT(rg_vault_track_decrypt(dir, "t1", &org, 1, NULL, mem_sink, &m, NULL, err) == RG_OK);
    CU_ASSERT_EQUAL(m.len, 120 * 1000);
    unsigned char buf[1000];
    for (int i = 0; i < 120 && m.len == 120000; i++) {
        record(buf, i);
        CU_ASSERT(memcmp(m.p + i * 1000, buf, 1000) == 0);
    }
    free(m.p);
    /* The keyring entry opens with the org key and holds t1's key. */
    rg_age_identity *k = NULL;
    size_t nk = 0;
    CU_ASSERT(rg_keyring_load(dir, "t1", &org, 1, &k, &nk, err) == RG_OK);
    CU_ASSERT_EQUAL(nk, 1);
    /* ... and that key alone opens the track too. */
    m.p = NULL;
    m.len = 0;
    CU_ASSERT(rg_vault_track_decrypt(dir, "t1", k, nk, NULL, mem_sink, &m, NULL, err) == RG_OK);
    CU_ASSERT_EQUAL(m.len, 120000);
    free(m.p);
    /* But not t2. */
    CU_ASSERT(rg_vault_track_decrypt(dir, "t2", k, nk, NULL, mem_sink, &m, NULL, err) != RG_OK);
    rg_agekey_free_identities(k, nk);
    rg_vault_report rep;
    CU_ASSERT(rg_vault_verify(dir, &org, 1, &rep, err) == RG_OK);
    CU_ASSERT_EQUAL(rep.problems, 0);
    CU_ASSERT_EQUAL(rep.segments, 6);
    CU_ASSERT_EQUAL(rep.segments_ok, 6);
    CU_ASSERT(rep.decrypted);
    rg_vault_report_free(&rep);
    rmrec(dir);
}

static void test_wall_clock_sealing(void)
{
    char dir[256], err[RG_ERRBUF_SIZE] = "";
    rg_vault *v = NULL;
    rg_vault_track *t;
    mkrec(dir, sizeof dir);
    CU_ASSERT_FATAL(rg_vault_open(dir, rcpts, 1, 5, &v, err) == RG_OK);
    rg_vault_set_clock(v, clock_fn, NULL);
    fake_now = 1000;
    CU_ASSERT_FATAL(rg_vault_track_open(v, "a", 0, &t) == RG_OK);
    /* Media time stands still, wall time passes: the write seals. */
    CU_ASSERT(rg_vault_track_write(t, 0, "x", 1) == RG_OK);
    fake_now += 5000;
    CU_ASSERT(rg_vault_track_write(t, 0, "y", 1) == RG_OK);
    /* An idle track is sealed by tick once segment_s has passed. */
    CU_ASSERT(rg_vault_tick(v) == RG_OK); /* too early: nothing */
    fake_now += 5000;
    CU_ASSERT(rg_vault_tick(v) == RG_OK);
    fake_now += 5000;
    CU_ASSERT(rg_vault_tick(v) == RG_OK); /* empty segment: not sealed */
    rg_vault_track_info info;
    CU_ASSERT_FATAL(rg_vault_read_track(dir, "a", &info, err) == RG_OK);
    CU_ASSERT_EQUAL(info.nsegs, 2);
    CU_ASSERT(info.has_open && !info.closed);
    rg_vault_track_info_free(&info);
    CU_ASSERT(rg_vault_close(v) == RG_OK);
    membuf m = {0};
    CU_ASSERT(rg_vault_track_decrypt(dir, "a", &org, 1, NULL, mem_sink, &m, NULL, err) == RG_OK);
    CU_ASSERT(m.len == 2 && memcmp(m.p, "xy", 2) == 0);
    free(m.p);
    rmrec(dir);
}

static int file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    static char buf[1 << 20];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    return memmem(buf, n, needle, strlen(needle)) != NULL;
}

static int tree_contains(const char *dir, const char *needle)
{
    char path[1024];
    int hit = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        hit |= S_ISDIR(st.st_mode) ? tree_contains(path, needle)
                                   : file_contains(path, needle);
    }
    if (d)
        closedir(d);
    return hit;
}

static void test_nothing_plain_on_disk(void)
{
    char dir[256], err[RG_ERRBUF_SIZE] = "";
    mkrec(dir, sizeof dir);
    rg_vault *v = write_two_tracks(dir, 2, 5000);
    CU_ASSERT(rg_vault_put_file(v, "manifest.json", "SECRET manifest", 15) == RG_OK);
    CU_ASSERT(rg_vault_put_file(v, "../evil", "x", 1) == RG_ERR_ARG);
    CU_ASSERT(rg_vault_close(v) == RG_OK);
    CU_ASSERT(!tree_contains(dir, "SECRET"));
    CU_ASSERT(!tree_contains(dir, "AGE-SECRET-KEY"));
    char path[512];
    snprintf(path, sizeof path, "%s/manifest.json.age", dir);
    unsigned char *pt = NULL;
    size_t ptlen = 0;
    membuf m = {0};
    CU_ASSERT(rg_age_decrypt_file(path, &org, 1, mem_sink, &m, err) == RG_OK);
    CU_ASSERT(m.len == 15 && memcmp(m.p, "SECRET manifest", 15) == 0);
    free(m.p);
    free(pt);
    (void)ptlen;
    rmrec(dir);
}

static void test_bad_arguments(void)
{
    char dir[256], err[RG_ERRBUF_SIZE] = "";
    rg_vault *v = NULL, *v2 = NULL;
    rg_vault_track *t;
    const char *bad[1] = {"age1notarecipient"};
    mkrec(dir, sizeof dir);
    CU_ASSERT(rg_vault_open(dir, bad, 1, 5, &v, err) == RG_ERR_PARSE);
    CU_ASSERT(strstr(err, "organisation recipient 1") != NULL);
    CU_ASSERT(rg_vault_open(dir, rcpts, 0, 5, &v, err) == RG_ERR_ARG);
    const char *secret[1] = {"AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"};
    CU_ASSERT(rg_vault_open(dir, secret, 1, 5, &v, err) == RG_ERR_REFUSED);
    CU_ASSERT(strstr(err, "SECRET key") != NULL);
    CU_ASSERT_FATAL(rg_vault_open(dir, rcpts, 1, 0, &v, err) == RG_OK);
    CU_ASSERT(rg_vault_open(dir, rcpts, 1, 5, &v2, err) == RG_ERR_STATE);
    CU_ASSERT(rg_vault_track_open(v, "../x", 0, &t) == RG_ERR_ARG);
    CU_ASSERT(rg_vault_track_open(v, "", 0, &t) == RG_ERR_ARG);
    CU_ASSERT(rg_vault_track_open(v, "Alice Smith", 0, &t) == RG_ERR_ARG);
    CU_ASSERT(rg_vault_track_open(v, "t1", 0, &t) == RG_OK);
    CU_ASSERT(rg_vault_track_open(v, "t1", 0, &t) == RG_ERR_STATE);
    CU_ASSERT(rg_vault_close(v) == RG_OK);
    rmrec(dir);
}

static void corrupt(const char *path, long off)
{
    FILE *f = fopen(path, "r+b");
    CU_ASSERT_FATAL(f != NULL);
    fseek(f, off, off < 0 ? SEEK_END : SEEK_SET);
    int c = fgetc(f);
    fseek(f, -1, SEEK_CUR);
    fputc(c ^ 0x10, f);
    fclose(f);
}

static int has_line(const rg_vault_report *rep, const char *a, const char *b)
{
    for (size_t i = 0; i < rep->nlines; i++)
        if (rep->lines[i].problem && strstr(rep->lines[i].text, a) &&
            (!b || strstr(rep->lines[i].text, b)))
            return 1;
    return 0;
}

static void test_verify_finds_damage(void)
{
    char dir[256], p[512], q[512], err[RG_ERRBUF_SIZE] = "";
    rg_vault_report rep;
    mkrec(dir, sizeof dir);
    rg_vault_close(write_two_tracks(dir, 2, 9000)); /* 5 segments each */
    snprintf(p, sizeof p, "%s/tracks/t1/000001.age", dir);
    corrupt(p, -5);
    snprintf(p, sizeof p, "%s/tracks/t1/000002.age", dir);
    CU_ASSERT(truncate(p, 100) == 0);
    snprintf(p, sizeof p, "%s/tracks/t1/000003.age", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/tracks/t2/000000.age", dir);
    snprintf(q, sizeof q, "%s/tracks/t2/000001.age", dir);
    char tmp[520];
    snprintf(tmp, sizeof tmp, "%s.x", p);
    rename(p, tmp);
    rename(q, p);
    rename(tmp, q);
    CU_ASSERT(rg_vault_verify(dir, NULL, 0, &rep, err) == RG_OK);
    CU_ASSERT(has_line(&rep, "damaged", "t1/000001.age"));
    CU_ASSERT(has_line(&rep, "truncated", "t1/000002.age"));
    CU_ASSERT(has_line(&rep, "missing", "t1/000003.age"));
    CU_ASSERT(has_line(&rep, "damaged", "t2/000000.age"));
    CU_ASSERT(has_line(&rep, "damaged", "t2/000001.age"));
    CU_ASSERT(rep.problems >= 5);
    CU_ASSERT(rep.lost_ms_max >= 2000);
    rg_vault_report_free(&rep);
    /* With the key: the bit flip is caught by its tag as well. */
    CU_ASSERT(rg_vault_verify(dir, &org, 1, &rep, err) == RG_OK);
    CU_ASSERT(!rep.decrypted);
    rg_vault_report_free(&rep);
    membuf m = {0};
    CU_ASSERT(rg_vault_track_decrypt(dir, "t1", &org, 1, NULL, mem_sink, &m, NULL, err) != RG_OK);
    CU_ASSERT(strstr(err, "000001.age") != NULL);
    free(m.p);
    /* A malformed index is named, not crashed on. */
    snprintf(p, sizeof p, "%s/tracks/t2/index.json", dir);
    FILE *f = fopen(p, "w");
    fputs("{\"format\":\"recgate-vault-track/1\",\"track\":\"t2\",\"segments\":7}", f);
    fclose(f);
    CU_ASSERT(rg_vault_verify(dir, NULL, 0, &rep, err) == RG_OK);
    CU_ASSERT(has_line(&rep, "malformed index", "t2/index.json"));
    rg_vault_report_free(&rep);
    rmrec(dir);
}

static void test_shred(void)
{
    char dir[256], p[512], err[RG_ERRBUF_SIZE] = "";
    rg_vault_report rep;
    membuf m = {0};
    mkrec(dir, sizeof dir);
    rg_vault_close(write_two_tracks(dir, 5, 3000));
    CU_ASSERT(rg_vault_shred_track(dir, "t1", err) == RG_OK);
    snprintf(p, sizeof p, "%s/keyring/t1.age", dir);
    CU_ASSERT(access(p, F_OK) != 0);
    CU_ASSERT(rg_vault_track_decrypt(dir, "t1", &org, 1, NULL, mem_sink, &m, NULL, err) != RG_OK);
    CU_ASSERT(m.len == 0);
    CU_ASSERT(rg_vault_track_decrypt(dir, "t2", &org, 1, NULL, mem_sink, &m, NULL, err) == RG_OK);
    CU_ASSERT(m.len == 300);
    free(m.p);
    CU_ASSERT(rg_vault_verify(dir, &org, 1, &rep, err) == RG_OK);
    CU_ASSERT_EQUAL(rep.problems, 0); /* shredded on purpose: a note */
    rg_vault_report_free(&rep);
    CU_ASSERT(rg_vault_shred_track(dir, "t1", err) == RG_ERR_NOT_FOUND);
    CU_ASSERT(rg_vault_shred_track(dir, "../t2", err) == RG_ERR_ARG);
    rmrec(dir);
}

static void test_swapped_keyring_entries(void)
{
    char dir[256], a[512], b[512], tmp[520], err[RG_ERRBUF_SIZE] = "";
    rg_vault_report rep;
    membuf m = {0};
    mkrec(dir, sizeof dir);
    rg_vault_close(write_two_tracks(dir, 5, 1000));
    snprintf(a, sizeof a, "%s/keyring/t1.age", dir);
    snprintf(b, sizeof b, "%s/keyring/t2.age", dir);
    snprintf(tmp, sizeof tmp, "%s.x", a);
    rename(a, tmp);
    rename(b, a);
    rename(tmp, b);
    CU_ASSERT(rg_vault_track_decrypt(dir, "t1", &org, 1, NULL, mem_sink, &m, NULL, err) ==
              RG_ERR_AUTH);
    CU_ASSERT(strstr(err, "does not hold the key of track t1") != NULL);
    CU_ASSERT(m.len == 0);
    CU_ASSERT(rg_vault_verify(dir, &org, 1, &rep, err) == RG_OK);
    CU_ASSERT(has_line(&rep, "cannot check tags of track t1", "does not hold"));
    CU_ASSERT(has_line(&rep, "cannot check tags of track t2", "does not hold"));
    rg_vault_report_free(&rep);
    free(m.p);
    rmrec(dir);
}

/* Issue 12: a recording folder (and its tracks/, keyring/) must be new:
 * an existing folder or a symlink planted where it goes is refused, and a
 * keyring/ replaced by a symlink is never written through. */
static void test_new_folders_only(void)
{
    char dir[64], link[80], target[80], path[200], err[RG_ERRBUF_SIZE] = "";
    rg_vault *v = NULL;
    rg_vault_track *t = NULL;
    struct stat st;
    mkrec(dir, sizeof dir);
    snprintf(target, sizeof target, "%.*s/elsewhere", (int)strlen(dir) - 4, dir);
    CU_ASSERT_FATAL(mkdir(target, 0700) == 0);
    CU_ASSERT_FATAL(mkdir(dir, 0700) == 0); /* pre-existing, empty */
    CU_ASSERT(rg_vault_open(dir, rcpts, 1, 5, &v, err) == RG_ERR_STATE);
    CU_ASSERT(strstr(err, "already exists") != NULL);
    snprintf(link, sizeof link, "%.*s/link", (int)strlen(dir) - 4, dir);
    CU_ASSERT_FATAL(symlink(target, link) == 0);
    CU_ASSERT(rg_vault_open(link, rcpts, 1, 5, &v, err) == RG_ERR_STATE);
    snprintf(path, sizeof path, "%s/vault.json", target);
    CU_ASSERT(stat(path, &st) != 0); /* nothing written through the link */
    /* keyring/ swapped for a symlink while recording: refused. */
    snprintf(path, sizeof path, "%.*s/rec2", (int)strlen(dir) - 4, dir);
    CU_ASSERT_FATAL(rg_vault_open(path, rcpts, 1, 5, &v, err) == RG_OK);
    char kr[220];
    snprintf(kr, sizeof kr, "%s/keyring", path);
    CU_ASSERT_FATAL(rmdir(kr) == 0 && symlink(target, kr) == 0);
    CU_ASSERT(rg_vault_track_open(v, "t1", 0, &t) != RG_OK);
    snprintf(kr, sizeof kr, "%s/t1.age", target);
    CU_ASSERT(stat(kr, &st) != 0);
    rg_vault_close(v);
    rmrec(dir);
}

static void seal_hook(void *ctx, const char *track, const rg_vault_segment *seg)
{
    CU_ASSERT(rg_vault_seal_audit(ctx, track, seg) == RG_OK);
}

/* Issue 12: every sealed segment is bound into the audit log; the one
 * check (rg_vault_segments_check) refuses an index entry that is not, except
 * the last segment of a track cut short between sealing and logging, which
 * is dropped; once capture_stop is logged for the track, even that fails. */
static void test_seals(void)
{
    char dir[64], path[200], err[RG_ERRBUF_SIZE] = "";
    uint8_t key[RG_AUDIT_KEY_LEN];
    rg_vault *v = NULL;
    rg_vault_track *t = NULL;
    rg_audit *log = NULL;
    rg_vault_seals *seals = NULL;
    rg_vault_track_info info;
    unsigned char buf[1000];
    size_t usable = 0;
    int dropped = 0;
    memset(key, 7, sizeof key);
    mkrec(dir, sizeof dir);
    CU_ASSERT_FATAL(rg_vault_open(dir, rcpts, 1, 1, &v, err) == RG_OK);
    rg_vault_set_clock(v, clock_fn, NULL);
    fake_now = 0;
    snprintf(path, sizeof path, "%s/audit.log", dir);
    CU_ASSERT_FATAL(rg_audit_open(path, key, &log, err) == RG_OK);
    rg_vault_set_sealed_hook(v, seal_hook, log);
    CU_ASSERT_FATAL(rg_vault_track_open(v, "t1", 0, &t) == RG_OK);
    for (int i = 0; i < 25; i++) { /* 0.0-2.4 s: seals 000000, 000001 */
        record(buf, i);
        CU_ASSERT(rg_vault_track_write(t, i * 100, buf, sizeof buf) == RG_OK);
    }
    rg_vault_set_sealed_hook(v, NULL, NULL); /* "crash" before logging: */
    CU_ASSERT(rg_vault_track_write(t, 3000, buf, sizeof buf) == RG_OK);
    CU_ASSERT_FATAL(rg_vault_read_track(dir, "t1", &info, err) == RG_OK);
    CU_ASSERT(info.nsegs == 3);
    CU_ASSERT_FATAL(rg_vault_seals_load(dir, key, &seals, err) == RG_OK);
    CU_ASSERT(rg_vault_segments_check(dir, &info, seals, &usable, &dropped, err) == RG_OK);
    CU_ASSERT(usable == 2 && dropped == 1);
    /* track decryption stops before the unbound segment and says so */
    membuf m = {0};
    int cut = 0;
    CU_ASSERT(rg_vault_track_decrypt(dir, "t1", &org, 1, seals, mem_sink, &m,
                                     &cut, err) == RG_OK);
    CU_ASSERT(cut == 1 && strstr(err, "never logged") != NULL);
    CU_ASSERT(m.len == 20 * 1000); /* segments 0 and 1: records 0..19 */
    free(m.p);
    rg_vault_seals_free(seals);
    /* The log says the track stopped: an unbound segment is now forged. */
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "track", "t1");
    CU_ASSERT(rg_audit_append(log, RG_AUDIT_EV_CAPTURE_STOP, f, -1, true) == RG_OK);
    cJSON_Delete(f);
    CU_ASSERT_FATAL(rg_vault_seals_load(dir, key, &seals, err) == RG_OK);
    CU_ASSERT(rg_vault_segments_check(dir, &info, seals, &usable, &dropped, err) == RG_ERR_AUTH);
    CU_ASSERT(strstr(err, "000002.age: not sealed by the recorder") != NULL);
    /* An index SHA-256 rewritten to match other bytes: refused too. */
    info.segs[0].sha256[0] = info.segs[0].sha256[0] == '0' ? '1' : '0';
    CU_ASSERT(rg_vault_segments_check(dir, &info, seals, &usable, &dropped, err) == RG_ERR_AUTH);
    CU_ASSERT(strstr(err, "000000.age: its index does not match") != NULL);
    /* A wrong key: the seals cannot be loaded at all. */
    rg_vault_seals_free(seals);
    seals = NULL;
    key[0] ^= 1;
    CU_ASSERT(rg_vault_seals_load(dir, key, &seals, err) == RG_ERR_AUTH);
    CU_ASSERT(seals == NULL);
    rg_vault_track_info_free(&info);
    rg_audit_close(log);
    rg_vault_close(v);
    rmrec(dir);
}

int main(void)
{
    rg_agekey_generate(&org);
    rg_age_recipient r;
    memcpy(r.pk, org.pk, 32);
    rg_agekey_recipient_format(&r, org_rcpt, sizeof org_rcpt);
    static const rg_test tests[] = {
        {"segments by media time, decrypt, keyring", test_segments_by_media_time},
        {"sealing by wall clock and tick", test_wall_clock_sealing},
        {"no plaintext or secret key on disk", test_nothing_plain_on_disk},
        {"bad arguments refused", test_bad_arguments},
        {"verify finds flipped, truncated, missing, swapped", test_verify_finds_damage},
        {"shred a track", test_shred},
        {"swapped keyring entries detected", test_swapped_keyring_entries},
        {"recording folders must be new, never symlinks", test_new_folders_only},
        {"sealed segments bound into the audit log", test_seals},
        {NULL, NULL},
    };
    int rc = rg_test_run("vault", tests);
    rg_agekey_wipe(&org);
    return rc;
}
