/*
 * Connection state shared by the dispatcher (tracker.c) and the protocol handlers
 * (conn_*.c): findings about the segment, new connections and subflows under the tracker's
 * bounds, keys and tokens, fallback, and the analysis.limit notes. Calls nothing above it.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tracker_internal.h"

const char *mptcpv_verdict_name(mptcpv_verdict verdict)
{
    static const char *const names[] = {MPTCPV_VERDICTS(MPV_X_NAME)};
    return MPV_ENUM_NAME(names, verdict, "none");
}

const char *mptcpv_fallback_name(mptcpv_fallback fallback)
{
    static const char *const names[] = {MPTCPV_FALLBACKS(MPV_X_NAME)};
    return MPV_ENUM_NAME(names, fallback, "none");
}

int mpv_endpoint_cmp(const mptcpv_endpoint *a, const mptcpv_endpoint *b)
{
    int c = memcmp(a->addr, b->addr, sizeof(a->addr));
    if (c != 0)
        return c;
    return (int)a->port - (int)b->port;
}

bool mpv_endpoint_eq(const mptcpv_endpoint *a, const mptcpv_endpoint *b)
{
    return a->family == b->family && mpv_endpoint_cmp(a, b) == 0;
}

void mpv_subflow_key_make(const mptcpv_segment *seg, mpv_subflow_key *key)
{
    memset(key, 0, sizeof(*key));
    const mptcpv_endpoint *lo = &seg->src, *hi = &seg->dst;
    if (mpv_endpoint_cmp(lo, hi) > 0) {
        lo = &seg->dst;
        hi = &seg->src;
    }
    key->family = seg->src.family;
    memcpy(key->addr_lo, lo->addr, sizeof(key->addr_lo));
    memcpy(key->addr_hi, hi->addr, sizeof(key->addr_hi));
    key->port_lo = lo->port;
    key->port_hi = hi->port;
}

void mpv_seg_report(mpv_seg_ctx *ctx, const mptcpv_option *option, mptcpv_rule_id rule,
                    const char *fmt, ...)
{
    if (option != NULL && option->cut)
        return; /* the capture lacks part of it: nothing can be said about it */
    va_list ap;
    va_start(ap, fmt);
    mpv_findings_addv(&ctx->res->options, rule, option != NULL ? option->offset : 0,
                      option != NULL ? option->avail : 0, fmt, ap);
    va_end(ap);
}

void mpv_note_limit(mpv_seg_ctx *ctx, uint8_t *noted, uint8_t kind, const char *fmt, ...)
{
    if (*noted & kind)
        return;
    *noted |= kind;
    ctx->tracker->refused.limit_findings++;
    va_list ap;
    va_start(ap, fmt);
    mpv_findings_addv(&ctx->res->options, MPTCPV_RULE_ANALYSIS_LIMIT, 0, 0, fmt, ap);
    va_end(ap);
}

bool mpv_seg_from_client(const mpv_seg_ctx *ctx)
{
    return ctx->from_initiator == ctx->sf->initiator_is_client;
}

void mpv_conn_set_key(mptcpv_tracker *tracker, mpv_conn *c, bool client, uint64_t key)
{
    mptcpv_conn_facts *f = &c->facts;
    uint32_t token;
    uint64_t idsn;
    mptcpv_key_derive(f->version, key, &token, &idsn);
    if (client) {
        f->has_client_key = true;
        f->client_key = key;
        f->client_token = token;
        f->client_idsn = idsn;
    } else {
        f->has_server_key = true;
        f->server_key = key;
        f->server_token = token;
        f->server_idsn = idsn;
    }
    /* The most recent connection wins a token collision (RFC 8684 3.1 makes tokens
     * unique per host, not per capture). */
    g_hash_table_insert(tracker->tokens, GUINT_TO_POINTER(token), c);
    tracker->any_handshake = true;
}

mpv_conn *mpv_conn_new(mptcpv_tracker *tracker, uint32_t frame)
{
    /* Every caller adds a subflow next: no connection without room for one. The segment's
     * finding is added by mptcpv_tracker_segment(). */
    if (tracker->conns->len >= tracker->limits.max_connections ||
        tracker->subflow_total >= tracker->limits.max_subflows) {
        tracker->limits_hit |= tracker->conns->len >= tracker->limits.max_connections
                                   ? LIMIT_CONNECTIONS
                                   : LIMIT_SUBFLOWS;
        tracker->refused.connections_refused++;
        return NULL;
    }
    mpv_conn *c = g_new0(mpv_conn, 1);
    c->index = tracker->conns->len;
    c->first_frame = frame;
    c->facts.version = MPTCPV_VERSION_UNKNOWN;
    c->subflows = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(tracker->conns, c);
    return c;
}

mpv_subflow *mpv_subflow_new(mpv_seg_ctx *ctx, mpv_conn *c, bool initial)
{
    mptcpv_tracker *t = ctx->tracker;
    if (c == NULL)
        return NULL;
    if (t->subflow_total >= t->limits.max_subflows) {
        t->limits_hit |= LIMIT_SUBFLOWS;
        t->refused.subflows_refused++;
        return NULL;
    }
    if (c->subflows->len >= t->limits.max_subflows_per_connection) {
        t->refused.subflows_refused++;
        mpv_note_limit(ctx, &c->limits_noted, LIMIT_CONN_SUBFLOWS,
                       "connection %" PRIu32 " has %u subflows, the limit "
                       "(max_subflows_per_connection): its new ones are not tracked",
                       c->index, c->subflows->len);
        return NULL;
    }
    const mptcpv_segment *seg = ctx->seg;
    bool syn_only = (seg->tcp_flags & (MPTCPV_TCP_SYN | MPTCPV_TCP_ACK)) == MPTCPV_TCP_SYN;
    mpv_subflow *sf = g_new0(mpv_subflow, 1);
    mpv_subflow_key_make(seg, &sf->key);
    sf->conn = c;
    sf->index = c->subflows->len;
    sf->initial = initial;
    sf->initiator_is_client = true;
    /* The initiator sent the SYN; a capture starting later makes the best of what it has. */
    bool syn_ack =
        (seg->tcp_flags & (MPTCPV_TCP_SYN | MPTCPV_TCP_ACK)) == (MPTCPV_TCP_SYN | MPTCPV_TCP_ACK);
    sf->initiator = syn_ack ? seg->dst : seg->src;
    if (syn_only) {
        sf->has_isn_a = true;
        sf->isn_a = seg->seq;
    } else if (syn_ack) {
        sf->has_isn_a = true;
        sf->isn_a = seg->ack - 1;
    }
    g_ptr_array_add(c->subflows, sf);
    g_hash_table_replace(t->subflows, &sf->key, sf);
    t->subflow_total++;
    ctx->sf = sf;
    ctx->from_initiator = !syn_ack;
    ctx->new_subflow = true;
    return sf;
}

void mpv_conn_fall_back(mpv_seg_ctx *ctx, mpv_conn *c, mptcpv_fallback reason)
{
    if (c->fallback != MPTCPV_FALLBACK_NONE)
        return;
    c->fallback = reason;
    mpv_seg_report(ctx, NULL, MPTCPV_RULE_CONNECTION_FALLBACK, "connection falls back to TCP: %s",
                   mptcpv_fallback_name(reason));
}
