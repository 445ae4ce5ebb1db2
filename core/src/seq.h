/* 32-bit sequence number order (RFC 1982 serial number arithmetic, as TCP uses it, RFC 9293
 * 3.4): |a| is before |b| when b - a, taken modulo 2^32, is in 1..2^31-1. Pairs exactly 2^31
 * apart compare as before in one direction only, as TCP's own comparison does. */
#ifndef MPTCPV_SEQ_H
#define MPTCPV_SEQ_H

#include <stdbool.h>
#include <stdint.h>

static inline bool mpv_seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static inline bool mpv_seq_leq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}

static inline bool mpv_seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

static inline bool mpv_seq_geq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) >= 0;
}

#endif /* MPTCPV_SEQ_H */
