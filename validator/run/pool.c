/* The thread pool of a run and the input of one capture (see pool.h). */
#include "run/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "run/corpus.h"
#include "run/stop.h"

typedef struct run_state {
    GPtrArray *entries;    /* corpus_entry*, selected, corpus order */
    result_report *report; /* files[i] belongs to entries[i] */
    series_file **series;  /* --html/--csv: series[i] belongs to files[i]; else NULL */
    tshark_status *status;
    const tshark_handle *tshark;
    gint next;
    volatile gint done;
    gint active;        /* workers not yet left, under lock */
    gint rows;          /* g_atomic_int_* only */
    guint64 bytes_done; /* under lock */
    guint *order;       /* dispatch order: largest first, so the last job to finish is short */
    GMutex lock;
    GCond cond;
} run_state;

typedef struct row_sink {
    result_file *file;
    series_file *series; /* NULL: no plots asked, keep nothing per packet */
} row_sink;

static void row_cb(char **cols, gpointer user)
{
    row_sink *sink = user;
    result_row_place place;
    result_file_add_row(sink->file, cols, &place);
    if (sink->series != NULL)
        series_file_add_row(sink->series, sink->file, cols, &place);
}

/* Up to |size| bytes of |fd|, fewer at EOF or, once a stop is asked, when the pipe holds no
 * more (a live pipe whose writer is quiet must not hold the report back). -1 on error. */
static gssize read_prefix(int fd, guint8 *buf, gsize size)
{
    gsize got = 0;
    while (got < size) {
        /* after a stop only what is already in the pipe */
        gboolean stopped = stop_requested() != 0;
        struct pollfd pfd[2] = {{fd, POLLIN, 0}, {stop_fd(), POLLIN, 0}};
        /* a quiet writer: enough to sniff is enough, tshark reads the rest */
        gboolean enough = got >= 64;
        int pr = poll(pfd, !stopped && stop_fd() >= 0 ? 2 : 1, stopped ? 0 : enough ? 200 : -1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0)
            return -1;
        if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (stopped || enough)
                break;
            continue;
        }
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (gsize)r;
    }
    return (gssize)got;
}

/* stdin: sniffed here, the bytes read so far handed on to tshark. */
static tshark_status run_stdin(run_state *r, row_sink *sink, char **error)
{
    guint8 prefix[CORPUS_SNIFF_LEN];
    gssize n = read_prefix(STDIN_FILENO, prefix, sizeof(prefix));
    corpus_kind k = n < 0 ? CORPUS_NOT_CAPTURE : corpus_sniff(prefix, (gsize)n);
    tshark_status st = TSHARK_OK;
    if (n < 0)
        *error = g_strdup_printf("cannot read: %s", g_strerror(errno));
    else if (k == CORPUS_EMPTY)
        *error = g_strdup("empty input, not a capture");
    else if (k == CORPUS_NOT_CAPTURE)
        *error = g_strdup("not a capture (no pcap, pcapng or gzip signature)");
    else
        st = tshark_run(r->tshark, "-", STDIN_FILENO, prefix, (gsize)n, row_cb, sink, &r->rows,
                        error);
    if (*error != NULL && st == TSHARK_OK)
        st = TSHARK_INPUT_ERROR;
    return st;
}

/* A file: opened here when tshark cannot read it (it runs as nobody), else by tshark. */
static tshark_status run_file(run_state *r, const corpus_entry *e, row_sink *sink, char **error)
{
    if (!tshark_pipes_input(r->tshark))
        return tshark_run(r->tshark, e->path, -1, NULL, 0, row_cb, sink, &r->rows, error);
    int fd = open(e->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *error = g_strdup_printf("cannot open: %s", g_strerror(errno));
        return TSHARK_INPUT_ERROR;
    }
    tshark_status st = tshark_run(r->tshark, e->path, fd, NULL, 0, row_cb, sink, &r->rows, error);
    close(fd);
    return st;
}

static void process(run_state *r, guint i)
{
    corpus_entry *e = g_ptr_array_index(r->entries, i);
    result_file *f = g_ptr_array_index(r->report->files, i);
    row_sink sink = {f, r->series != NULL ? r->series[i] : NULL};
    char *error = NULL;
    tshark_status st = TSHARK_OK;
    gint64 start = g_get_monotonic_time();
    int stop_before = stop_requested();
    if (e->error != NULL) {
        result_file_set_error(f, "%s", e->error);
        st = TSHARK_INPUT_ERROR;
    } else if (e->is_stdin) {
        st = run_stdin(r, &sink, &error);
    } else {
        st = run_file(r, e, &sink, &error);
    }
    if (stop_requested() && !stop_before && e->error == NULL) {
        g_free(error); /* what tshark said about being stopped does not matter */
        error = g_strdup_printf("interrupted by %s: only what was read before it is analysed",
                                stop_requested() == SIGTERM ? "SIGTERM" : "SIGINT");
        st = TSHARK_INPUT_ERROR;
    }
    if (error != NULL)
        result_file_set_error(f, "%s", error);
    g_free(error);
    result_file_finish(f);
    f->seconds = (double)(g_get_monotonic_time() - start) / 1e6;
    f->analysed = TRUE;
    r->status[i] = st;
    g_mutex_lock(&r->lock);
    r->bytes_done += e->size;
    r->done++;
    g_cond_signal(&r->cond);
    g_mutex_unlock(&r->lock);
}

static void worker_loop(run_state *r)
{
    for (;;) {
        if (stop_requested())
            break; /* a stop: no new capture; the caller reports those not analysed */
        gint i = g_atomic_int_add(&r->next, 1);
        if (i >= (gint)r->entries->len)
            break;
        process(r, r->order[i]);
    }
}

static gpointer worker(gpointer data)
{
    run_state *r = data;
    worker_loop(r);
    g_mutex_lock(&r->lock);
    r->active--;
    g_cond_signal(&r->cond);
    g_mutex_unlock(&r->lock);
    return NULL;
}

static void progress(run_state *r, guint64 total_bytes, gint64 start, gboolean final)
{
    if (final) {
        fprintf(stderr, "\r\033[K");
        return;
    }
    double elapsed = (double)(g_get_monotonic_time() - start) / 1e6;
    double pps = elapsed > 0 ? g_atomic_int_get(&r->rows) / elapsed : 0;
    char eta[32] = "?";
    if (r->bytes_done > 0 && total_bytes >= r->bytes_done) {
        double left = elapsed * (double)(total_bytes - r->bytes_done) / (double)r->bytes_done;
        g_snprintf(eta, sizeof(eta), "%d:%02d", (int)left / 60, (int)left % 60);
    }
    fprintf(stderr, "\r\033[K%u/%u files, %.0f packets/s, ETA %s", (unsigned)r->done,
            r->entries->len, pps, eta);
}

static gint cmp_size_desc(gconstpointer a, gconstpointer b, gpointer data)
{
    GPtrArray *entries = data;
    guint i = *(const guint *)a, k = *(const guint *)b;
    guint64 x = ((corpus_entry *)g_ptr_array_index(entries, i))->size;
    guint64 y = ((corpus_entry *)g_ptr_array_index(entries, k))->size;
    if (x != y)
        return x > y ? -1 : 1;
    return i < k ? -1 : i > k;
}

static void run_threads(run_state *r, guint jobs, gboolean show_progress)
{
    guint n = r->entries->len;
    r->order = g_new(guint, MAX(n, 1));
    for (guint i = 0; i < n; i++)
        r->order[i] = i;
    g_qsort_with_data(r->order, (gint)n, sizeof(guint), cmp_size_desc, r->entries);
    guint64 total_bytes = 0;
    for (guint i = 0; i < n; i++)
        total_bytes += ((corpus_entry *)g_ptr_array_index(r->entries, i))->size;
    jobs = CLAMP(jobs, 1, MAX(n, 1));
    GThread **threads = g_new0(GThread *, jobs);
    gint64 start = g_get_monotonic_time();
    r->active = (gint)jobs;
    for (guint i = 0; i < jobs; i++)
        threads[i] = g_thread_new("validate", worker, r);
    g_mutex_lock(&r->lock);
    gint64 stopped_at = 0;
    while ((guint)r->done < n) {
        if (stop_requested()) {
            /* Feeders close tshark's stdin at once; tshark reading a file itself, or one
             * that does not end, is terminated after a grace of 2 s. */
            gint64 now = g_get_monotonic_time();
            if (stopped_at == 0)
                stopped_at = now;
            if (now - stopped_at > 2 * G_USEC_PER_SEC)
                stop_children();
            if (r->active == 0)
                break; /* every worker has left: the captures not started stay so */
        }
        if (show_progress)
            progress(r, total_bytes, start, FALSE);
        g_cond_wait_until(&r->cond, &r->lock, g_get_monotonic_time() + 250 * 1000);
    }
    g_mutex_unlock(&r->lock);
    if (show_progress)
        progress(r, total_bytes, start, TRUE);
    for (guint i = 0; i < jobs; i++)
        g_thread_join(threads[i]);
    g_free(threads);
}

tshark_status *run_all(GPtrArray *entries, result_report *report, series_file **series,
                       const tshark_handle *t, guint jobs, gboolean show_progress)
{
    run_state r = {0};
    r.entries = entries;
    r.report = report;
    r.series = series;
    r.status = g_new0(tshark_status, entries->len);
    r.tshark = t;
    g_mutex_init(&r.lock);
    g_cond_init(&r.cond);
    run_threads(&r, jobs, show_progress);
    g_mutex_clear(&r.lock);
    g_cond_clear(&r.cond);
    g_free(r.order);
    return r.status;
}
