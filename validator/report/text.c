/* The human-readable report (default format). */
#include <string.h>

#include <gio/gio.h>

#include "report/report.h"
#include "result/result.h"

static const char *plural(guint n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void counts_text(GString *s, const guint counts[3])
{
    g_string_append_printf(
        s, "%u %s, %u %s, %u %s", counts[MPTCPV_SEVERITY_ERROR],
        plural(counts[MPTCPV_SEVERITY_ERROR], "error", "errors"), counts[MPTCPV_SEVERITY_WARNING],
        plural(counts[MPTCPV_SEVERITY_WARNING], "warning", "warnings"),
        counts[MPTCPV_SEVERITY_INFO], plural(counts[MPTCPV_SEVERITY_INFO], "info", "infos"));
}

static void endpoint_text(GString *s, const result_endpoint *e)
{
    if (e->address == NULL) {
        g_string_append(s, "?");
        return;
    }
    if (strchr(e->address, ':') != NULL)
        g_string_append_printf(s, "[%s]:%u", e->address, e->port);
    else
        g_string_append_printf(s, "%s:%u", e->address, e->port);
}

static void addr_id_text(GString *s, gint id)
{
    if (id < 0)
        g_string_append(s, "?");
    else
        g_string_append_printf(s, "%d", id);
}

static void finding_text(GString *s, const result_finding *fd, const char *indent)
{
    g_string_append_printf(s, "%sframe %u: %s %s: %s\n", indent, fd->frame,
                           mptcpv_severity_name(fd->severity), fd->rule, fd->message);
}

/* What the core decided: close state, data, reinjections, checksums, events. */
static void core_facts_text(GString *s, const result_connection *c)
{
    g_string_append_printf(
        s,
        "    %s; data %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
        " bytes (client/server); %" G_GUINT64_FORMAT " %s reinjected (%" G_GUINT64_FORMAT " bytes)",
        mptcpv_close_state_name(c->close), c->data_bytes_from_client, c->data_bytes_from_server,
        c->reinjected_segments, plural((guint)c->reinjected_segments, "segment", "segments"),
        c->reinjected_bytes);
    if (c->checksum > 0 || c->checksums[0] + c->checksums[1] + c->checksums[2] > 0)
        g_string_append_printf(s, "; checksums %u good, %u bad, %u unverifiable", c->checksums[0],
                               c->checksums[1], c->checksums[2]);
    g_string_append_c(s, '\n');
    if (c->events->len == 0)
        return;
    g_string_append(s, "    events:");
    for (guint i = 0; i < c->events->len; i++) {
        const result_event *e = &g_array_index(c->events, result_event, i);
        g_string_append_printf(s, "%s %s (frame %u, subflow %u", i > 0 ? "," : "",
                               mptcpv_event_name(e->type), e->frame, e->subflow);
        if (e->reason >= 0)
            g_string_append_printf(s, ", reason %d", e->reason);
        g_string_append_c(s, ')');
    }
    if (c->events_dropped > 0)
        g_string_append_printf(s, ", and %u more", c->events_dropped);
    g_string_append_c(s, '\n');
}

static void connection_text(GString *s, const result_file *f, const result_connection *c)
{
    g_string_append_printf(s, "  connection %u", c->id);
    if (c->plugin_id < 0)
        g_string_append(s, " (not linked by the plugin: one TCP stream)");
    g_string_append(s, ": MPTCP ");
    if (c->version >= 0)
        g_string_append_printf(s, "v%d", c->version);
    else
        g_string_append(s, "version unknown");
    g_string_append_printf(s, ", checksum %s",
                           c->checksum < 0 ? "unknown"
                           : c->checksum   ? "on"
                                           : "off");
    g_string_append_printf(s, ", %u %s, ", c->subflows->len,
                           plural(c->subflows->len, "subflow", "subflows"));
    counts_text(s, c->counts);
    g_string_append_c(s, '\n');
    if (c->client_key != NULL || c->server_key != NULL)
        g_string_append_printf(
            s, "    keys: client %s (token %s), server %s (token %s)\n",
            c->client_key ? c->client_key : "?", c->client_token ? c->client_token : "?",
            c->server_key ? c->server_key : "?", c->server_token ? c->server_token : "?");
    if (c->fallback != NULL)
        g_string_append_printf(s, "    fell back to TCP: %s\n", c->fallback);
    if (c->plugin_id >= 0)
        core_facts_text(s, c);
    for (guint i = 0; i < c->subflows->len; i++) {
        const result_subflow *sf = g_ptr_array_index(c->subflows, i);
        g_string_append_printf(
            s, "    subflow %u (%s%s, tcp.stream %" G_GINT64_FORMAT "): ", sf->id,
            sf->initial ? "initial" : "joined", sf->backup ? ", backup" : "", sf->tcp_stream);
        endpoint_text(s, &sf->client);
        g_string_append(s, " -> ");
        endpoint_text(s, &sf->server);
        g_string_append(s, ", address ids ");
        addr_id_text(s, sf->client_addr_id);
        g_string_append_c(s, '/');
        addr_id_text(s, sf->server_addr_id);
        g_string_append_printf(s,
                               ", frames %u-%u, %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT
                               "/%" G_GUINT64_FORMAT " bytes",
                               sf->first_frame, sf->last_frame, sf->packets, sf->bytes_from_client,
                               sf->bytes_from_server);
        if (sf->reset_reason >= 0)
            g_string_append_printf(s, ", MP_TCPRST reason %d", sf->reset_reason);
        if (c->plugin_id >= 0) {
            g_string_append(s, sf->established ? ", established" : ", not established");
            if (sf->ended_by != MPTCPV_SUBFLOW_OPEN)
                g_string_append_printf(s, ", ended by %s in frame %u",
                                       mptcpv_subflow_end_name(sf->ended_by), sf->end_frame);
        }
        g_string_append_c(s, '\n');
    }
    for (guint i = 0; i < f->findings->len; i++) {
        const result_finding *fd = &g_array_index(f->findings, result_finding, i);
        if (fd->connection == (gint)c->id)
            finding_text(s, fd, "    ");
    }
}

gboolean report_text(const result_report *r, GOutputStream *out, GError **error)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "mptcpv-validate %s (tshark %s)", r->mptcpv_version,
                           r->tshark_version ? r->tshark_version : "?");
    if (r->shard_n > 0)
        g_string_append_printf(s, ", shard %u/%u", r->shard_k, r->shard_n);
    if (r->ignored->len > 0) {
        g_string_append(s, ", ignoring");
        for (guint i = 0; i < r->ignored->len; i++)
            g_string_append_printf(s, " %s", (const char *)g_ptr_array_index(r->ignored, i));
    }
    for (guint i = 0; i < r->overrides->len; i++) {
        const char *o = g_ptr_array_index(r->overrides, i);
        const char *eq = strchr(o, '=');
        char *id = g_strndup(o, (gsize)(eq - o));
        const mptcpv_rule *rule = mptcpv_rule_find(id);
        g_string_append_printf(s, "%s %s severity %s (overridden, default %s)",
                               i == 0 ? ", severity overrides:" : ",", id, eq + 1,
                               rule != NULL ? mptcpv_severity_name(rule->severity) : "?");
        g_free(id);
    }
    if (r->require_mptcp)
        g_string_append(s, ", --require-mptcp");
    g_string_append(s, "\n");
    if (r->interrupted)
        g_string_append_printf(s,
                               "INTERRUPTED by %s: the report covers only the captures "
                               "analysed so far\n",
                               r->signal == 15 ? "SIGTERM" : "SIGINT");
    for (guint i = 0; i < r->files->len; i++) {
        const result_file *f = g_ptr_array_index(r->files, i);
        g_string_append_printf(s, "\n%s: ", f->path);
        if (f->error != NULL && f->packets == 0) {
            g_string_append_printf(s, "ERROR: %s\n", f->error);
            continue;
        }
        g_string_append_printf(s,
                               "%" G_GUINT64_FORMAT " packets (%" G_GUINT64_FORMAT
                               " MPTCP, %" G_GUINT64_FORMAT " with MPTCP options), %u %s, ",
                               f->packets, f->mptcp_packets, f->mptcp_option_packets,
                               f->connections->len,
                               plural(f->connections->len, "connection", "connections"));
        counts_text(s, f->counts);
        g_string_append_c(s, '\n');
        if (result_file_lacks_mptcp(r, f))
            g_string_append(s, "  FAIL: no MPTCP connection (--require-mptcp)\n");
        if (f->error != NULL)
            g_string_append_printf(s, "  ERROR: %s\n", f->error);
        for (guint k = 0; k < f->connections->len; k++)
            connection_text(s, f, g_ptr_array_index(f->connections, k));
        gboolean header = FALSE;
        for (guint k = 0; k < f->findings->len; k++) {
            const result_finding *fd = &g_array_index(f->findings, result_finding, k);
            if (fd->connection >= 0)
                continue;
            if (!header)
                g_string_append(s, "  outside any connection:\n");
            header = TRUE;
            finding_text(s, fd, "    ");
        }
    }
    result_summary sum;
    result_report_summary(r, &sum);
    g_string_append_printf(s, "\nsummary: %u %s", sum.files, plural(sum.files, "file", "files"));
    if (sum.unreadable > 0)
        g_string_append_printf(s, " (%u unreadable)", sum.unreadable);
    g_string_append_printf(s, ", %u %s, ", sum.connections,
                           plural(sum.connections, "connection", "connections"));
    counts_text(s, sum.counts);
    if (r->fail_never)
        g_string_append(s, "; --fail-on none\n");
    else
        g_string_append_printf(s, "; %u at or above %s\n", result_report_failing(r),
                               mptcpv_severity_name(r->fail_on));
    gboolean ok = g_output_stream_write_all(out, s->str, s->len, NULL, NULL, error);
    g_string_free(s, TRUE);
    return ok;
}
