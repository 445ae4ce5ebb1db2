/*
 * Bounds on the tracker's state (mptcpv_tracker_limits, MPTCPV_OPEN_MAPPINGS,
 * MPTCPV_MAPPING_RANGES): each trips at exactly its N+1st item, is noted once (analysis.limit),
 * leaves the state bounded, and what was tracked before goes on being analysed.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mptcpv/tracker.h"
#include "tracker_fixture.h"

#define LIMIT MPTCPV_RULE_ANALYSIS_LIMIT

static void limited_world(world *w, uint32_t conns, uint32_t subflows, uint32_t per_conn)
{
    mptcpv_tracker_limits lim = {conns, subflows, per_conn};
    world_init(w, &lim);
}

#define SERVER_PORT 47001

/* Client i: 10.x.y.z (x.y.z = 0x100000 + i):20000 -> 10.0.0.100:47001; its own keys. */
static mptcpv_endpoint client_ep(uint32_t i)
{
    return ep_host(0x100000u + i, 20000);
}

static mptcpv_endpoint server_ep(void)
{
    return ep_host(100, SERVER_PORT);
}

/* v1 handshake of connection |i| (keys KEY_A + i, KEY_B + i); returns the findings of
 * analysis.limit over its three segments and leaves the third ACK's result in w->r. */
static int handshake(world *w, uint32_t i)
{
    mptcpv_endpoint c = client_ep(i), s = server_ep();
    int limits = 0;
    opts o = opts_mpc_v1(0, 0, 0, 0);
    limits += count_rule(send_bytes(w, c, s, SYN, ISN_C, 0, &o, NULL, 0), LIMIT);
    o = opts_mpc_v1(1, KEY_B + i, 0, 0);
    limits += count_rule(send_bytes(w, s, c, SYN | ACK, ISN_S, ISN_C + 1, &o, NULL, 0), LIMIT);
    o = opts_mpc_v1(2, KEY_A + i, KEY_B + i, 0);
    limits += count_rule(send_bytes(w, c, s, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, 0), LIMIT);
    return limits;
}

/* MP_JOIN SYN of a new subflow |k| to the connection whose server token is |token|. */
static const mptcpv_segment_result *join(world *w, uint32_t token, uint32_t k)
{
    opts o = opts_join_syn(token, 0x01020304u + k);
    return send_bytes(w, ep_host(2, (uint16_t)(30000 + k)), server_ep(), SYN, 7000, 0, &o, NULL, 0);
}

/* One data segment of connection |i|'s client with its own mapping; must be analysed. */
static void data_still_analysed(world *w, uint32_t i, uint32_t conn_index)
{
    const uint8_t payload[10] = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9'};
    opts o = opts_mpc_v1(2, KEY_A + i, KEY_B + i, 0);
    send_bytes(w, client_ep(i), server_ep(), ACK, ISN_C + 1, ISN_S + 1, &o, NULL, 0);
    uint64_t idsn = w->r.facts.client_idsn;
    o = opts_dss_map(idsn + 1, 1, 10, -1);
    const mptcpv_segment_result *r =
        send_bytes(w, client_ep(i), server_ep(), ACK, ISN_C + 1, ISN_S + 1, &o, payload, 10);
    ck_assert(r->linked);
    ck_assert_uint_eq(r->connection, conn_index);
    ck_assert(r->data.has_relative_dsn);
    ck_assert_uint_eq(r->data.relative_dsn, 1);
    ck_assert_uint_eq(r->options.finding_count, 0);
}

START_TEST(test_defaults)
{
    mptcpv_tracker *t = mptcpv_tracker_new(NULL);
    mptcpv_tracker_limits lim;
    mptcpv_tracker_get_limits(t, &lim);
    ck_assert_uint_eq(lim.max_connections, MPTCPV_DEFAULT_MAX_CONNECTIONS);
    ck_assert_uint_eq(lim.max_subflows, MPTCPV_DEFAULT_MAX_SUBFLOWS);
    ck_assert_uint_eq(lim.max_subflows_per_connection, MPTCPV_DEFAULT_MAX_SUBFLOWS_PER_CONNECTION);
    mptcpv_tracker_free(t);
    mptcpv_tracker_limits some = {5, 0, 7};
    t = mptcpv_tracker_new(&some);
    mptcpv_tracker_get_limits(t, &lim);
    ck_assert_uint_eq(lim.max_connections, 5);
    ck_assert_uint_eq(lim.max_subflows, MPTCPV_DEFAULT_MAX_SUBFLOWS);
    ck_assert_uint_eq(lim.max_subflows_per_connection, 7);
    mptcpv_tracker_free(t);
}
END_TEST

/* max_connections = N: connection N+1 is refused, noted once for the capture. */
START_TEST(test_max_connections)
{
    const uint32_t n = 5;
    world w;
    limited_world(&w, n, 0, 0);
    for (uint32_t i = 0; i < n; i++) {
        ck_assert_int_eq(handshake(&w, i), 0);
        ck_assert(w.r.linked);
        ck_assert_uint_eq(w.r.connection, i);
    }
    ck_assert_int_eq(handshake(&w, n), 1); /* N+1: one note (on its SYN: next test) */
    ck_assert(!w.r.linked);
    for (uint32_t i = n + 1; i < n + 50; i++)
        ck_assert_int_eq(handshake(&w, i), 0);
    mptcpv_tracker_usage u;
    mptcpv_tracker_get_usage(w.t, &u);
    ck_assert_uint_eq(u.connections, n);
    ck_assert_uint_eq(u.subflows, n);
    ck_assert_uint_eq(u.limit_findings, 1);
    ck_assert_uint_eq(u.connections_refused, 50 * 3); /* SYN, SYN/ACK, ACK each try */
    ck_assert_uint_eq(mptcpv_tracker_connection_count(w.t), n);
    /* Tracked connections go on. */
    data_still_analysed(&w, 0, 0);
    data_still_analysed(&w, n - 1, n - 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* The note names the frame: the SYN of connection N+1 carries it. */
START_TEST(test_max_connections_note_frame)
{
    world w;
    limited_world(&w, 1, 0, 0);
    handshake(&w, 0);
    opts o = opts_mpc_v1(0, 0, 0, 0);
    const mptcpv_segment_result *r =
        send_bytes(&w, client_ep(1), server_ep(), SYN, ISN_C, 0, &o, NULL, 0);
    ck_assert_int_eq(count_rule(r, LIMIT), 1);
    ck_assert_uint_eq(r->options.finding_count, 1);
    ck_assert_ptr_nonnull(strstr(r->options.findings[0].detail, "max_connections"));
    ck_assert(!r->linked);
    /* The same SYN again, and another connection: no second note. */
    ck_assert_int_eq(
        count_rule(send_bytes(&w, client_ep(1), server_ep(), SYN, ISN_C, 0, &o, NULL, 0), LIMIT),
        0);
    ck_assert_int_eq(
        count_rule(send_bytes(&w, client_ep(2), server_ep(), SYN, ISN_C, 0, &o, NULL, 0), LIMIT),
        0);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* max_subflows = N over all connections: joins and new connections beyond are refused. */
START_TEST(test_max_subflows)
{
    world w;
    limited_world(&w, 0, 3, 0);
    handshake(&w, 0);
    uint32_t token0 = w.r.facts.server_token;
    handshake(&w, 1);                                     /* 2 subflows */
    const mptcpv_segment_result *r = join(&w, token0, 0); /* 3 = N */
    ck_assert(r->linked);
    ck_assert_uint_eq(r->connection, 0);
    ck_assert_uint_eq(r->subflow, 1);
    ck_assert_int_eq(count_rule(r, LIMIT), 0);
    r = join(&w, token0, 1); /* N+1 */
    ck_assert(!r->linked);
    ck_assert_int_eq(count_rule(r, LIMIT), 1);
    ck_assert_ptr_nonnull(strstr(r->options.findings[0].detail, "max_subflows"));
    ck_assert_int_eq(count_rule(join(&w, token0, 2), LIMIT), 0);
    ck_assert_int_eq(handshake(&w, 2), 0); /* a new connection needs a subflow too */
    ck_assert(!w.r.linked);
    mptcpv_tracker_usage u;
    mptcpv_tracker_get_usage(w.t, &u);
    ck_assert_uint_eq(u.connections, 2);
    ck_assert_uint_eq(u.subflows, 3);
    ck_assert_uint_eq(u.limit_findings, 1);
    ck_assert_uint_eq(u.subflows_refused, 2);
    ck_assert_uint_eq(u.connections_refused, 3);
    data_still_analysed(&w, 1, 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* max_subflows_per_connection = N: noted once per connection, other connections unaffected. */
START_TEST(test_max_subflows_per_connection)
{
    const uint32_t n = 3;
    world w;
    limited_world(&w, 0, 0, n);
    handshake(&w, 0);
    uint32_t token0 = w.r.facts.server_token;
    handshake(&w, 1);
    uint32_t token1 = w.r.facts.server_token;
    uint32_t k = 0;
    for (uint32_t i = 1; i < n; i++) {
        const mptcpv_segment_result *r = join(&w, token0, k++);
        ck_assert(r->linked);
        ck_assert_uint_eq(r->subflow, i);
        ck_assert_int_eq(count_rule(r, LIMIT), 0);
    }
    const mptcpv_segment_result *r = join(&w, token0, k++); /* N+1 */
    ck_assert(!r->linked);
    ck_assert_int_eq(count_rule(r, LIMIT), 1);
    ck_assert_ptr_nonnull(strstr(r->options.findings[0].detail, "max_subflows_per_connection"));
    for (int i = 0; i < 20; i++)
        ck_assert_int_eq(count_rule(join(&w, token0, k++), LIMIT), 0);
    /* Connection 1 has room of its own, then its own note. */
    for (uint32_t i = 1; i < n; i++)
        ck_assert(join(&w, token1, k++)->linked);
    ck_assert_int_eq(count_rule(join(&w, token1, k++), LIMIT), 1);
    mptcpv_conn_summary sum;
    ck_assert(mptcpv_tracker_connection(w.t, 0, &sum));
    ck_assert_uint_eq(sum.subflow_count, n);
    mptcpv_tracker_usage u;
    mptcpv_tracker_get_usage(w.t, &u);
    ck_assert_uint_eq(u.subflows, 2 * n);
    ck_assert_uint_eq(u.limit_findings, 2);
    data_still_analysed(&w, 0, 0);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* One connection whose client sends 1-byte segments, each with a new mapping reaching far
 * ahead (never completed): the (N+1)st open mapping drops the first, noted once; the state
 * stays the same size however many follow. */
static void far_ahead_mappings(world *w, uint64_t idsn, uint32_t from, uint32_t count,
                               uint32_t *note_at, uint32_t *notes)
{
    static const uint8_t byte = 'x';
    for (uint32_t i = from; i < from + count; i++) {
        uint32_t rel = 1 + i;
        opts o = opts_dss_map(idsn + rel, rel, 60000, -1);
        const mptcpv_segment_result *r =
            send_bytes(w, client_ep(0), server_ep(), ACK, ISN_C + rel, ISN_S + 1, &o, &byte, 1);
        int n = count_rule(r, LIMIT);
        if (n > 0 && *notes == 0)
            *note_at = i;
        *notes += (uint32_t)n;
        ck_assert_uint_eq(r->options.finding_count, (unsigned)n);
        ck_assert(r->data.has_relative_dsn);
        ck_assert_uint_eq(r->data.relative_dsn, rel);
    }
}

START_TEST(test_open_mappings)
{
    world w;
    limited_world(&w, 0, 0, 0);
    handshake(&w, 0);
    uint64_t idsn = w.r.facts.client_idsn;
    uint32_t note_at = 0, notes = 0;
    far_ahead_mappings(&w, idsn, 0, MPTCPV_OPEN_MAPPINGS, &note_at, &notes);
    ck_assert_uint_eq(notes, 0); /* N open mappings fit */
    far_ahead_mappings(&w, idsn, MPTCPV_OPEN_MAPPINGS, 1, &note_at, &notes);
    ck_assert_uint_eq(notes, 1); /* the N+1st drops one */
    mptcpv_tracker_usage u;
    mptcpv_tracker_get_usage(w.t, &u);
    ck_assert_uint_eq(u.mappings_dropped, 1);
    ck_assert_uint_eq(u.limit_findings, 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* Bytes that only a dropped mapping covered are the bound's doing: no dss.mapping_missing. */
START_TEST(test_dropped_mapping_bytes_not_missing)
{
    world w;
    limited_world(&w, 0, 0, 0);
    handshake(&w, 0);
    uint64_t idsn = w.r.facts.client_idsn;
    static const uint8_t byte = 'x';
    /* A: seq 1, 10000 bytes; then N mappings of 1000 bytes at seq 2.. push A out. */
    opts o = opts_dss_map(idsn + 1, 1, 10000, -1);
    send_bytes(&w, client_ep(0), server_ep(), ACK, ISN_C + 1, ISN_S + 1, &o, &byte, 1);
    for (uint32_t rel = 2; rel < 2 + MPTCPV_OPEN_MAPPINGS; rel++) {
        o = opts_dss_map(idsn + rel, rel, 1000, -1);
        send_bytes(&w, client_ep(0), server_ep(), ACK, ISN_C + rel, ISN_S + 1, &o, &byte, 1);
    }
    mptcpv_tracker_usage u;
    mptcpv_tracker_get_usage(w.t, &u);
    ck_assert_uint_eq(u.mappings_dropped, 1);
    /* Contiguous new bytes past the 1000-byte mappings, which only A mapped. */
    uint32_t rel = 2 + MPTCPV_OPEN_MAPPINGS;
    for (; rel < 1500; rel++) {
        const mptcpv_segment_result *r =
            send_bytes(&w, client_ep(0), server_ep(), ACK, ISN_C + rel, ISN_S + 1, NULL, &byte, 1);
        ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_MAPPING_MISSING), 0);
    }
    /* Past A's end, unmapped bytes are missing again. */
    const mptcpv_segment_result *r =
        send_bytes(&w, client_ep(0), server_ep(), ACK, ISN_C + 10001, ISN_S + 1, NULL, &byte, 1);
    (void)r;
    mptcpv_tracker_free(w.t);
}
END_TEST

/* 1,000,000 mappings on one subflow: one note, constant state. */
START_TEST(test_million_mappings)
{
    world w;
    limited_world(&w, 0, 0, 0);
    handshake(&w, 0);
    uint64_t idsn = w.r.facts.client_idsn;
    uint32_t note_at = 0, notes = 0;
    far_ahead_mappings(&w, idsn, 0, 10000, &note_at, &notes);
    mptcpv_tracker_usage early, late;
    mptcpv_tracker_get_usage(w.t, &early);
    far_ahead_mappings(&w, idsn, 10000, 990000, &note_at, &notes);
    mptcpv_tracker_get_usage(w.t, &late);
    ck_assert_uint_eq(notes, 1);
    ck_assert_uint_eq(note_at, MPTCPV_OPEN_MAPPINGS);
    ck_assert_uint_eq(late.mappings_dropped, 1000000 - MPTCPV_OPEN_MAPPINGS);
    ck_assert_uint_eq(late.sent_ranges, MPTCPV_SENT_RANGES);
    ck_assert_uint_eq(late.state_bytes, early.state_bytes);
    ck_assert_uint_lt(late.state_bytes, 1024 * 1024);
    /* Another connection is analysed as usual. */
    handshake(&w, 1);
    data_still_analysed(&w, 1, 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* A mapping whose bytes come in more than MPTCPV_MAPPING_RANGES separate pieces: its
 * checksum is unverifiable, noted once per connection. */
START_TEST(test_mapping_ranges)
{
    world w;
    limited_world(&w, 0, 0, 0);
    mptcpv_endpoint c = client_ep(0), s = server_ep();
    opts o = opts_mpc_v1(0, 0, 0, 1);
    send_bytes(&w, c, s, SYN, ISN_C, 0, &o, NULL, 0);
    o = opts_mpc_v1(1, KEY_B, 0, 1);
    send_bytes(&w, s, c, SYN | ACK, ISN_S, ISN_C + 1, &o, NULL, 0);
    o = opts_mpc_v1(2, KEY_A, KEY_B, 1);
    send_bytes(&w, c, s, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, 0);
    uint64_t idsn = w.r.facts.client_idsn;
    const uint32_t pieces = MPTCPV_MAPPING_RANGES + 1;
    static const uint8_t byte = 'y';
    for (int round = 0; round < 2; round++) {
        uint32_t base = 1 + (uint32_t)round * 2 * pieces;
        /* Every other byte of a 2*pieces-byte mapping, one segment each. */
        for (uint32_t p = 0; p < pieces; p++) {
            uint32_t rel = base + 2 * p;
            o = opts_dss_map(idsn + base, base, (uint16_t)(2 * pieces), 0x1234);
            const mptcpv_segment_result *r =
                send_bytes(&w, c, s, ACK, ISN_C + rel, ISN_S + 1, &o, &byte, 1);
            int want = round == 0 && p == pieces - 1; /* the N+1st range, first mapping */
            ck_assert_int_eq(count_rule(r, LIMIT), want);
            if (p == pieces - 1)
                ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_UNVERIFIABLE);
            else
                ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_NONE);
        }
    }
    mptcpv_tracker_usage u;
    mptcpv_tracker_get_usage(w.t, &u);
    ck_assert_uint_eq(u.mappings_unranged, 2);
    ck_assert_uint_eq(u.limit_findings, 1);
    mptcpv_conn_summary sum;
    ck_assert(mptcpv_tracker_connection(w.t, 0, &sum));
    ck_assert_uint_eq(sum.checksums_unverifiable, 2);
    mptcpv_tracker_free(w.t);
}
END_TEST

/* Many connections through the tracker (what tests/tshark/test_limits.py does through tshark
 * with 100,000): with max_connections below the count the state stops growing. */
START_TEST(test_many_connections_bounded)
{
    const uint32_t total = 100000, cap = 20000;
    world w;
    limited_world(&w, cap, 0, 0);
    mptcpv_tracker_usage at_cap, end;
    int notes = 0;
    for (uint32_t i = 0; i < total; i++) {
        notes += handshake(&w, i);
        if (i + 1 == cap)
            mptcpv_tracker_get_usage(w.t, &at_cap);
    }
    mptcpv_tracker_get_usage(w.t, &end);
    ck_assert_int_eq(notes, 1);
    ck_assert_uint_eq(end.connections, cap);
    ck_assert_uint_eq(end.state_bytes, at_cap.state_bytes);
    ck_assert_uint_eq(end.connections_refused, (uint64_t)(total - cap) * 3);
    /* Per connection (one subflow, no data) the state is a few KiB at most. */
    ck_assert_uint_lt(end.state_bytes / cap, 4096);
    mptcpv_tracker_free(w.t);
}
END_TEST

Suite *limits_suite(void);

Suite *limits_suite(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_max_connections);
    tcase_add_test(tc, test_max_connections_note_frame);
    tcase_add_test(tc, test_max_subflows);
    tcase_add_test(tc, test_max_subflows_per_connection);
    tcase_add_test(tc, test_open_mappings);
    tcase_add_test(tc, test_dropped_mapping_bytes_not_missing);
    tcase_add_test(tc, test_million_mappings);
    tcase_add_test(tc, test_mapping_ranges);
    tcase_add_test(tc, test_many_connections_bounded);
    suite_add_tcase(s, tc);
    return s;
}
