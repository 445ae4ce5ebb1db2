/*
 * How subflows and connections end (core/src/conn_close.c): DATA_FIN close states, MP_FAIL
 * with and without RST.
 * Keys, nonces and checksums are the vectors of shared/spec/mptcp-reference.md section 4
 * (seed 000 keys), so every "good" verdict here is an independent check.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mptcpv/tracker.h"
#include "tracker_fixture.h"

/* v1 with checksums, subflow 1 joined and acknowledged by the server. */
static void two_subflows_checksummed(world *w)
{
    handshake_v1(w, 0x81);
    join_v1(w, 0x767c7234a22efa71ull);
    opts o = {0};
    join_ack(&o, "01ca6f18fe8b9163c33054d30d49eb653083d952");
    send_text(w, CLIENT2, SERVER, ACK, 7001, 9001, &o, NULL, -1);
    ck_assert(!w->r.subflow_established);
    /* Established once the responder acknowledges the third ACK (RFC 8684 3.2). */
    send_text(w, SERVER, CLIENT2, ACK, 9001, 7001, NULL, NULL, -1);
    ck_assert(w->r.subflow_established);
}

START_TEST(test_data_fin_close_state)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    uint64_t cidsn = w.r.facts.client_idsn, sidsn = w.r.facts.server_idsn;
    opts o = {0};
    dss64(&o, sidsn + 1, cidsn + 1, 1, 6, -1, 1); /* "hello" and the DATA_FIN */
    const mptcpv_segment_result *r =
        send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
    uint32_t client_fin = w.frame;
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_CLOSING);
    ck_assert_uint_eq(r->events, 1u << MPTCPV_EVENT_DATA_FIN);
    ck_assert_uint_eq(r->data.data_bytes, 5); /* the DATA_FIN takes a DSN, not a byte */
    o.n = 0;
    dss64(&o, cidsn + 6, 0, 0, -1, -1, 0); /* the data, not yet the DATA_FIN */
    r = send_text(&w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 6, &o, NULL, -1);
    ck_assert_uint_eq(r->data.data_fin_ack_of, 0);
    o.n = 0;
    dss64(&o, cidsn + 7, sidsn + 1, 0, 1, -1, 1); /* acks it; the server's DATA_FIN */
    r = send_text(&w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 6, &o, NULL, -1);
    uint32_t server_fin = w.frame;
    ck_assert_uint_eq(r->events, 1u << MPTCPV_EVENT_DATA_FIN);
    ck_assert_uint_eq(r->data.data_fin_ack_of, client_fin);
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_NONE);
    r = send_text(&w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 6, &o, NULL, -1);
    ck_assert_uint_eq(r->events, 0); /* the DATA_FIN again: not a first */
    o.n = 0;
    dss64(&o, sidsn + 2, 0, 0, -1, -1, 0);
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 6, ISN_S + 1, &o, NULL, -1);
    ck_assert_uint_eq(r->data.data_fin_ack_of, server_fin);
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_CLOSED);
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 6, ISN_S + 1, &o, NULL, -1);
    ck_assert_uint_eq(r->data.data_fin_ack_of, 0);
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_NONE);
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_mp_fail_on_rst_closes_only_the_subflow)
{
    const uint64_t dsn = 0x7f04667f85c59b7eull; /* spec 4.5: "hello" at SSN 1 is 0xb55f */
    world w;
    world_init(&w, NULL);
    two_subflows_checksummed(&w);
    opts o = {0};
    dss64(&o, 0, dsn + 5, 1, 5, 0x1234, 0);
    const mptcpv_segment_result *r =
        send_text(&w, CLIENT2, SERVER, ACK, 7001, 9001, &o, "world", -1);
    ck_assert_int_eq(r->data.checksum, MPTCPV_VERDICT_BAD);
    ck_assert_uint_eq(r->data.data_bytes, 5);
    uint32_t bad = w.frame;
    o.n = 0;
    mp_fail(&o, dsn + 5);
    mp_tcprst(&o, 0x06); /* middlebox interference */
    r = send_text(&w, SERVER, CLIENT2, RST | ACK, 9001, 7006, &o, NULL, -1);
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
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
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
    r = send_text(&w, SERVER, CLIENT, RST | ACK, ISN_S + 1, ISN_C + 6, NULL, NULL, -1);
    ck_assert_int_eq(r->data.subflow_end, MPTCPV_SUBFLOW_END_RST);
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_RESET);
    ck_assert(mptcpv_tracker_connection(w.t, 0, &sum));
    ck_assert_int_eq(sum.close, MPTCPV_CLOSE_RESET);
    ck_assert_str_eq(mptcpv_close_state_name(sum.close), "reset");
    ck_assert_str_eq(mptcpv_subflow_end_name(MPTCPV_SUBFLOW_END_MP_FAIL), "MP_FAIL");
    mptcpv_tracker_free(w.t);
}
END_TEST

START_TEST(test_mp_fail_single_subflow)
{
    const uint64_t dsn = 0x7f04667f85c59b7eull;
    for (int with_rst = 0; with_rst < 2; with_rst++) {
        world w;
        world_init(&w, NULL);
        handshake_v1(&w, 0x81);
        opts o = {0};
        dss64(&o, 0, dsn, 1, 5, 0x1234, 0);
        send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
        ck_assert_int_eq(w.r.data.checksum, MPTCPV_VERDICT_BAD);
        o.n = 0;
        mp_fail(&o, dsn);
        const mptcpv_segment_result *r = send_text(&w, SERVER, CLIENT, ACK | (with_rst ? RST : 0),
                                                   ISN_S + 1, ISN_C + 6, &o, NULL, -1);
        ck_assert_uint_eq(r->data.fail_answers, 1 + 3);
        if (with_rst) {
            ck_assert_int_eq(r->data.fallback, MPTCPV_FALLBACK_NONE);
            ck_assert_int_eq(count_rule(r, MPTCPV_RULE_SUBFLOW_FAILED), 1);
            ck_assert_ptr_nonnull(
                strstr(r->options.findings[0].detail, "no other subflow is open"));
            ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_RESET);
        } else {
            ck_assert_int_eq(r->data.fallback, MPTCPV_FALLBACK_MP_FAIL);
            ck_assert_int_eq(count_rule(r, MPTCPV_RULE_CONNECTION_FALLBACK), 1);
            ck_assert_int_eq(count_rule(r, MPTCPV_RULE_SUBFLOW_FAILED), 0);
            ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_NONE);
            /* After the fallback, TCP's FINs close the connection. */
            r = send_text(&w, CLIENT, SERVER, ACK | MPTCPV_TCP_FIN, ISN_C + 6, ISN_S + 1, NULL,
                          NULL, -1);
            ck_assert_int_eq(r->data.subflow_end, MPTCPV_SUBFLOW_END_FIN);
            ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_CLOSED);
        }
        mptcpv_tracker_free(w.t);
    }
}
END_TEST

Suite *conn_close_suite(void);

Suite *conn_close_suite(void)
{
    Suite *s = suite_create("conn_close");
    TCase *tc = tcase_create("scenarios");
    tcase_add_test(tc, test_data_fin_close_state);
    tcase_add_test(tc, test_mp_fail_on_rst_closes_only_the_subflow);
    tcase_add_test(tc, test_mp_fail_single_subflow);
    suite_add_tcase(s, tc);
    return s;
}
