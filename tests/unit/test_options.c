/*
 * Option decoder: every subtype x version x declared length 0..40, with the bytes present,
 * cut at the declared length and cut shorter. Legal lengths come from the table in
 * shared/spec/mptcp-reference.md 0.2, written here independently of core/src.
 */
#include <check.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "mptcpv/option.h"
#include "tracker_fixture.h"

/* Is |len| legal for |subtype| (byte 2 = subtype << 4 | nibble) under |version|? */
static int legal(uint8_t subtype, uint8_t nibble, mptcpv_version version, unsigned len)
{
    switch (subtype) {
    case 0x0: /* MP_CAPABLE: the option's own version nibble decides */
        if (nibble == 0)
            return len == 12 || len == 20;
        return len == 4 || len == 12 || len == 20 || len == 22 || len == 24;
    case 0x1:
        return len == 12 || len == 16 || len == 24;
    case 0x2: /* flags byte 0 in this sweep: DSS without any field is 4 */
        return len == 4;
    case 0x3: {
        int v0 = version == MPTCPV_VERSION_0 ||
                 (version == MPTCPV_VERSION_UNKNOWN && (nibble == 4 || nibble == 6));
        if (v0)
            return nibble == 4 ? (len == 8 || len == 10) : nibble == 6 && (len == 20 || len == 22);
        if (nibble & 1) /* echo */
            return len == 8 || len == 10 || len == 20 || len == 22;
        return len == 16 || len == 18 || len == 28 || len == 30;
    }
    case 0x4:
        return len >= 4;
    case 0x5:
        return len == 3 || (len == 4 && version != MPTCPV_VERSION_1);
    case 0x6:
    case 0x7:
        return len == 12;
    case 0x8:
        return len == 4;
    default: /* experimental and unknown: anything with a subtype byte */
        return len >= 3;
    }
}

/* Segment kinds of the sweep. */
enum { SEG_SYN, SEG_SYNACK, SEG_OTHER, SEG_KINDS };

/* MP_CAPABLE and MP_JOIN forms belong on one kind of segment each (RFC 8684 3.1, 3.2). */
static int placed(uint8_t subtype, uint8_t nibble, unsigned len, int kind)
{
    if (subtype == 0x0 && nibble <= 1) {
        if (kind == SEG_SYN)
            return len == (nibble == 0 ? 12u : 4u);
        if (kind == SEG_SYNACK)
            return len == 12;
        return len >= 20;
    }
    if (subtype == 0x1)
        return len == (kind == SEG_SYN ? 12u : kind == SEG_SYNACK ? 16u : 24u);
    return 1;
}

static unsigned count(const mptcpv_options *o, mptcpv_rule_id rule)
{
    unsigned n = 0;
    for (unsigned i = 0; i < o->finding_count; i++)
        n += o->findings[i].rule == rule;
    return n;
}

START_TEST(test_length_sweep)
{
    static const uint8_t nibbles[] = {0, 1, 4, 6};
    static const mptcpv_version versions[] = {MPTCPV_VERSION_UNKNOWN, MPTCPV_VERSION_0,
                                              MPTCPV_VERSION_1};
    for (uint8_t subtype = 0; subtype < 16; subtype++)
        for (size_t ni = 0; ni < sizeof(nibbles); ni++)
            for (size_t vi = 0; vi < 3; vi++)
                for (unsigned len = 0; len <= 40; len++)
                    for (int cut = 0; cut < 3; cut++)
                        for (int kind = 0; kind < SEG_KINDS; kind++) {
                            /* cut 0: 40 bytes present; 1: exactly len; 2: len - 1 */
                            size_t avail = cut == 0 ? 40 : cut == 1 ? len : (len > 0 ? len - 1 : 0);
                            if (avail == 0)
                                continue;
                            uint8_t *buf = malloc(avail); /* exact size: ASan sees overreads */
                            memset(buf, 0, avail);
                            buf[0] = 30;
                            if (avail > 1)
                                buf[1] = (uint8_t)len;
                            if (avail > 2)
                                buf[2] = (uint8_t)(subtype << 4 | nibbles[ni]);
                            mptcpv_segment_info seg = {.version = versions[vi],
                                                       .syn = kind != SEG_OTHER,
                                                       .ack = kind != SEG_SYN};
                            mptcpv_options out;
                            mptcpv_options_decode(buf, avail, &seg, &out);
                            free(buf);
                            ck_assert_uint_eq(out.count, 1);
                            const mptcpv_option *o = &out.options[0];
                            int complete = avail >= len && len >= 3;
                            int decodable =
                                complete && legal(subtype, nibbles[ni], versions[vi], len);
                            /* A misplaced form is decoded for display, and malformed. */
                            int ok = decodable && placed(subtype, nibbles[ni], len, kind);
                            /* MP_TCPRST in a v0 connection is also an unknown subtype. */
                            ck_assert_msg(
                                count(&out, MPTCPV_RULE_OPTION_MALFORMED) == (ok ? 0u : 1u),
                                "subtype %u nibble %u version %d len %u avail %zu kind %d", subtype,
                                nibbles[ni], versions[vi], len, avail, kind);
                            ck_assert_int_eq(o->decoded, decodable);
                            ck_assert_int_eq(o->malformed, !ok);
                            if (!ok)
                                ck_assert_uint_eq(out.findings[0].offset, 0);
                        }
}
END_TEST

/* Spec 4.7 and 1.1 encodings. */
START_TEST(test_mp_capable_forms)
{
    mptcpv_options o;
    decode_hex("1e0c008196e576198c475350", MPTCPV_VERSION_UNKNOWN, &o);
    ck_assert(o.options[0].decoded);
    ck_assert_uint_eq(o.options[0].u.mp_capable.sender_key, 0x96e576198c475350ull);
    ck_assert_uint_eq(o.options[0].u.mp_capable.flags, 0x81);
    decode_hex("1e04010101", MPTCPV_VERSION_UNKNOWN, &o);
    ck_assert_int_eq(o.options[0].u.mp_capable.form, MPTCPV_MPC_SYN_V1);
    decode_hex("1e18018196e576198c475350d7b705e4d86c1a6600121a85", MPTCPV_VERSION_1, &o);
    const mptcpv_mp_capable *m = &o.options[0].u.mp_capable;
    ck_assert(m->has_sender_key && m->has_receiver_key && m->has_data_len && m->has_checksum);
    ck_assert_uint_eq(m->receiver_key, 0xd7b705e4d86c1a66ull);
    ck_assert_uint_eq(m->data_len, 18);
    ck_assert_uint_eq(m->checksum, 0x1a85);
}
END_TEST

/* Spec 4.3 v1 MP_JOIN SYN, SYN/ACK, ACK. */
START_TEST(test_mp_join_forms)
{
    mptcpv_options o;
    decode_hex("1e0c1002d62a703301020304", MPTCPV_VERSION_1, &o);
    ck_assert_uint_eq(o.options[0].u.mp_join.token, 0xd62a7033);
    ck_assert_uint_eq(o.options[0].u.mp_join.nonce, 0x01020304);
    ck_assert_uint_eq(o.options[0].u.mp_join.addr_id, 2);
    decode_hex("1e101000767c7234a22efa710a0b0c0d", MPTCPV_VERSION_1, &o);
    ck_assert_uint_eq(o.options[0].u.mp_join.trunc_hmac, 0x767c7234a22efa71ull);
    decode_hex("1e18100001ca6f18fe8b9163c33054d30d49eb653083d952", MPTCPV_VERSION_1, &o);
    ck_assert_int_eq(o.options[0].u.mp_join.form, MPTCPV_JOIN_ACK);
    ck_assert_uint_eq(o.options[0].u.mp_join.hmac[19], 0x52);
}
END_TEST

/* Every DSS flag combination, with and without checksum: exactly the formula's lengths. */
START_TEST(test_dss_all_flags)
{
    for (unsigned flags = 0; flags < 32; flags++) {
        for (int csum = 0; csum < 2; csum++) {
            uint8_t b[40] = {30, 0, 0x20, (uint8_t)flags};
            size_t n = 4;
            uint64_t ack = 0x1112131415161718ull, dsn = 0x2122232425262728ull;
            if (flags & 1) {
                size_t w = (flags & 2) ? 8 : 4;
                for (size_t i = 0; i < w; i++)
                    b[n + i] = (uint8_t)(ack >> (8 * (w - 1 - i)));
                n += w;
            }
            if (flags & 4) {
                size_t w = (flags & 8) ? 8 : 4;
                for (size_t i = 0; i < w; i++)
                    b[n + i] = (uint8_t)(dsn >> (8 * (w - 1 - i)));
                n += w;
                memcpy(b + n, "\x00\x00\x00\x07\x01\x02\xab\xcd", 8);
                n += csum ? 8 : 6;
            }
            b[1] = (uint8_t)n;
            mptcpv_options o;
            mptcpv_options_decode(b, n, NULL, &o);
            const mptcpv_dss *d = &o.options[0].u.dss;
            ck_assert_msg(o.options[0].decoded, "flags 0x%x csum %d", flags, csum);
            ck_assert_int_eq(d->has_ack, flags & 1);
            if (flags & 1)
                ck_assert_uint_eq(d->data_ack, (flags & 2) ? ack : (uint32_t)ack);
            if (flags & 4) {
                ck_assert_uint_eq(d->dsn, (flags & 8) ? dsn : (uint32_t)dsn);
                ck_assert_uint_eq(d->ssn, 7);
                ck_assert_uint_eq(d->data_len, 0x0102);
                ck_assert_int_eq(d->has_checksum, csum);
                if (csum)
                    ck_assert_uint_eq(d->checksum, 0xabcd);
            }
            ck_assert_uint_eq(n, mptcpv_dss_expected_len((uint8_t)flags, csum && (flags & 4)));
        }
    }
}
END_TEST

START_TEST(test_add_addr_forms)
{
    mptcpv_options o;
    decode_hex("1e0a3401c00002011f90", MPTCPV_VERSION_UNKNOWN, &o); /* v0, IPv4 + port */
    const mptcpv_add_addr *a = &o.options[0].u.add_addr;
    ck_assert_int_eq(a->form, MPTCPV_VERSION_0);
    ck_assert_uint_eq(a->port, 8080);
    decode_hex("1e103001c0000201e51b95dee3c56af5", MPTCPV_VERSION_UNKNOWN, &o); /* v1 + HMAC */
    ck_assert_int_eq(a->form, MPTCPV_VERSION_1);
    ck_assert(a->has_hmac && !a->has_port);
    ck_assert_uint_eq(a->hmac, 0xe51b95dee3c56af5ull);
    decode_hex("1e083101c0000201", MPTCPV_VERSION_1, &o); /* v1 echo */
    ck_assert(a->echo && !a->has_hmac);
    decode_hex("1e1e300220010db80000000000000000000000011f90"
               "0102030405060708",
               MPTCPV_VERSION_1, &o);
    ck_assert_uint_eq(a->family, 6);
    ck_assert_uint_eq(a->port, 8080);
    ck_assert_uint_eq(a->hmac, 0x0102030405060708ull);
}
END_TEST

START_TEST(test_signal_options)
{
    mptcpv_options o;
    decode_hex("1e0640010203", MPTCPV_VERSION_1, &o);
    ck_assert_uint_eq(o.options[0].u.remove_addr.count, 3);
    ck_assert_uint_eq(o.options[0].u.remove_addr.ids[2], 3);
    decode_hex("1e0451070101", MPTCPV_VERSION_0, &o); /* v0 MP_PRIO with id, then NOP */
    ck_assert(o.options[0].u.mp_prio.backup && o.options[0].u.mp_prio.has_addr_id);
    decode_hex("1e0c60000000000000001234", MPTCPV_VERSION_1, &o);
    ck_assert_uint_eq(o.options[0].u.mp_fail.dsn, 0x1234);
    decode_hex("1e0c7000d7b705e4d86c1a66", MPTCPV_VERSION_1, &o);
    ck_assert_uint_eq(o.options[0].u.mp_fastclose.receiver_key, 0xd7b705e4d86c1a66ull);
    for (uint8_t reason = 0; reason < 8; reason++) {
        char hex[16];
        snprintf(hex, sizeof(hex), "1e0481%02x", reason);
        decode_hex(hex, MPTCPV_VERSION_1, &o);
        ck_assert(o.options[0].u.mp_tcprst.transient);
        ck_assert_uint_eq(o.options[0].u.mp_tcprst.reason, reason);
        ck_assert_int_eq(mptcpv_tcprst_reason_name(reason) != NULL, reason <= 6);
    }
    decode_hex("1e048001", MPTCPV_VERSION_0, &o);
    ck_assert_uint_eq(count(&o, MPTCPV_RULE_OPTION_UNKNOWN_SUBTYPE), 1);
    decode_hex("1e05f0aabb", MPTCPV_VERSION_1, &o);
    ck_assert_uint_eq(count(&o, MPTCPV_RULE_OPTION_EXPERIMENTAL), 1);
    ck_assert_uint_eq(o.options[0].u.raw.data_len, 2);
    decode_hex("1e0390", MPTCPV_VERSION_1, &o);
    ck_assert_uint_eq(count(&o, MPTCPV_RULE_OPTION_UNKNOWN_SUBTYPE), 1);
}
END_TEST

/* Walk: NOPs, other options, several MPTCP options, EOL, zero and oversize lengths. */
START_TEST(test_block_walk)
{
    mptcpv_options o;
    /* MSS, NOP, MP_PRIO, NOP, DSS ack-only, EOL, garbage after EOL */
    decode_hex("020405b4011e0350011e08200100000001001e00", MPTCPV_VERSION_1, &o);
    ck_assert_uint_eq(o.count, 2);
    ck_assert_uint_eq(o.options[1].offset, 9);
    ck_assert_uint_eq(o.finding_count, 0);
    /* A zero length stops the walk with one finding; no loop. */
    decode_hex("1e001e0350", MPTCPV_VERSION_1, &o);
    ck_assert_uint_eq(o.count, 1);
    ck_assert_uint_eq(count(&o, MPTCPV_RULE_OPTION_MALFORMED), 1);
    /* A non-MPTCP option with length 0 stops the walk silently. */
    decode_hex("08001e0350", MPTCPV_VERSION_1, &o);
    ck_assert_uint_eq(o.count, 0);
    /* The block ends after the kind byte. */
    decode_hex("01011e", MPTCPV_VERSION_1, &o);
    ck_assert_uint_eq(count(&o, MPTCPV_RULE_OPTION_MALFORMED), 1);
    ck_assert_uint_eq(o.findings[0].offset, 2);
    /* Length 255 in a 40-byte block. */
    uint8_t b[40] = {30, 255, 0x20, 0};
    mptcpv_options_decode(b, sizeof(b), NULL, &o);
    ck_assert_uint_eq(count(&o, MPTCPV_RULE_OPTION_MALFORMED), 1);
    /* Fuzzer regression: REMOVE_ADDR of length 255 in a block longer than a header. */
    uint8_t big[300];
    memset(big, 7, sizeof(big));
    big[0] = 30;
    big[1] = 255;
    big[2] = 0x40;
    mptcpv_options_decode(big, sizeof(big), NULL, &o);
    ck_assert_uint_eq(count(&o, MPTCPV_RULE_OPTION_MALFORMED), 1);
    ck_assert(!o.options[0].decoded);
    /* A long block of minimal options stops at MPTCPV_MAX_OPTIONS. */
    uint8_t many[200];
    for (size_t i = 0; i < sizeof(many); i += 4)
        memcpy(many + i, "\x1e\x04\x80\x01", 4);
    mptcpv_options_decode(many, sizeof(many), NULL, &o);
    ck_assert_uint_eq(o.count, MPTCPV_MAX_OPTIONS);
}
END_TEST

/* An option the capture's snaplen cut is incomplete, not malformed: no finding, marked cut.
 * The same bytes in a block that was not cut are malformed. */
START_TEST(test_cut_by_snaplen)
{
    /* MP_PRIO, then a DSS (length 20) of which 6 bytes were captured. */
    static const uint8_t block[] = {30, 3, 0x50, 30, 20, 0x20, 0x05, 0, 0};
    mptcpv_segment_info info = {.version = MPTCPV_VERSION_1, .ack = true};
    mptcpv_options o;
    mptcpv_options_decode(block, sizeof(block), &info, &o);
    ck_assert_uint_eq(o.count, 2);
    ck_assert_uint_eq(count(&o, MPTCPV_RULE_OPTION_MALFORMED), 1);
    ck_assert(!o.options[1].cut);

    info.block_truncated = true;
    mptcpv_options_decode(block, sizeof(block), &info, &o);
    ck_assert_uint_eq(o.count, 2);
    ck_assert_uint_eq(o.finding_count, 0);
    ck_assert(o.options[1].cut && !o.options[1].malformed && !o.options[1].decoded);
    ck_assert(!o.options[0].cut && o.options[0].decoded);
    /* Cut after the kind byte. */
    mptcpv_options_decode(block, 4, &info, &o);
    ck_assert_uint_eq(o.finding_count, 0);
    ck_assert(o.options[1].cut);
    /* A length past the 40-byte option space is wrong however much was captured. */
    static const uint8_t too_long[] = {30, 60, 0x20, 0x05};
    mptcpv_options_decode(too_long, sizeof(too_long), &info, &o);
    ck_assert_uint_eq(count(&o, MPTCPV_RULE_OPTION_MALFORMED), 1);
    ck_assert(!o.options[0].cut);
}
END_TEST

Suite *options_suite(void);

Suite *options_suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, test_length_sweep);
    tcase_add_test(tc, test_mp_capable_forms);
    tcase_add_test(tc, test_mp_join_forms);
    tcase_add_test(tc, test_dss_all_flags);
    tcase_add_test(tc, test_add_addr_forms);
    tcase_add_test(tc, test_signal_options);
    tcase_add_test(tc, test_block_walk);
    tcase_add_test(tc, test_cut_by_snaplen);
    suite_add_tcase(s, tc);
    return s;
}
