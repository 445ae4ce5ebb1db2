/*
 * Connection events: what a timeline of the connection shows (a subflow joins, addresses
 * come and go, priorities change, failures, the close). Decided here once; every view
 * lists the segment results' event bits.
 */
#include "tracker_internal.h"

const char *mptcpv_event_name(mptcpv_event event)
{
    static const char *const names[] = {MPTCPV_EVENTS(MPV_X_NAME)};
    _Static_assert(sizeof(names) / sizeof(names[0]) <= 8, "events are bits of a uint8_t");
    return MPV_ENUM_NAME(names, event, NULL);
}

void mpv_conn_note_event(mpv_seg_ctx *ctx, mptcpv_event event)
{
    ctx->res->events |= (uint8_t)(1u << event);
}

void mpv_conn_note_option_events(mpv_seg_ctx *ctx)
{
    const mptcpv_options *o = &ctx->res->options;
    if (ctx->new_subflow && !ctx->sf->initial && (ctx->seg->tcp_flags & MPTCPV_TCP_SYN))
        mpv_conn_note_event(ctx, MPTCPV_EVENT_JOIN);
    for (unsigned i = 0; i < o->count; i++) {
        const mptcpv_option *opt = &o->options[i];
        if (!opt->decoded)
            continue;
        switch (opt->subtype) {
        case MPTCPV_ADD_ADDR:
            if (!opt->u.add_addr.echo)
                mpv_conn_note_event(ctx, MPTCPV_EVENT_ADD_ADDR);
            break;
        case MPTCPV_REMOVE_ADDR:
            mpv_conn_note_event(ctx, MPTCPV_EVENT_REMOVE_ADDR);
            break;
        case MPTCPV_MP_PRIO:
            mpv_conn_note_event(ctx, MPTCPV_EVENT_MP_PRIO);
            break;
        case MPTCPV_MP_FAIL:
            mpv_conn_note_event(ctx, MPTCPV_EVENT_MP_FAIL);
            break;
        case MPTCPV_MP_FASTCLOSE:
            mpv_conn_note_event(ctx, MPTCPV_EVENT_FASTCLOSE);
            break;
        case MPTCPV_MP_TCPRST:
            mpv_conn_note_event(ctx, MPTCPV_EVENT_TCPRST);
            break;
        default:
            break;
        }
    }
}
