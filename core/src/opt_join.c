/*
 * MP_JOIN (subtype 0x1): RFC 8684 3.2 Figures 5-7, RFC 6824 3.2. Same layout in v0 and v1;
 * the length selects SYN (12: token, nonce), SYN/ACK (16: truncated HMAC, nonce) or ACK
 * (24: 160 bits of HMAC).
 */
#include <string.h>

#include "internal.h"

#define JOIN_BACKUP 0x01

/* Each form on its segment (RFC 8684 3.2 Figures 5-7): SYN 12, SYN/ACK 16, ACK 24. Values
 * of a misplaced form are still decoded for display; the tracker ignores it. */
static void check_placement(const mpv_decode_ctx *ctx, const mptcpv_mp_join *join)
{
    const mptcpv_segment_info *seg = ctx->seg;
    if (seg == NULL)
        return;
    mptcpv_join_form want = !seg->syn  ? MPTCPV_JOIN_ACK
                            : seg->ack ? MPTCPV_JOIN_SYNACK
                                       : MPTCPV_JOIN_SYN;
    if (join->form == want)
        return;
    static const char *const segment[] = {
        [MPTCPV_JOIN_SYN] = "a SYN (legal there: 12)",
        [MPTCPV_JOIN_SYNACK] = "a SYN/ACK (legal there: 16)",
        [MPTCPV_JOIN_ACK] = "a segment without SYN (legal there: 24)",
    };
    mpv_report(ctx, MPTCPV_RULE_OPTION_MALFORMED, "MP_JOIN of length %u on %s", ctx->len,
               segment[want]);
}

void mpv_decode_mp_join(const mpv_decode_ctx *ctx)
{
    const uint8_t *p = ctx->opt;
    mptcpv_mp_join *join = &ctx->option->u.mp_join;
    join->flags = p[2] & 0x0f;

    switch (ctx->len) {
    case 12:
        join->form = MPTCPV_JOIN_SYN;
        join->backup = join->flags & JOIN_BACKUP;
        join->addr_id = p[3];
        join->token = mpv_be32(p + 4);
        join->nonce = mpv_be32(p + 8);
        break;
    case 16:
        join->form = MPTCPV_JOIN_SYNACK;
        join->backup = join->flags & JOIN_BACKUP;
        join->addr_id = p[3];
        join->trunc_hmac = mpv_be64(p + 4);
        join->nonce = mpv_be32(p + 12);
        break;
    case 24:
        /* Byte 2's low nibble and byte 3 are reserved in the third ACK. */
        join->form = MPTCPV_JOIN_ACK;
        memcpy(join->hmac, p + 4, MPTCPV_JOIN_HMAC_LEN);
        break;
    default:
        mpv_report_bad_length(ctx, "MP_JOIN", "12 (SYN), 16 (SYN/ACK), 24 (ACK)");
        return;
    }
    ctx->option->decoded = true;
    check_placement(ctx, join);
}
