#include "tracker_fixture.h"

#include <check.h>
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
                                        uint8_t flags, uint32_t seq, uint32_t ack,
                                        const opts *o, const uint8_t *payload, uint32_t len,
                                        uint32_t captured)
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
