/*
 * JUnit XML report, for GitLab, GitHub and Jenkins test views: a <testsuite> per file, a
 * <testcase> per connection, a <failure> per finding at or above --fail-on. Every file also
 * has a "capture" testcase: it carries an <error> when the file could not be read, and the
 * findings outside any connection. A connection's <system-out> starts with what the core
 * decided about it (close, data, reinjections, checksums, subflows), then the findings
 * below --fail-on.
 * All text is escaped with GMarkup.
 */
#include <gio/gio.h>

#include "result/result.h"

static void finding_line(GString *s, const result_finding *fd)
{
    char *t = g_markup_printf_escaped("frame %u: %s %s: %s\n", fd->frame,
                                      mptcpv_severity_name(fd->severity), fd->rule,
                                      fd->message);
    g_string_append(s, t);
    g_free(t);
}

static void facts_line(GString *out, const result_connection *c)
{
    if (c == NULL || c->plugin_id < 0)
        return;
    g_string_append_printf(out,
                           "%s; data %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                           " bytes (client/server); reinjected %" G_GUINT64_FORMAT
                           " segments, %" G_GUINT64_FORMAT " bytes; checksums %u good, %u bad, "
                           "%u unverifiable; subflows %u (%u established):",
                           mptcpv_close_state_name(c->close), c->data_bytes_from_client,
                           c->data_bytes_from_server, c->reinjected_segments,
                           c->reinjected_bytes, c->checksums[0], c->checksums[1],
                           c->checksums[2], c->subflows->len,
                           result_established_subflows(c));
    for (guint i = 0; i < c->subflows->len; i++) {
        const result_subflow *sf = g_ptr_array_index(c->subflows, i);
        g_string_append_printf(out, " %u %s", sf->id, mptcpv_subflow_end_name(sf->ended_by));
    }
    g_string_append_c(out, '\n');
}

/* The body of one testcase: failures, then system-out. Returns the failure count. */
static guint testcase_body(GString *s, const result_report *r, const result_file *f, gint conn,
                           const result_connection *c)
{
    guint failures = 0;
    GString *out = g_string_new(NULL);
    facts_line(out, c); /* plain ASCII: names and numbers */
    for (guint i = 0; i < f->findings->len; i++) {
        const result_finding *fd = &g_array_index(f->findings, result_finding, i);
        if (fd->connection != conn)
            continue;
        if (result_severity_fails(r, fd->severity)) {
            char *t = g_markup_printf_escaped(
                "      <failure type=\"%s\" message=\"frame %u: %s: %s\">", fd->rule, fd->frame,
                fd->rule, fd->message);
            g_string_append(s, t);
            g_free(t);
            finding_line(s, fd);
            g_string_append(s, "</failure>\n");
            failures++;
        } else {
            finding_line(out, fd);
        }
    }
    if (out->len > 0)
        g_string_append_printf(s, "      <system-out>%s</system-out>\n", out->str);
    g_string_free(out, TRUE);
    return failures;
}

gboolean report_junit(const result_report *r, GOutputStream *out, GError **error)
{
    GString *body = g_string_new(NULL);
    guint total_tests = 0, total_failures = 0, total_errors = 0;
    for (guint i = 0; i < r->files->len; i++) {
        const result_file *f = g_ptr_array_index(r->files, i);
        GString *cases = g_string_new(NULL);
        guint failures = 0, errors = 0, tests = 0;

        char *t = g_markup_printf_escaped("    <testcase name=\"capture\" classname=\"%s\" "
                                          "time=\"0\">\n",
                                          f->path);
        g_string_append(cases, t);
        g_free(t);
        if (f->error != NULL) {
            t = g_markup_printf_escaped("      <error type=\"input\" message=\"%s\">%s: %s"
                                        "</error>\n",
                                        f->error, f->path, f->error);
            g_string_append(cases, t);
            g_free(t);
            errors++;
        }
        failures += testcase_body(cases, r, f, -1, NULL);
        g_string_append(cases, "    </testcase>\n");
        tests++;

        for (guint k = 0; k < f->connections->len; k++) {
            const result_connection *c = g_ptr_array_index(f->connections, k);
            t = g_markup_printf_escaped("    <testcase name=\"connection %u\" classname=\"%s\" "
                                        "time=\"0\">\n",
                                        c->id, f->path);
            g_string_append(cases, t);
            g_free(t);
            failures += testcase_body(cases, r, f, (gint)c->id, c);
            g_string_append(cases, "    </testcase>\n");
            tests++;
        }
        t = g_markup_printf_escaped("  <testsuite name=\"%s\" tests=\"%u\" failures=\"%u\" "
                                    "errors=\"%u\" skipped=\"0\" time=\"0\">\n"
                                    "    <properties>\n"
                                    "      <property name=\"mptcpv_version\" value=\"%s\"/>\n"
                                    "      <property name=\"tshark_version\" value=\"%s\"/>\n"
                                    "    </properties>\n",
                                    f->path, tests, failures, errors, r->mptcpv_version,
                                    r->tshark_version ? r->tshark_version : "");
        g_string_append(body, t);
        g_free(t);
        g_string_append(body, cases->str);
        g_string_append(body, "  </testsuite>\n");
        g_string_free(cases, TRUE);
        total_tests += tests;
        total_failures += failures;
        total_errors += errors;
    }
    GString *s = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    g_string_append_printf(s,
                           "<testsuites name=\"mptcpv-validate\" tests=\"%u\" failures=\"%u\" "
                           "errors=\"%u\" time=\"0\">\n",
                           total_tests, total_failures, total_errors);
    g_string_append(s, body->str);
    g_string_append(s, "</testsuites>\n");
    gboolean ok = g_output_stream_write_all(out, s->str, s->len, NULL, NULL, error);
    g_string_free(s, TRUE);
    g_string_free(body, TRUE);
    return ok;
}
