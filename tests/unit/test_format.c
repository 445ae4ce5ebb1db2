/* The one-line option summaries of core/src/format.c (mptcpv_option_format): tcpdump's
 * spelling, truncation like snprintf. */
#include <check.h>
#include <string.h>

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

#include "mptcpv/option.h"
#include "tracker_fixture.h"

/* tcpdump-like summaries; the return value is the full length, like snprintf. */
START_TEST(test_format)
{
    mptcpv_options o;
    char text[128];
    /* Spec 4.5 prints this option with length 0x14; the flags make it 18 bytes (0x12). */
    decode_hex("1e122005860754cce53be903000000010012", MPTCPV_VERSION_0, &o);
    size_t n = mptcpv_option_format(&o.options[0], text, sizeof(text));
    ck_assert_str_eq(text, "mp dss flags:MA dack 2248627404 dsn 3845908739 sfsn 1 dlen 18");
    ck_assert_uint_eq(n, strlen(text));
    char small[8];
    ck_assert_uint_eq(mptcpv_option_format(&o.options[0], small, sizeof(small)), n);
    ck_assert_str_eq(small, "mp dss ");
    /* Every flag, 64-bit values, a checksum; each cut is a prefix of the whole. */
    decode_hex("1e1c201f0000000000000001ffffffffffffffff000000020003abcd", MPTCPV_VERSION_1, &o);
    n = mptcpv_option_format(&o.options[0], text, sizeof(text));
    ck_assert_str_eq(text, "mp dss flags:FmMaA dack 1 dsn 18446744073709551615 sfsn 2 dlen 3 "
                           "csum 0xabcd");
    for (size_t size = 0; size <= n + 1; size++) {
        char cut[128];
        memset(cut, 'x', sizeof(cut));
        ck_assert_uint_eq(mptcpv_option_format(&o.options[0], cut, size), n);
        if (size > 0) {
            ck_assert_uint_eq(strlen(cut), MIN(size - 1, n));
            ck_assert_int_eq(strncmp(cut, text, strlen(cut)), 0);
        }
        ck_assert_int_eq(cut[size], 'x');
    }
    decode_hex("1e0c008196e576198c475350", MPTCPV_VERSION_0, &o);
    mptcpv_option_format(&o.options[0], text, sizeof(text));
    ck_assert_str_eq(text, "mp capable v0 flags:AH sndkey:96e576198c475350");
    decode_hex("1e0d0000", MPTCPV_VERSION_0, &o);
    mptcpv_option_format(&o.options[0], text, sizeof(text));
    ck_assert_str_eq(text, "mp MP_CAPABLE malformed len 13");
}
END_TEST

Suite *format_suite(void);

Suite *format_suite(void)
{
    Suite *s = suite_create("format");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, test_format);
    suite_add_tcase(s, tc);
    return s;
}
