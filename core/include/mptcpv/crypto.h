/*
 * MPTCP key-derived values: tokens, IDSNs and HMACs (RFC 8684 3.1, 3.2, 3.4.1; RFC 6824).
 * v0 uses SHA-1 / HMAC-SHA1, v1 SHA-256 / HMAC-SHA256. Keys are hashed as their 8-byte
 * big-endian encoding, exactly as they appear on the wire. The hash implementation is GLib's
 * (GChecksum, GHmac); nothing here is hand-written cryptography.
 */
#ifndef MPTCPV_CRYPTO_H
#define MPTCPV_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "mptcpv/option.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPTCPV_HMAC_MAX_LEN 32

/* Token (most significant 32 bits of the key's hash) and IDSN (least significant 64 bits).
 * Either output pointer may be NULL (not wanted). All functions here are reentrant. */
void mptcpv_key_derive(mptcpv_version version, uint64_t key, uint32_t *token, uint64_t *idsn);

/*
 * MP_JOIN HMAC (RFC 8684 3.2): HMAC(key_own || key_peer, nonce_own || nonce_peer). The
 * sender of an HMAC always puts its own key and nonce first. Writes the full digest to
 * |out| (20 bytes for v0, 32 for v1) and returns its length; 0 for an unknown version.
 */
size_t mptcpv_join_hmac(mptcpv_version version, uint64_t key_own, uint64_t key_peer,
                        uint32_t nonce_own, uint32_t nonce_peer, uint8_t out[MPTCPV_HMAC_MAX_LEN]);

/*
 * v1 ADD_ADDR truncated HMAC (RFC 8684 3.4.1): right-most 64 bits of HMAC-SHA256 with key
 * sender_key || receiver_key over address id || address || port (0 when absent).
 * |leftmost| (may be NULL) receives the left-most 64 bits instead, which early Linux 5.x
 * kernels sent before they followed the RFC.
 */
uint64_t mptcpv_add_addr_hmac(uint64_t sender_key, uint64_t receiver_key,
                              const mptcpv_add_addr *add_addr, uint64_t *leftmost);

#ifdef __cplusplus
}
#endif

#endif /* MPTCPV_CRYPTO_H */
