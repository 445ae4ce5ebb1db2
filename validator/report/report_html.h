/*
 * --html: one self-contained HTML page (inline CSS and SVG; no script, no external resource)
 * with, per capture and MPTCP connection, a summary, the subflows, findings by rule and the
 * DSN/DATA_ACK plots (plot_svg.h).
 *
 * Stable hooks for tests and scripts: <section class="capture" data-capture="I">,
 * <section class="connection" data-connection="N">, <table class="summary|subflows|rules|
 * events|findings">, <svg class="dsn-plot" data-direction="c2s|s2c">,
 * <g class="subflow" data-subflow="K">, <g class="marker join|prio|reset|reinjection|finding">
 * (finding markers carry data-rule and data-severity).
 */
#ifndef MPTCPV_VALIDATE_REPORT_HTML_H
#define MPTCPV_VALIDATE_REPORT_HTML_H

#include <glib.h>

#include "result/result.h"
#include "report/series.h"

/* |series[i]| belongs to r->files[i] (NULL: no plot for it). */
GString *vh_render(const vr_report *r, vs_file *const *series);

#endif /* MPTCPV_VALIDATE_REPORT_HTML_H */
