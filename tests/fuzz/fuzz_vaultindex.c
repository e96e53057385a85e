/* libFuzzer target: the vault's track index parser and its ordering check
 * (plugin/recording/vaultread.c: rg_vault_read_track,
 * rg_vault_segments_check). index.json is plain and attacker-writable.
 * Invariants: never crashes; a parsed index has strictly increasing seq,
 * file names that match seq, an open segment after the last sealed one, a
 * closed track with segments (unless shredded) and end_ms not before its
 * last segment; the ordering check accepts exactly seq 0..n-1. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void cleanup(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/tracks/t1/index.json", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/tracks/t1", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/tracks", dir);
    rmdir(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128], err[RG_ERRBUF_SIZE] = "";
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/rg_fuzz_index_XXXXXX");
        if (!mkdtemp(dir))
            abort();
        snprintf(path, sizeof path, "%s/tracks", dir);
        mkdir(path, 0700);
        snprintf(path, sizeof path, "%s/tracks/t1", dir);
        mkdir(path, 0700);
        atexit(cleanup);
    }
    snprintf(path, sizeof path, "%s/tracks/t1/index.json", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
        abort();
    close(fd);
    rg_vault_track_info info;
    if (rg_vault_read_track(dir, "t1", &info, err) != RG_OK) {
        if (!strstr(err, "index.json"))
            abort();
        return 0;
    }
    int contiguous = 1;
    for (size_t i = 0; i < info.nsegs; i++) {
        char want[32];
        snprintf(want, sizeof want, "%06u.age", info.segs[i].seq);
        if (strcmp(want, info.segs[i].file) ||
            (i && info.segs[i].seq <= info.segs[i - 1].seq) ||
            info.segs[i].to_ms < info.segs[i].from_ms)
            abort();
        contiguous &= info.segs[i].seq == i;
    }
    if (info.has_open && info.nsegs && info.open_seq <= info.segs[info.nsegs - 1].seq)
        abort();
    if (info.closed && !info.shredded && !info.nsegs)
        abort();
    if (info.closed && info.nsegs && info.end_ms < info.segs[info.nsegs - 1].to_ms)
        abort();
    size_t usable = 0;
    int dropped = 0;
    rg_err e = rg_vault_segments_check(dir, &info, NULL, &usable, &dropped, err);
    if ((e == RG_OK) != contiguous || (e == RG_OK && usable != info.nsegs) || dropped)
        abort();
    rg_vault_track_info_free(&info);
    return 0;
}
