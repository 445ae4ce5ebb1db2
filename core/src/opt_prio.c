/*
 * MP_PRIO (subtype 0x5): RFC 8684 3.3.8 Figure 11 (3 bytes), RFC 6824 3.3.8 (3 or 4 bytes:
 * the optional Address ID was removed in v1 for security reasons, RFC 8684 Appendix E).
 */
#include "internal.h"

#define PRIO_BACKUP 0x01

void mpv_decode_mp_prio(const mpv_decode_ctx *ctx)
{
    mptcpv_mp_prio *prio = &ctx->option->u.mp_prio;
    prio->flags = ctx->opt[2] & 0x0f;
    prio->backup = prio->flags & PRIO_BACKUP;
    bool v1 = ctx->version == MPTCPV_VERSION_1;
    if (ctx->len == 3 || (ctx->len == 4 && !v1)) {
        if (ctx->len == 4) {
            prio->has_addr_id = true;
            prio->addr_id = ctx->opt[3];
        }
        ctx->option->decoded = true;
        return;
    }
    mpv_report_bad_length(ctx, v1 ? "MP_PRIO v1" : "MP_PRIO", v1 ? "3" : "3, 4 (v0)");
}
