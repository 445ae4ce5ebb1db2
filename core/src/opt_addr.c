/*
 * Address management: ADD_ADDR (0x3) and REMOVE_ADDR (0x4).
 * RFC 8684 3.4.1 Figure 12 / 3.4.2 Figure 13; RFC 6824 3.4.1 / 3.4.2.
 *
 * ADD_ADDR differs by version: v0 carries IPVer (4 or 6) in the low nibble and no HMAC;
 * v1 carries reserved bits and the echo flag E, infers the family and port from the length,
 * and appends a truncated HMAC unless E is set. The connection's version decides; without
 * it the nibble does (4/6 are v0, anything else v1), as the lengths 8/10/20/22 exist in both.
 */
#include <string.h>

#include "internal.h"

#define ADD_ADDR_ECHO 0x01

static void read_addr(mptcpv_add_addr *aa, const uint8_t *p, uint8_t family, bool port, bool hmac)
{
    size_t alen = family == 4 ? 4 : 16;
    aa->family = family;
    memcpy(aa->addr, p + 4, alen);
    const uint8_t *q = p + 4 + alen;
    if (port) {
        aa->has_port = true;
        aa->port = mpv_be16(q);
        q += 2;
    }
    if (hmac) {
        aa->has_hmac = true;
        aa->hmac = mpv_be64(q);
    }
}

static void decode_add_addr_v0(const mpv_decode_ctx *ctx, mptcpv_add_addr *aa)
{
    uint8_t ipver = aa->flags;
    if (ipver == 4 && (ctx->len == 8 || ctx->len == 10))
        read_addr(aa, ctx->opt, 4, ctx->len == 10, false);
    else if (ipver == 6 && (ctx->len == 20 || ctx->len == 22))
        read_addr(aa, ctx->opt, 6, ctx->len == 22, false);
    else if (ipver != 4 && ipver != 6) {
        mpv_report(ctx, MPTCPV_RULE_OPTION_MALFORMED, "ADD_ADDR v0 with IPVer %u (legal: 4, 6)",
                   ipver);
        return;
    } else {
        mpv_report_bad_length(ctx, ipver == 4 ? "ADD_ADDR v0 IPv4" : "ADD_ADDR v0 IPv6",
                              ipver == 4 ? "8, 10" : "20, 22");
        return;
    }
    ctx->option->decoded = true;
}

static void decode_add_addr_v1(const mpv_decode_ctx *ctx, mptcpv_add_addr *aa)
{
    aa->echo = aa->flags & ADD_ADDR_ECHO;
    /* Echo: no HMAC (8/10/20/22); otherwise 8 more bytes of HMAC (16/18/28/30). */
    uint8_t base = aa->echo ? ctx->len : (uint8_t)(ctx->len - 8);
    if (!aa->echo && ctx->len < 8)
        base = 0;
    switch (base) {
    case 8:
    case 10:
        read_addr(aa, ctx->opt, 4, base == 10, !aa->echo);
        break;
    case 20:
    case 22:
        read_addr(aa, ctx->opt, 6, base == 22, !aa->echo);
        break;
    default:
        mpv_report_bad_length(ctx, aa->echo ? "ADD_ADDR v1 echo" : "ADD_ADDR v1",
                              aa->echo ? "8, 10, 20, 22" : "16, 18, 28, 30");
        return;
    }
    ctx->option->decoded = true;
}

void mpv_decode_add_addr(const mpv_decode_ctx *ctx)
{
    mptcpv_add_addr *aa = &ctx->option->u.add_addr;
    aa->flags = ctx->opt[2] & 0x0f;
    if (ctx->len < 4) {
        mpv_report_bad_length(ctx, "ADD_ADDR", "8 or more");
        return;
    }
    aa->addr_id = ctx->opt[3];
    mptcpv_version form = ctx->version;
    if (form == MPTCPV_VERSION_UNKNOWN)
        form = (aa->flags == 4 || aa->flags == 6) ? MPTCPV_VERSION_0 : MPTCPV_VERSION_1;
    aa->form = form;
    if (form == MPTCPV_VERSION_0)
        decode_add_addr_v0(ctx, aa);
    else
        decode_add_addr_v1(ctx, aa);
}

void mpv_decode_remove_addr(const mpv_decode_ctx *ctx)
{
    mptcpv_remove_addr *ra = &ctx->option->u.remove_addr;
    if (ctx->len < 4) {
        mpv_report_bad_length(ctx, "REMOVE_ADDR", "3 + n with n >= 1 address ids");
        return;
    }
    ra->count = (uint8_t)(ctx->len - 3);
    memcpy(ra->ids, ctx->opt + 3, ra->count);
    ctx->option->decoded = true;
}
