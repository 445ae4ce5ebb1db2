/* Helpers shared by the core's option decoders; not part of the public API. */
#ifndef MPTCPV_INTERNAL_H
#define MPTCPV_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mptcpv/option.h"

/* Names of X-macro enums (X(ENUM, "name") lists of the public headers): a table indexed by
 * the enum, static const char *const names[] = {LIST(MPV_X_NAME)}, read with
 * MPV_ENUM_NAME(names, value, unknown): |unknown| for a value past the table's end. */
#define MPV_X_NAME(e, name) name,
#define MPV_ENUM_NAME(names, value, unknown)                                                       \
    mpv_enum_name((names), sizeof(names) / sizeof((names)[0]), (unsigned)(value), (unknown))

static inline const char *mpv_enum_name(const char *const *names, size_t count, unsigned value,
                                        const char *unknown)
{
    return value < count ? names[value] : unknown;
}

/* Big-endian reads. Callers check bounds first: these never see a short buffer. */
static inline uint16_t mpv_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t mpv_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t mpv_be64(const uint8_t *p)
{
    return ((uint64_t)mpv_be32(p) << 32) | mpv_be32(p + 4);
}

/* What one subtype decoder works on: one complete option (all |len| bytes present). */
typedef struct mpv_decode_ctx {
    const uint8_t *opt; /* kind byte */
    uint8_t len;        /* declared length == bytes present */
    uint16_t offset;    /* of the kind byte in the options block */
    mptcpv_version version;
    const mptcpv_segment_info *seg; /* may be NULL */
    mptcpv_option *option;
    mptcpv_options *out;
} mpv_decode_ctx;

/* Append a finding to |out| (dropped, with out->findings_dropped set, when full). */
void mpv_findings_addv(mptcpv_options *out, mptcpv_rule_id rule, uint16_t offset, uint16_t length,
                       const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* Append a finding about the current option; |fmt| is printf-style detail text. */
void mpv_report(const mpv_decode_ctx *ctx, mptcpv_rule_id rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report option.malformed for a length that is not legal for the subtype and version. */
void mpv_report_bad_length(const mpv_decode_ctx *ctx, const char *what, const char *legal);

/* One decoder per option family (core/src/opt_*.c). Each fills ctx->option->u and sets
 * ctx->option->decoded, or reports option.malformed and leaves decoded false. */
void mpv_decode_mp_capable(const mpv_decode_ctx *ctx);
void mpv_decode_mp_join(const mpv_decode_ctx *ctx);
void mpv_decode_dss(const mpv_decode_ctx *ctx);
void mpv_decode_add_addr(const mpv_decode_ctx *ctx);
void mpv_decode_remove_addr(const mpv_decode_ctx *ctx);
void mpv_decode_mp_prio(const mpv_decode_ctx *ctx);
void mpv_decode_mp_fail(const mpv_decode_ctx *ctx);
void mpv_decode_mp_fastclose(const mpv_decode_ctx *ctx);
void mpv_decode_mp_tcprst(const mpv_decode_ctx *ctx);

#endif /* MPTCPV_INTERNAL_H */
