/* Durable small-file helpers: atomic replace, directory fsync. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fileio.h"

static int valid_token(const char *s, int allow_dot)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64 || s[0] == '.' || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              (allow_dot && c == '.')))
            return 0;
    }
    return 1;
}

int rg_vaultio_valid_id(const char *id) { return valid_token(id, 0); }
int rg_vaultio_valid_name(const char *name) { return valid_token(name, 1); }

rg_err rg_vaultio_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return RG_ERR_IO;
    int rc = fsync(fd);
    close(fd);
    return rc == 0 ? RG_OK : RG_ERR_IO;
}

rg_err rg_vaultio_mkdir(const char *path, char *errbuf)
{
    struct stat st;
    if (mkdir(path, 0700) == 0)
        return RG_OK;
    if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return RG_OK;
    rg_errbuf(errbuf, "%s: cannot create directory: %s",
                   path, strerror(errno));
    return RG_ERR_IO;
}

rg_err rg_vaultio_mkdir_new(const char *path, char *errbuf)
{
    if (mkdir(path, 0700) == 0)
        return RG_OK;
    int e = errno;
    rg_errbuf(errbuf, "%s: %s", path, e == EEXIST
              ? "already exists (a new recording needs a new folder; "
                "refusing to reuse one or follow a symlink)"
              : strerror(e));
    return e == EEXIST ? RG_ERR_STATE : RG_ERR_IO;
}

/* Walk rel below dirfd one component at a time without following
 * symlinks; the last component is opened with last_flags. */
static int walk_at(int dirfd, const char *rel, int last_flags)
{
    char comp[256];
    int cur = dirfd;
    const char *p = rel;
    while (*p == '/')
        p++;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 0 || n >= sizeof comp || (n == 2 && !strncmp(p, "..", 2))) {
            if (cur != dirfd)
                close(cur);
            errno = EINVAL;
            return -1;
        }
        memcpy(comp, p, n);
        comp[n] = 0;
        while (slash && slash[1] == '/')
            slash++;
        int last = !slash || !slash[1];
        int fd = openat(cur, comp, last ? last_flags
                        : O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        if (cur != dirfd)
            close(cur);
        if (fd < 0) {
            errno = e;
            return -1;
        }
        if (last)
            return fd;
        cur = fd;
        p = slash + 1;
    }
}

int rg_vaultio_dir_open(const char *base, const char *rel)
{
    int b = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (b < 0 || !rel || !*rel)
        return b;
    int fd = walk_at(b, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    close(b);
    errno = e;
    return fd;
}

int rg_vaultio_open_in(const char *base, const char *rel)
{
    int b = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (b < 0)
        return -1;
    int fd = walk_at(b, rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    int e = errno;
    close(b);
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
        e = EINVAL;
    }
    if (fd >= 0) /* regular file: blocking reads are fine again */
        (void)fcntl(fd, F_SETFL, 0);
    errno = e;
    return fd;
}

rg_err rg_vaultio_read_fd(int fd, const char *what, size_t max, char **out,
                          size_t *len, char *errbuf)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (size_t)st.st_size > max) {
        rg_errbuf(errbuf, "%s: not a regular file or larger than %zu bytes",
                  what, max);
        return RG_ERR_PARSE;
    }
    size_t n = (size_t)st.st_size, got = 0;
    char *buf = malloc(n + 1);
    if (!buf)
        return RG_ERR_NOMEM;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rg_errbuf(errbuf, "%s: %s", what, strerror(errno));
            free(buf);
            return RG_ERR_IO;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return RG_OK;
}

rg_err rg_vaultio_write_atomic_at(int dfd, const char *what, const char *name,
                                  const void *data, size_t len, char *errbuf)
{
    char tmp[300];
    if (snprintf(tmp, sizeof tmp, "%s.part", name) >= (int)sizeof tmp)
        return RG_ERR_ARG;
    int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
                    O_NOFOLLOW, 0600);
    int e = 0;
    errno = 0;
    if (fd < 0 || rg_vaultio_write_all(fd, data, len) || fsync(fd) != 0)
        e = errno ? errno : EIO;
    if (fd >= 0 && close(fd) != 0 && !e)
        e = errno;
    if (!e && (renameat(dfd, tmp, dfd, name) != 0 || fsync(dfd) != 0))
        e = errno;
    if (e) {
        rg_errbuf(errbuf, "%s/%s: cannot write: %s", what, name, strerror(e));
        unlinkat(dfd, tmp, 0);
    }
    return e ? RG_ERR_IO : RG_OK;
}

rg_err rg_vaultio_write_atomic_in(const char *base, const char *reldir,
                                  const char *name, const void *data,
                                  size_t len, char *errbuf)
{
    char what[4200];
    snprintf(what, sizeof what, "%s/%s", base, reldir ? reldir : "");
    int dfd = rg_vaultio_dir_open(base, reldir);
    if (dfd < 0) {
        int e = errno;
        rg_errbuf(errbuf, "%s: %s", what, e == ELOOP || e == ENOTDIR
                  ? "not a directory (a symlink?): refusing to write through it"
                  : strerror(e));
        return RG_ERR_IO;
    }
    rg_err err = rg_vaultio_write_atomic_at(dfd, what, name, data, len, errbuf);
    close(dfd);
    return err;
}

rg_err rg_vaultio_read_in(const char *base, const char *rel, size_t max,
                          char **out, size_t *len, char *errbuf)
{
    char what[4200];
    snprintf(what, sizeof what, "%s/%s", base, rel);
    int fd = rg_vaultio_open_in(base, rel);
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP || e == ENOTDIR)
            rg_errbuf(errbuf, "%s: is or passes through a symlink "
                      "(refusing to follow it)", what);
        else if (e == EINVAL)
            rg_errbuf(errbuf, "%s: not a regular file (refusing to read "
                      "it)", what);
        else
            rg_errbuf(errbuf, "%s: %s", what, strerror(e));
        return e == ENOENT ? RG_ERR_NOT_FOUND
               : (e == ELOOP || e == ENOTDIR || e == EINVAL) ? RG_ERR_PARSE
               : RG_ERR_IO;
    }
    rg_err err = rg_vaultio_read_fd(fd, what, max, out, len, errbuf);
    close(fd);
    return err;
}

rg_err rg_vaultio_write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return RG_ERR_IO;
        p += w;
        len -= (size_t)w;
    }
    return RG_OK;
}

rg_err rg_vaultio_write_atomic(const char *dir, const char *name,
                               const void *data, size_t len, char *errbuf)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path ||
        snprintf(tmp, sizeof tmp, "%s/%s.part", dir, name) >= (int)sizeof tmp)
        return RG_ERR_ARG;
    /* O_NOFOLLOW: a symlink planted at the temp name is not followed. */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                  0600);
    if (fd < 0)
        goto fail;
    errno = 0;
    if (rg_vaultio_write_all(fd, data, len) || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        goto fail;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0 || rg_vaultio_fsync_dir(dir))
        goto fail;
    return RG_OK;
fail:
    rg_errbuf(errbuf, "%s: cannot write: %s", path,
                   errno ? strerror(errno) : "short write");
    unlink(tmp);
    return RG_ERR_IO;
}

rg_err rg_vaultio_read_file(const char *path, size_t max, char **out,
                            size_t *len, char *errbuf)
{
    struct stat st;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    char *buf = NULL;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int e = errno;
        rg_errbuf(errbuf, "%s: %s", path, strerror(e));
        if (fd >= 0)
            close(fd);
        return e == ENOENT ? RG_ERR_NOT_FOUND : RG_ERR_IO;
    }
    if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
        rg_errbuf(errbuf, "%s: not a regular file or "
                       "larger than %zu bytes", path, max);
        close(fd);
        return RG_ERR_PARSE;
    }
    (void)fcntl(fd, F_SETFL, 0);
    size_t n = (size_t)st.st_size, got = 0;
    if (!(buf = malloc(n + 1))) {
        close(fd);
        return RG_ERR_NOMEM;
    }
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return RG_OK;
}

long long rg_vaultio_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


rg_err rg_vaultio_out_open(rg_vaultio_out *o, const char *path, char *errbuf)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    if (!strcmp(path, "-")) {
        o->fd = STDOUT_FILENO;
        return RG_OK;
    }
    size_t tl = strlen(path) + 8;
    if (!(o->tmp = malloc(tl)))
        return RG_ERR_NOMEM;
    snprintf(o->tmp, tl, "%s.XXXXXX", path);
    if ((o->fd = mkstemp(o->tmp)) < 0) {
        rg_errbuf(errbuf, "%s: cannot create: %s", path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        return RG_ERR_IO;
    }
    return RG_OK;
}

rg_err rg_vaultio_out_sink(void *ctx, const void *data, size_t len)
{
    return rg_vaultio_write_all(((rg_vaultio_out *)ctx)->fd, data, len);
}

rg_err rg_vaultio_out_commit(rg_vaultio_out *o, char *errbuf)
{
    if (!o->tmp)
        return RG_OK;
    rg_err err = RG_OK;
    if (fsync(o->fd) != 0 || close(o->fd) != 0 || rename(o->tmp, o->path) != 0) {
        rg_errbuf(errbuf, "%s: %s", o->path, strerror(errno));
        unlink(o->tmp);
        err = RG_ERR_IO;
    }
    o->fd = -1;
    free(o->tmp);
    o->tmp = NULL;
    return err;
}

void rg_vaultio_out_abort(rg_vaultio_out *o)
{
    if (!o->tmp)
        return;
    close(o->fd);
    unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
    o->fd = -1;
}
