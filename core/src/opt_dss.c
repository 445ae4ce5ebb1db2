/*
 * DSS, Data Sequence Signal (subtype 0x2): RFC 8684 3.3 Figure 9, RFC 6824 3.3.
 *
 * The flags fix the length: 4 + DATA_ACK (4/8 if A) + mapping (DSN 4/8, SSN 4, length 2,
 * checksum 2 if negotiated, if M). Without the handshake the checksum's presence is read
 * from the length; whether it matches the negotiation is the connection's concern.
 */
#include "internal.h"

uint8_t mptcpv_dss_expected_len(uint8_t flags, bool with_checksum)
{
    unsigned len = 4;
    if (flags & MPTCPV_DSS_FLAG_ACK)
        len += (flags & MPTCPV_DSS_FLAG_ACK64) ? 8 : 4;
    if (flags & MPTCPV_DSS_FLAG_MAPPING) {
        len += (flags & MPTCPV_DSS_FLAG_DSN64) ? 8 : 4;
        len += 4 + 2;
        if (with_checksum)
            len += 2;
    }
    return (uint8_t)len; /* at most 4 + 8 + 8 + 4 + 2 + 2 = 28 */
}

void mpv_decode_dss(const mpv_decode_ctx *ctx)
{
    const uint8_t *p = ctx->opt;
    mptcpv_dss *dss = &ctx->option->u.dss;
    if (ctx->len < 4) {
        mpv_report_bad_length(ctx, "DSS", "4 or more, as its flags require");
        return;
    }
    uint8_t flags = p[3];
    dss->flags = flags;
    dss->data_fin = flags & MPTCPV_DSS_FLAG_DATA_FIN;
    dss->has_ack = flags & MPTCPV_DSS_FLAG_ACK;
    dss->ack64 = dss->has_ack && (flags & MPTCPV_DSS_FLAG_ACK64);
    dss->has_mapping = flags & MPTCPV_DSS_FLAG_MAPPING;
    dss->dsn64 = dss->has_mapping && (flags & MPTCPV_DSS_FLAG_DSN64);

    uint8_t plain = mptcpv_dss_expected_len(flags, false);
    uint8_t with_csum = mptcpv_dss_expected_len(flags, true);
    if (ctx->len != plain && ctx->len != with_csum) {
        mpv_report(ctx, MPTCPV_RULE_OPTION_MALFORMED,
                   "DSS with length %u, but flags 0x%02x require %u%s", ctx->len, flags, plain,
                   dss->has_mapping ? " (or +2 with checksum)" : "");
        return;
    }
    dss->has_checksum = dss->has_mapping && ctx->len == with_csum;

    const uint8_t *q = p + 4;
    if (dss->has_ack) {
        dss->data_ack = dss->ack64 ? mpv_be64(q) : mpv_be32(q);
        q += dss->ack64 ? 8 : 4;
    }
    if (dss->has_mapping) {
        dss->dsn = dss->dsn64 ? mpv_be64(q) : mpv_be32(q);
        q += dss->dsn64 ? 8 : 4;
        dss->ssn = mpv_be32(q);
        dss->data_len = mpv_be16(q + 4);
        if (dss->has_checksum)
            dss->checksum = mpv_be16(q + 6);
    }
    ctx->option->decoded = true;
}
