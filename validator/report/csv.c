/* The CSV series files (see report.h). */
#include "report/report.h"

#include <errno.h>
#include <string.h>

/* RFC 4180 quoting, for the one free-form column (rule ids come from the plugin). */
static void csv_field(GString *o, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        g_string_append(o, s);
        return;
    }
    g_string_append_c(o, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            g_string_append_c(o, '"');
        g_string_append_c(o, *p);
    }
    g_string_append_c(o, '"');
}

static void event_name(GString *o, const result_file *f, const series_event *e)
{
    switch ((series_event_kind)e->kind) {
    case SERIES_EV_JOIN:
        g_string_append(o, e->detail ? "join:backup" : "join");
        break;
    case SERIES_EV_PRIO:
        g_string_append(o, e->detail ? "prio:backup" : "prio:regular");
        break;
    case SERIES_EV_RESET: {
        const char *sep = "";
        if (e->detail & SERIES_RESET_RST) {
            g_string_append(o, "rst");
            sep = ";";
        }
        if (e->detail & SERIES_RESET_TCPRST) {
            g_string_append_printf(o, "%smp_tcprst", sep);
            if (e->detail & SERIES_RESET_REASON_KNOWN)
                g_string_append_printf(o, ":%u", (e->detail >> 8) & 0xffu);
            sep = ";";
        }
        if (e->detail & SERIES_RESET_FASTCLOSE)
            g_string_append_printf(o, "%smp_fastclose", sep);
        break;
    }
    case SERIES_EV_FINDING:
        g_string_append(o, "finding:");
        if (e->detail < f->findings->len)
            g_string_append(o, g_array_index(f->findings, result_finding, e->detail).rule);
        break;
    case SERIES_EV_REINJECTION:
        g_string_append_printf(o, "reinjection:%u", e->detail);
        break;
    case SERIES_EV_DATA_FIN:
        g_string_append(o, "data_fin");
        break;
    case SERIES_EV_ADD_ADDR:
        g_string_append(o, "add_addr");
        break;
    case SERIES_EV_REMOVE_ADDR:
        g_string_append(o, "remove_addr");
        break;
    case SERIES_EV_MP_FAIL:
        g_string_append(o, "mp_fail");
        break;
    }
}

static void time_field(GString *o, gint64 ns)
{
    guint64 a = ns < 0 ? (guint64)(-(ns + 1)) + 1 : (guint64)ns;
    g_string_append_printf(o, "%s%" G_GUINT64_FORMAT ".%09" G_GUINT64_FORMAT, ns < 0 ? "-" : "",
                           a / 1000000000u, a % 1000000000u);
}

/* Points and events are both in frame order: merge them into one row per frame. */
static GString *connection_csv(const result_file *f, const series_conn *s)
{
    GString *o = g_string_new(REPORT_CSV_HEADER "\n");
    GString *ev = g_string_new(NULL);
    guint i = 0, j = 0;
    while (s != NULL && (i < s->points->len || j < s->events->len)) {
        const series_point *p =
            i < s->points->len ? &g_array_index(s->points, series_point, i) : NULL;
        const series_event *e =
            j < s->events->len ? &g_array_index(s->events, series_event, j) : NULL;
        guint32 frame = p != NULL && (e == NULL || p->frame <= e->frame) ? p->frame : e->frame;
        if (p != NULL && p->frame != frame)
            p = NULL;
        const series_event *first = e != NULL && e->frame == frame ? e : NULL;
        g_string_truncate(ev, 0);
        for (; j < s->events->len && g_array_index(s->events, series_event, j).frame == frame;
             j++) {
            if (ev->len > 0)
                g_string_append_c(ev, ';');
            event_name(ev, f, &g_array_index(s->events, series_event, j));
        }
        if (p != NULL)
            i++;
        time_field(o, p != NULL ? p->t_ns : first->t_ns);
        guint sf = p != NULL ? p->subflow : first->subflow;
        gboolean fc = p != NULL ? p->from_client : first->from_client;
        g_string_append_printf(o, ",%u,%u,%s,", frame, sf, fc ? "c2s" : "s2c");
        if (p != NULL && (p->has & SERIES_HAS_DSN))
            g_string_append_printf(o, "%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT, p->dsn,
                                   p->dsn + p->len);
        else
            g_string_append_c(o, ',');
        g_string_append_c(o, ',');
        if (p != NULL && (p->has & SERIES_HAS_ACK))
            g_string_append_printf(o, "%" G_GUINT64_FORMAT, p->ack);
        g_string_append_c(o, ',');
        csv_field(o, ev->str);
        g_string_append_c(o, '\n');
    }
    g_string_free(ev, TRUE);
    return o;
}

static char *base_name(const result_file *f)
{
    if (strcmp(f->path, "-") == 0)
        return g_strdup("stdin");
    return g_path_get_basename(f->path);
}

gboolean report_csv(const result_report *r, series_file *const *series, const char *dir,
                    char **error)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        *error = g_strdup_printf("--csv %s: %s", dir, g_strerror(errno));
        return FALSE;
    }
    /* Corpora often hold the same file name in several folders. */
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < r->files->len; i++) {
        char *b = base_name(g_ptr_array_index(r->files, i));
        guint n = GPOINTER_TO_UINT(g_hash_table_lookup(seen, b));
        g_hash_table_replace(seen, b, GUINT_TO_POINTER(n + 1));
    }
    gboolean ok = TRUE;
    for (guint i = 0; i < r->files->len && ok; i++) {
        const result_file *f = g_ptr_array_index(r->files, i);
        char *b = base_name(f);
        if (GPOINTER_TO_UINT(g_hash_table_lookup(seen, b)) > 1) {
            char *u = g_strdup_printf("%s~%u", b, f->index);
            g_free(b);
            b = u;
        }
        for (guint k = 0; k < f->connections->len && ok; k++) {
            const result_connection *c = g_ptr_array_index(f->connections, k);
            char *name = g_strdup_printf("%s.conn%u.csv", b, c->id);
            char *path = g_build_filename(dir, name, NULL);
            GString *csv = connection_csv(f, series_file_conn(series[i], c));
            GError *gerr = NULL;
            if (!g_file_set_contents(path, csv->str, (gssize)csv->len, &gerr)) {
                *error = g_strdup_printf("--csv: %s", gerr->message);
                g_error_free(gerr);
                ok = FALSE;
            }
            g_string_free(csv, TRUE);
            g_free(path);
            g_free(name);
        }
        g_free(b);
    }
    g_hash_table_destroy(seen);
    return ok;
}
