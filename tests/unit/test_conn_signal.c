/*
 * Signalling options (core/src/conn_signal.c): MP_FASTCLOSE key, ADD_ADDR HMAC.
 * Keys, nonces and checksums are the vectors of shared/spec/mptcp-reference.md section 4
 * (seed 000 keys), so every "good" verdict here is an independent check.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mptcpv/tracker.h"
#include "tracker_fixture.h"

/* Spec 4.4: ADD_ADDR from the server, ID 1, 192.0.2.1, no port. */
static const mptcpv_segment_result *add_addr(world *w, uint64_t hmac)
{
    uint8_t b[16] = {30, 16, 0x30, 1, 192, 0, 2, 1};
    put64(b + 8, hmac);
    opts o = {0};
    raw(&o, b, 16);
    return send_text(w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 1, &o, NULL, -1);
}

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
        send_text(&w, CLIENT, SERVER, ACK | RST, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
    ck_assert_int_eq(r->fastclose_key, MPTCPV_VERDICT_GOOD);
    ck_assert_uint_eq(r->events, 1u << MPTCPV_EVENT_FASTCLOSE);
    ck_assert_int_eq(r->data.subflow_end, MPTCPV_SUBFLOW_END_FASTCLOSE);
    ck_assert_int_eq(r->data.close, MPTCPV_CLOSE_FASTCLOSED);
    put64(good + 4, KEY_A); /* its own key: wrong */
    o.n = 0;
    raw(&o, good, 12);
    r = send_text(&w, CLIENT, SERVER, ACK | RST, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
    ck_assert_int_eq(r->fastclose_key, MPTCPV_VERDICT_BAD);
    ck_assert_int_eq(count_rule(r, MPTCPV_RULE_FASTCLOSE_KEY_BAD), 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

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
    r = send_text(&w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
    ck_assert_uint_ge(r->add_addr_echo_of, announce_frame);
    ck_assert_uint_eq(r->events, 0); /* an echo is no event */
    uint8_t remove[4] = {30, 4, 0x40, 1};
    uint8_t prio[3] = {30, 3, 0x51};
    o.n = 0;
    raw(&o, remove, 4);
    raw(&o, prio, 3);
    r = send_text(&w, SERVER, CLIENT, ACK, ISN_S + 1, ISN_C + 1, &o, NULL, -1);
    ck_assert_uint_eq(r->events, (1u << MPTCPV_EVENT_REMOVE_ADDR) | (1u << MPTCPV_EVENT_MP_PRIO));
    ck_assert_str_eq(mptcpv_event_name(MPTCPV_EVENT_REMOVE_ADDR), "remove_addr");
    ck_assert_ptr_null(mptcpv_event_name(MPTCPV_EVENT_COUNT));
    mptcpv_tracker_free(w.t);
}
END_TEST

Suite *conn_signal_suite(void);

Suite *conn_signal_suite(void)
{
    Suite *s = suite_create("conn_signal");
    TCase *tc = tcase_create("scenarios");
    tcase_add_test(tc, test_fastclose_key);
    tcase_add_test(tc, test_add_addr_hmac);
    suite_add_tcase(s, tc);
    return s;
}
