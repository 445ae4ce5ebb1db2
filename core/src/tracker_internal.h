/* Connection tracker state shared by core/src/tracker.c and core/src/conn_*.c. */
#ifndef MPTCPV_TRACKER_INTERNAL_H
#define MPTCPV_TRACKER_INTERNAL_H

#include <glib.h>

#include "internal.h"
#include "mptcpv/tracker.h"

/* A TCP 4-tuple in canonical order (lower endpoint first), hashable with memcmp. */
typedef struct mpv_subflow_key {
    uint8_t family;
    uint8_t addr_lo[16];
    uint8_t addr_hi[16];
    uint16_t port_lo;
    uint16_t port_hi;
} mpv_subflow_key;

struct mpv_conn;

/* Segment results (mptcpv_segment_result.data) and mpv_conn.close keep these enums in a
 * uint8_t: the (uint8_t) conversions that store them are exact while this holds. */
#define MPV_COUNT_ONE(e, name) +1
_Static_assert(0 MPTCPV_VERDICTS(MPV_COUNT_ONE) <= 256, "mptcpv_verdict fits a uint8_t");
_Static_assert(0 MPTCPV_FALLBACKS(MPV_COUNT_ONE) <= 256, "mptcpv_fallback fits a uint8_t");
_Static_assert(0 MPTCPV_CLOSE_STATES(MPV_COUNT_ONE) <= 256, "mptcpv_close_state fits a uint8_t");
#undef MPV_COUNT_ONE

#define SUBFLOW_OPEN_MAPPINGS MPTCPV_OPEN_MAPPINGS
#define MAPPING_MAX_RANGES    MPTCPV_MAPPING_RANGES

/* One DSS mapping of one subflow direction and its checksum in progress. */
typedef struct mpv_mapping {
    bool used;
    bool dsn_known; /* 64-bit DSN known (a 32-bit one needs a reference) */
    bool data_fin;
    bool has_csum;
    bool done;          /* every byte seen: verdict given */
    bool bytes_missing; /* some covered byte was not captured (snaplen) */
    uint64_t dsn;
    uint32_t ssn;
    uint16_t len; /* data-level length, DATA_FIN included */
    uint16_t csum;
    uint32_t frame;
    uint32_t sum;     /* partial ones'-complement sum of the payload seen */
    uint32_t covered; /* payload bytes accounted for */
    uint8_t nranges;  /* covered ranges, relative to ssn */
    bool ranges_overflow;
    uint32_t range_start[MAPPING_MAX_RANGES];
    uint32_t range_end[MAPPING_MAX_RANGES];
} mpv_mapping;

/* One direction of a subflow (0: from the initiator, 1: from the responder). */
typedef struct mpv_subflow_dir {
    mpv_mapping maps[SUBFLOW_OPEN_MAPPINGS];
    uint8_t next_map;
    bool has_data_end;
    uint32_t data_end; /* highest relative sequence number of payload seen, exclusive */
    bool seen_dss;
    bool gap_seen;           /* payload bytes missing from the capture at some point */
    bool unmapped_after_gap; /* unmapped data right after a gap: its mapping was lost */
    bool has_dropped_end;
    uint32_t dropped_end; /* end of the furthest mapping the open-mapping bound dropped */
} mpv_subflow_dir;

/* Per subflow, RFC 8684 3.2: A = initiator (sent the SYN), B = responder. */
typedef struct mpv_subflow {
    mpv_subflow_key key;
    mptcpv_endpoint initiator;
    struct mpv_conn *conn;
    uint32_t index; /* within the connection */
    bool initial;   /* MP_CAPABLE subflow */
    bool initiator_is_client;
    bool has_isn_a, has_isn_b;
    uint32_t isn_a, isn_b;

    /* Initial subflow handshake (MP_CAPABLE). */
    bool syn_mpc, synack_mpc, synack_seen, third_ack_checked;
    uint8_t syn_version;
    bool syn_has_key;
    uint64_t syn_key;

    /* Additional subflow handshake (MP_JOIN). */
    bool has_nonce_a, has_nonce_b, has_addr_id_a, has_addr_id_b;
    uint32_t nonce_a, nonce_b;
    uint8_t addr_id_a, addr_id_b;
    uint64_t trunc_hmac_b;

    bool backup;
    bool join_acked;  /* the initiator's MP_JOIN third ACK was seen */
    bool established; /* conn_note_established */
    bool has_rst_reason;
    uint8_t rst_reason;
    uint8_t end; /* mptcpv_subflow_end */
    uint32_t end_frame;

    mpv_subflow_dir dir[2];
} mpv_subflow;

/* Data-level ranges sent recently, by start DSN, to find reinjections; the lowest are
 * dropped beyond this many. */
#define CONN_SENT_RANGES MPTCPV_SENT_RANGES

typedef struct mpv_sent_range {
    uint64_t start, end; /* start is the GTree key */
    uint32_t frame;
    uint32_t subflow;
} mpv_sent_range;

/* One host's data level (0: client, 1: server). */
typedef struct mpv_conn_side {
    bool has_dsn_ref;
    uint64_t dsn_ref; /* last 64-bit DSN sent, to expand 32-bit ones */
    bool has_sent_end;
    uint64_t sent_end; /* end of the highest DSN range sent (DATA_FIN counted) */
    bool has_ack;
    uint64_t ack;   /* highest DATA_ACK sent */
    GTree *sent;    /* of sent_range, created on first use */
    bool seen_data; /* any of this side's data in the capture */
    bool has_data_fin;
    uint64_t data_fin_dsn; /* the DSN the DATA_FIN occupies (RFC 8684 3.3.3) */
    uint32_t data_fin_frame;
    bool data_fin_acked;
    bool has_span;
    uint64_t span_start, span_end; /* the DSN span of this side's data seen */
    uint64_t data_bytes;           /* span_end - span_start, as summed per segment */
} mpv_conn_side;

#define CONN_MAX_ANNOUNCED 8

typedef struct mpv_announced_addr {
    uint32_t frame;
    mptcpv_add_addr addr;
} mpv_announced_addr;

/* Kinds of bounds (analysis.limit), as bits: per capture (tracker) or per connection. */
enum {
    LIMIT_CONNECTIONS = 1 << 0,    /* tracker: max_connections */
    LIMIT_SUBFLOWS = 1 << 1,       /* tracker: max_subflows */
    LIMIT_CONN_SUBFLOWS = 1 << 2,  /* conn: max_subflows_per_connection */
    LIMIT_OPEN_MAPPINGS = 1 << 3,  /* conn: an open mapping dropped for a newer one */
    LIMIT_MAPPING_RANGES = 1 << 4, /* conn: a mapping's bytes in too many ranges */
};

typedef struct mpv_conn {
    uint32_t index;
    uint32_t first_frame;
    mptcpv_conn_facts facts;
    bool syn_checksum, synack_checksum;
    GPtrArray *subflows; /* of subflow*, owned */
    /* Recent ADD_ADDR announcements per sender (0: client, 1: server), a ring each;
     * allocated on the first ADD_ADDR (most connections have none), NULL before. */
    mpv_announced_addr (*announced)[CONN_MAX_ANNOUNCED];
    uint8_t announced_next[2];

    mpv_conn_side side[2];
    mptcpv_fallback fallback;
    uint8_t close; /* mptcpv_close_state */
    bool has_bad_csum;
    uint64_t bad_csum_dsn;
    uint32_t bad_csum_frame;
    uint32_t reinjections;
    uint64_t reinjected_bytes;
    uint32_t csum_good, csum_bad, csum_unverifiable;
    uint8_t limits_noted; /* LIMIT_* already reported for this connection */
} mpv_conn;

struct mptcpv_tracker {
    mptcpv_tracker_limits limits;
    GHashTable *subflows; /* subflow_key* -> subflow* (not owned: conns own them) */
    GHashTable *tokens;   /* token -> conn* */
    GPtrArray *conns;     /* of conn*, owned, by index */
    uint32_t subflow_total;
    bool any_handshake;           /* a connection's keys were seen: tokens can be judged */
    bool unlinked_joins;          /* some MP_JOIN matched no known connection */
    uint8_t limits_hit;           /* LIMIT_* refusals during the current segment */
    uint8_t limits_noted;         /* LIMIT_* already reported for the capture */
    mptcpv_tracker_usage refused; /* the refusal counters of mptcpv_tracker_usage */
};

/* The segment being processed and where its results go. */
typedef struct mpv_seg_ctx {
    mptcpv_tracker *tracker;
    const mptcpv_segment *seg;
    mptcpv_segment_result *res;
    mpv_subflow *sf;     /* may be NULL */
    bool from_initiator; /* valid when sf != NULL */
    bool new_subflow;    /* this segment created sf */
} mpv_seg_ctx;

/* This segment's bytes new to its sender's data-level stream, counted once: by the DSN span,
 * or by TCP sequence after a fallback. The connection's total takes all of |bytes|, the
 * per-frame mptcpv.data_bytes its low 32 bits. */
static inline void mpv_count_stream_bytes(mpv_seg_ctx *ctx, mpv_conn_side *s, uint64_t bytes)
{
    ctx->res->data.data_bytes = (uint32_t)bytes;
    s->data_bytes += bytes;
}

/* conn_state.c: below the dispatcher and the handlers; calls neither. */

/* Order and equality of endpoints (family, address, port). */
int mpv_endpoint_cmp(const mptcpv_endpoint *a, const mptcpv_endpoint *b);
bool mpv_endpoint_eq(const mptcpv_endpoint *a, const mptcpv_endpoint *b);
/* The canonical 4-tuple key of |seg|. */
void mpv_subflow_key_make(const mptcpv_segment *seg, mpv_subflow_key *key);

/* Add a finding; |option| (may be NULL: the whole segment) locates it. */
void mpv_seg_report(mpv_seg_ctx *ctx, const mptcpv_option *option, mptcpv_rule_id rule,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Note analysis.limit for bound |kind| (a LIMIT_* bit) once per |*noted| (the tracker's or a
 * connection's limits_noted): sets the bit, counts refused.limit_findings and adds the finding
 * on the whole segment. Does nothing when the bit is already set. */
void mpv_note_limit(mpv_seg_ctx *ctx, uint8_t *noted, uint8_t kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Is the segment's sender the connection's client? */
bool mpv_seg_from_client(const mpv_seg_ctx *ctx);

/* Set or refresh the keys' derived values (tokens, IDSNs) and register tokens. */
void mpv_conn_set_key(mptcpv_tracker *tracker, mpv_conn *c, bool client, uint64_t key);

mpv_conn *mpv_conn_new(mptcpv_tracker *tracker, uint32_t frame);
mpv_subflow *mpv_subflow_new(mpv_seg_ctx *ctx, mpv_conn *c, bool initial);

/* The connection falls back to TCP for |reason| (noted once: connection.fallback). */
void mpv_conn_fall_back(mpv_seg_ctx *ctx, mpv_conn *c, mptcpv_fallback reason);

/* conn_handshake.c */
void mpv_conn_mp_capable(mpv_seg_ctx *ctx, const mptcpv_option *mpc);
void mpv_conn_check_third_ack(mpv_seg_ctx *ctx, const mptcpv_option *mpc);
/* conn_join.c */
void mpv_conn_join_syn(mpv_seg_ctx *ctx, const mptcpv_option *join);
void mpv_conn_join_synack(mpv_seg_ctx *ctx, const mptcpv_option *join);
void mpv_conn_join_ack(mpv_seg_ctx *ctx, const mptcpv_option *join);
/* conn_data.c */
void mpv_conn_data(mpv_seg_ctx *ctx);
/* conn_reinject.c: [start, end) of |side| sent by this segment, its first |resent| bytes a
 * retransmission on the same subflow; reports reinjections, widens the side's span. */
void mpv_conn_note_sent(mpv_seg_ctx *ctx, mpv_conn *c, int side, uint64_t start, uint64_t end,
                        uint32_t resent);
/* conn_close.c */
void mpv_conn_set_close(mpv_seg_ctx *ctx, mpv_conn *c, mptcpv_close_state state);
/* Established subflows of |c| still open, |except| (may be NULL) not counted. */
uint32_t mpv_conn_open_subflows(const mpv_conn *c, const mpv_subflow *except);
void mpv_conn_note_established(mpv_seg_ctx *ctx);
/* After a segment of an established-stage subflow: its end and the connection's close. */
void mpv_conn_note_end(mpv_seg_ctx *ctx);
/* conn_events.c: this segment's connection events, into its result. */
void mpv_conn_note_event(mpv_seg_ctx *ctx, mptcpv_event event);
void mpv_conn_note_option_events(mpv_seg_ctx *ctx);
/* conn_signal.c */
void mpv_conn_add_addr(mpv_seg_ctx *ctx, const mptcpv_option *option);
void mpv_conn_remove_addr(mpv_seg_ctx *ctx, const mptcpv_option *option);
void mpv_conn_mp_prio(mpv_seg_ctx *ctx, const mptcpv_option *option);
void mpv_conn_fastclose(mpv_seg_ctx *ctx, const mptcpv_option *option);
void mpv_conn_tcprst(mpv_seg_ctx *ctx, const mptcpv_option *option);

#endif /* MPTCPV_TRACKER_INTERNAL_H */
