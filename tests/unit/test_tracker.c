/*
 * The dispatcher (core/src/tracker.c): subflow lookup by 4-tuple, reuse of a tuple, plain TCP.
 * Keys, nonces and checksums are the vectors of shared/spec/mptcp-reference.md section 4
 * (seed 000 keys), so every "good" verdict here is an independent check.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mptcpv/tracker.h"
#include "tracker_fixture.h"

START_TEST(test_tuple_reuse_and_plain_tcp)
{
    world w;
    world_init(&w, NULL);
    handshake_v1(&w, 0x01);
    /* A plain TCP SYN on the same 4-tuple (new ISN) ends the old subflow. */
    const mptcpv_segment_result *r = send_text(&w, CLIENT, SERVER, SYN, 99999, 0, NULL, NULL, -1);
    ck_assert(!r->linked);
    /* A later MPTCP connection on it is connection 1. */
    handshake_v1(&w, 0x01);
    ck_assert(w.r.linked);
    ck_assert_uint_eq(w.r.connection, 1);
    mptcpv_tracker_free(w.t);
}
END_TEST

Suite *tracker_suite(void);

Suite *tracker_suite(void)
{
    Suite *s = suite_create("tracker");
    TCase *tc = tcase_create("scenarios");
    tcase_add_test(tc, test_tuple_reuse_and_plain_tcp);
    suite_add_tcase(s, tc);
    return s;
}
