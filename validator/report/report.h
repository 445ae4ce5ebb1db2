/*
 * The reports of one run, all read from the one result (result/result.h): text, JSON
 * (schema "mptcpv-report/1", validator/schema/report-v1.json) and its shard merge, JUnit,
 * the HTML page with SVG plots (plot_svg.h, series.h) and the CSV series.
 */
#ifndef MPTCPV_VALIDATE_REPORT_H
#define MPTCPV_VALIDATE_REPORT_H

#include <gio/gio.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "report/series.h"
#include "result/result.h"

/* Report writers; each returns FALSE and sets |error| on I/O failure. */
gboolean report_text(const result_report *r, GOutputStream *out, GError **error);
gboolean report_json(const result_report *r, GOutputStream *out, GError **error);
gboolean report_junit(const result_report *r, GOutputStream *out, GError **error);
typedef gboolean (*report_writer)(const result_report *, GOutputStream *, GError **);

/* ---- output (emit.c) ---- */

/* Write |data| to |path| (NULL or "-": stdout): a regular or new file atomically, anything
 * else (a FIFO, /dev/null, a symlink's target) in place. FALSE after saying why on stderr. */
gboolean report_emit(const char *path, const char *data, gsize len);
/* Before the analysis: can |path| (a file, or with |is_dir| a directory, created if missing)
 * of |option| ("-o", "--html", ...) be written? FALSE after saying why on stderr. */
gboolean report_check_output(const char *option, const char *path, gboolean is_dir);
/* The same with the bytes of a closed GMemoryOutputStream. */
gboolean report_emit_stream(const char *path, GOutputStream *mem);
/* |fn|'s report of |r| to |path| as report_emit() does. */
gboolean report_write(const result_report *r, report_writer fn, const char *path);

/* ---- JSON and the merge of shard reports (json.c) ---- */

#define REPORT_SCHEMA "mptcpv-report/1"

/* Merge shard reports (`mptcpv-validate merge`). On success returns the merged report; sets
 * |failing| (findings at or above the reports' fail_on, or |fail_on| if not NULL),
 * |unreadable| (files with an error) and, if some shard is missing, |warning|. */
JsonNode *report_merge(char **paths, const char *fail_on, guint *failing, guint *unreadable,
                       char **warning, char **error);

gboolean report_json_node(JsonNode *root, GOutputStream *out, GError **error);

/* ---- HTML (html.c) ---- */

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

/* |series[i]| belongs to r->files[i] (NULL: no plot for it). */
GString *report_html(const result_report *r, series_file *const *series);

/* ---- CSV (csv.c) ---- */

/*
 * --csv DIR: the plot series as CSV for gnuplot/matplotlib, one file per connection:
 * DIR/<capture basename>.conn<N>.csv (a basename shared by several captures of the run gets
 * "~<corpus index>" appended). Columns, one row per frame that has a point or an event:
 *   time       seconds since the capture's first frame
 *   frame      frame number
 *   subflow    mptcpv.subflow
 *   direction  c2s (sent by the client) or s2c
 *   dsn        relative DSN of the payload's first byte (empty: no data)
 *   dsn_end    dsn + payload length
 *   data_ack   relative DATA_ACK (acknowledges the other direction's data)
 *   event      ';'-separated: join, join:backup, prio:backup, prio:regular, rst, mp_tcprst,
 *              mp_tcprst:<reason>, mp_fastclose, reinjection:<frame>, data_fin,
 *              finding:<rule>
 * Points beyond --max-points are decimated as in the plots; events never are.
 */

#define REPORT_CSV_HEADER "time,frame,subflow,direction,dsn,dsn_end,data_ack,event"

/* |series[i]| belongs to r->files[i]. FALSE and |error| set if a file cannot be written. */
gboolean report_csv(const result_report *r, series_file *const *series, const char *dir,
                    char **error);

#endif /* MPTCPV_VALIDATE_REPORT_H */
