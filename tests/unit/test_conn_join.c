/*
 * MP_JOIN subflows (core/src/conn_join.c): tokens and the HMACs of the SYN/ACK and ACK.
 * Keys, nonces and checksums are the vectors of shared/spec/mptcp-reference.md section 4
 * (seed 000 keys), so every "good" verdict here is an independent check.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mptcpv/tracker.h"
#include "tracker_fixture.h"

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
    const mptcpv_segment_result *r = send_text(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, NULL, -1);
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
    const mptcpv_segment_result *r = send_text(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_JOIN_HMAC_BAD), 1);
    /* Both values whole: they differ in the last digit only. */
    ck_assert_str_eq(r->options.findings[0].detail,
                     "third-ACK HMAC 01ca6f18fe8b9163c33054d30d49eb653083d953 differs from the "
                     "expected 01ca6f18fe8b9163c33054d30d49eb653083d952");
    /* The server refuses the subflow: it never was established; subflow 0 goes on. */
    r = send_text(&w, SERVER, CLIENT2, RST, 9001, 0, NULL, NULL, -1);
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
    const mptcpv_segment_result *r = send_text(&w, CLIENT2, SERVER, SYN, 7000, 0, &o, NULL, -1);
    ck_assert_int_eq(r->join_token, MPTCPV_TOKEN_UNVERIFIABLE); /* no handshake at all */
    ck_assert_uint_eq(r->options.finding_count, 0);
    handshake_v1(&w, 0x01);
    o.n = 0;
    join_syn(&o, 3, 0x87654321, 1, 0);
    r = send_text(&w, ep(3, 40002), SERVER, SYN, 7000, 0, &o, NULL, -1);
    ck_assert_int_eq(r->join_token, MPTCPV_TOKEN_UNKNOWN);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_JOIN_TOKEN_UNKNOWN), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

Suite *conn_join_suite(void);

Suite *conn_join_suite(void)
{
    Suite *s = suite_create("conn_join");
    TCase *tc = tcase_create("scenarios");
    tcase_add_test(tc, test_join_hmacs_good);
    tcase_add_test(tc, test_join_hmacs_bad);
    tcase_add_test(tc, test_join_token_unknown_and_unverifiable);
    suite_add_tcase(s, tc);
    return s;
}
