/*
 * Reinjections (RFC 8684 3.3.6): the DSN ranges each host sent recently, by start DSN, and
 * the span of its data-level stream. A range resent on another subflow is a reinjection; a
 * TCP retransmission on the same subflow is not.
 */
#include <inttypes.h>
#include <stdio.h>

#include "tracker_internal.h"

static gint dsn_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The sender's data-level stream as the capture shows it: the span of DSNs sent, holes
 * included (the application sent those bytes; the capture or a path lost them). */
static void widen_span(mpv_seg_ctx *ctx, mpv_conn_side *s, uint64_t start, uint64_t end)
{
    uint64_t wider = 0;
    if (!s->has_span) {
        s->has_span = true;
        s->span_start = start;
        s->span_end = end;
        wider = end - start;
    } else {
        if (start < s->span_start) {
            wider += s->span_start - start;
            s->span_start = start;
        }
        if (end > s->span_end) {
            wider += end - s->span_end;
            s->span_end = end;
        }
    }
    mpv_count_stream_bytes(ctx, s, wider);
}

/* Remember [start, end) as sent by this segment; report the latest earlier frame that sent
 * any of the bytes from start + resent up on another subflow: a reinjection. The first
 * |resent| bytes are ones this subflow carried before (a TCP retransmission): resending them
 * is no reinjection, whatever other subflows sent meanwhile. */
void mpv_conn_note_sent(mpv_seg_ctx *ctx, mpv_conn *c, int side, uint64_t start, uint64_t end,
                        uint32_t resent)
{
    mpv_conn_side *s = &c->side[side];
    mptcpv_segment_result *res = ctx->res;
    if (s->sent == NULL)
        s->sent = g_tree_new_full(dsn_cmp, NULL, NULL, g_free);
    uint64_t fresh = start + resent; /* first byte new on this subflow */
    uint64_t again = 0;              /* of those, bytes another subflow sent before */
    /* Ranges starting before |end|, walked down while they can still overlap. None can when
     * the new bytes start at or above everything sent so far (every range ends within the
     * span): the common in-order segment skips the walk, ~45 ranges of 64 KiB below it. */
    GTreeNode *node = NULL;
    if (s->has_span && fresh < s->span_end) {
        node = g_tree_lower_bound(s->sent, &end);
        node = node != NULL ? g_tree_node_previous(node) : g_tree_node_last(s->sent);
    }
    for (int steps = 0; node != NULL && steps < 64; steps++) {
        const mpv_sent_range *r = g_tree_node_value(node);
        if (fresh < end && r->end > fresh && r->subflow != ctx->sf->index) {
            uint64_t from = r->start > fresh ? r->start : fresh;
            uint64_t to = r->end < end ? r->end : end;
            again += to > from ? to - from : 0;
            if (r->frame > res->data.reinjection_of)
                res->data.reinjection_of = r->frame;
        }
        if (r->start + 65536 <= start) /* a segment's range is < 64 KiB: none below overlaps */
            break;
        node = g_tree_node_previous(node);
    }
    if (res->data.reinjection_of != 0) {
        c->reinjections++;
        res->data.reinjected_bytes = (uint32_t)(again < end - fresh ? again : end - fresh);
        c->reinjected_bytes += res->data.reinjected_bytes;
    }
    widen_span(ctx, &c->side[side], start, end);
    /* Keep the first sender of these bytes. Looked up, not learnt from the walk above: an
     * empty range (start == end) or a long walk does not visit it, and g_tree_insert on an
     * existing key would free the old range yet keep its start as the key (fuzz_tracker). */
    if (g_tree_lookup(s->sent, &start) != NULL)
        return;
    mpv_sent_range *r = g_new(mpv_sent_range, 1);
    *r = (mpv_sent_range){start, end, ctx->seg->frame, ctx->sf->index};
    g_tree_insert(s->sent, &r->start, r);
    if (g_tree_nnodes(s->sent) > CONN_SENT_RANGES) {
        GTreeNode *lowest = g_tree_node_first(s->sent);
        g_tree_remove(s->sent, g_tree_node_key(lowest));
    }
}
