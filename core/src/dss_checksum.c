/* DSS checksum pieces and sequence expansion (see mptcpv/dss.h). */
#include <string.h>

#include "mptcpv/dss.h"

static uint16_t fold64(uint64_t sum)
{
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)sum;
}

/*
 * RFC 1071 2(B)/(C): the sum is independent of byte order and may be accumulated in wider
 * words with end-around carry. Native 64-bit loads, folded, give the sum in host order;
 * one swap on little-endian hosts turns it into the big-endian sum.
 */
uint16_t mptcpv_csum_bytes(const uint8_t *data, size_t len)
{
    /* Four independent accumulators of 32-bit halves: no carry chain between additions,
     * and 2^32 of them fit in 64 bits (a mapping is at most 64 KiB). */
    uint64_t acc[4] = {0, 0, 0, 0};
    while (len >= 32) {
        uint64_t w[4];
        memcpy(w, data, sizeof(w));
        for (int i = 0; i < 4; i++)
            acc[i] += (w[i] & 0xffffffffu) + (w[i] >> 32);
        data += 32;
        len -= 32;
    }
    uint64_t sum = 0;
    for (int i = 0; i < 4; i++) {
        sum += acc[i];
        sum += sum < acc[i];
    }
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, data, 8);
        sum += w;
        sum += sum < w;
        data += 8;
        len -= 8;
    }
    while (len >= 2) {
        uint16_t w;
        memcpy(&w, data, 2);
        sum += w;
        sum += sum < w;
        data += 2;
        len -= 2;
    }
    if (len == 1) {
        uint8_t last[2] = {data[0], 0};
        uint16_t w;
        memcpy(&w, last, 2);
        sum += w;
        sum += sum < w;
    }
    uint16_t folded = fold64(sum);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    folded = mptcpv_csum_swap(folded);
#endif
    return folded;
}

uint16_t mptcpv_csum_pseudo_header(uint64_t dsn, uint32_t ssn, uint16_t data_len, uint16_t checksum)
{
    uint32_t sum = (uint32_t)(dsn >> 48) + (uint32_t)((dsn >> 32) & 0xffff) +
                   (uint32_t)((dsn >> 16) & 0xffff) + (uint32_t)(dsn & 0xffff) + (ssn >> 16) +
                   (ssn & 0xffff) + data_len + checksum;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

uint64_t mptcpv_expand_seq32(uint64_t reference, uint32_t value32)
{
    uint64_t cur = (reference & 0xffffffff00000000ull) | value32;
    uint32_t ref32 = (uint32_t)reference;
    int32_t delta = (int32_t)(value32 - ref32);
    if (delta > 0 && value32 < ref32)
        cur += 1ull << 32; /* wrapped forward */
    else if (delta < 0 && value32 > ref32 && cur >= (1ull << 32))
        cur -= 1ull << 32; /* wrapped backward */
    return cur;
}
