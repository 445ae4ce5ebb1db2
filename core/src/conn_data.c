/*
 * Data level: DSS mappings, DSS checksums, DATA_ACK, DATA_FIN and what makes a connection
 * fall back (RFC 8684 3.3, 3.7; RFC 6824 3.3, 3.6). Reinjections: conn_reinject.c.
 *
 * Each subflow direction keeps a few open mappings. Payload bytes are summed into the
 * mapping that covers them as segments arrive, in any order: a ones'-complement sum only
 * needs each byte's offset parity, and per-mapping ranges keep retransmitted bytes from
 * counting twice. Nothing is copied and nothing is kept per packet.
 */
#include <inttypes.h>
#include <stdio.h>

#include "mptcpv/dss.h"
#include "seq.h"
#include "tracker_internal.h"

static bool side_idsn(const mpv_conn *c, int side, uint64_t *idsn)
{
    const mptcpv_conn_facts *f = &c->facts;
    if (side == 0 && f->has_client_key) {
        *idsn = f->client_idsn;
        return true;
    }
    if (side == 1 && f->has_server_key) {
        *idsn = f->server_idsn;
        return true;
    }
    return false;
}

/* Reference to expand a 32-bit DSN sent by |side|: its last DSN, else its IDSN + 1. */
static bool dsn_reference(const mpv_conn *c, int side, uint64_t *ref)
{
    if (c->side[side].has_dsn_ref) {
        *ref = c->side[side].dsn_ref;
        return true;
    }
    if (!side_idsn(c, side, ref))
        return false;
    *ref += 1;
    return true;
}

static void process_data_ack(mpv_seg_ctx *ctx, mpv_conn *c, int side, const mptcpv_option *opt)
{
    const mptcpv_dss *d = &opt->u.dss;
    mpv_conn_side *me = &c->side[side];
    mpv_conn_side *peer = &c->side[1 - side];
    uint64_t ack = d->data_ack;
    if (!d->ack64) {
        /* A DATA_ACK acknowledges the peer's data: expand against the last one sent, else
         * against the peer's first DSN. */
        uint64_t ref;
        if (me->has_ack)
            ref = me->ack;
        else if (!dsn_reference(c, 1 - side, &ref))
            return;
        ack = mptcpv_expand_seq32(ref, (uint32_t)d->data_ack);
    }
    mptcpv_segment_result *res = ctx->res;
    res->data.has_data_ack = true;
    res->data.data_ack = ack;
    uint64_t idsn = 0;
    if (side_idsn(c, 1 - side, &idsn)) {
        res->data.has_relative_data_ack = true;
        res->data.relative_data_ack = ack - idsn;
    }
    /* RFC 8684 3.3.2: a DATA_ACK acknowledges data that was sent. Judged only where the
     * capture holds all of the peer's data: one subflow, no bytes missing, no subflow in
     * the capture that could belong to it unnoticed. */
    const mpv_subflow *sf = ctx->sf;
    bool complete = sf->initial && c->subflows->len == 1 && !ctx->tracker->unlinked_joins &&
                    sf->has_isn_a && sf->has_isn_b && !sf->dir[0].gap_seen && !sf->dir[1].gap_seen;
    if (complete && peer->has_sent_end && ack > peer->sent_end && (!me->has_ack || ack != me->ack))
        mpv_seg_report(ctx, opt, MPTCPV_RULE_DSS_ACK_UNSENT,
                       "DATA_ACK %" PRIu64 " is beyond the peer's data seen in the capture "
                       "(up to %" PRIu64 ")",
                       ack - idsn, peer->sent_end - idsn);
    if (!me->has_ack || ack > me->ack) {
        me->has_ack = true;
        me->ack = ack;
    }
    /* RFC 8684 3.3.3: the connection is closed once both DATA_FINs are acknowledged. */
    if (peer->has_data_fin && !peer->data_fin_acked && ack > peer->data_fin_dsn) {
        peer->data_fin_acked = true;
        res->data.data_fin_ack_of = peer->data_fin_frame;
        if (me->data_fin_acked)
            mpv_conn_set_close(ctx, c, MPTCPV_CLOSE_CLOSED);
    }
}

/* A mapping as announced by this segment (DSS, or v1 MP_CAPABLE with data). */
typedef struct announced_map {
    const mptcpv_option *opt;
    bool dsn_known;
    uint64_t dsn;
    uint32_t ssn;
    uint16_t len;
    bool data_fin;
    bool has_csum;
    uint16_t csum;
} announced_map;

static bool announced_from_dss(const mpv_conn *c, int side, const mptcpv_option *opt,
                               announced_map *am)
{
    const mptcpv_dss *d = &opt->u.dss;
    if (!d->has_mapping)
        return false;
    am->opt = opt;
    am->ssn = d->ssn;
    am->len = d->data_len;
    am->data_fin = d->data_fin;
    am->has_csum = d->has_checksum;
    am->csum = d->checksum;
    am->dsn = d->dsn;
    am->dsn_known = d->dsn64;
    uint64_t ref;
    if (!d->dsn64 && dsn_reference(c, side, &ref)) {
        am->dsn = mptcpv_expand_seq32(ref, (uint32_t)d->dsn);
        am->dsn_known = true;
    }
    return true;
}

/* v1 MP_CAPABLE with data: DSN = IDSN-A + 1, SSN 1 (RFC 8684 3.1). */
static bool announced_from_mpc(const mpv_conn *c, const mptcpv_option *opt, announced_map *am)
{
    const mptcpv_mp_capable *mpc = &opt->u.mp_capable;
    if (!mpc->has_data_len)
        return false;
    am->opt = opt;
    am->ssn = 1;
    am->len = mpc->data_len;
    am->data_fin = false;
    am->has_csum = mpc->has_checksum;
    am->csum = mpc->checksum;
    am->dsn_known = c->facts.has_client_key;
    am->dsn = c->facts.client_idsn + 1;
    return true;
}

static uint32_t data_len_of(const mpv_mapping *m)
{
    return (uint32_t)m->len - (m->data_fin ? 1u : 0u);
}

static bool covers(const mpv_mapping *m, uint32_t rel)
{
    return m->used && (uint32_t)(rel - m->ssn) < data_len_of(m);
}

static void mapping_verdict(mpv_seg_ctx *ctx, mpv_conn *c, mpv_mapping *m, mptcpv_verdict verdict)
{
    m->done = true;
    mptcpv_segment_result *res = ctx->res;
    if (!m->has_csum)
        return;
    /* A segment can complete two mappings (a remap of the tail): the failure is shown. */
    if (res->data.checksum != MPTCPV_VERDICT_BAD) {
        res->data.checksum = (uint8_t)verdict;
        res->data.checksum_mapping_frame = m->frame;
    }
    switch (verdict) {
    case MPTCPV_VERDICT_GOOD:
        c->csum_good++;
        break;
    case MPTCPV_VERDICT_BAD:
        c->csum_bad++;
        c->has_bad_csum = true;
        c->bad_csum_dsn = m->dsn;
        c->bad_csum_frame = m->frame;
        mpv_seg_report(ctx, NULL, MPTCPV_RULE_DSS_CHECKSUM_BAD,
                       "DSS checksum 0x%04x of the mapping in frame %" PRIu32
                       " (subflow seq %" PRIu32 ", %u bytes) does not verify: payload or "
                       "mapping changed in flight",
                       m->csum, m->frame, m->ssn, m->len);
        break;
    default:
        c->csum_unverifiable++;
        break;
    }
}

static void mapping_complete(mpv_seg_ctx *ctx, mpv_conn *c, mpv_mapping *m)
{
    if (m->bytes_missing || !m->dsn_known || m->ranges_overflow) {
        mapping_verdict(ctx, c, m, MPTCPV_VERDICT_UNVERIFIABLE);
        return;
    }
    uint16_t total = mptcpv_csum_add((uint16_t)m->sum,
                                     mptcpv_csum_pseudo_header(m->dsn, m->ssn, m->len, m->csum));
    mapping_verdict(ctx, c, m, total == 0xffff ? MPTCPV_VERDICT_GOOD : MPTCPV_VERDICT_BAD);
}

/* Add the payload bytes [a, b) (offsets within |m|) that were not seen yet. */
static void mapping_add(mpv_mapping *m, uint32_t a, uint32_t b, const mptcpv_segment *seg,
                        uint32_t payload_offset_of_a)
{
    uint32_t pos = a;
    while (pos < b) {
        /* Skip what an earlier segment already covered. */
        uint32_t piece_end = b;
        bool skip = false;
        for (unsigned i = 0; i < m->nranges; i++) {
            if (pos >= m->range_start[i] && pos < m->range_end[i]) {
                pos = m->range_end[i];
                skip = true;
                break;
            }
            if (m->range_start[i] > pos && m->range_start[i] < piece_end)
                piece_end = m->range_start[i];
        }
        if (skip)
            continue;
        uint32_t off = payload_offset_of_a + (pos - a);
        uint32_t n = piece_end - pos;
        uint32_t have = off < seg->payload_captured ? seg->payload_captured - off : 0;
        if (have < n || seg->payload == NULL)
            m->bytes_missing = true;
        else {
            uint16_t s = mptcpv_csum_bytes(seg->payload + off, n);
            m->sum = mptcpv_csum_add((uint16_t)m->sum, (pos & 1) ? mptcpv_csum_swap(s) : s);
        }
        m->covered += n;
        /* Merge with an adjacent range, else add one. */
        bool merged = false;
        for (unsigned i = 0; i < m->nranges && !merged; i++) {
            if (m->range_end[i] == pos) {
                m->range_end[i] = piece_end;
                merged = true;
            } else if (m->range_start[i] == piece_end) {
                m->range_start[i] = pos;
                merged = true;
            }
        }
        if (!merged) {
            if (m->nranges < MAPPING_MAX_RANGES) {
                m->range_start[m->nranges] = pos;
                m->range_end[m->nranges] = piece_end;
                m->nranges++;
            } else {
                m->ranges_overflow = true;
            }
        }
        pos = piece_end;
    }
}

static mpv_mapping *store_mapping(mpv_seg_ctx *ctx, mpv_conn *c, mpv_subflow_dir *dir,
                                  const announced_map *am)
{
    for (unsigned i = 0; i < SUBFLOW_OPEN_MAPPINGS; i++) {
        mpv_mapping *m = &dir->maps[i];
        if (!m->used)
            continue;
        bool same_dsn = m->dsn_known && am->dsn_known ? m->dsn == am->dsn
                                                      : (uint32_t)m->dsn == (uint32_t)am->dsn;
        if (m->ssn == am->ssn && m->len == am->len && m->data_fin == am->data_fin && same_dsn &&
            (!m->has_csum || !am->has_csum || m->csum == am->csum))
            return m; /* the same mapping, repeated (RFC 8684 3.3.1 allows it) */
        uint32_t m_end = m->ssn + data_len_of(m);
        uint32_t a_end = am->ssn + (uint32_t)am->len - (am->data_fin ? 1u : 0u);
        bool overlap = data_len_of(m) > 0 && am->len > (am->data_fin ? 1 : 0) &&
                       mpv_seq_lt(am->ssn, m_end) && mpv_seq_lt(m->ssn, a_end);
        if (!overlap)
            continue;
        /* RFC 8684 3.3.1: a mapping cannot be changed once sent. */
        uint32_t m_off = (uint32_t)m->dsn - m->ssn;
        uint32_t a_off = (uint32_t)am->dsn - am->ssn;
        if (m_off != a_off || (m->ssn == am->ssn && m->len == am->len))
            mpv_seg_report(ctx, am->opt, MPTCPV_RULE_DSS_MAPPING_CONFLICT,
                           "subflow seq %" PRIu32 "+%u maps to DSN ...%08" PRIx32
                           ", but frame %" PRIu32 " mapped seq %" PRIu32 "+%u to ...%08" PRIx32,
                           am->ssn, am->len, (uint32_t)am->dsn, m->frame, m->ssn, m->len,
                           (uint32_t)m->dsn);
    }
    mpv_mapping *slot = &dir->maps[dir->next_map];
    dir->next_map = (uint8_t)((dir->next_map + 1) % SUBFLOW_OPEN_MAPPINGS);
    if (slot->used && slot->has_csum && !slot->done)
        c->csum_unverifiable++; /* evicted before all of its bytes were seen */
    *slot = (mpv_mapping){
        .used = true,
        .dsn_known = am->dsn_known,
        .data_fin = am->data_fin,
        .has_csum = am->has_csum,
        .dsn = am->dsn,
        .ssn = am->ssn,
        .len = am->len,
        .csum = am->csum,
        .frame = ctx->seg->frame,
    };
    return slot;
}

static void check_mapping(mpv_seg_ctx *ctx, mpv_conn *c, const announced_map *am)
{
    const mptcpv_conn_facts *f = &c->facts;
    if (am->len == 0) {
        mpv_conn_fall_back(ctx, c, MPTCPV_FALLBACK_INFINITE_MAP);
        return;
    }
    /* RFC 8684 3.3: a checksum on every mapping iff negotiated. */
    if (f->checksum_known && f->checksum && !am->has_csum)
        mpv_seg_report(ctx, am->opt, MPTCPV_RULE_DSS_CHECKSUM_MISSING,
                       "mapping without checksum although the handshake negotiated checksums");
    else if (f->checksum_known && !f->checksum && am->has_csum)
        mpv_seg_report(ctx, am->opt, MPTCPV_RULE_DSS_CHECKSUM_UNEXPECTED,
                       "mapping carries a checksum although none was negotiated");
    /* RFC 8684 3.3.3: a DATA_FIN without data has SSN 0 and data-level length 1. */
    if (am->data_fin && ctx->seg->payload_len == 0 && (am->ssn != 0 || am->len != 1))
        mpv_seg_report(ctx, am->opt, MPTCPV_RULE_DSS_DATA_FIN_INVALID,
                       "DATA_FIN without data has subflow seq %" PRIu32
                       " and length %u (must be 0 and 1)",
                       am->ssn, am->len);
}

/* Where a segment's payload lies in its subflow direction (relative sequence numbers), and
 * what the direction had seen before it. */
typedef struct payload_span {
    uint32_t rel, end;
    bool had_data_end;
    uint32_t old_data_end;
    bool new_data;   /* bytes beyond any seen before */
    bool gap;        /* bytes missing from the capture before these */
    bool contiguous; /* right after the highest byte seen */
} payload_span;

/* Place the payload in its direction and advance the direction's highest byte. */
static payload_span advance_direction(mpv_subflow_dir *dir, uint32_t rel, uint32_t len)
{
    payload_span p = {
        .rel = rel,
        .end = rel + len,
        .had_data_end = dir->has_data_end,
        .old_data_end = dir->data_end,
    };
    p.new_data = !dir->has_data_end || mpv_seq_gt(p.end, dir->data_end);
    p.gap = dir->has_data_end && mpv_seq_gt(rel, dir->data_end);
    p.contiguous = dir->has_data_end && rel == dir->data_end;
    if (p.gap)
        dir->gap_seen = true;
    if (p.new_data) {
        dir->has_data_end = true;
        dir->data_end = p.end;
    }
    return p;
}

/* Sum the payload into every open mapping it overlaps; return the mapping that places its
 * first byte (the carried one preferred), NULL if none. */
static mpv_mapping *sum_into_mappings(mpv_seg_ctx *ctx, mpv_conn *c, mpv_subflow_dir *dir,
                                      const mpv_mapping *carried, const payload_span *p)
{
    const mptcpv_segment *seg = ctx->seg;
    uint32_t rel = p->rel, end = p->end;
    mpv_mapping *first = NULL;
    unsigned spanned = 0;
    uint32_t min_end = 0, max_start = 0;
    for (unsigned i = 0; i < SUBFLOW_OPEN_MAPPINGS; i++) {
        mpv_mapping *m = &dir->maps[i];
        if (!m->used || data_len_of(m) == 0)
            continue;
        uint32_t m_end = m->ssn + data_len_of(m);
        if (mpv_seq_geq(m->ssn, end) || mpv_seq_geq(rel, m_end))
            continue; /* no overlap */
        /* An identical older copy of the carried mapping is skipped. */
        if (carried != NULL && m != carried && m->ssn == carried->ssn && m->len == carried->len)
            continue;
        if (spanned == 0 || mpv_seq_lt(m_end, min_end))
            min_end = m_end;
        if (spanned == 0 || mpv_seq_gt(m->ssn, max_start))
            max_start = m->ssn;
        spanned++;
        uint32_t a = mpv_seq_gt(rel, m->ssn) ? rel - m->ssn : 0;
        uint32_t b = mpv_seq_lt(end, m_end) ? end - m->ssn : data_len_of(m);
        if (covers(m, rel) && (first == NULL || m == carried))
            first = m;
        if (!m->done) {
            mapping_add(m, a, b, seg, m->ssn + a - rel);
            if (m->ranges_overflow || m->covered >= data_len_of(m))
                mapping_complete(ctx, c, m);
        }
    }
    /* Senders put one mapping's bytes in a segment; bytes of two disjoint mappings in one
     * segment mean something merged segments in flight. */
    if (spanned > 1 && mpv_seq_geq(max_start, min_end))
        mpv_seg_report(ctx, NULL, MPTCPV_RULE_MIDDLEBOX_COALESCED,
                       "one segment carries bytes of %u disjoint mappings: segments were "
                       "coalesced in flight",
                       spanned);
    return first;
}

/* Payload no mapping covers: lost with the capture's gaps, dropped by the open-mapping bound,
 * a fallback (no DSS on the first data) or a missing mapping. */
static void unmapped_payload(mpv_seg_ctx *ctx, mpv_conn *c, int side, mpv_subflow_dir *dir,
                             const payload_span *p, bool has_mptcp_option)
{
    if (!p->new_data)
        return;
    /* Senders may map many segments with one DSS: data right after bytes the capture
     * lacks may be covered by a mapping the capture lacks too. */
    if (p->gap || (p->contiguous && dir->unmapped_after_gap)) {
        dir->unmapped_after_gap = true;
        return;
    }
    /* Bytes of a mapping the open-mapping bound dropped (noted as analysis.limit). */
    if (dir->has_dropped_end && mpv_seq_lt(p->rel, dir->dropped_end))
        return;
    if (ctx->sf->initial && !dir->seen_dss && !has_mptcp_option) {
        /* RFC 8684 3.7: MPTCP options gone from the first data: both ends fall back. */
        mpv_conn_fall_back(ctx, c, MPTCPV_FALLBACK_NO_DSS);
        /* Its bytes are the first of the TCP stream that is now the connection's. */
        uint32_t wider = p->had_data_end ? p->end - p->old_data_end : ctx->seg->payload_len;
        mpv_count_stream_bytes(ctx, &c->side[side], wider);
        return;
    }
    mpv_seg_report(ctx, NULL, MPTCPV_RULE_DSS_MAPPING_MISSING,
                   "payload at subflow seq %" PRIu32 "..%" PRIu32 " is covered by no mapping%s",
                   p->rel, p->end, has_mptcp_option ? "" : " and carries no MPTCP option");
}

/* The payload's place at the data level (DSN, relative DSN) and its new bytes as sent. */
static void place_payload(mpv_seg_ctx *ctx, mpv_conn *c, int side, const mpv_mapping *first,
                          const payload_span *p)
{
    mptcpv_segment_result *res = ctx->res;
    res->data.mapping_frame = first->frame;
    if (!first->dsn_known)
        return;
    res->data.has_dsn = true;
    res->data.dsn = first->dsn + (uint32_t)(p->rel - first->ssn);
    uint64_t idsn;
    if (side_idsn(c, side, &idsn)) {
        res->data.has_relative_dsn = true;
        res->data.relative_dsn = res->data.dsn - idsn;
    }
    uint32_t first_end = first->ssn + data_len_of(first);
    uint32_t n = mpv_seq_lt(p->end, first_end) ? ctx->seg->payload_len : first_end - p->rel;
    /* Bytes below the highest this subflow direction sent before are a TCP retransmission:
     * only the segment's new bytes can be a reinjection. */
    uint32_t resent = 0;
    if (p->had_data_end && mpv_seq_gt(p->old_data_end, p->rel))
        resent = p->old_data_end - p->rel < n ? p->old_data_end - p->rel : n;
    mpv_conn_note_sent(ctx, c, side, res->data.dsn, res->data.dsn + n, resent);
}

static void process_payload(mpv_seg_ctx *ctx, mpv_conn *c, int side, mpv_subflow_dir *dir,
                            const mpv_mapping *carried, bool has_mptcp_option)
{
    const mptcpv_segment *seg = ctx->seg;
    const mpv_subflow *sf = ctx->sf;
    bool has_isn = ctx->from_initiator ? sf->has_isn_a : sf->has_isn_b;
    uint32_t isn = ctx->from_initiator ? sf->isn_a : sf->isn_b;
    if (seg->payload_len == 0 || !has_isn)
        return;
    c->side[side].seen_data = true;
    payload_span p = advance_direction(dir, seg->seq - isn, seg->payload_len);
    const mpv_mapping *first = sum_into_mappings(ctx, c, dir, carried, &p);
    if (first == NULL) {
        unmapped_payload(ctx, c, side, dir, &p, has_mptcp_option);
        return;
    }
    dir->unmapped_after_gap = false;
    place_payload(ctx, c, side, first, &p);
}

static void report_subflow_failed(mpv_seg_ctx *ctx, const mpv_conn *c, int side,
                                  const mptcpv_option *opt)
{
    /* The DSN is the peer's: the receiver of the bad data sends MP_FAIL. */
    uint64_t dsn = opt->u.mp_fail.dsn, idsn;
    if (side_idsn(c, 1 - side, &idsn))
        dsn -= idsn;
    char failed[64] = "";
    if (ctx->res->data.fail_answers != 0)
        snprintf(failed, sizeof(failed), " of the mapping in frame %" PRIu32,
                 ctx->res->data.fail_answers);
    uint32_t others = mpv_conn_open_subflows(c, ctx->sf);
    char rest[64] = "no other subflow is open";
    if (others > 0)
        snprintf(rest, sizeof(rest), "the connection goes on over %" PRIu32 " other open subflow%s",
                 others, others == 1 ? "" : "s");
    mpv_seg_report(ctx, opt, MPTCPV_RULE_SUBFLOW_FAILED,
                   "subflow %" PRIu32 " reset after the checksum failure%s (DSN %" PRIu64 "): %s",
                   ctx->sf->index, failed, dsn, rest);
}

/* After a fallback the subflow's TCP byte stream is the connection's (RFC 8684 3.7): its
 * new bytes are the application's data. */
static void fallback_data(mpv_seg_ctx *ctx, mpv_conn *c, int side, mpv_subflow_dir *dir)
{
    const mptcpv_segment *seg = ctx->seg;
    const mpv_subflow *sf = ctx->sf;
    if (seg->payload_len == 0 || !(ctx->from_initiator ? sf->has_isn_a : sf->has_isn_b))
        return;
    uint32_t end = seg->seq - (ctx->from_initiator ? sf->isn_a : sf->isn_b) + seg->payload_len;
    uint32_t wider = seg->payload_len;
    if (dir->has_data_end) {
        uint32_t ahead = end - dir->data_end;
        wider = mpv_seq_leq(end, dir->data_end) ? 0 : ahead < wider ? ahead : wider;
    }
    if (!dir->has_data_end || wider > 0) {
        dir->has_data_end = true;
        dir->data_end = end;
    }
    mpv_count_stream_bytes(ctx, &c->side[side], wider);
}

/* What one option of the segment announces at the data level. */
typedef enum option_step {
    STEP_NONE,    /* no mapping */
    STEP_MAPPING, /* a mapping, in *am */
    STEP_STOP,    /* the connection fell back: the data level ends here */
} option_step;

/* Data-level handling of one decoded option: DATA_ACK, DATA_FIN flag, MP_FAIL; whether it
 * announces a mapping. */
static option_step option_data(mpv_seg_ctx *ctx, mpv_conn *c, int side, mpv_subflow_dir *dir,
                               const mptcpv_option *opt, announced_map *am)
{
    if (opt->subtype == MPTCPV_DSS) {
        dir->seen_dss = true;
        if (opt->u.dss.data_fin && !opt->u.dss.has_mapping)
            mpv_seg_report(ctx, opt, MPTCPV_RULE_DSS_DATA_FIN_INVALID,
                           "DATA_FIN flag without a mapping (RFC 8684 3.3.3)");
        if (opt->u.dss.has_ack)
            process_data_ack(ctx, c, side, opt);
        return announced_from_dss(c, side, opt, am) ? STEP_MAPPING : STEP_NONE;
    }
    if (opt->subtype == MPTCPV_MP_CAPABLE && side == 0 && ctx->sf->initial) {
        if (!announced_from_mpc(c, opt, am))
            return STEP_NONE;
        dir->seen_dss = true;
        return STEP_MAPPING;
    }
    if (opt->subtype == MPTCPV_MP_FAIL) {
        if (c->has_bad_csum && opt->u.mp_fail.dsn == c->bad_csum_dsn)
            ctx->res->data.fail_answers = c->bad_csum_frame;
        /* RFC 8684 3.7 (RFC 6824 3.6): MP_FAIL on a RST closes only that subflow;
         * without a RST the single subflow falls back. */
        if (!(ctx->seg->tcp_flags & MPTCPV_TCP_RST)) {
            mpv_conn_fall_back(ctx, c, MPTCPV_FALLBACK_MP_FAIL);
            return STEP_STOP;
        }
        report_subflow_failed(ctx, c, side, opt);
    }
    return STEP_NONE;
}

/* A mapping with a known DSN moves the sender's data level: DATA_FIN, DSN reference, the
 * end of what it sent. */
static void note_sender_mapping(mpv_seg_ctx *ctx, mpv_conn *c, int side, const announced_map *am)
{
    mpv_conn_side *s = &c->side[side];
    if (am->data_fin && !s->has_data_fin) {
        if (!c->side[1 - side].has_data_fin)
            mpv_conn_set_close(ctx, c, MPTCPV_CLOSE_CLOSING);
        s->has_data_fin = true;
        s->data_fin_dsn = am->dsn + am->len - 1;
        s->data_fin_frame = ctx->seg->frame;
        mpv_conn_note_event(ctx, MPTCPV_EVENT_DATA_FIN);
    }
    s->has_dsn_ref = true;
    s->dsn_ref = am->dsn;
    uint64_t end = am->dsn + am->len;
    if (!s->has_sent_end || end > s->sent_end) {
        s->has_sent_end = true;
        s->sent_end = end;
    }
}

/* The mapping must cover (some of) the segment that carries it. */
static void check_mapping_on_segment(mpv_seg_ctx *ctx, const mpv_mapping *carried,
                                     const mptcpv_option *opt)
{
    const mptcpv_segment *seg = ctx->seg;
    if (seg->payload_len == 0 || data_len_of(carried) == 0)
        return;
    const mpv_subflow *sf = ctx->sf;
    bool has_isn = ctx->from_initiator ? sf->has_isn_a : sf->has_isn_b;
    uint32_t rel = seg->seq - (ctx->from_initiator ? sf->isn_a : sf->isn_b);
    uint32_t m_end = carried->ssn + data_len_of(carried);
    if (has_isn && (mpv_seq_geq(carried->ssn, rel + seg->payload_len) || mpv_seq_geq(rel, m_end)))
        mpv_seg_report(ctx, opt, MPTCPV_RULE_MIDDLEBOX_MAPPING_OFF_SEGMENT,
                       "mapping for subflow seq %" PRIu32 "+%u does not cover the "
                       "segment carrying it (seq %" PRIu32 "): sequence numbers rewritten?",
                       carried->ssn, carried->len, rel);
}

void mpv_conn_data(mpv_seg_ctx *ctx)
{
    mpv_conn *c = ctx->sf->conn;
    int side = mpv_seg_from_client(ctx) ? 0 : 1;
    mpv_subflow_dir *dir = &ctx->sf->dir[ctx->from_initiator ? 0 : 1];
    if (c->fallback != MPTCPV_FALLBACK_NONE) {
        fallback_data(ctx, c, side, dir);
        return;
    }
    const mptcpv_options *o = &ctx->res->options;
    mpv_mapping *carried = NULL;
    for (unsigned i = 0; i < o->count; i++) {
        const mptcpv_option *opt = &o->options[i];
        if (!opt->decoded)
            continue;
        announced_map am;
        option_step step = option_data(ctx, c, side, dir, opt, &am);
        if (step == STEP_STOP)
            return;
        if (step == STEP_NONE)
            continue;
        check_mapping(ctx, c, &am);
        if (c->fallback != MPTCPV_FALLBACK_NONE)
            return;
        carried = store_mapping(ctx, c, dir, &am);
        if (am.dsn_known)
            note_sender_mapping(ctx, c, side, &am);
        /* A mapping that carries no payload bytes (DATA_FIN only) is complete now. */
        if (data_len_of(carried) == 0 && !carried->done)
            mapping_complete(ctx, c, carried);
        check_mapping_on_segment(ctx, carried, am.opt);
    }
    process_payload(ctx, c, side, dir, carried, o->count > 0);
}
