/*
 * MP_CAPABLE (subtype 0x0): RFC 8684 3.1 Figure 4, RFC 6824 3.1 Figure 3.
 *
 * The length selects the layout: 4 (v1 SYN, no key), 12 (sender's key: v0 SYN, SYN/ACK),
 * 20 (both keys), 22/24 (v1 only: both keys, data-level length, optional DSS checksum).
 * Which segment may carry which form is a placement question for the connection state.
 */
#include "internal.h"

void mptcpv_decode_mp_capable(const mptcpv_decode_ctx *ctx)
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
        mpc->sender_key = mptcpv_be64(p + 4);
    }
    if (ctx->len >= 20) {
        mpc->has_receiver_key = true;
        mpc->receiver_key = mptcpv_be64(p + 12);
    }
    if (ctx->len >= 22) {
        mpc->has_data_len = true;
        mpc->data_len = mptcpv_be16(p + 20);
    }
    if (ctx->len == 24) {
        mpc->has_checksum = true;
        mpc->checksum = mptcpv_be16(p + 22);
    }
    ctx->option->decoded = true;
    return;
bad:
    mptcpv_report_bad_length(ctx, v0 ? "MP_CAPABLE v0" : "MP_CAPABLE v1",
                             v0 ? "12, 20" : "4, 12, 20, 22, 24");
}
