/*
 * JUnit XML report in the common form Jenkins, GitLab and Maven Surefire read: a <testsuite>
 * per capture, in it
 *  - a "capture" testcase: reading and decoding the capture. It carries an <error> when the
 *    file could not be read, a <failure> under --require-mptcp when it has no MPTCP
 *    connection, and in <system-out> what the core decided about each connection (close,
 *    data, reinjections, checksums, subflows). Its time is the capture's analysis time;
 *  - a testcase per rule checked (every rule of --list-rules not --ignore'd), classname
 *    "<capture>", name the rule id. At most one <failure>: all the rule's findings at or
 *    above --fail-on, one line each in its text, the first one in its message. Findings
 *    below --fail-on go to its <system-out>. The rules are all checked in the one pass
 *    whose time the "capture" testcase carries, so theirs is 0.
 * A rule, not a finding, is the testcase: a test view then lists the same tests for every
 * capture and a run to run comparison (Jenkins' "age" of a failure) follows a rule.
 * Counts: tests = rules checked + 1, failures = testcases with a <failure>, errors = 0 or 1.
 * The suite's time is the capture's analysis time; the <testsuites> time their sum.
 * An interrupted run (SIGINT/SIGTERM) says "interrupted" in a property and the captures not
 * analysed get a <skipped message="interrupted"/> capture testcase only.
 * Severity overrides (--severity, --config) are properties "severity.<rule>" = "<level>
 * (overridden, default <level>)" and are said in the rule testcase's <system-out>.
 * All text is escaped with GMarkup. A capture name that is not UTF-8 is shown with U+FFFD
 * and its bytes are in the "path_raw" property, percent-encoded as in the JSON report.
 */
#include <gio/gio.h>
#include <string.h>

#include "report/report.h"
#include "result/result.h"

static void append_escaped(GString *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void append_escaped(GString *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *t = g_markup_vprintf_escaped(fmt, ap);
    va_end(ap);
    g_string_append(s, t);
    g_free(t);
}

static void finding_line(GString *s, const result_finding *fd)
{
    append_escaped(s, "frame %u: %s %s: %s\n", fd->frame, mptcpv_severity_name(fd->severity),
                   fd->rule, fd->message);
}

static void facts_line(GString *out, const result_connection *c)
{
    g_string_append_printf(out, "connection %u: ", c->id);
    if (c->plugin_id < 0) {
        g_string_append(out, "fallback (no MPTCP session linked)\n");
        return;
    }
    g_string_append_printf(out,
                           "%s; data %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                           " bytes (client/server); reinjected %" G_GUINT64_FORMAT
                           " segments, %" G_GUINT64_FORMAT " bytes; checksums %u good, %u bad, "
                           "%u unverifiable; subflows %u (%u established):",
                           mptcpv_close_state_name(c->close), c->data_bytes_from_client,
                           c->data_bytes_from_server, c->reinjected_segments, c->reinjected_bytes,
                           c->checksums[0], c->checksums[1], c->checksums[2], c->subflows->len,
                           result_established_subflows(c));
    for (guint i = 0; i < c->subflows->len; i++) {
        const result_subflow *sf = g_ptr_array_index(c->subflows, i);
        g_string_append_printf(out, " %u %s", sf->id, mptcpv_subflow_end_name(sf->ended_by));
    }
    g_string_append_c(out, '\n');
}

static const char *override_of(const result_report *r, const char *rule)
{
    size_t n = strlen(rule);
    for (guint i = 0; i < r->overrides->len; i++) {
        const char *o = g_ptr_array_index(r->overrides, i);
        if (strncmp(o, rule, n) == 0 && o[n] == '=')
            return o + n + 1;
    }
    return NULL;
}

/* The "capture" testcase; returns 1 if it has a failure, sets |*error| if an error. */
static guint capture_case(GString *s, const result_report *r, const result_file *f, gboolean *error)
{
    append_escaped(s, "    <testcase name=\"capture\" classname=\"%s\" time=\"%.3f\">\n", f->path,
                   f->seconds);
    guint failures = 0;
    if (!f->analysed) {
        g_string_append(s, "      <skipped message=\"interrupted before this capture was "
                           "analysed\"/>\n    </testcase>\n");
        return 0;
    }
    if (f->error != NULL) {
        append_escaped(s, "      <error type=\"input\" message=\"%s\">%s: %s</error>\n", f->error,
                       f->path, f->error);
        *error = TRUE;
    } else if (result_file_lacks_mptcp(r, f)) {
        append_escaped(s,
                       "      <failure type=\"require-mptcp\" message=\"no MPTCP connection "
                       "(--require-mptcp)\">%s: no MPTCP connection in %" G_GUINT64_FORMAT
                       " packets</failure>\n",
                       f->path, f->packets);
        failures = 1;
    }
    GString *out = g_string_new(NULL);
    g_string_append_printf(
        out, "%" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT " MPTCP, %u connection%s\n",
        f->packets, f->mptcp_packets, f->connections->len, f->connections->len == 1 ? "" : "s");
    for (guint k = 0; k < f->connections->len; k++)
        facts_line(out, g_ptr_array_index(f->connections, k));
    g_string_append_printf(s, "      <system-out>%s</system-out>\n", out->str); /* ASCII */
    g_string_append(s, "    </testcase>\n");
    g_string_free(out, TRUE);
    return failures;
}

/* One rule's testcase; returns 1 if it has a failure. */
static guint rule_case(GString *s, const result_report *r, const result_file *f,
                       const mptcpv_rule *rule)
{
    append_escaped(s, "    <testcase name=\"%s\" classname=\"%s\" time=\"0.000\">\n", rule->id,
                   f->path);
    GString *fail = g_string_new(NULL), *out = g_string_new(NULL);
    const result_finding *first = NULL;
    guint n = 0;
    const char *ov = override_of(r, rule->id);
    if (ov != NULL)
        g_string_append_printf(out, "severity %s (overridden, default %s)\n", ov,
                               mptcpv_severity_name(rule->severity));
    for (guint i = 0; i < f->findings->len; i++) {
        const result_finding *fd = &g_array_index(f->findings, result_finding, i);
        if (strcmp(fd->rule, rule->id) != 0)
            continue;
        if (result_severity_fails(r, fd->severity)) {
            if (first == NULL)
                first = fd;
            n++;
            finding_line(fail, fd);
        } else {
            finding_line(out, fd);
        }
    }
    if (first != NULL) {
        char *more = n > 1 ? g_strdup_printf(" (and %u more)", n - 1) : g_strdup("");
        append_escaped(s, "      <failure type=\"%s\" message=\"%u finding%s: frame %u: %s%s\">",
                       rule->id, n, n == 1 ? "" : "s", first->frame, first->message, more);
        g_free(more);
        g_string_append(s, fail->str);
        g_string_append(s, "</failure>\n");
    }
    if (out->len > 0)
        g_string_append_printf(s, "      <system-out>%s</system-out>\n", out->str);
    g_string_append(s, "    </testcase>\n");
    g_string_free(fail, TRUE);
    g_string_free(out, TRUE);
    return first != NULL;
}

/* Findings of rules this build does not know (a mismatched plugin): one more testcase. */
static guint unknown_case(GString *s, const result_report *r, const result_file *f)
{
    GString *fail = g_string_new(NULL);
    for (guint i = 0; i < f->findings->len; i++) {
        const result_finding *fd = &g_array_index(f->findings, result_finding, i);
        if (mptcpv_rule_find(fd->rule) == NULL && result_severity_fails(r, fd->severity))
            finding_line(fail, fd);
    }
    guint failed = fail->len > 0;
    if (failed) {
        append_escaped(s,
                       "    <testcase name=\"unknown-rules\" classname=\"%s\" "
                       "time=\"0.000\">\n      <failure type=\"unknown-rule\" "
                       "message=\"findings of rules this validator does not know\">",
                       f->path);
        g_string_append(s, fail->str);
        g_string_append(s, "</failure>\n    </testcase>\n");
    }
    g_string_free(fail, TRUE);
    return failed;
}

gboolean report_junit(const result_report *r, GOutputStream *out, GError **error)
{
    GString *body = g_string_new(NULL);
    guint total_tests = 0, total_failures = 0, total_errors = 0, total_skipped = 0;
    double total_time = 0;
    for (guint i = 0; i < r->files->len; i++) {
        const result_file *f = g_ptr_array_index(r->files, i);
        GString *cases = g_string_new(NULL);
        guint failures = 0, tests = 1, skipped = 0;
        gboolean err = FALSE;
        failures += capture_case(cases, r, f, &err);
        if (!f->analysed) {
            skipped = 1;
        } else {
            for (int k = 0; k < MPTCPV_RULE_COUNT; k++) {
                const mptcpv_rule *rule = mptcpv_rule_get((mptcpv_rule_id)k);
                if (f->ignored != NULL && f->ignored[k])
                    continue;
                failures += rule_case(cases, r, f, rule);
                tests++;
            }
            guint u = unknown_case(cases, r, f);
            failures += u;
            tests += u;
        }
        append_escaped(body,
                       "  <testsuite name=\"%s\" tests=\"%u\" failures=\"%u\" "
                       "errors=\"%u\" skipped=\"%u\" time=\"%.3f\">\n"
                       "    <properties>\n"
                       "      <property name=\"mptcpv_version\" value=\"%s\"/>\n"
                       "      <property name=\"tshark_version\" value=\"%s\"/>\n",
                       f->path, tests, failures, err ? 1u : 0u, skipped, f->seconds,
                       r->mptcpv_version, r->tshark_version ? r->tshark_version : "");
        for (guint k = 0; k < r->overrides->len; k++) {
            const char *o = g_ptr_array_index(r->overrides, k);
            const char *eq = strchr(o, '=');
            char *id = g_strndup(o, (gsize)(eq - o));
            const mptcpv_rule *rule = mptcpv_rule_find(id);
            append_escaped(body,
                           "      <property name=\"severity.%s\" value=\"%s (overridden, "
                           "default %s)\"/>\n",
                           id, eq + 1, rule ? mptcpv_severity_name(rule->severity) : "?");
            g_free(id);
        }
        if (f->path_raw != NULL)
            append_escaped(body, "      <property name=\"path_raw\" value=\"%s\"/>\n", f->path_raw);
        if (r->interrupted)
            append_escaped(body, "      <property name=\"interrupted\" value=\"%s\"/>\n",
                           r->signal == 15 ? "SIGTERM" : "SIGINT");
        g_string_append(body, "    </properties>\n");
        g_string_append(body, cases->str);
        g_string_append(body, "  </testsuite>\n");
        g_string_free(cases, TRUE);
        total_tests += tests;
        total_failures += failures;
        total_errors += err ? 1u : 0u;
        total_skipped += skipped;
        total_time += f->seconds;
    }
    GString *s = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    append_escaped(s,
                   "<testsuites name=\"mptcpv-validate%s\" tests=\"%u\" failures=\"%u\" "
                   "errors=\"%u\" skipped=\"%u\" time=\"%.3f\">\n",
                   r->interrupted ? " (interrupted)" : "", total_tests, total_failures,
                   total_errors, total_skipped, total_time);
    g_string_append(s, body->str);
    g_string_append(s, "</testsuites>\n");
    gboolean ok = g_output_stream_write_all(out, s->str, s->len, NULL, NULL, error);
    g_string_free(s, TRUE);
    g_string_free(body, TRUE);
    return ok;
}
