/* Connection tracker state shared by core/src/tracker.c and core/src/conn_*.c. */
#ifndef MPTCPV_TRACKER_INTERNAL_H
#define MPTCPV_TRACKER_INTERNAL_H

#include <glib.h>

#include "internal.h"
#include "mptcpv/tracker.h"

/* A TCP 4-tuple in canonical order (lower endpoint first), hashable with memcmp. */
typedef struct subflow_key {
    uint8_t family;
    uint8_t addr_lo[16];
    uint8_t addr_hi[16];
    uint16_t port_lo;
    uint16_t port_hi;
} subflow_key;

struct conn;

/* Per subflow, RFC 8684 3.2: A = initiator (sent the SYN), B = responder. */
typedef struct subflow {
    subflow_key key;
    mptcpv_endpoint initiator;
    struct conn *conn;
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
    bool has_rst_reason;
    uint8_t rst_reason;
} subflow;

#define CONN_MAX_ANNOUNCED 8

typedef struct announced_addr {
    uint32_t frame;
    mptcpv_add_addr addr;
} announced_addr;

typedef struct conn {
    uint32_t index;
    uint32_t first_frame;
    mptcpv_conn_facts facts;
    bool syn_checksum, synack_checksum;
    GPtrArray *subflows; /* of subflow*, owned */
    /* Recent ADD_ADDR announcements per sender (0: client, 1: server), a ring. */
    announced_addr announced[2][CONN_MAX_ANNOUNCED];
    uint8_t announced_next[2];
} conn;

struct mptcpv_tracker {
    mptcpv_tracker_limits limits;
    GHashTable *subflows; /* subflow_key* -> subflow* (not owned: conns own them) */
    GHashTable *tokens;   /* token -> conn* */
    GPtrArray *conns;     /* of conn*, owned, by index */
    uint32_t subflow_total;
    bool any_handshake;   /* a connection's keys were seen: tokens can be judged */
};

/* The segment being processed and where its results go. */
typedef struct seg_ctx {
    mptcpv_tracker *tracker;
    const mptcpv_segment *seg;
    mptcpv_segment_result *res;
    subflow *sf;         /* may be NULL */
    bool from_initiator; /* valid when sf != NULL */
} seg_ctx;

/* Add a finding; |option| (may be NULL: the whole segment) locates it. */
void tracker_report(seg_ctx *ctx, const mptcpv_option *option, mptcpv_rule_id rule,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Is the segment's sender the connection's client? */
bool tracker_from_client(const seg_ctx *ctx);

/* Set or refresh the keys' derived values (tokens, IDSNs) and register tokens. */
void tracker_set_key(mptcpv_tracker *tracker, conn *c, bool client, uint64_t key);

conn *tracker_new_conn(mptcpv_tracker *tracker, uint32_t frame);
subflow *tracker_new_subflow(seg_ctx *ctx, conn *c, bool initial);

/* conn_handshake.c */
void conn_mp_capable(seg_ctx *ctx, const mptcpv_option *mpc);
void conn_check_third_ack(seg_ctx *ctx, const mptcpv_option *mpc);
/* conn_join.c */
void conn_join_syn(seg_ctx *ctx, const mptcpv_option *join);
void conn_join_synack(seg_ctx *ctx, const mptcpv_option *join);
void conn_join_ack(seg_ctx *ctx, const mptcpv_option *join);
/* conn_signal.c */
void conn_add_addr(seg_ctx *ctx, const mptcpv_option *option);
void conn_remove_addr(seg_ctx *ctx, const mptcpv_option *option);
void conn_mp_prio(seg_ctx *ctx, const mptcpv_option *option);
void conn_fastclose(seg_ctx *ctx, const mptcpv_option *option);
void conn_tcprst(seg_ctx *ctx, const mptcpv_option *option);

#endif /* MPTCPV_TRACKER_INTERNAL_H */
