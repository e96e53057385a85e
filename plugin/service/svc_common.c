#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include "errfmt.h"
#include "recgate/shim.h"
#include "svc_common.h"

rg_err rg_svc_token_load(const char *path, char **token, char *errbuf)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return rg_errorf(errbuf, RG_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    char buf[512];
    ssize_t n = -1;
    rg_err err = RG_OK;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode))
        err = rg_errorf(errbuf, RG_ERR_IO, "%s: not a regular file", path);
    else if (st.st_mode & 077)
        err = rg_errorf(errbuf, RG_ERR_PERMISSION,
                        "%s: token file has mode %04o: group/others may read it (chmod 600)",
                        path, (unsigned)(st.st_mode & 07777));
    else if ((n = read(fd, buf, sizeof buf - 1)) < 0)
        err = rg_errorf(errbuf, RG_ERR_IO, "%s: %s", path, strerror(errno));
    close(fd);
    if (!err) {
        buf[n] = '\0';
        buf[strcspn(buf, "\r\n")] = '\0';
        if (strlen(buf) < 16)
            err = rg_errorf(errbuf, RG_ERR_CONFIG,
                            "%s: the token must be at least 16 characters "
                            "(e.g. openssl rand -hex 32 > FILE)", path);
        else if (!(*token = strdup(buf)))
            err = RG_ERR_NOMEM;
    }
    OPENSSL_cleanse(buf, sizeof buf);
    return err;
}

void rg_svc_token_free(char *token)
{
    if (token) {
        OPENSSL_cleanse(token, strlen(token));
        free(token);
    }
}

rg_err rg_svc_self(char *buf, size_t size, char *errbuf)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n < 0)
        return rg_errorf(errbuf, RG_ERR_IO, "/proc/self/exe: %s", strerror(errno));
    buf[n] = '\0';
    return RG_OK;
}

rg_err rg_svc_state_dir(const char *dir, char *buf, size_t size, char *errbuf)
{
    if (!dir) {
        const char *tmp = getenv("TMPDIR");
        snprintf(buf, size, "%s/recgate-serve.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(buf))
            return rg_errorf(errbuf, RG_ERR_IO, "%s: %s", buf, strerror(errno));
        return RG_OK;
    }
    snprintf(buf, size, "%s", dir);
    if (mkdir(dir, 0700) && errno != EEXIST)
        return rg_errorf(errbuf, RG_ERR_IO, "%s: %s", dir, strerror(errno));
    struct stat st;
    if (lstat(dir, &st) || !S_ISDIR(st.st_mode))
        return rg_errorf(errbuf, RG_ERR_IO, "%s: not a folder", dir);
    if (st.st_uid != geteuid() || (st.st_mode & 077))
        return rg_errorf(errbuf, RG_ERR_PERMISSION,
                         "%s: the state folder must be ours and private (chmod 700)", dir);
    return RG_OK;
}

rg_err rg_svc_open_platform(const char *name, char *errbuf)
{
    const rg_shim_ops *ops = NULL;
    return rg_shim_open(name, NULL, &ops, errbuf);
}

void rg_svc_block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int rg_svc_wait_signal(const sigset_t *set)
{
    int sig = 0;
    while (sigwait(set, &sig) != 0)
        ;
    return sig;
}
