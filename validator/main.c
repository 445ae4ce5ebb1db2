/*
 * mptcpv-validate: MPTCP conformance reports for captures and capture corpora.
 *
 * Drives tshark with the mptcpv plugin (run/), builds one in-memory result (result/) and
 * writes it as text, JSON, JUnit, HTML or CSV (report/), or compares it with expected
 * findings (expect/). See mptcpv-validate.1 and --help.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>

#include "run/corpus.h"
#include "expect/expect.h"
#include "report/report.h"
#include "result/result.h"
#include "report/series.h"
#include "run/tshark.h"

#define PROG "mptcpv-validate"

enum {
    EXIT_CLEAN = 0,    /* no finding at or above --fail-on (or --expect matched) */
    EXIT_FINDINGS = 1, /* findings at or above --fail-on (or --expect differs) */
    EXIT_USAGE = 2,    /* usage error, or an input that could not be read */
    EXIT_TOOL = 3,     /* tshark or the mptcpv plugin is not usable */
};

static const char description[] =
    "Runs tshark with the mptcpv plugin on each capture (pcap, pcapng, gzip-compressed;\n"
    "recognised by content; directories are walked recursively; \"-\" reads stdin) and\n"
    "reports every MPTCP connection, its subflows and the rules it breaks.\n"
    "\n"
    "Exit status:\n"
    "  0  no finding at or above --fail-on (with --expect: every capture matched)\n"
    "  1  findings at or above --fail-on (with --expect: some capture differs)\n"
    "  2  usage error, or an input that could not be read (the others are still checked)\n"
    "  3  tshark or the mptcpv plugin is not usable (the message says what and how to fix)\n"
    "\n"
    "Plugin lookup: --plugin-dir DIR if given; else the mptcpv.so tshark loads by itself\n"
    "(installed with `cmake --install BUILD`); else the build tree (" MPTCPV_BUILD_PLUGIN_ROOT
    ").\n"
    "Its version must be " MPTCPV_VERSION ". tshark run as root ignores WIRESHARK_PLUGIN_DIR,\n"
    "so as root a build-tree plugin is used by running tshark as 'nobody' via setpriv(1);\n"
    "the validator then opens the capture and pipes it to tshark. The check costs two tshark\n"
    "starts; its outcome is cached in $XDG_CACHE_HOME/mptcpv/ (--no-cache: check again).\n"
    "\n"
    "Expected results (--expect FILE, or --expect auto for <capture>.expected sidecars):\n"
    "  <frame> <rule-id>      one line per finding; '#' comments, blank lines ignored\n"
    "  connection <n> version <v|?> client <ep> server <ep> subflows <k>\n"
    "      checksum <on|off|?> client_key <0x..|-> server_key <0x..|->\n"
    "      client_token <0x..|-> server_token <0x..|-> fallback <\"reason\"|->\n"
    "  subflow <n>.<k> <initial|join> client <ep> server <ep> backup <0|1>\n"
    "      address_ids <c|?>/<s|?>\n"
    "                         one line each; <ep>: a.b.c.d:port, [v6]:port or ?; keys in\n"
    "                         any order, all required. Connections and subflows are\n"
    "                         compared (all of them) only if the list has such a line.\n"
    "                         Lines starting with another word are reserved and ignored.\n"
    "  Output: PASS/FAIL per capture, then \"+ <line>\" (found, not expected) and\n"
    "  \"- <line>\" (expected, not found). A report is written only with -o.\n"
    "  --write-expected writes every capture's sidecar from this run instead (comments\n"
    "  kept, statements that stay verbatim) and says what changed in each.\n"
    "\n"
    "Sharding: --shard K/N (1 <= K <= N) keeps the captures whose path relative to the\n"
    "PATH argument it was found under hashes (FNV-1a 64) to K-1 modulo N. Shards are\n"
    "disjoint and together are the corpus. Combine their JSON reports with\n"
    "  " PROG " merge [--fail-on LEVEL] [-o OUT.json] A.json B.json ...\n"
    "which recomputes the summary; merging all N shards gives the unsharded report.\n"
    "\n"
    "Plots (in addition to the report; they make tshark decode DSNs for every segment):\n"
    "  --html FILE  one self-contained page: per connection a summary, its subflows,\n"
    "               findings by rule, and SVG plots of relative DSN and DATA_ACK over time\n"
    "               per direction, one colour per subflow, with markers for MP_JOIN,\n"
    "               MP_PRIO/backup changes, resets, reinjections and findings.\n"
    "  --csv DIR    DIR/<capture basename>.conn<N>.csv, one row per frame with a point or\n"
    "               an event:  " REPORT_CSV_HEADER "\n"
    "               time: s since the capture's first frame; direction: c2s|s2c (sender);\n"
    "               dsn, dsn_end: relative DSN of the first byte and first byte + length;\n"
    "               data_ack: relative DATA_ACK (for the other direction's data);\n"
    "               event: ';'-separated join[:backup], prio:backup|regular, rst,\n"
    "               mp_tcprst[:reason], mp_fastclose, reinjection:<frame>, data_fin,\n"
    "               finding:<rule>. Empty fields: not in this frame.\n"
    "  Past --max-points segment/DATA_ACK points per connection (default 20000, 0: no limit)\n"
    "  every k-th of each subflow's segments and DATA_ACKs per direction is kept (k a power\n"
    "  of two); markers and events are never dropped.\n"
    "\n"
    "Examples:\n"
    "  " PROG " captures/                       text report, exit 1 on errors\n"
    "  " PROG " -f json -o report.json dir/     JSON report (schema mptcpv-report/1)\n"
    "  " PROG " -f junit -o junit.xml captures/ for GitLab/GitHub/Jenkins test views\n"
    "  " PROG " --expect auto captures/         regression test against sidecars\n"
    "  " PROG " --write-expected captures/      (re)write the sidecars; review the diff\n"
    "  " PROG " --fail-on warning --ignore dss.ack_unsent x.pcapng\n"
    "  tcpdump -w - -i eth0 tcp | " PROG " -\n"
    "  " PROG " --shard 2/4 -f json -o s2.json corpus/   one job of a CI matrix\n"
    "  " PROG " --list-rules\n";

typedef struct options {
    char *format;
    char *output;
    char *fail_on;
    char **ignore;
    char *expect;
    gboolean write_expected;
    gint jobs;
    char *shard;
    char *tshark;
    char *plugin_dir;
    char *html;
    char *csv;
    gint max_points;
    gboolean no_cache;
    gboolean list_rules;
    gboolean version;
    gboolean verbose;
    gboolean no_progress;
    char **paths;
} options;

static int usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s\nTry '%s --help'.\n", PROG, msg, PROG);
    g_free(msg);
    return EXIT_USAGE;
}

static void list_rules(void)
{
    printf("%-30s %-8s %-32s %s\n", "RULE", "SEVERITY", "RFC", "DESCRIPTION");
    for (int i = 0; i < MPTCPV_RULE_COUNT; i++) {
        const mptcpv_rule *r = mptcpv_rule_get((mptcpv_rule_id)i);
        printf("%-30s %-8s %-32s %s\n", r->id, mptcpv_severity_name(r->severity), r->rfc,
               r->description);
    }
}

/* Output: a file (written whole, atomically) or stdout. */
static gboolean emit(const char *path, const char *data, gsize len)
{
    if (path == NULL || strcmp(path, "-") == 0) {
        gboolean ok = fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0;
        if (!ok)
            fprintf(stderr, "%s: cannot write to stdout: %s\n", PROG, g_strerror(errno));
        return ok;
    }
    /* g_file_set_contents() renames a temporary file over the target: as root that would
     * turn /dev/null or a FIFO into a regular file, and it would replace a symlink. Those
     * are written in place; new and regular files atomically. */
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        FILE *f = fopen(path, "w");
        gboolean ok = f != NULL && fwrite(data, 1, len, f) == len;
        if (f != NULL && fclose(f) != 0)
            ok = FALSE;
        if (!ok)
            fprintf(stderr, "%s: cannot write %s: %s\n", PROG, path, g_strerror(errno));
        return ok;
    }
    GError *error = NULL;
    if (!g_file_set_contents(path, data, (gssize)len, &error)) {
        fprintf(stderr, "%s: %s\n", PROG, error->message);
        g_error_free(error);
        return FALSE;
    }
    return TRUE;
}

typedef gboolean (*writer_fn)(const result_report *, GOutputStream *, GError **);

static gboolean write_report(const result_report *r, writer_fn fn, const char *path)
{
    GOutputStream *mem = g_memory_output_stream_new_resizable();
    GError *error = NULL;
    gboolean ok = fn(r, mem, &error) && g_output_stream_close(mem, NULL, &error);
    if (ok)
        ok = emit(path,
                  g_memory_output_stream_get_data(G_MEMORY_OUTPUT_STREAM(mem)),
                  g_memory_output_stream_get_data_size(G_MEMORY_OUTPUT_STREAM(mem)));
    else
        fprintf(stderr, "%s: cannot write the report: %s\n", PROG, error->message);
    g_clear_error(&error);
    g_object_unref(mem);
    return ok;
}

/* ---- the run ---------------------------------------------------------------------------- */

typedef struct run {
    GPtrArray *entries;    /* corpus_entry*, selected, corpus order */
    result_report *report; /* files[i] belongs to entries[i] */
    series_file **series;  /* --html/--csv: series[i] belongs to files[i]; else NULL */
    tshark_status *status;
    const tshark_handle *tshark;
    gint next;
    volatile gint done;
    volatile gint rows;
    guint64 bytes_done; /* under lock */
    guint *order; /* dispatch order: largest first, so the last job to finish is short */
    GMutex lock;
    GCond cond;
} run;

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

static void process(run *r, guint i)
{
    corpus_entry *e = g_ptr_array_index(r->entries, i);
    result_file *f = g_ptr_array_index(r->report->files, i);
    row_sink sink = {f, r->series != NULL ? r->series[i] : NULL};
    char *error = NULL;
    tshark_status st = TSHARK_OK;
    if (e->error != NULL) {
        result_file_set_error(f, "%s", e->error);
        st = TSHARK_INPUT_ERROR;
    } else if (e->is_stdin) {
        guint8 prefix[CORPUS_SNIFF_LEN];
        gssize n = corpus_read_full(STDIN_FILENO, prefix, sizeof(prefix));
        corpus_kind k = n < 0 ? CORPUS_NOT_CAPTURE : corpus_sniff(prefix, (gsize)n);
        if (n < 0)
            error = g_strdup_printf("cannot read: %s", g_strerror(errno));
        else if (k == CORPUS_EMPTY)
            error = g_strdup("empty input, not a capture");
        else if (k == CORPUS_NOT_CAPTURE)
            error = g_strdup("not a capture (no pcap, pcapng or gzip signature)");
        else
            st = tshark_run(r->tshark, "-", STDIN_FILENO, prefix, (gsize)n, row_cb, &sink, &r->rows,
                            &error);
        if (error != NULL && st == TSHARK_OK)
            st = TSHARK_INPUT_ERROR;
    } else if (tshark_pipes_input(r->tshark)) {
        int fd = open(e->path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            error = g_strdup_printf("cannot open: %s", g_strerror(errno));
            st = TSHARK_INPUT_ERROR;
        } else {
            st = tshark_run(r->tshark, e->path, fd, NULL, 0, row_cb, &sink, &r->rows, &error);
            close(fd);
        }
    } else {
        st = tshark_run(r->tshark, e->path, -1, NULL, 0, row_cb, &sink, &r->rows, &error);
    }
    if (error != NULL)
        result_file_set_error(f, "%s", error);
    g_free(error);
    result_file_finish(f);
    r->status[i] = st;
    g_mutex_lock(&r->lock);
    r->bytes_done += e->size;
    r->done++;
    g_cond_signal(&r->cond);
    g_mutex_unlock(&r->lock);
}

static gpointer worker(gpointer data)
{
    run *r = data;
    for (;;) {
        gint i = g_atomic_int_add(&r->next, 1);
        if (i >= (gint)r->entries->len)
            break;
        process(r, r->order[i]);
    }
    return NULL;
}

static void progress(run *r, guint64 total_bytes, gint64 start, gboolean final)
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

static void run_all(run *r, guint jobs, gboolean show_progress)
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
    for (guint i = 0; i < jobs; i++)
        threads[i] = g_thread_new("validate", worker, r);
    g_mutex_lock(&r->lock);
    while ((guint)r->done < n) {
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

/* ---- --expect --------------------------------------------------------------------------- */

static int run_expect(const result_report *rep, GPtrArray *entries, const char *expect,
                      const gboolean *ignored, GString *out, gboolean *input_error)
{
    guint pass = 0, fail = 0, bad = 0;
    for (guint i = 0; i < rep->files->len; i++) {
        const result_file *f = g_ptr_array_index(rep->files, i);
        const corpus_entry *e = g_ptr_array_index(entries, i);
        if (f->error != NULL) {
            g_string_append_printf(out, "ERROR %s: %s\n", f->path, f->error);
            bad++;
            continue;
        }
        char *list_path = strcmp(expect, "auto") == 0
                              ? (e->is_stdin ? NULL : g_strconcat(e->path, ".expected", NULL))
                              : g_strdup(expect);
        if (list_path == NULL) {
            g_string_append_printf(out, "FAIL %s: no expected list (stdin has no sidecar; use "
                                        "--expect FILE)\n",
                                   f->path);
            fail++;
            continue;
        }
        if (strcmp(expect, "auto") == 0 && !g_file_test(list_path, G_FILE_TEST_EXISTS)) {
            char *shown = g_filename_display_name(list_path);
            g_string_append_printf(out, "FAIL %s: no expected list (%s does not exist)\n",
                                   f->path, shown);
            g_free(shown);
            g_free(list_path);
            fail++;
            continue;
        }
        char *error = NULL;
        expect_list *l = expect_load(list_path, &error);
        if (l == NULL) {
            g_string_append_printf(out, "ERROR %s: expected list: %s\n", f->path, error);
            g_free(error);
            g_free(list_path);
            bad++;
            continue;
        }
        GString *diff = g_string_new(NULL);
        guint what = expect_compare(l, f, ignored, diff);
        if (what == 0 && expect_has_facts(l)) {
            g_string_append_printf(out, "PASS %s (%u findings, %u %s)\n", f->path,
                                   f->findings->len, f->connections->len,
                                   f->connections->len == 1 ? "connection" : "connections");
            pass++;
        } else if (what == 0) {
            g_string_append_printf(out, "PASS %s (%u findings)\n", f->path, f->findings->len);
            pass++;
        } else {
            g_string_append_printf(
                out, "FAIL %s: %s differ (+ found, not expected; - expected, not found)\n%s",
                f->path,
                what == EXPECT_FINDINGS_DIFFER ? "findings"
                : what == EXPECT_FACTS_DIFFER  ? "connection facts"
                                               : "findings and connection facts",
                diff->str);
            fail++;
        }
        g_string_free(diff, TRUE);
        expect_free(l);
        g_free(list_path);
    }
    g_string_append_printf(out, "expect: %u passed, %u failed, %u unreadable\n", pass, fail,
                           bad);
    *input_error = bad > 0;
    return fail > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}

/* ---- --write-expected ------------------------------------------------------------------ */

static int run_write(const result_report *rep, GPtrArray *entries, GString *out,
                     gboolean *input_error)
{
    guint created = 0, updated = 0, unchanged = 0, bad = 0;
    for (guint i = 0; i < rep->files->len; i++) {
        const result_file *f = g_ptr_array_index(rep->files, i);
        const corpus_entry *e = g_ptr_array_index(entries, i);
        if (f->error != NULL) {
            g_string_append_printf(out, "ERROR %s: %s (sidecar left alone)\n", f->path,
                                   f->error);
            bad++;
            continue;
        }
        if (e->is_stdin) {
            g_string_append_printf(out, "ERROR %s: stdin has no sidecar\n", f->path);
            bad++;
            continue;
        }
        char *sidecar = g_strconcat(e->path, ".expected", NULL);
        char *shown = g_strconcat(f->path, ".expected", NULL);
        char *text = NULL, *problem = NULL;
        GError *gerr = NULL;
        expect_list *old = NULL;
        gboolean exists = g_file_test(sidecar, G_FILE_TEST_EXISTS);
        if (exists && !g_file_get_contents(sidecar, &text, NULL, &gerr)) {
            problem = g_strdup(gerr->message);
            g_clear_error(&gerr);
        } else if (exists && (old = expect_parse(shown, text, &problem)) == NULL) {
            char *p = g_strdup_printf("%s; fix or remove it first", problem);
            g_free(problem);
            problem = p;
        }
        if (problem != NULL) {
            g_string_append_printf(out, "ERROR %s: %s\n", shown, problem);
            bad++;
        } else {
            char *base = g_path_get_basename(f->path);
            char *fresh = expect_render(old, f, base);
            g_free(base);
            if (exists && strcmp(fresh, text) == 0) {
                g_string_append_printf(out, "UNCHANGED %s\n", shown);
                unchanged++;
            } else if (!g_file_set_contents(sidecar, fresh, -1, &gerr)) {
                g_string_append_printf(out, "ERROR %s: %s\n", shown, gerr->message);
                g_clear_error(&gerr);
                bad++;
            } else {
                g_string_append_printf(out, "%s %s (%u %s, %u %s)\n",
                                       exists ? "UPDATED" : "CREATED", shown, f->findings->len,
                                       f->findings->len == 1 ? "finding" : "findings",
                                       f->connections->len,
                                       f->connections->len == 1 ? "connection" : "connections");
                exists ? updated++ : created++;
                /* What the old list said differently; a changed finding deserves a look. */
                GString *diff = g_string_new(NULL);
                guint what = exists ? expect_compare(old, f, NULL, diff) : 0;
                if (what != 0)
                    g_string_append_printf(out, "  %s changed (+ now, - before):\n%s",
                                           what == EXPECT_FINDINGS_DIFFER ? "findings"
                                           : what == EXPECT_FACTS_DIFFER
                                               ? "connection facts"
                                               : "findings and connection facts",
                                           diff->str);
                else if (exists && !expect_has_facts(old))
                    g_string_append(out, "  findings unchanged; connection facts added\n");
                g_string_free(diff, TRUE);
            }
            g_free(fresh);
        }
        expect_free(old);
        g_free(text);
        g_free(problem);
        g_free(sidecar);
        g_free(shown);
    }
    g_string_append_printf(out, "write-expected: %u created, %u updated, %u unchanged, %u "
                                "not written\n",
                           created, updated, unchanged, bad);
    *input_error = bad > 0;
    return EXIT_CLEAN;
}

/* ---- merge ------------------------------------------------------------------------------ */

static int merge_main(int argc, char **argv)
{
    char *output = NULL, *fail_on = NULL;
    char **paths = NULL;
    GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the merged report to FILE",
         "FILE"},
        {"fail-on", 0, 0, G_OPTION_ARG_STRING, &fail_on,
         "error|warning|info|none (default: the reports' own)", "LEVEL"},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths, NULL, NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("REPORT.json... - merge --shard JSON reports");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(
        ctx, "Combines the JSON reports of one run split with --shard K/N into one report,\n"
             "files in corpus order, summary recomputed. Exit status as for a run: 0, 1\n"
             "(findings at or above --fail-on), 2 (bad/missing reports or shards, or files\n"
             "that could not be read).\n");
    GError *error = NULL;
    int rc;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        rc = usage_error("merge: %s", error->message);
        g_error_free(error);
        goto out;
    }
    mptcpv_severity sev;
    gboolean never;
    if (fail_on != NULL && !result_parse_fail_on(fail_on, &sev, &never)) {
        rc = usage_error("merge: --fail-on must be error, warning, info or none, not \"%s\"",
                         fail_on);
        goto out;
    }
    if (paths == NULL || paths[0] == NULL) {
        rc = usage_error("merge: no reports given");
        goto out;
    }
    guint failing = 0, unreadable = 0;
    char *warning = NULL, *problem = NULL;
    JsonNode *root = report_merge(paths, fail_on, &failing, &unreadable, &warning, &problem);
    if (root == NULL) {
        fprintf(stderr, "%s: merge: %s\n", PROG, problem);
        g_free(problem);
        rc = EXIT_USAGE;
        goto out;
    }
    GOutputStream *mem = g_memory_output_stream_new_resizable();
    gboolean ok = report_json_node(root, mem, NULL) && g_output_stream_close(mem, NULL, NULL);
    ok = ok && emit(output, g_memory_output_stream_get_data(G_MEMORY_OUTPUT_STREAM(mem)),
                    g_memory_output_stream_get_data_size(G_MEMORY_OUTPUT_STREAM(mem)));
    g_object_unref(mem);
    json_node_unref(root);
    if (warning != NULL)
        fprintf(stderr, "%s: merge: %s\n", PROG, warning);
    if (!ok || warning != NULL || unreadable > 0)
        rc = EXIT_USAGE;
    else
        rc = failing > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
    g_free(warning);
out:
    g_option_context_free(ctx);
    g_free(output);
    g_free(fail_on);
    g_strfreev(paths);
    return rc;
}

/* ---- main ------------------------------------------------------------------------------- */

static gboolean parse_shard(const char *s, guint *k, guint *n)
{
    guint64 a, b;
    gchar **parts = g_strsplit(s, "/", -1);
    gboolean ok = g_strv_length(parts) == 2 &&
                  g_ascii_string_to_unsigned(parts[0], 10, 1, 1000000, &a, NULL) &&
                  g_ascii_string_to_unsigned(parts[1], 10, 1, 1000000, &b, NULL) && a <= b;
    g_strfreev(parts);
    if (ok) {
        *k = (guint)a;
        *n = (guint)b;
    }
    return ok;
}

static void free_options(options *o)
{
    g_free(o->format);
    g_free(o->output);
    g_free(o->fail_on);
    g_strfreev(o->ignore);
    g_free(o->expect);
    g_free(o->shard);
    g_free(o->tshark);
    g_free(o->plugin_dir);
    g_free(o->html);
    g_free(o->csv);
    g_strfreev(o->paths);
}

static int validate_main(int argc, char **argv)
{
    options o = {0};
    o.jobs = 0;
    o.max_points = SERIES_DEFAULT_MAX_POINTS;
    GOptionEntry entries[] = {
        {"format", 'f', 0, G_OPTION_ARG_STRING, &o.format,
         "Report format: text (default), json or junit", "FORMAT"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
         "Write the report to FILE instead of stdout", "FILE"},
        {"fail-on", 0, 0, G_OPTION_ARG_STRING, &o.fail_on,
         "Exit 1 on findings of this severity or worse: error (default), warning, info, none",
         "LEVEL"},
        {"ignore", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.ignore,
         "Drop findings of RULE (repeatable; see --list-rules)", "RULE"},
        {"expect", 0, 0, G_OPTION_ARG_FILENAME, &o.expect,
         "Compare findings with FILE (one capture) or each capture's <capture>.expected "
         "(auto); exit 0 iff they match",
         "FILE|auto"},
        {"write-expected", 0, 0, G_OPTION_ARG_NONE, &o.write_expected,
         "Write each capture's <capture>.expected from this run (findings and connection "
         "facts), keeping its comments",
         NULL},
        {"jobs", 'j', 0, G_OPTION_ARG_INT, &o.jobs,
         "Captures checked in parallel (default: number of CPUs); output does not depend on it",
         "N"},
        {"shard", 0, 0, G_OPTION_ARG_STRING, &o.shard,
         "Check only shard K of N (stable, by path hash); combine with 'merge'", "K/N"},
        {"tshark", 0, 0, G_OPTION_ARG_FILENAME, &o.tshark, "tshark to run (default: on PATH)",
         "PATH"},
        {"plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &o.plugin_dir,
         "Load the plugin from DIR/<major.minor>/epan/mptcpv.so (a build's plugins/ folder)",
         "DIR"},
        {"html", 0, 0, G_OPTION_ARG_FILENAME, &o.html,
         "Also write a self-contained HTML report with DSN/DATA_ACK plots to FILE", "FILE"},
        {"csv", 0, 0, G_OPTION_ARG_FILENAME, &o.csv,
         "Also write the plot series as DIR/<capture>.conn<N>.csv (columns below)", "DIR"},
        {"max-points", 0, 0, G_OPTION_ARG_INT, &o.max_points,
         "Plot/CSV points kept per connection before decimating (default 20000, 0: all)",
         "N"},
        {"no-cache", 0, 0, G_OPTION_ARG_NONE, &o.no_cache,
         "Check tshark and the plugin again instead of trusting the cached check", NULL},
        {"no-progress", 0, 0, G_OPTION_ARG_NONE, &o.no_progress,
         "No progress line on stderr (shown only when stderr is a terminal)", NULL},
        {"list-rules", 0, 0, G_OPTION_ARG_NONE, &o.list_rules,
         "List the rules (id, severity, RFC section, description) and exit", NULL},
        {"verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose,
         "Say which tshark and plugin are used", NULL},
        {"version", 0, 0, G_OPTION_ARG_NONE, &o.version, "Print the version and exit", NULL},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.paths, NULL, NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("PATH... - check MPTCP conformance of captures");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, description);
    GError *error = NULL;
    int rc = EXIT_CLEAN;
    result_report *rep = NULL;
    GPtrArray *all = NULL, *selected = NULL;
    tshark_handle *t = NULL;
    expect_list *expected_list = NULL;
    gboolean ignored[MPTCPV_RULE_COUNT] = {FALSE};
    run r = {0};

    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        rc = usage_error("%s", error->message);
        g_error_free(error);
        goto out;
    }
    if (o.version) {
        printf("%s %s\n", PROG, MPTCPV_VERSION);
        goto out;
    }
    if (o.list_rules) {
        list_rules();
        goto out;
    }
    writer_fn writer = report_text;
    if (o.format != NULL && strcmp(o.format, "json") == 0)
        writer = report_json;
    else if (o.format != NULL && strcmp(o.format, "junit") == 0)
        writer = report_junit;
    else if (o.format != NULL && strcmp(o.format, "text") != 0) {
        rc = usage_error("--format must be text, json or junit, not \"%s\"", o.format);
        goto out;
    }
    mptcpv_severity fail_on = MPTCPV_SEVERITY_ERROR;
    gboolean never = FALSE;
    if (o.fail_on != NULL && !result_parse_fail_on(o.fail_on, &fail_on, &never)) {
        rc = usage_error("--fail-on must be error, warning, info or none, not \"%s\"", o.fail_on);
        goto out;
    }
    for (char **p = o.ignore; p != NULL && *p != NULL; p++) {
        const mptcpv_rule *rule = mptcpv_rule_find(*p);
        if (rule == NULL) {
            rc = usage_error("--ignore %s: no such rule (see --list-rules)", *p);
            goto out;
        }
        ignored[rule->rule] = TRUE;
    }
    if (o.jobs < 0) {
        rc = usage_error("--jobs must be at least 1");
        goto out;
    }
    if (o.jobs == 0)
        o.jobs = (gint)g_get_num_processors();
    if (o.max_points < 0) {
        rc = usage_error("--max-points must be 0 (no limit) or more");
        goto out;
    }
    if (o.html != NULL && strcmp(o.html, "-") == 0 &&
        (o.expect != NULL || o.write_expected || o.output == NULL ||
         strcmp(o.output, "-") == 0)) {
        rc = usage_error("--html - needs the report elsewhere (-o FILE, without --expect or "
                         "--write-expected)");
        goto out;
    }
    gboolean plots = o.html != NULL || o.csv != NULL;
    guint shard_k = 0, shard_n = 0;
    if (o.shard != NULL && !parse_shard(o.shard, &shard_k, &shard_n)) {
        rc = usage_error("--shard wants K/N with 1 <= K <= N, not \"%s\"", o.shard);
        goto out;
    }
    if (o.paths == NULL || o.paths[0] == NULL) {
        rc = usage_error("no capture or directory given");
        goto out;
    }
    guint stdin_count = 0;
    for (char **p = o.paths; *p != NULL; p++)
        stdin_count += strcmp(*p, "-") == 0;
    if (stdin_count > 1) {
        rc = usage_error("\"-\" (stdin) given more than once");
        goto out;
    }
    if (o.write_expected && o.expect != NULL) {
        rc = usage_error("--write-expected and --expect exclude each other");
        goto out;
    }
    if (o.write_expected && o.ignore != NULL) {
        rc = usage_error("--write-expected records every finding: drop --ignore");
        goto out;
    }
    if (o.expect != NULL && strcmp(o.expect, "auto") != 0) {
        char *problem = NULL;
        expected_list = expect_load(o.expect, &problem);
        if (expected_list == NULL) {
            rc = usage_error("--expect %s: %s", o.expect, problem);
            g_free(problem);
            goto out;
        }
    }

    all = corpus_collect(o.paths);
    selected = g_ptr_array_new();
    rep = result_report_new();
    rep->mptcpv_version = g_strdup(MPTCPV_VERSION);
    rep->fail_on = fail_on;
    rep->fail_never = never;
    rep->shard_k = shard_k;
    rep->shard_n = shard_n;
    for (int i = 0; i < MPTCPV_RULE_COUNT; i++)
        if (ignored[i])
            g_ptr_array_add(rep->ignored, g_strdup(mptcpv_rule_get((mptcpv_rule_id)i)->id));
    for (char **p = o.paths; *p != NULL; p++)
        g_ptr_array_add(rep->inputs, g_filename_display_name(*p));
    for (guint i = 0; i < all->len; i++) {
        corpus_entry *e = g_ptr_array_index(all, i);
        if (shard_n > 0 && corpus_fnv1a(e->relative) % shard_n != shard_k - 1)
            continue;
        g_ptr_array_add(selected, e);
        g_ptr_array_add(rep->files, result_file_new(e->display, i, ignored));
    }
    if (expected_list != NULL && selected->len != 1) {
        rc = usage_error("--expect FILE compares one capture, and %u were given; use --expect "
                         "auto for <capture>.expected sidecars",
                         selected->len);
        goto out;
    }

    tshark_options vo = {o.tshark, o.plugin_dir, !o.no_cache, o.verbose, plots};
    char *problem = NULL;
    t = tshark_find(&vo, &problem);
    if (t == NULL) {
        fprintf(stderr, "%s: %s\n", PROG, problem);
        g_free(problem);
        rc = EXIT_TOOL;
        goto out;
    }
    if (tshark_note(t) != NULL)
        fprintf(stderr, "%s: note: %s", PROG, tshark_note(t));
    rep->tshark_version = g_strdup(tshark_version(t));

    r.entries = selected;
    r.report = rep;
    r.status = g_new0(tshark_status, selected->len);
    r.tshark = t;
    if (plots) {
        r.series = g_new0(series_file *, MAX(selected->len, 1));
        for (guint i = 0; i < selected->len; i++)
            r.series[i] = series_file_new((guint)o.max_points);
    }
    g_mutex_init(&r.lock);
    g_cond_init(&r.cond);
    run_all(&r, (guint)o.jobs, !o.no_progress && isatty(STDERR_FILENO));

    gboolean input_error = FALSE, tool_error = FALSE;
    for (guint i = 0; i < rep->files->len; i++) {
        const result_file *f = g_ptr_array_index(rep->files, i);
        if (f->error != NULL)
            fprintf(stderr, "%s: %s: %s\n", PROG, f->path, f->error);
        input_error |= r.status[i] == TSHARK_INPUT_ERROR || f->error != NULL;
        tool_error |= r.status[i] == TSHARK_ERROR;
    }

    int verdict;
    if (o.expect != NULL) {
        GString *out = g_string_new(NULL);
        gboolean bad_lists = FALSE;
        verdict = run_expect(rep, selected, o.expect, ignored, out, &bad_lists);
        input_error |= bad_lists;
        emit(NULL, out->str, out->len);
        g_string_free(out, TRUE);
        if (o.output != NULL && !write_report(rep, writer, o.output))
            input_error = TRUE;
    } else if (o.write_expected) {
        GString *out = g_string_new(NULL);
        gboolean bad_writes = FALSE;
        verdict = run_write(rep, selected, out, &bad_writes);
        input_error |= bad_writes;
        emit(NULL, out->str, out->len);
        g_string_free(out, TRUE);
        if (o.output != NULL && !write_report(rep, writer, o.output))
            input_error = TRUE;
    } else {
        verdict = result_report_failing(rep) > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
        if (!write_report(rep, writer, o.output))
            input_error = TRUE;
    }
    if (o.html != NULL) {
        GString *page = report_html(rep, r.series);
        if (!emit(o.html, page->str, page->len))
            input_error = TRUE;
        g_string_free(page, TRUE);
    }
    if (o.csv != NULL) {
        char *why = NULL;
        if (!report_csv(rep, r.series, o.csv, &why)) {
            fprintf(stderr, "%s: %s\n", PROG, why);
            g_free(why);
            input_error = TRUE;
        }
    }
    rc = tool_error ? EXIT_TOOL : input_error ? EXIT_USAGE : verdict;

out:
    if (r.status != NULL) {
        g_mutex_clear(&r.lock);
        g_cond_clear(&r.cond);
        g_free(r.status);
        g_free(r.order);
    }
    for (guint i = 0; r.series != NULL && i < r.entries->len; i++)
        series_file_free(r.series[i]);
    g_free(r.series);
    tshark_free(t);
    expect_free(expected_list);
    result_report_free(rep);
    if (selected != NULL)
        g_ptr_array_free(selected, TRUE);
    if (all != NULL)
        g_ptr_array_free(all, TRUE);
    g_option_context_free(ctx);
    free_options(&o);
    return rc;
}

int main(int argc, char **argv)
{
    /* tshark may stop reading its stdin early (bad capture): write() must fail, not kill us */
    signal(SIGPIPE, SIG_IGN);
    if (argc > 1 && strcmp(argv[1], "merge") == 0)
        return merge_main(argc - 1, argv + 1);
    /* GOption does not take "-j2" (value glued to a short option): split it as make does. */
    GPtrArray *args = g_ptr_array_new();
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            for (; i < argc; i++)
                g_ptr_array_add(args, argv[i]);
            break;
        }
        if (g_str_has_prefix(a, "-j") && a[2] != '\0' && g_ascii_isdigit(a[2])) {
            g_ptr_array_add(args, (char *)"-j");
            g_ptr_array_add(args, (char *)a + 2);
        } else {
            g_ptr_array_add(args, argv[i]);
        }
    }
    g_ptr_array_add(args, NULL);
    int n = (int)args->len - 1;
    char **v = (char **)args->pdata;
    int rc = validate_main(n, v);
    g_ptr_array_free(args, TRUE);
    return rc;
}
