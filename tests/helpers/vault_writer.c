/* Test helper for the vault e2e tests.
 *
 *   vault_writer write RECDIR SEGMENT_S PERIOD_MS DURATION_MS RECORD_BYTES RCPT...
 *       Real-time writer: tracks t1 and t2 each get one record every
 *       PERIOD_MS (media time = elapsed wall time), rg_vault_tick runs
 *       every period. Prints "sealed N" lines as segments close so a test
 *       knows when to SIGKILL it. Closes cleanly after DURATION_MS
 *       (DURATION_MS 0 = no sleeping: write 200 records as fast as possible).
 *       With env VAULT_WRITER_AUDIT_KEY=FILE each sealed segment is bound
 *       into RECDIR/audit.log (a "seal" line), as the recorder does.
 *   vault_writer check TRACK RECORD_BYTES < stream
 *       Checks that stdin is whole records of TRACK numbered 0,1,2,...;
 *       prints the count. Exit 1 on any gap, partial record or garbage. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "audit.h"
#include "vault.h"
#include "fileio.h"

static void seal_hook(void *ctx, const char *track, const rg_vault_segment *seg)
{
    if (rg_vault_seal_audit(ctx, track, seg))
        fprintf(stderr, "vault_writer: cannot log a seal\n");
}

static void make_record(char *buf, size_t size, const char *track,
                        unsigned long n, long long t_ms)
{
    memset(buf, '.', size);
    int l = snprintf(buf, size, "REC %s %010lu %lld ", track, n, t_ms);
    buf[l] = '.';
    buf[size - 1] = '\n';
}

static int count_sealed(const char *recdir)
{
    char path[4200];
    int n = 0;
    snprintf(path, sizeof path, "%s/tracks/t1", recdir);
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l == 10 && !strcmp(de->d_name + 6, ".age"))
            n++;
    }
    if (d)
        closedir(d);
    return n;
}

static int do_write(int argc, char **argv)
{
    if (argc < 8)
        return 2;
    const char *recdir = argv[2];
    int segment_s = atoi(argv[3]);
    long period = atol(argv[4]), duration = atol(argv[5]);
    size_t rsize = (size_t)atol(argv[6]);
    char err[RG_ERRBUF_SIZE] = "";
    rg_vault *v = NULL;
    rg_vault_track *t[2];
    const char *names[2] = {"t1", "t2"};
    if (rsize < 64 || rsize > (1 << 20))
        return 2;
    if (rg_vault_open(recdir, (const char *const *)argv + 7,
                      (size_t)(argc - 7), segment_s, &v, err)) {
        fprintf(stderr, "vault_writer: %s\n", err);
        return 1;
    }
    rg_audit *log = NULL;
    const char *kf = getenv("VAULT_WRITER_AUDIT_KEY");
    if (kf) {
        uint8_t key[RG_AUDIT_KEY_LEN];
        char path[4200];
        snprintf(path, sizeof path, "%s/audit.log", recdir);
        if (rg_audit_key_load(kf, key, err) || rg_audit_open(path, key, &log, err)) {
            fprintf(stderr, "vault_writer: %s\n", err);
            return 1;
        }
        rg_vault_set_sealed_hook(v, seal_hook, log);
    }
    const char manifest[] = "{\"meeting\":\"test\",\"tracks\":[\"t1\",\"t2\"]}";
    if (rg_vault_put_file(v, "manifest.json", manifest, sizeof manifest - 1))
        return 1;
    for (int k = 0; k < 2; k++)
        if (rg_vault_track_open(v, names[k], 0, &t[k])) {
            fprintf(stderr, "vault_writer: %s\n", rg_vault_errmsg(v));
            return 1;
        }
    char *rec = malloc(rsize);
    long long start = rg_vaultio_now_ms(), t_ms = 0;
    int sealed = 0;
    for (unsigned long n = 0;; n++) {
        if (duration == 0 ? n >= 200 : t_ms >= duration)
            break;
        for (int k = 0; k < 2; k++) {
            make_record(rec, rsize, names[k], n, t_ms);
            if (rg_vault_track_write(t[k], t_ms, rec, rsize)) {
                fprintf(stderr, "vault_writer: %s\n", rg_vault_errmsg(v));
                return 1;
            }
        }
        if (rg_vault_tick(v))
            return 1;
        int s = count_sealed(recdir);
        if (s != sealed) {
            sealed = s;
            printf("sealed %d\n", sealed);
            fflush(stdout);
        }
        if (duration) {
            struct timespec ts = {period / 1000, (period % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            t_ms = rg_vaultio_now_ms() - start;
        } else {
            t_ms += period;
        }
    }
    free(rec);
    for (int k = 0; k < 2; k++)
        if (rg_vault_track_close(t[k], t_ms))
            return 1;
    if (rg_vault_close(v))
        return 1;
    if (log && (rg_audit_checkpoint(log) || (rg_audit_close(log), 0)))
        return 1;
    printf("closed\n");
    return 0;
}

static int do_check(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    size_t rsize = (size_t)atol(argv[3]);
    char *buf = malloc(rsize), prefix[96];
    unsigned long n = 0;
    size_t got;
    while ((got = fread(buf, 1, rsize, stdin)) > 0) {
        int pl = snprintf(prefix, sizeof prefix, "REC %s %010lu ", argv[2], n);
        if (got != rsize || memcmp(buf, prefix, (size_t)pl) != 0 ||
            buf[rsize - 1] != '\n') {
            fprintf(stderr, "vault_writer check: record %lu is wrong or "
                    "partial\n", n);
            return 1;
        }
        n++;
    }
    free(buf);
    printf("%lu\n", n);
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 2;
    if (argc > 1 && !strcmp(argv[1], "write"))
        rc = do_write(argc, argv);
    else if (argc > 1 && !strcmp(argv[1], "check"))
        rc = do_check(argc, argv);
    if (rc == 2)
        fprintf(stderr, "usage: vault_writer write RECDIR SEGMENT_S PERIOD_MS "
                "DURATION_MS RECORD_BYTES RCPT... | check TRACK RECORD_BYTES\n");
    return rc;
}
