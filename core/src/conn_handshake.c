/*
 * MP_CAPABLE handshake of the initial subflow (RFC 8684 3.1, RFC 6824 3.1): keys, version,
 * checksum negotiation, and the third ACK's echo of both keys.
 */
#include <inttypes.h>

#include "tracker_internal.h"

static mptcpv_version version_of(uint8_t nibble)
{
    return nibble == 0 ? MPTCPV_VERSION_0 : MPTCPV_VERSION_1;
}

/* Switch the connection to |version|: derived values depend on the hash. */
static void set_version(mpv_seg_ctx *ctx, mpv_conn *c, mptcpv_version version)
{
    if (c->facts.version == version)
        return;
    c->facts.version = version;
    if (c->facts.has_client_key)
        mpv_conn_set_key(ctx->tracker, c, true, c->facts.client_key);
    if (c->facts.has_server_key)
        mpv_conn_set_key(ctx->tracker, c, false, c->facts.server_key);
}

static void on_syn(mpv_seg_ctx *ctx, mpv_conn *c, const mptcpv_option *option)
{
    mpv_subflow *sf = ctx->sf;
    const mptcpv_mp_capable *mpc = &option->u.mp_capable;
    if (sf->syn_mpc) {
        /* Retransmission: RFC 6824 3.1 keeps Key-A across SYN retransmissions. */
        if (sf->syn_has_key && mpc->has_sender_key && mpc->sender_key != sf->syn_key)
            mpv_seg_report(ctx, option, MPTCPV_RULE_HANDSHAKE_KEY_MISMATCH,
                           "retransmitted SYN changes the key from %016" PRIx64 " to %016" PRIx64,
                           sf->syn_key, mpc->sender_key);
        return;
    }
    sf->syn_mpc = true;
    sf->syn_version = mpc->version;
    c->syn_checksum = mpc->flags & MPTCPV_MPC_FLAG_CHECKSUM;
    set_version(ctx, c, version_of(mpc->version));
    if (mpc->has_sender_key) {
        sf->syn_has_key = true;
        sf->syn_key = mpc->sender_key;
        mpv_conn_set_key(ctx->tracker, c, true, mpc->sender_key);
    }
}

static void on_synack(mpv_seg_ctx *ctx, mpv_conn *c, const mptcpv_option *option)
{
    mpv_subflow *sf = ctx->sf;
    const mptcpv_mp_capable *mpc = &option->u.mp_capable;
    if (sf->synack_mpc) {
        if (c->facts.has_server_key && mpc->has_sender_key &&
            mpc->sender_key != c->facts.server_key)
            mpv_seg_report(ctx, option, MPTCPV_RULE_HANDSHAKE_KEY_MISMATCH,
                           "retransmitted SYN/ACK changes the key from %016" PRIx64
                           " to %016" PRIx64,
                           c->facts.server_key, mpc->sender_key);
        return;
    }
    sf->synack_mpc = true;
    /* RFC 8684 3.1: the responder answers with the SYN's version or a lower one. */
    if (sf->syn_mpc && mpc->version > sf->syn_version)
        mpv_seg_report(ctx, option, MPTCPV_RULE_HANDSHAKE_VERSION_MISMATCH,
                       "SYN/ACK answers version %u to a SYN offering version %u", mpc->version,
                       sf->syn_version);
    else if (mpc->version > 1)
        mpv_seg_report(ctx, option, MPTCPV_RULE_HANDSHAKE_VERSION_MISMATCH,
                       "SYN/ACK selects unknown version %u", mpc->version);
    set_version(ctx, c, version_of(mpc->version));
    c->synack_checksum = mpc->flags & MPTCPV_MPC_FLAG_CHECKSUM;
    if (sf->syn_mpc) {
        /* Checksums are used if either host requires them (RFC 8684 3.1). */
        c->facts.checksum_known = true;
        c->facts.checksum = c->syn_checksum || c->synack_checksum;
    }
    if (mpc->has_sender_key)
        mpv_conn_set_key(ctx->tracker, c, false, mpc->sender_key);
}

/* A non-SYN MP_CAPABLE from the client: the third ACK, v1 data, or v1 repeats. */
static void on_ack(mpv_seg_ctx *ctx, mpv_conn *c, const mptcpv_option *option)
{
    const mptcpv_mp_capable *mpc = &option->u.mp_capable;
    if (!mpc->has_receiver_key || !mpv_seg_from_client(ctx))
        return;
    if (c->facts.version == MPTCPV_VERSION_UNKNOWN) {
        /* No SYN or SYN/ACK in the capture: this is all there is. */
        set_version(ctx, c, version_of(mpc->version));
        c->facts.checksum_known = true;
        c->facts.checksum = mpc->flags & MPTCPV_MPC_FLAG_CHECKSUM;
    } else if (version_of(mpc->version) != c->facts.version || mpc->version > 1) {
        mpv_seg_report(ctx, option, MPTCPV_RULE_HANDSHAKE_VERSION_MISMATCH,
                       "MP_CAPABLE version %u after the handshake negotiated version %d",
                       mpc->version, (int)c->facts.version);
    }
    if (!c->facts.has_client_key)
        mpv_conn_set_key(ctx->tracker, c, true, mpc->sender_key);
    else if (mpc->sender_key != c->facts.client_key)
        mpv_seg_report(ctx, option, MPTCPV_RULE_HANDSHAKE_KEY_MISMATCH,
                       "sender's key %016" PRIx64 " differs from the client's key %016" PRIx64,
                       mpc->sender_key, c->facts.client_key);
    if (!c->facts.has_server_key)
        mpv_conn_set_key(ctx->tracker, c, false, mpc->receiver_key);
    else if (mpc->receiver_key != c->facts.server_key)
        mpv_seg_report(ctx, option, MPTCPV_RULE_HANDSHAKE_KEY_MISMATCH,
                       "receiver's key %016" PRIx64 " differs from the server's key %016" PRIx64
                       " (SYN/ACK)",
                       mpc->receiver_key, c->facts.server_key);
}

void mpv_conn_mp_capable(mpv_seg_ctx *ctx, const mptcpv_option *mpc)
{
    mpv_conn *c = ctx->sf->conn;
    uint8_t synack = ctx->seg->tcp_flags & (MPTCPV_TCP_SYN | MPTCPV_TCP_ACK);
    if (synack == MPTCPV_TCP_SYN)
        on_syn(ctx, c, mpc);
    else if (synack == (MPTCPV_TCP_SYN | MPTCPV_TCP_ACK))
        on_synack(ctx, c, mpc);
    else if (!(ctx->seg->tcp_flags & MPTCPV_TCP_SYN))
        on_ack(ctx, c, mpc);
}

void mpv_conn_check_third_ack(mpv_seg_ctx *ctx, const mptcpv_option *mpc)
{
    mpv_subflow *sf = ctx->sf;
    sf->third_ack_checked = true;
    /* Only the segment right after the SYN (seq ISN+1) must echo: if the capture lost it,
     * there is nothing to judge. */
    if (sf->has_isn_a && ctx->seg->seq != sf->isn_a + 1) {
        if (mpc != NULL)
            mpv_conn_mp_capable(ctx, mpc);
        return;
    }
    if (mpc != NULL && mpc->u.mp_capable.has_receiver_key) {
        mpv_conn_mp_capable(ctx, mpc);
        return;
    }
    mpv_seg_report(ctx, mpc, MPTCPV_RULE_HANDSHAKE_ECHO_MISSING,
                   mpc != NULL ? "third ACK's MP_CAPABLE lacks the receiver's key"
                               : "third ACK carries no MP_CAPABLE although the SYN/ACK did");
    mpv_conn_fall_back(ctx, sf->conn, MPTCPV_FALLBACK_NO_ECHO);
}
