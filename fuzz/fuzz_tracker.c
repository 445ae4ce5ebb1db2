/*
 * libFuzzer target: a sequence of synthetic TCP segments into the connection tracker.
 * Each record: [flags][endpoint pair 0-3][seq 4][ack 4][options length][options...]
 * [payload length][payload...]. Few endpoints, so segments meet the same subflows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mptcpv/tracker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static mptcpv_endpoint endpoint(unsigned n)
{
    mptcpv_endpoint e;
    memset(&e, 0, sizeof(e));
    e.family = 4;
    e.addr[0] = 10;
    e.addr[3] = (uint8_t)(n & 1);
    e.port = (uint16_t)(1000 + (n >> 1));
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Small bounds, so inputs also reach them (analysis.limit). */
    mptcpv_tracker *t = mptcpv_tracker_new(&(mptcpv_tracker_limits){
        .max_connections = 64, .max_subflows = 128, .max_subflows_per_connection = 4});
    mptcpv_segment_result *r = malloc(sizeof(*r));
    size_t pos = 0;
    uint32_t frame = 0;
    while (pos + 11 <= size && frame < 4096) {
        mptcpv_segment s;
        memset(&s, 0, sizeof(s));
        s.frame = ++frame;
        s.tcp_flags = data[pos];
        unsigned pair = data[pos + 1];
        s.src = endpoint(pair & 3);
        s.dst = endpoint((pair >> 2) & 3);
        s.seq = be32(data + pos + 2);
        s.ack = be32(data + pos + 6);
        size_t optlen = data[pos + 10] % 41;
        pos += 11;
        if (pos + optlen > size)
            break;
        uint8_t *opts = malloc(optlen > 0 ? optlen : 1);
        memcpy(opts, data + pos, optlen);
        s.options = opts;
        s.options_len = optlen;
        pos += optlen;
        size_t plen = pos < size ? data[pos++] : 0;
        if (pos + plen > size)
            plen = size - pos;
        uint8_t *payload = malloc(plen > 0 ? plen : 1);
        memcpy(payload, data + pos, plen);
        s.payload = payload;
        s.payload_len = (uint32_t)plen + ((pair & 0x80) ? 7 : 0); /* sometimes snaplen-cut */
        s.payload_captured = (uint32_t)plen;
        pos += plen;
        mptcpv_tracker_segment(t, &s, r);
        free(opts);
        free(payload);
    }
    uint32_t n = mptcpv_tracker_connection_count(t);
    for (uint32_t i = 0; i < n; i++) {
        mptcpv_conn_summary sum;
        mptcpv_tracker_connection(t, i, &sum);
    }
    free(r);
    mptcpv_tracker_free(t);
    return 0;
}
