/*
 * The data level (core/src/conn_data.c): DSS checksums across segments, mappings missing,
 * conflicting, coalesced or off their segment, reinjections, DATA_FIN, DATA_ACK.
 * Keys, nonces and checksums are the vectors of shared/spec/mptcp-reference.md section 4
 * (seed 000 keys), so every "good" verdict here is an independent check.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mptcpv/tracker.h"
#include "tracker_fixture.h"

START_TEST(test_mpc_data_checksum)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x81);
    opts o = {0};
    mpc(&o, 1, 0x81, 2, KEY_A, KEY_B, 18, 0x1a85);
    const mptcpv_segment_result *r =
        send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "GET / HTTP/1.0\r\n\r\n", -1);
    ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_GOOD);
    ck_assert_uint_eq(r->data.relative_dsn, 1);
    mptcpv_tracker_free(w.t);

    world_init(&w, NULL);
    handshake_v1(&w, 0x81);
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "GET / HTTP/1.1\r\n\r\n", -1);
    ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_BAD);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_CHECKSUM_BAD), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

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
            r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1 + 3, ISN_S + 1, &o, "lo", -1);
            ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_NONE);
            r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hel", -1);
        } else {
            r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hel", -1);
            ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_NONE);
            r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1 + 3, ISN_S + 1, &o, "lo",
                          variant == 2 ? 1 : -1);
        }
        ck_assert_int_eq(r->data.checksum,
                         variant == 2 ? MPTCPV_VERDICT_UNVERIFIABLE : MPTCPV_VERDICT_GOOD);
        ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_CHECKSUM_BAD), 0);
        /* A retransmission of covered bytes changes nothing. */
        r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hel", -1);
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
        send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_CHECKSUM_MISSING), 1);
    mptcpv_tracker_free(w.t);

    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 5, 0xb55f, 0);
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
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
    send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    ck_assert_uint_eq(w.r.options.finding_count, 0);
    /* New bytes right after, with a DSS that maps nothing. */
    o.n = 0;
    dss64(&o, 0x659b9ef493fd0220ull, 0, 0, -1, -1, 0);
    const mptcpv_segment_result *r =
        send_text(&w, CLIENT, SERVER, ACK, ISN_C + 6, ISN_S + 1, &o, "world", -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_MAPPING_MISSING), 1);
    /* The first bytes mapped again to another DSN. */
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull + 100, 1, 5, -1, 0);
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
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
    send_text(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, NULL, -1);
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 5, -1, 0);
    send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    uint32_t original = w.frame;
    ck_assert_uint_eq(w.r.data.reinjection_of, 0);
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 5, -1, 0);
    const mptcpv_segment_result *r =
        send_text(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, "hello", -1);
    ck_assert_uint_eq(r->data.reinjection_of, original);
    ck_assert_uint_eq(r->data.reinjected_bytes, 5);
    ck_assert_uint_eq(r->data.data_bytes, 0);
    ck_assert_uint_eq(r->subflow, 1);
    /* Half new: 3 bytes again, 4 new. */
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull + 2, 6, 7, -1, 0);
    r = send_text(&w, CLIENT2, SERVER, ACK, 7006, 9001, &o, "llo, wo", -1);
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

START_TEST(test_tcp_retransmission_is_no_reinjection)
{
    const uint64_t dsn = 0x7f04667f85c59b7eull;
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    join_v1(&w, 0x767c7234a22efa71ull);
    opts o = {0};
    join_ack(&o, "01ca6f18fe8b9163c33054d30d49eb653083d952");
    send_text(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, NULL, -1);
    o.n = 0;
    dss64(&o, 0, dsn, 1, 10, -1, 0);
    send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "0123456789", -1);
    uint32_t original = w.frame;
    o.n = 0;
    dss64(&o, 0, dsn + 5, 1, 5, -1, 0);
    const mptcpv_segment_result *r =
        send_text(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, "56789", -1);
    ck_assert_uint_eq(r->data.reinjection_of, original);
    /* Subflow 0 retransmits its segment. */
    o.n = 0;
    dss64(&o, 0, dsn, 1, 10, -1, 0);
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "0123456789", -1);
    ck_assert_uint_eq(r->data.reinjection_of, 0);
    ck_assert_uint_eq(r->data.relative_dsn, 1);
    /* Subflow 1 retransmits its reinjection. */
    o.n = 0;
    dss64(&o, 0, dsn + 5, 1, 5, -1, 0);
    r = send_text(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, "56789", -1);
    ck_assert_uint_eq(r->data.reinjection_of, 0);
    /* A segment with old and new bytes is judged on its new ones. Subflow 0 sends DSN
     * 10..14 of a 10-byte mapping; subflow 1 sends 15..19 first (y), then reinjects 12..14
     * (x); subflow 0 resends 12..14 with 15..19 new: a reinjection of y, not of x. */
    o.n = 0;
    dss64(&o, 0, dsn + 10, 11, 10, -1, 0);
    send_text(&w, CLIENT, SERVER, ACK, ISN_C + 11, ISN_S + 1, &o, "abcde", -1);
    uint32_t a = w.frame;
    o.n = 0;
    dss64(&o, 0, dsn + 15, 6, 5, -1, 0);
    r = send_text(&w, CLIENT2, SERVER, ACK, 7006, 9001, &o, "fghij", -1);
    ck_assert_uint_eq(r->data.reinjection_of, 0);
    uint32_t y = w.frame;
    o.n = 0;
    dss64(&o, 0, dsn + 12, 11, 3, -1, 0);
    r = send_text(&w, CLIENT2, SERVER, ACK, 7011, 9001, &o, "cde", -1);
    ck_assert_uint_eq(r->data.reinjection_of, a);
    o.n = 0;
    dss64(&o, 0, dsn + 10, 11, 10, -1, 0);
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 13, ISN_S + 1, &o, "cdefghij", -1);
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
        send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_DATA_FIN_INVALID), 1);
    /* A proper data-less DATA_FIN: SSN 0, length 1. */
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull, 0, 1, -1, 1);
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_DATA_FIN_INVALID), 0);
    /* Infinite mapping: fallback. */
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 0, -1, 0);
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    ck_assert_int_eq(r->data.fallback, MPTCPV_FALLBACK_INFINITE_MAP);
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_ack_unsent)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    opts o = {0};
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 5, -1, 0);
    send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    o.n = 0;
    dss64(&o, 0x7f04667f85c59b7eull + 5, 0, 0, -1, -1, 0); /* acks all 5: fine */
    const mptcpv_segment_result *r =
        send_text(&w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 6, &o, NULL, -1);
    ck_assert_uint_eq(r->options.finding_count, 0);
    ck_assert_uint_eq(r->data.relative_data_ack, 6);
    o.n = 0;
    dss64(&o, 0x7f04667f85c59b7eull + 10, 0, 0, -1, -1, 0);
    r = send_text(&w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 6, &o, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_DSS_ACK_UNSENT), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_coalesced_segments)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    opts o = {0};
    dss64(&o, 0, 0x7f04667f85c59b7eull, 1, 3, -1, 0);
    send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "abc", -1);
    o.n = 0;
    dss64(&o, 0, 0x7f04667f85c59b7eull + 3, 4, 3, -1, 0);
    send_text(&w, CLIENT, SERVER, ACK, ISN_C + 4, ISN_S + 1, &o, "def", -1);
    ck_assert_uint_eq(w.r.options.finding_count, 0);
    /* A retransmission of bytes 2..5 in one segment, with no option of its own. */
    const mptcpv_segment_result *r =
        send_text(&w, CLIENT, SERVER, ACK, ISN_C + 2, ISN_S + 1, NULL, "bcde", -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_MIDDLEBOX_COALESCED), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_mapping_off_segment)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    opts o = {0};
    dss64(&o, 0, 0x7f04667f85c59b7eull, 5001, 5, -1, 0);
    const mptcpv_segment_result *r =
        send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_MIDDLEBOX_MAPPING_OFF_SEGMENT), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

Suite *conn_data_suite(void);

Suite *conn_data_suite(void)
{
    Suite *s = suite_create("conn_data");
    TCase *tc = tcase_create("scenarios");
    tcase_add_test(tc, test_mpc_data_checksum);
    tcase_add_test(tc, test_dss_checksum_across_segments);
    tcase_add_test(tc, test_checksum_missing_and_unexpected);
    tcase_add_test(tc, test_mapping_missing_and_conflict);
    tcase_add_test(tc, test_reinjection_across_subflows);
    tcase_add_test(tc, test_tcp_retransmission_is_no_reinjection);
    tcase_add_test(tc, test_data_fin_and_infinite_mapping);
    tcase_add_test(tc, test_ack_unsent);
    tcase_add_test(tc, test_coalesced_segments);
    tcase_add_test(tc, test_mapping_off_segment);
    suite_add_tcase(s, tc);
    return s;
}
