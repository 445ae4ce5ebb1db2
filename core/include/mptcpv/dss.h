/*
 * Data-level arithmetic: DSS checksum pieces (RFC 8684 3.3.1, RFC 1071) and 32-to-64-bit
 * sequence expansion (RFC 8684 3.3; the Linux __mptcp_expand_seq() algorithm).
 */
#ifndef MPTCPV_DSS_H
#define MPTCPV_DSS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Ones'-complement sum (not complemented) of |len| bytes read as big-endian 16-bit words,
 * the first byte at an even offset; an odd trailing byte is padded with zero. Works a
 * machine word at a time. A run that starts at an odd offset of a longer byte string
 * contributes mptcpv_csum_swap() of this value.
 */
uint16_t mptcpv_csum_bytes(const uint8_t *data, size_t len);

/* Byte-swap a 16-bit partial sum (the contribution of data at an odd offset). */
static inline uint16_t mptcpv_csum_swap(uint16_t sum)
{
    return (uint16_t)((sum << 8) | (sum >> 8));
}

/* Ones'-complement addition of two 16-bit partial sums. */
static inline uint16_t mptcpv_csum_add(uint16_t a, uint16_t b)
{
    uint32_t s = (uint32_t)a + b;
    return (uint16_t)((s & 0xffff) + (s >> 16));
}

/*
 * Partial sum of the DSS pseudo-header (RFC 8684 3.3.1): 64-bit DSN, relative subflow
 * sequence number, data-level length (counting a DATA_FIN), and |checksum| in the last word
 * (0 to compute, the received value to verify: the total then folds to 0xffff).
 */
uint16_t mptcpv_csum_pseudo_header(uint64_t dsn, uint32_t ssn, uint16_t data_len,
                                   uint16_t checksum);

/* The 64-bit value congruent to |value32| modulo 2^32 that is nearest to |reference|. */
uint64_t mptcpv_expand_seq32(uint64_t reference, uint32_t value32);

#ifdef __cplusplus
}
#endif

#endif /* MPTCPV_DSS_H */
