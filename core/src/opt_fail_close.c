/*
 * MP_FAIL (0x6, RFC 8684 3.7 Figure 16) and MP_FASTCLOSE (0x7, RFC 8684 3.5 Figure 14);
 * RFC 6824 3.6 / 3.5. Both are 12 bytes with a 64-bit value at offset 4 in both versions.
 */
#include "internal.h"

void mpv_decode_mp_fail(const mpv_decode_ctx *ctx)
{
    if (ctx->len != 12) {
        mpv_report_bad_length(ctx, "MP_FAIL", "12");
        return;
    }
    ctx->option->u.mp_fail.dsn = mpv_be64(ctx->opt + 4);
    ctx->option->decoded = true;
}

void mpv_decode_mp_fastclose(const mpv_decode_ctx *ctx)
{
    if (ctx->len != 12) {
        mpv_report_bad_length(ctx, "MP_FASTCLOSE", "12");
        return;
    }
    ctx->option->u.mp_fastclose.receiver_key = mpv_be64(ctx->opt + 4);
    ctx->option->decoded = true;
}
