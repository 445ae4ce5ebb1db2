/*
 * MP_CAPABLE handshakes of the initial subflow (core/src/conn_handshake.c): linking, keys,
 * tokens and IDSNs, echo and version checks, fallback when the server drops MPTCP.
 * Keys, nonces and checksums are the vectors of shared/spec/mptcp-reference.md section 4
 * (seed 000 keys), so every "good" verdict here is an independent check.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mptcpv/tracker.h"
#include "tracker_fixture.h"

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

START_TEST(test_seed000_relative_numbers)
{
    world w;
    world_init(&w, NULL);
    handshake_v0(&w, 0x01);
    opts o = {0};
    dss32(&o, 2248627404u, 3845908739u, 1, 5);
    const mptcpv_segment_result *r =
        send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, "hello", -1);
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
    send_text(&w, CLIENT, SERVER, SYN, ISN_C, 0, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 0, 0x01, 1, KEY_B, 0, -1, -1);
    send_text(&w, SERVER, CLIENT, SYN | ACK, ISN_S, ISN_C + 1, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 0, 0x01, 2, KEY_A, KEY_B ^ 1, -1, -1);
    const mptcpv_segment_result *r =
        send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
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
    send_text(&w, CLIENT, SERVER, SYN, ISN_C, 0, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 1, 0x01, 1, KEY_B, 0, -1, -1);
    send_text(&w, SERVER, CLIENT, SYN | ACK, ISN_S, ISN_C + 1, &o, NULL, -1);
    const mptcpv_segment_result *r =
        send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, NULL, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_HANDSHAKE_ECHO_MISSING), 1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_CONNECTION_FALLBACK), 1);
    ck_assert_int_eq(r->data.fallback, MPTCPV_FALLBACK_NO_ECHO);
    /* Later data without options is plain TCP now: no mapping_missing. */
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, NULL, "data", -1);
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
    send_text(&w, CLIENT, SERVER, SYN, ISN_C, 0, &o, NULL, -1);
    const mptcpv_segment_result *r =
        send_text(&w, SERVER, CLIENT, SYN | ACK, ISN_S, ISN_C + 1, NULL, NULL, -1);
    ck_assert_int_eq(r->data.fallback, MPTCPV_FALLBACK_NO_SYNACK_MPC);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_CONNECTION_FALLBACK), 1);
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, NULL, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_HANDSHAKE_ECHO_MISSING), 0);
    /* RFC 8684 3.7: the TCP stream is the connection's data now. */
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, NULL, "hello", -1);
    ck_assert_uint_eq(r->data.data_bytes, 5);
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 3, ISN_S + 1, NULL, "llo!", -1); /* 1 new */
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
    send_text(&w, CLIENT, SERVER, SYN, ISN_C, 0, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 1, 0x01, 1, KEY_B, 0, -1, -1);
    const mptcpv_segment_result *r =
        send_text(&w, SERVER, CLIENT, SYN | ACK, ISN_S, ISN_C + 1, &o, NULL, -1);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_HANDSHAKE_VERSION_MISMATCH), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

Suite *conn_handshake_suite(void);

Suite *conn_handshake_suite(void)
{
    Suite *s = suite_create("conn_handshake");
    TCase *tc = tcase_create("scenarios");
    tcase_add_test(tc, test_v0_handshake_links_and_derives);
    tcase_add_test(tc, test_seed000_relative_numbers);
    tcase_add_test(tc, test_key_mismatch);
    tcase_add_test(tc, test_echo_missing_falls_back);
    tcase_add_test(tc, test_server_without_mptcp);
    tcase_add_test(tc, test_version_mismatch);
    suite_add_tcase(s, tc);
    return s;
}
