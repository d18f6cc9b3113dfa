/*
 * embedded_pg: a PostgreSQL cluster of rmad's own under var/; see embedded_pg.h.
 *
 * Layout of <var_dir> (made absolute with realpath, as PostgreSQL needs):
 *   pgdata/           the cluster; its postgresql.conf includes rmad.conf
 *   pgdata/rmad.conf  rewritten at every ensure: no TCP, socket in pgrun/ (follows a moved tree)
 *   pgrun/            Unix socket directory, mode 0700
 *   pg.log            initdb, pg_ctl and server output
 *   pg.lock           flock()ed while ensuring or stopping, so concurrent rmads take turns
 * initdb runs in pgdata.init/, renamed to pgdata/ once complete, so a half-made cluster is never
 * mistaken for a real one.  Every descriptor opened here is close-on-exec: the postmaster must
 * not inherit the lock or anything else of ours.
 */
#include "embedded_pg.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EPG_FALLBACK_BINDIR "/usr/lib/postgresql/15/bin"
#define EPG_SYSTEM_USER "rmad"
#define EPG_MAX_ARGS 24

struct epg {
    char var[PATH_MAX];
    char data[PATH_MAX];
    char init[PATH_MAX];
    char run[PATH_MAX];
    char log[PATH_MAX];
    char bindir[PATH_MAX];
    char user[64]; /* "" when not root: programs run as ourselves */
    uid_t uid;
    gid_t gid;
    int log_fd;
    int lock_fd;
};

static int fail(struct err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ERR_INTERNAL about the embedded database. */
static int fail(struct err *err, const char *fmt, ...)
{
    char msg[sizeof err->message];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(err, ERR_INTERNAL, "database", "%s", msg);
}

static int join(char *out, size_t out_len, const char *dir, const char *name, struct err *err)
{
    int n = snprintf(out, out_len, "%s/%s", dir, name);

    if (n < 0 || (size_t)n >= out_len)
        return fail(err, "embedded database path too long: %s", dir);
    return 0;
}

/* Appends a dated line to pg.log, so the log tells which step of ours came before its output. */
static void note(const struct epg *pg, const char *what, const char *arg)
{
    char stamp[32] = "";
    time_t now = time(NULL);
    struct tm tm;

    if (pg->log_fd < 0)
        return;
    if (localtime_r(&now, &tm) != NULL)
        strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    dprintf(pg->log_fd, "%s rmad: %s%s\n", stamp, what, arg ? arg : "");
}

/* First of /usr/sbin/<name>, /sbin/<name> that exists, else <name> for PATH to find. */
static const char *sbin(const char *name, char *buf, size_t buf_len)
{
    static const char *const dirs[] = {"/usr/sbin", "/sbin"};

    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        int n = snprintf(buf, buf_len, "%s/%s", dirs[i], name);

        if (n > 0 && (size_t)n < buf_len && access(buf, X_OK) == 0)
            return buf;
    }
    return name;
}

/*
 * Runs argv (argv[0] looked up in PATH) and waits for it.  With out != NULL its stdout and stderr
 * are collected there (cut to out_len - 1 bytes, NUL-terminated); otherwise they go to pg.log, or
 * to /dev/null before pg.log is open.  Returns the exit status, or -1 when it could not be run.
 */
static int run_argv(const struct epg *pg, char *const argv[], char *out, size_t out_len)
{
    int fds[2] = {-1, -1};
    size_t used = 0;
    int status;
    pid_t pid;

    if (out != NULL && pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    pid = fork();
    if (pid < 0) {
        if (out != NULL) {
            close(fds[0]);
            close(fds[1]);
        }
        return -1;
    }
    if (pid == 0) {
        struct sigaction dfl;
        sigset_t none;
        int sink = out != NULL ? fds[1] : pg->log_fd;
        int nul = open("/dev/null", O_RDWR);

        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigaction(SIGPIPE, &dfl, NULL);
        sigaction(SIGCHLD, &dfl, NULL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (sink < 0)
            sink = nul;
        if (nul >= 0)
            dup2(nul, STDIN_FILENO);
        dup2(sink, STDOUT_FILENO);
        dup2(sink, STDERR_FILENO);
        /* A directory the target user can enter: initdb and pg_ctl complain about cwd otherwise. */
        if (chdir(pg->var) != 0 && chdir("/") != 0)
            _exit(126);
        execvp(argv[0], argv);
        dprintf(STDERR_FILENO, "rmad: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (out != NULL) {
        char scrap[512];
        ssize_t n;

        close(fds[1]);
        for (;;) {
            char *dst = used + 1 < out_len ? out + used : scrap;
            size_t room = used + 1 < out_len ? out_len - 1 - used : sizeof scrap;

            n = read(fds[0], dst, room);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            if (dst == out + used)
                used += (size_t)n;
        }
        close(fds[0]);
        out[used] = '\0';
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return -1;
}

/*
 * Runs the PostgreSQL program prog of bindir with args (NULL-terminated), as the cluster's user
 * when we are root.  out as for run_argv().
 */
static int run_pg(const struct epg *pg, const char *prog, const char *const args[], char *out,
                  size_t out_len)
{
    char path[PATH_MAX];
    char runuser[64];
    char *argv[EPG_MAX_ARGS];
    size_t n = 0;
    int len = snprintf(path, sizeof path, "%s/%s", pg->bindir, prog);

    if (len < 0 || (size_t)len >= sizeof path)
        return -1;
    if (pg->user[0] != '\0') {
        argv[n++] = (char *)sbin("runuser", runuser, sizeof runuser);
        argv[n++] = "-u";
        argv[n++] = (char *)pg->user;
        argv[n++] = "--";
    }
    argv[n++] = path;
    for (size_t i = 0; args[i] != NULL; i++) {
        if (n + 1 >= EPG_MAX_ARGS)
            return -1;
        argv[n++] = (char *)args[i];
    }
    argv[n] = NULL;
    if (out == NULL)
        note(pg, "running ", prog);
    return run_argv(pg, argv, out, out_len);
}

/* mkdir -p with mode 0755 for what it creates. */
static int make_path(const char *path, struct err *err)
{
    char buf[PATH_MAX];
    int n = snprintf(buf, sizeof buf, "%s", path);

    if (n <= 0 || (size_t)n >= sizeof buf)
        return fail(err, "bad var directory: %s", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;

        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return fail(err, "cannot create directory %s", buf);
        *p = saved;
        if (saved == '\0')
            return 0;
    }
}

/* Makes dir exist with mode 0700, owned by the cluster's user. */
static int private_dir(const struct epg *pg, const char *dir, struct err *err)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return fail(err, "cannot create directory %s", dir);
    if (pg->user[0] != '\0' && chown(dir, pg->uid, pg->gid) != 0)
        return fail(err, "cannot give %s to the database user", dir);
    if (chmod(dir, 0700) != 0)
        return fail(err, "cannot make %s private (mode 0700)", dir);
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

static int remove_tree(const char *dir, struct err *err)
{
    if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        return fail(err, "cannot remove %s", dir);
    return 0;
}

static bool exists(const char *dir, const char *name)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);

    return n > 0 && (size_t)n < sizeof path && access(path, F_OK) == 0;
}

/* pg_config --bindir when it has initdb and pg_ctl, else Debian's PostgreSQL 15 directory. */
static int find_bindir(struct epg *pg, struct err *err)
{
    char *const argv[] = {"pg_config", "--bindir", NULL};
    char out[PATH_MAX];

    if (run_argv(pg, argv, out, sizeof out) == 0) {
        out[strcspn(out, "\r\n")] = '\0';
        if (out[0] == '/' && exists(out, "initdb") && exists(out, "pg_ctl")) {
            snprintf(pg->bindir, sizeof pg->bindir, "%s", out);
            return 0;
        }
    }
    snprintf(pg->bindir, sizeof pg->bindir, "%s", EPG_FALLBACK_BINDIR);
    if (exists(pg->bindir, "initdb") && exists(pg->bindir, "pg_ctl"))
        return 0;
    return fail(err, "postgresql server programs not found in %s: install postgresql",
                EPG_FALLBACK_BINDIR);
}

/*
 * As root: the user who runs the cluster.  An existing cluster keeps its owner; otherwise
 * "postgres" (Debian's postgresql package makes it), or else a system user "rmad", made here.
 */
static int pick_user(struct epg *pg, struct err *err)
{
    struct stat st;
    struct passwd *pw = NULL;

    if (stat(pg->data, &st) == 0 && st.st_uid != 0)
        pw = getpwuid(st.st_uid);
    if (pw == NULL)
        pw = getpwnam("postgres");
    if (pw == NULL)
        pw = getpwnam(EPG_SYSTEM_USER);
    if (pw == NULL) {
        char useradd[64];
        char *const argv[] = {(char *)sbin("useradd", useradd, sizeof useradd),
                              "--system",
                              "--user-group",
                              "--no-create-home",
                              "--home-dir",
                              "/nonexistent",
                              "--shell",
                              "/usr/sbin/nologin",
                              "--comment",
                              "rmad embedded PostgreSQL",
                              EPG_SYSTEM_USER,
                              NULL};

        note(pg, "creating system user ", EPG_SYSTEM_USER);
        run_argv(pg, argv, NULL, 0);
        pw = getpwnam(EPG_SYSTEM_USER);
    }
    if (pw == NULL)
        return fail(err, "cannot create system user rmad for postgresql (see %s)", pg->log);
    if (pw->pw_uid == 0)
        return fail(err, "postgresql cannot run as root: %s belongs to root", pg->data);
    if (snprintf(pg->user, sizeof pg->user, "%s", pw->pw_name) >= (int)sizeof pg->user)
        return fail(err, "user name too long: %s", pw->pw_name);
    pg->uid = pw->pw_uid;
    pg->gid = pw->pw_gid;
    return 0;
}

/* As root: can the cluster's user get to var_dir?  Every directory above it needs search rights. */
static int check_reachable(const struct epg *pg, struct err *err)
{
    int status;
    pid_t pid = fork();

    if (pid < 0)
        return fail(err, "cannot check access to %s", pg->var);
    if (pid == 0) {
        if (initgroups(pg->user, pg->gid) != 0 || setgid(pg->gid) != 0 || setuid(pg->uid) != 0)
            _exit(2);
        _exit(access(pg->var, X_OK) == 0 ? 0 : 1);
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return fail(err, "cannot check access to %s", pg->var);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    return fail(err, "user %s cannot enter %s: every directory above it must be searchable",
                pg->user, pg->var);
}

/* Sets up paths, binaries and the user, creates var_dir when asked, and takes pg.lock. */
static int epg_open(struct epg *pg, const char *var_dir, bool create, struct err *err)
{
    char lock[PATH_MAX];

    memset(pg, 0, sizeof *pg);
    pg->log_fd = -1;
    pg->lock_fd = -1;
    if (var_dir == NULL || var_dir[0] == '\0')
        return fail(err, "no var directory for the embedded database");
    if (create && make_path(var_dir, err) != 0)
        return -1;
    if (realpath(var_dir, pg->var) == NULL)
        return fail(err, "cannot find var directory %s", var_dir);
    if (strpbrk(pg->var, "\n\r") != NULL)
        return fail(err, "var directory has a line break in its name: %s", pg->var);
    if (join(pg->data, sizeof pg->data, pg->var, "pgdata", err) ||
        join(pg->init, sizeof pg->init, pg->var, "pgdata.init", err) ||
        join(pg->run, sizeof pg->run, pg->var, "pgrun", err) ||
        join(pg->log, sizeof pg->log, pg->var, "pg.log", err) ||
        join(lock, sizeof lock, pg->var, "pg.lock", err))
        return -1;
    pg->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (pg->lock_fd < 0)
        return fail(err, "cannot open %s", lock);
    while (flock(pg->lock_fd, LOCK_EX) != 0) {
        if (errno != EINTR)
            return fail(err, "cannot lock %s", lock);
    }
    if (create || access(pg->log, F_OK) == 0) {
        pg->log_fd = open(pg->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (pg->log_fd < 0)
            return fail(err, "cannot open %s", pg->log);
    }
    if (find_bindir(pg, err) != 0)
        return -1;
    if (geteuid() == 0) {
        if (pick_user(pg, err) != 0 || check_reachable(pg, err) != 0)
            return -1;
        /* pg_ctl -l makes the server, running as that user, append to pg.log. */
        if (pg->log_fd >= 0 && fchown(pg->log_fd, pg->uid, pg->gid) != 0)
            return fail(err, "cannot give %s to the database user", pg->log);
    }
    return 0;
}

static void epg_close(struct epg *pg)
{
    if (pg->log_fd >= 0)
        close(pg->log_fd);
    if (pg->lock_fd >= 0)
        close(pg->lock_fd); /* releases the flock */
    pg->log_fd = -1;
    pg->lock_fd = -1;
}

/* Appends s to a postgresql.conf string literal: ' and \ are doubled. */
static void conf_quote(FILE *f, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\'' || *s == '\\')
            fputc(*s, f);
        fputc(*s, f);
    }
}

/*
 * Writes pgdata/rmad.conf: no TCP listener, the socket in pgrun/.  unix_socket_directories is a
 * comma-separated list, so the directory is double-quoted inside the literal ("" for a ").
 */
static int write_settings(const struct epg *pg, struct err *err)
{
    char path[PATH_MAX];
    char tmp[PATH_MAX];
    FILE *f;
    int fd;

    if (join(path, sizeof path, pg->data, "rmad.conf", err) ||
        join(tmp, sizeof tmp, pg->data, "rmad.conf.tmp", err))
        return -1;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return fail(err, "cannot write %s", tmp);
    if (pg->user[0] != '\0' && fchown(fd, pg->uid, pg->gid) != 0) {
        close(fd);
        return fail(err, "cannot give %s to the database user", tmp);
    }
    f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        return fail(err, "cannot write %s", tmp);
    }
    fputs("# Written by rmad each time it ensures the embedded cluster: do not edit.\n"
          "listen_addresses = ''\n"
          "unix_socket_directories = '\"",
          f);
    for (const char *s = pg->run; *s != '\0'; s++) {
        char c[2] = {*s, '\0'};

        conf_quote(f, *s == '"' ? "\"\"" : c);
    }
    fputs("\"'\nunix_socket_permissions = 0700\n", f);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return fail(err, "cannot write %s", path);
    return 0;
}

/* initdb in pgdata.init/, then rename it to pgdata/. */
static int create_cluster(const struct epg *pg, struct err *err)
{
    const char *locale =
        access("/usr/lib/locale/C.utf8", F_OK) == 0 ? "--locale=C.UTF-8" : "--locale=C";
    const char *const args[] = {
        "--pgdata", pg->init, "--username=rmad", "--auth=trust", "--encoding=UTF8", locale, NULL};
    char conf[PATH_MAX];
    FILE *f;

    /* An empty pgdata/ (made by hand, say) may be replaced; anything else is not ours to touch. */
    if (access(pg->data, F_OK) == 0 && rmdir(pg->data) != 0)
        return fail(err, "%s is not empty but has no cluster: move it away", pg->data);
    if (remove_tree(pg->init, err) != 0 || private_dir(pg, pg->init, err) != 0)
        return -1;
    if (run_pg(pg, "initdb", args, NULL, 0) != 0)
        return fail(err, "initdb failed (see %s)", pg->log);
    if (join(conf, sizeof conf, pg->init, "postgresql.conf", err))
        return -1;
    f = fopen(conf, "ae");
    if (f == NULL)
        return fail(err, "cannot write %s", conf);
    fputs("\n# rmad: no TCP, socket in var/pgrun (rewritten at every start)\n"
          "include_if_exists = 'rmad.conf'\n",
          f);
    if (fclose(f) != 0)
        return fail(err, "cannot write %s", conf);
    if (rename(pg->init, pg->data) != 0)
        return fail(err, "cannot rename the new cluster to %s", pg->data);
    note(pg, "created cluster in ", pg->data);
    return 0;
}

/* pg_ctl status: 0 running, 1 not running, -1 error (no data directory, cannot run pg_ctl). */
static int cluster_status(const struct epg *pg)
{
    const char *const args[] = {"status", "-D", pg->data, NULL};
    char out[512];

    switch (run_pg(pg, "pg_ctl", args, out, sizeof out)) {
    case 0:
        return 0;
    case 3:
        return 1;
    default:
        note(pg, "pg_ctl status: ", out);
        return -1;
    }
}

/*
 * Asks the server whether database rmad exists: 1 yes, 0 no, -1 cannot connect (the reason is in
 * out).
 */
static int database_exists(const struct epg *pg, char *out, size_t out_len)
{
    static const char sql[] = "SELECT 1 FROM pg_database WHERE datname = 'rmad'";
    const char *const args[] = {"-XqtA", "-h",       pg->run, "-U", "rmad",
                                "-d",    "postgres", "-c",    sql,  NULL};

    if (run_pg(pg, "psql", args, out, out_len) != 0)
        return -1;
    return out[0] == '1';
}

static int create_database(const struct epg *pg, struct err *err)
{
    const char *const args[] = {"-h", pg->run, "-U", "rmad", "rmad", NULL};
    char out[512];

    if (run_pg(pg, "createdb", args, out, sizeof out) != 0 &&
        strstr(out, "already exists") == NULL) {
        note(pg, "createdb: ", out);
        return fail(err, "cannot create database rmad (see %s)", pg->log);
    }
    return 0;
}

/*
 * Starts the server unless pg_ctl status says it runs, and waits until it answers.  A server that
 * was just killed can still look alive for a moment (its PID not yet reaped), and one started by
 * someone else may still be recovering: both get a few more tries.
 */
static int start_and_connect(const struct epg *pg, struct err *err)
{
    const char *const start[] = {"start", "-D", pg->data, "-l", pg->log, "-w", "-t", "60", NULL};
    char out[512];

    for (int attempt = 1;; attempt++) {
        int exists_rc;

        switch (cluster_status(pg)) {
        case 0:
            break;
        case 1:
            if (run_pg(pg, "pg_ctl", start, NULL, 0) != 0)
                return fail(err, "cannot start the embedded postgresql (see %s)", pg->log);
            break;
        default:
            return fail(err, "cannot check the embedded postgresql (see %s)", pg->log);
        }
        exists_rc = database_exists(pg, out, sizeof out);
        if (exists_rc == 1)
            return 0;
        if (exists_rc == 0)
            return create_database(pg, err);
        if (attempt == 15) {
            note(pg, "psql: ", out);
            return fail(err, "cannot connect to the embedded postgresql (see %s)", pg->log);
        }
        sleep(1);
    }
}

/* libpq conninfo value: bare when plain, else single-quoted with \ before ' and \. */
static int conninfo_value(char *out, size_t out_len, const char *s)
{
    size_t n = 0;
    bool plain = strpbrk(s, " \t'\\") == NULL;

    if (!plain && n < out_len)
        out[n++] = '\'';
    for (; *s != '\0' && n + 3 < out_len; s++) {
        if (*s == '\'' || *s == '\\')
            out[n++] = '\\';
        out[n++] = *s;
    }
    if (*s != '\0')
        return -1;
    if (!plain)
        out[n++] = '\'';
    out[n] = '\0';
    return 0;
}

int embedded_pg_ensure(const char *var_dir, char *conninfo, size_t conninfo_len, struct err *err)
{
    struct epg pg;
    struct sockaddr_un addr;
    char host[2 * PATH_MAX];
    int rc = -1;
    int n;

    if (epg_open(&pg, var_dir, true, err) != 0)
        goto out;
    /* The socket path is pgrun/.s.PGSQL.5432 and must fit in sun_path. */
    if (strlen(pg.run) + sizeof "/.s.PGSQL.5432" > sizeof addr.sun_path) {
        fail(err, "var directory path too long for a unix socket: %s", pg.var);
        goto out;
    }
    if (private_dir(&pg, pg.run, err) != 0)
        goto out;
    if (!exists(pg.data, "PG_VERSION") && create_cluster(&pg, err) != 0)
        goto out;
    if (write_settings(&pg, err) != 0)
        goto out;
    if (start_and_connect(&pg, err) != 0)
        goto out;
    if (conninfo_value(host, sizeof host, pg.run) != 0) {
        fail(err, "var directory path too long: %s", pg.var);
        goto out;
    }
    n = snprintf(conninfo, conninfo_len, "host=%s dbname=rmad user=rmad", host);
    if (n < 0 || (size_t)n >= conninfo_len) {
        fail(err, "connection string too long for %s", pg.var);
        goto out;
    }
    rc = 0;
out:
    epg_close(&pg);
    return rc;
}

int embedded_pg_stop(const char *var_dir, struct err *err)
{
    struct epg pg;
    int rc = -1;

    if (var_dir == NULL || access(var_dir, F_OK) != 0)
        return 0; /* no var directory, no cluster */
    if (epg_open(&pg, var_dir, false, err) != 0)
        goto out;
    rc = 0;
    if (!exists(pg.data, "PG_VERSION"))
        goto out;
    switch (cluster_status(&pg)) {
    case 0: {
        const char *const args[] = {"stop", "-D", pg.data, "-m", "fast", "-w", "-t", "60", NULL};

        if (run_pg(&pg, "pg_ctl", args, NULL, 0) != 0)
            rc = fail(err, "cannot stop the embedded postgresql (see %s)", pg.log);
        break;
    }
    case 1:
        break;
    default:
        rc = fail(err, "cannot check the embedded postgresql (see %s)", pg.log);
        break;
    }
out:
    epg_close(&pg);
    return rc;
}
