/* media_probe — test helper for recordings.
 *
 *   media_probe tone FILE.ogg
 *       prints "DURATION_S DOMINANT_HZ RMS" of an Ogg/Opus file
 *   media_probe scan DIR N
 *       looks for plaintext media in every file under DIR: Ogg pages
 *       ("OggS"), Opus headers ("OpusHead"), WebM/RIFF magic, and the first
 *       64 bytes of the simulated platform's PCM frame for each of the
 *       first N participants' tones. Prints each finding; exit 1 if any. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "../unit/media_util.h"
#include "sim/sim.h"

static int findings;

static void scan_file(const char *path, const uint8_t (*sigs)[64], int nsig)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *d = malloc(n > 0 ? (size_t)n : 1);
    if (!d || fread(d, 1, (size_t)n, f) != (size_t)n) {
        free(d);
        fclose(f);
        return;
    }
    fclose(f);
    static const struct { const char *what; const char *magic; size_t len; } magics[] = {
        {"Ogg page", "OggS", 4},
        {"Opus header", "OpusHead", 8},
        {"WebM/Matroska", "\x1a\x45\xdf\xa3", 4},
        {"RIFF/WAV", "RIFF", 4},
    };
    for (size_t m = 0; m < sizeof magics / sizeof magics[0]; m++)
        if (memmem(d, (size_t)n, magics[m].magic, magics[m].len)) {
            printf("%s: plaintext %s\n", path, magics[m].what);
            findings++;
        }
    for (int i = 0; i < nsig; i++)
        if (memmem(d, (size_t)n, sigs[i], 64)) {
            printf("%s: plaintext PCM of participant %d\n", path, i + 1);
            findings++;
        }
    free(d);
}

static void scan_dir(const char *dir, const uint8_t (*sigs)[64], int nsig)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            scan_dir(path, sigs, nsig);
        else if (S_ISREG(st.st_mode))
            scan_file(path, sigs, nsig);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "tone")) {
        size_t n = 0;
        int16_t *s = mu_decode_opus_file(argv[2], &n);
        if (!s) {
            fprintf(stderr, "media_probe: cannot decode %s\n", argv[2]);
            return 1;
        }
        printf("%.3f %d %.0f\n", (double)n / 48000.0, mu_dominant(s, n, 48000),
               mu_rms(s, n));
        free(s);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "scan")) {
        int nsig = atoi(argv[3]);
        if (nsig < 0 || nsig > 16)
            return 2;
        uint8_t sigs[16][64];
        for (int i = 0; i < nsig; i++) {
            int16_t frame[32];
            for (int k = 0; k < 32; k++)
                frame[k] = (int16_t)lrint(8000.0 * sin(2.0 * M_PI * rg_sim_tone_hz((size_t)i) *
                                                       k / RG_SIM_RATE));
            memcpy(sigs[i], frame, 64);
        }
        scan_dir(argv[2], (const uint8_t (*)[64])sigs, nsig);
        return findings ? 1 : 0;
    }
    fprintf(stderr, "usage: media_probe tone FILE | scan DIR N\n");
    return 2;
}
