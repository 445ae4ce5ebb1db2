/*
 * The HTML report (see report.h). Every string from a capture, a path or the plugin goes
 * through html_escape: finding details are attacker-controlled bytes.
 */
#include "report/report.h"

#include <string.h>

#include "report/html_escape.h"
#include "report/plot_svg.h"

#define MAX_LISTED 500 /* rows per findings/events table; the rest are counted */

static const char style[] =
    "body{font:14px/1.4 sans-serif;color:#222;margin:1.5em auto;max-width:1000px;"
    "padding:0 1em}\n"
    "h1{font-size:1.6em}h2{font-size:1.3em;border-bottom:2px solid #ccc;margin-top:2em;"
    "word-break:break-all}h3{font-size:1.1em;margin-top:1.5em}\n"
    "table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #ccc;"
    "padding:.2em .5em;text-align:left;vertical-align:top}th{background:#f2f2f2}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "table.summary th{width:14em}table.subflows{font-size:.9em}\n"
    ".swatch{display:inline-block;width:1em;height:1em;vertical-align:middle;"
    "border-radius:2px;margin-right:.3em}\n"
    ".error{color:#b00}.warning{color:#a60}.info{color:#456}.zero{color:#666}\n"
    ".badge{font-size:.8em;padding:.1em .4em;border-radius:3px;background:#eee;"
    "margin-left:.4em}\n"
    "svg.dsn-plot{max-width:100%;height:auto;border:1px solid #ddd;display:block}\n"
    "figure{margin:1em 0}figcaption{color:#555;font-size:.9em}\n"
    ".note{color:#a33}\n"
    "code{font-size:.95em}\n";

/* ---- small pieces ----------------------------------------------------------------------- */

static void esc(GString *o, const char *s)
{
    html_escape(o, s);
}

static const char *plural(guint64 n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void endpoint(GString *o, const result_endpoint *e)
{
    if (e->address == NULL) {
        g_string_append(o, "?");
        return;
    }
    gboolean v6 = strchr(e->address, ':') != NULL;
    g_string_append(o, v6 ? "[" : "");
    esc(o, e->address);
    g_string_append_printf(o, "%s:%u", v6 ? "]" : "", e->port);
}

/* One count: coloured by its severity only when there is something to count, so "0 errors"
 * reads as the good news it is. */
static void count(GString *o, guint n, const char *severity, const char *one, const char *many)
{
    g_string_append_printf(o, "<span class=\"%s\">%u %s</span>", n > 0 ? severity : "zero", n,
                           plural(n, one, many));
}

static void counts(GString *o, const guint c[3])
{
    count(o, c[MPTCPV_SEVERITY_ERROR], "error", "error", "errors");
    g_string_append(o, ", ");
    count(o, c[MPTCPV_SEVERITY_WARNING], "warning", "warning", "warnings");
    g_string_append(o, ", ");
    count(o, c[MPTCPV_SEVERITY_INFO], "info", "info", "infos");
}

static void row_open(GString *o, const char *head)
{
    g_string_append(o, "<tr><th>");
    esc(o, head);
    g_string_append(o, "</th><td>");
}

static const result_subflow *initial_subflow(const result_connection *c)
{
    for (guint i = 0; i < c->subflows->len; i++) {
        const result_subflow *sf = g_ptr_array_index(c->subflows, i);
        if (sf->initial)
            return sf;
    }
    return c->subflows->len > 0 ? g_ptr_array_index(c->subflows, 0) : NULL;
}

static void finding_row(GString *o, const result_finding *fd, gboolean with_connection)
{
    const char *sev = mptcpv_severity_name(fd->severity);
    g_string_append_printf(o, "<tr data-rule=\"");
    esc(o, fd->rule);
    g_string_append_printf(o, "\"><td class=\"n\">%u</td><td class=\"%s\">%s</td><td><code>",
                           fd->frame, sev, sev);
    esc(o, fd->rule);
    g_string_append(o, "</code></td>");
    if (with_connection) {
        if (fd->connection >= 0)
            g_string_append_printf(o, "<td class=\"n\">%d</td>", fd->connection);
        else
            g_string_append(o, "<td></td>");
    }
    if (fd->subflow >= 0)
        g_string_append_printf(o, "<td class=\"n\">%d</td>", fd->subflow);
    else
        g_string_append(o, "<td></td>");
    g_string_append(o, "<td>");
    esc(o, fd->message);
    g_string_append(o, "</td></tr>\n");
}

/* ---- one connection --------------------------------------------------------------------- */

static void summary_table(GString *o, const result_connection *c, const series_conn *s)
{
    const result_subflow *first = initial_subflow(c);
    guint64 c2s = 0, s2c = 0;
    for (guint i = 0; i < c->subflows->len; i++) {
        const result_subflow *sf = g_ptr_array_index(c->subflows, i);
        c2s += sf->bytes_from_client;
        s2c += sf->bytes_from_server;
    }
    g_string_append(o, "<table class=\"summary\">\n");
    row_open(o, "MPTCP version");
    if (c->version >= 0)
        g_string_append_printf(o, "%d (RFC %s)", c->version, c->version == 0 ? "6824" : "8684");
    else
        g_string_append(o, "unknown");
    g_string_append(o, "</td></tr>\n");
    row_open(o, "client");
    if (first != NULL)
        endpoint(o, &first->client);
    g_string_append(o, "</td></tr>\n");
    row_open(o, "server");
    if (first != NULL)
        endpoint(o, &first->server);
    g_string_append(o, "</td></tr>\n");
    row_open(o, "linked by the plugin");
    g_string_append(o, c->plugin_id >= 0 ? "yes" : "no (one TCP stream with MPTCP options)");
    g_string_append(o, "</td></tr>\n");
    row_open(o, "keys (tokens)");
    g_string_append(o, "client ");
    esc(o, c->client_key ? c->client_key : "?");
    g_string_append(o, " (");
    esc(o, c->client_token ? c->client_token : "?");
    g_string_append(o, "), server ");
    esc(o, c->server_key ? c->server_key : "?");
    g_string_append(o, " (");
    esc(o, c->server_token ? c->server_token : "?");
    g_string_append(o, ")</td></tr>\n");
    row_open(o, "DSS checksums");
    g_string_append(o, c->checksum < 0 ? "unknown" : c->checksum ? "on" : "off");
    g_string_append(o, "</td></tr>\n");
    row_open(o, "fallback to TCP");
    if (c->fallback != NULL)
        esc(o, c->fallback);
    else
        g_string_append(o, "no");
    g_string_append(o, "</td></tr>\n");
    row_open(o, "subflows");
    g_string_append_printf(o, "%u (%u established)</td></tr>\n", c->subflows->len,
                           result_established_subflows(c));
    row_open(o, "close");
    g_string_append_printf(o, "%s</td></tr>\n", mptcpv_close_state_name(c->close));
    row_open(o, "TCP payload bytes");
    g_string_append_printf(o,
                           "client → server %" G_GUINT64_FORMAT
                           ", server → client %" G_GUINT64_FORMAT "</td></tr>\n",
                           c2s, s2c);
    row_open(o, "data-level bytes");
    g_string_append_printf(o,
                           "client → server %" G_GUINT64_FORMAT
                           ", server → client %" G_GUINT64_FORMAT
                           " (what the applications sent)</td></tr>\n",
                           c->data_bytes_from_client, c->data_bytes_from_server);
    row_open(o, "reinjections");
    g_string_append_printf(
        o, "%" G_GUINT64_FORMAT " segments, %" G_GUINT64_FORMAT " bytes</td></tr>\n",
        c->reinjected_segments, c->reinjected_bytes);
    if (c->checksum > 0 || c->checksums[0] + c->checksums[1] + c->checksums[2] > 0) {
        row_open(o, "DSS checksum verdicts");
        g_string_append_printf(o, "%u good, %u bad, %u unverifiable</td></tr>\n", c->checksums[0],
                               c->checksums[1], c->checksums[2]);
    }
    row_open(o, "findings");
    counts(o, c->counts);
    g_string_append(o, "</td></tr>\n");
    if (s != NULL) {
        row_open(o, "plotted points");
        g_string_append_printf(o, "%u of %" G_GUINT64_FORMAT, s->points->len, s->points_seen);
        if (s->stride > 1)
            g_string_append_printf(
                o,
                " <span class=\"note decimated\">(decimated: 1 in %" G_GUINT64_FORMAT
                " segment/DATA_ACK points kept, all "
                "markers; see --max-points)</span>",
                s->stride);
        g_string_append(o, "</td></tr>\n");
    }
    g_string_append(o, "</table>\n");
}

static void subflow_table(GString *o, const result_connection *c, const series_conn *s)
{
    g_string_append(o, "<table class=\"subflows\">\n<tr><th>subflow</th><th>tcp.stream</th>"
                       "<th>opened by</th><th>backup</th><th>client (address id)</th>"
                       "<th>server (address id)</th><th>frames</th><th>packets</th>"
                       "<th>bytes c→s</th><th>bytes s→c</th><th>reinjected</th>"
                       "<th>MP_TCPRST</th><th>established</th><th>ended by</th></tr>\n");
    for (guint i = 0; i < c->subflows->len; i++) {
        const result_subflow *sf = g_ptr_array_index(c->subflows, i);
        g_string_append_printf(o,
                               "<tr class=\"subflow\" data-subflow=\"%u\"><td><span "
                               "class=\"swatch\" style=\"background:%s\"></span>%u</td>",
                               sf->id, plot_subflow_colour(sf->id), sf->id);
        if (sf->tcp_stream >= 0)
            g_string_append_printf(o, "<td class=\"n\">%" G_GINT64_FORMAT "</td>", sf->tcp_stream);
        else
            g_string_append(o, "<td></td>");
        g_string_append_printf(o, "<td>%s</td><td>%s</td><td>",
                               sf->initial ? "MP_CAPABLE" : "MP_JOIN", sf->backup ? "yes" : "no");
        endpoint(o, &sf->client);
        if (sf->client_addr_id >= 0)
            g_string_append_printf(o, " (%d)", sf->client_addr_id);
        g_string_append(o, "</td><td>");
        endpoint(o, &sf->server);
        if (sf->server_addr_id >= 0)
            g_string_append_printf(o, " (%d)", sf->server_addr_id);
        g_string_append_printf(o,
                               "</td><td class=\"n\">%u–%u</td><td class=\"n\">%" G_GUINT64_FORMAT
                               "</td><td class=\"n\">%" G_GUINT64_FORMAT
                               "</td><td class=\"n\">%" G_GUINT64_FORMAT
                               "</td><td class=\"n\">%" G_GUINT64_FORMAT "</td>",
                               sf->first_frame, sf->last_frame, sf->packets, sf->bytes_from_client,
                               sf->bytes_from_server, series_conn_reinjections(s, sf->id));
        if (sf->reset_reason >= 0)
            g_string_append_printf(o, "<td>reason %d</td>", sf->reset_reason);
        else
            g_string_append(o, "<td></td>");
        g_string_append_printf(o, "<td>%s</td><td>", sf->established ? "yes" : "no");
        if (sf->ended_by != MPTCPV_SUBFLOW_OPEN)
            g_string_append_printf(o, "%s (frame %u)", mptcpv_subflow_end_name(sf->ended_by),
                                   sf->end_frame);
        g_string_append(o, "</td></tr>\n");
    }
    g_string_append(o, "</table>\n");
}

typedef struct rule_count {
    const char *rule;
    mptcpv_severity severity;
    guint count;
    guint32 first_frame;
} rule_count;

static gint cmp_rule_count(gconstpointer a, gconstpointer b)
{
    const rule_count *x = a, *y = b;
    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    return strcmp(x->rule, y->rule);
}

static void rule_table(GString *o, const result_file *f, const result_connection *c)
{
    GArray *rc = g_array_new(FALSE, FALSE, sizeof(rule_count));
    for (guint i = 0; i < f->findings->len; i++) {
        const result_finding *fd = &g_array_index(f->findings, result_finding, i);
        if (fd->connection != (gint)c->id)
            continue;
        guint k;
        for (k = 0; k < rc->len; k++)
            if (strcmp(g_array_index(rc, rule_count, k).rule, fd->rule) == 0)
                break;
        if (k == rc->len) {
            rule_count n = {fd->rule, fd->severity, 0, fd->frame};
            g_array_append_val(rc, n);
        }
        g_array_index(rc, rule_count, k).count++;
    }
    if (rc->len == 0) {
        g_string_append(o, "<p>No findings.</p>\n");
        g_array_free(rc, TRUE);
        return;
    }
    g_array_sort(rc, cmp_rule_count);
    g_string_append(o, "<table class=\"rules\">\n<tr><th>rule</th><th>severity</th>"
                       "<th>count</th><th>first frame</th></tr>\n");
    for (guint k = 0; k < rc->len; k++) {
        const rule_count *r = &g_array_index(rc, rule_count, k);
        const char *sev = mptcpv_severity_name(r->severity);
        g_string_append(o, "<tr data-rule=\"");
        esc(o, r->rule);
        g_string_append(o, "\"><td><code>");
        esc(o, r->rule);
        g_string_append_printf(o,
                               "</code></td><td class=\"%s\">%s</td><td class=\"n\">%u</td>"
                               "<td class=\"n\">%u</td></tr>\n",
                               sev, sev, r->count, r->first_frame);
    }
    g_string_append(o, "</table>\n");
    g_array_free(rc, TRUE);
}

static void figure(GString *o, const result_file *f, const result_connection *c,
                   const series_conn *s, gboolean c2s)
{
    g_string_append(o, "<figure>\n");
    plot_svg_plot(o, f, c, s, c2s);
    g_string_append_printf(o,
                           "<figcaption>Data sent by the %s: each segment is a bar from its "
                           "first to its last relative DSN, coloured by subflow; the dashed "
                           "line is the %s's DATA_ACK. Hover a marker for details.</figcaption>"
                           "\n</figure>\n",
                           c2s ? "client" : "server", c2s ? "server" : "client");
}

/* Joins, priority changes and resets as a table: the plot's markers, readable without it. */
static void event_table(GString *o, const series_conn *s)
{
    guint n = 0, listed = 0;
    for (guint i = 0; s != NULL && i < s->events->len; i++) {
        guint8 k = g_array_index(s->events, series_event, i).kind;
        n += k != SERIES_EV_FINDING;
    }
    if (n == 0)
        return;
    g_string_append_printf(
        o,
        "<details><summary>%u %s (joins, priority changes, resets, "
        "reinjections, addresses, DATA_FINs)</summary>\n<table class=\"events\">\n<tr><th>frame"
        "</th><th>time (s)</th><th>subflow</th><th>event</th></tr>\n",
        n, plural(n, "event", "events"));
    for (guint i = 0; i < s->events->len && listed < MAX_LISTED; i++) {
        const series_event *e = &g_array_index(s->events, series_event, i);
        const char *what;
        switch ((series_event_kind)e->kind) {
        case SERIES_EV_JOIN:
            what = e->detail ? "MP_JOIN (backup)" : "MP_JOIN";
            break;
        case SERIES_EV_PRIO:
            what = e->detail ? "becomes backup" : "becomes regular";
            break;
        case SERIES_EV_RESET:
            what = NULL;
            break;
        case SERIES_EV_REINJECTION:
            what = "reinjection";
            break;
        case SERIES_EV_ADD_ADDR:
            what = "ADD_ADDR";
            break;
        case SERIES_EV_REMOVE_ADDR:
            what = "REMOVE_ADDR";
            break;
        case SERIES_EV_DATA_FIN:
            what = e->from_client ? "the client's DATA_FIN" : "the server's DATA_FIN";
            break;
        case SERIES_EV_MP_FAIL:
            what = "MP_FAIL";
            break;
        default:
            continue;
        }
        listed++;
        g_string_append_printf(o,
                               "<tr><td class=\"n\">%u</td><td class=\"n\">%" G_GINT64_FORMAT
                               ".%06d</td><td class=\"n\">%u</td><td>",
                               e->frame, e->t_ns / 1000000000,
                               (int)(ABS(e->t_ns) % 1000000000 / 1000), e->subflow);
        if (what != NULL) {
            g_string_append(o, what);
            if (e->kind == SERIES_EV_REINJECTION)
                g_string_append_printf(o, " of frame %u", e->detail);
        } else {
            series_describe_reset(o, e->detail);
        }
        g_string_append(o, "</td></tr>\n");
    }
    g_string_append(o, "</table>\n");
    if (n > listed)
        g_string_append_printf(o, "<p class=\"note\">%u more not listed.</p>\n", n - listed);
    g_string_append(o, "</details>\n");
}

static void finding_list(GString *o, const result_file *f, gint connection)
{
    guint n = 0, listed = 0;
    for (guint i = 0; i < f->findings->len; i++)
        n += g_array_index(f->findings, result_finding, i).connection == connection;
    if (n == 0)
        return;
    g_string_append_printf(o,
                           "<details%s><summary>%u %s</summary>\n<table class=\"findings\">"
                           "\n<tr><th>frame</th><th>severity</th><th>rule</th>%s"
                           "<th>subflow</th><th>detail</th></tr>\n",
                           n <= 20 ? " open" : "", n, plural(n, "finding", "findings"),
                           connection < 0 ? "<th>connection</th>" : "");
    for (guint i = 0; i < f->findings->len && listed < MAX_LISTED; i++) {
        const result_finding *fd = &g_array_index(f->findings, result_finding, i);
        if (fd->connection != connection)
            continue;
        finding_row(o, fd, connection < 0);
        listed++;
    }
    g_string_append(o, "</table>\n");
    if (n > listed)
        g_string_append_printf(o,
                               "<p class=\"note\">%u more not listed (see the text or JSON "
                               "report).</p>\n",
                               n - listed);
    g_string_append(o, "</details>\n");
}

static void connection_section(GString *o, const result_file *f, guint file_no,
                               const result_connection *c, const series_conn *s, gboolean plots)
{
    g_string_append_printf(o,
                           "<section class=\"connection\" data-connection=\"%u\" "
                           "id=\"f%u-c%u\">\n<h3>Connection %u",
                           c->id, file_no, c->id, c->id);
    if (c->version >= 0)
        g_string_append_printf(o, "<span class=\"badge\">MPTCP v%d</span>", c->version);
    if (c->fallback != NULL)
        g_string_append(o, "<span class=\"badge\">fallback</span>");
    g_string_append(o, "</h3>\n");
    summary_table(o, c, s);
    subflow_table(o, c, s);
    rule_table(o, f, c);
    if (plots) {
        gboolean c2s = plot_has_data(s, TRUE), s2c = plot_has_data(s, FALSE);
        if (c2s || !s2c)
            figure(o, f, c, s, TRUE);
        if (s2c)
            figure(o, f, c, s, FALSE);
    }
    event_table(o, s);
    finding_list(o, f, (gint)c->id);
    g_string_append(o, "</section>\n");
}

/* ---- the page --------------------------------------------------------------------------- */

static void header(GString *o, const result_report *r)
{
    result_summary sum;
    result_report_summary(r, &sum);
    g_string_append(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                       "\n<title>mptcpv report</title>\n<style>\n");
    g_string_append(o, style);
    g_string_append(o, "</style>\n</head>\n<body>\n<h1>MPTCP conformance report</h1>\n<p>");
    g_string_append(o, "mptcpv-validate ");
    esc(o, r->mptcpv_version);
    g_string_append(o, ", tshark ");
    esc(o, r->tshark_version ? r->tshark_version : "?");
    g_string_append(o, ", fail on ");
    g_string_append(o, r->fail_never ? "none" : mptcpv_severity_name(r->fail_on));
    if (r->shard_n > 0)
        g_string_append_printf(o, ", shard %u/%u", r->shard_k, r->shard_n);
    if (r->ignored->len > 0) {
        g_string_append(o, ", ignoring");
        for (guint i = 0; i < r->ignored->len; i++) {
            g_string_append(o, " <code>");
            esc(o, g_ptr_array_index(r->ignored, i));
            g_string_append(o, "</code>");
        }
    }
    g_string_append(o, ".</p>\n<table class=\"totals\">\n");
    g_string_append_printf(o, "<tr><th>captures</th><td class=\"n\">%u</td></tr>\n", sum.files);
    g_string_append_printf(o, "<tr><th>unreadable</th><td class=\"n\">%u</td></tr>\n",
                           sum.unreadable);
    g_string_append_printf(o, "<tr><th>connections</th><td class=\"n\">%u</td></tr>\n",
                           sum.connections);
    g_string_append(o, "<tr><th>findings</th><td>");
    counts(o, sum.counts);
    g_string_append_printf(o,
                           "</td></tr>\n<tr><th>failing (at or above --fail-on)</th>"
                           "<td class=\"n\">%u</td></tr>\n</table>\n",
                           result_report_failing(r));
    /* contents */
    g_string_append(o, "<nav>\n<ul class=\"contents\">\n");
    for (guint i = 0; i < r->files->len; i++) {
        const result_file *f = g_ptr_array_index(r->files, i);
        g_string_append_printf(o, "<li><a href=\"#f%u\">", i);
        esc(o, f->path);
        g_string_append(o, "</a>");
        if (f->error != NULL)
            g_string_append(o, " <span class=\"error\">unreadable</span>");
        else {
            g_string_append_printf(o, ": %u %s, ", f->connections->len,
                                   plural(f->connections->len, "connection", "connections"));
            counts(o, f->counts);
        }
        g_string_append(o, "</li>\n");
    }
    g_string_append(o, "</ul>\n</nav>\n");
}

static void file_section(GString *o, const result_file *f, guint file_no, const series_file *vs)
{
    g_string_append_printf(o, "<section class=\"capture\" data-capture=\"%u\" id=\"f%u\">\n<h2>",
                           file_no, file_no);
    esc(o, f->path);
    g_string_append(o, "</h2>\n");
    if (f->error != NULL) {
        g_string_append(o, "<p class=\"error\">Error: ");
        esc(o, f->error);
        g_string_append(o, "</p>\n");
    }
    g_string_append_printf(
        o, "<p>%" G_GUINT64_FORMAT " packets (%" G_GUINT64_FORMAT " with MPTCP), %u %s; findings: ",
        f->packets, f->mptcp_packets, f->connections->len,
        plural(f->connections->len, "connection", "connections"));
    counts(o, f->counts);
    g_string_append(o, ".</p>\n");
    for (guint k = 0; k < f->connections->len; k++) {
        const result_connection *c = g_ptr_array_index(f->connections, k);
        connection_section(o, f, file_no, c, series_file_conn(vs, c), vs != NULL);
    }
    gboolean outside = FALSE;
    for (guint i = 0; i < f->findings->len && !outside; i++)
        outside = g_array_index(f->findings, result_finding, i).connection < 0;
    if (outside) {
        g_string_append(o, "<h3>Outside any connection</h3>\n");
        finding_list(o, f, -1);
    }
    g_string_append(o, "</section>\n");
}

GString *report_html(const result_report *r, series_file *const *series)
{
    GString *o = g_string_new(NULL);
    header(o, r);
    for (guint i = 0; i < r->files->len; i++)
        file_section(o, g_ptr_array_index(r->files, i), i, series ? series[i] : NULL);
    g_string_append(o, "</body>\n</html>\n");
    return o;
}
