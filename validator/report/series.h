/*
 * Per-connection time series for --html and --csv: one point per segment that carries a
 * relative DSN (mptcpv.dsn) or DATA_ACK (mptcpv.data_ack), and events (MP_JOIN, MP_PRIO or
 * backup change, resets, findings, reinjections, DATA_FIN).
 *
 * Unlike result.c this grows with packets, so it is built only when plots are asked for.
 * Points are capped: past |max_points| per connection every k-th point of each sub-series
 * (subflow x direction x segment-or-DATA_ACK) is kept, k the smallest power of two that fits.
 * Counting per sub-series keeps a round-robin scheduler's subflows (or alternating data and
 * ACK rows) from aliasing away; k depends only on the capture. Events are always kept.
 */
#ifndef MPTCPV_VALIDATE_SERIES_H
#define MPTCPV_VALIDATE_SERIES_H

#include <glib.h>

#include "result/result.h"

#define VS_DEFAULT_MAX_POINTS 20000

enum {
    VS_HAS_DSN = 1, /* dsn, len valid */
    VS_HAS_ACK = 2, /* ack valid */
};

typedef struct vs_point {
    gint64 t_ns;   /* since the capture's first frame */
    guint64 dsn;   /* relative DSN of the payload's first byte */
    guint64 ack;   /* relative DATA_ACK (acknowledges the other direction's data) */
    guint32 frame;
    guint32 len;   /* payload bytes: the segment ends at dsn + len */
    guint32 reinjection_of; /* earlier frame with the same data, 0: none */
    guint64 ordinal; /* position in its sub-series (decimation) */
    guint16 subflow;
    guint8 from_client;
    guint8 has;    /* VS_HAS_* */
} vs_point;

typedef enum vs_event_kind {
    VS_EV_JOIN,        /* SYN with MP_JOIN: a subflow starts; detail = backup bit */
    VS_EV_PRIO,        /* MP_PRIO, or the subflow's backup state changed; detail = backup */
    VS_EV_RESET,       /* detail = VS_RESET_* bits | MP_TCPRST reason << 8 */
    VS_EV_FINDING,     /* detail = index in vr_file.findings */
    VS_EV_REINJECTION, /* detail = the earlier frame, dsn = the segment's */
    VS_EV_DATA_FIN,
} vs_event_kind;

enum {
    VS_RESET_RST = 1,       /* TCP RST flag */
    VS_RESET_TCPRST = 2,    /* MP_TCPRST option */
    VS_RESET_FASTCLOSE = 4, /* MP_FASTCLOSE option */
    VS_RESET_REASON_KNOWN = 8,
};

typedef struct vs_event {
    gint64 t_ns;
    guint64 dsn;   /* VS_EV_REINJECTION: the reinjected segment's relative DSN */
    guint32 frame;
    guint32 detail;
    guint16 subflow;
    guint8 from_client;
    guint8 kind; /* vs_event_kind */
} vs_event;

typedef struct vs_conn {
    GArray *points;       /* vs_point, frame order, every |stride|-th of each sub-series */
    GArray *events;       /* vs_event, frame order, all */
    guint64 points_seen;  /* before decimation */
    guint64 stride;       /* 1, 2, 4, ... */
    gint64 t_min, t_max;  /* over every row of the connection */
    GArray *reinjections; /* guint64 per subflow id: reinjected segments sent on it */
    /* building state, per subflow id */
    GArray *seen;         /* guint64 [4 * id + 2 * from_client + has DSN]: sub-series sizes */
    GArray *backup_state; /* gint8: -1 unknown, 0, 1 */
    GArray *join_seen;    /* gboolean */
} vs_conn;

typedef struct vs_file vs_file;

vs_file *vs_file_new(guint max_points /* 0: no cap */);
void vs_file_free(vs_file *vs);
/* After vr_file_add_row(f, cols, place) for the same row. */
void vs_file_add_row(vs_file *vs, const vr_file *f, char **cols, const vr_row_place *place);
/* The series of |c|, or NULL if no row of it was seen. */
const vs_conn *vs_file_conn(const vs_file *vs, const vr_connection *c);
guint64 vs_conn_reinjections(const vs_conn *s, guint subflow);
/* "TCP RST, MP_TCPRST reason 1, MP_FASTCLOSE" for a VS_EV_RESET detail (ASCII). */
void vs_describe_reset(GString *out, guint32 detail);

#endif /* MPTCPV_VALIDATE_SERIES_H */
