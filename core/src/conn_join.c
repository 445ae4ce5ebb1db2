/*
 * MP_JOIN handshake of additional subflows (RFC 8684 3.2, RFC 6824 3.2): the token names
 * the connection; the SYN/ACK's truncated HMAC and the third ACK's HMAC prove both hosts
 * know the keys. A = the subflow's initiator, B = its responder; the sender of an HMAC puts
 * its own key and nonce first.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tracker_internal.h"

void mpv_conn_join_syn(mpv_seg_ctx *ctx, const mptcpv_option *option)
{
    const mptcpv_mp_join *join = &option->u.mp_join;
    mptcpv_tracker *t = ctx->tracker;
    mpv_conn *c = g_hash_table_lookup(t->tokens, GUINT_TO_POINTER(join->token));
    if (c != NULL) {
        ctx->res->join_token = MPTCPV_TOKEN_FOUND;
    } else if (t->any_handshake) {
        ctx->res->join_token = MPTCPV_TOKEN_UNKNOWN;
        mpv_seg_report(ctx, option, MPTCPV_RULE_JOIN_TOKEN_UNKNOWN,
                       "token 0x%08" PRIx32 " matches no connection of the capture", join->token);
    } else {
        ctx->res->join_token = MPTCPV_TOKEN_UNVERIFIABLE;
    }
    if (c == NULL) {
        /* Keep joins with the same unknown token together, keys unknown. */
        t->unlinked_joins = true;
        c = mpv_conn_new(t, ctx->seg->frame);
        if (c == NULL)
            return;
        c->facts.server_token = join->token;
        g_hash_table_insert(t->tokens, GUINT_TO_POINTER(join->token), c);
    }
    mpv_subflow *sf = mpv_subflow_new(ctx, c, false);
    if (sf == NULL)
        return;
    /* The token is the responder's: if it is the client's, the server opened this subflow. */
    sf->initiator_is_client = !(c->facts.has_client_key && c->facts.client_token == join->token);
    sf->has_nonce_a = true;
    sf->nonce_a = join->nonce;
    sf->has_addr_id_a = true;
    sf->addr_id_a = join->addr_id;
    sf->backup = join->backup;
}

/* Keys of A (initiator) and B (responder) of the current subflow, if both are known. */
static bool subflow_keys(const mpv_subflow *sf, uint64_t *key_a, uint64_t *key_b)
{
    const mptcpv_conn_facts *f = &sf->conn->facts;
    if (!f->has_client_key || !f->has_server_key || f->version == MPTCPV_VERSION_UNKNOWN)
        return false;
    *key_a = sf->initiator_is_client ? f->client_key : f->server_key;
    *key_b = sf->initiator_is_client ? f->server_key : f->client_key;
    return true;
}

void mpv_conn_join_synack(mpv_seg_ctx *ctx, const mptcpv_option *option)
{
    const mptcpv_mp_join *join = &option->u.mp_join;
    mpv_subflow *sf = ctx->sf;
    if (join->form != MPTCPV_JOIN_SYNACK)
        return;
    sf->has_nonce_b = true;
    sf->nonce_b = join->nonce;
    sf->has_addr_id_b = true;
    sf->addr_id_b = join->addr_id;
    sf->trunc_hmac_b = join->trunc_hmac;
    sf->backup = sf->backup || join->backup;

    uint64_t key_a, key_b;
    mptcpv_segment_result *res = ctx->res;
    if (!sf->has_nonce_a || !subflow_keys(sf, &key_a, &key_b)) {
        res->join_hmac = MPTCPV_VERDICT_UNVERIFIABLE;
        return;
    }
    /* SYN/ACK: HMAC(Key-B || Key-A, R-B || R-A), left-most 64 bits (RFC 8684 3.2). */
    uint8_t digest[MPTCPV_HMAC_MAX_LEN];
    mptcpv_join_hmac(sf->conn->facts.version, key_b, key_a, sf->nonce_b, sf->nonce_a, digest);
    memcpy(res->expected_hmac, digest, 8);
    res->expected_hmac_len = 8;
    if (mpv_be64(digest) == join->trunc_hmac) {
        res->join_hmac = MPTCPV_VERDICT_GOOD;
        return;
    }
    res->join_hmac = MPTCPV_VERDICT_BAD;
    mpv_seg_report(ctx, option, MPTCPV_RULE_JOIN_HMAC_BAD,
                   "SYN/ACK truncated HMAC 0x%016" PRIx64 ", expected 0x%016" PRIx64,
                   join->trunc_hmac, mpv_be64(digest));
}

void mpv_conn_join_ack(mpv_seg_ctx *ctx, const mptcpv_option *option)
{
    const mptcpv_mp_join *join = &option->u.mp_join;
    mpv_subflow *sf = ctx->sf;
    mptcpv_segment_result *res = ctx->res;
    sf->join_acked = true;
    uint64_t key_a, key_b;
    if (!sf->has_nonce_a || !sf->has_nonce_b || !subflow_keys(sf, &key_a, &key_b)) {
        res->join_hmac = MPTCPV_VERDICT_UNVERIFIABLE;
        return;
    }
    /* Third ACK: HMAC(Key-A || Key-B, R-A || R-B); v0 sends all 160 bits of SHA-1, v1 the
     * left-most 160 bits of SHA-256 (RFC 8684 3.2). */
    uint8_t digest[MPTCPV_HMAC_MAX_LEN];
    mptcpv_join_hmac(sf->conn->facts.version, key_a, key_b, sf->nonce_a, sf->nonce_b, digest);
    memcpy(res->expected_hmac, digest, MPTCPV_JOIN_HMAC_LEN);
    res->expected_hmac_len = MPTCPV_JOIN_HMAC_LEN;
    if (memcmp(digest, join->hmac, MPTCPV_JOIN_HMAC_LEN) == 0) {
        res->join_hmac = MPTCPV_VERDICT_GOOD;
        return;
    }
    res->join_hmac = MPTCPV_VERDICT_BAD;
    /* Both values whole: truncated ones may agree in every digit shown. */
    char got[2 * MPTCPV_JOIN_HMAC_LEN + 1], want[2 * MPTCPV_JOIN_HMAC_LEN + 1];
    for (unsigned i = 0; i < MPTCPV_JOIN_HMAC_LEN; i++) {
        snprintf(got + 2 * i, 3, "%02x", join->hmac[i]);
        snprintf(want + 2 * i, 3, "%02x", digest[i]);
    }
    mpv_seg_report(ctx, option, MPTCPV_RULE_JOIN_HMAC_BAD,
                   "third-ACK HMAC %s differs from the expected %s", got, want);
}
