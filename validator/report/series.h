/*
 * Per-connection time series for --html and --csv: one point per segment that carries a
 * relative DSN (mptcpv.dsn) or DATA_ACK (mptcpv.data_ack), and events (MP_JOIN, MP_PRIO or
 * backup change, resets, findings, reinjections, DATA_FIN).
 *
 * Unlike result/result.c this grows with packets, so it is built only when plots are asked for.
 * Points are capped: past |max_points| per connection every k-th point of each sub-series
 * (subflow x direction x segment-or-DATA_ACK) is kept, k the smallest power of two that fits.
 * Counting per sub-series keeps a round-robin scheduler's subflows (or alternating data and
 * ACK rows) from aliasing away; k depends only on the capture. Events are always kept.
 */
#ifndef MPTCPV_VALIDATE_SERIES_H
#define MPTCPV_VALIDATE_SERIES_H

#include <glib.h>

#include "result/result.h"

#define SERIES_DEFAULT_MAX_POINTS 20000

enum {
    SERIES_HAS_DSN = 1, /* dsn, len valid */
    SERIES_HAS_ACK = 2, /* ack valid */
};

typedef struct series_point {
    gint64 t_ns; /* since the capture's first frame */
    guint64 dsn; /* relative DSN of the payload's first byte */
    guint64 ack; /* relative DATA_ACK (acknowledges the other direction's data) */
    guint32 frame;
    guint32 len;            /* payload bytes: the segment ends at dsn + len */
    guint32 reinjection_of; /* earlier frame with the same data, 0: none */
    guint64 ordinal;        /* position in its sub-series (decimation) */
    guint16 subflow;
    guint8 from_client;
    guint8 has; /* SERIES_HAS_* */
} series_point;

typedef enum series_event_kind {
    SERIES_EV_JOIN,        /* the core's "join" event: a subflow starts; detail = backup bit */
    SERIES_EV_PRIO,        /* MP_PRIO, or the subflow's backup state changed; detail = backup */
    SERIES_EV_RESET,       /* detail = SERIES_RESET_* bits | MP_TCPRST reason << 8 */
    SERIES_EV_FINDING,     /* detail = index in result_file.findings */
    SERIES_EV_REINJECTION, /* detail = the earlier frame, dsn = the segment's */
    SERIES_EV_DATA_FIN,    /* the core's "data_fin": a host's first DATA_FIN */
    SERIES_EV_ADD_ADDR,    /* the core's connection events of the same names */
    SERIES_EV_REMOVE_ADDR,
    SERIES_EV_MP_FAIL,
} series_event_kind;

enum {
    SERIES_RESET_RST = 1,       /* TCP RST flag */
    SERIES_RESET_TCPRST = 2,    /* MP_TCPRST option */
    SERIES_RESET_FASTCLOSE = 4, /* MP_FASTCLOSE option */
    SERIES_RESET_REASON_KNOWN = 8,
};

typedef struct series_event {
    gint64 t_ns;
    guint64 dsn; /* SERIES_EV_REINJECTION: the reinjected segment's relative DSN */
    guint32 frame;
    guint32 detail;
    guint16 subflow;
    guint8 from_client;
    guint8 kind; /* series_event_kind */
} series_event;

typedef struct series_conn {
    GArray *points;       /* series_point, frame order, every |stride|-th of each sub-series */
    GArray *events;       /* series_event, frame order, all */
    guint64 points_seen;  /* before decimation */
    guint64 stride;       /* 1, 2, 4, ... */
    gint64 t_min, t_max;  /* over every row of the connection */
    GArray *reinjections; /* guint64 per subflow id: reinjected segments sent on it */
    /* building state, per subflow id */
    GArray *seen;         /* guint64 [4 * id + 2 * from_client + has DSN]: sub-series sizes */
    GArray *backup_state; /* gint8: -1 unknown, 0, 1 */
} series_conn;

typedef struct series_file series_file;

series_file *series_file_new(guint max_points /* 0: no cap */);
void series_file_free(series_file *vs);
/* After result_file_add_row(f, cols, place) for the same row. */
void series_file_add_row(series_file *vs, const result_file *f, char **cols,
                         const result_row_place *place);
/* The series of |c|, or NULL if no row of it was seen. */
const series_conn *series_file_conn(const series_file *vs, const result_connection *c);
guint64 series_conn_reinjections(const series_conn *s, guint subflow);
/* "TCP RST, MP_TCPRST reason 1, MP_FASTCLOSE" for a SERIES_EV_RESET detail (ASCII). */
void series_describe_reset(GString *out, guint32 detail);

#endif /* MPTCPV_VALIDATE_SERIES_H */
