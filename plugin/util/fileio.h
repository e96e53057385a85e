/* Small durable-file helpers shared by the vault modules. */
#ifndef RG_FILEIO_H
#define RG_FILEIO_H

#include <stddef.h>
#include "errfmt.h"
#include "recgate/error.h"

/* Track ids and file names are opaque tokens: [A-Za-z0-9_-]{1,64} (file
 * names may also contain '.', not first). No personal data belongs here. */
int rg_vaultio_valid_id(const char *id);
int rg_vaultio_valid_name(const char *name);

/* fsync a directory so a rename/create/unlink in it is durable. */
rg_err rg_vaultio_fsync_dir(const char *dir);
/* mkdir with mode 0700; an existing directory is fine. */
rg_err rg_vaultio_mkdir(const char *path, char *errbuf);
/* mkdir with mode 0700 that must create a NEW directory: an existing
 * entry (directory, symlink or anything else) is refused (RG_ERR_STATE),
 * so nobody can plant a folder or a symlink where a recording goes. */
rg_err rg_vaultio_mkdir_new(const char *path, char *errbuf);

/* Recording folders are hostile input: every file in one is opened
 * relative to the folder, one path component at a time, never following
 * a symlink (O_NOFOLLOW on every component), and only regular files are
 * read (O_NONBLOCK + fstat, so a FIFO or device cannot block or feed us).
 * base itself is opened as given (the caller named it).
 *
 * rg_vaultio_dir_open: fd of base/rel (rel NULL or "" = base) as a
 * directory, O_DIRECTORY | O_NOFOLLOW per component. -1 + errno on error.
 * rg_vaultio_open_in: fd of base/rel for reading, a regular file (errno
 * ELOOP for a symlink, EINVAL for a FIFO/device/directory). */
int rg_vaultio_dir_open(const char *base, const char *rel);
int rg_vaultio_open_in(const char *base, const char *rel);
/* Read base/rel (at most max bytes) that way. *out [owned], NUL-added.
 * RG_ERR_NOT_FOUND if absent, RG_ERR_PARSE if not a regular file or too
 * big; errbuf names base/rel and the fault. */
rg_err rg_vaultio_read_in(const char *base, const char *rel, size_t max,
                          char **out, size_t *len, char *errbuf);
/* rg_vaultio_write_atomic into base/reldir, reldir opened the safe way
 * (no symlink followed): temp file, fsync, renameat, fsync dir. */
rg_err rg_vaultio_write_atomic_in(const char *base, const char *reldir,
                                  const char *name, const void *data,
                                  size_t len, char *errbuf);
/* The same into an open directory dfd; `what` names it in errbuf. */
rg_err rg_vaultio_write_atomic_at(int dfd, const char *what, const char *name,
                                  const void *data, size_t len, char *errbuf);
/* Read an already opened regular file (at most max bytes). */
rg_err rg_vaultio_read_fd(int fd, const char *what, size_t max, char **out,
                          size_t *len, char *errbuf);

/* Write data to dir/name via dir/name.part: write, fsync, rename, fsync
 * dir. Mode 0600. On failure the temp file is removed. */
rg_err rg_vaultio_write_atomic(const char *dir, const char *name,
                               const void *data, size_t len, char *errbuf);
/* Read a whole (small) file, at most max bytes. *out [owned], NUL-added.
 * Regular files only (opened O_NONBLOCK: a FIFO never blocks). */
rg_err rg_vaultio_read_file(const char *path, size_t max, char **out,
                            size_t *len, char *errbuf);
/* Write all of len bytes to fd (retrying short writes). */
rg_err rg_vaultio_write_all(int fd, const void *data, size_t len);
/* Plaintext output that appears only when complete: rg_vaultio_out_open
 * creates a private temp file beside path (mode 0600); commit fsyncs and
 * renames it to path; abort deletes it. path "-" means stdout (streamed;
 * commit/abort just report). */
typedef struct rg_vaultio_out {
    int fd;
    char *tmp;        /* [owned] temp path, NULL for stdout */
    const char *path; /* [borrowed] */
} rg_vaultio_out;
rg_err rg_vaultio_out_open(rg_vaultio_out *o, const char *path, char *errbuf);
rg_err rg_vaultio_out_sink(void *ctx, const void *data, size_t len);
rg_err rg_vaultio_out_commit(rg_vaultio_out *o, char *errbuf);
void rg_vaultio_out_abort(rg_vaultio_out *o);
/* Old name of rg_errbuf (errfmt.h), kept for code written against it. */
#define rg_vaultio_err rg_errbuf
/* Monotonic clock in milliseconds. */
long long rg_vaultio_now_ms(void);

#endif
