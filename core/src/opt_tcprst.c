/*
 * MP_TCPRST (subtype 0x8, v1 only): RFC 8684 3.6 Figure 15. 4 bytes: flags U V W T in the
 * low nibble of byte 2 (only T, "transient", is defined) and a reason code.
 */
#include "internal.h"

const char *mptcpv_tcprst_reason_name(uint8_t reason)
{
    switch (reason) {
#define REASON_CASE(e, value, name)                                                                \
    case value:                                                                                    \
        return name;
        MPTCPV_TCPRST_REASONS(REASON_CASE)
#undef REASON_CASE
    }
    return NULL;
}

void mpv_decode_mp_tcprst(const mpv_decode_ctx *ctx)
{
    if (ctx->version == MPTCPV_VERSION_0)
        mpv_report(ctx, MPTCPV_RULE_OPTION_UNKNOWN_SUBTYPE,
                   "subtype 0x8 (MP_TCPRST) is not defined in MPTCP v0 (RFC 6824)");
    if (ctx->len != 4) {
        mpv_report_bad_length(ctx, "MP_TCPRST", "4");
        return;
    }
    mptcpv_mp_tcprst *rst = &ctx->option->u.mp_tcprst;
    rst->flags = ctx->opt[2] & 0x0f;
    rst->transient = rst->flags & MPTCPV_TCPRST_FLAG_TRANSIENT;
    rst->reason = ctx->opt[3];
    ctx->option->decoded = true;
}
