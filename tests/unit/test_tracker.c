/*
 * Connection tracker scenarios built segment by segment: linking, keys, HMACs, data-level
 * checks. Keys, nonces and checksums are the vectors of shared/spec/mptcp-reference.md
 * section 4 (seed 000 keys), so every "good" verdict here is an independent check.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mptcpv/tracker.h"
#include "tracker_fixture.h"

#define KEY_A 0x96e576198c475350ull
#define KEY_B 0xd7b705e4d86c1a66ull
#define SYN MPTCPV_TCP_SYN
#define ACK MPTCPV_TCP_ACK
#define RST MPTCPV_TCP_RST

static void put(opts *o, const uint8_t *p, size_t n)
{
    ck_assert_uint_le(o->n + n, sizeof(o->b));
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

/* MP_CAPABLE: 4 (v1 SYN), 12 (one key), 20 (two keys), 22/24 (v1 with data). */
static void mpc(opts *o, uint8_t version, uint8_t flags, int nkeys, uint64_t k1, uint64_t k2,
                int data_len, int csum)
{
    uint8_t b[24] = {30, 4, (uint8_t)version, flags};
    size_t n = 4;
    if (nkeys >= 1) {
        put64(b + 4, k1);
        n = 12;
    }
    if (nkeys >= 2) {
        put64(b + 12, k2);
        n = 20;
    }
    if (data_len >= 0) {
        b[20] = (uint8_t)(data_len >> 8);
        b[21] = (uint8_t)data_len;
        n = 22;
        if (csum >= 0) {
            b[22] = (uint8_t)(csum >> 8);
            b[23] = (uint8_t)csum;
            n = 24;
        }
    }
    b[1] = (uint8_t)n;
    put(o, b, n);
}

static void join_syn(opts *o, uint8_t id, uint32_t token, uint32_t nonce, int backup)
{
    uint8_t b[12] = {30, 12, (uint8_t)(0x10 | (backup ? 1 : 0)), id};
    put32(b + 4, token);
    put32(b + 8, nonce);
    put(o, b, 12);
}

static void join_synack(opts *o, uint8_t id, uint64_t hmac, uint32_t nonce)
{
    uint8_t b[16] = {30, 16, 0x10, id};
    put64(b + 4, hmac);
    put32(b + 12, nonce);
    put(o, b, 16);
}

static void join_ack(opts *o, const char *hex40)
{
    uint8_t b[24] = {30, 24, 0x10, 0};
    for (int i = 0; i < 20; i++) {
        unsigned v;
        sscanf(hex40 + 2 * i, "%2x", &v);
        b[4 + i] = (uint8_t)v;
    }
    put(o, b, 24);
}

/* DSS with 8-byte DATA_ACK (if ack != 0) and 8-byte DSN mapping (if len >= 0). */
static void dss64(opts *o, uint64_t ack, uint64_t dsn, uint32_t ssn, int len, int csum, int fin)
{
    uint8_t b[28] = {30, 4, 0x20, 0};
    size_t n = 4;
    if (ack != 0) {
        b[3] |= 0x03;
        put64(b + n, ack);
        n += 8;
    }
    if (len >= 0) {
        b[3] |= 0x0c;
        put64(b + n, dsn);
        put32(b + n + 8, ssn);
        b[n + 12] = (uint8_t)(len >> 8);
        b[n + 13] = (uint8_t)len;
        n += 14;
        if (csum >= 0) {
            b[n] = (uint8_t)(csum >> 8);
            b[n + 1] = (uint8_t)csum;
            n += 2;
        }
    }
    if (fin)
        b[3] |= 0x10;
    b[1] = (uint8_t)n;
    put(o, b, n);
}

static void dss32(opts *o, uint32_t ack, uint32_t dsn, uint32_t ssn, int len)
{
    uint8_t b[20] = {30, 4, 0x20, 0x01};
    put32(b + 4, ack);
    size_t n = 8;
    if (len >= 0) {
        b[3] |= 0x04;
        put32(b + 8, dsn);
        put32(b + 12, ssn);
        b[16] = (uint8_t)(len >> 8);
        b[17] = (uint8_t)len;
        n = 18;
    }
    b[1] = (uint8_t)n;
    put(o, b, n);
}

static void raw(opts *o, const uint8_t *b, size_t n)
{
    put(o, b, n);
}

/* Hosts: the client's two addresses and the server's one. */
static mptcpv_endpoint ep(uint8_t last, uint16_t port)
{
    mptcpv_endpoint e;
    memset(&e, 0, sizeof(e));
    e.family = 4;
    e.addr[0] = 192;
    e.addr[1] = 0;
    e.addr[2] = 2;
    e.addr[3] = last;
    e.port = port;
    return e;
}

/* A segment whose payload is a string; |captured| < 0: all of it. */
static const mptcpv_segment_result *send(world *w, mptcpv_endpoint src, mptcpv_endpoint dst,
                                         uint8_t flags, uint32_t seq, uint32_t ack,
                                         const opts *o, const char *payload, int captured)
{
    uint32_t len = payload != NULL ? (uint32_t)strlen(payload) : 0;
    return world_send(w, src, dst, flags, seq, ack, o, (const uint8_t *)payload, len,
                      captured >= 0 ? (uint32_t)captured : len);
}

#define CLIENT ep(1, 40000)
#define CLIENT2 ep(2, 40001)
#define SERVER ep(100, 47001)
#define ISN_C 1000u
#define ISN_S 5000u

/* v0 handshake, checksum requested by the client (flags A|H). */
static void handshake_v0(world *w, uint8_t flags)
{
    opts o = {0};
    mpc(&o, 0, flags, 1, KEY_A, 0, -1, -1);
    send(w, CLIENT, SERVER, SYN, ISN_C, 0, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 0, flags, 1, KEY_B, 0, -1, -1);
    send(w, SERVER, CLIENT, SYN | ACK, ISN_S, ISN_C + 1, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 0, flags, 2, KEY_A, KEY_B, -1, -1);
    send(w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
}

/* v1 handshake; the third ACK carries both keys. */
static void handshake_v1(world *w, uint8_t flags)
{
    opts o = {0};
    mpc(&o, 1, flags, 0, 0, 0, -1, -1);
    send(w, CLIENT, SERVER, SYN, ISN_C, 0, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 1, flags, 1, KEY_B, 0, -1, -1);
    send(w, SERVER, CLIENT, SYN | ACK, ISN_S, ISN_C + 1, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 1, flags, 2, KEY_A, KEY_B, -1, -1);
    send(w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
}

START_TEST(test_v0_handshake_links_and_derives)
{
    world w;
    world_init(&w, NULL);
    handshake_v0(&w, 0x81);
    const mptcpv_segment_result *r = &w.r;
    ck_assert(r->linked);
    ck_assert_uint_eq(r->connection, 0);
    ck_assert_uint_eq(r->subflow, 0);
    ck_assert(r->initial);
    ck_assert(r->from_client);
    ck_assert_int_eq(r->facts.version, MPTCPV_VERSION_0);
    ck_assert(r->facts.checksum_known && r->facts.checksum);
    ck_assert_uint_eq(r->facts.client_token, 0xa421f0da);
    ck_assert_uint_eq(r->facts.server_token, 0x4c4d4173);
    ck_assert_uint_eq(r->options.finding_count, 0);
    mptcpv_conn_summary sum;
    ck_assert(mptcpv_tracker_connection(w.t, 0, &sum));
    ck_assert_uint_eq(sum.subflow_count, 1);
    ck_assert_uint_eq(mptcpv_tracker_connection_count(w.t), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* Seed 000: 32-bit DSN and DATA_ACK; the first data byte has relative DSN 1. */
START_TEST(test_seed000_relative_numbers)
{
    world w;
    world_init(&w, NULL);
    handshake_v0(&w, 0x01);
    opts o = {0};
    dss32(&o, 2248627404u, 3845908739u, 1, 5);
    const mptcpv_segment_result *r =
        send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    ck_assert(r->data.has_relative_dsn);
    ck_assert_uint_eq(r->data.relative_dsn, 1);
    ck_assert_uint_eq(r->data.dsn, 0xf731ee0be53be903ull);
    ck_assert(r->data.has_relative_data_ack);
    ck_assert_uint_eq(r->data.relative_data_ack, 1);
    ck_assert_uint_eq(r->data.mapping_frame, w.frame);
    ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_NONE); /* none negotiated */
    ck_assert_uint_eq(r->options.finding_count, 0);
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_key_mismatch)
{
    world w;
    world_init(&w, NULL);
    opts o = {0};
    mpc(&o, 0, 0x01, 1, KEY_A, 0, -1, -1);
    send(&w, CLIENT, SERVER, SYN, ISN_C, 0, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 0, 0x01, 1, KEY_B, 0, -1, -1);
    send(&w, SERVER, CLIENT, SYN | ACK, ISN_S, ISN_C + 1, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 0, 0x01, 2, KEY_A, KEY_B ^ 1, -1, -1);
    const mptcpv_segment_result *r =
        send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_HANDSHAKE_KEY_MISMATCH), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_echo_missing_falls_back)
{
    world w;
    world_init(&w, NULL);
    opts o = {0};
    mpc(&o, 1, 0x01, 0, 0, 0, -1, -1);
    send(&w, CLIENT, SERVER, SYN, ISN_C, 0, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 1, 0x01, 1, KEY_B, 0, -1, -1);
    send(&w, SERVER, CLIENT, SYN | ACK, ISN_S, ISN_C + 1, &o, NULL, -1);
    const mptcpv_segment_result *r =
        send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, NULL, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_HANDSHAKE_ECHO_MISSING), 1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_CONNECTION_FALLBACK), 1);
    ck_assert_int_eq(r->data.fallback, MPTCPV_FALLBACK_NO_ECHO);
    /* Later data without options is plain TCP now: no mapping_missing. */
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, NULL, "data", -1);
    ck_assert_uint_eq(r->options.finding_count, 0);
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_server_without_mptcp)
{
    world w;
    world_init(&w, NULL);
    opts o = {0};
    mpc(&o, 1, 0x01, 0, 0, 0, -1, -1);
    send(&w, CLIENT, SERVER, SYN, ISN_C, 0, &o, NULL, -1);
    const mptcpv_segment_result *r =
        send(&w, SERVER, CLIENT, SYN | ACK, ISN_S, ISN_C + 1, NULL, NULL, -1);
    ck_assert_int_eq(r->data.fallback, MPTCPV_FALLBACK_NO_SYNACK_MPC);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_CONNECTION_FALLBACK), 1);
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, NULL, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_HANDSHAKE_ECHO_MISSING), 0);
    /* RFC 8684 3.7: the TCP stream is the connection's data now. */
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, NULL, "hello", -1);
    ck_assert_uint_eq(r->data.data_bytes, 5);
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 3, ISN_S + 1, NULL, "llo!", -1); /* 1 new */
    ck_assert_uint_eq(r->data.data_bytes, 1);
    mptcpv_conn_summary sum;
    ck_assert(mptcpv_tracker_connection(w.t, 0, &sum));
    ck_assert_uint_eq(sum.data_bytes_from_client, 6);
    ck_assert_uint_eq(sum.established_subflows, 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_version_mismatch)
{
    world w;
    world_init(&w, NULL);
    opts o = {0};
    mpc(&o, 0, 0x01, 1, KEY_A, 0, -1, -1);
    send(&w, CLIENT, SERVER, SYN, ISN_C, 0, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 1, 0x01, 1, KEY_B, 0, -1, -1);
    const mptcpv_segment_result *r =
        send(&w, SERVER, CLIENT, SYN | ACK, ISN_S, ISN_C + 1, &o, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_HANDSHAKE_VERSION_MISMATCH), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* Spec 4.3, v1: A (client, second address) joins with ID 2, B answers with ID 0. */
static void join_v1(world *w, uint64_t synack_hmac)
{
    opts o = {0};
    join_syn(&o, 2, 0xd62a7033, 0x01020304, 0);
    send(w, CLIENT2, SERVER, SYN, 7000, 0, &o, NULL, -1);
    ck_assert_int_eq(w->r.join_token, MPTCPV_TOKEN_FOUND);
    ck_assert_uint_eq(w->r.subflow, 1);
    ck_assert_uint_eq(w->r.events, 1u << MPTCPV_EVENT_JOIN);
    send(w, CLIENT2, SERVER, SYN, 7000, 0, &o, NULL, -1); /* retransmitted: no new join */
    ck_assert_uint_eq(w->r.events, 0);
    o.n = 0;
    join_synack(&o, 0, synack_hmac, 0x0a0b0c0d);
    send(w, SERVER, CLIENT2, SYN | ACK, 9000, 7001, &o, NULL, -1);
}

START_TEST(test_join_hmacs_good)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    join_v1(&w, 0x767c7234a22efa71ull);
    ck_assert_int_eq(w.r.join_hmac, MPTCPV_VERDICT_GOOD);
    ck_assert_uint_eq(w.r.expected_hmac_len, 8);
    opts o = {0};
    join_ack(&o, "01ca6f18fe8b9163c33054d30d49eb653083d952");
    const mptcpv_segment_result *r = send(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, NULL, -1);
    ck_assert_int_eq(r->join_hmac, MPTCPV_VERDICT_GOOD);
    ck_assert_uint_eq(r->connection, 0);
    ck_assert_uint_eq(r->subflow, 1);
    ck_assert_uint_eq(r->subflow_count, 2);
    ck_assert(!r->initial);
    ck_assert_uint_eq(r->options.finding_count, 0);
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_join_hmacs_bad)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    join_v1(&w, 0x767c7234a22efa70ull);
    ck_assert_int_eq(w.r.join_hmac, MPTCPV_VERDICT_BAD);
    ck_assert_int_eq(count_rule(&w.r, MPTCPV_RULE_JOIN_HMAC_BAD), 1);
    opts o = {0};
    join_ack(&o, "01ca6f18fe8b9163c33054d30d49eb653083d953");
    const mptcpv_segment_result *r = send(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_JOIN_HMAC_BAD), 1);
    /* Both values whole: they differ in the last digit only. */
    ck_assert_str_eq(r->options.findings[0].detail,
                     "third-ACK HMAC 01ca6f18fe8b9163c33054d30d49eb653083d953 differs from the "
                     "expected 01ca6f18fe8b9163c33054d30d49eb653083d952");
    /* The server refuses the subflow: it never was established; subflow 0 goes on. */
    r = send(&w, SERVER, CLIENT2, RST, 9001, 0, NULL, NULL, -1);
    ck_assert_int_eq(r->data.subflow_end, MPTCPV_SUBFLOW_END_RST);
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_NONE);
    mptcpv_subflow_summary sf;
    ck_assert(mptcpv_tracker_subflow(w.t, 0, 1, &sf));
    ck_assert(!sf.established);
    ck_assert_int_eq(sf.end, MPTCPV_SUBFLOW_END_RST);
    ck_assert(mptcpv_tracker_subflow(w.t, 0, 0, &sf));
    ck_assert(sf.established);
    ck_assert_int_eq(sf.end, MPTCPV_SUBFLOW_OPEN);
    ck_assert(!mptcpv_tracker_subflow(w.t, 0, 2, &sf));
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_join_token_unknown_and_unverifiable)
{
    world w;
    world_init(&w, NULL);
    opts o = {0};
    join_syn(&o, 2, 0x12345678, 1, 0);
    const mptcpv_segment_result *r = send(&w, CLIENT2, SERVER, SYN, 7000, 0, &o, NULL, -1);
    ck_assert_int_eq(r->join_token, MPTCPV_TOKEN_UNVERIFIABLE); /* no handshake at all */
    ck_assert_uint_eq(r->options.finding_count, 0);
    handshake_v1(&w, 0x01);
    o.n = 0;
    join_syn(&o, 3, 0x87654321, 1, 0);
    r = send(&w, ep(3, 40002), SERVER, SYN, 7000, 0, &o, NULL, -1);
    ck_assert_int_eq(r->join_token, MPTCPV_TOKEN_UNKNOWN);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_JOIN_TOKEN_UNKNOWN), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_fastclose_key)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    uint8_t good[12] = {30, 12, 0x70, 0};
    put64(good + 4, KEY_B); /* the receiver's (server's) key */
    opts o = {0};
    raw(&o, good, 12);
    const mptcpv_segment_result *r =
        send(&w, CLIENT, SERVER, ACK | RST, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
    ck_assert_int_eq(r->fastclose_key, MPTCPV_VERDICT_GOOD);
    ck_assert_uint_eq(r->events, 1u << MPTCPV_EVENT_FASTCLOSE);
    ck_assert_int_eq(r->data.subflow_end, MPTCPV_SUBFLOW_END_FASTCLOSE);
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_FASTCLOSED);
    put64(good + 4, KEY_A); /* its own key: wrong */
    o.n = 0;
    raw(&o, good, 12);
    r = send(&w, CLIENT, SERVER, ACK | RST, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
    ck_assert_int_eq(r->fastclose_key, MPTCPV_VERDICT_BAD);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_FASTCLOSE_KEY_BAD), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* Spec 4.4: ADD_ADDR from the server, ID 1, 192.0.2.1, no port. */
static const mptcpv_segment_result *add_addr(world *w, uint64_t hmac)
{
    uint8_t b[16] = {30, 16, 0x30, 1, 192, 0, 2, 1};
    put64(b + 8, hmac);
    opts o = {0};
    raw(&o, b, 16);
    return send(w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 1, &o, NULL, -1);
}

START_TEST(test_add_addr_hmac)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    const mptcpv_segment_result *r = add_addr(&w, 0xe51b95dee3c56af5ull);
    ck_assert_int_eq(r->add_addr_hmac, MPTCPV_VERDICT_GOOD);
    ck_assert_uint_eq(r->events, 1u << MPTCPV_EVENT_ADD_ADDR);
    uint32_t announce_frame = w.frame;
    r = add_addr(&w, 0xe51b95dee3c56af4ull);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_ADD_ADDR_HMAC_BAD), 1);
    r = add_addr(&w, 0x61fbe13619804978ull);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_ADD_ADDR_HMAC_LEGACY), 1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_ADD_ADDR_HMAC_BAD), 0);
    /* The client's echo points back at an announcement. */
    uint8_t echo[8] = {30, 8, 0x31, 1, 192, 0, 2, 1};
    opts o = {0};
    raw(&o, echo, 8);
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
    ck_assert_uint_ge(r->add_addr_echo_of, announce_frame);
    ck_assert_uint_eq(r->events, 0); /* an echo is no event */
    uint8_t remove[4] = {30, 4, 0x40, 1};
    uint8_t prio[3] = {30, 3, 0x51};
    o.n = 0;
    raw(&o, remove, 4);
    raw(&o, prio, 3);
    r = send(&w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 1, &o, NULL, -1);
    ck_assert_uint_eq(r->events, (1u << MPTCPV_EVENT_REMOVE_ADDR) | (1u << MPTCPV_EVENT_MP_PRIO));
    ck_assert_str_eq(mptcpv_event_name(MPTCPV_EVENT_REMOVE_ADDR), "remove_addr");
    ck_assert_ptr_null(mptcpv_event_name(MPTCPV_EVENT_COUNT));
    mptcpv_tracker_free(w.t);
}
END_TEST

/* Spec 4.5: v1 MP_CAPABLE with data and checksum 0x1a85, then a corrupted copy. */
START_TEST(test_mpc_data_checksum)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x81);
    opts o = {0};
    mpc(&o, 1, 0x81, 2, KEY_A, KEY_B, 18, 0x1a85);
    const mptcpv_segment_result *r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o,
                                          "GET / HTTP/1.0\r\n\r\n", -1);
    ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_GOOD);
    ck_assert_uint_eq(r->data.relative_dsn, 1);
    mptcpv_tracker_free(w.t);

    world_init(&w, NULL);
    handshake_v1(&w, 0x81);
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "GET / HTTP/1.1\r\n\r\n", -1);
    ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_BAD);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_CHECKSUM_BAD), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* Spec 4.5, v1 "hello" (0xb55f) in two segments, in order, reversed, and cut by snaplen. */
START_TEST(test_dss_checksum_across_segments)
{
    const uint64_t dsn = 0x7f04667f85c59b7eull;
    for (int variant = 0; variant < 3; variant++) {
        world w;
        world_init(&w, NULL);
        handshake_v1(&w, 0x81);
        opts o = {0};
        dss64(&o, 0, dsn, 1, 5, 0xb55f, 0);
        const mptcpv_segment_result *r;
        if (variant == 1) {
            r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1 + 3, ISN_S + 1, &o, "lo", -1);
            ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_NONE);
            r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hel", -1);
        } else {
            r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hel", -1);
            ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_NONE);
            r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1 + 3, ISN_S + 1, &o, "lo",
                     variant == 2 ? 1 : -1);
        }
        ck_assert_int_eq(r->data.checksum,
                         variant == 2 ? MPTCPV_VERDICT_UNVERIFIABLE : MPTCPV_VERDICT_GOOD);
        ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_CHECKSUM_BAD), 0);
        /* A retransmission of covered bytes changes nothing. */
        r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hel", -1);
        ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_NONE);
        ck_assert_uint_eq(r->options.finding_count, 0);
        mptcpv_tracker_free(w.t);
    }
}
END_TEST

START_TEST(test_checksum_missing_and_unexpected)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x81);
    opts o = {0};
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 5, -1, 0);
    const mptcpv_segment_result *r =
        send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_CHECKSUM_MISSING), 1);
    mptcpv_tracker_free(w.t);

    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 5, 0xb55f, 0);
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_CHECKSUM_UNEXPECTED), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_mapping_missing_and_conflict)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    opts o = {0};
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 5, -1, 0);
    send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    ck_assert_uint_eq(w.r.options.finding_count, 0);
    /* New bytes right after, with a DSS that maps nothing. */
    o.n = 0;
    dss64(&o, 0x659b9ef493fd0220ull, 0, 0, -1, -1, 0);
    const mptcpv_segment_result *r =
        send(&w, CLIENT, SERVER, ACK, ISN_C + 6, ISN_S + 1, &o, "world", -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_MAPPING_MISSING), 1);
    /* The first bytes mapped again to another DSN. */
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull + 100, 1, 5, -1, 0);
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_MAPPING_CONFLICT), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_reinjection_across_subflows)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    join_v1(&w, 0x767c7234a22efa71ull);
    opts o = {0};
    join_ack(&o, "01ca6f18fe8b9163c33054d30d49eb653083d952");
    send(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, NULL, -1);
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 5, -1, 0);
    send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    uint32_t original = w.frame;
    ck_assert_uint_eq(w.r.data.reinjection_of, 0);
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 5, -1, 0);
    const mptcpv_segment_result *r = send(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, "hello", -1);
    ck_assert_uint_eq(r->data.reinjection_of, original);
    ck_assert_uint_eq(r->data.reinjected_bytes, 5);
    ck_assert_uint_eq(r->data.data_bytes, 0);
    ck_assert_uint_eq(r->subflow, 1);
    /* Half new: 3 bytes again, 4 new. */
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull + 2, 6, 7, -1, 0);
    r = send(&w, CLIENT2, SERVER, ACK, 7006, 9001, &o, "llo, wo", -1);
    ck_assert_uint_eq(r->data.reinjection_of, original);
    ck_assert_uint_eq(r->data.reinjected_bytes, 3);
    ck_assert_uint_eq(r->data.data_bytes, 4);
    mptcpv_conn_summary sum;
    ck_assert(mptcpv_tracker_connection(w.t, 0, &sum));
    ck_assert_uint_eq(sum.reinjections, 2);
    ck_assert_uint_eq(sum.reinjected_bytes, 8);
    ck_assert_uint_eq(sum.data_bytes_from_client, 9);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* Seen in a kernel capture with loss on both paths: subflow 0 sends DSN 0..9; subflow 1
 * reinjects 5..9 (its own segmentation); subflow 0's TCP retransmits its own 0..9. That
 * retransmission is no reinjection (of subflow 1's frame), and neither is subflow 1's TCP
 * retransmission of its reinjection: only bytes new on a subflow can be reinjected. */
START_TEST(test_tcp_retransmission_is_no_reinjection)
{
    const uint64_t dsn = 0x7f04667f85c59b7eull;
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    join_v1(&w, 0x767c7234a22efa71ull);
    opts o = {0};
    join_ack(&o, "01ca6f18fe8b9163c33054d30d49eb653083d952");
    send(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, NULL, -1);
    o.n = 0;
    dss64(&o, 0, dsn, 1, 10, -1, 0);
    send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "0123456789", -1);
    uint32_t original = w.frame;
    o.n = 0;
    dss64(&o, 0, dsn + 5, 1, 5, -1, 0);
    const mptcpv_segment_result *r = send(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, "56789", -1);
    ck_assert_uint_eq(r->data.reinjection_of, original);
    /* Subflow 0 retransmits its segment. */
    o.n = 0;
    dss64(&o, 0, dsn, 1, 10, -1, 0);
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "0123456789", -1);
    ck_assert_uint_eq(r->data.reinjection_of, 0);
    ck_assert_uint_eq(r->data.relative_dsn, 1);
    /* Subflow 1 retransmits its reinjection. */
    o.n = 0;
    dss64(&o, 0, dsn + 5, 1, 5, -1, 0);
    r = send(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, "56789", -1);
    ck_assert_uint_eq(r->data.reinjection_of, 0);
    /* A segment with old and new bytes is judged on its new ones. Subflow 0 sends DSN
     * 10..14 of a 10-byte mapping; subflow 1 sends 15..19 first (y), then reinjects 12..14
     * (x); subflow 0 resends 12..14 with 15..19 new: a reinjection of y, not of x. */
    o.n = 0;
    dss64(&o, 0, dsn + 10, 11, 10, -1, 0);
    send(&w, CLIENT, SERVER, ACK, ISN_C + 11, ISN_S + 1, &o, "abcde", -1);
    uint32_t a = w.frame;
    o.n = 0;
    dss64(&o, 0, dsn + 15, 6, 5, -1, 0);
    r = send(&w, CLIENT2, SERVER, ACK, 7006, 9001, &o, "fghij", -1);
    ck_assert_uint_eq(r->data.reinjection_of, 0);
    uint32_t y = w.frame;
    o.n = 0;
    dss64(&o, 0, dsn + 12, 11, 3, -1, 0);
    r = send(&w, CLIENT2, SERVER, ACK, 7011, 9001, &o, "cde", -1);
    ck_assert_uint_eq(r->data.reinjection_of, a);
    o.n = 0;
    dss64(&o, 0, dsn + 10, 11, 10, -1, 0);
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 13, ISN_S + 1, &o, "cdefghij", -1);
    ck_assert_uint_eq(r->data.reinjection_of, y);
    ck_assert_uint_eq(r->options.finding_count, 0);
    mptcpv_conn_summary sum;
    ck_assert(mptcpv_tracker_connection(w.t, 0, &sum));
    ck_assert_uint_eq(sum.reinjections, 3);
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_data_fin_and_infinite_mapping)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    uint8_t fin_only[8] = {30, 8, 0x20, 0x11, 0, 0, 0, 1}; /* F + 32-bit DATA_ACK, no M */
    opts o = {0};
    raw(&o, fin_only, 8);
    const mptcpv_segment_result *r =
        send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_DATA_FIN_INVALID), 1);
    /* A proper data-less DATA_FIN: SSN 0, length 1. */
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull, 0, 1, -1, 1);
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_DATA_FIN_INVALID), 0);
    /* Infinite mapping: fallback. */
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 0, -1, 0);
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    ck_assert_int_eq(r->data.fallback, MPTCPV_FALLBACK_INFINITE_MAP);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* RFC 8684 3.3.3: closing, then closed once both DATA_FINs are acknowledged. */
START_TEST(test_data_fin_close_state)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    uint64_t cidsn = w.r.facts.client_idsn, sidsn = w.r.facts.server_idsn;
    opts o = {0};
    dss64(&o, sidsn + 1, cidsn + 1, 1, 6, -1, 1); /* "hello" and the DATA_FIN */
    const mptcpv_segment_result *r =
        send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    uint32_t client_fin = w.frame;
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_CLOSING);
    ck_assert_uint_eq(r->events, 1u << MPTCPV_EVENT_DATA_FIN);
    ck_assert_uint_eq(r->data.data_bytes, 5); /* the DATA_FIN takes a DSN, not a byte */
    o.n = 0;
    dss64(&o, cidsn + 6, 0, 0, -1, -1, 0); /* the data, not yet the DATA_FIN */
    r = send(&w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 6, &o, NULL, -1);
    ck_assert_uint_eq(r->data.data_fin_ack_of, 0);
    o.n = 0;
    dss64(&o, cidsn + 7, sidsn + 1, 0, 1, -1, 1); /* acks it; the server's DATA_FIN */
    r = send(&w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 6, &o, NULL, -1);
    uint32_t server_fin = w.frame;
    ck_assert_uint_eq(r->events, 1u << MPTCPV_EVENT_DATA_FIN);
    ck_assert_uint_eq(r->data.data_fin_ack_of, client_fin);
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_NONE);
    r = send(&w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 6, &o, NULL, -1);
    ck_assert_uint_eq(r->events, 0); /* the DATA_FIN again: not a first */
    o.n = 0;
    dss64(&o, sidsn + 2, 0, 0, -1, -1, 0);
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 6, ISN_S + 1, &o, NULL, -1);
    ck_assert_uint_eq(r->data.data_fin_ack_of, server_fin);
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_CLOSED);
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 6, ISN_S + 1, &o, NULL, -1);
    ck_assert_uint_eq(r->data.data_fin_ack_of, 0);
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_NONE);
    mptcpv_tracker_free(w.t);
}
END_TEST

static void mp_fail(opts *o, uint64_t dsn)
{
    uint8_t b[12] = {30, 12, 0x60, 0};
    put64(b + 4, dsn);
    put(o, b, 12);
}

static void mp_tcprst(opts *o, uint8_t reason)
{
    uint8_t b[4] = {30, 4, 0x80, reason};
    put(o, b, 4);
}

/* v1 with checksums, subflow 1 joined and acknowledged by the server. */
static void two_subflows_checksummed(world *w)
{
    handshake_v1(w, 0x81);
    join_v1(w, 0x767c7234a22efa71ull);
    opts o = {0};
    join_ack(&o, "01ca6f18fe8b9163c33054d30d49eb653083d952");
    send(w, CLIENT2, SERVER, ACK, 7001, 9001, &o, NULL, -1);
    ck_assert(!w->r.subflow_established);
    /* Established once the responder acknowledges the third ACK (RFC 8684 3.2). */
    send(w, SERVER, CLIENT2, ACK, 9001, 7001, NULL, NULL, -1);
    ck_assert(w->r.subflow_established);
}

/* RFC 8684 3.7, as the Linux kernel does it (mptcp_join.sh's MP_FAIL test): the receiver
 * of a corrupted mapping resets that subflow with MP_FAIL + MP_TCPRST; the connection stays
 * MPTCP and its other subflows keep being verified. */
START_TEST(test_mp_fail_on_rst_closes_only_the_subflow)
{
    const uint64_t dsn = 0x7f04667f85c59b7eull; /* spec 4.5: "hello" at SSN 1 is 0xb55f */
    world w;
    world_init(&w, NULL);
    two_subflows_checksummed(&w);
    opts o = {0};
    dss64(&o, 0, dsn + 5, 1, 5, 0x1234, 0);
    const mptcpv_segment_result *r = send(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, "world", -1);
    ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_BAD);
    ck_assert_uint_eq(r->data.data_bytes, 5);
    uint32_t bad = w.frame;
    o.n = 0;
    mp_fail(&o, dsn + 5);
    mp_tcprst(&o, 0x06); /* middlebox interference */
    r = send(&w, SERVER, CLIENT2, RST | ACK, 9001, 7006, &o, NULL, -1);
    uint32_t reset = w.frame;
    ck_assert_uint_eq(r->events, (1u << MPTCPV_EVENT_MP_FAIL) | (1u << MPTCPV_EVENT_TCPRST));
    ck_assert_uint_eq(r->data.fail_answers, bad);
    ck_assert_int_eq(r->data.fallback, MPTCPV_FALLBACK_NONE);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_CONNECTION_FALLBACK), 0);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_SUBFLOW_FAILED), 1);
    char want[160];
    snprintf(want, sizeof(want),
             "subflow 1 reset after the checksum failure of the mapping in frame %u (DSN %llu):"
             " the connection goes on over 1 other open subflow",
             (unsigned)bad, (unsigned long long)(dsn + 5 - w.r.facts.client_idsn));
    ck_assert_str_eq(r->options.findings[0].detail, want);
    ck_assert_int_eq(r->data.subflow_end, MPTCPV_SUBFLOW_END_MP_FAIL);
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_NONE);

    /* Subflow 0's mapping is still checked. */
    o.n = 0;
    dss64(&o, 0, dsn, 1, 5, 0xb55f, 0);
    r = send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_GOOD);
    ck_assert_int_eq(r->data.fallback, MPTCPV_FALLBACK_NONE);
    ck_assert_uint_eq(r->options.finding_count, 0);
    ck_assert_uint_eq(r->data.data_bytes, 5); /* below what subflow 1 sent: widens the span */

    mptcpv_subflow_summary sf;
    ck_assert(mptcpv_tracker_subflow(w.t, 0, 1, &sf));
    ck_assert(sf.established && !sf.initial);
    ck_assert_int_eq(sf.end, MPTCPV_SUBFLOW_END_MP_FAIL);
    ck_assert_uint_eq(sf.end_frame, reset);
    ck_assert(sf.has_tcprst_reason);
    ck_assert_uint_eq(sf.tcprst_reason, 0x06);
    mptcpv_conn_summary sum;
    ck_assert(mptcpv_tracker_connection(w.t, 0, &sum));
    ck_assert_int_eq(sum.fallback, MPTCPV_FALLBACK_NONE);
    ck_assert_int_eq(sum.close, MPTCPV_CLOSE_NONE);
    ck_assert_uint_eq(sum.checksums_good, 1);
    ck_assert_uint_eq(sum.checksums_bad, 1);
    ck_assert_uint_eq(sum.established_subflows, 2);
    ck_assert_uint_eq(sum.data_bytes_from_client, 10);
    ck_assert_uint_eq(sum.data_bytes_from_server, 0);

    /* The last subflow reset before any DATA_FIN: the connection is reset. */
    r = send(&w, SERVER, CLIENT, RST | ACK, ISN_S + 1, ISN_C + 6, NULL, NULL, -1);
    ck_assert_int_eq(r->data.subflow_end, MPTCPV_SUBFLOW_END_RST);
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_RESET);
    ck_assert(mptcpv_tracker_connection(w.t, 0, &sum));
    ck_assert_int_eq(sum.close, MPTCPV_CLOSE_RESET);
    ck_assert_str_eq(mptcpv_close_state_name(sum.close), "reset");
    ck_assert_str_eq(mptcpv_subflow_end_name(MPTCPV_SUBFLOW_END_MP_FAIL), "MP_FAIL");
    mptcpv_tracker_free(w.t);
}
END_TEST

/* RFC 8684 3.7: on a single subflow, MP_FAIL without RST means fallback (then an infinite
 * mapping); with RST it resets the only subflow, which resets the connection. */
START_TEST(test_mp_fail_single_subflow)
{
    const uint64_t dsn = 0x7f04667f85c59b7eull;
    for (int with_rst = 0; with_rst < 2; with_rst++) {
        world w;
        world_init(&w, NULL);
        handshake_v1(&w, 0x81);
        opts o = {0};
        dss64(&o, 0, dsn, 1, 5, 0x1234, 0);
        send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
        ck_assert_int_eq(w.r.data.checksum, MPTCPV_VERDICT_BAD);
        o.n = 0;
        mp_fail(&o, dsn);
        const mptcpv_segment_result *r = send(&w, SERVER, CLIENT, ACK | (with_rst ? RST : 0),
                                              ISN_S + 1, ISN_C + 6, &o, NULL, -1);
        ck_assert_uint_eq(r->data.fail_answers, 1 + 3);
        if (with_rst) {
            ck_assert_int_eq(r->data.fallback, MPTCPV_FALLBACK_NONE);
            ck_assert_int_eq(count_rule(r, MPTCPV_RULE_SUBFLOW_FAILED), 1);
            ck_assert_ptr_nonnull(strstr(r->options.findings[0].detail,
                                         "no other subflow is open"));
            ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_RESET);
        } else {
            ck_assert_int_eq(r->data.fallback, MPTCPV_FALLBACK_MP_FAIL);
            ck_assert_int_eq(count_rule(r, MPTCPV_RULE_CONNECTION_FALLBACK), 1);
            ck_assert_int_eq(count_rule(r, MPTCPV_RULE_SUBFLOW_FAILED), 0);
            ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_NONE);
            /* After the fallback, TCP's FINs close the connection. */
            r = send(&w, CLIENT, SERVER, ACK | MPTCPV_TCP_FIN, ISN_C + 6, ISN_S + 1, NULL,
                     NULL, -1);
            ck_assert_int_eq(r->data.subflow_end, MPTCPV_SUBFLOW_END_FIN);
            ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_CLOSED);
        }
        mptcpv_tracker_free(w.t);
    }
}
END_TEST

START_TEST(test_tuple_reuse_and_plain_tcp)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    /* A plain TCP SYN on the same 4-tuple (new ISN) ends the old subflow. */
    const mptcpv_segment_result *r = send(&w, CLIENT, SERVER, SYN, 99999, 0, NULL, NULL, -1);
    ck_assert(!r->linked);
    /* A later MPTCP connection on it is connection 1. */
    handshake_v1(&w, 0x01);
    ck_assert(w.r.linked);
    ck_assert_uint_eq(w.r.connection, 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* RFC 8684 3.3.2: the server acknowledges 10 bytes where the client sent 5. */
START_TEST(test_ack_unsent)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    opts o = {0};
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 5, -1, 0);
    send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    o.n = 0;
    dss64(&o, 0x7f04667f85c59b7eull + 5, 0, 0, -1, -1, 0); /* acks all 5: fine */
    const mptcpv_segment_result *r =
        send(&w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 6, &o, NULL, -1);
    ck_assert_uint_eq(r->options.finding_count, 0);
    ck_assert_uint_eq(r->data.relative_data_ack, 6);
    o.n = 0;
    dss64(&o, 0x7f04667f85c59b7eull + 10, 0, 0, -1, -1, 0);
    r = send(&w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 6, &o, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_ACK_UNSENT), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* Two 3-byte mappings, then one segment carrying bytes of both: merged in flight. */
START_TEST(test_coalesced_segments)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    opts o = {0};
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 3, -1, 0);
    send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "abc", -1);
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull + 3, 4, 3, -1, 0);
    send(&w, CLIENT, SERVER, ACK, ISN_C + 4, ISN_S + 1, &o, "def", -1);
    ck_assert_uint_eq(w.r.options.finding_count, 0);
    /* A retransmission of bytes 2..5 in one segment, with no option of its own. */
    const mptcpv_segment_result *r =
        send(&w, CLIENT, SERVER, ACK, ISN_C + 2, ISN_S + 1, NULL, "bcde", -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_MIDDLEBOX_COALESCED), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* A mapping for subflow bytes far from the segment that carries it. */
START_TEST(test_mapping_off_segment)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    opts o = {0};
    dss64(&o, 0, 0x7f04667f85c59b7eull, 5001, 5, -1, 0);
    const mptcpv_segment_result *r =
        send(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_MIDDLEBOX_MAPPING_OFF_SEGMENT), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

Suite *tracker_suite(void)
{
    Suite *s = suite_create("tracker");
    TCase *tc = tcase_create("scenarios");
    tcase_add_test(tc, test_v0_handshake_links_and_derives);
    tcase_add_test(tc, test_seed000_relative_numbers);
    tcase_add_test(tc, test_key_mismatch);
    tcase_add_test(tc, test_echo_missing_falls_back);
    tcase_add_test(tc, test_server_without_mptcp);
    tcase_add_test(tc, test_version_mismatch);
    tcase_add_test(tc, test_join_hmacs_good);
    tcase_add_test(tc, test_join_hmacs_bad);
    tcase_add_test(tc, test_join_token_unknown_and_unverifiable);
    tcase_add_test(tc, test_fastclose_key);
    tcase_add_test(tc, test_add_addr_hmac);
    tcase_add_test(tc, test_mpc_data_checksum);
    tcase_add_test(tc, test_dss_checksum_across_segments);
    tcase_add_test(tc, test_checksum_missing_and_unexpected);
    tcase_add_test(tc, test_mapping_missing_and_conflict);
    tcase_add_test(tc, test_reinjection_across_subflows);
    tcase_add_test(tc, test_tcp_retransmission_is_no_reinjection);
    tcase_add_test(tc, test_data_fin_and_infinite_mapping);
    tcase_add_test(tc, test_data_fin_close_state);
    tcase_add_test(tc, test_mp_fail_on_rst_closes_only_the_subflow);
    tcase_add_test(tc, test_mp_fail_single_subflow);
    tcase_add_test(tc, test_tuple_reuse_and_plain_tcp);
    tcase_add_test(tc, test_ack_unsent);
    tcase_add_test(tc, test_coalesced_segments);
    tcase_add_test(tc, test_mapping_off_segment);
    suite_add_tcase(s, tc);
    return s;
}
