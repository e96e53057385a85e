/* Chrome DevTools Protocol over the browser's debugging pipe (cdp.h). */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "browser/cdp.h"

struct rg_cdp {
    pid_t pid;
    int to_fd, from_fd; /* our ends: commands in, messages out */
    GThread *reader;
    GAsyncQueue *q;
    GQueue backlog;
    int next_id;
    volatile gint closed;
    volatile gint dropped;
    volatile gint stop;
};

int64_t rg_cdp_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void rg_cdp_msg_free(rg_cdp_msg *m)
{
    if (!m)
        return;
    cJSON_Delete(m->json);
    free(m);
}

static void push(rg_cdp *c, cJSON *json)
{
    rg_cdp_msg *m = calloc(1, sizeof *m);
    if (!m) {
        cJSON_Delete(json);
        g_atomic_int_inc(&c->dropped);
        return;
    }
    m->json = json;
    m->at_us = rg_cdp_now_us();
    g_async_queue_push(c->q, m);
}

/* Split the stream on NUL; an oversized or unparsable message is dropped. */
static gpointer reader_main(gpointer data)
{
    rg_cdp *c = data;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    bool skipping = false;
    char chunk[1 << 16];
    while (buf && !g_atomic_int_get(&c->stop)) {
        /* Poll so that stop() never waits on a helper process that still
         * holds the pipe open. */
        struct pollfd pfd = {.fd = c->from_fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 200);
        if (pr == 0 || (pr < 0 && errno == EINTR))
            continue;
        if (pr < 0)
            break;
        ssize_t n = read(c->from_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n;) {
            char *nul = memchr(chunk + i, '\0', (size_t)(n - i));
            size_t take = nul ? (size_t)(nul - (chunk + i)) : (size_t)(n - i);
            if (!skipping) {
                if (len + take + 1 > RG_CDP_MAX_MSG) {
                    skipping = true;
                    len = 0;
                    g_atomic_int_inc(&c->dropped);
                } else {
                    if (len + take + 1 > cap) {
                        size_t ncap = cap;
                        while (ncap < len + take + 1)
                            ncap *= 2;
                        char *nb = realloc(buf, ncap);
                        if (!nb) {
                            skipping = true;
                            len = 0;
                            g_atomic_int_inc(&c->dropped);
                            goto next;
                        }
                        buf = nb;
                        cap = ncap;
                    }
                    memcpy(buf + len, chunk + i, take);
                    len += take;
                }
            }
        next:
            i += (ssize_t)take;
            if (nul) {
                i++; /* the NUL */
                if (!skipping) {
                    buf[len] = '\0';
                    cJSON *json = cJSON_ParseWithLength(buf, len);
                    if (json)
                        push(c, json);
                    else
                        g_atomic_int_inc(&c->dropped);
                }
                skipping = false;
                len = 0;
            }
        }
    }
    free(buf);
    g_atomic_int_set(&c->closed, 1);
    push(c, NULL); /* the end of the pipe */
    return NULL;
}

rg_err rg_cdp_start(char *const argv[], const char *stderr_path, rg_cdp **out,
                    char *errbuf)
{
    int in_p[2] = {-1, -1}, out_p[2] = {-1, -1};
    rg_cdp *c = calloc(1, sizeof *c);
    if (!c)
        return RG_ERR_NOMEM;
    c->to_fd = c->from_fd = -1;
    if (pipe2(in_p, O_CLOEXEC) || pipe2(out_p, O_CLOEXEC)) {
        snprintf(errbuf, RG_ERRBUF_SIZE, "cannot make pipes: %s", strerror(errno));
        goto fail;
    }
    int errfd = open(stderr_path ? stderr_path : "/dev/null",
                     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (errfd < 0) {
        snprintf(errbuf, RG_ERRBUF_SIZE, "cannot open %s: %s",
                 stderr_path ? stderr_path : "/dev/null", strerror(errno));
        goto fail;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(errfd);
        snprintf(errbuf, RG_ERRBUF_SIZE, "cannot fork: %s", strerror(errno));
        goto fail;
    }
    if (pid == 0) {
        /* Child: only async-signal-safe calls until exec. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(errfd, 1) < 0 || dup2(errfd, 2) < 0)
            _exit(127);
        /* Move the pipe ends clear of 3/4 first, then into place. */
        int r = fcntl(in_p[0], F_DUPFD, 10), w = fcntl(out_p[1], F_DUPFD, 10);
        if (r < 0 || w < 0 || dup2(r, 3) < 0 || dup2(w, 4) < 0)
            _exit(127);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(argv[0], argv);
        _exit(127);
    }
    close(errfd);
    setpgid(pid, pid); /* also from here: no race with kill(-pid) */
    close(in_p[0]);
    close(out_p[1]);
    c->pid = pid;
    c->to_fd = in_p[1];
    c->from_fd = out_p[0];
    c->q = g_async_queue_new();
    g_queue_init(&c->backlog);
    c->reader = g_thread_try_new("rg-cdp", reader_main, c, NULL);
    if (!c->reader) {
        snprintf(errbuf, RG_ERRBUF_SIZE, "cannot start the CDP reader thread");
        rg_cdp_stop(c, 0);
        return RG_ERR_NOMEM;
    }
    *out = c;
    return RG_OK;
fail:
    for (int i = 0; i < 2; i++) {
        if (in_p[i] >= 0)
            close(in_p[i]);
        if (out_p[i] >= 0)
            close(out_p[i]);
    }
    free(c);
    return RG_ERR_IO;
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

int rg_cdp_send(rg_cdp *c, const char *session, const char *method, cJSON *params)
{
    if (!c || c->to_fd < 0 || g_atomic_int_get(&c->closed))
        return 0;
    cJSON *m = cJSON_CreateObject();
    int id = ++c->next_id;
    if (!m)
        return 0;
    cJSON_AddNumberToObject(m, "id", id);
    cJSON_AddStringToObject(m, "method", method);
    if (session)
        cJSON_AddStringToObject(m, "sessionId", session);
    if (params)
        cJSON_AddItemToObject(m, "params", cJSON_Duplicate(params, true));
    char *text = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    if (!text)
        return 0;
    /* A browser that stopped reading must not hang us forever: SIGPIPE is
     * ignored by the shim, a closed pipe gives EPIPE. */
    bool ok = write_all(c->to_fd, text, strlen(text) + 1);
    free(text);
    return ok ? id : 0;
}

rg_cdp_msg *rg_cdp_next(rg_cdp *c, int64_t timeout_us)
{
    rg_cdp_msg *m = g_queue_pop_head(&c->backlog);
    if (m)
        return m;
    return timeout_us > 0 ? g_async_queue_timeout_pop(c->q, (guint64)timeout_us)
                          : g_async_queue_try_pop(c->q);
}

void rg_cdp_unread(rg_cdp *c, rg_cdp_msg *m)
{
    g_queue_push_head(&c->backlog, m);
}

rg_err rg_cdp_call(rg_cdp *c, const char *session, const char *method, cJSON *params,
                   int timeout_ms, cJSON **result, char *errbuf)
{
    if (result)
        *result = NULL;
    int id = rg_cdp_send(c, session, method, params);
    cJSON_Delete(params);
    if (!id) {
        snprintf(errbuf, RG_ERRBUF_SIZE, "%s: the browser is gone", method);
        return RG_ERR_NETWORK;
    }
    int64_t deadline = rg_cdp_now_us() + (int64_t)timeout_ms * 1000;
    GQueue kept = G_QUEUE_INIT;
    rg_err err = RG_ERR_NETWORK;
    snprintf(errbuf, RG_ERRBUF_SIZE, "%s: no answer from the browser in %d ms", method,
             timeout_ms);
    for (;;) {
        int64_t left = deadline - rg_cdp_now_us();
        rg_cdp_msg *m = left > 0 ? g_async_queue_timeout_pop(c->q, (guint64)left) : NULL;
        if (!m)
            break;
        if (!m->json) { /* the pipe closed: keep the marker for the run loop */
            g_queue_push_tail(&kept, m);
            snprintf(errbuf, RG_ERRBUF_SIZE, "%s: the browser exited", method);
            break;
        }
        const cJSON *mid = cJSON_GetObjectItemCaseSensitive(m->json, "id");
        if (!cJSON_IsNumber(mid) || mid->valueint != id) {
            g_queue_push_tail(&kept, m);
            continue;
        }
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(m->json, "error");
        if (e) {
            const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
            snprintf(errbuf, RG_ERRBUF_SIZE, "%s: %s", method,
                     cJSON_IsString(msg) ? msg->valuestring : "error");
            err = RG_ERR_NETWORK;
        } else {
            if (result)
                *result = cJSON_DetachItemFromObjectCaseSensitive(m->json, "result");
            err = RG_OK;
            errbuf[0] = '\0';
        }
        rg_cdp_msg_free(m);
        break;
    }
    /* Events that came meanwhile are handled later, in order. */
    rg_cdp_msg *k;
    while ((k = g_queue_pop_tail(&kept)))
        g_queue_push_head(&c->backlog, k);
    return err;
}

bool rg_cdp_closed(const rg_cdp *c) { return g_atomic_int_get(&((rg_cdp *)c)->closed); }
uint64_t rg_cdp_dropped(const rg_cdp *c) { return (uint64_t)g_atomic_int_get(&((rg_cdp *)c)->dropped); }
pid_t rg_cdp_pid(const rg_cdp *c) { return c->pid; }

static bool reap(rg_cdp *c, int wait_ms)
{
    for (int waited = 0;; waited += 20) {
        pid_t r = waitpid(c->pid, NULL, WNOHANG);
        if (r == c->pid || (r < 0 && errno == ECHILD))
            return true;
        if (waited >= wait_ms)
            return false;
        usleep(20000);
    }
}

void rg_cdp_stop(rg_cdp *c, int wait_ms)
{
    if (!c)
        return;
    if (c->pid > 0) {
        if (!g_atomic_int_get(&c->closed))
            rg_cdp_send(c, NULL, "Browser.close", NULL);
        bool gone = reap(c, wait_ms);
        /* The whole group: renderers and helpers die with the browser. */
        kill(-c->pid, SIGKILL);
        if (!gone)
            reap(c, 5000);
    }
    if (c->to_fd >= 0)
        close(c->to_fd);
    if (c->reader) {
        g_atomic_int_set(&c->stop, 1);
        g_thread_join(c->reader);
    }
    if (c->from_fd >= 0)
        close(c->from_fd);
    if (c->q) {
        rg_cdp_msg *m;
        while ((m = g_queue_pop_head(&c->backlog)))
            rg_cdp_msg_free(m);
        while ((m = g_async_queue_try_pop(c->q)))
            rg_cdp_msg_free(m);
        g_async_queue_unref(c->q);
    }
    free(c);
}
