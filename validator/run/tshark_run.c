/*
 * Running tshark on one capture (see tshark.h): the field table as -e arguments, the capture
 * piped in when tshark cannot open it, rows handed to the caller as they come, and what
 * tshark's exit and stderr say about the capture.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "result/fields.h"
#include "run/stop.h"
#include "run/tshark_private.h"

#define STDERR_MAX (64 * 1024)

/* The one field table (fields.h), as tshark -e arguments. */
static const struct {
    const char *name;
    int enabled;
} field_table[FIELD_COUNT] = {
#define FIELD_ROW(e, name, enabled) {name, enabled},
    MPTCPV_VALIDATE_FIELDS(FIELD_ROW) MPTCPV_VALIDATE_PLOT_FIELDS(FIELD_ROW)
#undef FIELD_ROW
};

/* Whether column |i| is asked from tshark (else it reads as empty). */
static gboolean field_asked(const tshark_handle *t, int i)
{
    return field_table[i].enabled && (i < FIELD_BASE_COUNT || t->plot_fields);
}

GPtrArray *tshark_argv(const tshark_handle *t, const char *input)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    tshark_argv_start(argv, t, t->as_nobody);
    /* Wireshark's own MPTCP analysis is not read here, and it costs time that grows with
     * the number of MPTCP connections per packet (BENCHMARKS.md): off. */
    const char *fixed[] = {"-n",
                           "-o",
                           "mptcp.analyze_mptcp:FALSE",
                           "-r",
                           input,
                           "-T",
                           "fields",
                           "-E",
                           "header=n",
                           "-E",
                           "separator=/t",
                           "-E",
                           "quote=n",
                           "-E",
                           "occurrence=a",
                           "-E",
                           "aggregator=\x1f"};
    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        g_ptr_array_add(argv, g_strdup(fixed[i]));
    for (int i = 0; i < FIELD_COUNT; i++) {
        if (!field_asked(t, i))
            continue;
        g_ptr_array_add(argv, g_strdup("-e"));
        g_ptr_array_add(argv, g_strdup(field_table[i].name));
    }
    g_ptr_array_add(argv, NULL);
    return argv;
}

typedef struct feeder {
    int to;   /* tshark's stdin */
    int from; /* the capture */
    const guint8 *prefix;
    gsize prefix_len;
    gboolean read_error;
    int read_errno;
} feeder;

static gboolean write_all(int fd, const guint8 *p, gsize n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return FALSE; /* EPIPE: tshark stopped reading; it will say why */
        p += w;
        n -= (gsize)w;
    }
    return TRUE;
}

static gpointer feed(gpointer data)
{
    feeder *f = data;
    guint8 *buf = g_malloc(1 << 16);
    guint after_stop = 0;
    if (write_all(f->to, f->prefix, f->prefix_len)) {
        for (;;) {
            /* A stop (stop.h) ends the input once the pipe holds no more: tshark gets EOF,
             * finishes the packets it has and flushes their rows. The writer of a live pipe
             * may never close it. */
            gboolean stopped = stop_requested() != 0;
            if (stopped && ++after_stop > 16)
                break; /* a writer that never pauses: at most 1 MiB more */
            struct pollfd pfd[2] = {{f->from, POLLIN, 0}, {stop_fd(), POLLIN, 0}};
            int pr = poll(pfd, !stopped && stop_fd() >= 0 ? 2 : 1, stopped ? 0 : -1);
            if (pr < 0 && errno == EINTR)
                continue;
            if (pr < 0 || !(pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
                if (stopped || pr < 0)
                    break;
                continue;
            }
            ssize_t r = read(f->from, buf, 1 << 16);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0) {
                f->read_error = TRUE;
                f->read_errno = errno;
                break;
            }
            if (r == 0 || !write_all(f->to, buf, (gsize)r))
                break;
        }
    }
    g_free(buf);
    close(f->to);
    return NULL;
}

typedef struct drain {
    int fd;
    GString *text;
} drain;

static gpointer drain_stderr(gpointer data)
{
    drain *d = data;
    char buf[4096];
    for (;;) {
        ssize_t r = read(d->fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        if (d->text->len < STDERR_MAX)
            g_string_append_len(d->text, buf, r);
    }
    close(d->fd);
    return NULL;
}

/* tshark's stderr without the root warning, as lines. */
static GPtrArray *stderr_lines(const char *text)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    gchar **all = g_strsplit(text, "\n", -1);
    for (gchar **l = all; *l != NULL; l++) {
        char *s = g_strstrip(g_strdup(*l));
        if (*s == '\0' || strstr(s, "This could be dangerous") != NULL) {
            g_free(s);
            continue;
        }
        g_ptr_array_add(lines, s);
    }
    g_strfreev(all);
    return lines;
}

static const char *strip_tshark(const char *line)
{
    return g_str_has_prefix(line, "tshark: ") ? line + strlen("tshark: ") : line;
}

static tshark_status judge(const tshark_handle *t, int wait_status, const char *err_text,
                           char **error)
{
    GPtrArray *lines = stderr_lines(err_text);
    tshark_status st = TSHARK_OK;
    const char *first = lines->len > 0 ? g_ptr_array_index(lines, 0) : NULL;
    const char *second = lines->len > 1 ? g_ptr_array_index(lines, 1) : NULL;
    if (strstr(err_text, "aren't valid") != NULL || strstr(err_text, "isn't valid") != NULL) {
        const char *bad = second != NULL ? second : "";
        *error = g_strdup_printf("tshark does not know the field(s) %s: the mptcpv plugin at %s "
                                 "did not load or is not build %s",
                                 bad, t->plugin_path, PLUGIN_VERSION);
        st = TSHARK_ERROR;
    } else if (WIFSIGNALED(wait_status)) {
        *error = g_strdup_printf("tshark was killed by signal %d (%s) on this capture: a bug in "
                                 "tshark or the mptcpv plugin",
                                 WTERMSIG(wait_status), g_strsignal(WTERMSIG(wait_status)));
        st = TSHARK_ERROR;
    } else if (strstr(err_text, "cut short in the middle of a packet") != NULL) {
        *error = g_strdup("truncated capture: cut short in the middle of a packet");
        st = TSHARK_INPUT_ERROR;
    } else if (strstr(err_text, "damaged or corrupt") != NULL) {
        *error = g_strdup_printf("corrupt capture%s%s", second != NULL ? ": " : "",
                                 second != NULL ? second : "");
        st = TSHARK_INPUT_ERROR;
    } else if (strstr(err_text, "isn't a capture file") != NULL ||
               strstr(err_text, "unknown file format") != NULL) {
        *error = g_strdup("not a capture file tshark can read");
        st = TSHARK_INPUT_ERROR;
    } else if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
        *error =
            g_strdup_printf("tshark failed (exit status %d)%s%s",
                            WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1,
                            first != NULL ? ": " : "", first != NULL ? strip_tshark(first) : "");
        st = TSHARK_INPUT_ERROR;
    }
    g_ptr_array_free(lines, TRUE);
    return st;
}

/* In the child: its own process group, so a stop can end it and what it runs (setpriv). */
static void own_group(gpointer data)
{
    (void)data;
    setpgid(0, 0);
}

tshark_status tshark_run(const tshark_handle *t, const char *path, int input_fd, const void *prefix,
                         gsize prefix_len, tshark_row_fn fn, gpointer user, gint *rows,
                         char **error)
{
    *error = NULL;
    GPtrArray *argv = tshark_argv(t, input_fd >= 0 ? "-" : path);
    int in_fd = -1, out_fd = -1, err_fd = -1;
    GPid pid;
    GError *gerr = NULL;
    GSpawnFlags flags = G_SPAWN_DO_NOT_REAP_CHILD;
    if (input_fd < 0)
        flags |= G_SPAWN_STDIN_FROM_DEV_NULL;
    /* Inherit the working directory: capture paths on the command line may be relative. */
    if (!g_spawn_async_with_pipes(NULL, (char **)argv->pdata, t->envp, flags, own_group, NULL, &pid,
                                  input_fd >= 0 ? &in_fd : NULL, &out_fd, &err_fd, &gerr)) {
        *error = g_strdup_printf("cannot start %s: %s", t->path, gerr->message);
        g_error_free(gerr);
        g_ptr_array_free(argv, TRUE);
        return TSHARK_ERROR;
    }
    g_ptr_array_free(argv, TRUE);
    stop_child_started(pid);
    if (stop_requested() && input_fd < 0)
        kill(-pid, SIGTERM); /* started as the stop came: stop_children() may have missed it */

    drain d = {err_fd, g_string_new(NULL)};
    GThread *drain_thread = g_thread_new("tshark-stderr", drain_stderr, &d);
    feeder f = {in_fd, input_fd, prefix, prefix_len, FALSE, 0};
    GThread *feed_thread = input_fd >= 0 ? g_thread_new("tshark-stdin", feed, &f) : NULL;

    /* Columns of asked fields in table order; the others read as empty. */
    int map[FIELD_COUNT], ncols = 0;
    for (int i = 0; i < FIELD_COUNT; i++)
        if (field_asked(t, i))
            map[ncols++] = i;
    char *cols[FIELD_COUNT];
    static char empty[] = "";

    FILE *fp = fdopen(out_fd, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        for (int i = 0; i < FIELD_COUNT; i++)
            cols[i] = empty;
        char *p = line;
        for (int c = 0; c < ncols && p != NULL; c++) {
            char *tab = strchr(p, '\t');
            if (tab != NULL)
                *tab = '\0';
            cols[map[c]] = p;
            p = tab != NULL ? tab + 1 : NULL;
        }
        fn(cols, user);
        if (rows != NULL)
            g_atomic_int_inc(rows);
    }
    free(line);
    fclose(fp);
    if (feed_thread != NULL)
        g_thread_join(feed_thread);
    g_thread_join(drain_thread);
    int status = 0;
    stop_child_ended(pid); /* its output ended: it is exiting */
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    g_spawn_close_pid(pid);

    tshark_status st = judge(t, status, d.text->str, error);
    if (st == TSHARK_OK && f.read_error) {
        *error = g_strdup_printf("read error: %s", g_strerror(f.read_errno));
        st = TSHARK_INPUT_ERROR;
    }
    g_string_free(d.text, TRUE);
    return st;
}
