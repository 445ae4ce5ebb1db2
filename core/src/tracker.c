/*
 * Connection tracker core: subflow lookup by 4-tuple, segment dispatch, results.
 * Protocol handling per option family lives in conn_handshake.c, conn_join.c,
 * conn_signal.c, conn_data.c and conn_close.c; the state they share in conn_state.c.
 * Nothing below calls back into this file.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seq.h"
#include "tracker_internal.h"

/* Every segment hashes its 4-tuple once: eight bytes per step (multiply and fold), not one
 * (FNV-1a over the 38-byte key was ~230 instructions). mpv_subflow_key_make zeroes the
 * padding, so equal keys hash alike. */
static guint subflow_key_hash(gconstpointer p)
{
    _Static_assert(sizeof(mpv_subflow_key) <= 40, "the key fits five 64-bit words");
    uint64_t w[5] = {0, 0, 0, 0, 0};
    memcpy(w, p, sizeof(mpv_subflow_key));
    uint64_t h = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 5; i++) {
        h = (h ^ w[i]) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    return (guint)h;
}

static gboolean subflow_key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(mpv_subflow_key)) == 0;
}

static void conn_free(gpointer p)
{
    mpv_conn *c = p;
    for (int i = 0; i < 2; i++) {
        if (c->side[i].sent != NULL)
            g_tree_destroy(c->side[i].sent);
    }
    g_ptr_array_free(c->subflows, TRUE);
    g_free(c->announced);
    g_free(c);
}

mptcpv_tracker *mptcpv_tracker_new(const mptcpv_tracker_limits *limits)
{
    mptcpv_tracker *t = g_new0(mptcpv_tracker, 1);
    if (limits != NULL)
        t->limits = *limits;
    if (t->limits.max_connections == 0)
        t->limits.max_connections = MPTCPV_DEFAULT_MAX_CONNECTIONS;
    if (t->limits.max_subflows == 0)
        t->limits.max_subflows = MPTCPV_DEFAULT_MAX_SUBFLOWS;
    if (t->limits.max_subflows_per_connection == 0)
        t->limits.max_subflows_per_connection = MPTCPV_DEFAULT_MAX_SUBFLOWS_PER_CONNECTION;
    t->subflows = g_hash_table_new(subflow_key_hash, subflow_key_equal);
    t->tokens = g_hash_table_new(g_direct_hash, g_direct_equal);
    t->conns = g_ptr_array_new_with_free_func(conn_free);
    return t;
}

void mptcpv_tracker_free(mptcpv_tracker *tracker)
{
    if (tracker == NULL)
        return;
    g_hash_table_destroy(tracker->subflows);
    g_hash_table_destroy(tracker->tokens);
    g_ptr_array_free(tracker->conns, TRUE);
    g_free(tracker);
}

static const mptcpv_option *first_option(const mptcpv_options *o, uint8_t subtype)
{
    for (unsigned i = 0; i < o->count; i++) {
        if (o->options[i].decoded && !o->options[i].malformed && o->options[i].subtype == subtype)
            return &o->options[i];
    }
    return NULL;
}

/* Decode the options with the connection's version; a segment of no known connection
 * uses the version its own MP_CAPABLE names, if any. */
static mptcpv_version decode_options(const mptcpv_segment *seg, const mpv_subflow *sf,
                                     mptcpv_options *out)
{
    mptcpv_segment_info info = {
        .version =
            sf != NULL && sf->conn != NULL ? sf->conn->facts.version : MPTCPV_VERSION_UNKNOWN,
        .syn = seg->tcp_flags & MPTCPV_TCP_SYN,
        .ack = seg->tcp_flags & MPTCPV_TCP_ACK,
        .rst = seg->tcp_flags & MPTCPV_TCP_RST,
        .payload_len = seg->payload_len,
        .block_truncated = seg->options_truncated,
    };
    mptcpv_options_decode(seg->options, seg->options_len, &info, out);
    if (info.version != MPTCPV_VERSION_UNKNOWN)
        return info.version;
    const mptcpv_option *mpc = first_option(out, MPTCPV_MP_CAPABLE);
    if (mpc == NULL)
        return info.version;
    info.version = mpc->u.mp_capable.version == 0 ? MPTCPV_VERSION_0 : MPTCPV_VERSION_1;
    mptcpv_options_decode(seg->options, seg->options_len, &info, out);
    return info.version;
}

static void handle_syn(mpv_seg_ctx *ctx, const mptcpv_option *mpc, const mptcpv_option *join)
{
    mpv_subflow *sf = ctx->sf;
    const mptcpv_segment *seg = ctx->seg;
    if (sf != NULL && mpv_endpoint_eq(&sf->initiator, &seg->src) && sf->has_isn_a &&
        sf->isn_a == seg->seq) {
        /* A retransmitted SYN: same subflow; its key must not change (RFC 6824 3.1). */
        ctx->from_initiator = true;
        if (mpc != NULL && sf->initial)
            mpv_conn_mp_capable(ctx, mpc);
        return;
    }
    ctx->sf = NULL;
    if (mpc != NULL) {
        if (mpv_subflow_new(ctx, mpv_conn_new(ctx->tracker, seg->frame), true) != NULL)
            mpv_conn_mp_capable(ctx, mpc);
    } else if (join != NULL) {
        mpv_conn_join_syn(ctx, join);
    } else if (sf != NULL) {
        /* The 4-tuple now carries a plain TCP connection. */
        g_hash_table_remove(ctx->tracker->subflows, &sf->key);
    }
}

static void handle_synack(mpv_seg_ctx *ctx, const mptcpv_option *mpc, const mptcpv_option *join)
{
    mpv_subflow *sf = ctx->sf;
    if (sf == NULL) {
        /* The capture missed the SYN: an MP_CAPABLE SYN/ACK still opens a connection. */
        if (mpc == NULL)
            return;
        sf = mpv_subflow_new(ctx, mpv_conn_new(ctx->tracker, ctx->seg->frame), true);
        if (sf == NULL)
            return;
    }
    ctx->from_initiator = mpv_endpoint_eq(&sf->initiator, &ctx->seg->src);
    if (ctx->from_initiator)
        return;
    sf->has_isn_b = true;
    sf->isn_b = ctx->seg->seq;
    sf->synack_seen = true;
    if (sf->initial && mpc != NULL)
        mpv_conn_mp_capable(ctx, mpc);
    else if (sf->initial && sf->syn_mpc)
        mpv_conn_fall_back(ctx, sf->conn, MPTCPV_FALLBACK_NO_SYNACK_MPC);
    else if (!sf->initial && join != NULL)
        mpv_conn_join_synack(ctx, join);
}

/* What a mapping slot held before mpv_conn_data(), to see what the data level dropped. */
typedef struct map_seen {
    bool used, open, unranged;
    bool data_fin;
    uint16_t len;
    uint32_t frame, ssn, covered;
    uint64_t dsn;
} map_seen;

static void maps_before(const mpv_subflow_dir *dir, map_seen *seen)
{
    for (int k = 0; k < SUBFLOW_OPEN_MAPPINGS; k++) {
        const mpv_mapping *m = &dir->maps[k];
        seen[k] = (map_seen){
            .used = m->used,
            .open = m->used && !m->done,
            .unranged = m->ranges_overflow,
            .data_fin = m->data_fin,
            .len = m->len,
            .frame = m->frame,
            .ssn = m->ssn,
            .covered = m->covered,
            .dsn = m->dsn,
        };
    }
}

static bool same_mapping(const map_seen *a, const mpv_mapping *m)
{
    return a->used && m->used && a->frame == m->frame && a->ssn == m->ssn && a->len == m->len &&
           a->dsn == m->dsn && a->data_fin == m->data_fin;
}

/* Was the dropped mapping |m| still waiting for bytes the subflow has not sent yet? Bytes
 * below the subflow's highest sent byte that it lacks are missing from the capture (or come
 * again with their mapping, as retransmissions do): dropping it then loses nothing a larger
 * bound would have kept. */
static bool mapping_ahead(const mpv_subflow_dir *dir, const map_seen *m)
{
    uint32_t end = m->ssn + (uint32_t)m->len - (m->data_fin ? 1u : 0u);
    return !dir->has_data_end || mpv_seq_gt(end, dir->data_end);
}

/* The fixed bounds of the data level (MPTCPV_OPEN_MAPPINGS, MPTCPV_MAPPING_RANGES): count
 * what they dropped in this segment and note it once per connection. */
static void maps_after(mpv_seg_ctx *ctx, mpv_subflow_dir *dir, const map_seen *seen)
{
    mptcpv_tracker *t = ctx->tracker;
    mpv_conn *c = ctx->sf->conn;
    for (int k = 0; k < SUBFLOW_OPEN_MAPPINGS; k++) {
        const mpv_mapping *m = &dir->maps[k];
        bool same = same_mapping(&seen[k], m);
        if (seen[k].open && !same && mapping_ahead(dir, &seen[k])) {
            /* Its later bytes are unmapped because of the bound, not the sender. */
            uint32_t end = seen[k].ssn + (uint32_t)seen[k].len - (seen[k].data_fin ? 1u : 0u);
            if (!dir->has_dropped_end || mpv_seq_gt(end, dir->dropped_end)) {
                dir->has_dropped_end = true;
                dir->dropped_end = end;
            }
            t->refused.mappings_dropped++;
            mpv_note_limit(ctx, &c->limits_noted, LIMIT_OPEN_MAPPINGS,
                           "over %d open mappings: frame %" PRIu32 "'s (seq %" PRIu32
                           "+%u) dropped with %" PRIu32 " bytes seen; its later bytes "
                           "are unmapped, its checksum unverified",
                           SUBFLOW_OPEN_MAPPINGS, seen[k].frame, seen[k].ssn, seen[k].len,
                           seen[k].covered);
        }
        if (m->used && m->ranges_overflow && !(same && seen[k].unranged)) {
            t->refused.mappings_unranged++;
            mpv_note_limit(ctx, &c->limits_noted, LIMIT_MAPPING_RANGES,
                           "the bytes of frame %" PRIu32 "'s mapping (seq %" PRIu32
                           "+%u) came in over %d separate ranges: its checksum is not "
                           "verified",
                           m->frame, m->ssn, m->len, MAPPING_MAX_RANGES);
        }
    }
}

static bool mpc_has_both_keys(const mptcpv_option *mpc)
{
    return mpc != NULL && mpc->u.mp_capable.has_receiver_key;
}

static void handle_established(mpv_seg_ctx *ctx, const mptcpv_option *mpc,
                               const mptcpv_option *join)
{
    mpv_subflow *sf = ctx->sf;
    if (sf == NULL) {
        /* Capture started mid-connection: v1 repeats both keys after the handshake. */
        if (!mpc_has_both_keys(mpc))
            return;
        sf = mpv_subflow_new(ctx, mpv_conn_new(ctx->tracker, ctx->seg->frame), true);
        if (sf == NULL)
            return;
        sf->third_ack_checked = true;
        sf->established = true; /* the capture started after its handshake */
        ctx->res->subflow_established = true;
    }
    ctx->from_initiator = mpv_endpoint_eq(&sf->initiator, &ctx->seg->src);

    if (sf->initial && ctx->from_initiator && sf->synack_mpc && !sf->third_ack_checked)
        mpv_conn_check_third_ack(ctx, mpc);
    else if (mpc != NULL && sf->initial)
        mpv_conn_mp_capable(ctx, mpc);
    if (join != NULL && ctx->from_initiator && join->u.mp_join.form == MPTCPV_JOIN_ACK &&
        !sf->initial)
        mpv_conn_join_ack(ctx, join);

    const mptcpv_options *o = &ctx->res->options;
    for (unsigned i = 0; i < o->count; i++) {
        const mptcpv_option *opt = &o->options[i];
        if (!opt->decoded)
            continue;
        switch (opt->subtype) {
        case MPTCPV_ADD_ADDR:
            mpv_conn_add_addr(ctx, opt);
            break;
        case MPTCPV_REMOVE_ADDR:
            mpv_conn_remove_addr(ctx, opt);
            break;
        case MPTCPV_MP_PRIO:
            mpv_conn_mp_prio(ctx, opt);
            break;
        case MPTCPV_MP_FASTCLOSE:
            mpv_conn_fastclose(ctx, opt);
            break;
        case MPTCPV_MP_TCPRST:
            mpv_conn_tcprst(ctx, opt);
            break;
        default:
            break;
        }
    }
    mpv_subflow_dir *dir = &sf->dir[ctx->from_initiator ? 0 : 1];
    map_seen seen[SUBFLOW_OPEN_MAPPINGS];
    maps_before(dir, seen);
    mpv_conn_data(ctx);
    maps_after(ctx, dir, seen);
    mpv_conn_note_established(ctx);
    mpv_conn_note_end(ctx);
}

/* Table bounds hit by this segment, noted once per capture. */
static void note_table_limits(mpv_seg_ctx *ctx)
{
    mptcpv_tracker *t = ctx->tracker;
    if (t->limits_hit & LIMIT_CONNECTIONS)
        mpv_note_limit(ctx, &t->limits_noted, LIMIT_CONNECTIONS,
                       "%" PRIu32 " MPTCP connections tracked, the limit (max_connections): "
                       "this and later new connections are not tracked",
                       t->limits.max_connections);
    if (t->limits_hit & LIMIT_SUBFLOWS)
        mpv_note_limit(ctx, &t->limits_noted, LIMIT_SUBFLOWS,
                       "%" PRIu32 " subflows tracked, the limit (max_subflows): this and "
                       "later new subflows and connections are not tracked",
                       t->limits.max_subflows);
}

/* The options by their counts (entries are written whole as they are added) and everything
 * after them: clearing the whole 5.5 KiB result was a quarter of the tracker's time. */
static void clear_result(mptcpv_segment_result *result)
{
    _Static_assert(offsetof(mptcpv_segment_result, options) == 0,
                   "the options come first in mptcpv_segment_result");
    result->options.count = 0;
    result->options.finding_count = 0;
    result->options.findings_dropped = false;
    size_t tail = offsetof(mptcpv_segment_result, decoded_with);
    memset((char *)result + tail, 0, sizeof(*result) - tail);
}

void mptcpv_tracker_segment(mptcpv_tracker *tracker, const mptcpv_segment *segment,
                            mptcpv_segment_result *result)
{
    clear_result(result);
    tracker->limits_hit = 0;
    mpv_subflow_key key;
    mpv_subflow_key_make(segment, &key);
    mpv_seg_ctx ctx = {
        .tracker = tracker,
        .seg = segment,
        .res = result,
        .sf = g_hash_table_lookup(tracker->subflows, &key),
    };
    result->decoded_with = decode_options(segment, ctx.sf, &result->options);

    const mptcpv_option *mpc = first_option(&result->options, MPTCPV_MP_CAPABLE);
    const mptcpv_option *join = first_option(&result->options, MPTCPV_MP_JOIN);
    uint8_t synack = segment->tcp_flags & (MPTCPV_TCP_SYN | MPTCPV_TCP_ACK);
    if (synack == MPTCPV_TCP_SYN)
        handle_syn(&ctx, mpc, join);
    else if (synack == (MPTCPV_TCP_SYN | MPTCPV_TCP_ACK))
        handle_synack(&ctx, mpc, join);
    else
        handle_established(&ctx, mpc, join);
    if (tracker->limits_hit != 0)
        note_table_limits(&ctx);

    mpv_subflow *sf = ctx.sf;
    if (sf == NULL || sf->conn == NULL)
        return;
    result->linked = true;
    result->connection = sf->conn->index;
    result->subflow = sf->index;
    result->subflow_count = sf->conn->subflows->len;
    result->initial = sf->initial;
    result->backup = sf->backup;
    result->from_client = mpv_seg_from_client(&ctx);
    result->facts = sf->conn->facts;
    result->data.fallback = (uint8_t)sf->conn->fallback;
    mpv_conn_note_option_events(&ctx);
}

uint32_t mptcpv_tracker_connection_count(const mptcpv_tracker *tracker)
{
    return tracker->conns->len;
}

void mptcpv_tracker_get_limits(const mptcpv_tracker *tracker, mptcpv_tracker_limits *out)
{
    *out = tracker->limits;
}

/* Heap bytes of a GHashTable entry and of a GTree node, roughly (GLib 2.7x: hash tables
 * keep keys, values and hashes in separate arrays; a tree node holds key, value, balance,
 * three pointers). */
#define HASH_ENTRY_BYTES (3 * sizeof(void *))
#define TREE_NODE_BYTES  (6 * sizeof(void *))

void mptcpv_tracker_get_usage(const mptcpv_tracker *tracker, mptcpv_tracker_usage *out)
{
    *out = tracker->refused;
    out->connections = tracker->conns->len;
    out->subflows = tracker->subflow_total;
    uint64_t bytes = sizeof(*tracker) +
                     (uint64_t)tracker->conns->len * (sizeof(mpv_conn) + sizeof(void *)) +
                     (uint64_t)tracker->subflow_total * (sizeof(mpv_subflow) + sizeof(void *)) +
                     (uint64_t)g_hash_table_size(tracker->subflows) * HASH_ENTRY_BYTES +
                     (uint64_t)g_hash_table_size(tracker->tokens) * HASH_ENTRY_BYTES;
    for (guint i = 0; i < tracker->conns->len; i++) {
        const mpv_conn *c = g_ptr_array_index(tracker->conns, i);
        if (c->announced != NULL)
            bytes += 2 * sizeof(*c->announced);
        for (int s = 0; s < 2; s++) {
            if (c->side[s].sent != NULL)
                out->sent_ranges += (uint64_t)g_tree_nnodes(c->side[s].sent);
        }
    }
    bytes += out->sent_ranges * (sizeof(mpv_sent_range) + TREE_NODE_BYTES);
    out->state_bytes = bytes;
}

bool mptcpv_tracker_connection(const mptcpv_tracker *tracker, uint32_t connection,
                               mptcpv_conn_summary *out)
{
    if (connection >= tracker->conns->len)
        return false;
    const mpv_conn *c = g_ptr_array_index(tracker->conns, connection);
    *out = (mptcpv_conn_summary){0};
    out->connection = c->index;
    out->first_frame = c->first_frame;
    out->subflow_count = c->subflows->len;
    out->facts = c->facts;
    out->fallback = c->fallback;
    out->reinjections = c->reinjections;
    out->reinjected_bytes = c->reinjected_bytes;
    out->data_bytes_from_client = c->side[0].data_bytes;
    out->data_bytes_from_server = c->side[1].data_bytes;
    for (guint i = 0; i < c->subflows->len; i++)
        if (((const mpv_subflow *)g_ptr_array_index(c->subflows, i))->established)
            out->established_subflows++;
    out->checksums_good = c->csum_good;
    out->checksums_bad = c->csum_bad;
    out->checksums_unverifiable = c->csum_unverifiable;
    out->close = (mptcpv_close_state)c->close;
    for (guint i = 0; i < c->subflows->len; i++) {
        const mpv_subflow *sf = g_ptr_array_index(c->subflows, i);
        for (int d = 0; d < 2; d++) {
            for (int k = 0; k < SUBFLOW_OPEN_MAPPINGS; k++) {
                const mpv_mapping *m = &sf->dir[d].maps[k];
                if (m->used && m->has_csum && !m->done)
                    out->checksums_unverifiable++;
            }
        }
    }
    return true;
}

bool mptcpv_tracker_subflow(const mptcpv_tracker *tracker, uint32_t connection,
                            uint32_t subflow_index, mptcpv_subflow_summary *out)
{
    if (connection >= tracker->conns->len)
        return false;
    const mpv_conn *c = g_ptr_array_index(tracker->conns, connection);
    if (subflow_index >= c->subflows->len)
        return false;
    const mpv_subflow *sf = g_ptr_array_index(c->subflows, subflow_index);
    *out = (mptcpv_subflow_summary){
        .connection = c->index,
        .subflow = sf->index,
        .initial = sf->initial,
        .backup = sf->backup,
        .established = sf->established,
        .end = (mptcpv_subflow_end)sf->end,
        .end_frame = sf->end_frame,
        .has_tcprst_reason = sf->has_rst_reason,
        .tcprst_reason = sf->rst_reason,
    };
    return true;
}
