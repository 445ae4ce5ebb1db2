/* Shared by the tracker's unit tests (test_tracker.c, test_conn_*.c, test_limits.c): every
 * option and segment builder, hosts, keys, handshakes, and a tracker fed one segment at a
 * time. */
#ifndef MPTCPV_TRACKER_FIXTURE_H
#define MPTCPV_TRACKER_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mptcpv/tracker.h"

/* One TCP options block under construction. */
typedef struct opts {
    uint8_t b[40];
    size_t n;
} opts;

void put64(uint8_t *p, uint64_t v); /* big-endian */
void put32(uint8_t *p, uint32_t v);

/* A tracker and the result of the last segment; frames are numbered from 1. */
typedef struct world {
    mptcpv_tracker *t;
    uint32_t frame;
    mptcpv_segment_result r;
} world;

/* |limits| may be NULL (defaults). */
void world_init(world *w, const mptcpv_tracker_limits *limits);

/* Feed the next segment; |o| may be NULL; |captured| of the |len| payload bytes. */
const mptcpv_segment_result *world_send(world *w, mptcpv_endpoint src, mptcpv_endpoint dst,
                                        uint8_t flags, uint32_t seq, uint32_t ack, const opts *o,
                                        const uint8_t *payload, uint32_t len, uint32_t captured);

/* Findings of |rule| in |r|. */
int count_rule(const mptcpv_segment_result *r, mptcpv_rule_id rule);

/* Keys of seed 000 (shared/spec/mptcp-reference.md section 4): A the client's, B the
 * server's. */
#define KEY_A 0x96e576198c475350ull
#define KEY_B 0xd7b705e4d86c1a66ull
#define SYN   MPTCPV_TCP_SYN
#define ACK   MPTCPV_TCP_ACK
#define RST   MPTCPV_TCP_RST

/* Option builders: each appends one option to |o| (checked against its 40 bytes). */
void put(opts *o, const uint8_t *p, size_t n);
/* MP_CAPABLE: 4 (v1 SYN), 12 (one key), 20 (two keys), 22/24 (v1 with data, |data_len| >= 0,
 * checksum if |csum| >= 0). */
void mpc(opts *o, uint8_t version, uint8_t flags, int nkeys, uint64_t k1, uint64_t k2, int data_len,
         int csum);
void join_syn(opts *o, uint8_t id, uint32_t token, uint32_t nonce, int backup);
void join_synack(opts *o, uint8_t id, uint64_t hmac, uint32_t nonce);
void join_ack(opts *o, const char *hex40); /* 20-byte HMAC in hex */
/* DSS with 8-byte DATA_ACK (if ack != 0) and 8-byte DSN mapping (if len >= 0). */
void dss64(opts *o, uint64_t ack, uint64_t dsn, uint32_t ssn, int len, int csum, int fin);
/* DSS with 4-byte DATA_ACK and 4-byte DSN mapping (if len >= 0). */
void dss32(opts *o, uint32_t ack, uint32_t dsn, uint32_t ssn, int len);
void raw(opts *o, const uint8_t *b, size_t n);
void mp_fail(opts *o, uint64_t dsn);
void mp_tcprst(opts *o, uint8_t reason);

/* The same builders as values, one option each (test_limits.c): v1 MP_CAPABLE with flag H
 * (and A if |csum|), MP_JOIN SYN with address id 1, DSS with a 64-bit mapping only. */
opts opts_mpc_v1(int nkeys, uint64_t k1, uint64_t k2, int csum);
opts opts_join_syn(uint32_t token, uint32_t nonce);
opts opts_dss_map(uint64_t dsn, uint32_t ssn, uint16_t len, int csum);

/* Hosts: 192.0.2.|last|:|port| (the scenarios), 10.a.b.c:|port| with a.b.c = |host|
 * (24 bits, the limit tests' many clients). */
mptcpv_endpoint ep(uint8_t last, uint16_t port);
mptcpv_endpoint ep_host(uint32_t host, uint16_t port);

#define CLIENT  ep(1, 40000)
#define CLIENT2 ep(2, 40001)
#define SERVER  ep(100, 47001)
#define ISN_C   1000u
#define ISN_S   5000u

/* A segment whose payload is a string (NULL: none); |captured| < 0: all of it. */
const mptcpv_segment_result *send_text(world *w, mptcpv_endpoint src, mptcpv_endpoint dst,
                                       uint8_t flags, uint32_t seq, uint32_t ack, const opts *o,
                                       const char *payload, int captured);
/* A segment with |len| payload bytes, all captured. */
const mptcpv_segment_result *send_bytes(world *w, mptcpv_endpoint src, mptcpv_endpoint dst,
                                        uint8_t flags, uint32_t seq, uint32_t ack, const opts *o,
                                        const uint8_t *payload, uint32_t len);

/* Handshakes between CLIENT and SERVER: v0 (flags e.g. A|H), v1 (third ACK with both keys). */
void handshake_v0(world *w, uint8_t flags);
void handshake_v1(world *w, uint8_t flags);
/* Spec 4.3, v1: A (client, second address) joins with ID 2, B answers with ID 0 and
 * |synack_hmac|; checks the token found, subflow 1 and the join event. */
void join_v1(world *w, uint64_t synack_hmac);

/* Decode the options block written in |hex| (at most 64 bytes) as |version| into |out|. */
void decode_hex(const char *hex, mptcpv_version version, mptcpv_options *out);

#endif /* MPTCPV_TRACKER_FIXTURE_H */
