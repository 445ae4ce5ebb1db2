/*
 * mptcpv connection tracker: links TCP subflows into MPTCP connections and verifies what
 * the keys prove (RFC 8684 3.1, 3.2, 3.4, 3.5, 3.6; RFC 6824).
 *
 * Feed every TCP segment of a capture in capture order with mptcpv_tracker_segment(). Each
 * call decodes the segment's MPTCP options with the version of its connection, updates the
 * state and returns what is known about this segment at this point of the capture. The
 * caller keeps that result if it must show the segment again later (Wireshark re-dissects
 * in any order); the tracker itself is only ever advanced in capture order.
 *
 * State is per subflow (TCP 4-tuple and lifetime) and per connection (both tokens), never
 * per packet, and bounded by mptcpv_tracker_limits.
 *
 * Conventions of every function below:
 * - Pointers are borrowed: the tracker keeps none of the caller's pointers after a call
 *   returns (it copies what it needs), and the caller keeps none of the tracker's (results
 *   and summaries are copied into caller-owned structs).
 * - Pointer arguments must not be NULL unless a function says otherwise.
 * - A packet problem is a finding (data in the result, rule id and detail), never an error.
 *   A bound of mptcpv_tracker_limits reached is a refusal: the new connection, subflow or
 *   mapping is not tracked, counted in mptcpv_tracker_usage and noted once as the finding
 *   analysis.limit; the call still succeeds.
 * - Allocation failure aborts (GLib's g_new semantics): no function reports it.
 * - Threads: a tracker has no locks. One tracker must be used by one thread at a time;
 *   distinct trackers may be used concurrently (the core has no global mutable state).
 */
#ifndef MPTCPV_TRACKER_H
#define MPTCPV_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mptcpv/crypto.h"
#include "mptcpv/option.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mptcpv_tracker mptcpv_tracker;

/*
 * Bounds on the tracker's state, so no capture (huge or hostile) makes it grow without
 * limit. Every count is per capture (per tracker): state is kept until mptcpv_tracker_free()
 * because connection summaries are asked at the end. 0 in a field means its default. When a
 * bound stops the tracker from tracking something, the segment where that happens gets an
 * analysis.limit finding, once per capture for the tables and once per connection for the
 * per-connection bounds.
 */
typedef struct mptcpv_tracker_limits {
    uint32_t max_connections; /* MPTCP connections tracked; 0: default */
    uint32_t max_subflows;    /* subflows tracked, all connections together; 0: default */
    uint32_t max_subflows_per_connection; /* subflows tracked in one connection; 0: default */
} mptcpv_tracker_limits;

#define MPTCPV_DEFAULT_MAX_CONNECTIONS             1000000
#define MPTCPV_DEFAULT_MAX_SUBFLOWS                2000000
#define MPTCPV_DEFAULT_MAX_SUBFLOWS_PER_CONNECTION 1024

/* Fixed bounds (not configurable): open DSS mappings per subflow direction (the oldest is
 * dropped for a new one), separate byte ranges seen of one mapping (beyond them its checksum
 * is not verified), and data-level ranges per host remembered to find reinjections (a
 * sliding window: the lowest are forgotten, silently). */
#define MPTCPV_OPEN_MAPPINGS  4
#define MPTCPV_MAPPING_RANGES 8
#define MPTCPV_SENT_RANGES    4096

/* What the tracker holds and what its bounds refused so far. */
typedef struct mptcpv_tracker_usage {
    uint32_t connections;
    uint32_t subflows;
    uint64_t sent_ranges;         /* reinjection index entries, all connections */
    uint64_t state_bytes;         /* approximate heap bytes of all of the above */
    uint64_t connections_refused; /* segments that would have opened a connection */
    uint64_t subflows_refused;    /* segments that would have opened a subflow (limits) */
    uint64_t mappings_dropped;    /* open mappings dropped while bytes of them were to come */
    uint64_t mappings_unranged;   /* mappings whose bytes came in too many separate ranges */
    uint32_t limit_findings;      /* analysis.limit findings reported */
} mptcpv_tracker_usage;

typedef struct mptcpv_endpoint {
    uint8_t family; /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port;
} mptcpv_endpoint;

#define MPTCPV_TCP_FIN 0x01
#define MPTCPV_TCP_SYN 0x02
#define MPTCPV_TCP_RST 0x04
#define MPTCPV_TCP_ACK 0x10

/* One TCP segment, as the capture shows it. */
typedef struct mptcpv_segment {
    uint32_t frame; /* 1-based frame number */
    mptcpv_endpoint src;
    mptcpv_endpoint dst;
    uint32_t seq;
    uint32_t ack;
    uint8_t tcp_flags;
    uint32_t payload_len;      /* TCP payload bytes on the wire */
    const uint8_t *options;    /* TCP options block (may be NULL when len is 0) */
    size_t options_len;        /* bytes of it present in the capture */
    bool options_truncated;    /* the capture cut the options block */
    const uint8_t *payload;    /* TCP payload as captured (may be NULL) */
    uint32_t payload_captured; /* bytes of it present (<= payload_len) */
} mptcpv_segment;

/* Name tables are X-macros (X(enumerator suffix, name), values in order from 0), expanded
 * into the enums, the name functions and the plugin's value_strings. */

/* Outcome of a check that needs key material. */
#define MPTCPV_VERDICTS(X)                                                                         \
    X(NONE, "none") /* nothing to check in this segment */                                         \
    X(GOOD, "good")                                                                                \
    X(BAD, "bad")                                                                                  \
    X(UNVERIFIABLE, "unverifiable") /* the capture lacks what the check needs */

typedef enum mptcpv_verdict {
#define MPTCPV_VERDICT_ENUM(e, name) MPTCPV_VERDICT_##e,
    MPTCPV_VERDICTS(MPTCPV_VERDICT_ENUM)
#undef MPTCPV_VERDICT_ENUM
} mptcpv_verdict;

const char *mptcpv_verdict_name(mptcpv_verdict verdict);

/* How an MP_JOIN SYN's token was resolved. */
#define MPTCPV_TOKEN_STATUSES(X)                                                                   \
    X(NONE, "none")                                                                                \
    X(FOUND, "found")     /* a connection of this capture has it */                                \
    X(UNKNOWN, "unknown") /* the capture has handshakes, none with this token */                   \
    X(UNVERIFIABLE, "unverifiable (no handshake in the capture)") /* none at all (yet) */

typedef enum mptcpv_token_status {
#define MPTCPV_TOKEN_ENUM(e, name) MPTCPV_TOKEN_##e,
    MPTCPV_TOKEN_STATUSES(MPTCPV_TOKEN_ENUM)
#undef MPTCPV_TOKEN_ENUM
} mptcpv_token_status;

/* Connection-level facts known after a segment (filled on segments that carry MPTCP
 * options; the caller can show them there). */
typedef struct mptcpv_conn_facts {
    mptcpv_version version;
    bool checksum_known;
    bool checksum; /* DSS checksums negotiated (A flag in SYN or SYN/ACK, RFC 8684 3.1) */
    bool has_client_key;
    bool has_server_key;
    uint64_t client_key;
    uint64_t server_key;
    uint32_t client_token;
    uint32_t server_token;
    uint64_t client_idsn;
    uint64_t server_idsn;
} mptcpv_conn_facts;

#define MPTCPV_MAX_REMOVED_SUBFLOWS 8

/* Why a connection fell back to plain TCP (RFC 8684 3.7). */
#define MPTCPV_FALLBACKS(X)                                                                        \
    X(NONE, "none")                                                                                \
    X(NO_SYNACK_MPC, "SYN/ACK without MP_CAPABLE")                                                 \
    X(NO_ECHO, "third ACK without MP_CAPABLE")                                                     \
    X(NO_DSS, "first data without MPTCP options (stripped?)") /* on the initial subflow */         \
    X(INFINITE_MAP, "infinite mapping")                       /* data-level length 0 */            \
    X(MP_FAIL, "MP_FAIL") /* MP_FAIL after a checksum failure, no other subflow */

typedef enum mptcpv_fallback {
#define MPTCPV_FALLBACK_ENUM(e, name) MPTCPV_FALLBACK_##e,
    MPTCPV_FALLBACKS(MPTCPV_FALLBACK_ENUM)
#undef MPTCPV_FALLBACK_ENUM
} mptcpv_fallback;

const char *mptcpv_fallback_name(mptcpv_fallback fallback);

/* How a connection ends: closing the data level (RFC 8684 3.3.3: a DATA_FIN sent, then both
 * acknowledged), or abruptly. Segment results carry it where it changes; the order is not
 * one of strength: a closed connection stays closed, a fast close replaces anything. */
#define MPTCPV_CLOSE_STATES(X)                                                                     \
    X(NONE, "open")                                                                                \
    X(CLOSING, "closing")        /* the first DATA_FIN of the connection */                        \
    X(CLOSED, "closed")          /* both DATA_FINs acknowledged (after a fallback: FINs) */        \
    X(FASTCLOSED, "fast-closed") /* MP_FASTCLOSE (RFC 8684 3.5) */                                 \
    X(RESET, "reset")            /* every subflow reset before the data level closed */

typedef enum mptcpv_close_state {
#define MPTCPV_CLOSE_ENUM(e, name) MPTCPV_CLOSE_##e,
    MPTCPV_CLOSE_STATES(MPTCPV_CLOSE_ENUM)
#undef MPTCPV_CLOSE_ENUM
} mptcpv_close_state;

/* "open", "closing", "closed", "fast-closed", "reset". */
const char *mptcpv_close_state_name(mptcpv_close_state state);

/* How a subflow ended, weakest first: a later segment with a stronger reason replaces a
 * weaker one (a RST after a FIN, say). */
#define MPTCPV_SUBFLOW_ENDS(X)                                                                     \
    X(OPEN, "open")                                                                                \
    X(END_FIN, "FIN")                /* a FIN (either direction) */                                \
    X(END_RST, "RST")                /* a RST without an MPTCP reason */                           \
    X(END_TCPRST, "MP_TCPRST")       /* a RST with MP_TCPRST (its reason kept) */                  \
    X(END_MP_FAIL, "MP_FAIL")        /* a RST with MP_FAIL: checksum failure (RFC 8684 3.7) */     \
    X(END_FASTCLOSE, "MP_FASTCLOSE") /* MP_FASTCLOSE (RFC 8684 3.5) */

typedef enum mptcpv_subflow_end {
#define MPTCPV_SUBFLOW_END_ENUM(e, name) MPTCPV_SUBFLOW_##e,
    MPTCPV_SUBFLOW_ENDS(MPTCPV_SUBFLOW_END_ENUM)
#undef MPTCPV_SUBFLOW_END_ENUM
} mptcpv_subflow_end;

/* "open", "FIN", "RST", "MP_TCPRST", "MP_FAIL", "MP_FASTCLOSE". */
const char *mptcpv_subflow_end_name(mptcpv_subflow_end end);

/* Connection events (one bit each in mptcpv_segment_result.events), as the core counts
 * them: X(enumerator suffix, name). */
#define MPTCPV_EVENTS(X)                                                                           \
    X(JOIN, "join")         /* an MP_JOIN SYN opens a subflow */                                   \
    X(ADD_ADDR, "add_addr") /* an address announced (an echo is not an event) */                   \
    X(REMOVE_ADDR, "remove_addr")                                                                  \
    X(MP_PRIO, "mp_prio")                                                                          \
    X(MP_FAIL, "mp_fail")                                                                          \
    X(FASTCLOSE, "fastclose")                                                                      \
    X(TCPRST, "tcprst")                                                                            \
    X(DATA_FIN, "data_fin") /* a host's first DATA_FIN */

typedef enum mptcpv_event {
#define MPTCPV_EVENT_ENUM(e, name) MPTCPV_EVENT_##e,
    MPTCPV_EVENTS(MPTCPV_EVENT_ENUM)
#undef MPTCPV_EVENT_ENUM
        MPTCPV_EVENT_COUNT
} mptcpv_event;

/* "join", "add_addr", ...; NULL out of range. */
const char *mptcpv_event_name(mptcpv_event event);

/* Data level of one segment (DSS). DSNs are 64-bit; "relative" = minus the sender's IDSN,
 * so a host's first data byte is 1 (RFC 8684 3.3.1). */
typedef struct mptcpv_data_result {
    /* Ordered for size: the plugin keeps one per frame with data-level information. */
    uint64_t dsn; /* 64-bit DSN of the payload's first byte */
    uint64_t relative_dsn;
    uint64_t data_ack; /* DATA_ACK expanded to 64 bits */
    uint64_t relative_data_ack;
    uint32_t mapping_frame; /* frame that carried the mapping of this payload */
    uint32_t checksum_mapping_frame;
    uint32_t reinjection_of;  /* earlier frame that sent this data on another subflow */
    uint32_t fail_answers;    /* MP_FAIL: frame whose mapping failed its checksum */
    uint32_t data_fin_ack_of; /* this DATA_ACK is the first to cover the DATA_FIN of that frame */
    /* Bytes by which this payload widens its sender's data-level stream (the DSN span the
     * capture shows, holes included): summed over a connection's frames, what each
     * application sent. 0 for TCP retransmissions and reinjections. */
    uint32_t data_bytes;
    uint32_t reinjected_bytes; /* bytes of it first sent on another subflow */
    uint8_t checksum;          /* mptcpv_verdict: DSS checksum of the mapping this completes */
    uint8_t fallback;          /* mptcpv_fallback: the connection's fallback as of this segment */
    uint8_t close;             /* mptcpv_close_state: set where the connection's state changes */
    uint8_t subflow_end;       /* mptcpv_subflow_end: set where the subflow's end changes */
    bool has_dsn;              /* the payload's first byte was mapped */
    bool has_relative_dsn;
    bool has_data_ack;
    bool has_relative_data_ack;
} mptcpv_data_result;

/* What the tracker knows about one segment. */
typedef struct mptcpv_segment_result {
    mptcpv_options options; /* decoded options and all findings (decoder and state) */
    /* Version the options were decoded with; mptcpv_options_decode() with it reproduces
     * |options| (without the tracker's findings), so callers need not store options. */
    mptcpv_version decoded_with;

    bool linked;              /* the segment belongs to a known MPTCP connection */
    uint32_t connection;      /* 0-based, in order of first appearance */
    uint32_t subflow;         /* 0-based within the connection; 0 = initial subflow */
    uint32_t subflow_count;   /* subflows of the connection known so far */
    bool initial;             /* subflow opened by MP_CAPABLE (else MP_JOIN) */
    bool backup;              /* subflow marked backup (MP_JOIN B flag or MP_PRIO) */
    bool from_client;         /* sent by the host that opened the connection */
    bool subflow_established; /* this segment completes its subflow's handshake */
    uint8_t events;           /* 1 << mptcpv_event, for each event of this segment */
    mptcpv_conn_facts facts;

    mptcpv_token_status join_token;
    mptcpv_verdict join_hmac;
    uint8_t expected_hmac_len; /* 8 (SYN/ACK), 20 (ACK) when join_hmac is good or bad */
    uint8_t expected_hmac[MPTCPV_JOIN_HMAC_LEN];
    mptcpv_verdict add_addr_hmac;
    uint64_t expected_add_addr_hmac;
    uint32_t add_addr_echo_of; /* frame of the ADD_ADDR this echo answers; 0 if none */
    mptcpv_verdict fastclose_key;
    uint8_t removed_count;
    uint32_t removed_subflows[MPTCPV_MAX_REMOVED_SUBFLOWS];

    mptcpv_data_result data; /* data level (DSS) */
} mptcpv_segment_result;

/* A new, empty tracker, owned by the caller (release it with mptcpv_tracker_free()).
 * |limits| is copied and may be NULL; a NULL |limits| or a zero member means that member's
 * default (MPTCPV_DEFAULT_*). Never returns NULL (allocation failure aborts). */
mptcpv_tracker *mptcpv_tracker_new(const mptcpv_tracker_limits *limits);

/* Free |tracker| and all it holds; NULL is allowed and does nothing. */
void mptcpv_tracker_free(mptcpv_tracker *tracker);

/* Process one segment and fill |result|, which is overwritten entirely (the caller owns it;
 * its memory need not be initialised).
 *
 * |tracker| is advanced: segments must come in capture order, each once. |segment| and the
 * bytes it points to are borrowed for the call only. The segment's options are decoded
 * with the version of its connection (mptcpv_options_decode()); findings about options
 * and about the connection's state go to result->options. A segment beyond a limit is
 * still decoded and checked as far as known state allows; result->linked is false when
 * it belongs to no tracked connection. */
void mptcpv_tracker_segment(mptcpv_tracker *tracker, const mptcpv_segment *segment,
                            mptcpv_segment_result *result);

/* Summary of one connection, for statistics and reports. */
typedef struct mptcpv_conn_summary {
    uint32_t connection;
    uint32_t first_frame;
    uint32_t subflow_count;
    mptcpv_conn_facts facts;
    mptcpv_fallback fallback;
    uint32_t established_subflows; /* of subflow_count (the others never completed) */
    uint32_t reinjections;         /* segments */
    uint64_t reinjected_bytes;
    uint64_t data_bytes_from_client; /* sum of the segments' data_bytes, per sender */
    uint64_t data_bytes_from_server;
    uint32_t checksums_good;
    uint32_t checksums_bad;
    uint32_t checksums_unverifiable; /* incl. mappings never completed in the capture */
    mptcpv_close_state close;
} mptcpv_conn_summary;

/* Summary of one subflow of a connection. */
typedef struct mptcpv_subflow_summary {
    uint32_t connection;
    uint32_t subflow;
    bool initial;
    bool backup;
    bool established; /* handshake completed: MP_CAPABLE third ACK, MP_JOIN ACK (or the
                       * capture started after it) */
    mptcpv_subflow_end end;
    uint32_t end_frame;     /* frame that set |end|; 0 while open */
    bool has_tcprst_reason; /* an MP_TCPRST was seen on the subflow */
    uint8_t tcprst_reason;
} mptcpv_subflow_summary;

/* Connections tracked so far (refused ones not counted); indices run 0..count-1. */
uint32_t mptcpv_tracker_connection_count(const mptcpv_tracker *tracker);

/* Fill |out| (caller-owned, overwritten) with connection |connection| as known now, and
 * return true; return false, leaving |out| untouched, if there is no such connection.
 * Mappings still waiting for bytes count as checksums_unverifiable. */
bool mptcpv_tracker_connection(const mptcpv_tracker *tracker, uint32_t connection,
                               mptcpv_conn_summary *out);

/* Fill |out| (caller-owned, overwritten) with subflow |subflow| of |connection| and
 * return true; return false, leaving |out| untouched, if there is no such subflow. */
bool mptcpv_tracker_subflow(const mptcpv_tracker *tracker, uint32_t connection, uint32_t subflow,
                            mptcpv_subflow_summary *out);

/* Copy the limits in effect (defaults filled in) into |out|. */
void mptcpv_tracker_get_limits(const mptcpv_tracker *tracker, mptcpv_tracker_limits *out);

/* Fill |out| with what the tracker holds now and the refusals counted so far; state_bytes
 * is an estimate. Walks every connection: for statistics and tests, not per packet. */
void mptcpv_tracker_get_usage(const mptcpv_tracker *tracker, mptcpv_tracker_usage *out);

#ifdef __cplusplus
}
#endif

#endif /* MPTCPV_TRACKER_H */
