/* DSS checksum pieces and 32-to-64-bit expansion (spec sections 4.5 and 4.6). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mptcpv/dss.h"

static uint16_t dss_csum(uint64_t dsn, uint32_t ssn, uint16_t len, const char *payload, size_t n)
{
    uint16_t sum = mptcpv_csum_add(mptcpv_csum_pseudo_header(dsn, ssn, len, 0),
                                   mptcpv_csum_bytes((const uint8_t *)payload, n));
    return (uint16_t)~sum;
}

static int verifies(uint64_t dsn, uint32_t ssn, uint16_t len, const char *payload, size_t n,
                    uint16_t csum)
{
    return mptcpv_csum_add(mptcpv_csum_pseudo_header(dsn, ssn, len, csum),
                           mptcpv_csum_bytes((const uint8_t *)payload, n)) == 0xffff;
}

/* Spec 4.5 (recomputed with Python). */
START_TEST(test_vectors)
{
    const char *get = "GET / HTTP/1.0\r\n\r\n";
    ck_assert_uint_eq(dss_csum(0xf731ee0be53be903ull, 1, 18, get, 18), 0x6dcf);
    ck_assert_uint_eq(dss_csum(0xf731ee0be53be903ull, 1, 5, "hello", 5), 0x08aa);
    ck_assert_uint_eq(dss_csum(0xf731ee0be53be903ull, 1, 6, "hello", 5), 0x08a9); /* +DATA_FIN */
    ck_assert_uint_eq(dss_csum(0x7f04667f85c59b7eull, 1, 5, "hello", 5), 0xb55f);
    ck_assert_uint_eq(dss_csum(0x7f04667f85c59b7eull, 1, 18, get, 18), 0x1a85);
    ck_assert(verifies(0xf731ee0be53be903ull, 1, 18, get, 18, 0x6dcf));
    ck_assert(!verifies(0xf731ee0be53be903ull, 1, 18, get, 18, 0x6dce));
}
END_TEST

/* A mapping's payload split into segments at any offsets sums to the whole: odd-offset
 * pieces are swapped (RFC 1071 2(B)). Also checks the word-at-a-time path against a plain
 * 16-bit reference over many lengths and alignments. */
static uint16_t reference_sum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

START_TEST(test_split_and_reference)
{
    uint8_t buf[1500 + 8];
    srand(7);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)rand();
    for (size_t align = 0; align < 8; align++) {
        for (size_t n = 0; n <= 1500; n += (n < 80 ? 1 : 37))
            ck_assert_uint_eq(mptcpv_csum_bytes(buf + align, n), reference_sum(buf + align, n));
    }
    for (int trial = 0; trial < 200; trial++) {
        size_t n = 1 + (size_t)rand() % 1500;
        size_t cut1 = (size_t)rand() % n, cut2 = cut1 + (size_t)rand() % (n - cut1);
        size_t cuts[4] = {0, cut1, cut2, n};
        uint16_t sum = 0;
        for (int k = 0; k < 3; k++) {
            uint16_t part = mptcpv_csum_bytes(buf + cuts[k], cuts[k + 1] - cuts[k]);
            sum = mptcpv_csum_add(sum, (cuts[k] & 1) ? mptcpv_csum_swap(part) : part);
        }
        ck_assert_uint_eq(sum == 0 ? 0xffff : sum,
                          reference_sum(buf, n) == 0 ? 0xffff : reference_sum(buf, n));
    }
}
END_TEST

/* Spec 4.6 (Linux __mptcp_expand_seq). */
START_TEST(test_expand)
{
    ck_assert_uint_eq(mptcpv_expand_seq32(0x00000001fffffff0ull, 0x00000010),
                      0x0000000200000010ull);
    ck_assert_uint_eq(mptcpv_expand_seq32(0x0000000200000010ull, 0xfffffff0),
                      0x00000001fffffff0ull);
    ck_assert_uint_eq(mptcpv_expand_seq32(0x0000000180000000ull, 0x80000100),
                      0x0000000180000100ull);
    /* No underflow below zero. */
    ck_assert_uint_eq(mptcpv_expand_seq32(0x10, 0xfffffff0), 0xfffffff0ull);
}
END_TEST

Suite *dss_checksum_suite(void);

Suite *dss_checksum_suite(void)
{
    Suite *s = suite_create("dss_checksum");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_vectors);
    tcase_add_test(tc, test_split_and_reference);
    tcase_add_test(tc, test_expand);
    suite_add_tcase(s, tc);
    return s;
}
