/* Key-derived values against the vectors of shared/spec/mptcp-reference.md section 4. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "mptcpv/crypto.h"

#define KEY_A 0x96e576198c475350ull /* seed 000, client */
#define KEY_B 0xd7b705e4d86c1a66ull /* seed 000, server */

static void hex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

/* Spec 4.1: v0 SHA-1 tokens and IDSNs; seed 000's first DSN and DATA_ACK follow from them. */
START_TEST(test_key_derive_v0)
{
    uint32_t token;
    uint64_t idsn;
    mptcpv_key_derive(MPTCPV_VERSION_0, KEY_A, &token, &idsn);
    ck_assert_uint_eq(token, 0xa421f0da);
    ck_assert_uint_eq(idsn, 0xf731ee0be53be902ull);
    ck_assert_uint_eq((uint32_t)(idsn + 1), 3845908739u);
    mptcpv_key_derive(MPTCPV_VERSION_0, KEY_B, &token, &idsn);
    ck_assert_uint_eq(token, 0x4c4d4173);
    ck_assert_uint_eq(idsn, 0xff7d8ed5860754cbull);
    ck_assert_uint_eq((uint32_t)(idsn + 1), 2248627404u);
}
END_TEST

/* Spec 4.2: the same keys under v1 (SHA-256). */
START_TEST(test_key_derive_v1)
{
    uint32_t token;
    uint64_t idsn;
    mptcpv_key_derive(MPTCPV_VERSION_1, KEY_A, &token, &idsn);
    ck_assert_uint_eq(token, 0xc292bfdd);
    ck_assert_uint_eq(idsn, 0x7f04667f85c59b7dull);
    mptcpv_key_derive(MPTCPV_VERSION_1, KEY_B, &token, &idsn);
    ck_assert_uint_eq(token, 0xd62a7033);
    ck_assert_uint_eq(idsn, 0x659b9ef493fd021full);
    /* NULL outputs are allowed. */
    mptcpv_key_derive(MPTCPV_VERSION_1, KEY_B, NULL, NULL);
}
END_TEST

/* Spec 4.3: MP_JOIN HMACs with R-A = 0x01020304, R-B = 0x0a0b0c0d. */
START_TEST(test_join_hmac)
{
    uint8_t d[MPTCPV_HMAC_MAX_LEN], want[32];
    ck_assert_uint_eq(mptcpv_join_hmac(MPTCPV_VERSION_0, KEY_B, KEY_A, 0x0a0b0c0d, 0x01020304, d),
                      20);
    hex("2e4c1e663526b4de3a8f9bd0ecde57a6892cbc36", want, 20);
    ck_assert_mem_eq(d, want, 20);
    mptcpv_join_hmac(MPTCPV_VERSION_0, KEY_A, KEY_B, 0x01020304, 0x0a0b0c0d, d);
    hex("acc2729cbeb97b6854fe239e654451d44d61f070", want, 20);
    ck_assert_mem_eq(d, want, 20);
    ck_assert_uint_eq(mptcpv_join_hmac(MPTCPV_VERSION_1, KEY_B, KEY_A, 0x0a0b0c0d, 0x01020304, d),
                      32);
    hex("767c7234a22efa71afb78cc0463e8cc45a9f59f8dc39cec5064beaabf2db2d87", want, 32);
    ck_assert_mem_eq(d, want, 32);
    mptcpv_join_hmac(MPTCPV_VERSION_1, KEY_A, KEY_B, 0x01020304, 0x0a0b0c0d, d);
    hex("01ca6f18fe8b9163c33054d30d49eb653083d952236db02b84ce3169757bc5b3", want, 32);
    ck_assert_mem_eq(d, want, 32);
    ck_assert_uint_eq(
        mptcpv_join_hmac(MPTCPV_VERSION_UNKNOWN, KEY_A, KEY_B, 0x01020304, 0x0a0b0c0d, d), 0);
}
END_TEST

static mptcpv_add_addr v4(uint8_t id, uint8_t a, uint8_t b, uint8_t c, uint8_t e, int port)
{
    mptcpv_add_addr aa;
    memset(&aa, 0, sizeof(aa));
    aa.addr_id = id;
    aa.family = 4;
    aa.addr[0] = a;
    aa.addr[1] = b;
    aa.addr[2] = c;
    aa.addr[3] = e;
    aa.has_port = port >= 0;
    aa.port = port >= 0 ? (uint16_t)port : 0;
    return aa;
}

/* Spec 4.4: ADD_ADDR HMAC sent by B: key = Key-B || Key-A, right-most 64 bits. */
START_TEST(test_add_addr_hmac)
{
    uint64_t left;
    mptcpv_add_addr aa = v4(1, 192, 0, 2, 1, -1);
    ck_assert_uint_eq(mptcpv_add_addr_hmac(KEY_B, KEY_A, &aa, &left), 0xe51b95dee3c56af5ull);
    ck_assert_uint_eq(left, 0x61fbe13619804978ull); /* the legacy left-most form */
    aa = v4(1, 192, 0, 2, 1, 8080);
    ck_assert_uint_eq(mptcpv_add_addr_hmac(KEY_B, KEY_A, &aa, NULL), 0xeb985d87c3559ba2ull);

    mptcpv_add_addr v6;
    memset(&v6, 0, sizeof(v6));
    v6.addr_id = 2;
    v6.family = 6;
    const uint8_t addr[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    memcpy(v6.addr, addr, 16);
    ck_assert_uint_eq(mptcpv_add_addr_hmac(KEY_B, KEY_A, &v6, NULL), 0x91be3055ffc93660ull);
    /* A port of 0 equals no port: Linux hashes absent ports as 0. */
    aa = v4(1, 192, 0, 2, 1, 0);
    ck_assert_uint_eq(mptcpv_add_addr_hmac(KEY_B, KEY_A, &aa, NULL), 0xe51b95dee3c56af5ull);
}
END_TEST

Suite *crypto_suite(void);

Suite *crypto_suite(void)
{
    Suite *s = suite_create("crypto");
    TCase *tc = tcase_create("vectors");
    tcase_add_test(tc, test_key_derive_v0);
    tcase_add_test(tc, test_key_derive_v1);
    tcase_add_test(tc, test_join_hmac);
    tcase_add_test(tc, test_add_addr_hmac);
    suite_add_tcase(s, tc);
    return s;
}
