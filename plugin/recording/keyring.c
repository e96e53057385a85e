/* Per-track key entries, each an age file to the organisation. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "agefile.h"
#include "keyring.h"
#include "fileio.h"

static rg_err entry_path(const char *recdir, const char *track_id, char *dir,
                         char *name, char *path)
{
    if (!recdir || !rg_vaultio_valid_id(track_id))
        return RG_ERR_ARG;
    if (snprintf(dir, PATH_MAX, "%s/keyring", recdir) >= PATH_MAX ||
        snprintf(name, 80, "%s.age", track_id) >= 80 ||
        snprintf(path, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
        return RG_ERR_ARG;
    return RG_OK;
}

rg_err rg_keyring_add(const char *recdir, const char *track_id,
                      const rg_age_recipient *org, size_t n_org,
                      rg_age_recipient *track_rcpt, char *errbuf)
{
    char dir[PATH_MAX], name[80], path[PATH_MAX], text[512];
    char rcpt[RG_AGE_RECIPIENT_STRLEN + 1], sec[RG_AGE_IDENTITY_STRLEN + 1];
    rg_age_identity id;
    unsigned char *ct = NULL;
    size_t ctlen = 0;
    struct stat st;
    rg_err err;
    if (!org || !n_org || !track_rcpt)
        return RG_ERR_ARG;
    if ((err = entry_path(recdir, track_id, dir, name, path)))
        return err;
    /* keyring/ was made new by rg_vault_open; every operation is relative
     * to it, opened without following a symlink. */
    int kfd = rg_vaultio_dir_open(recdir, "keyring");
    if (kfd < 0) {
        rg_errbuf(errbuf, "%s: %s", dir, errno == ELOOP || errno == ENOTDIR
                  ? "not a directory (a symlink?): refusing" : strerror(errno));
        return RG_ERR_IO;
    }
    if (fstatat(kfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        close(kfd);
        rg_errbuf(errbuf, "%s: keyring entry exists", path);
        return RG_ERR_STATE;
    }
    if ((err = rg_agekey_generate(&id))) {
        close(kfd);
        return err;
    }
    memcpy(track_rcpt->pk, id.pk, sizeof id.pk);
    if ((err = rg_agekey_recipient_format(track_rcpt, rcpt, sizeof rcpt)) ||
        (err = rg_agekey_identity_format(&id, sec, sizeof sec)))
        goto cleanup;
    int tl = snprintf(text, sizeof text,
                      "# recgate track key\n# track: %s\n# public key: %s\n%s\n",
                      track_id, rcpt, sec);
    if ((err = rg_age_encrypt_buf(org, n_org, text, (size_t)tl, &ct, &ctlen)))
        goto cleanup;
    err = rg_vaultio_write_atomic_at(kfd, dir, name, ct, ctlen, errbuf);
cleanup:
    close(kfd);
    /* The secret exists only between generate and here. */
    rg_agekey_wipe(&id);
    OPENSSL_cleanse(text, sizeof text);
    OPENSSL_cleanse(sec, sizeof sec);
    free(ct);
    return err;
}

rg_err rg_keyring_load(const char *recdir, const char *track_id,
                       const rg_age_identity *org, size_t n_org,
                       rg_age_identity **ids, size_t *n, char *errbuf)
{
    char dir[PATH_MAX], name[80], path[PATH_MAX], why[RG_ERRBUF_SIZE] = "";
    char *ct = NULL;
    unsigned char *pt = NULL;
    size_t ctlen = 0, ptlen = 0;
    rg_err err;
    if ((err = entry_path(recdir, track_id, dir, name, path)))
        return err;
    if ((err = rg_vaultio_read_in(recdir, path + strlen(recdir) + 1, 1u << 20,
                                  &ct, &ctlen, why))) {
        rg_errbuf(errbuf, "%s: %s", path,
                       err == RG_ERR_NOT_FOUND
                       ? "no keyring entry (track shredded or key lost)"
                       : why);
        return err;
    }
    if ((err = rg_age_decrypt_buf(org, n_org, ct, ctlen, &pt, &ptlen, why))) {
        rg_errbuf(errbuf, "%s: %.400s", path, why);
        goto cleanup;
    }
    err = rg_agekey_parse_identities((const char *)pt, ptlen, path, ids, n,
                                     errbuf);
cleanup:
    if (pt) {
        OPENSSL_cleanse(pt, ptlen);
        free(pt);
    }
    free(ct);
    return err;
}

rg_err rg_keyring_shred(const char *recdir, const char *track_id,
                        char *errbuf)
{
    char dir[PATH_MAX], name[80], path[PATH_MAX];
    unsigned char junk[4096];
    struct stat st;
    rg_err err;
    if ((err = entry_path(recdir, track_id, dir, name, path)))
        return err;
    /* Never follow a symlink out of the recording: the entry must be a
     * regular file inside keyring/ (itself not a symlink). */
    int kfd = rg_vaultio_dir_open(recdir, "keyring");
    int fd = kfd < 0 ? -1 : openat(kfd, name, O_WRONLY | O_CLOEXEC | O_NOFOLLOW |
                                               O_NONBLOCK);
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
        errno = EINVAL;
    }
    if (fd < 0) {
        int e = errno;
        rg_errbuf(errbuf, "%s: %s", path,
                  e == ENOENT ? "no keyring entry (already shredded?)"
                  : e == ELOOP ? "a symlink, not a keyring entry (refusing)"
                  : strerror(e));
        if (kfd >= 0)
            close(kfd);
        return e == ENOENT ? RG_ERR_NOT_FOUND : RG_ERR_IO;
    }
    /* Overwrite first: on filesystems that write in place this removes the
     * ciphertext itself, not just the name. Unlink regardless. */
    for (off_t done = 0; done < st.st_size;) {
        size_t k = (size_t)(st.st_size - done) < sizeof junk
                       ? (size_t)(st.st_size - done) : sizeof junk;
        if (RAND_bytes(junk, (int)k) != 1 || rg_vaultio_write_all(fd, junk, k))
            break;
        done += (off_t)k;
    }
    int synced = fsync(fd) == 0;
    close(fd);
    int gone = unlinkat(kfd, name, 0) == 0 && fsync(kfd) == 0;
    close(kfd);
    if (!gone || !synced) {
        rg_errbuf(errbuf, "%s: cannot destroy entry: %s",
                       path, strerror(errno));
        return RG_ERR_IO;
    }
    return RG_OK;
}
