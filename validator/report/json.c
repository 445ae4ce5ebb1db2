/*
 * JSON report, built with json-glib (never by hand), and the merge of shard reports.
 *
 * The top-level object is always assembled by assemble() from per-file nodes, both for a
 * run and for a merge, so merging all shards of a corpus gives the bytes of the unsharded
 * report.
 */
#include "report/report.h"

#include <string.h>

static void add_str(JsonBuilder *b, const char *key, const char *v)
{
    json_builder_set_member_name(b, key);
    if (v != NULL)
        json_builder_add_string_value(b, v);
    else
        json_builder_add_null_value(b);
}

static void add_int(JsonBuilder *b, const char *key, gint64 v)
{
    json_builder_set_member_name(b, key);
    json_builder_add_int_value(b, v);
}

/* -1 (unknown) becomes null */
static void add_opt_int(JsonBuilder *b, const char *key, gint64 v)
{
    json_builder_set_member_name(b, key);
    if (v >= 0)
        json_builder_add_int_value(b, v);
    else
        json_builder_add_null_value(b);
}

static void add_bool(JsonBuilder *b, const char *key, gboolean v)
{
    json_builder_set_member_name(b, key);
    json_builder_add_boolean_value(b, v);
}

static void add_counts(JsonBuilder *b, const guint counts[3])
{
    add_int(b, "errors", counts[MPTCPV_SEVERITY_ERROR]);
    add_int(b, "warnings", counts[MPTCPV_SEVERITY_WARNING]);
    add_int(b, "infos", counts[MPTCPV_SEVERITY_INFO]);
}

static void add_endpoint(JsonBuilder *b, const char *key, const result_endpoint *e)
{
    json_builder_set_member_name(b, key);
    if (e->address == NULL) {
        json_builder_add_null_value(b);
        return;
    }
    json_builder_begin_object(b);
    add_str(b, "address", e->address);
    add_int(b, "port", e->port);
    json_builder_end_object(b);
}

static void add_subflow(JsonBuilder *b, const result_subflow *s)
{
    json_builder_begin_object(b);
    add_int(b, "id", s->id);
    add_opt_int(b, "tcp_stream", s->tcp_stream);
    add_bool(b, "initial", s->initial);
    add_bool(b, "backup", s->backup);
    add_endpoint(b, "client", &s->client);
    add_endpoint(b, "server", &s->server);
    add_bool(b, "roles_known", s->roles_known);
    add_opt_int(b, "client_address_id", s->client_addr_id);
    add_opt_int(b, "server_address_id", s->server_addr_id);
    add_str(b, "start", s->start != NULL && *s->start ? s->start : NULL);
    add_str(b, "end", s->end != NULL && *s->end ? s->end : NULL);
    add_int(b, "first_frame", s->first_frame);
    add_int(b, "last_frame", s->last_frame);
    add_int(b, "packets", (gint64)s->packets);
    add_int(b, "bytes_from_client", (gint64)s->bytes_from_client);
    add_int(b, "bytes_from_server", (gint64)s->bytes_from_server);
    add_opt_int(b, "reset_reason", s->reset_reason);
    add_bool(b, "established", s->established);
    add_str(b, "end_reason", mptcpv_subflow_end_name(s->ended_by));
    add_opt_int(b, "end_frame", s->end_frame > 0 ? (gint64)s->end_frame : -1);
    json_builder_end_object(b);
}

static void add_event(JsonBuilder *b, const result_event *e)
{
    json_builder_begin_object(b);
    add_str(b, "type", mptcpv_event_name(e->type));
    add_int(b, "frame", e->frame);
    add_int(b, "subflow", e->subflow);
    if (e->type == MPTCPV_EVENT_TCPRST)
        add_opt_int(b, "reason", e->reason);
    json_builder_end_object(b);
}

/* What the core decided about the connection (close, data, reinjections, checksums,
 * events). */
static void add_core_facts(JsonBuilder *b, const result_connection *c)
{
    add_str(b, "close", mptcpv_close_state_name(c->close));
    add_int(b, "data_bytes_from_client", (gint64)c->data_bytes_from_client);
    add_int(b, "data_bytes_from_server", (gint64)c->data_bytes_from_server);
    add_int(b, "reinjected_segments", (gint64)c->reinjected_segments);
    add_int(b, "reinjected_bytes", (gint64)c->reinjected_bytes);
    json_builder_set_member_name(b, "checksums");
    json_builder_begin_object(b);
    add_int(b, "good", c->checksums[0]);
    add_int(b, "bad", c->checksums[1]);
    add_int(b, "unverifiable", c->checksums[2]);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "events");
    json_builder_begin_array(b);
    for (guint i = 0; i < c->events->len; i++)
        add_event(b, &g_array_index(c->events, result_event, i));
    json_builder_end_array(b);
    add_int(b, "events_dropped", c->events_dropped);
}

static void add_connection(JsonBuilder *b, const result_connection *c)
{
    json_builder_begin_object(b);
    add_int(b, "id", c->id);
    add_bool(b, "linked", c->plugin_id >= 0);
    add_opt_int(b, "version", c->version);
    add_str(b, "client_key", c->client_key);
    add_str(b, "server_key", c->server_key);
    add_str(b, "client_token", c->client_token);
    add_str(b, "server_token", c->server_token);
    json_builder_set_member_name(b, "checksum");
    if (c->checksum < 0)
        json_builder_add_null_value(b);
    else
        json_builder_add_boolean_value(b, c->checksum != 0);
    add_str(b, "fallback", c->fallback);
    add_int(b, "first_frame", c->first_frame);
    add_core_facts(b, c);
    json_builder_set_member_name(b, "subflows");
    json_builder_begin_array(b);
    for (guint i = 0; i < c->subflows->len; i++)
        add_subflow(b, g_ptr_array_index(c->subflows, i));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "findings");
    json_builder_begin_object(b);
    add_counts(b, c->counts);
    json_builder_end_object(b);
    json_builder_end_object(b);
}

static JsonNode *file_node(const result_file *f)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    add_str(b, "path", f->path);
    if (f->path_raw != NULL) /* only for names that are not UTF-8 */
        add_str(b, "path_raw", f->path_raw);
    add_int(b, "index", f->index);
    add_str(b, "error", f->error);
    add_int(b, "packets", (gint64)f->packets);
    add_int(b, "mptcp_packets", (gint64)f->mptcp_packets);
    add_int(b, "mptcp_option_packets", (gint64)f->mptcp_option_packets);
    json_builder_set_member_name(b, "connections");
    json_builder_begin_array(b);
    for (guint i = 0; i < f->connections->len; i++)
        add_connection(b, g_ptr_array_index(f->connections, i));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "findings");
    json_builder_begin_array(b);
    for (guint i = 0; i < f->findings->len; i++) {
        const result_finding *fd = &g_array_index(f->findings, result_finding, i);
        json_builder_begin_object(b);
        add_str(b, "rule", fd->rule);
        add_str(b, "severity", mptcpv_severity_name(fd->severity));
        add_int(b, "frame", fd->frame);
        add_opt_int(b, "connection", fd->connection);
        add_opt_int(b, "subflow", fd->subflow);
        add_str(b, "message", fd->message);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "summary");
    json_builder_begin_object(b);
    add_int(b, "connections", f->connections->len);
    add_counts(b, f->counts);
    json_builder_end_object(b);
    json_builder_end_object(b);
    JsonNode *n = json_builder_get_root(b);
    g_object_unref(b);
    return n;
}

typedef struct meta {
    const char *mptcpv_version;
    const char *tshark_version;
    const char *fail_on; /* "error", ..., "none" */
    GPtrArray *ignored;  /* char* */
    GPtrArray *inputs;   /* char* */
    guint shard_k, shard_n;
    GPtrArray *overrides; /* char* "rule=level" */
    gboolean require_mptcp, interrupted;
} meta;

static gint64 member_int(JsonObject *o, const char *key)
{
    JsonNode *n = o != NULL ? json_object_get_member(o, key) : NULL;
    return n != NULL && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_int(n) : 0;
}

static JsonNode *assemble(const meta *m, GPtrArray *files /* JsonNode*, taken */)
{
    mptcpv_severity fail_sev = MPTCPV_SEVERITY_ERROR;
    gboolean never = FALSE;
    result_parse_fail_on(m->fail_on, &fail_sev, &never);
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    add_str(b, "schema", REPORT_SCHEMA);
    add_str(b, "mptcpv_version", m->mptcpv_version);
    add_str(b, "tshark_version", m->tshark_version);
    add_str(b, "fail_on", m->fail_on);
    json_builder_set_member_name(b, "ignored_rules");
    json_builder_begin_array(b);
    for (guint i = 0; i < m->ignored->len; i++)
        json_builder_add_string_value(b, g_ptr_array_index(m->ignored, i));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "severity_overrides");
    json_builder_begin_array(b);
    for (guint i = 0; i < m->overrides->len; i++)
        json_builder_add_string_value(b, g_ptr_array_index(m->overrides, i));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "require_mptcp");
    json_builder_add_boolean_value(b, m->require_mptcp);
    json_builder_set_member_name(b, "interrupted");
    json_builder_add_boolean_value(b, m->interrupted);
    json_builder_set_member_name(b, "inputs");
    json_builder_begin_array(b);
    for (guint i = 0; i < m->inputs->len; i++)
        json_builder_add_string_value(b, g_ptr_array_index(m->inputs, i));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "shard");
    if (m->shard_n > 0) {
        json_builder_begin_object(b);
        add_int(b, "index", m->shard_k);
        add_int(b, "count", m->shard_n);
        json_builder_end_object(b);
    } else {
        json_builder_add_null_value(b);
    }
    gint64 nfiles = 0, unreadable = 0, conns = 0, counts[3] = {0, 0, 0}, no_mptcp = 0;
    json_builder_set_member_name(b, "files");
    json_builder_begin_array(b);
    for (guint i = 0; i < files->len; i++) {
        JsonNode *fn = g_ptr_array_index(files, i);
        JsonObject *fo = json_node_get_object(fn);
        nfiles++;
        if (!json_object_get_null_member(fo, "error"))
            unreadable++;
        JsonObject *s = json_object_get_object_member(fo, "summary");
        conns += member_int(s, "connections");
        if (m->require_mptcp && json_object_get_null_member(fo, "error") &&
            member_int(s, "connections") == 0)
            no_mptcp++;
        counts[MPTCPV_SEVERITY_ERROR] += member_int(s, "errors");
        counts[MPTCPV_SEVERITY_WARNING] += member_int(s, "warnings");
        counts[MPTCPV_SEVERITY_INFO] += member_int(s, "infos");
        json_builder_add_value(b, fn); /* takes ownership */
    }
    json_builder_end_array(b);
    gint64 failing = no_mptcp; /* --require-mptcp: a capture without MPTCP fails */
    for (int k = 0; k < 3; k++)
        if (!never && k >= (int)fail_sev)
            failing += counts[k];
    json_builder_set_member_name(b, "summary");
    json_builder_begin_object(b);
    add_int(b, "files", nfiles);
    add_int(b, "unreadable", unreadable);
    add_int(b, "connections", conns);
    add_int(b, "errors", counts[MPTCPV_SEVERITY_ERROR]);
    add_int(b, "warnings", counts[MPTCPV_SEVERITY_WARNING]);
    add_int(b, "infos", counts[MPTCPV_SEVERITY_INFO]);
    add_int(b, "failing", failing);
    json_builder_end_object(b);
    json_builder_end_object(b);
    JsonNode *root = json_builder_get_root(b);
    g_object_unref(b);
    return root;
}

gboolean report_json_node(JsonNode *root, GOutputStream *out, GError **error)
{
    JsonGenerator *g = json_generator_new();
    json_generator_set_pretty(g, TRUE);
    json_generator_set_indent(g, 2);
    json_generator_set_root(g, root);
    gboolean ok = json_generator_to_stream(g, out, NULL, error);
    if (ok)
        ok = g_output_stream_write_all(out, "\n", 1, NULL, NULL, error);
    g_object_unref(g);
    return ok;
}

static const char *fail_on_name(const result_report *r)
{
    return r->fail_never ? "none" : mptcpv_severity_name(r->fail_on);
}

gboolean report_json(const result_report *r, GOutputStream *out, GError **error)
{
    GPtrArray *files = g_ptr_array_new();
    for (guint i = 0; i < r->files->len; i++)
        g_ptr_array_add(files, file_node(g_ptr_array_index(r->files, i)));
    meta m = {r->mptcpv_version, r->tshark_version, fail_on_name(r), r->ignored,
              r->inputs,         r->shard_k,        r->shard_n,      r->overrides,
              r->require_mptcp,  r->interrupted};
    JsonNode *root = assemble(&m, files);
    g_ptr_array_free(files, TRUE);
    gboolean ok = report_json_node(root, out, error);
    json_node_unref(root);
    return ok;
}

/* ---- merge ------------------------------------------------------------------------------ */

static GPtrArray *string_array(JsonObject *o, const char *key)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    JsonArray *arr = json_object_has_member(o, key) ? json_object_get_array_member(o, key) : NULL;
    for (guint i = 0; arr != NULL && i < json_array_get_length(arr); i++)
        g_ptr_array_add(a, g_strdup(json_array_get_string_element(arr, i)));
    return a;
}

static gboolean same_strings(GPtrArray *a, GPtrArray *b)
{
    if (a->len != b->len)
        return FALSE;
    for (guint i = 0; i < a->len; i++)
        if (g_strcmp0(g_ptr_array_index(a, i), g_ptr_array_index(b, i)) != 0)
            return FALSE;
    return TRUE;
}

static gint cmp_file_index(gconstpointer a, gconstpointer b)
{
    JsonObject *x = json_node_get_object(*(JsonNode *const *)a);
    JsonObject *y = json_node_get_object(*(JsonNode *const *)b);
    gint64 i = json_object_get_int_member(x, "index"), k = json_object_get_int_member(y, "index");
    return i < k ? -1 : i > k;
}

static const char *member_string(JsonObject *o, const char *key)
{
    JsonNode *n = json_object_get_member(o, key);
    return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
               ? json_node_get_string(n)
               : NULL;
}

/* What the reports merged so far agree on, and what they hold. */
typedef struct merge_state {
    GPtrArray *parsers;                      /* JsonParser*, kept while their nodes are used */
    GPtrArray *files;                        /* JsonNode* of every file entry */
    GPtrArray *ignored, *inputs, *overrides; /* the first report's; NULL before it */
    gboolean require_mptcp, interrupted;
    char *mv, *tv, *fo; /* its mptcpv_version, tshark_version, fail_on */
    guint shard_n;
    GHashTable *seen_shards; /* shard index */
    GHashTable *seen_index;  /* gint64* corpus index of a file */
} merge_state;

static void merge_state_clear(merge_state *m)
{
    if (m->ignored != NULL) {
        g_ptr_array_free(m->ignored, TRUE);
        g_ptr_array_free(m->inputs, TRUE);
        g_ptr_array_free(m->overrides, TRUE);
    }
    g_free(m->mv);
    g_free(m->tv);
    g_free(m->fo);
    g_hash_table_destroy(m->seen_shards);
    g_hash_table_destroy(m->seen_index);
    g_ptr_array_free(m->files, TRUE);
    g_ptr_array_free(m->parsers, TRUE);
}

/* The run-wide members of report |o| (|path|) against the first report's (|first|). */
static char *merge_header(merge_state *m, JsonObject *o, const char *path, const char *first,
                          guint *k, guint *n)
{
    GPtrArray *ig = string_array(o, "ignored_rules"), *in = string_array(o, "inputs");
    GPtrArray *ov = string_array(o, "severity_overrides");
    JsonNode *rq = json_object_get_member(o, "require_mptcp");
    gboolean this_rq = rq != NULL && JSON_NODE_HOLDS_VALUE(rq) && json_node_get_boolean(rq);
    JsonNode *it = json_object_get_member(o, "interrupted");
    m->interrupted |= it != NULL && JSON_NODE_HOLDS_VALUE(it) && json_node_get_boolean(it);
    const char *this_mv = member_string(o, "mptcpv_version");
    const char *this_tv = member_string(o, "tshark_version");
    const char *this_fo = member_string(o, "fail_on");
    JsonNode *sn = json_object_get_member(o, "shard");
    if (sn != NULL && JSON_NODE_HOLDS_OBJECT(sn)) {
        *k = (guint)json_object_get_int_member(json_node_get_object(sn), "index");
        *n = (guint)json_object_get_int_member(json_node_get_object(sn), "count");
    }
    if (m->ignored == NULL) {
        m->ignored = ig;
        m->inputs = in;
        m->overrides = ov;
        m->require_mptcp = this_rq;
        m->mv = g_strdup(this_mv);
        m->tv = g_strdup(this_tv);
        m->fo = g_strdup(this_fo);
        m->shard_n = *n;
        return NULL;
    }
    const char *what = NULL;
    if (!same_strings(m->ignored, ig))
        what = "ignored rules";
    else if (!same_strings(m->inputs, in))
        what = "inputs";
    else if (!same_strings(m->overrides, ov))
        what = "severity overrides";
    else if (m->require_mptcp != this_rq)
        what = "--require-mptcp settings";
    else if (g_strcmp0(m->mv, this_mv) != 0)
        what = "mptcpv version";
    else if (g_strcmp0(m->tv, this_tv) != 0)
        what = "tshark version";
    else if (g_strcmp0(m->fo, this_fo) != 0)
        what = "--fail-on";
    else if (*n != m->shard_n)
        what = "shard count";
    g_ptr_array_free(ig, TRUE);
    g_ptr_array_free(in, TRUE);
    g_ptr_array_free(ov, TRUE);
    if (what == NULL)
        return NULL;
    return g_strdup_printf("%s: %s differ from %s's; merge reports of one run split with "
                           "--shard",
                           path, what, first);
}

/* The file entries of report |o| (|path|): each corpus index at most once in all reports. */
static char *merge_files(merge_state *m, JsonObject *o, const char *path)
{
    JsonArray *fa = json_object_get_array_member(o, "files");
    for (guint i = 0; i < json_array_get_length(fa); i++) {
        JsonNode *fn = json_array_get_element(fa, i);
        JsonObject *fobj = JSON_NODE_HOLDS_OBJECT(fn) ? json_node_get_object(fn) : NULL;
        if (fobj == NULL || !json_object_has_member(fobj, "index"))
            return g_strdup_printf("%s: file entry %u has no index", path, i);
        gint64 *idx = g_new(gint64, 1);
        *idx = json_object_get_int_member(fobj, "index");
        if (g_hash_table_contains(m->seen_index, idx)) {
            g_free(idx);
            return g_strdup_printf("%s: file %s is in two reports", path,
                                   member_string(fobj, "path"));
        }
        g_hash_table_add(m->seen_index, idx);
        g_ptr_array_add(m->files, json_node_copy(fn));
    }
    return NULL;
}

/* One report into |m|; NULL, or what is wrong with it. */
static char *merge_one(merge_state *m, const char *path, const char *first)
{
    JsonParser *parser = json_parser_new();
    g_ptr_array_add(m->parsers, parser);
    GError *gerr = NULL;
    if (!json_parser_load_from_file(parser, path, &gerr)) {
        char *error = g_strdup_printf("%s: %s", path, gerr->message);
        g_error_free(gerr);
        return error;
    }
    JsonNode *root = json_parser_get_root(parser);
    JsonObject *o =
        root != NULL && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
    if (o == NULL || g_strcmp0(member_string(o, "schema"), REPORT_SCHEMA) != 0 ||
        !json_object_has_member(o, "files"))
        return g_strdup_printf("%s: not an mptcpv-validate JSON report (%s)", path, REPORT_SCHEMA);
    guint k = 0, n = 0;
    char *error = merge_header(m, o, path, first, &k, &n);
    if (error != NULL)
        return error;
    if (n > 0) {
        if (g_hash_table_contains(m->seen_shards, GUINT_TO_POINTER(k)))
            return g_strdup_printf("%s: shard %u/%u given twice", path, k, n);
        g_hash_table_add(m->seen_shards, GUINT_TO_POINTER(k));
    }
    return merge_files(m, o, path);
}

/* The merged report of |m|, files in corpus order; |warning| names missing shards. */
static JsonNode *merge_assemble(merge_state *m, const char *fail_on, guint *failing,
                                guint *unreadable, char **warning)
{
    GString *missing = g_string_new(NULL);
    for (guint k = 1; k <= m->shard_n; k++)
        if (!g_hash_table_contains(m->seen_shards, GUINT_TO_POINTER(k)))
            g_string_append_printf(missing, " %u/%u", k, m->shard_n);
    if (missing->len > 0)
        *warning = g_strdup_printf("shard(s)%s missing: the merged report covers only part "
                                   "of the corpus",
                                   missing->str);
    g_string_free(missing, TRUE);
    g_ptr_array_sort(m->files, cmp_file_index);
    const char *use_fail_on = fail_on != NULL ? fail_on : (m->fo != NULL ? m->fo : "error");
    meta mt = {m->mv, m->tv, use_fail_on,  m->ignored,       m->inputs,
               0,     0,     m->overrides, m->require_mptcp, m->interrupted};
    GPtrArray *taken = g_ptr_array_new();
    for (guint i = 0; i < m->files->len; i++)
        g_ptr_array_add(taken, json_node_ref(g_ptr_array_index(m->files, i)));
    JsonNode *result = assemble(&mt, taken);
    g_ptr_array_free(taken, TRUE);
    JsonObject *s = json_object_get_object_member(json_node_get_object(result), "summary");
    *failing = (guint)json_object_get_int_member(s, "failing");
    *unreadable = (guint)json_object_get_int_member(s, "unreadable");
    return result;
}

JsonNode *report_merge(char **paths, const char *fail_on, guint *failing, guint *unreadable,
                       char **warning, char **error)
{
    merge_state m = {
        .parsers = g_ptr_array_new_with_free_func(g_object_unref),
        .files = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref),
        .seen_shards = g_hash_table_new(g_direct_hash, g_direct_equal),
        .seen_index = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL),
    };
    JsonNode *result = NULL;
    *error = NULL;
    *warning = NULL;
    for (char **p = paths; *p != NULL && *error == NULL; p++)
        *error = merge_one(&m, *p, paths[0]);
    if (*error == NULL && m.ignored == NULL)
        *error = g_strdup("merge needs at least one report");
    if (*error == NULL)
        result = merge_assemble(&m, fail_on, failing, unreadable, warning);
    merge_state_clear(&m);
    return result;
}
