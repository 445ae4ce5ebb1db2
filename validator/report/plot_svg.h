/*
 * The inline SVG plot of one connection and direction for the HTML report: relative DSN of
 * each segment (a vertical bar from dsn to dsn + len) and the peer's DATA_ACK over time, one
 * colour per subflow, with markers for MP_JOIN, MP_PRIO/backup changes, resets, reinjections
 * and findings (details in <title> tooltips). Geometry, axes and ticks live here.
 */
#ifndef MPTCPV_VALIDATE_PLOT_SVG_H
#define MPTCPV_VALIDATE_PLOT_SVG_H

#include <glib.h>

#include "result/result.h"
#include "report/series.h"

/* "#rrggbb" of subflow |id|; the HTML tables use the same colours. */
const char *plot_subflow_colour(guint id);

/* Whether |s| has data segments sent by the client (|c2s|) or by the server. */
gboolean plot_has_data(const series_conn *s, gboolean c2s);

/* Append <svg class="dsn-plot" data-direction="c2s|s2c">: the data sent in direction |c2s|
 * and the DATA_ACKs that acknowledge it. Markers are drawn in every direction's plot. */
void plot_svg_plot(GString *out, const result_file *f, const result_connection *c,
                   const series_conn *s, gboolean c2s);

#endif /* MPTCPV_VALIDATE_PLOT_SVG_H */
