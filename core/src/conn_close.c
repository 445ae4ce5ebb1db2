/*
 * How subflows and connections end: a subflow by FIN, RST, MP_TCPRST, MP_FAIL or
 * MP_FASTCLOSE; a connection by its DATA_FINs (RFC 8684 3.3.3), a fast close (3.5), or the
 * reset of its last subflow. Every view shows these states; only this file decides them.
 */
#include "tracker_internal.h"

const char *mptcpv_close_state_name(mptcpv_close_state state)
{
    static const char *const names[] = {MPTCPV_CLOSE_STATES(MPV_X_NAME)};
    return MPV_ENUM_NAME(names, state, "?");
}

const char *mptcpv_subflow_end_name(mptcpv_subflow_end end)
{
    static const char *const names[] = {MPTCPV_SUBFLOW_ENDS(MPV_X_NAME)};
    return MPV_ENUM_NAME(names, end, "?");
}

void mpv_conn_set_close(mpv_seg_ctx *ctx, mpv_conn *c, mptcpv_close_state state)
{
    /* Final states stay; a fast close ends anything still going. */
    if (c->close == state || c->close == MPTCPV_CLOSE_CLOSED || c->close == MPTCPV_CLOSE_FASTCLOSED)
        return;
    if (c->close == MPTCPV_CLOSE_RESET && state != MPTCPV_CLOSE_FASTCLOSED)
        return;
    c->close = (uint8_t)state;
    ctx->res->data.close = (uint8_t)state;
}

uint32_t mpv_conn_open_subflows(const mpv_conn *c, const mpv_subflow *except)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < c->subflows->len; i++) {
        const mpv_subflow *s = g_ptr_array_index(c->subflows, i);
        if (s != except && s->established && s->end == MPTCPV_SUBFLOW_OPEN)
            n++;
    }
    return n;
}

static mptcpv_subflow_end end_of_segment(const mpv_seg_ctx *ctx)
{
    const mptcpv_options *o = &ctx->res->options;
    bool fail = false, tcprst = false;
    for (unsigned i = 0; i < o->count; i++) {
        if (!o->options[i].decoded)
            continue;
        if (o->options[i].subtype == MPTCPV_MP_FASTCLOSE)
            return MPTCPV_SUBFLOW_END_FASTCLOSE;
        fail = fail || o->options[i].subtype == MPTCPV_MP_FAIL;
        tcprst = tcprst || o->options[i].subtype == MPTCPV_MP_TCPRST;
    }
    if (ctx->seg->tcp_flags & MPTCPV_TCP_RST)
        return fail     ? MPTCPV_SUBFLOW_END_MP_FAIL
               : tcprst ? MPTCPV_SUBFLOW_END_TCPRST
                        : MPTCPV_SUBFLOW_END_RST;
    if (ctx->seg->tcp_flags & MPTCPV_TCP_FIN)
        return MPTCPV_SUBFLOW_END_FIN;
    return MPTCPV_SUBFLOW_OPEN;
}

void mpv_conn_note_end(mpv_seg_ctx *ctx)
{
    mpv_subflow *sf = ctx->sf;
    mpv_conn *c = sf->conn;
    mptcpv_subflow_end end = end_of_segment(ctx);
    if (end <= sf->end)
        return;
    sf->end = (uint8_t)end;
    sf->end_frame = ctx->seg->frame;
    ctx->res->data.subflow_end = (uint8_t)end;

    if (end == MPTCPV_SUBFLOW_END_FASTCLOSE) {
        mpv_conn_set_close(ctx, c, MPTCPV_CLOSE_FASTCLOSED);
        return;
    }
    if (mpv_conn_open_subflows(c, NULL) > 0)
        return;
    /* The last subflow is gone. RFC 8684 3.7: after a fallback, TCP's FIN closes the
     * connection; otherwise only DATA_FINs do (conn_data.c). */
    if (end == MPTCPV_SUBFLOW_END_FIN) {
        if (c->fallback != MPTCPV_FALLBACK_NONE)
            mpv_conn_set_close(ctx, c, MPTCPV_CLOSE_CLOSED);
    } else {
        mpv_conn_set_close(ctx, c, MPTCPV_CLOSE_RESET);
    }
}

void mpv_conn_note_established(mpv_seg_ctx *ctx)
{
    mpv_subflow *sf = ctx->sf;
    if (sf->established || (ctx->seg->tcp_flags & (MPTCPV_TCP_SYN | MPTCPV_TCP_RST)))
        return;
    /* Initial subflow: the third ACK after the SYN/ACK. Join: the responder's ACK of the
     * third ACK (RFC 8684 3.2: data may flow only after it). */
    if (sf->initial ? sf->synack_seen && ctx->from_initiator
                    : sf->join_acked && !ctx->from_initiator) {
        sf->established = true;
        ctx->res->subflow_established = true;
    }
}
