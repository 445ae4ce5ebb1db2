/*
 * Building the in-memory result from tshark rows (see result.h).
 */
#include "result/result.h"

#include <stdlib.h>
#include <string.h>

#define FLAG_SYN 0x02u
#define FLAG_ACK 0x10u

/* ---- column access -------------------------------------------------------------------- */

static gboolean present(const char *col)
{
    return col != NULL && col[0] != '\0';
}

/* The last occurrence of an aggregated column, copied into |buf|; NULL if absent. */
static const char *last_of(const char *col, char *buf, size_t size)
{
    if (!present(col))
        return NULL;
    const char *p = strrchr(col, RESULT_AGGREGATOR);
    p = p != NULL ? p + 1 : col;
    size_t n = strlen(p); /* g_strlcpy's byte loop was a sixth of the validator's time */
    if (n >= size)
        n = size - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return n > 0 ? buf : NULL;
}

static const char *first_of(const char *col, char *buf, size_t size)
{
    if (!present(col))
        return NULL;
    const char *end = strchr(col, RESULT_AGGREGATOR);
    size_t n = end != NULL ? (size_t)(end - col) : strlen(col);
    if (n >= size)
        n = size - 1;
    memcpy(buf, col, n);
    buf[n] = '\0';
    return n > 0 ? buf : NULL;
}

/* Digits only, as tshark prints a number: decimal without leading zeros, or 0x and up to 16
 * hex digits. FALSE for anything else (g_ascii_strtoull decides those). */
static gboolean parse_plain_u64(const char *s, guint64 *out)
{
    guint64 v = 0;
    size_t n = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (s += 2; g_ascii_isxdigit(s[n]); n++)
            v = v << 4 | (guint64)g_ascii_xdigit_value(s[n]);
        if (n == 0 || n > 16 || s[n] != '\0')
            return FALSE;
    } else {
        if (s[0] == '0' && s[1] != '\0')
            return FALSE; /* octal to g_ascii_strtoull */
        for (; g_ascii_isdigit(s[n]); n++)
            v = v * 10 + (guint64)(s[n] - '0');
        if (n == 0 || n > 19 || s[n] != '\0')
            return FALSE;
    }
    *out = v;
    return TRUE;
}

/* Numbers as tshark prints them: decimal or 0x-hex. */
static gboolean parse_u64(const char *s, guint64 *out)
{
    if (s == NULL || *s == '\0')
        return FALSE;
    if (parse_plain_u64(s, out))
        return TRUE; /* every row: without strtoull's locale and base handling */
    char *end = NULL;
    guint64 v = g_ascii_strtoull(s, &end, 0);
    if (end == s)
        return FALSE;
    *out = v;
    return TRUE;
}

static gboolean last_u64(const char *col, guint64 *out)
{
    char buf[64];
    return parse_u64(last_of(col, buf, sizeof(buf)), out);
}

static gboolean first_u64(const char *col, guint64 *out)
{
    char buf[64];
    return parse_u64(first_of(col, buf, sizeof(buf)), out);
}

/* Booleans: tshark prints "1"/"0" (or "True"/"False" for some types). */
static gboolean last_bool(const char *col, gboolean *out)
{
    char buf[16];
    const char *v = last_of(col, buf, sizeof(buf));
    if (v == NULL)
        return FALSE;
    *out = strcmp(v, "1") == 0 || g_ascii_strcasecmp(v, "true") == 0;
    return TRUE;
}

static gboolean any_true(const char *col)
{
    if (!present(col))
        return FALSE;
    gchar **parts = g_strsplit(col, (const char[]){RESULT_AGGREGATOR, 0}, -1);
    gboolean any = FALSE;
    for (gchar **p = parts; *p != NULL; p++)
        any |= strcmp(*p, "1") == 0 || g_ascii_strcasecmp(*p, "true") == 0;
    g_strfreev(parts);
    return any;
}

/* 64-bit keys as "0x" + 16 hex digits, 32-bit tokens as "0x" + 8, whatever tshark printed. */
static char *hex_value(guint64 v, int digits)
{
    return g_strdup_printf("0x%0*" G_GINT64_MODIFIER "x", digits, v);
}

static void set_hex(char **slot, const char *col, int digits)
{
    guint64 v;
    if (!last_u64(col, &v))
        return;
    /* Every row carries the tokens: reformat only when the value changes. */
    guint64 now;
    if (*slot != NULL && parse_plain_u64(*slot, &now) && now == v &&
        strlen(*slot) == (size_t)digits + 2)
        return;
    g_free(*slot);
    *slot = hex_value(v, digits);
}

/* ---- objects ---------------------------------------------------------------------------- */

static void subflow_free(gpointer p)
{
    result_subflow *s = p;
    g_free(s->client.address);
    g_free(s->server.address);
    g_free(s->start);
    g_free(s->end);
    g_free(s);
}

static result_subflow *subflow_new(guint id, gint64 stream)
{
    result_subflow *s = g_new0(result_subflow, 1);
    s->id = id;
    s->tcp_stream = stream;
    s->client_addr_id = -1;
    s->server_addr_id = -1;
    s->reset_reason = -1;
    return s;
}

static void connection_free(gpointer p)
{
    result_connection *c = p;
    g_free(c->client_key);
    g_free(c->server_key);
    g_free(c->client_token);
    g_free(c->server_token);
    g_free(c->fallback);
    g_ptr_array_free(c->subflows, TRUE);
    g_array_free(c->events, TRUE);
    g_free(c);
}

static result_connection *connection_new(gint64 plugin_id, guint32 frame)
{
    result_connection *c = g_new0(result_connection, 1);
    c->plugin_id = plugin_id;
    c->version = -1;
    c->checksum = -1;
    c->first_frame = frame;
    c->subflows = g_ptr_array_new_with_free_func(subflow_free);
    c->events = g_array_new(FALSE, FALSE, sizeof(result_event));
    return c;
}

guint result_established_subflows(const result_connection *c)
{
    guint n = 0;
    for (guint i = 0; i < c->subflows->len; i++)
        n += ((const result_subflow *)g_ptr_array_index(c->subflows, i))->established ? 1 : 0;
    return n;
}

static void finding_clear(gpointer p)
{
    result_finding *f = p;
    g_free(f->rule);
    g_free(f->message);
}

char *result_path_raw(const char *name)
{
    if (g_utf8_validate(name, -1, NULL))
        return NULL;
    GString *s = g_string_new(NULL);
    for (const guchar *p = (const guchar *)name; *p != '\0'; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '%')
            g_string_append_c(s, (char)*p);
        else
            g_string_append_printf(s, "%%%02X", *p);
    }
    return g_string_free(s, FALSE);
}

result_file *result_file_new(const char *path, guint index, const gboolean *ignored)
{
    result_file *f = g_new0(result_file, 1);
    f->path = g_strdup(path);
    f->index = index;
    f->connections = g_ptr_array_new_with_free_func(connection_free);
    f->findings = g_array_new(FALSE, TRUE, sizeof(result_finding));
    g_array_set_clear_func(f->findings, finding_clear);
    f->by_plugin_id = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    f->by_stream = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    f->stream_conn = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    f->ignored = ignored;
    return f;
}

static void drop_building_state(result_file *f)
{
    g_clear_pointer(&f->by_plugin_id, g_hash_table_destroy);
    g_clear_pointer(&f->by_stream, g_hash_table_destroy);
    g_clear_pointer(&f->stream_conn, g_hash_table_destroy);
}

void result_file_free(result_file *f)
{
    if (f == NULL)
        return;
    drop_building_state(f);
    g_free(f->path);
    g_free(f->path_raw);
    g_free(f->error);
    g_ptr_array_free(f->connections, TRUE);
    g_array_free(f->findings, TRUE);
    g_free(f);
}

void result_file_set_error(result_file *f, const char *fmt, ...)
{
    if (f->error != NULL)
        return; /* the first problem is the one to report */
    va_list ap;
    va_start(ap, fmt);
    f->error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

static gint64 *key64(gint64 v)
{
    gint64 *k = g_new(gint64, 1);
    *k = v;
    return k;
}

static result_subflow *find_subflow(result_connection *c, guint id)
{
    for (guint i = 0; i < c->subflows->len; i++) {
        result_subflow *s = g_ptr_array_index(c->subflows, i);
        if (s->id == id)
            return s;
    }
    return NULL;
}

/* ---- rows ------------------------------------------------------------------------------- */

typedef struct row_view {
    guint32 frame;
    gint64 stream;
    guint flags;
    gboolean syn, ack;
    char src[64], dst[64];
    guint sport, dport;
    guint64 tcp_len;
} row_view;

static void read_row(char **cols, row_view *v)
{
    guint64 n;
    memset(v, 0, sizeof(*v));
    v->frame = first_u64(cols[FIELD_FRAME_NUMBER], &n) ? (guint32)n : 0;
    v->stream = last_u64(cols[FIELD_TCP_STREAM], &n) ? (gint64)n : -1;
    v->flags = last_u64(cols[FIELD_TCP_FLAGS], &n) ? (guint)n : 0;
    v->syn = (v->flags & FLAG_SYN) != 0;
    v->ack = (v->flags & FLAG_ACK) != 0;
    if (last_of(cols[FIELD_IP_SRC], v->src, sizeof(v->src)) == NULL)
        last_of(cols[FIELD_IPV6_SRC], v->src, sizeof(v->src));
    if (last_of(cols[FIELD_IP_DST], v->dst, sizeof(v->dst)) == NULL)
        last_of(cols[FIELD_IPV6_DST], v->dst, sizeof(v->dst));
    v->sport = last_u64(cols[FIELD_TCP_SRCPORT], &n) ? (guint)n : 0;
    v->dport = last_u64(cols[FIELD_TCP_DSTPORT], &n) ? (guint)n : 0;
    v->tcp_len = last_u64(cols[FIELD_TCP_LEN], &n) ? n : 0;
}

static void set_endpoints(result_subflow *s, const row_view *v, gboolean from_client)
{
    g_free(s->client.address);
    g_free(s->server.address);
    s->client.address = g_strdup(from_client ? v->src : v->dst);
    s->client.port = from_client ? v->sport : v->dport;
    s->server.address = g_strdup(from_client ? v->dst : v->src);
    s->server.port = from_client ? v->dport : v->sport;
}

/* Whether this row was sent by the client, learning the roles when the row tells them. */
static gboolean row_from_client(result_subflow *s, char **cols, const row_view *v)
{
    gboolean fc;
    gboolean told = last_bool(cols[FIELD_FROM_CLIENT], &fc);
    if (!told && v->syn) {
        fc = !v->ack;
        told = TRUE;
    }
    if (told) {
        if (!s->roles_known) {
            set_endpoints(s, v, fc);
            s->roles_known = TRUE;
        }
        return fc;
    }
    if (s->client.address == NULL) /* a guess: the first sender seen is the client */
        set_endpoints(s, v, TRUE);
    return g_strcmp0(s->client.address, v->src) == 0 && s->client.port == v->sport;
}

/* Returns whether the row came from the client. */
static gboolean update_subflow(result_subflow *s, char **cols, const row_view *v, gboolean linked)
{
    gboolean fc = row_from_client(s, cols, v);
    if (s->packets == 0) {
        s->first_frame = v->frame;
        s->start = g_strdup(cols[FIELD_FRAME_TIME]);
    }
    s->packets++;
    s->last_frame = v->frame;
    if (present(cols[FIELD_FRAME_TIME])) {
        g_free(s->end);
        s->end = g_strdup(cols[FIELD_FRAME_TIME]);
    }
    if (fc)
        s->bytes_from_client += v->tcp_len;
    else
        s->bytes_from_server += v->tcp_len;

    gboolean b;
    guint64 n;
    if (last_bool(cols[FIELD_SUBFLOW_INITIAL], &b)) {
        s->initial = b;
        s->kind_known = TRUE;
    } else if (!linked && v->syn && present(cols[FIELD_MPC_SENDER_KEY])) {
        s->initial = TRUE;
        s->kind_known = TRUE;
    }
    if (s->initial) {
        s->client_addr_id = 0;
        s->server_addr_id = 0;
    } else if (v->syn && first_u64(cols[FIELD_JOIN_ADDR_ID], &n)) {
        if (fc)
            s->client_addr_id = (gint)n;
        else
            s->server_addr_id = (gint)n;
    }
    if (last_bool(cols[FIELD_SUBFLOW_BACKUP], &b))
        s->backup = b;
    else if (last_bool(cols[FIELD_PRIO_BACKUP], &b))
        s->backup = b;
    else if (v->syn && !v->ack && last_bool(cols[FIELD_JOIN_BACKUP], &b))
        s->backup = b;
    if (last_u64(cols[FIELD_TCPRST_REASON], &n))
        s->reset_reason = (gint)n;
    return fc;
}

static void update_connection(result_connection *c, char **cols, const row_view *v, gboolean linked)
{
    guint64 n;
    gboolean b;
    if (last_u64(cols[FIELD_VERSION], &n))
        c->version = (gint)n;
    if (present(cols[FIELD_FALLBACK]) && c->fallback == NULL) {
        char buf[256];
        c->fallback = g_strdup(last_of(cols[FIELD_FALLBACK], buf, sizeof(buf)));
    }
    if (linked) {
        set_hex(&c->client_key, cols[FIELD_CONN_CLIENT_KEY], 16);
        set_hex(&c->server_key, cols[FIELD_CONN_SERVER_KEY], 16);
        set_hex(&c->client_token, cols[FIELD_CONN_CLIENT_TOKEN], 8);
        set_hex(&c->server_token, cols[FIELD_CONN_SERVER_TOKEN], 8);
        if (last_bool(cols[FIELD_CONN_CHECKSUM], &b))
            c->checksum = b;
        return;
    }
    /* ---- FALLBACK (no mptcpv.connection on this frame): keys from MP_CAPABLE itself. ---- */
    if (present(cols[FIELD_MPC_SENDER_KEY])) {
        gboolean from_client = !(v->syn && v->ack);
        set_hex(from_client ? &c->client_key : &c->server_key, cols[FIELD_MPC_SENDER_KEY], 16);
        if (!v->syn)
            set_hex(&c->server_key, cols[FIELD_MPC_RECEIVER_KEY], 16);
    }
    if (present(cols[FIELD_MPC_CHECKSUM]) && v->syn) {
        gboolean on = any_true(cols[FIELD_MPC_CHECKSUM]);
        c->checksum = (c->checksum == 1 || on) ? 1 : 0;
    }
}

/* Sum of every occurrence of a numeric column (a frame can carry several TCP layers). */
static guint64 sum_u64(const char *col)
{
    if (!present(col))
        return 0;
    guint64 total = 0, n;
    gchar **parts = g_strsplit(col, (const char[]){RESULT_AGGREGATOR, 0}, -1);
    for (gchar **p = parts; *p != NULL; p++)
        if (parse_u64(*p, &n))
            total += n;
    g_strfreev(parts);
    return total;
}

static void add_events(result_connection *c, const result_subflow *s, char **cols,
                       const row_view *v)
{
    gchar **names = g_strsplit(cols[FIELD_EVENT], (const char[]){RESULT_AGGREGATOR, 0}, -1);
    guint64 n;
    for (gchar **p = names; *p != NULL; p++) {
        for (int e = 0; e < MPTCPV_EVENT_COUNT; e++) {
            if (strcmp(*p, mptcpv_event_name((mptcpv_event)e)) != 0)
                continue;
            if (c->events->len >= RESULT_MAX_EVENTS) {
                c->events_dropped++;
                break;
            }
            result_event ev = {(mptcpv_event)e, v->frame, s->id, -1};
            if (e == MPTCPV_EVENT_TCPRST && last_u64(cols[FIELD_TCPRST_REASON], &n))
                ev.reason = (gint)n;
            g_array_append_val(c->events, ev);
        }
    }
    g_strfreev(names);
}

/* What the core decided, as the frame shows it: the views only count and copy it. */
static void add_core_facts(result_connection *c, result_subflow *s, char **cols, const row_view *v,
                           gboolean from_client)
{
    guint64 n;
    if (last_u64(cols[FIELD_CLOSE], &n) && n <= MPTCPV_CLOSE_RESET)
        c->close = (mptcpv_close_state)n;
    if (last_u64(cols[FIELD_SUBFLOW_END], &n) && n <= MPTCPV_SUBFLOW_END_FASTCLOSE) {
        s->ended_by = (mptcpv_subflow_end)n;
        s->end_frame = v->frame;
    }
    if (any_true(cols[FIELD_SUBFLOW_ESTABLISHED]))
        s->established = TRUE;
    if (from_client)
        c->data_bytes_from_client += sum_u64(cols[FIELD_DATA_BYTES]);
    else
        c->data_bytes_from_server += sum_u64(cols[FIELD_DATA_BYTES]);
    if (present(cols[FIELD_REINJECTION_OF]))
        c->reinjected_segments++;
    c->reinjected_bytes += sum_u64(cols[FIELD_REINJECTED_BYTES]);
    if (present(cols[FIELD_CHECKSUM_STATUS])) {
        gchar **st =
            g_strsplit(cols[FIELD_CHECKSUM_STATUS], (const char[]){RESULT_AGGREGATOR, 0}, -1);
        for (gchar **p = st; *p != NULL; p++)
            if (parse_u64(*p, &n) && n >= MPTCPV_VERDICT_GOOD && n <= MPTCPV_VERDICT_UNVERIFIABLE)
                c->checksums[n - MPTCPV_VERDICT_GOOD]++;
        g_strfreev(st);
    }
    if (present(cols[FIELD_EVENT]))
        add_events(c, s, cols, v);
}

static void add_findings(result_file *f, char **cols, const row_view *v, result_connection *c,
                         result_subflow *s)
{
    if (!present(cols[FIELD_RULE]))
        return;
    const char sep[2] = {RESULT_AGGREGATOR, 0};
    gchar **rules = g_strsplit(cols[FIELD_RULE], sep, -1);
    gchar **texts = present(cols[FIELD_FINDING]) ? g_strsplit(cols[FIELD_FINDING], sep, -1) : NULL;
    guint ntexts = texts != NULL ? g_strv_length(texts) : 0;
    for (guint i = 0; rules[i] != NULL; i++) {
        const char *id = rules[i];
        if (*id == '\0')
            continue;
        const mptcpv_rule *rule = mptcpv_rule_find(id);
        if (rule != NULL && f->ignored != NULL && f->ignored[rule->rule])
            continue;
        result_finding fd = {0};
        fd.frame = v->frame;
        fd.rule = g_strdup(id);
        /* A rule this build does not know (cannot happen with a matching plugin): error. */
        fd.severity = rule == NULL          ? MPTCPV_SEVERITY_ERROR
                      : f->severity != NULL ? f->severity[rule->rule]
                                            : rule->severity;
        fd.subflow = s != NULL ? (gint)s->id : -1;
        /* The plugin's mptcpv.finding is "<rule id>: <detail>", same order as mptcpv.rule. */
        size_t idlen = strlen(id);
        if (i < ntexts && strncmp(texts[i], id, idlen) == 0 && texts[i][idlen] == ':')
            fd.message = g_strdup(g_strchug(texts[i] + idlen + 1));
        else
            fd.message = g_strdup(rule != NULL ? rule->description : "unknown rule");
        /* The connection pointer until result_file_finish numbers connections. */
        fd.connection = c != NULL ? (gint)f->connections->len : -1;
        if (c != NULL) {
            for (guint k = 0; k < f->connections->len; k++)
                if (g_ptr_array_index(f->connections, k) == c)
                    fd.connection = (gint)k;
            c->counts[fd.severity]++;
        }
        f->counts[fd.severity]++;
        g_array_append_val(f->findings, fd);
        /* cppcheck-suppress memleak ; not a leak: the array took fd by value, its strings
         * with it, and f->findings owns them (freed with the file). */
    }
    g_strfreev(rules);
    g_strfreev(texts);
}

void result_file_add_row(result_file *f, char **cols, result_row_place *place)
{
    guint first_finding = f->findings->len;
    row_view v;
    read_row(cols, &v);
    f->packets++;
    gboolean mptcp = present(cols[FIELD_SUBTYPE]) || present(cols[FIELD_CONNECTION]) ||
                     present(cols[FIELD_RULE]);
    if (mptcp)
        f->mptcp_packets++;
    if (present(cols[FIELD_SUBTYPE]))
        f->mptcp_option_packets++;

    result_connection *c = NULL;
    result_subflow *s = NULL;
    guint64 n;
    gboolean linked = last_u64(cols[FIELD_CONNECTION], &n);
    if (linked) {
        gint64 pid = (gint64)n;
        c = g_hash_table_lookup(f->by_plugin_id, &pid);
        if (c == NULL) {
            c = connection_new(pid, v.frame);
            g_ptr_array_add(f->connections, c);
            g_hash_table_insert(f->by_plugin_id, key64(pid), c);
        }
        guint sfid = last_u64(cols[FIELD_SUBFLOW], &n) ? (guint)n : 0;
        s = find_subflow(c, sfid);
        if (s == NULL) {
            s = subflow_new(sfid, v.stream);
            g_ptr_array_add(c->subflows, s);
        }
        if (v.stream >= 0) {
            g_hash_table_replace(f->by_stream, key64(v.stream), s);
            g_hash_table_replace(f->stream_conn, key64(v.stream), c);
        }
    } else if (v.stream >= 0) {
        /* ---- FALLBACK: group by tcp.stream what the plugin did not link to a connection
         * (a join with an unknown token, options without a handshake in the capture). ---- */
        s = g_hash_table_lookup(f->by_stream, &v.stream);
        c = g_hash_table_lookup(f->stream_conn, &v.stream);
        if (s == NULL && mptcp) {
            c = connection_new(-1, v.frame);
            g_ptr_array_add(f->connections, c);
            s = subflow_new(0, v.stream);
            g_ptr_array_add(c->subflows, s);
            g_hash_table_insert(f->by_stream, key64(v.stream), s);
            g_hash_table_insert(f->stream_conn, key64(v.stream), c);
        }
    }
    gboolean from_client = FALSE;
    if (s != NULL)
        from_client = update_subflow(s, cols, &v, linked);
    if (c != NULL && mptcp)
        update_connection(c, cols, &v, linked);
    if (linked)
        add_core_facts(c, s, cols, &v, from_client);
    add_findings(f, cols, &v, c, s);
    if (place != NULL) {
        place->connection = c; /* c and s are found or made together */
        place->subflow = s;
        place->from_client = from_client;
        place->first_finding = first_finding;
    }
}

static gint cmp_subflow(gconstpointer a, gconstpointer b)
{
    const result_subflow *x = *(result_subflow *const *)a, *y = *(result_subflow *const *)b;
    return x->id < y->id ? -1 : x->id > y->id;
}

void result_file_finish(result_file *f)
{
    /* Linked connections keep the plugin's number (what mptcpv.connection == N filters);
     * fallback ones follow, in order of their first frame. */
    guint n = f->connections->len;
    gint64 next = 0;
    for (guint i = 0; i < n; i++) {
        result_connection *c = g_ptr_array_index(f->connections, i);
        if (c->plugin_id >= next)
            next = c->plugin_id + 1;
    }
    guint *id_of = g_new(guint, n + 1);
    for (guint i = 0; i < n; i++) {
        result_connection *c = g_ptr_array_index(f->connections, i);
        c->id = c->plugin_id >= 0 ? (guint)c->plugin_id : (guint)next++;
        id_of[i] = c->id;
        g_ptr_array_sort(c->subflows, cmp_subflow);
    }
    for (guint i = 0; i < f->findings->len; i++) {
        result_finding *fd = &g_array_index(f->findings, result_finding, i);
        if (fd->connection >= 0)
            fd->connection = (gint)id_of[fd->connection];
    }
    g_free(id_of);
    /* Sort connections by id (creation order is first-frame order already). */
    for (guint i = 1; i < n; i++) {
        for (guint k = i; k > 0; k--) {
            result_connection *a = g_ptr_array_index(f->connections, k - 1);
            result_connection *b = g_ptr_array_index(f->connections, k);
            if (a->id <= b->id)
                break;
            f->connections->pdata[k - 1] = b;
            f->connections->pdata[k] = a;
        }
    }
    drop_building_state(f);
}

/* ---- report ----------------------------------------------------------------------------- */

result_report *result_report_new(void)
{
    result_report *r = g_new0(result_report, 1);
    r->fail_on = MPTCPV_SEVERITY_ERROR;
    r->ignored = g_ptr_array_new_with_free_func(g_free);
    r->overrides = g_ptr_array_new_with_free_func(g_free);
    r->inputs = g_ptr_array_new_with_free_func(g_free);
    r->files = g_ptr_array_new_with_free_func((GDestroyNotify)result_file_free);
    return r;
}

void result_report_free(result_report *r)
{
    if (r == NULL)
        return;
    g_free(r->mptcpv_version);
    g_free(r->tshark_version);
    g_ptr_array_free(r->ignored, TRUE);
    g_ptr_array_free(r->overrides, TRUE);
    g_ptr_array_free(r->inputs, TRUE);
    g_ptr_array_free(r->files, TRUE);
    g_free(r);
}

void result_report_summary(const result_report *r, result_summary *s)
{
    memset(s, 0, sizeof(*s));
    for (guint i = 0; i < r->files->len; i++) {
        const result_file *f = g_ptr_array_index(r->files, i);
        s->files++;
        if (f->error != NULL)
            s->unreadable++;
        s->connections += f->connections->len;
        for (int k = 0; k < 3; k++)
            s->counts[k] += f->counts[k];
    }
}

gboolean result_severity_fails(const result_report *r, mptcpv_severity s)
{
    return !r->fail_never && s >= r->fail_on;
}

guint result_report_failing(const result_report *r)
{
    result_summary s;
    result_report_summary(r, &s);
    guint n = 0;
    for (int k = 0; k < 3; k++)
        if (result_severity_fails(r, (mptcpv_severity)k))
            n += s.counts[k];
    for (guint i = 0; i < r->files->len; i++)
        if (result_file_lacks_mptcp(r, g_ptr_array_index(r->files, i)))
            n++;
    return n;
}

gboolean result_file_lacks_mptcp(const result_report *r, const result_file *f)
{
    return r->require_mptcp && f->analysed && f->error == NULL && f->connections->len == 0;
}

gboolean result_parse_fail_on(const char *s, mptcpv_severity *sev, gboolean *never)
{
    *never = FALSE;
    if (g_strcmp0(s, "none") == 0) {
        *never = TRUE;
        *sev = MPTCPV_SEVERITY_ERROR;
        return TRUE;
    }
    for (int k = 0; k < 3; k++) {
        if (g_strcmp0(s, mptcpv_severity_name((mptcpv_severity)k)) == 0) {
            *sev = (mptcpv_severity)k;
            return TRUE;
        }
    }
    return FALSE;
}
