#include "tracker_fixture.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

void put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void world_init(world *w, const mptcpv_tracker_limits *limits)
{
    memset(w, 0, sizeof(*w));
    w->t = mptcpv_tracker_new(limits);
    ck_assert_ptr_nonnull(w->t);
}

const mptcpv_segment_result *world_send(world *w, mptcpv_endpoint src, mptcpv_endpoint dst,
                                        uint8_t flags, uint32_t seq, uint32_t ack, const opts *o,
                                        const uint8_t *payload, uint32_t len, uint32_t captured)
{
    mptcpv_segment s;
    memset(&s, 0, sizeof(s));
    s.frame = ++w->frame;
    s.src = src;
    s.dst = dst;
    s.seq = seq;
    s.ack = ack;
    s.tcp_flags = flags;
    s.options = o != NULL ? o->b : NULL;
    s.options_len = o != NULL ? o->n : 0;
    s.payload = payload;
    s.payload_len = len;
    s.payload_captured = captured;
    mptcpv_tracker_segment(w->t, &s, &w->r);
    return &w->r;
}

int count_rule(const mptcpv_segment_result *r, mptcpv_rule_id rule)
{
    int n = 0;
    for (unsigned i = 0; i < r->options.finding_count; i++)
        n += r->options.findings[i].rule == rule;
    return n;
}

void put(opts *o, const uint8_t *p, size_t n)
{
    ck_assert_uint_le(o->n + n, sizeof(o->b));
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

/* MP_CAPABLE: 4 (v1 SYN), 12 (one key), 20 (two keys), 22/24 (v1 with data). */
void mpc(opts *o, uint8_t version, uint8_t flags, int nkeys, uint64_t k1, uint64_t k2, int data_len,
         int csum)
{
    uint8_t b[24] = {30, 4, (uint8_t)version, flags};
    size_t n = 4;
    if (nkeys >= 1) {
        put64(b + 4, k1);
        n = 12;
    }
    if (nkeys >= 2) {
        put64(b + 12, k2);
        n = 20;
    }
    if (data_len >= 0) {
        b[20] = (uint8_t)(data_len >> 8);
        b[21] = (uint8_t)data_len;
        n = 22;
        if (csum >= 0) {
            b[22] = (uint8_t)(csum >> 8);
            b[23] = (uint8_t)csum;
            n = 24;
        }
    }
    b[1] = (uint8_t)n;
    put(o, b, n);
}

void join_syn(opts *o, uint8_t id, uint32_t token, uint32_t nonce, int backup)
{
    uint8_t b[12] = {30, 12, (uint8_t)(0x10 | (backup ? 1 : 0)), id};
    put32(b + 4, token);
    put32(b + 8, nonce);
    put(o, b, 12);
}

void join_synack(opts *o, uint8_t id, uint64_t hmac, uint32_t nonce)
{
    uint8_t b[16] = {30, 16, 0x10, id};
    put64(b + 4, hmac);
    put32(b + 12, nonce);
    put(o, b, 16);
}

void join_ack(opts *o, const char *hex40)
{
    uint8_t b[24] = {30, 24, 0x10, 0};
    for (int i = 0; i < 20; i++) {
        unsigned v;
        sscanf(hex40 + 2 * i, "%2x", &v);
        b[4 + i] = (uint8_t)v;
    }
    put(o, b, 24);
}

/* DSS with 8-byte DATA_ACK (if ack != 0) and 8-byte DSN mapping (if len >= 0). */
void dss64(opts *o, uint64_t ack, uint64_t dsn, uint32_t ssn, int len, int csum, int fin)
{
    uint8_t b[28] = {30, 4, 0x20, 0};
    size_t n = 4;
    if (ack != 0) {
        b[3] |= 0x03;
        put64(b + n, ack);
        n += 8;
    }
    if (len >= 0) {
        b[3] |= 0x0c;
        put64(b + n, dsn);
        put32(b + n + 8, ssn);
        b[n + 12] = (uint8_t)(len >> 8);
        b[n + 13] = (uint8_t)len;
        n += 14;
        if (csum >= 0) {
            b[n] = (uint8_t)(csum >> 8);
            b[n + 1] = (uint8_t)csum;
            n += 2;
        }
    }
    if (fin)
        b[3] |= 0x10;
    b[1] = (uint8_t)n;
    put(o, b, n);
}

void dss32(opts *o, uint32_t ack, uint32_t dsn, uint32_t ssn, int len)
{
    uint8_t b[20] = {30, 4, 0x20, 0x01};
    put32(b + 4, ack);
    size_t n = 8;
    if (len >= 0) {
        b[3] |= 0x04;
        put32(b + 8, dsn);
        put32(b + 12, ssn);
        b[16] = (uint8_t)(len >> 8);
        b[17] = (uint8_t)len;
        n = 18;
    }
    b[1] = (uint8_t)n;
    put(o, b, n);
}

void raw(opts *o, const uint8_t *b, size_t n)
{
    put(o, b, n);
}

/* Hosts: the client's two addresses and the server's one. */
mptcpv_endpoint ep(uint8_t last, uint16_t port)
{
    mptcpv_endpoint e;
    memset(&e, 0, sizeof(e));
    e.family = 4;
    e.addr[0] = 192;
    e.addr[1] = 0;
    e.addr[2] = 2;
    e.addr[3] = last;
    e.port = port;
    return e;
}

/* A segment whose payload is a string; |captured| < 0: all of it. */
const mptcpv_segment_result *send_text(world *w, mptcpv_endpoint src, mptcpv_endpoint dst,
                                       uint8_t flags, uint32_t seq, uint32_t ack, const opts *o,
                                       const char *payload, int captured)
{
    uint32_t len = payload != NULL ? (uint32_t)strlen(payload) : 0;
    return world_send(w, src, dst, flags, seq, ack, o, (const uint8_t *)payload, len,
                      captured >= 0 ? (uint32_t)captured : len);
}

/* v0 handshake, checksum requested by the client (flags A|H). */
void handshake_v0(world *w, uint8_t flags)
{
    opts o = {0};
    mpc(&o, 0, flags, 1, KEY_A, 0, -1, -1);
    send_text(w, CLIENT, SERVER, SYN, ISN_C, 0, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 0, flags, 1, KEY_B, 0, -1, -1);
    send_text(w, SERVER, CLIENT, SYN | ACK, ISN_S, ISN_C + 1, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 0, flags, 2, KEY_A, KEY_B, -1, -1);
    send_text(w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
}

/* v1 handshake; the third ACK carries both keys. */
void handshake_v1(world *w, uint8_t flags)
{
    opts o = {0};
    mpc(&o, 1, flags, 0, 0, 0, -1, -1);
    send_text(w, CLIENT, SERVER, SYN, ISN_C, 0, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 1, flags, 1, KEY_B, 0, -1, -1);
    send_text(w, SERVER, CLIENT, SYN | ACK, ISN_S, ISN_C + 1, &o, NULL, -1);
    o.n = 0;
    mpc(&o, 1, flags, 2, KEY_A, KEY_B, -1, -1);
    send_text(w, CLIENT, SERVER, ACK, ISN_C + 1, ISN_S + 1, &o, NULL, -1);
}

/* Spec 4.3, v1: A (client, second address) joins with ID 2, B answers with ID 0. */
void join_v1(world *w, uint64_t synack_hmac)
{
    opts o = {0};
    join_syn(&o, 2, 0xd62a7033, 0x01020304, 0);
    send_text(w, CLIENT2, SERVER, SYN, 7000, 0, &o, NULL, -1);
    ck_assert_int_eq(w->r.join_token, MPTCPV_TOKEN_FOUND);
    ck_assert_uint_eq(w->r.subflow, 1);
    ck_assert_uint_eq(w->r.events, 1u << MPTCPV_EVENT_JOIN);
    send_text(w, CLIENT2, SERVER, SYN, 7000, 0, &o, NULL, -1); /* retransmitted: no new join */
    ck_assert_uint_eq(w->r.events, 0);
    o.n = 0;
    join_synack(&o, 0, synack_hmac, 0x0a0b0c0d);
    send_text(w, SERVER, CLIENT2, SYN | ACK, 9000, 7001, &o, NULL, -1);
}

void mp_fail(opts *o, uint64_t dsn)
{
    uint8_t b[12] = {30, 12, 0x60, 0};
    put64(b + 4, dsn);
    put(o, b, 12);
}

void mp_tcprst(opts *o, uint8_t reason)
{
    uint8_t b[4] = {30, 4, 0x80, reason};
    put(o, b, 4);
}

/* 10.a.b.c:port with a.b.c = |host| (24 bits). */
mptcpv_endpoint ep_host(uint32_t host, uint16_t port)
{
    mptcpv_endpoint e;
    memset(&e, 0, sizeof(e));
    e.family = 4;
    e.addr[0] = 10;
    e.addr[1] = (uint8_t)(host >> 16);
    e.addr[2] = (uint8_t)(host >> 8);
    e.addr[3] = (uint8_t)host;
    e.port = port;
    return e;
}

opts opts_mpc_v1(int nkeys, uint64_t k1, uint64_t k2, int csum)
{
    opts o = {0};
    mpc(&o, 1, (uint8_t)(0x01 | (csum ? 0x80 : 0)), nkeys, k1, k2, -1, -1);
    return o;
}

opts opts_join_syn(uint32_t token, uint32_t nonce)
{
    opts o = {0};
    join_syn(&o, 1, token, nonce, 0);
    return o;
}

opts opts_dss_map(uint64_t dsn, uint32_t ssn, uint16_t len, int csum)
{
    opts o = {0};
    dss64(&o, 0, dsn, ssn, len, csum, 0);
    return o;
}

const mptcpv_segment_result *send_bytes(world *w, mptcpv_endpoint src, mptcpv_endpoint dst,
                                        uint8_t flags, uint32_t seq, uint32_t ack, const opts *o,
                                        const uint8_t *payload, uint32_t len)
{
    return world_send(w, src, dst, flags, seq, ack, o, payload, len, len);
}

void decode_hex(const char *hex, mptcpv_version version, mptcpv_options *out)
{
    uint8_t buf[64];
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        buf[i] = (uint8_t)v;
    }
    mptcpv_segment_info seg = {.version = version};
    mptcpv_options_decode(buf, n, &seg, out);
}
