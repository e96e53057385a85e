#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "errfmt.h"
#include "svc_child.h"

#define MAX_ARGS 128
#define LINE_MAX_LEN 8192

struct rg_svc_child {
    pid_t pid;
    int exited; /* set (atomically) once reaped: never signal a reused pid */
    int fd_status, fd_out, fd_err;
    pthread_t thread;
    bool thread_started;
    rg_svc_on_state on_state;
    rg_svc_on_exit on_exit;
    void *ctx;
    char *scenario_file; /* [owned] removed when the bot is gone */
    char *argv[MAX_ARGS];
    int argc;
};

/* A line buffer per pipe: complete lines are handed on, a line longer than
 * LINE_MAX_LEN is cut (the rest of it dropped). */
typedef struct linebuf {
    char buf[LINE_MAX_LEN];
    size_t len;
    bool skipping;
} linebuf;

static void handle_status_line(rg_svc_child *c, const char *line)
{
    cJSON *o = cJSON_Parse(line);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "state");
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "detail");
    if (cJSON_IsString(st))
        c->on_state(c->ctx, st->valuestring, cJSON_IsString(d) ? d->valuestring : NULL);
    cJSON_Delete(o);
}

typedef struct follow {
    rg_svc_child *c;
    char *summary;   /* [owned] the last JSON line on stdout */
    char last_error[512];
} follow;

static void on_line(follow *f, int which, const char *line)
{
    if (which == 0) {
        handle_status_line(f->c, line);
    } else if (which == 1) {
        if (line[0] == '{') {
            free(f->summary);
            f->summary = strdup(line);
        }
    } else if (!strncmp(line, "recgate run: ", 13) && !strstr(line, "nothing was recorded")) {
        snprintf(f->last_error, sizeof f->last_error, "%s", line + 13);
    }
}

static void feed(follow *f, linebuf *lb, int which, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = data[i];
        if (ch == '\n') {
            if (!lb->skipping) {
                lb->buf[lb->len] = '\0';
                on_line(f, which, lb->buf);
            }
            lb->len = 0;
            lb->skipping = false;
        } else if (!lb->skipping) {
            if (lb->len + 1 >= sizeof lb->buf) {
                lb->buf[lb->len] = '\0';
                on_line(f, which, lb->buf);
                lb->len = 0;
                lb->skipping = true;
            } else {
                lb->buf[lb->len++] = ch;
            }
        }
    }
}

static void *follow_main(void *arg)
{
    rg_svc_child *c = arg;
    follow f = {.c = c};
    linebuf *lb = calloc(3, sizeof *lb);
    struct pollfd pf[3] = {{c->fd_status, POLLIN, 0}, {c->fd_out, POLLIN, 0},
                           {c->fd_err, POLLIN, 0}};
    int open_fds = 3;
    char buf[4096];
    while (open_fds > 0 && lb) {
        if (poll(pf, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 3; i++) {
            if (pf[i].fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = read(pf[i].fd, buf, sizeof buf);
            if (n > 0) {
                feed(&f, &lb[i], i, buf, (size_t)n);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                close(pf[i].fd);
                pf[i].fd = -1;
                open_fds--;
            }
        }
    }
    for (int i = 0; i < 3; i++)
        if (pf[i].fd >= 0)
            close(pf[i].fd);
    int ws = 0;
    while (waitpid(c->pid, &ws, 0) < 0 && errno == EINTR)
        ;
    __atomic_store_n(&c->exited, 1, __ATOMIC_SEQ_CST);
    if (c->scenario_file)
        unlink(c->scenario_file);
    c->on_exit(c->ctx, ws, f.summary, f.last_error[0] ? f.last_error : NULL);
    free(f.summary);
    free(lb);
    return NULL;
}

static int add_arg(rg_svc_child *c, const char *a)
{
    if (c->argc >= MAX_ARGS - 1)
        return -1;
    if (!(c->argv[c->argc] = strdup(a)))
        return -1;
    c->argc++;
    return 0;
}

static int add_flag(rg_svc_child *c, const char *key, const cJSON *v)
{
    char flag[64];
    /* Setting names are run flags; two keep the policy's spelling. */
    if (!strcmp(key, "hosts"))
        key = "host";
    else if (!strcmp(key, "timeout_s"))
        key = "timeout";
    snprintf(flag, sizeof flag, "--%s", key);
    for (char *p = flag + 2; *p; p++)
        if (*p == '_')
            *p = '-';
    char num[64];
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? add_arg(c, flag) : 0;
    if (cJSON_IsString(v))
        return add_arg(c, flag) || add_arg(c, v->valuestring);
    if (cJSON_IsNumber(v)) {
        snprintf(num, sizeof num, "%.17g", v->valuedouble);
        return add_arg(c, flag) || add_arg(c, num);
    }
    if (cJSON_IsArray(v)) {
        for (const cJSON *e = v->child; e; e = e->next)
            if (add_flag(c, key, e))
                return -1;
        return 0;
    }
    return -1;
}

static rg_err build_argv(rg_svc_child *c, const rg_svc_run_cfg *cfg, const cJSON *st,
                         char *errbuf)
{
    const cJSON *platform = cJSON_GetObjectItemCaseSensitive(st, "platform");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(st, "meeting_type");
    const cJSON *settings = cJSON_GetObjectItemCaseSensitive(st, "settings");
    const cJSON *maxd = cJSON_GetObjectItemCaseSensitive(st, "max_duration_s");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(st, "id");
    if (!cJSON_IsString(platform) || !cJSON_IsString(id))
        return rg_errorf(errbuf, RG_ERR_PARSE, "meeting status without platform or id");
    bool sim = !strcmp(platform->valuestring, "sim");
    int bad = add_arg(c, cfg->self) || add_arg(c, "run") || add_arg(c, "--config") ||
              add_arg(c, cfg->config) || add_arg(c, "--platform") ||
              add_arg(c, platform->valuestring) || add_arg(c, "--json") ||
              add_arg(c, "--status-fd") || add_arg(c, "3") || add_arg(c, "--out") ||
              add_arg(c, cfg->out_dir);
    if (!bad)
        bad = add_arg(c, "--request-id") || add_arg(c, id->valuestring);
    /* A bot replacing a lost one names the recording the lost one left. */
    const cJSON *prev = cJSON_GetObjectItemCaseSensitive(st, "previous");
    const cJSON *last = cJSON_IsArray(prev) ? cJSON_GetArrayItem(prev, cJSON_GetArraySize(prev) - 1) : NULL;
    const cJSON *prec = cJSON_GetObjectItemCaseSensitive(last, "recording_id");
    if (!bad && cJSON_IsString(prec))
        bad = add_arg(c, "--previous-recording") || add_arg(c, prec->valuestring);
    if (!bad && cfg->audit_key)
        bad = add_arg(c, "--audit-key") || add_arg(c, cfg->audit_key);
    if (!bad && cJSON_IsString(type) && !sim)
        bad = add_arg(c, "--type") || add_arg(c, type->valuestring);
    if (!bad && cJSON_IsNumber(maxd)) {
        char num[32];
        snprintf(num, sizeof num, "%d", maxd->valueint);
        bad = add_arg(c, "--duration") || add_arg(c, num);
    }
    bool realtime = true;
    for (const cJSON *it = settings ? settings->child : NULL; !bad && it; it = it->next) {
        if (sim && !strcmp(it->string, "realtime")) {
            realtime = !cJSON_IsFalse(it);
            continue;
        }
        if (sim && !strcmp(it->string, "scenario") && cJSON_IsObject(it)) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.scenario.json", cfg->state_dir, id->valuestring);
            char *text = cJSON_PrintUnformatted(it);
            int fd = text ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600) : -1;
            size_t len = text ? strlen(text) : 0;
            bool ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;
            if (fd >= 0)
                close(fd);
            free(text);
            if (!ok)
                return rg_errorf(errbuf, RG_ERR_IO, "%s: %s", path, strerror(errno));
            c->scenario_file = strdup(path);
            bad = !c->scenario_file || add_arg(c, "--scenario") || add_arg(c, path);
            continue;
        }
        bad = add_flag(c, it->string, it);
    }
    if (!bad && sim && realtime)
        bad = add_arg(c, "--realtime");
    if (bad)
        return rg_errorf(errbuf, RG_ERR_NOMEM, "too many settings for one bot");
    return RG_OK;
}

rg_err rg_svc_child_start(const rg_svc_run_cfg *cfg, const cJSON *status,
                          rg_svc_on_state on_state, rg_svc_on_exit on_exit, void *ctx,
                          rg_svc_child **out, char *errbuf)
{
    int ps[2] = {-1, -1}, po[2] = {-1, -1}, pe[2] = {-1, -1};
    rg_svc_child *c = calloc(1, sizeof *c);
    rg_err err = RG_ERR_NOMEM;
    if (!c)
        return err;
    c->pid = -1;
    c->on_state = on_state;
    c->on_exit = on_exit;
    c->ctx = ctx;
    if ((err = build_argv(c, cfg, status, errbuf)))
        goto fail;
    if (pipe2(ps, O_CLOEXEC) || pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
        err = rg_errorf(errbuf, RG_ERR_IO, "pipe: %s", strerror(errno));
        goto fail;
    }
    pid_t parent = getpid();
    c->pid = fork();
    if (c->pid < 0) {
        err = rg_errorf(errbuf, RG_ERR_IO, "fork: %s", strerror(errno));
        goto fail;
    }
    if (c->pid == 0) {
        /* The bot ends (properly: SIGTERM) when its service dies. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(po[1], 1) < 0 ||
            dup2(pe[1], 2) < 0 || dup2(ps[1], 3) < 0)
            _exit(127);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(c->argv[0], c->argv);
        dprintf(2, "recgate run: cannot start %s: %s\n", c->argv[0], strerror(errno));
        _exit(127);
    }
    close(ps[1]);
    close(po[1]);
    close(pe[1]);
    c->fd_status = ps[0];
    c->fd_out = po[0];
    c->fd_err = pe[0];
    if (pthread_create(&c->thread, NULL, follow_main, c) != 0) {
        kill(c->pid, SIGTERM);
        close(ps[0]);
        close(po[0]);
        close(pe[0]);
        waitpid(c->pid, NULL, 0);
        c->pid = -1;
        err = rg_errorf(errbuf, RG_ERR_NOMEM, "could not start a thread");
        goto fail_nopipes;
    }
    c->thread_started = true;
    *out = c;
    return RG_OK;
fail:
    for (int i = 0; i < 2; i++) {
        if (ps[i] >= 0) close(ps[i]);
        if (po[i] >= 0) close(po[i]);
        if (pe[i] >= 0) close(pe[i]);
    }
fail_nopipes:
    if (c->scenario_file)
        unlink(c->scenario_file);
    rg_svc_child_free(c);
    return err;
}

void rg_svc_child_stop(rg_svc_child *c)
{
    if (c && c->pid > 0 && !__atomic_load_n(&c->exited, __ATOMIC_SEQ_CST))
        kill(c->pid, SIGTERM);
}

pid_t rg_svc_child_pid(const rg_svc_child *c) { return c ? c->pid : -1; }

void rg_svc_child_free(rg_svc_child *c)
{
    if (!c)
        return;
    if (c->thread_started)
        pthread_join(c->thread, NULL);
    for (int i = 0; i < c->argc; i++)
        free(c->argv[i]);
    free(c->scenario_file);
    free(c);
}
