/*
 * mptcpv-validate: MPTCP conformance reports for captures and capture corpora.
 *
 * Drives tshark with the mptcpv plugin (run/), builds one in-memory result (result/) and
 * writes it as text, JSON, JUnit, HTML or CSV (report/), or compares it with expected
 * findings (expect/). See mptcpv-validate.1 and --help.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>

#include "expect/expect.h"
#include "report/report.h"
#include "report/series.h"
#include "result/result.h"
#include "run/corpus.h"
#include "run/pool.h"
#include "run/stop.h"
#include "run/tshark.h"

#define PROG "mptcpv-validate"

enum {
    EXIT_CLEAN = 0,    /* no finding at or above --fail-on (or --expect matched) */
    EXIT_FINDINGS = 1, /* findings at or above --fail-on (or --expect differs) */
    EXIT_USAGE = 2,    /* usage error, or an input that could not be read */
    EXIT_TOOL = 3,     /* tshark or the mptcpv plugin is not usable */
    /* 128 + signal (130 SIGINT, 143 SIGTERM): interrupted, the report covers what was done */
    CONTINUE = -1, /* not done yet: go on with the next step */
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
    "  130, 143  interrupted by SIGINT, SIGTERM (128 + signal): tshark is stopped and the\n"
    "     report of the captures analysed so far is written, marked \"interrupted\" (a\n"
    "     second signal ends the validator at once, without report)\n"
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
    "  " PROG " --severity connection.fallback=error --require-mptcp caps/\n"
    "  tcpdump -w - -i eth0 tcp | " PROG " -\n"
    "  " PROG " --shard 2/4 -f json -o s2.json corpus/   one job of a CI matrix\n"
    "  " PROG " --list-rules\n";

typedef struct options {
    char *format;
    char *output;
    char *fail_on;
    char **ignore;
    char **severity;
    char *config;
    gboolean require_mptcp;
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

/* ---- merge ------------------------------------------------------------------------------ */

typedef struct merge_options {
    char *output, *fail_on;
    char **paths;
} merge_options;

static int merge_check(int argc, char **argv, merge_options *m, GOptionContext *ctx)
{
    GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &m->output, "Write the merged report to FILE",
         "FILE"},
        {"fail-on", 0, 0, G_OPTION_ARG_STRING, &m->fail_on,
         "error|warning|info|none (default: the reports' own)", "LEVEL"},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &m->paths, NULL, NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(
        ctx, "Combines the JSON reports of one run split with --shard K/N into one report,\n"
             "files in corpus order, summary recomputed. Exit status as for a run: 0, 1\n"
             "(findings at or above --fail-on), 2 (bad/missing reports or shards, or files\n"
             "that could not be read).\n");
    GError *error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        int rc = usage_error("merge: %s", error->message);
        g_error_free(error);
        return rc;
    }
    mptcpv_severity sev;
    gboolean never;
    if (m->fail_on != NULL && !result_parse_fail_on(m->fail_on, &sev, &never))
        return usage_error("merge: --fail-on must be error, warning, info or none, not \"%s\"",
                           m->fail_on);
    if (m->paths == NULL || m->paths[0] == NULL)
        return usage_error("merge: no reports given");
    if (!report_check_output("merge -o", m->output, FALSE))
        return EXIT_USAGE;
    return CONTINUE;
}

static int merge_run(const merge_options *m)
{
    guint failing = 0, unreadable = 0;
    char *warning = NULL, *problem = NULL;
    JsonNode *root = report_merge(m->paths, m->fail_on, &failing, &unreadable, &warning, &problem);
    if (root == NULL) {
        fprintf(stderr, "%s: merge: %s\n", PROG, problem);
        g_free(problem);
        return EXIT_USAGE;
    }
    GOutputStream *mem = g_memory_output_stream_new_resizable();
    gboolean ok = report_json_node(root, mem, NULL) && g_output_stream_close(mem, NULL, NULL);
    ok = ok && report_emit_stream(m->output, mem);
    g_object_unref(mem);
    json_node_unref(root);
    if (warning != NULL)
        fprintf(stderr, "%s: merge: %s\n", PROG, warning);
    int rc;
    if (!ok || warning != NULL || unreadable > 0)
        rc = EXIT_USAGE;
    else
        rc = failing > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
    g_free(warning);
    return rc;
}

static int merge_main(int argc, char **argv)
{
    merge_options m = {NULL, NULL, NULL};
    GOptionContext *ctx = g_option_context_new("REPORT.json... - merge --shard JSON reports");
    int rc = merge_check(argc, argv, &m, ctx);
    if (rc == CONTINUE)
        rc = merge_run(&m);
    g_option_context_free(ctx);
    g_free(m.output);
    g_free(m.fail_on);
    g_strfreev(m.paths);
    return rc;
}

/* ---- a validation run: parse, check, run, emit ------------------------------------------ */

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

/* Everything a run holds; validation_clear() frees what is set. */
typedef struct validation {
    options o;
    /* checked options */
    report_writer writer;
    mptcpv_severity fail_on;
    gboolean never;
    gboolean ignored[MPTCPV_RULE_COUNT];         /* --ignore */
    gboolean dropped[MPTCPV_RULE_COUNT];         /* --ignore, or severity none */
    mptcpv_severity severity[MPTCPV_RULE_COUNT]; /* effective */
    char *override[MPTCPV_RULE_COUNT];           /* the level given, NULL: the rule's default */
    gboolean plots;
    guint shard_k, shard_n;
    expect_list *expected; /* --expect FILE */
    /* the run */
    GPtrArray *all, *selected; /* corpus_entry*: every input; this shard's */
    result_report *rep;        /* files[i] belongs to selected[i] */
    tshark_handle *tshark;
    series_file **series;  /* --html/--csv: series[i] belongs to files[i]; else NULL */
    tshark_status *status; /* status[i] of selected[i] */
} validation;

static void validation_clear(validation *v)
{
    options *o = &v->o;
    g_free(o->format);
    g_free(o->output);
    g_free(o->fail_on);
    g_strfreev(o->ignore);
    g_strfreev(o->severity);
    g_free(o->config);
    for (int i = 0; i < MPTCPV_RULE_COUNT; i++)
        g_free(v->override[i]);
    g_free(o->expect);
    g_free(o->shard);
    g_free(o->tshark);
    g_free(o->plugin_dir);
    g_free(o->html);
    g_free(o->csv);
    g_strfreev(o->paths);
    g_free(v->status);
    for (guint i = 0; v->series != NULL && i < v->selected->len; i++)
        series_file_free(v->series[i]);
    g_free(v->series);
    tshark_free(v->tshark);
    expect_free(v->expected);
    result_report_free(v->rep);
    if (v->selected != NULL)
        g_ptr_array_free(v->selected, TRUE);
    if (v->all != NULL)
        g_ptr_array_free(v->all, TRUE);
}

/* The command line into |o|; --version and --list-rules are answered here. */
static int parse_options(int argc, char **argv, options *o)
{
    o->jobs = G_MININT; /* not given */
    o->max_points = SERIES_DEFAULT_MAX_POINTS;
    GOptionEntry entries[] = {
        {"format", 'f', 0, G_OPTION_ARG_STRING, &o->format,
         "Report format: text (default), json or junit", "FORMAT"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output,
         "Write the report to FILE instead of stdout", "FILE"},
        {"fail-on", 0, 0, G_OPTION_ARG_STRING, &o->fail_on,
         "Exit 1 on findings of this severity or worse: error (default), warning, info, none",
         "LEVEL"},
        {"ignore", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->ignore,
         "Drop findings of RULE (repeatable; see --list-rules)", "RULE"},
        {"severity", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->severity,
         "Treat RULE's findings as LEVEL: error, warning, info or none (not counted, not "
         "listed); repeatable, wins over --config",
         "RULE=LEVEL"},
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &o->config,
         "Read severities from FILE's [severity] group (rule = level lines)", "FILE"},
        {"require-mptcp", 0, 0, G_OPTION_ARG_NONE, &o->require_mptcp,
         "A readable capture without any MPTCP connection fails (exit 1)", NULL},
        {"expect", 0, 0, G_OPTION_ARG_FILENAME, &o->expect,
         "Compare findings with FILE (one capture) or each capture's <capture>.expected "
         "(auto); exit 0 iff they match",
         "FILE|auto"},
        {"write-expected", 0, 0, G_OPTION_ARG_NONE, &o->write_expected,
         "Write each capture's <capture>.expected from this run (findings and connection "
         "facts), keeping its comments",
         NULL},
        {"jobs", 'j', 0, G_OPTION_ARG_INT, &o->jobs,
         "Captures checked in parallel (default: number of CPUs); output does not depend on it",
         "N"},
        {"shard", 0, 0, G_OPTION_ARG_STRING, &o->shard,
         "Check only shard K of N (stable, by path hash); combine with 'merge'", "K/N"},
        {"tshark", 0, 0, G_OPTION_ARG_FILENAME, &o->tshark, "tshark to run (default: on PATH)",
         "PATH"},
        {"plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->plugin_dir,
         "Load the plugin from DIR/<major.minor>/epan/mptcpv.so (a build's plugins/ folder)",
         "DIR"},
        {"html", 0, 0, G_OPTION_ARG_FILENAME, &o->html,
         "Also write a self-contained HTML report with DSN/DATA_ACK plots to FILE", "FILE"},
        {"csv", 0, 0, G_OPTION_ARG_FILENAME, &o->csv,
         "Also write the plot series as DIR/<capture>.conn<N>.csv (columns below)", "DIR"},
        {"max-points", 0, 0, G_OPTION_ARG_INT, &o->max_points,
         "Plot/CSV points kept per connection before decimating (default 20000, 0: all)", "N"},
        {"no-cache", 0, 0, G_OPTION_ARG_NONE, &o->no_cache,
         "Check tshark and the plugin again instead of trusting the cached check", NULL},
        {"no-progress", 0, 0, G_OPTION_ARG_NONE, &o->no_progress,
         "No progress line on stderr (shown only when stderr is a terminal)", NULL},
        {"list-rules", 0, 0, G_OPTION_ARG_NONE, &o->list_rules,
         "List the rules (id, severity, RFC section, description) and exit", NULL},
        {"verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose, "Say which tshark and plugin are used",
         NULL},
        {"version", 0, 0, G_OPTION_ARG_NONE, &o->version, "Print the version and exit", NULL},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->paths, NULL, NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx = g_option_context_new("PATH... - check MPTCP conformance of captures");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, description);
    GError *error = NULL;
    int rc = CONTINUE;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        rc = usage_error("%s", error->message);
        g_error_free(error);
    } else if (o->version) {
        printf("%s %s\n", PROG, MPTCPV_VERSION);
        rc = EXIT_CLEAN;
    } else if (o->list_rules) {
        list_rules();
        rc = EXIT_CLEAN;
    }
    g_option_context_free(ctx);
    return rc;
}

/* One RULE=LEVEL of --severity (|where| "--severity") or of --config (|where| "FILE:"). */
static int set_severity(validation *v, const char *where, const char *rule_id, const char *level)
{
    const mptcpv_rule *rule = mptcpv_rule_find(rule_id);
    if (rule == NULL)
        return usage_error("%s %s: no such rule (see --list-rules)", where, rule_id);
    mptcpv_severity sev;
    gboolean none;
    if (!result_parse_fail_on(level, &sev, &none))
        return usage_error("%s %s=%s: level must be error, warning, info or none", where, rule_id,
                           level);
    v->dropped[rule->rule] = none;
    v->severity[rule->rule] = none ? rule->severity : sev;
    g_free(v->override[rule->rule]);
    v->override[rule->rule] = g_strdup(level);
    return CONTINUE;
}

/* --config FILE ([severity] group), then --severity: the effective severity of each rule. */
static int check_severities(validation *v)
{
    options *o = &v->o;
    for (int i = 0; i < MPTCPV_RULE_COUNT; i++)
        v->severity[i] = mptcpv_rule_get((mptcpv_rule_id)i)->severity;
    if (o->config != NULL) {
        GKeyFile *kf = g_key_file_new();
        GError *error = NULL;
        char *where = g_strdup_printf("--config %s:", o->config);
        int rc = CONTINUE;
        if (!g_key_file_load_from_file(kf, o->config, G_KEY_FILE_NONE, &error)) {
            rc = usage_error("--config %s: %s", o->config, error->message);
            g_error_free(error);
        }
        gchar **keys = rc == CONTINUE ? g_key_file_get_keys(kf, "severity", NULL, NULL) : NULL;
        for (gchar **k = keys; k != NULL && *k != NULL && rc == CONTINUE; k++) {
            char *level = g_key_file_get_string(kf, "severity", *k, NULL);
            rc = set_severity(v, where, *k, level != NULL ? g_strstrip(level) : "");
            g_free(level);
        }
        g_strfreev(keys);
        g_free(where);
        g_key_file_free(kf);
        if (rc != CONTINUE)
            return rc;
    }
    for (char **p = o->severity; p != NULL && *p != NULL; p++) {
        const char *eq = strchr(*p, '=');
        if (eq == NULL)
            return usage_error("--severity %s: want RULE=LEVEL", *p);
        char *id = g_strndup(*p, (gsize)(eq - *p));
        int rc = set_severity(v, "--severity", id, eq + 1);
        g_free(id);
        if (rc != CONTINUE)
            return rc;
    }
    return CONTINUE;
}

/* --format, --fail-on, --ignore, --severity, --config, --jobs, --max-points, --html. */
static int check_report_options(validation *v)
{
    options *o = &v->o;
    v->writer = report_text;
    if (o->format != NULL && strcmp(o->format, "json") == 0)
        v->writer = report_json;
    else if (o->format != NULL && strcmp(o->format, "junit") == 0)
        v->writer = report_junit;
    else if (o->format != NULL && strcmp(o->format, "text") != 0)
        return usage_error("--format must be text, json or junit, not \"%s\"", o->format);
    v->fail_on = MPTCPV_SEVERITY_ERROR;
    v->never = FALSE;
    if (o->fail_on != NULL && !result_parse_fail_on(o->fail_on, &v->fail_on, &v->never))
        return usage_error("--fail-on must be error, warning, info or none, not \"%s\"",
                           o->fail_on);
    for (char **p = o->ignore; p != NULL && *p != NULL; p++) {
        const mptcpv_rule *rule = mptcpv_rule_find(*p);
        if (rule == NULL)
            return usage_error("--ignore %s: no such rule (see --list-rules)", *p);
        v->ignored[rule->rule] = TRUE;
    }
    int rc = check_severities(v);
    if (rc != CONTINUE)
        return rc;
    for (int i = 0; i < MPTCPV_RULE_COUNT; i++)
        v->dropped[i] = v->dropped[i] || v->ignored[i];
    if (o->jobs == G_MININT)
        o->jobs = (gint)g_get_num_processors();
    else if (o->jobs < 1)
        return usage_error("--jobs must be at least 1, not %d (leave it out for one per CPU)",
                           o->jobs);
    if (o->max_points < 0)
        return usage_error("--max-points must be 0 (no limit) or more");
    if (o->html != NULL && strcmp(o->html, "-") == 0 &&
        (o->expect != NULL || o->write_expected || o->output == NULL ||
         strcmp(o->output, "-") == 0))
        return usage_error("--html - needs the report elsewhere (-o FILE, without --expect or "
                           "--write-expected)");
    v->plots = o->html != NULL || o->csv != NULL;
    return CONTINUE;
}

/* Every output is checked before the analysis, so a typo does not cost the whole run. */
static int check_outputs(const validation *v)
{
    const options *o = &v->o;
    if (!report_check_output("-o", o->output, FALSE) ||
        !report_check_output("--html", o->html, FALSE) ||
        !report_check_output("--csv", o->csv, TRUE))
        return EXIT_USAGE;
    return CONTINUE;
}

/* --shard, the PATHs, --expect, --write-expected. */
static int check_input_options(validation *v)
{
    options *o = &v->o;
    if (o->shard != NULL && !parse_shard(o->shard, &v->shard_k, &v->shard_n))
        return usage_error("--shard wants K/N with 1 <= K <= N, not \"%s\"", o->shard);
    if (o->paths == NULL || o->paths[0] == NULL)
        return usage_error("no capture or directory given");
    guint stdin_count = 0;
    for (char **p = o->paths; *p != NULL; p++)
        stdin_count += strcmp(*p, "-") == 0;
    if (stdin_count > 1)
        return usage_error("\"-\" (stdin) given more than once");
    if (o->write_expected && o->expect != NULL)
        return usage_error("--write-expected and --expect exclude each other");
    if (o->write_expected && o->ignore != NULL)
        return usage_error("--write-expected records every finding: drop --ignore");
    for (int i = 0; i < MPTCPV_RULE_COUNT && o->write_expected; i++)
        if (v->dropped[i])
            return usage_error("--write-expected records every finding: drop --severity "
                               "%s=none",
                               mptcpv_rule_get((mptcpv_rule_id)i)->id);
    if (o->expect != NULL && strcmp(o->expect, "auto") != 0) {
        char *problem = NULL;
        v->expected = expect_load(o->expect, &problem);
        if (v->expected == NULL) {
            int rc = usage_error("--expect %s: %s", o->expect, problem);
            g_free(problem);
            return rc;
        }
    }
    return CONTINUE;
}

/* The inputs (this shard's) and the empty report they will fill. */
static int select_inputs(validation *v)
{
    v->all = corpus_collect(v->o.paths);
    v->selected = g_ptr_array_new();
    result_report *rep = v->rep = result_report_new();
    rep->mptcpv_version = g_strdup(MPTCPV_VERSION);
    rep->fail_on = v->fail_on;
    rep->fail_never = v->never;
    rep->shard_k = v->shard_k;
    rep->shard_n = v->shard_n;
    rep->require_mptcp = v->o.require_mptcp;
    for (int i = 0; i < MPTCPV_RULE_COUNT; i++) {
        const char *id = mptcpv_rule_get((mptcpv_rule_id)i)->id;
        if (v->ignored[i])
            g_ptr_array_add(rep->ignored, g_strdup(id));
        if (v->override[i] != NULL)
            g_ptr_array_add(rep->overrides, g_strdup_printf("%s=%s", id, v->override[i]));
    }
    for (char **p = v->o.paths; *p != NULL; p++)
        g_ptr_array_add(rep->inputs, g_filename_display_name(*p));
    for (guint i = 0; i < v->all->len; i++) {
        corpus_entry *e = g_ptr_array_index(v->all, i);
        if (v->shard_n > 0 && corpus_fnv1a(e->relative) % v->shard_n != v->shard_k - 1)
            continue;
        g_ptr_array_add(v->selected, e);
        result_file *f = result_file_new(e->display, i, v->dropped);
        f->severity = v->severity;
        f->path_raw = e->is_stdin ? NULL : result_path_raw(e->path);
        g_ptr_array_add(rep->files, f);
    }
    if (v->expected != NULL && v->selected->len != 1)
        return usage_error("--expect FILE compares one capture, and %u were given; use "
                           "--expect auto for <capture>.expected sidecars",
                           v->selected->len);
    return CONTINUE;
}

/* After a stop: the report holds the captures analysed (or being analysed) only. */
static void keep_analysed(validation *v)
{
    result_report *rep = v->rep;
    rep->interrupted = TRUE;
    rep->signal = stop_requested();
    guint k = 0;
    for (guint i = 0; i < rep->files->len; i++) {
        result_file *f = g_ptr_array_index(rep->files, i);
        if (!f->analysed) {
            result_file_free(f);
            if (v->series != NULL)
                series_file_free(v->series[i]);
            continue;
        }
        rep->files->pdata[k] = f;
        v->selected->pdata[k] = v->selected->pdata[i];
        v->status[k] = v->status[i];
        if (v->series != NULL)
            v->series[k] = v->series[i];
        k++;
    }
    rep->files->len = k; /* the dropped ones are freed above */
    g_ptr_array_remove_range(v->selected, k, v->selected->len - k);
}

/* tshark found and checked, then every selected capture through it. */
static int run_checks(validation *v)
{
    const options *o = &v->o;
    tshark_options to = {o->tshark, o->plugin_dir, !o->no_cache, o->verbose, v->plots};
    char *problem = NULL;
    v->tshark = tshark_find(&to, &problem);
    if (v->tshark == NULL) {
        fprintf(stderr, "%s: %s\n", PROG, problem);
        g_free(problem);
        return EXIT_TOOL;
    }
    if (tshark_note(v->tshark) != NULL)
        fprintf(stderr, "%s: note: %s", PROG, tshark_note(v->tshark));
    v->rep->tshark_version = g_strdup(tshark_version(v->tshark));
    /* From here a signal stops the run with a report; before, it just ends the validator. */
    stop_install();
    if (v->plots) {
        v->series = g_new0(series_file *, MAX(v->selected->len, 1));
        for (guint i = 0; i < v->selected->len; i++)
            v->series[i] = series_file_new((guint)o->max_points);
    }
    v->status = run_all(v->selected, v->rep, v->series, v->tshark, (guint)o->jobs,
                        !o->no_progress && isatty(STDERR_FILENO));
    if (stop_requested())
        keep_analysed(v);
    return CONTINUE;
}

/* The report, or the --expect / --write-expected verdict, then --html and --csv. */
static int emit_results(validation *v)
{
    const options *o = &v->o;
    const result_report *rep = v->rep;
    gboolean input_error = FALSE, tool_error = FALSE;
    for (guint i = 0; i < rep->files->len; i++) {
        const result_file *f = g_ptr_array_index(rep->files, i);
        if (f->error != NULL)
            fprintf(stderr, "%s: %s: %s\n", PROG, f->path, f->error);
        input_error |= v->status[i] == TSHARK_INPUT_ERROR || f->error != NULL;
        tool_error |= v->status[i] == TSHARK_ERROR;
    }
    int verdict = EXIT_CLEAN;
    if (o->expect != NULL || o->write_expected) {
        GString *out = g_string_new(NULL);
        gboolean bad = FALSE;
        if (o->expect != NULL)
            verdict = expect_run(rep, v->selected, o->expect, v->dropped, out, &bad)
                          ? EXIT_CLEAN
                          : EXIT_FINDINGS;
        else
            expect_write(rep, v->selected, out, &bad);
        input_error |= bad;
        report_emit(NULL, out->str, out->len);
        g_string_free(out, TRUE);
        if (o->output != NULL && !report_write(rep, v->writer, o->output))
            input_error = TRUE;
    } else {
        verdict = result_report_failing(rep) > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
        if (!report_write(rep, v->writer, o->output))
            input_error = TRUE;
    }
    if (o->html != NULL) {
        GString *page = report_html(rep, v->series);
        if (!report_emit(o->html, page->str, page->len))
            input_error = TRUE;
        g_string_free(page, TRUE);
    }
    if (o->csv != NULL) {
        char *why = NULL;
        if (!report_csv(rep, v->series, o->csv, &why)) {
            fprintf(stderr, "%s: %s\n", PROG, why);
            g_free(why);
            input_error = TRUE;
        }
    }
    return tool_error ? EXIT_TOOL : input_error ? EXIT_USAGE : verdict;
}

static int validate_main(int argc, char **argv)
{
    validation v;
    memset(&v, 0, sizeof(v));
    int rc = parse_options(argc, argv, &v.o);
    if (rc == CONTINUE)
        rc = check_report_options(&v);
    if (rc == CONTINUE)
        rc = check_input_options(&v);
    if (rc == CONTINUE)
        rc = check_outputs(&v);
    if (rc == CONTINUE)
        rc = select_inputs(&v);
    if (rc == CONTINUE)
        rc = run_checks(&v);
    if (rc == CONTINUE)
        rc = emit_results(&v);
    if (stop_requested() && v.rep != NULL && v.rep->interrupted) {
        fprintf(stderr, "%s: interrupted by %s: the report covers the %u capture%s analysed\n",
                PROG, stop_requested() == SIGTERM ? "SIGTERM" : "SIGINT", v.rep->files->len,
                v.rep->files->len == 1 ? "" : "s");
        rc = 128 + stop_requested();
    }
    validation_clear(&v);
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
            g_ptr_array_add(args, argv[i] + 2);
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
