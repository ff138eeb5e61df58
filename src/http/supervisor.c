/*
 * supervisor.c — the master of `serve --workers N` (see supervisor.h for what it guarantees).
 *
 * One thread, one poll() loop over a signalfd (SIGCHLD, SIGHUP, SIGTERM, SIGINT) and the
 * readiness pipes of the workers that are starting, with a timeout for the next timer (a
 * delayed restart, a start or stop deadline). Everything a child needs is prepared before
 * fork(); between fork and exec the child only makes async-signal-safe calls.
 *
 * Per slot: `cur` is the slot's worker (starting or serving); during a reload `next` is its
 * replacement, promoted to `cur` once ready, after which the old worker is told to stop and
 * waited for ("retiring") before the reload moves to the next slot.
 */
#include "http/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http/server.h"
#include "http/slot.h"
#include "util/envfile.h"
#include "util/log.h"

extern char **environ;

#define READY_TIMEOUT_MS 60000  /* a worker not ready by then is killed (and restarted) */
#define RETIRE_TIMEOUT_MS 60000 /* a replaced worker still finishing: the reload goes on anyway */
#define STOP_TIMEOUT_MS 60000   /* at SIGTERM: workers still running after this are killed */
#define MAX_RETIRING 64

typedef struct {
    pid_t pid;    /* 0: none */
    int ready_fd; /* read end of its readiness pipe while starting, else -1 */
    bool ready;
    bool killed; /* SIGKILLed for missing its ready deadline */
    int64_t started_ms;
} proc_t;

typedef struct {
    int k; /* 1..N */
    int listen_fd;
    char listen[256];
    char pid_file[PATH_MAX]; /* "" without pid files */
    proc_t cur;
    proc_t next;
    int quick_deaths;
    int64_t restart_at_ms; /* -1: no restart pending */
} slot_t;

typedef struct {
    int workers;
    slot_t slots[SUPERVISOR_MAX_WORKERS];
    char exe[PATH_MAX]; /* resolved at start, exec'd for every worker: a rebuilt binary is picked up */
    const char *pid_file;
    char listen[256]; /* TRACKGEN_LISTEN at start: the sockets stay until the master restarts */
    char **env;       /* the workers' environment: environ overlaid with env_file (array owned) */
    envlist_t env_file;
    char **prev_env; /* during a reload: what an aborted reload goes back to */
    envlist_t prev_env_file;
    sigset_t child_mask;
    int sig_fd;
    bool stopping;
    int64_t stop_deadline_ms;
    pid_t retiring[MAX_RETIRING];
    int n_retiring;
    struct {
        bool active;
        int slot;      /* index being replaced */
        pid_t waiting; /* the replaced worker being waited for, 0 if none */
        int64_t deadline_ms;
    } reload;
} master_t;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* config_load reads through a getter without context: the environment being checked. */
static char *const *lookup_env;
static const char *lookup(const char *name)
{
    return envfile_get(lookup_env, name);
}

/* The workers' environment: environ with TRACKGEN_ENV_FILE's entries over it, validated as the
 * workers will read it. On success *env (array) and *file are the caller's; cfg is filled. */
static int load_env(char ***env, envlist_t *file, config_t *cfg, char *err, size_t errlen)
{
    *file = (envlist_t){0};
    const char *path = getenv("TRACKGEN_ENV_FILE");
    if (path && *path && envfile_load(path, file, err, errlen) < 0) {
        envlist_free(file);
        return -1;
    }
    *env = envfile_overlay(environ, file);
    if (!*env) {
        envlist_free(file);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    lookup_env = *env;
    if (config_load(cfg, lookup, true, err, errlen) < 0) {
        free(*env);
        envlist_free(file);
        return -1;
    }
    return 0;
}

static void write_pid_file(const char *path, pid_t pid)
{
    if (!*path)
        return;
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "we");
    if (!f || fprintf(f, "%d\n", (int)pid) < 0 || fclose(f) != 0 || rename(tmp, path) != 0)
        log_msg(LOG_WARN, "cannot write pid file %s: %s", path, strerror(errno));
}

static void remove_pid_file(const char *path)
{
    if (*path)
        unlink(path);
}

static void describe_status(int status, char *out, size_t len)
{
    if (WIFSIGNALED(status))
        snprintf(out, len, "was killed by signal %d", WTERMSIG(status));
    else
        snprintf(out, len, "exited with status %d", WEXITSTATUS(status));
}

/* Starts a worker for sl into *p. Returns 0 or -1 (logged). */
static int spawn(master_t *m, slot_t *sl, proc_t *p)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        log_msg(LOG_ERROR, "worker %d: pipe: %s", sl->k, strerror(errno));
        return -1;
    }
    envlist_t vars = {0};
    char listen_fd[16], ready_fd[16];
    snprintf(listen_fd, sizeof listen_fd, "%d", sl->listen_fd);
    snprintf(ready_fd, sizeof ready_fd, "%d", pipefd[1]);
    char **env = NULL;
    if (envlist_set(&vars, "TRACKGEN_LISTEN", sl->listen) == 0 &&
        envlist_set(&vars, "TRACKGEN_LISTEN_FD", listen_fd) == 0 &&
        envlist_set(&vars, "TRACKGEN_READY_FD", ready_fd) == 0)
        env = envfile_overlay(m->env, &vars);
    char *argv[] = {m->exe, "serve", NULL};
    pid_t master = getpid();
    pid_t pid = env ? fork() : -1;
    if (pid == 0) {
        /* The child: async-signal-safe calls only. Stopping signals stay blocked until the
         * worker's own signal thread takes them, so an early SIGTERM is not lost. */
        sigprocmask(SIG_SETMASK, &m->child_mask, NULL);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != master)
            _exit(1); /* the master died before prctl */
        fcntl(sl->listen_fd, F_SETFD, 0);
        fcntl(pipefd[1], F_SETFD, 0);
        execve(m->exe, argv, env);
        static const char msg[] = "trackgen supervisor: cannot exec the worker binary\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)ignored;
        _exit(127);
    }
    int fork_errno = errno;
    close(pipefd[1]);
    free(env);
    envlist_free(&vars);
    if (pid < 0) {
        close(pipefd[0]);
        log_msg(LOG_ERROR, "worker %d: cannot start: %s", sl->k, env ? strerror(fork_errno) : "out of memory");
        return -1;
    }
    *p = (proc_t){.pid = pid, .ready_fd = pipefd[0], .started_ms = now_ms()};
    log_msg(LOG_INFO, "worker %d: started pid %d (%s)", sl->k, (int)pid, m->exe);
    return 0;
}

static void schedule_restart(master_t *m, slot_t *sl, int64_t lived_ms)
{
    if (m->stopping)
        return;
    sl->quick_deaths = slot_quick_deaths(sl->quick_deaths, lived_ms);
    int delay = slot_restart_delay_ms(sl->quick_deaths);
    sl->restart_at_ms = now_ms() + delay;
    log_msg(delay ? LOG_WARN : LOG_INFO, "worker %d: restarting in %d ms (%d quick exits in a row)", sl->k, delay,
            sl->quick_deaths);
}

static void free_prev_env(master_t *m)
{
    free(m->prev_env);
    envlist_free(&m->prev_env_file);
    m->prev_env = NULL;
}

static void reload_advance(master_t *m);

/* The workers already replaced keep running; the others keep their configuration and binary. */
static void reload_abort(master_t *m, const char *why)
{
    log_msg(LOG_ERROR, "reload stopped: %s; %d of %d workers were replaced, the others keep serving unchanged", why,
            m->reload.slot, m->workers);
    free(m->env);
    envlist_free(&m->env_file);
    m->env = m->prev_env;
    m->env_file = m->prev_env_file;
    m->prev_env = NULL;
    m->prev_env_file = (envlist_t){0};
    m->reload.active = false;
}

/* Starts the replacement for the next slot, or finishes the reload. */
static void reload_advance(master_t *m)
{
    m->reload.waiting = 0;
    if (++m->reload.slot >= m->workers) {
        log_msg(LOG_INFO, "reload done: all %d workers replaced", m->workers);
        free_prev_env(m);
        m->reload.active = false;
        return;
    }
    slot_t *sl = &m->slots[m->reload.slot];
    if (spawn(m, sl, &sl->next) < 0) {
        char why[64];
        snprintf(why, sizeof why, "worker %d's replacement could not be started", sl->k);
        reload_abort(m, why);
        return;
    }
    sl->restart_at_ms = -1; /* the replacement is also the restart of a slot waiting for one */
}

static void reload_begin(master_t *m)
{
    if (m->stopping)
        return;
    if (m->reload.active) {
        log_msg(LOG_WARN, "SIGHUP during a reload: ignored (send it again once the reload is done)");
        return;
    }
    char err[512];
    char **env;
    envlist_t file;
    config_t cfg;
    if (load_env(&env, &file, &cfg, err, sizeof err) < 0) {
        log_msg(LOG_ERROR, "reload refused, the running workers keep serving: configuration error: %s", err);
        return;
    }
    if (access(m->exe, X_OK) != 0) {
        log_msg(LOG_ERROR, "reload refused, the running workers keep serving: %s: %s", m->exe, strerror(errno));
        free(env);
        envlist_free(&file);
        config_free(&cfg);
        return;
    }
    if (strcmp(cfg.listen, m->listen) != 0)
        log_msg(LOG_WARN,
                "TRACKGEN_LISTEN changed to %s: the workers stay on the sockets of %s until the master restarts",
                cfg.listen, m->listen);
    log_set_level(cfg.log_level);
    config_free(&cfg);
    log_msg(LOG_INFO, "SIGHUP: replacing the %d workers one at a time", m->workers);
    m->prev_env = m->env;
    m->prev_env_file = m->env_file;
    m->env = env;
    m->env_file = file;
    m->reload.active = true;
    m->reload.slot = -1;
    reload_advance(m);
}

static void on_ready(master_t *m, slot_t *sl, proc_t *p)
{
    close(p->ready_fd);
    p->ready_fd = -1;
    p->ready = true;
    if (p == &sl->cur) {
        write_pid_file(sl->pid_file, p->pid);
        log_msg(LOG_INFO, "worker %d: pid %d ready", sl->k, (int)p->pid);
        return;
    }
    /* A reload's replacement: it takes the slot, then the old worker stops. */
    proc_t old = sl->cur;
    sl->cur = *p;
    sl->next = (proc_t){0};
    sl->next.ready_fd = -1;
    sl->quick_deaths = 0;
    write_pid_file(sl->pid_file, sl->cur.pid);
    log_msg(LOG_INFO, "worker %d: pid %d ready, replacing pid %d", sl->k, (int)sl->cur.pid, (int)old.pid);
    if (old.pid <= 0 || m->n_retiring == MAX_RETIRING) {
        if (old.pid > 0)
            kill(old.pid, SIGTERM);
        reload_advance(m);
        return;
    }
    if (old.ready_fd >= 0)
        close(old.ready_fd);
    kill(old.pid, SIGTERM);
    m->retiring[m->n_retiring++] = old.pid;
    m->reload.waiting = old.pid;
    m->reload.deadline_ms = now_ms() + RETIRE_TIMEOUT_MS;
}

static void on_exit_of(master_t *m, pid_t pid, int status)
{
    char how[64];
    describe_status(status, how, sizeof how);
    int64_t now = now_ms();
    for (int i = 0; i < m->workers; i++) {
        slot_t *sl = &m->slots[i];
        if (sl->cur.pid == pid) {
            log_msg(m->stopping ? LOG_INFO : LOG_WARN, "worker %d: pid %d %s", sl->k, (int)pid, how);
            if (sl->cur.ready_fd >= 0)
                close(sl->cur.ready_fd);
            if (sl->cur.ready)
                remove_pid_file(sl->pid_file);
            int64_t lived = now - sl->cur.started_ms;
            sl->cur = (proc_t){.ready_fd = -1};
            if (sl->next.pid == 0) /* else the reload's replacement takes the slot */
                schedule_restart(m, sl, lived);
            return;
        }
        if (sl->next.pid == pid) {
            if (sl->next.ready_fd >= 0)
                close(sl->next.ready_fd);
            sl->next = (proc_t){.ready_fd = -1};
            if (sl->cur.pid == 0)
                schedule_restart(m, sl, 0);
            if (m->reload.active) {
                char why[160];
                snprintf(why, sizeof why, "worker %d's replacement (pid %d) %s before it was ready", sl->k, (int)pid,
                         how);
                reload_abort(m, why);
            }
            return;
        }
    }
    for (int i = 0; i < m->n_retiring; i++) {
        if (m->retiring[i] == pid) {
            m->retiring[i] = m->retiring[--m->n_retiring];
            log_msg(LOG_INFO, "replaced worker pid %d %s", (int)pid, how);
            if (m->reload.active && m->reload.waiting == pid)
                reload_advance(m);
            return;
        }
    }
}

static void stop_all(master_t *m, int sig)
{
    for (int i = 0; i < m->workers; i++) {
        if (m->slots[i].cur.pid > 0)
            kill(m->slots[i].cur.pid, sig);
        if (m->slots[i].next.pid > 0)
            kill(m->slots[i].next.pid, sig);
    }
    for (int i = 0; i < m->n_retiring; i++)
        kill(m->retiring[i], sig);
}

static void begin_stop(master_t *m, int sig)
{
    if (m->stopping)
        return;
    log_msg(LOG_INFO, "signal %d: stopping the workers (their requests in flight finish first)", sig);
    m->stopping = true;
    m->stop_deadline_ms = now_ms() + STOP_TIMEOUT_MS;
    if (m->reload.active) {
        free_prev_env(m);
        m->reload.active = false;
    }
    stop_all(m, SIGTERM);
}

static bool any_child(const master_t *m)
{
    for (int i = 0; i < m->workers; i++)
        if (m->slots[i].cur.pid > 0 || m->slots[i].next.pid > 0)
            return true;
    return m->n_retiring > 0;
}

static void on_signals(master_t *m)
{
    struct signalfd_siginfo si;
    while (read(m->sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
        int sig = (int)si.ssi_signo;
        if (sig == SIGCHLD) {
            int status;
            pid_t pid;
            while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                on_exit_of(m, pid, status);
        } else if (sig == SIGHUP) {
            reload_begin(m);
        } else if (sig == SIGTERM || sig == SIGINT) {
            begin_stop(m, sig);
        }
    }
}

static void on_ready_fd(master_t *m, slot_t *sl, proc_t *p)
{
    char c;
    ssize_t n = read(p->ready_fd, &c, 1);
    if (n == 1) {
        on_ready(m, sl, p);
    } else if (n == 0) { /* closed without a word: it exited, and SIGCHLD tells the rest */
        close(p->ready_fd);
        p->ready_fd = -1;
    }
}

/* Timers that are due; returns the poll timeout until the next one (-1: none). */
static int run_timers(master_t *m)
{
    int64_t now = now_ms(), next = INT64_MAX;
#define CONSIDER(t) (next = (t) < next ? (t) : next)
    if (m->stopping) {
        if (now >= m->stop_deadline_ms) {
            log_msg(LOG_ERROR, "workers still running %d s after SIGTERM: killing them", STOP_TIMEOUT_MS / 1000);
            stop_all(m, SIGKILL);
            m->stop_deadline_ms = INT64_MAX;
        }
        CONSIDER(m->stop_deadline_ms);
    }
    for (int i = 0; i < m->workers; i++) {
        slot_t *sl = &m->slots[i];
        proc_t *procs[] = {&sl->cur, &sl->next};
        for (int j = 0; j < 2; j++) {
            proc_t *p = procs[j];
            if (p->pid <= 0 || p->ready || p->killed)
                continue;
            if (now >= p->started_ms + READY_TIMEOUT_MS) {
                log_msg(LOG_ERROR, "worker %d: pid %d not ready after %d s: killing it", sl->k, (int)p->pid,
                        READY_TIMEOUT_MS / 1000);
                kill(p->pid, SIGKILL);
                p->killed = true;
            } else {
                CONSIDER(p->started_ms + READY_TIMEOUT_MS);
            }
        }
        if (sl->restart_at_ms >= 0 && !m->stopping && sl->cur.pid == 0 && sl->next.pid == 0) {
            if (now >= sl->restart_at_ms) {
                sl->restart_at_ms = -1;
                if (spawn(m, sl, &sl->cur) < 0)
                    schedule_restart(m, sl, 0);
            }
            if (sl->restart_at_ms >= 0)
                CONSIDER(sl->restart_at_ms);
        }
    }
    if (m->reload.active && m->reload.waiting > 0) {
        if (now >= m->reload.deadline_ms) {
            log_msg(LOG_WARN, "reload: replaced worker pid %d still finishing after %d s; going on",
                    (int)m->reload.waiting, RETIRE_TIMEOUT_MS / 1000);
            reload_advance(m);
        } else {
            CONSIDER(m->reload.deadline_ms);
        }
    }
#undef CONSIDER
    if (next == INT64_MAX)
        return -1;
    int64_t wait = next - now_ms();
    return wait < 0 ? 0 : wait > 60000 ? 60000 : (int)wait;
}

static void loop(master_t *m)
{
    while (!m->stopping || any_child(m)) {
        int timeout = run_timers(m);
        struct pollfd fds[1 + 2 * SUPERVISOR_MAX_WORKERS];
        proc_t *owners[1 + 2 * SUPERVISOR_MAX_WORKERS];
        slot_t *owner_slots[1 + 2 * SUPERVISOR_MAX_WORKERS];
        nfds_t n = 0;
        fds[n++] = (struct pollfd){.fd = m->sig_fd, .events = POLLIN};
        for (int i = 0; i < m->workers; i++) {
            proc_t *procs[] = {&m->slots[i].cur, &m->slots[i].next};
            for (int j = 0; j < 2; j++) {
                if (procs[j]->ready_fd < 0)
                    continue;
                owners[n] = procs[j];
                owner_slots[n] = &m->slots[i];
                fds[n++] = (struct pollfd){.fd = procs[j]->ready_fd, .events = POLLIN};
            }
        }
        if (poll(fds, n, timeout) < 0 && errno != EINTR) {
            log_msg(LOG_ERROR, "poll: %s", strerror(errno));
            sleep(1);
            continue;
        }
        if (fds[0].revents)
            on_signals(m);
        for (nfds_t i = 1; i < n; i++) /* an fd closed by on_signals is -1 in its proc now */
            if (fds[i].revents && owners[i]->ready_fd == fds[i].fd)
                on_ready_fd(m, owner_slots[i], owners[i]);
    }
}

static int open_slots(master_t *m)
{
    for (int i = 0; i < m->workers; i++) {
        slot_t *sl = &m->slots[i];
        *sl = (slot_t){.k = i + 1, .listen_fd = -1, .restart_at_ms = 0};
        sl->cur.ready_fd = sl->next.ready_fd = -1;
        if (slot_listen(m->listen, sl->k, sl->listen, sizeof sl->listen) < 0) {
            log_msg(LOG_ERROR, "TRACKGEN_LISTEN %s has no address for worker %d", m->listen, sl->k);
            return -1;
        }
        if (m->pid_file && slot_path(m->pid_file, sl->k, sl->pid_file, sizeof sl->pid_file) < 0) {
            log_msg(LOG_ERROR, "pid file path too long: %s", m->pid_file);
            return -1;
        }
        sl->listen_fd = server_listen(sl->listen);
        if (sl->listen_fd < 0 || fcntl(sl->listen_fd, F_SETFD, FD_CLOEXEC) < 0) {
            log_msg(LOG_ERROR, "cannot listen on %s: %s", sl->listen, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static void close_slots(master_t *m)
{
    for (int i = 0; i < m->workers; i++) {
        slot_t *sl = &m->slots[i];
        if (sl->listen_fd >= 0) {
            close(sl->listen_fd);
            if (strchr(sl->listen, '/'))
                unlink(sl->listen);
        }
    }
}

int supervisor_run(int workers, const char *pid_file)
{
    static master_t master; /* large (paths per slot): not on the stack */
    master_t *m = &master;
    *m = (master_t){.workers = workers, .pid_file = pid_file, .sig_fd = -1};
    char err[512];
    config_t cfg;
    if (load_env(&m->env, &m->env_file, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "trackgen: configuration error: %s\n", err);
        return 2;
    }
    log_set_level(cfg.log_level);
    snprintf(m->listen, sizeof m->listen, "%s", cfg.listen);
    config_free(&cfg);
    ssize_t n = readlink("/proc/self/exe", m->exe, sizeof m->exe - 1);
    if (n <= 0 || (size_t)n >= sizeof m->exe - 1) {
        log_msg(LOG_ERROR, "cannot resolve the trackgen binary: %s", strerror(errno));
        return 1;
    }
    m->exe[n] = '\0';

    /* Dispositions as the workers expect them (nohup leaves SIGHUP ignored; an ignored SIGCHLD
     * would reap children behind our back), then all of them through the signalfd. */
    sigset_t sigs, orig;
    sigemptyset(&sigs);
    const int handled[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGPIPE};
    for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++) {
        signal(handled[i], SIG_DFL);
        sigaddset(&sigs, handled[i]);
    }
    sigprocmask(SIG_BLOCK, &sigs, &orig);
    sigorset(&m->child_mask, &orig, &sigs);
    sigdelset(&m->child_mask, SIGCHLD);
    m->sig_fd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
    if (m->sig_fd < 0) {
        log_msg(LOG_ERROR, "signalfd: %s", strerror(errno));
        return 1;
    }
    int rc = 1;
    if (open_slots(m) == 0) {
        if (pid_file)
            write_pid_file(pid_file, getpid());
        log_msg(LOG_INFO, "supervisor pid %d: %d workers on %s (slots %s ...)", (int)getpid(), workers, m->listen,
                m->slots[0].listen);
        loop(m);
        rc = 0;
    }
    close_slots(m);
    close(m->sig_fd);
    free(m->env);
    envlist_free(&m->env_file);
    if (rc == 0) {
        log_msg(LOG_INFO, "supervisor: all workers stopped");
        if (pid_file)
            unlink(pid_file); /* last: whoever waits for it to go finds the sockets gone too */
    }
    return rc;
}
