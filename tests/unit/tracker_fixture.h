/* Shared by the tracker's unit tests: option bytes, a tracker fed one segment at a time. */
#ifndef MPTCPV_TRACKER_FIXTURE_H
#define MPTCPV_TRACKER_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "mptcpv/tracker.h"

/* One TCP options block under construction. */
typedef struct opts {
    uint8_t b[40];
    size_t n;
} opts;

void put64(uint8_t *p, uint64_t v); /* big-endian */
void put32(uint8_t *p, uint32_t v);

/* A tracker and the result of the last segment; frames are numbered from 1. */
typedef struct world {
    mptcpv_tracker *t;
    uint32_t frame;
    mptcpv_segment_result r;
} world;

/* |limits| may be NULL (defaults). */
void world_init(world *w, const mptcpv_tracker_limits *limits);

/* Feed the next segment; |o| may be NULL; |captured| of the |len| payload bytes. */
const mptcpv_segment_result *world_send(world *w, mptcpv_endpoint src, mptcpv_endpoint dst,
                                        uint8_t flags, uint32_t seq, uint32_t ack,
                                        const opts *o, const uint8_t *payload, uint32_t len,
                                        uint32_t captured);

/* Findings of |rule| in |r|. */
int count_rule(const mptcpv_segment_result *r, mptcpv_rule_id rule);

#endif /* MPTCPV_TRACKER_FIXTURE_H */
