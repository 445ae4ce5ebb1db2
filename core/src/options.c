/*
 * TCP options block walk and kind-30 dispatch (RFC 8684 3, RFC 6824 3).
 *
 * The walk trusts no length: it stops on EOL, on a missing or < 2 length byte and on an
 * option that runs past the block, so a zero length can neither loop nor overread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1

const char *mptcpv_subtype_name(uint8_t subtype)
{
    switch (subtype) {
#define SUBTYPE_CASE(e, value, name)                                                               \
    case value:                                                                                    \
        return name;
        MPTCPV_SUBTYPES(SUBTYPE_CASE)
#undef SUBTYPE_CASE
    }
    return "unknown";
}

static void decode_raw(const mpv_decode_ctx *ctx)
{
    ctx->option->u.raw.data_offset = 3;
    ctx->option->u.raw.data_len = (uint8_t)(ctx->len - 3);
    ctx->option->decoded = true;
}

/* Dispatch one complete option (declared length == bytes present, >= 3). */
static void decode_complete(const mpv_decode_ctx *ctx)
{
    uint8_t subtype = ctx->option->subtype;
    switch (subtype) {
    case MPTCPV_MP_CAPABLE:
        mpv_decode_mp_capable(ctx);
        break;
    case MPTCPV_MP_JOIN:
        mpv_decode_mp_join(ctx);
        break;
    case MPTCPV_DSS:
        mpv_decode_dss(ctx);
        break;
    case MPTCPV_ADD_ADDR:
        mpv_decode_add_addr(ctx);
        break;
    case MPTCPV_REMOVE_ADDR:
        mpv_decode_remove_addr(ctx);
        break;
    case MPTCPV_MP_PRIO:
        mpv_decode_mp_prio(ctx);
        break;
    case MPTCPV_MP_FAIL:
        mpv_decode_mp_fail(ctx);
        break;
    case MPTCPV_MP_FASTCLOSE:
        mpv_decode_mp_fastclose(ctx);
        break;
    case MPTCPV_MP_TCPRST:
        mpv_decode_mp_tcprst(ctx);
        break;
    case MPTCPV_MP_EXPERIMENTAL:
        /* Private use (IANA registry, RFC 8684 7): free format, informational only. */
        mpv_report(ctx, MPTCPV_RULE_OPTION_EXPERIMENTAL,
                   "MP_EXPERIMENTAL, %u bytes of private data", ctx->len - 3u);
        decode_raw(ctx);
        break;
    default:
        mpv_report(ctx, MPTCPV_RULE_OPTION_UNKNOWN_SUBTYPE, "unassigned subtype 0x%x", subtype);
        decode_raw(ctx);
        break;
    }
}

void mptcpv_option_decode(const uint8_t *opt, size_t avail, uint16_t offset,
                          const mptcpv_segment_info *seg, mptcpv_option *option,
                          mptcpv_options *out)
{
    memset(option, 0, sizeof(*option));
    option->offset = offset;
    option->length = avail >= 2 ? opt[1] : 0;
    option->avail = (uint8_t)(avail < option->length ? avail : option->length);
    if (avail < 2)
        option->avail = (uint8_t)avail;

    mpv_decode_ctx ctx = {
        .opt = opt,
        .len = option->avail,
        .offset = offset,
        .version = seg != NULL ? seg->version : MPTCPV_VERSION_UNKNOWN,
        .seg = seg,
        .option = option,
        .out = out,
    };
    if (avail < 2) {
        ctx.len = 1;
        mpv_report(&ctx, MPTCPV_RULE_OPTION_MALFORMED,
                   "options block ends after the kind byte (no length)");
        return;
    }
    if (option->length < 3) {
        ctx.len = 2; /* kind and length bytes */
        mpv_report(&ctx, MPTCPV_RULE_OPTION_MALFORMED,
                   "length %u leaves no room for the subtype (minimum 3)", option->length);
        return;
    }
    if (avail >= 3) {
        option->has_subtype = true;
        option->subtype = opt[2] >> 4;
    }
    if (option->length > MPTCPV_TCPOPT_MAX_LEN) {
        /* No TCP header has room for it (RFC 9293 3.1); only a caller passing more than a
         * header's options can hit this. */
        ctx.len = (uint8_t)(avail < MPTCPV_TCPOPT_MAX_LEN ? avail : MPTCPV_TCPOPT_MAX_LEN);
        mpv_report(&ctx, MPTCPV_RULE_OPTION_MALFORMED,
                   "length %u exceeds the %u-byte TCP option space", option->length,
                   MPTCPV_TCPOPT_MAX_LEN);
        return;
    }
    if (avail < option->length) {
        ctx.len = (uint8_t)(avail > UINT8_MAX ? UINT8_MAX : avail);
        mpv_report(&ctx, MPTCPV_RULE_OPTION_MALFORMED,
                   "length %u runs past the options block (%zu bytes left)", option->length, avail);
        return;
    }
    decode_complete(&ctx);
}

size_t mptcpv_options_decode(const uint8_t *block, size_t len, const mptcpv_segment_info *seg,
                             mptcpv_options *out)
{
    /* Only the counts: entries are written whole as they are added (mptcpv_option_decode,
     * mpv_findings_addv) and read up to the counts. Clearing all 5 KiB cost ~700
     * instructions per segment, more than decoding a DSS option. */
    out->count = 0;
    out->finding_count = 0;
    out->findings_dropped = false;
    size_t i = 0;
    while (i < len && out->count < MPTCPV_MAX_OPTIONS) {
        uint8_t kind = block[i];
        if (kind == TCPOPT_EOL)
            break;
        if (kind == TCPOPT_NOP) {
            i++;
            continue;
        }
        size_t left = len - i;
        uint8_t optlen = left >= 2 ? block[i + 1] : 0;
        if (kind == MPTCPV_TCPOPT_KIND) {
            mptcpv_option *option = &out->options[out->count++];
            uint8_t findings_before = out->finding_count;
            mptcpv_option_decode(block + i, left, (uint16_t)i, seg, option, out);
            if (seg != NULL && seg->block_truncated && option->length <= MPTCPV_TCPOPT_MAX_LEN &&
                (option->avail < option->length || option->avail < 2)) {
                /* Reaches the end of a block the snaplen cut: what is missing was not
                 * captured, not sent wrong (a length past the option space is wrong). */
                option->cut = true;
                option->malformed = false;
                out->finding_count = findings_before;
            }
        }
        /* Without a usable length the next option's position is unknown: stop. */
        if (left < 2 || optlen < 2 || optlen > left)
            break;
        i += optlen;
    }
    return out->count;
}
