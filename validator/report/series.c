/*
 * Building the per-connection plot series (see series.h).
 */
#include "report/series.h"

#include <string.h>

#define FLAG_RST          0x04u
#define SUBTYPE_PRIO      0x5u
#define SUBTYPE_FASTCLOSE 0x7u
#define SUBTYPE_TCPRST    0x8u
#define MAX_SUBFLOW_ID    65535u /* mptcpv.subflow is an index; larger is no subflow we track */

struct series_file {
    GHashTable *conns; /* result_connection* -> series_conn* */
    gint64 t0_ns;
    gboolean have_t0;
    guint max_points;
};

static void conn_free(gpointer p)
{
    series_conn *s = p;
    g_array_free(s->points, TRUE);
    g_array_free(s->events, TRUE);
    g_array_free(s->reinjections, TRUE);
    g_array_free(s->seen, TRUE);
    g_array_free(s->backup_state, TRUE);
    g_free(s);
}

series_file *series_file_new(guint max_points)
{
    series_file *vs = g_new0(series_file, 1);
    vs->conns = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, conn_free);
    vs->max_points = max_points;
    return vs;
}

void series_file_free(series_file *vs)
{
    if (vs == NULL)
        return;
    g_hash_table_destroy(vs->conns);
    g_free(vs);
}

const series_conn *series_file_conn(const series_file *vs, const result_connection *c)
{
    return vs != NULL ? g_hash_table_lookup(vs->conns, c) : NULL;
}

guint64 series_conn_reinjections(const series_conn *s, guint subflow)
{
    return s != NULL && subflow < s->reinjections->len
               ? g_array_index(s->reinjections, guint64, subflow)
               : 0;
}

void series_describe_reset(GString *out, guint32 detail)
{
    const char *sep = "";
    if (detail & SERIES_RESET_RST) {
        g_string_append(out, "TCP RST");
        sep = ", ";
    }
    if (detail & SERIES_RESET_TCPRST) {
        g_string_append_printf(out, "%sMP_TCPRST", sep);
        if (detail & SERIES_RESET_REASON_KNOWN)
            g_string_append_printf(out, " reason %u", (detail >> 8) & 0xffu);
        sep = ", ";
    }
    if (detail & SERIES_RESET_FASTCLOSE)
        g_string_append_printf(out, "%sMP_FASTCLOSE", sep);
}

/* ---- columns ------------------------------------------------------------------------------ */

static gboolean present(const char *col)
{
    return col != NULL && col[0] != '\0';
}

/* First occurrence of an aggregated numeric column (decimal or 0x-hex). */
static gboolean first_u64(const char *col, guint64 *out)
{
    if (!present(col))
        return FALSE;
    char *end = NULL;
    guint64 v = g_ascii_strtoull(col, &end, 0);
    if (end == col)
        return FALSE;
    *out = v;
    return TRUE;
}

static gboolean last_u64(const char *col, guint64 *out)
{
    if (!present(col))
        return FALSE;
    const char *p = strrchr(col, RESULT_AGGREGATOR);
    return first_u64(p != NULL ? p + 1 : col, out);
}

static gboolean is_true(const char *s, size_t n)
{
    return (n == 1 && s[0] == '1') || (n == 4 && g_ascii_strncasecmp(s, "true", 4) == 0);
}

/* -1 absent, else whether the last occurrence is true. */
static int last_bool(const char *col)
{
    if (!present(col))
        return -1;
    const char *p = strrchr(col, RESULT_AGGREGATOR);
    p = p != NULL ? p + 1 : col;
    return is_true(p, strlen(p));
}

/* Does the aggregated mptcpv.event column name |event|? */
static gboolean has_event(const char *col, mptcpv_event event)
{
    if (col == NULL || *col == '\0')
        return FALSE;
    const char *name = mptcpv_event_name(event);
    size_t n = strlen(name);
    for (const char *p = col; (p = strstr(p, name)) != NULL; p += n)
        if ((p == col || p[-1] == RESULT_AGGREGATOR) && (p[n] == '\0' || p[n] == RESULT_AGGREGATOR))
            return TRUE;
    return FALSE;
}

/* Bit k set when subtype k (< 16) occurs in the aggregated mptcpv.subtype column. */
static guint subtype_mask(const char *col)
{
    guint mask = 0;
    for (const char *p = col; present(p);) {
        char *end = NULL;
        guint64 v = g_ascii_strtoull(p, &end, 0);
        if (end != p && v < 16)
            mask |= 1u << v;
        const char *sep = strchr(p, RESULT_AGGREGATOR);
        p = sep != NULL ? sep + 1 : NULL;
    }
    return mask;
}

/* frame.time_epoch "S.FFFFFFFFF" in ns, exactly (a double loses digits past 1e9 s). */
static gboolean epoch_ns(const char *col, gint64 *out)
{
    if (!present(col))
        return FALSE;
    const char *p = col;
    gboolean neg = *p == '-';
    if (neg)
        p++;
    char *end = NULL;
    guint64 sec = g_ascii_strtoull(p, &end, 10);
    if (end == p)
        return FALSE;
    gint64 ns = 0;
    int digits = 0;
    if (*end == '.')
        for (p = end + 1; g_ascii_isdigit(*p) && digits < 9; p++, digits++)
            ns = ns * 10 + (*p - '0');
    for (; digits < 9; digits++)
        ns *= 10;
    gint64 v = (gint64)sec * G_GINT64_CONSTANT(1000000000) + ns;
    *out = neg ? -v : v;
    return TRUE;
}

/* ---- building ----------------------------------------------------------------------------- */

static series_conn *conn_new(void)
{
    series_conn *s = g_new0(series_conn, 1);
    s->points = g_array_new(FALSE, FALSE, sizeof(series_point));
    s->events = g_array_new(FALSE, FALSE, sizeof(series_event));
    s->stride = 1;
    s->t_min = G_MAXINT64;
    s->t_max = G_MININT64;
    s->reinjections = g_array_new(FALSE, TRUE, sizeof(guint64));
    s->seen = g_array_new(FALSE, TRUE, sizeof(guint64));
    s->backup_state = g_array_new(FALSE, FALSE, sizeof(gint8));
    return s;
}

/* Make the per-subflow arrays hold index |id|. */
static void grow(series_conn *s, guint id)
{
    if (id < s->backup_state->len)
        return;
    guint old = s->backup_state->len;
    g_array_set_size(s->reinjections, id + 1);
    g_array_set_size(s->seen, 4 * (id + 1));
    g_array_set_size(s->backup_state, id + 1);
    for (guint i = old; i <= id; i++)
        g_array_index(s->backup_state, gint8, i) = -1;
}

/* Keep the points whose ordinal in their sub-series is a multiple of the stride; when full,
 * double the stride and drop the points that no longer qualify. Each sub-series keeps its
 * first point, so a cap below their number is exceeded by those (the stride stops at the
 * count seen, where nothing more could go). */
static void add_point(series_conn *s, series_point *pt, guint max_points)
{
    s->points_seen++;
    guint64 *seen = &g_array_index(s->seen, guint64,
                                   4u * pt->subflow + 2u * (pt->from_client != 0) +
                                       ((pt->has & SERIES_HAS_DSN) != 0));
    pt->ordinal = (*seen)++;
    if (pt->ordinal % s->stride != 0)
        return;
    while (max_points > 0 && s->points->len >= max_points && s->stride <= s->points_seen) {
        s->stride *= 2;
        guint k = 0;
        for (guint i = 0; i < s->points->len; i++) {
            const series_point *p = &g_array_index(s->points, series_point, i);
            if (p->ordinal % s->stride == 0)
                g_array_index(s->points, series_point, k++) = *p;
        }
        g_array_set_size(s->points, k);
        if (pt->ordinal % s->stride != 0)
            return;
    }
    g_array_append_val(s->points, *pt);
}

static void add_event(series_conn *s, const series_event *base, series_event_kind kind,
                      guint32 detail)
{
    series_event e = *base;
    e.kind = (guint8)kind;
    e.detail = detail;
    g_array_append_val(s->events, e);
}

void series_file_add_row(series_file *vs, const result_file *f, char **cols,
                         const result_row_place *place)
{
    gint64 t = 0;
    if (epoch_ns(cols[FIELD_FRAME_TIME], &t) && !vs->have_t0) {
        vs->t0_ns = t;
        vs->have_t0 = TRUE;
    }
    t -= vs->t0_ns;
    if (place->connection == NULL || place->subflow->id > MAX_SUBFLOW_ID)
        return;
    series_conn *s = g_hash_table_lookup(vs->conns, place->connection);
    if (s == NULL) {
        s = conn_new();
        g_hash_table_insert(vs->conns, place->connection, s);
    }
    guint sf = place->subflow->id;
    grow(s, sf);
    s->t_min = MIN(s->t_min, t);
    s->t_max = MAX(s->t_max, t);

    guint64 frame = 0, flags = 0, n;
    first_u64(cols[FIELD_FRAME_NUMBER], &frame);
    last_u64(cols[FIELD_TCP_FLAGS], &flags);
    series_event base = {t, 0, (guint32)frame, 0, (guint16)sf, (guint8)place->from_client, 0};

    series_point pt = {0};
    pt.t_ns = t;
    pt.frame = (guint32)frame;
    pt.subflow = (guint16)sf;
    pt.from_client = (guint8)place->from_client;
    if (first_u64(cols[FIELD_DSN], &pt.dsn) && last_u64(cols[FIELD_TCP_LEN], &n) && n > 0) {
        pt.has |= SERIES_HAS_DSN;
        pt.len = (guint32)MIN(n, G_MAXUINT32);
    }
    if (last_u64(cols[FIELD_DATA_ACK], &pt.ack))
        pt.has |= SERIES_HAS_ACK;
    if (first_u64(cols[FIELD_REINJECTION_OF], &n) && n > 0 && n <= G_MAXUINT32) {
        pt.reinjection_of = (guint32)n;
        g_array_index(s->reinjections, guint64, sf)++;
    }
    if (pt.has != 0)
        add_point(s, &pt, vs->max_points);

    guint subtypes = subtype_mask(cols[FIELD_SUBTYPE]);
    /* Connection events are the core's (mptcpv.event); markers only draw them. */
    if (has_event(cols[FIELD_EVENT], MPTCPV_EVENT_JOIN))
        add_event(s, &base, SERIES_EV_JOIN, last_bool(cols[FIELD_JOIN_BACKUP]) == 1);
    if (has_event(cols[FIELD_EVENT], MPTCPV_EVENT_ADD_ADDR))
        add_event(s, &base, SERIES_EV_ADD_ADDR, 0);
    if (has_event(cols[FIELD_EVENT], MPTCPV_EVENT_REMOVE_ADDR))
        add_event(s, &base, SERIES_EV_REMOVE_ADDR, 0);
    if (has_event(cols[FIELD_EVENT], MPTCPV_EVENT_MP_FAIL))
        add_event(s, &base, SERIES_EV_MP_FAIL, 0);
    /* MP_PRIO itself, or a backup state that changed since this subflow's last frame */
    gint8 *state = &g_array_index(s->backup_state, gint8, sf);
    int backup = last_bool(cols[FIELD_SUBFLOW_BACKUP]);
    int prio = last_bool(cols[FIELD_PRIO_BACKUP]);
    if (subtypes & (1u << SUBTYPE_PRIO))
        add_event(s, &base, SERIES_EV_PRIO, (guint32)(prio == 1 || (prio < 0 && backup == 1)));
    else if (backup >= 0 && *state >= 0 && backup != *state)
        add_event(s, &base, SERIES_EV_PRIO, (guint32)backup);
    if (backup >= 0)
        *state = (gint8)backup;

    guint32 reset = 0;
    if (flags & FLAG_RST)
        reset |= SERIES_RESET_RST;
    if (subtypes & (1u << SUBTYPE_FASTCLOSE))
        reset |= SERIES_RESET_FASTCLOSE;
    if (subtypes & (1u << SUBTYPE_TCPRST)) {
        reset |= SERIES_RESET_TCPRST;
        if (last_u64(cols[FIELD_TCPRST_REASON], &n) && n < 256)
            reset |= SERIES_RESET_REASON_KNOWN | (guint32)n << 8;
    }
    if (reset != 0)
        add_event(s, &base, SERIES_EV_RESET, reset);
    if (pt.reinjection_of != 0) {
        series_event r = base;
        r.dsn = pt.dsn;
        add_event(s, &r, SERIES_EV_REINJECTION, pt.reinjection_of);
    }
    if (has_event(cols[FIELD_EVENT], MPTCPV_EVENT_DATA_FIN))
        add_event(s, &base, SERIES_EV_DATA_FIN, 0);
    for (guint i = place->first_finding; i < f->findings->len; i++)
        add_event(s, &base, SERIES_EV_FINDING, i);
}
