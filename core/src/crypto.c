/* Key-derived values over GLib's GChecksum/GHmac (see mptcpv/crypto.h). */
#include <glib.h>
#include <string.h>

#include "internal.h"
#include "mptcpv/crypto.h"

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static GChecksumType hash_for(mptcpv_version version)
{
    return version == MPTCPV_VERSION_0 ? G_CHECKSUM_SHA1 : G_CHECKSUM_SHA256;
}

void mptcpv_key_derive(mptcpv_version version, uint64_t key, uint32_t *token, uint64_t *idsn)
{
    uint8_t in[8];
    uint8_t digest[MPTCPV_HMAC_MAX_LEN];
    gsize len = sizeof(digest);
    put_be64(in, key);
    GChecksum *sum = g_checksum_new(hash_for(version));
    g_checksum_update(sum, in, sizeof(in));
    g_checksum_get_digest(sum, digest, &len);
    g_checksum_free(sum);
    /* RFC 8684 3.1 / RFC 6824 3.1: token = most significant 32 bits, IDSN = least
     * significant 64 bits of the hash. */
    if (token != NULL)
        *token = mpv_be32(digest);
    if (idsn != NULL)
        *idsn = mpv_be64(digest + len - 8);
}

static size_t hmac(mptcpv_version version, const uint8_t key[16], const uint8_t *msg,
                   size_t msg_len, uint8_t out[MPTCPV_HMAC_MAX_LEN])
{
    gsize len = MPTCPV_HMAC_MAX_LEN;
    GHmac *h = g_hmac_new(hash_for(version), key, 16);
    g_hmac_update(h, msg, (gssize)msg_len);
    g_hmac_get_digest(h, out, &len);
    g_hmac_unref(h);
    return len;
}

size_t mptcpv_join_hmac(mptcpv_version version, uint64_t key_own, uint64_t key_peer,
                        uint32_t nonce_own, uint32_t nonce_peer, uint8_t out[MPTCPV_HMAC_MAX_LEN])
{
    if (version != MPTCPV_VERSION_0 && version != MPTCPV_VERSION_1)
        return 0;
    uint8_t key[16];
    uint8_t msg[8];
    put_be64(key, key_own);
    put_be64(key + 8, key_peer);
    put_be32(msg, nonce_own);
    put_be32(msg + 4, nonce_peer);
    return hmac(version, key, msg, sizeof(msg), out);
}

uint64_t mptcpv_add_addr_hmac(uint64_t sender_key, uint64_t receiver_key,
                              const mptcpv_add_addr *add_addr, uint64_t *leftmost)
{
    uint8_t key[16];
    uint8_t msg[1 + 16 + 2];
    uint8_t digest[MPTCPV_HMAC_MAX_LEN];
    size_t alen = add_addr->family == 4 ? 4 : 16;
    put_be64(key, sender_key);
    put_be64(key + 8, receiver_key);
    msg[0] = add_addr->addr_id;
    memcpy(msg + 1, add_addr->addr, alen);
    /* Linux and RFC 8684 3.4.1: the port is always hashed, as 0 when the option has none. */
    uint16_t port = add_addr->has_port ? add_addr->port : 0;
    msg[1 + alen] = (uint8_t)(port >> 8);
    msg[2 + alen] = (uint8_t)port;
    size_t len = hmac(MPTCPV_VERSION_1, key, msg, 3 + alen, digest);
    if (leftmost != NULL)
        *leftmost = mpv_be64(digest);
    return mpv_be64(digest + len - 8); /* right-most 64 bits */
}
