/* Findings of the option decoders: appended to an mptcpv_options, dropped when full. */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

void mpv_findings_addv(mptcpv_options *out, mptcpv_rule_id rule, uint16_t offset, uint16_t length,
                       const char *fmt, va_list ap)
{
    if (out->finding_count >= MPTCPV_MAX_FINDINGS) {
        out->findings_dropped = true;
        return;
    }
    mptcpv_finding *f = &out->findings[out->finding_count++];
    f->rule = rule;
    f->offset = offset;
    f->length = length;
    vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
}

void mpv_report(const mpv_decode_ctx *ctx, mptcpv_rule_id rule, const char *fmt, ...)
{
    if (rule == MPTCPV_RULE_OPTION_MALFORMED)
        ctx->option->malformed = true;
    va_list ap;
    va_start(ap, fmt);
    mpv_findings_addv(ctx->out, rule, ctx->offset, ctx->len, fmt, ap);
    va_end(ap);
}

void mpv_report_bad_length(const mpv_decode_ctx *ctx, const char *what, const char *legal)
{
    mpv_report(ctx, MPTCPV_RULE_OPTION_MALFORMED, "%s with length %u (legal: %s)", what, ctx->len,
               legal);
}
