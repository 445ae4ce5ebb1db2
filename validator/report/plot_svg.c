/*
 * SVG geometry of the DSN/DATA_ACK plot (see plot_svg.h). Coordinates are written with one
 * decimal through g_ascii_formatd, so the output does not depend on the locale.
 */
#include "report/plot_svg.h"

#include <math.h>
#include <string.h>

#include "report/html_escape.h"

#define WIDTH      960.0
#define LEFT       84.0
#define RIGHT      (WIDTH - 24.0)
#define TOP        60.0 /* above: title and the marker band */
#define BOTTOM     (TOP + 320.0)
#define BAND_Y     (TOP - 30.0) /* finding diamonds */
#define LEGEND_Y   (BOTTOM + 62.0)
#define LEGEND_ROW 20.0
#define CHAR_W     6.6 /* average glyph width at font-size 12, for the legend layout */

static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
                                      "#e377c2", "#bcbd22", "#17becf", "#393b79", "#637939"};
#define RESET_COLOUR "#d62728"
#define ACK_COLOUR   "#404040"

const char *plot_subflow_colour(guint id)
{
    return palette[id % G_N_ELEMENTS(palette)];
}

static const char *severity_colour(mptcpv_severity s)
{
    return s == MPTCPV_SEVERITY_ERROR     ? "#d62728"
           : s == MPTCPV_SEVERITY_WARNING ? "#e6a100"
                                          : "#4f6d8f";
}

/* ---- numbers and axes ------------------------------------------------------------------- */

/* A coordinate: one decimal, no trailing ".0". */
static void num(GString *s, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(buf, sizeof(buf), "%.1f", fabs(v) < 0.05 ? 0.0 : v);
    size_t n = strlen(buf);
    if (n > 2 && strcmp(buf + n - 2, ".0") == 0)
        buf[n - 2] = '\0';
    g_string_append(s, buf);
}

typedef struct axis {
    double lo, hi, step;
    double unit;        /* labels are value / unit ... */
    const char *suffix; /* ... followed by this */
    int decimals;
    gint64 origin_ns; /* time axis: the connection's first frame, shown as 0 */
} axis;

static int decimals_for(double step)
{
    if (step >= 1)
        return 0;
    int d = (int)ceil(-log10(step) - 1e-9);
    return CLAMP(d, 0, 9);
}

/* Round [lo, hi] out to a 1-2-5 step giving about |target| ticks. */
static axis make_axis(double lo, double hi, int target, double min_range)
{
    axis a = {0};
    if (hi - lo < min_range) {
        double mid = (lo + hi) / 2;
        lo = mid - min_range / 2;
        hi = mid + min_range / 2;
    }
    double rough = (hi - lo) / target;
    double mag = pow(10, floor(log10(rough)));
    double n = rough / mag;
    a.step = (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
    a.lo = floor(lo / a.step) * a.step;
    a.hi = ceil(hi / a.step) * a.step;
    if (a.hi <= a.lo)
        a.hi = a.lo + a.step;
    a.unit = 1;
    a.suffix = "";
    a.decimals = decimals_for(a.step);
    return a;
}

/* DSN labels: 20000, 150k, 1.5M, ... */
static void use_si_units(axis *a)
{
    static const struct {
        double unit;
        const char *suffix;
        double from; /* the unit is used from from * unit on: k from 100k */
    } units[] = {{1e12, "T", 1}, {1e9, "G", 1}, {1e6, "M", 1}, {1e3, "k", 100}};
    double m = MAX(fabs(a->lo), fabs(a->hi));
    if (m < 1e5)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
        if (m >= units[i].unit * units[i].from) {
            a->unit = units[i].unit;
            a->suffix = units[i].suffix;
            a->decimals = decimals_for(a->step / a->unit);
            return;
        }
    }
}

static void tick_label(GString *s, const axis *a, double v)
{
    char fmt[8], buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_snprintf(fmt, sizeof(fmt), "%%.%df", a->decimals);
    double x = v / a->unit;
    if (fabs(x) < a->step / a->unit / 1e6) {
        g_string_append(s, "0"); /* not "-0" or "0k" */
        return;
    }
    g_ascii_formatd(buf, sizeof(buf), fmt, x);
    g_string_append(s, buf);
    g_string_append(s, a->suffix);
}

static double xmap(const axis *a, double v)
{
    return LEFT + (v - a->lo) / (a->hi - a->lo) * (RIGHT - LEFT);
}

static double ymap(const axis *a, double v)
{
    return BOTTOM - (v - a->lo) / (a->hi - a->lo) * (BOTTOM - TOP);
}

static double seconds(gint64 ns)
{
    return (double)ns / 1e9;
}

/* x of a time (ns since the capture's first frame) on the connection's time axis. */
static double tmap(const axis *a, gint64 ns)
{
    return xmap(a, seconds(ns - a->origin_ns));
}

/* ---- what this direction shows ---------------------------------------------------------- */

static gboolean is_data(const series_point *p, gboolean c2s)
{
    return (p->has & SERIES_HAS_DSN) && (p->from_client != 0) == c2s;
}

/* DATA_ACKs for data sent in direction c2s come from the other side. */
static gboolean is_ack(const series_point *p, gboolean c2s)
{
    return (p->has & SERIES_HAS_ACK) && (p->from_client != 0) != c2s;
}

gboolean plot_has_data(const series_conn *s, gboolean c2s)
{
    for (guint i = 0; s != NULL && i < s->points->len; i++)
        if (is_data(&g_array_index(s->points, series_point, i), c2s))
            return TRUE;
    return FALSE;
}

/* ---- pieces ----------------------------------------------------------------------------- */

static void line(GString *o, double x1, double y1, double x2, double y2)
{
    g_string_append(o, "<line x1=\"");
    num(o, x1);
    g_string_append(o, "\" y1=\"");
    num(o, y1);
    g_string_append(o, "\" x2=\"");
    num(o, x2);
    g_string_append(o, "\" y2=\"");
    num(o, y2);
    g_string_append(o, "\"/>");
}

static void text(GString *o, double x, double y, const char *anchor, const char *attrs,
                 const char *content)
{
    g_string_append(o, "<text x=\"");
    num(o, x);
    g_string_append(o, "\" y=\"");
    num(o, y);
    g_string_append_printf(o, "\" text-anchor=\"%s\"%s%s>", anchor, *attrs ? " " : "", attrs);
    html_escape(o, content);
    g_string_append(o, "</text>");
}

static void axes(GString *o, const axis *ax, const axis *ay)
{
    g_string_append(o, "<g class=\"grid\" stroke=\"#e4e4e4\" stroke-width=\"1\">");
    for (int i = 0; i < 200; i++) {
        double v = ax->lo + i * ax->step;
        if (v > ax->hi + ax->step * 1e-6)
            break;
        line(o, xmap(ax, v), TOP, xmap(ax, v), BOTTOM);
    }
    for (int i = 0; i < 200; i++) {
        double v = ay->lo + i * ay->step;
        if (v > ay->hi + ay->step * 1e-6)
            break;
        line(o, LEFT, ymap(ay, v), RIGHT, ymap(ay, v));
    }
    g_string_append(o, "</g>\n<g class=\"axis x\" fill=\"#222\">");
    GString *label = g_string_new(NULL);
    for (int i = 0; i < 200; i++) {
        double v = ax->lo + i * ax->step;
        if (v > ax->hi + ax->step * 1e-6)
            break;
        g_string_truncate(label, 0);
        tick_label(label, ax, v);
        text(o, xmap(ax, v), BOTTOM + 17, "middle", "", label->str);
    }
    char at[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(at, sizeof(at), "%.6f", seconds(ax->origin_ns));
    g_string_truncate(label, 0);
    g_string_append_printf(label,
                           "time since the connection's first frame (s); it is %s s "
                           "after the capture's first frame",
                           at);
    text(o, (LEFT + RIGHT) / 2, BOTTOM + 38, "middle", "", label->str);
    g_string_append(o, "</g>\n<g class=\"axis y\" fill=\"#222\">");
    for (int i = 0; i < 200; i++) {
        double v = ay->lo + i * ay->step;
        if (v > ay->hi + ay->step * 1e-6)
            break;
        g_string_truncate(label, 0);
        tick_label(label, ay, v);
        text(o, LEFT - 6, ymap(ay, v) + 4, "end", "", label->str);
    }
    g_string_free(label, TRUE);
    double mid = (TOP + BOTTOM) / 2;
    char rot[64];
    g_snprintf(rot, sizeof(rot), "transform=\"rotate(-90 16 %d)\"", (int)mid);
    text(o, 16, mid, "middle", rot, "relative DSN (bytes)");
    g_string_append(o, "</g>\n<g class=\"frame\" stroke=\"#222\" stroke-width=\"1\">");
    line(o, LEFT, TOP, LEFT, BOTTOM);
    line(o, LEFT, BOTTOM, RIGHT, BOTTOM);
    g_string_append(o, "</g>\n");
}

/* Path data with consecutive repeats (same pixel) dropped: a long transfer stays small. */
typedef struct pathbuf {
    GString *d;
    double last_x, last_a, last_b;
    guint count;
} pathbuf;

static gboolean same_as_last(pathbuf *p, double x, double a, double b)
{
    gboolean same = p->count > 0 && fabs(x - p->last_x) < 0.05 && fabs(a - p->last_a) < 0.05 &&
                    fabs(b - p->last_b) < 0.05;
    p->last_x = x;
    p->last_a = a;
    p->last_b = b;
    p->count++;
    return same;
}

/* A segment: a vertical bar from its first to its last byte, with a tick at the end. */
static void seg(pathbuf *p, double x, double y0, double y1)
{
    if (y0 - y1 < 2)
        y1 = y0 - 2; /* at least 2 px, or short segments vanish */
    if (same_as_last(p, x, y0, y1))
        return;
    g_string_append_c(p->d, 'M');
    num(p->d, x);
    g_string_append_c(p->d, ' ');
    num(p->d, y0);
    g_string_append(p->d, "V");
    num(p->d, y1);
    g_string_append(p->d, "m-3 0h6");
}

/* A DATA_ACK carried on this subflow: a small x. */
static void cross(pathbuf *p, double x, double y)
{
    if (same_as_last(p, x, y, 0))
        return;
    g_string_append_c(p->d, 'M');
    num(p->d, x - 3);
    g_string_append_c(p->d, ' ');
    num(p->d, y - 3);
    g_string_append(p->d, "l6 6m0-6l-6 6");
}

static void path(GString *o, const char *cls, const char *attrs, GString *d)
{
    if (d->len == 0)
        return;
    g_string_append_printf(o, "<path class=\"%s\" %s d=\"%s\"/>", cls, attrs, d->str);
}

static void subflow_title(GString *o, const result_subflow *sf, guint segments, guint acks)
{
    GString *t = g_string_new(NULL);
    g_string_append_printf(t, "subflow %u%s%s: ", sf->id, sf->initial ? " (initial)" : "",
                           sf->backup ? " (backup)" : "");
    g_string_append_printf(t, "%s:%u → %s:%u, %u segments and %u DATA_ACKs shown",
                           sf->client.address ? sf->client.address : "?", sf->client.port,
                           sf->server.address ? sf->server.address : "?", sf->server.port, segments,
                           acks);
    g_string_append(o, "<title>");
    html_escape(o, t->str);
    g_string_append(o, "</title>");
    g_string_free(t, TRUE);
}

static void subflows(GString *o, const result_connection *c, const series_conn *s, gboolean c2s,
                     const axis *ax, const axis *ay)
{
    for (guint k = 0; k < c->subflows->len; k++) {
        const result_subflow *sf = g_ptr_array_index(c->subflows, k);
        const char *col = plot_subflow_colour(sf->id);
        pathbuf data = {g_string_new(NULL), 0, 0, 0, 0};
        pathbuf acks = {g_string_new(NULL), 0, 0, 0, 0};
        guint nd = 0, na = 0;
        for (guint i = 0; s != NULL && i < s->points->len; i++) {
            const series_point *p = &g_array_index(s->points, series_point, i);
            if (p->subflow != sf->id)
                continue;
            double x = tmap(ax, p->t_ns);
            if (is_data(p, c2s)) {
                seg(&data, x, ymap(ay, (double)p->dsn), ymap(ay, (double)p->dsn + p->len));
                nd++;
            }
            if (is_ack(p, c2s)) {
                cross(&acks, x, ymap(ay, (double)p->ack));
                na++;
            }
        }
        g_string_append_printf(o,
                               "<g class=\"subflow\" data-subflow=\"%u\" stroke=\"%s\" "
                               "fill=\"none\">",
                               sf->id, col);
        subflow_title(o, sf, nd, na);
        path(o, "dsn", "stroke-width=\"2\"", data.d);
        path(o, "ack", "stroke-width=\"1.3\"", acks.d);
        g_string_append(o, "</g>\n");
        g_string_free(data.d, TRUE);
        g_string_free(acks.d, TRUE);
    }
}

/* The peer's DATA_ACK over time as one step line, whichever subflow carried it. */
static void ack_line(GString *o, const series_conn *s, gboolean c2s, const axis *ax, const axis *ay)
{
    GString *d = g_string_new(NULL);
    double last_x = 0, last_y = 0;
    gboolean first = TRUE;
    for (guint i = 0; s != NULL && i < s->points->len; i++) {
        const series_point *p = &g_array_index(s->points, series_point, i);
        if (!is_ack(p, c2s))
            continue;
        double x = tmap(ax, p->t_ns), y = ymap(ay, (double)p->ack);
        if (first) {
            g_string_append_c(d, 'M');
            num(d, x);
            g_string_append_c(d, ' ');
            num(d, y);
        } else if (fabs(y - last_y) >= 0.05) {
            if (fabs(x - last_x) >= 0.05) {
                g_string_append_c(d, 'H');
                num(d, x);
            }
            g_string_append_c(d, 'V');
            num(d, y);
        } else {
            continue; /* extended by the next change, or the end */
        }
        first = FALSE;
        last_x = x;
        last_y = y;
    }
    if (!first && s != NULL) { /* the last DATA_ACK holds until the connection's end */
        g_string_append_c(d, 'H');
        num(d, tmap(ax, s->t_max));
    }
    if (d->len > 0)
        g_string_append_printf(o,
                               "<path class=\"data-ack\" stroke=\"%s\" stroke-width=\"1.2\" "
                               "stroke-dasharray=\"5 3\" fill=\"none\" d=\"%s\"><title>"
                               "DATA_ACK sent by the %s</title></path>\n",
                               ACK_COLOUR, d->str, c2s ? "server" : "client");
    g_string_free(d, TRUE);
}

/* ---- markers ---------------------------------------------------------------------------- */

static void marker_open(GString *o, const char *kind, const series_event *e)
{
    g_string_append_printf(o, "<g class=\"marker %s\" data-frame=\"%u\" data-subflow=\"%u\"", kind,
                           e->frame, e->subflow);
}

static void title(GString *o, const char *t)
{
    g_string_append(o, "<title>");
    html_escape(o, t);
    g_string_append(o, "</title>");
}

static void vline(GString *o, double x, const char *colour, const char *dash, double width)
{
    g_string_append_printf(o, "<line stroke=\"%s\" stroke-width=\"", colour);
    num(o, width);
    g_string_append_c(o, '"');
    if (dash != NULL)
        g_string_append_printf(o, " stroke-dasharray=\"%s\"", dash);
    g_string_append(o, " x1=\"");
    num(o, x);
    g_string_append(o, "\" y1=\"");
    num(o, TOP - 4);
    g_string_append(o, "\" x2=\"");
    num(o, x);
    g_string_append(o, "\" y2=\"");
    num(o, BOTTOM);
    g_string_append(o, "\"/>");
}

/* Glyphs at the top of a marker line, centred on x: the legend uses the same ones. */
static void glyph(GString *o, const char *kind, double x, double y, const char *colour)
{
    g_string_append(o, "<path d=\"M");
    num(o, x);
    g_string_append_c(o, ' ');
    if (strcmp(kind, "join") == 0) { /* triangle pointing down */
        num(o, y + 4);
        g_string_append_printf(o, "l-5-8h10z\" fill=\"%s\"/>", colour);
    } else if (strcmp(kind, "prio") == 0) { /* square */
        num(o, y - 4);
        g_string_append_printf(o, "m-4 0h8v8h-8z\" fill=\"%s\"/>", colour);
    } else if (strcmp(kind, "reset") == 0) { /* x */
        num(o, y);
        g_string_append_printf(o,
                               "m-4-4l8 8m0-8l-8 8\" stroke=\"%s\" stroke-width=\"2.5\" "
                               "fill=\"none\"/>",
                               colour);
    } else if (strcmp(kind, "add_addr") == 0) { /* plus */
        num(o, y);
        g_string_append_printf(o,
                               "m-5 0h10m-5-5v10\" stroke=\"%s\" stroke-width=\"2.5\" "
                               "fill=\"none\"/>",
                               colour);
    } else if (strcmp(kind, "remove_addr") == 0) { /* minus */
        num(o, y);
        g_string_append_printf(o, "m-5 0h10\" stroke=\"%s\" stroke-width=\"3\" fill=\"none\"/>",
                               colour);
    } else if (strcmp(kind, "data_fin") == 0) { /* flag */
        num(o, y + 4);
        g_string_append_printf(o,
                               "v-9l7 3l-7 3\" stroke=\"%s\" stroke-width=\"1.5\" "
                               "fill=\"%s\"/>",
                               colour, colour);
    } else if (strcmp(kind, "finding") == 0) { /* diamond */
        num(o, y - 6);
        g_string_append_printf(o, "l6 6l-6 6l-6-6z\" fill=\"%s\"/>", colour);
    } else { /* reinjection: ring */
        num(o, y);
        g_string_append_printf(o,
                               "m-5 0a5 5 0 1 0 10 0a5 5 0 1 0-10 0\" stroke=\"%s\" "
                               "stroke-width=\"1.5\" fill=\"none\"/>",
                               colour);
    }
}

/* Findings at the same pixel with the same rule become one marker that says how many. */
typedef struct finding_group {
    const series_event *first;
    const result_finding *fd;
    guint32 last_frame;
    guint count;
    double x;
} finding_group;

static void finding_flush(GString *o, finding_group *g)
{
    if (g->count == 0)
        return;
    const result_finding *fd = g->fd;
    const char *colour = severity_colour(fd->severity);
    marker_open(o, "finding", g->first);
    g_string_append(o, " data-rule=\"");
    html_escape(o, fd->rule);
    g_string_append_printf(o, "\" data-severity=\"%s\" data-count=\"%u\">",
                           mptcpv_severity_name(fd->severity), g->count);
    GString *t = g_string_new(NULL);
    if (g->count > 1)
        g_string_append_printf(t, "frames %u-%u: %u× ", g->first->frame, g->last_frame, g->count);
    else
        g_string_append_printf(t, "frame %u: ", fd->frame);
    g_string_append_printf(t, "%s %s: %s", mptcpv_severity_name(fd->severity), fd->rule,
                           fd->message);
    title(o, t->str);
    g_string_free(t, TRUE);
    g_string_append_printf(o, "<line stroke=\"%s\" stroke-opacity=\"0.4\" x1=\"", colour);
    num(o, g->x);
    g_string_append(o, "\" y1=\"");
    num(o, BAND_Y + 6);
    g_string_append(o, "\" x2=\"");
    num(o, g->x);
    g_string_append(o, "\" y2=\"");
    num(o, BOTTOM);
    g_string_append(o, "\"/>");
    glyph(o, "finding", g->x, BAND_Y, colour);
    g_string_append(o, "</g>\n");
    g->count = 0;
}

/* A marker across the plot at |x|: a vertical line and, above it, the glyph |glyph_kind|;
 * |attrs| (or NULL) are extra attributes of its group, |tooltip| its title. */
static void vertical_marker(GString *o, const char *kind, const series_event *e, const char *attrs,
                            const char *tooltip, double x, const char *colour, const char *dash,
                            double width, const char *glyph_kind)
{
    marker_open(o, kind, e);
    if (attrs != NULL)
        g_string_append(o, attrs);
    g_string_append_c(o, '>');
    title(o, tooltip);
    vline(o, x, colour, dash, width);
    glyph(o, glyph_kind, x, TOP - 8, colour);
    g_string_append(o, "</g>\n");
}

static void markers(GString *o, const result_file *f, const series_conn *s, gboolean c2s,
                    const axis *ax, const axis *ay)
{
    g_string_append(o, "<g class=\"markers\">\n");
    finding_group g = {0};
    GString *t = g_string_new(NULL);
    for (guint i = 0; s != NULL && i < s->events->len; i++) {
        const series_event *e = &g_array_index(s->events, series_event, i);
        double x = tmap(ax, e->t_ns);
        const char *col = plot_subflow_colour(e->subflow);
        g_string_truncate(t, 0);
        switch ((series_event_kind)e->kind) {
        case SERIES_EV_JOIN:
            g_string_append_printf(t, "frame %u: MP_JOIN SYN opens subflow %u%s", e->frame,
                                   e->subflow, e->detail ? " as backup" : "");
            vertical_marker(o, "join", e, NULL, t->str, x, col, "6 3", 1.5, "join");
            break;
        case SERIES_EV_PRIO:
            g_string_append_printf(t, "frame %u: subflow %u %s (MP_PRIO / backup flag)", e->frame,
                                   e->subflow, e->detail ? "becomes backup" : "becomes regular");
            vertical_marker(o, "prio", e, e->detail ? " data-backup=\"1\"" : " data-backup=\"0\"",
                            t->str, x, col, "2 3", 2, "prio");
            break;
        case SERIES_EV_RESET:
            g_string_append_printf(t, "frame %u: ", e->frame);
            series_describe_reset(t, e->detail);
            g_string_append_printf(t, " on subflow %u (sent by the %s)", e->subflow,
                                   e->from_client ? "client" : "server");
            vertical_marker(o, "reset", e, NULL, t->str, x, RESET_COLOUR, NULL, 1.5, "reset");
            break;
        case SERIES_EV_REINJECTION:
            if ((e->from_client != 0) != c2s)
                break;
            marker_open(o, "reinjection", e);
            g_string_append_printf(t,
                                   "frame %u on subflow %u: reinjection of frame %u "
                                   "(relative DSN %" G_GUINT64_FORMAT ")",
                                   e->frame, e->subflow, e->detail, e->dsn);
            g_string_append_c(o, '>');
            title(o, t->str);
            glyph(o, "reinjection", x, ymap(ay, (double)e->dsn), col);
            g_string_append(o, "</g>\n");
            break;
        case SERIES_EV_FINDING: {
            if (e->detail >= f->findings->len)
                break;
            const result_finding *fd = &g_array_index(f->findings, result_finding, e->detail);
            if (g.count > 0 && fabs(x - g.x) < 1 && strcmp(g.fd->rule, fd->rule) == 0) {
                g.count++;
                g.last_frame = e->frame;
                break;
            }
            finding_flush(o, &g);
            g = (finding_group){e, fd, e->frame, 1, x};
            break;
        }
        case SERIES_EV_ADD_ADDR:
        case SERIES_EV_REMOVE_ADDR: {
            gboolean add = e->kind == SERIES_EV_ADD_ADDR;
            const char *kind = add ? "add_addr" : "remove_addr";
            g_string_append_printf(t, "frame %u: %s on subflow %u (sent by the %s)", e->frame,
                                   add ? "ADD_ADDR announces an address"
                                       : "REMOVE_ADDR withdraws an address",
                                   e->subflow, e->from_client ? "client" : "server");
            vertical_marker(o, kind, e, NULL, t->str, x, col, "1 3", 1.5, kind);
            break;
        }
        case SERIES_EV_DATA_FIN:
            if ((e->from_client != 0) != c2s)
                break;
            g_string_append_printf(t, "frame %u on subflow %u: the %s's DATA_FIN", e->frame,
                                   e->subflow, e->from_client ? "client" : "server");
            vertical_marker(o, "data_fin", e, NULL, t->str, x, col, "4 2", 1.5, "data_fin");
            break;
        case SERIES_EV_MP_FAIL:
            g_string_append_printf(t, "frame %u: MP_FAIL on subflow %u (a checksum failed)",
                                   e->frame, e->subflow);
            vertical_marker(o, "mp_fail", e, NULL, t->str, x, RESET_COLOUR, "6 2", 1.5, "reset");
            break;
        }
    }
    finding_flush(o, &g);
    g_string_free(t, TRUE);
    g_string_append(o, "</g>\n");
}

/* ---- legend ----------------------------------------------------------------------------- */

typedef struct legend {
    GString *o;
    double x, y;
} legend;

static void legend_item(legend *l, const char *label, const char *kind, const char *colour,
                        const char *dash)
{
    double w = 30 + CHAR_W * (double)g_utf8_strlen(label, -1) + 16;
    if (l->x + w > RIGHT && l->x > LEFT) {
        l->x = LEFT;
        l->y += LEGEND_ROW;
    }
    g_string_append(l->o, "<g class=\"legend-item\">");
    if (kind == NULL) { /* a line sample */
        g_string_append_printf(l->o, "<g stroke=\"%s\" stroke-width=\"%s\"%s%s%s>", colour,
                               dash ? "1.5" : "3", dash ? " stroke-dasharray=\"" : "",
                               dash ? dash : "", dash ? "\"" : "");
        line(l->o, l->x, l->y - 4, l->x + 22, l->y - 4);
        g_string_append(l->o, "</g>");
    } else {
        glyph(l->o, kind, l->x + 11, l->y - 4, colour);
    }
    text(l->o, l->x + 28, l->y, "start", "", label);
    g_string_append(l->o, "</g>");
    l->x += w;
}

/* Lay the legend out once to know the height, then for real. */
static double legend_draw(GString *o, const result_connection *c)
{
    legend l = {o, LEFT, LEGEND_Y};
    g_string_append(o, "<g class=\"legend\" fill=\"#222\">");
    char label[64];
    for (guint k = 0; k < c->subflows->len; k++) {
        const result_subflow *sf = g_ptr_array_index(c->subflows, k);
        g_snprintf(label, sizeof(label), "subflow %u%s", sf->id, sf->backup ? " (backup)" : "");
        legend_item(&l, label, NULL, plot_subflow_colour(sf->id), NULL);
    }
    legend_item(&l, "DATA_ACK (x: subflow that carried it)", NULL, ACK_COLOUR, "5 3");
    legend_item(&l, "MP_JOIN", "join", "#555", NULL);
    legend_item(&l, "MP_PRIO / backup change", "prio", "#555", NULL);
    legend_item(&l, "RST / MP_TCPRST / MP_FASTCLOSE", "reset", RESET_COLOUR, NULL);
    legend_item(&l, "finding", "finding", severity_colour(MPTCPV_SEVERITY_ERROR), NULL);
    legend_item(&l, "reinjection", "reinjection", "#555", NULL);
    legend_item(&l, "ADD_ADDR", "add_addr", "#555", NULL);
    legend_item(&l, "REMOVE_ADDR", "remove_addr", "#555", NULL);
    legend_item(&l, "DATA_FIN", "data_fin", "#555", NULL);
    g_string_append(o, "</g>\n");
    return l.y + 12;
}

/* ---- the plot --------------------------------------------------------------------------- */

void plot_svg_plot(GString *out, const result_file *f, const result_connection *c,
                   const series_conn *s, gboolean c2s)
{
    /* Time runs from the connection's first frame to its last, whatever else the capture
     * holds before or after it. */
    gboolean timed = s != NULL && s->t_min <= s->t_max;
    gint64 origin = timed ? s->t_min : 0;
    double t_hi = MAX(timed ? seconds(s->t_max - s->t_min) : 0, 1e-3); /* from 0, not -0.0005 */
    double y_lo = G_MAXDOUBLE, y_hi = -G_MAXDOUBLE;
    guint shown = 0;
    for (guint i = 0; s != NULL && i < s->points->len; i++) {
        const series_point *p = &g_array_index(s->points, series_point, i);
        if (is_data(p, c2s)) {
            y_lo = MIN(y_lo, (double)p->dsn);
            y_hi = MAX(y_hi, (double)p->dsn + p->len);
            shown++;
        }
        if (is_ack(p, c2s)) {
            y_lo = MIN(y_lo, (double)p->ack);
            y_hi = MAX(y_hi, (double)p->ack);
            shown++;
        }
    }
    for (guint i = 0; s != NULL && i < s->events->len; i++) {
        const series_event *e = &g_array_index(s->events, series_event, i);
        if (e->kind == SERIES_EV_REINJECTION && (e->from_client != 0) == c2s) {
            y_lo = MIN(y_lo, (double)e->dsn);
            y_hi = MAX(y_hi, (double)e->dsn);
        }
    }
    if (y_lo > y_hi) { /* nothing in this direction: an empty 0..10 */
        y_lo = 0;
        y_hi = 10;
    }
    /* Relative DSNs are unsigned: widening a narrow range must not go below 0. */
    if (y_hi - y_lo < 10 && y_lo < 5) {
        y_hi = MAX(y_hi, 10);
        y_lo = 0;
    }
    axis ax = make_axis(0, t_hi, 8, 1e-3);
    ax.origin_ns = origin;
    axis ay = make_axis(y_lo, y_hi, 6, 10);
    use_si_units(&ay);

    /* The legend decides the height: draw it into its own buffer first. */
    GString *leg = g_string_new(NULL);
    double height = legend_draw(leg, c);
    const char *dir = c2s ? "client → server" : "server → client";
    g_string_append_printf(out,
                           "<svg class=\"dsn-plot\" data-direction=\"%s\" "
                           "data-time-origin-ns=\"%" G_GINT64_FORMAT "\" "
                           "xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                           "width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                           "font-size=\"12\" role=\"img\">\n",
                           c2s ? "c2s" : "s2c", origin, (int)WIDTH, (int)height, (int)WIDTH,
                           (int)height);
    GString *t = g_string_new(NULL);
    g_string_append_printf(t, "Connection %u, data %s: relative DSN and DATA_ACK over time", c->id,
                           dir);
    title(out, t->str);
    g_string_append(out, "<rect class=\"background\" width=\"100%\" height=\"100%\" "
                         "fill=\"#fff\"/>\n");
    g_string_truncate(t, 0);
    g_string_append_printf(t, "data %s (relative DSN), DATA_ACK from the %s", dir,
                           c2s ? "server" : "client");
    text(out, LEFT, 18, "start", "font-weight=\"bold\"", t->str);
    if (s != NULL && s->stride > 1) {
        g_string_truncate(t, 0);
        g_string_append_printf(t,
                               "decimated: 1 in %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                               " points shown, all markers",
                               s->stride, s->points_seen);
        text(out, RIGHT, 18, "end", "class=\"decimated\" fill=\"#a33\"", t->str);
    }
    axes(out, &ax, &ay);
    if (shown == 0)
        text(out, (LEFT + RIGHT) / 2, (TOP + BOTTOM) / 2, "middle", "fill=\"#777\"",
             "no data or DATA_ACK in this direction");
    subflows(out, c, s, c2s, &ax, &ay);
    ack_line(out, s, c2s, &ax, &ay); /* on top: dense segments would hide it */
    markers(out, f, s, c2s, &ax, &ay);
    g_string_append_len(out, leg->str, (gssize)leg->len);
    g_string_append(out, "</svg>\n");
    g_string_free(t, TRUE);
    g_string_free(leg, TRUE);
}
