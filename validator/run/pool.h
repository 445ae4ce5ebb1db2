/*
 * The run: every selected capture through tshark, |jobs| at a time. Workers take captures
 * largest first (so the last one to finish is short); each capture's result goes to its own
 * slot, so the output does not depend on the number of jobs. stdin is sniffed here (the
 * bytes read to recognise a capture are handed on to tshark).
 */
#ifndef MPTCPV_VALIDATE_POOL_H
#define MPTCPV_VALIDATE_POOL_H

#include <glib.h>

#include "report/series.h"
#include "result/result.h"
#include "run/tshark.h"

/* Check |entries| (corpus_entry*) with |t|: report->files[i] (and series[i], if |series| is
 * not NULL) is filled from entries[i] and finished. Returns the tshark_status of each entry
 * (g_free it). With |show_progress| a progress line is kept up to date on stderr. */
tshark_status *run_all(GPtrArray *entries, result_report *report, series_file **series,
                       const tshark_handle *t, guint jobs, gboolean show_progress);

#endif /* MPTCPV_VALIDATE_POOL_H */
