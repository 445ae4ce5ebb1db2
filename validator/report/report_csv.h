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
#ifndef MPTCPV_VALIDATE_REPORT_CSV_H
#define MPTCPV_VALIDATE_REPORT_CSV_H

#include <glib.h>

#include "result/result.h"
#include "report/series.h"

#define VCSV_HEADER "time,frame,subflow,direction,dsn,dsn_end,data_ack,event"

/* |series[i]| belongs to r->files[i]. FALSE and |error| set if a file cannot be written. */
gboolean vcsv_write_dir(const vr_report *r, vs_file *const *series, const char *dir,
                        char **error);

#endif /* MPTCPV_VALIDATE_REPORT_CSV_H */
