/* One-line option summaries for the Info column and reports, close to tcpdump's wording. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

typedef struct text {
    char *buf;
    size_t size;
    size_t need; /* length the full text needs */
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(text *t, const char *fmt, ...)
{
    size_t room = t->need < t->size ? t->size - t->need : 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(room > 0 ? t->buf + t->need : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->need += (size_t)n;
}

/* put() without printf, for the per-packet DSS path (the GUI and -T fields format every
 * option label). Same truncation and NUL-termination as vsnprintf. */
static void put_str(text *t, const char *str, size_t len)
{
    if (t->need < t->size) {
        size_t room = t->size - t->need - 1;
        size_t n = len < room ? len : room;
        memcpy(t->buf + t->need, str, n);
        t->buf[t->need + n] = '\0';
    }
    t->need += len;
}

/* Two digits per division: DSS labels carry ~40 digits and are formatted for every frame. */
static void put_u64(text *t, uint64_t value)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930"
                                "31323334353637383940414243444546474849505152535455565758596061"
                                "62636465666768697071727374757677787980818283848586878889909192"
                                "93949596979899";
    char digits[20];
    size_t pos = sizeof(digits);
    while (value >= 100) {
        size_t pair = (size_t)(value % 100) * 2;
        value /= 100;
        pos -= 2;
        memcpy(digits + pos, pairs + pair, 2);
    }
    if (value >= 10) {
        pos -= 2;
        memcpy(digits + pos, pairs + value * 2, 2);
    } else {
        digits[--pos] = (char)('0' + value);
    }
    put_str(t, digits + pos, sizeof(digits) - pos);
}

#define PUT_LITERAL(t, s) put_str((t), (s), sizeof(s) - 1)

/* Flag letters in the order the RFC figures draw them, most significant first. */
static void put_flags(text *t, uint8_t flags, const char *letters, unsigned nbits)
{
    put(t, " flags:");
    for (unsigned i = 0; i < nbits; i++) {
        if (flags & (1u << (nbits - 1 - i)))
            put(t, "%c", letters[i]);
    }
}

static void format_mp_capable(text *t, const mptcpv_mp_capable *mpc)
{
    put(t, "mp capable v%u", mpc->version);
    put_flags(t, mpc->flags, "ABCDEFGH", 8);
    if (mpc->has_sender_key)
        put(t, " sndkey:%016" PRIx64, mpc->sender_key);
    if (mpc->has_receiver_key)
        put(t, " rcvkey:%016" PRIx64, mpc->receiver_key);
    if (mpc->has_data_len)
        put(t, " dlen %u", mpc->data_len);
    if (mpc->has_checksum)
        put(t, " csum 0x%04x", mpc->checksum);
}

static void format_mp_join(text *t, const mptcpv_mp_join *join)
{
    switch (join->form) {
    case MPTCPV_JOIN_SYN:
        put(t, "mp join syn id %u token 0x%08" PRIx32 " nonce 0x%08" PRIx32, join->addr_id,
            join->token, join->nonce);
        break;
    case MPTCPV_JOIN_SYNACK:
        put(t, "mp join synack id %u hmac 0x%016" PRIx64 " nonce 0x%08" PRIx32, join->addr_id,
            join->trunc_hmac, join->nonce);
        break;
    case MPTCPV_JOIN_ACK:
        put(t, "mp join ack hmac 0x");
        for (size_t i = 0; i < MPTCPV_JOIN_HMAC_LEN; i++)
            put(t, "%02x", join->hmac[i]);
        return;
    }
    if (join->backup)
        put(t, " backup");
}

static void format_dss(text *t, const mptcpv_dss *dss)
{
    /* tcpdump's letter order: F m M a A. */
    char flags[5];
    size_t n = 0;
    if (dss->data_fin)
        flags[n++] = 'F';
    if (dss->flags & MPTCPV_DSS_FLAG_DSN64)
        flags[n++] = 'm';
    if (dss->has_mapping)
        flags[n++] = 'M';
    if (dss->flags & MPTCPV_DSS_FLAG_ACK64)
        flags[n++] = 'a';
    if (dss->has_ack)
        flags[n++] = 'A';
    PUT_LITERAL(t, "mp dss flags:");
    put_str(t, flags, n);
    if (dss->has_ack) {
        PUT_LITERAL(t, " dack ");
        put_u64(t, dss->data_ack);
    }
    if (dss->has_mapping) {
        PUT_LITERAL(t, " dsn ");
        put_u64(t, dss->dsn);
        PUT_LITERAL(t, " sfsn ");
        put_u64(t, dss->ssn);
        PUT_LITERAL(t, " dlen ");
        put_u64(t, dss->data_len);
    }
    if (dss->has_checksum) {
        static const char hex[] = "0123456789abcdef";
        char csum[6] = {'0',
                        'x',
                        hex[dss->checksum >> 12],
                        hex[(dss->checksum >> 8) & 0xf],
                        hex[(dss->checksum >> 4) & 0xf],
                        hex[dss->checksum & 0xf]};
        PUT_LITERAL(t, " csum ");
        put_str(t, csum, sizeof(csum));
    }
}

static void format_add_addr(text *t, const mptcpv_add_addr *aa)
{
    char addr[INET6_ADDRSTRLEN] = "?";
    inet_ntop(aa->family == 4 ? AF_INET : AF_INET6, aa->addr, addr, sizeof(addr));
    put(t, "mp add-addr%s id %u %s", aa->echo ? " echo" : "", aa->addr_id, addr);
    if (aa->has_port)
        put(t, ":%u", aa->port);
    if (aa->has_hmac)
        put(t, " hmac 0x%016" PRIx64, aa->hmac);
}

static void format_remove_addr(text *t, const mptcpv_remove_addr *ra)
{
    put(t, "mp remove-addr id");
    for (size_t i = 0; i < ra->count; i++)
        put(t, "%s%u", i == 0 ? " " : ",", ra->ids[i]);
}

static void format_decoded(text *t, const mptcpv_option *o)
{
    switch (o->subtype) {
    case MPTCPV_MP_CAPABLE:
        format_mp_capable(t, &o->u.mp_capable);
        break;
    case MPTCPV_MP_JOIN:
        format_mp_join(t, &o->u.mp_join);
        break;
    case MPTCPV_DSS:
        format_dss(t, &o->u.dss);
        break;
    case MPTCPV_ADD_ADDR:
        format_add_addr(t, &o->u.add_addr);
        break;
    case MPTCPV_REMOVE_ADDR:
        format_remove_addr(t, &o->u.remove_addr);
        break;
    case MPTCPV_MP_PRIO:
        put(t, "mp prio%s", o->u.mp_prio.backup ? " backup" : " non-backup");
        if (o->u.mp_prio.has_addr_id)
            put(t, " id %u", o->u.mp_prio.addr_id);
        break;
    case MPTCPV_MP_FAIL:
        put(t, "mp fail dsn %" PRIu64, o->u.mp_fail.dsn);
        break;
    case MPTCPV_MP_FASTCLOSE:
        put(t, "mp fast-close key %016" PRIx64, o->u.mp_fastclose.receiver_key);
        break;
    case MPTCPV_MP_TCPRST: {
        const char *reason = mptcpv_tcprst_reason_name(o->u.mp_tcprst.reason);
        put(t, "mp tcprst%s reason %u (%s)", o->u.mp_tcprst.transient ? " transient" : "",
            o->u.mp_tcprst.reason, reason != NULL ? reason : "unassigned");
        break;
    }
    case MPTCPV_MP_EXPERIMENTAL:
        put(t, "mp experimental len %u", o->length);
        break;
    default:
        put(t, "mp unknown subtype 0x%x len %u", o->subtype, o->length);
        break;
    }
}

size_t mptcpv_option_format(const mptcpv_option *option, char *buf, size_t size)
{
    text t = {buf, size, 0};
    if (size > 0)
        buf[0] = '\0';
    if (option->decoded)
        format_decoded(&t, option);
    else if (option->has_subtype)
        put(&t, "mp %s malformed len %u", mptcpv_subtype_name(option->subtype), option->length);
    else
        put(&t, "mp malformed len %u", option->length);
    return t.need;
}
