/*
 * MP_CAPABLE (subtype 0x0): RFC 8684 3.1 Figure 4, RFC 6824 3.1 Figure 3.
 *
 * The length selects the layout: 4 (v1 SYN, no key), 12 (sender's key: v0 SYN, SYN/ACK),
 * 20 (both keys), 22/24 (v1 only: both keys, data-level length, optional DSS checksum).
 * Each form belongs on one kind of segment; a form on another segment is malformed
 * (Linux's mptcp_parse_option() ignores it, so the peer falls back to TCP). Its values are
 * still decoded for display; the tracker does not use a malformed option.
 */
#include "internal.h"

/* RFC 8684 3.1 Figure 4, RFC 6824 3.1: SYN 4 (v1) or 12 (v0), SYN/ACK 12, other segments
 * 20 (third ACK) or, v1 only, 22/24 (first data). Versions other than 0 and 1 are the
 * version negotiation's business (handshake.version_mismatch). */
static void check_placement(const mpv_decode_ctx *ctx, const mptcpv_mp_capable *mpc)
{
    const mptcpv_segment_info *seg = ctx->seg;
    if (seg == NULL || mpc->version > 1)
        return;
    const char *where, *legal;
    bool ok;
    if (seg->syn && !seg->ack) {
        where = "a SYN";
        legal = mpc->version == 0 ? "12" : "4";
        ok = ctx->len == (mpc->version == 0 ? 12 : 4);
    } else if (seg->syn) {
        where = "a SYN/ACK";
        legal = "12";
        ok = ctx->len == 12;
    } else {
        where = "a segment without SYN";
        legal = mpc->version == 0 ? "20" : "20, 22, 24";
        ok = ctx->len >= 20;
    }
    if (!ok)
        mpv_report(ctx, MPTCPV_RULE_OPTION_MALFORMED,
                   "MP_CAPABLE v%u of length %u on %s (legal there: %s)", mpc->version, ctx->len,
                   where, legal);
}

void mpv_decode_mp_capable(const mpv_decode_ctx *ctx)
{
    const uint8_t *p = ctx->opt;
    mptcpv_mp_capable *mpc = &ctx->option->u.mp_capable;
    mpc->version = p[2] & 0x0f;
    if (ctx->len >= 4)
        mpc->flags = p[3];
    bool v0 = mpc->version == 0;

    switch (ctx->len) {
    case 4:
        if (v0)
            goto bad;
        mpc->form = MPTCPV_MPC_SYN_V1;
        break;
    case 12:
        mpc->form = MPTCPV_MPC_SENDER_KEY;
        break;
    case 20:
        mpc->form = MPTCPV_MPC_BOTH_KEYS;
        break;
    case 22:
        if (v0)
            goto bad;
        mpc->form = MPTCPV_MPC_DATA;
        break;
    case 24:
        if (v0)
            goto bad;
        mpc->form = MPTCPV_MPC_DATA_CSUM;
        break;
    default:
        goto bad;
    }
    if (ctx->len >= 12) {
        mpc->has_sender_key = true;
        mpc->sender_key = mpv_be64(p + 4);
    }
    if (ctx->len >= 20) {
        mpc->has_receiver_key = true;
        mpc->receiver_key = mpv_be64(p + 12);
    }
    if (ctx->len >= 22) {
        mpc->has_data_len = true;
        mpc->data_len = mpv_be16(p + 20);
    }
    if (ctx->len == 24) {
        mpc->has_checksum = true;
        mpc->checksum = mpv_be16(p + 22);
    }
    ctx->option->decoded = true;
    check_placement(ctx, mpc);
    return;
bad:
    mpv_report_bad_length(ctx, v0 ? "MP_CAPABLE v0" : "MP_CAPABLE v1",
                          v0 ? "12, 20" : "4, 12, 20, 22, 24");
}
