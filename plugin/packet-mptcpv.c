/*
 * mptcpv: Multipath TCP analysis as a Wireshark postdissector.
 *
 * Specs: RFC 6824 (MPTCP v0) and RFC 8684 (MPTCP v1), TCP option kind 30.
 *
 * Design: the built-in TCP dissector keeps decoding option 30 under tcp.options.mptcp.* and
 * mptcp.*; this plugin must not change a single value there, so it registers no TCP option
 * dissector. Instead it takes TCP's place in the "ip.proto" table (IPv4 and IPv6) with a
 * handle that calls the TCP dissector exactly as IP would (same tvb, tree and data) and
 * looks at the same segment: the TCP header is at offset 0 of that tvb, the payload length
 * is what IP reported. A segment without an MPTCP option in a capture without MPTCP costs a
 * scan of its options and nothing else: no protocol tree is needed (a postdissector with
 * wanted fields made tshark and Wireshark build one for every packet of every capture), no
 * state, no record. The core (core/) does all protocol work; this file only turns its
 * results into tree items, fields and expert infos.
 *
 * Passes: the core tracker advances once per segment, in order, on the first pass. What it
 * says is kept per frame (frame-store.h; compactly: options are decoded again from the packet
 * bytes with the version recorded) and every later pass shows exactly that.
 *
 * Known limitations:
 * - Options cut by the snapshot length are decoded as far as captured (mptcpv.truncated).
 * - TCP headers quoted in ICMP errors are not analysed. TCP reached by another way than
 *   "ip.proto" (a dissector calling TCP by name) is not analysed.
 */
#include <wireshark.h>

#include <epan/exceptions.h>
#include <epan/expert.h>
#include <epan/ipproto.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/tap.h>

#include "frame-store.h"
#include "mptcpv/tracker.h"
#include "packet-mptcpv.h"

#define TCP_FIXED_HEADER_LEN 20

static int proto_mptcpv = -1;

static int hf_mptcpv_version = -1;
static int hf_mptcpv_rule = -1;
static int hf_mptcpv_finding = -1;
static int hf_mptcpv_truncated = -1;

static gint ett_mptcpv = -1;

/* One expert info per rule of core/rules.def, in the same order. */
static ei_register_info ei_mptcpv_rules[] = {
#define MPTCPV_RULE(name, id, sev, group, rfc, cat, desc)                                          \
    {NULL, {"mptcpv.expert." id, PI_PROTOCOL, PI_NOTE, desc, EXPFILL}},
#include "../core/rules.def"
};
static expert_field ei_mptcpv[MPTCPV_RULE_COUNT];

static int mptcpv_tap = -1;

/* The TCP dissector this plugin runs in front of, and its own handle in "ip.proto". */
static dissector_handle_t tcp_handle;
static dissector_handle_t mptcpv_tcp_handle;
static protocol_t *mptcpv_protocol;
static mptcpv_tracker *tracker;

/* mptcpv_view.lean: ordinary data frames leave out items that repeat their labels. Off by
 * default where tshark -T fields would then miss them (ws-compat.h). */
static mptcpv_pref_bool pref_lean_tree = MPTCPV_WS_PRIMES_PRINTED_FIELDS;
/* tshark 4.0/4.2 -T fields: build only the -e fields, read from the command line. */
static mptcpv_pref_bool pref_fields_from_command_line = TRUE;
/* Bounds on the tracker's state (docs/limits.md); read when a file is (re)dissected. */
static guint pref_max_connections = MPTCPV_DEFAULT_MAX_CONNECTIONS;
static guint pref_max_subflows = MPTCPV_DEFAULT_MAX_SUBFLOWS;
static guint pref_max_subflows_per_connection = MPTCPV_DEFAULT_MAX_SUBFLOWS_PER_CONNECTION;
/* Frame -> later frame that sent the same data on another subflow. The first pass fills it,
 * so a single-pass tshark cannot show it on the earlier frame; two passes and the GUI do. */
static wmem_map_t *reinjected_in;
/* Connection + 1 -> its latest facts, shared by the frames that show them. */
static wmem_map_t *facts_by_connection;

/* What few frames have: findings, and verification results (handshake and signalling). */
typedef struct frame_rare {
    const mptcpv_finding *findings; /* frame_record.finding_count */
    const mptcpv_verdicts *verdicts;
} frame_rare;

/* What the first pass found about a frame; later passes show exactly this. One per frame
 * of a linked subflow or with MPTCP options (in |records|), so it is kept small (104 bytes):
 * what only some frames have is behind |rare|, and frames share one copy of their
 * connection's facts while these stay the same. */
typedef struct frame_record {
    mptcpv_data_result data;        /* when has_data */
    const mptcpv_conn_facts *facts; /* on frames with MPTCP options; shared */
    const frame_rare *rare;         /* NULL on most frames */
    guint32 connection;
    guint32 subflow;
    guint32 subflow_count;
    gint8 decoded_with; /* mptcpv_version */
    guint8 finding_count;
    guint8 events; /* 1 << mptcpv_event */
    guint8 linked : 1;
    guint8 initial : 1;
    guint8 backup : 1;
    guint8 from_client : 1;
    guint8 established : 1; /* this frame completes its subflow's handshake */
    guint8 has_data : 1;    /* data-level information */
} frame_record;
G_STATIC_ASSERT(sizeof(frame_record) <= 104);

/* (frame, layer) -> frame_record: what the first pass found. */
static mptcpv_frame_store *records;

static int severity_to_ws(mptcpv_severity severity)
{
    switch (severity) {
    case MPTCPV_SEVERITY_ERROR:
        return PI_ERROR;
    case MPTCPV_SEVERITY_WARNING:
        return PI_WARN;
    case MPTCPV_SEVERITY_INFO:
        return PI_NOTE;
    }
    return PI_NOTE;
}

static int group_to_ws(mptcpv_group group)
{
    switch (group) {
    case MPTCPV_GROUP_PROTOCOL:
        return PI_PROTOCOL;
    case MPTCPV_GROUP_MALFORMED:
        return PI_MALFORMED;
    case MPTCPV_GROUP_CHECKSUM:
        return PI_CHECKSUM;
    case MPTCPV_GROUP_SEQUENCE:
        return PI_SEQUENCE;
    }
    return PI_PROTOCOL;
}

static void init_mptcpv(void)
{
    mptcpv_tracker_limits limits = {
        .max_connections = pref_max_connections,
        .max_subflows = pref_max_subflows,
        .max_subflows_per_connection = pref_max_subflows_per_connection,
    };
    tracker = mptcpv_tracker_new(&limits);
    mptcpv_printed_fields_init(pref_fields_from_command_line);
    records = mptcpv_frame_store_new(sizeof(frame_record));
    reinjected_in = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    facts_by_connection = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
}

static void cleanup_mptcpv(void)
{
    mptcpv_tracker_free(tracker);
    tracker = NULL;
    mptcpv_frame_store_free(records);
    records = NULL;
}

void mptcpv_new_capture(void)
{
    cleanup_mptcpv();
    init_mptcpv();
}

static gboolean read_endpoint(const address *addr, guint16 port, mptcpv_endpoint *ep)
{
    memset(ep, 0, sizeof(*ep));
    ep->port = port;
    if (addr->type == AT_IPv4 && addr->len == 4) {
        ep->family = 4;
        memcpy(ep->addr, addr->data, 4);
        return TRUE;
    }
    if (addr->type == AT_IPv6 && addr->len == 16) {
        ep->family = 6;
        memcpy(ep->addr, addr->data, 16);
        return TRUE;
    }
    return FALSE;
}

/* Where the TCP header and its options are, as read from the segment. */
typedef struct tcp_view {
    tvbuff_t *tvb; /* the segment, as IP hands it to TCP: the header at offset 0 */
    int block_offset;
    int block_len; /* captured option bytes */
    gboolean truncated;
    mptcpv_segment seg;
} tcp_view;

/* Whether the captured options of the TCP header at the start of |tvb| hold an MPTCP option
 * (kind 30), walked as TCP does (RFC 9293 3.1): the fast path's only look at a segment. */
static gboolean has_mptcp_option(tvbuff_t *tvb, int hdr_len)
{
    int end = MIN(hdr_len, (int)tvb_captured_length(tvb));
    int pos = TCP_FIXED_HEADER_LEN;
    while (pos < end) {
        guint8 kind = tvb_get_uint8(tvb, pos);
        if (kind == MPTCPV_TCPOPT_KIND)
            return TRUE;
        if (kind == 0) /* end of option list */
            return FALSE;
        if (kind == 1) { /* no-operation */
            pos++;
            continue;
        }
        if (pos + 1 >= end || tvb_get_uint8(tvb, pos + 1) < 2)
            return FALSE;
        pos += tvb_get_uint8(tvb, pos + 1);
    }
    return FALSE;
}

/* Fill |v| from the TCP segment |tvb| (header at offset 0). */
static gboolean read_tcp(tvbuff_t *tvb, packet_info *pinfo, tcp_view *v)
{
    v->tvb = tvb;
    if (!tvb_bytes_exist(tvb, 0, TCP_FIXED_HEADER_LEN))
        return FALSE;
    int hdr_len = (tvb_get_uint8(tvb, 12) >> 4) * 4;
    if (hdr_len < TCP_FIXED_HEADER_LEN)
        return FALSE; /* TCP rejects the segment too */
    mptcpv_segment *seg = &v->seg;
    memset(seg, 0, sizeof(*seg));
    seg->frame = pinfo->num;
    seg->src.port = tvb_get_ntohs(tvb, 0);
    seg->dst.port = tvb_get_ntohs(tvb, 2);
    seg->seq = tvb_get_ntohl(tvb, 4);
    seg->ack = tvb_get_ntohl(tvb, 8);
    seg->tcp_flags = tvb_get_uint8(tvb, 13);
    /* IP set the reported length to its payload's: what TCP calls the segment length. */
    seg->payload_len = (guint32)MAX((int)tvb_reported_length(tvb) - hdr_len, 0);

    v->block_offset = TCP_FIXED_HEADER_LEN;
    v->block_len = hdr_len - TCP_FIXED_HEADER_LEN;
    /* Snaplen may cut the options: decode what was captured, and treat the cut as a gap in
     * the capture, not as a defect of the packet. */
    int captured = MAX(tvb_captured_length_remaining(tvb, v->block_offset), 0);
    v->truncated = captured < v->block_len;
    if (v->truncated)
        v->block_len = captured;
    seg->options = v->block_len > 0 ? tvb_get_ptr(tvb, v->block_offset, v->block_len) : NULL;
    seg->options_len = (size_t)v->block_len;
    seg->options_truncated = v->truncated;
    if (!read_endpoint(&pinfo->net_src, seg->src.port, &seg->src) ||
        !read_endpoint(&pinfo->net_dst, seg->dst.port, &seg->dst))
        return FALSE;
    /* The payload as captured, read in place (no copy for ordinary frames). */
    int payload_offset = hdr_len;
    int payload_captured =
        MIN((int)seg->payload_len, MAX(tvb_captured_length_remaining(tvb, payload_offset), 0));
    if (payload_captured > 0) {
        seg->payload = tvb_get_ptr(tvb, payload_offset, payload_captured);
        seg->payload_captured = (guint32)payload_captured;
    }
    return TRUE;
}

static const mptcpv_data_result *record_data(const frame_record *rec)
{
    return rec->has_data ? &rec->data : NULL;
}

static const mptcpv_finding *record_findings(const frame_record *rec)
{
    return rec->rare != NULL ? rec->rare->findings : NULL;
}

/* The connection's facts as a shared, immutable copy: a new one only when they change. */
static const mptcpv_conn_facts *shared_facts(guint32 connection, const mptcpv_conn_facts *now)
{
    const mptcpv_conn_facts *last = (const mptcpv_conn_facts *)wmem_map_lookup(
        facts_by_connection, GUINT_TO_POINTER(connection + 1));
    if (last != NULL && memcmp(last, now, sizeof(*now)) == 0)
        return last;
    mptcpv_conn_facts *copy =
        (mptcpv_conn_facts *)wmem_memdup(wmem_file_scope(), now, sizeof(*now));
    wmem_map_insert(facts_by_connection, GUINT_TO_POINTER(connection + 1), copy);
    return copy;
}

static mptcpv_verdicts *record_verdicts(const mptcpv_segment_result *r)
{
    if (r->join_token == MPTCPV_TOKEN_NONE && r->join_hmac == MPTCPV_VERDICT_NONE &&
        r->add_addr_hmac == MPTCPV_VERDICT_NONE && r->fastclose_key == MPTCPV_VERDICT_NONE &&
        r->add_addr_echo_of == 0 && r->expected_hmac_len == 0 && r->removed_count == 0)
        return NULL;
    wmem_allocator_t *scope = wmem_file_scope();
    mptcpv_verdicts *v = wmem_new0(scope, mptcpv_verdicts);
    v->join_token = r->join_token;
    v->join_hmac = r->join_hmac;
    v->add_addr_hmac = r->add_addr_hmac;
    v->fastclose_key = r->fastclose_key;
    v->add_addr_echo_of = r->add_addr_echo_of;
    v->expected_add_addr_hmac = r->expected_add_addr_hmac;
    if (r->expected_hmac_len > 0) {
        v->expected_hmac_len = r->expected_hmac_len;
        v->expected_hmac =
            (const guint8 *)wmem_memdup(scope, r->expected_hmac, r->expected_hmac_len);
    }
    if (r->removed_count > 0) {
        v->removed_count = r->removed_count;
        v->removed_subflows = (const guint32 *)wmem_memdup(scope, r->removed_subflows,
                                                           sizeof(guint32) * r->removed_count);
    }
    return v;
}

/* The frame's record of this TCP layer (a frame can carry several: tunnels), keyed by the
 * depth of the IP layer that handed the segment over, which every pass sees alike. */
static frame_record *find_record(packet_info *pinfo)
{
    return (frame_record *)mptcpv_frame_store_find(records, pinfo->num, pinfo->curr_layer_num);
}

static frame_record *record_result(const mptcpv_segment_result *r, packet_info *pinfo)
{
    if (!r->linked && r->options.count == 0)
        return NULL;
    frame_record *rec =
        (frame_record *)mptcpv_frame_store_add(records, pinfo->num, pinfo->curr_layer_num);
    if (rec == NULL)
        return NULL; /* not reached: only a frame without a record is analysed */
    wmem_allocator_t *scope = wmem_file_scope();
    rec->decoded_with = (gint8)r->decoded_with;
    rec->linked = r->linked;
    rec->initial = r->initial;
    rec->backup = r->backup;
    rec->from_client = r->from_client;
    rec->established = r->subflow_established;
    rec->events = r->events;
    rec->connection = r->connection;
    rec->subflow = r->subflow;
    rec->subflow_count = r->subflow_count;
    if (r->linked && r->options.count > 0)
        rec->facts = shared_facts(r->connection, &r->facts);
    const mptcpv_verdicts *verdicts = record_verdicts(r);
    if (verdicts != NULL || r->options.finding_count > 0) {
        frame_rare *rare = wmem_new0(scope, frame_rare);
        rare->verdicts = verdicts;
        if (r->options.finding_count > 0) {
            rec->finding_count = r->options.finding_count;
            rare->findings = (const mptcpv_finding *)wmem_memdup(
                scope, r->options.findings, sizeof(mptcpv_finding) * r->options.finding_count);
        }
        rec->rare = rare;
    }
    const mptcpv_data_result *d = &r->data;
    if (d->has_dsn || d->has_data_ack || d->mapping_frame != 0 ||
        d->checksum != MPTCPV_VERDICT_NONE || d->fallback != MPTCPV_FALLBACK_NONE ||
        d->fail_answers != 0 || d->data_fin_ack_of != 0 || d->close != MPTCPV_CLOSE_NONE ||
        d->subflow_end != MPTCPV_SUBFLOW_OPEN || d->data_bytes != 0) {
        rec->data = *d;
        rec->has_data = 1;
        if (d->reinjection_of != 0 &&
            !wmem_map_contains(reinjected_in, GUINT_TO_POINTER(d->reinjection_of)))
            wmem_map_insert(reinjected_in, GUINT_TO_POINTER(d->reinjection_of),
                            GUINT_TO_POINTER(pinfo->num));
    }
    return rec;
}

static void add_finding(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, int block_offset,
                        const mptcpv_finding *f)
{
    const mptcpv_rule *rule = mptcpv_rule_get(f->rule);
    proto_item *pi;
    if (f->length > 0)
        pi = proto_tree_add_string(tree, hf_mptcpv_rule, tvb, block_offset + f->offset, f->length,
                                   rule->id);
    else
        pi = proto_tree_add_string(tree, hf_mptcpv_rule, tvb, 0, 0, rule->id);
    expert_add_info_format(pinfo, pi, &ei_mptcpv[f->rule], "%s: %s", rule->id, f->detail);
    /* Rule and detail in one field, in the same order as mptcpv.rule, for scripts. */
    proto_item *fi =
        proto_tree_add_string(tree, hf_mptcpv_finding, tvb, 0, 0,
                              wmem_strdup_printf(pinfo->pool, "%s: %s", rule->id, f->detail));
    proto_item_set_hidden(fi);
}

static void add_info_column(packet_info *pinfo, const mptcpv_options *options)
{
    if (options->count == 0 || pinfo->cinfo == NULL || !col_get_writable(pinfo->cinfo, COL_INFO))
        return; /* no Info column to fill (e.g. tshark -T fields): skip the formatting */
    /* " [opt, opt]" in one buffer and one append: every frame with options pays this on
     * tshark's and the packet list's first pass, so no printf and no append per option. */
    char text[MPTCPV_MAX_OPTIONS * 64];
    size_t len = 0;
    for (unsigned i = 0; i < options->count && len + 4 < sizeof(text); i++) {
        memcpy(text + len, i == 0 ? " [" : ", ", 2);
        len += 2;
        size_t need = mptcpv_option_format(&options->options[i], text + len, sizeof(text) - len);
        len += MIN(need, sizeof(text) - len - 1);
    }
    if (len + 1 < sizeof(text))
        text[len++] = ']';
    text[len] = '\0';
    /* col_append_lstr: the same result as col_append_str, but it finds the end of the Info
     * text with strlen instead of g_strlcat's byte loop (~600 instructions per frame). */
    col_append_lstr(pinfo->cinfo, COL_INFO, text, COL_ADD_LSTR_TERMINATOR);
}

/* Index of the option |f| is about, or -1 (a finding about the segment). */
static int finding_option(const mptcpv_options *opts, const mptcpv_finding *f)
{
    int found = -1;
    for (unsigned k = 0; k < opts->count; k++)
        if (f->length > 0 && opts->options[k].offset == f->offset)
            found = (int)k;
    return found;
}

/* Later passes decode the options again from the packet with the version the first pass
 * recorded, which gives what the first pass decoded. */
static void decode_again(const tcp_view *v, const frame_record *rec, mptcpv_options *out)
{
    mptcpv_segment_info info = {
        .version = rec->decoded_with,
        .syn = v->seg.tcp_flags & MPTCPV_TCP_SYN,
        .ack = v->seg.tcp_flags & MPTCPV_TCP_ACK,
        .rst = v->seg.tcp_flags & MPTCPV_TCP_RST,
        .payload_len = v->seg.payload_len,
        .block_truncated = v->truncated,
    };
    mptcpv_options_decode(v->seg.options, v->seg.options_len, &info, out);
}

/* The connection's version when it is known, else this packet's MP_CAPABLE's. A join's SYN
 * is decoded before its token links it, so its facts know better. */
static mptcpv_version frame_version(const frame_record *rec)
{
    if (rec->facts != NULL && rec->facts->version != MPTCPV_VERSION_UNKNOWN)
        return rec->facts->version;
    return (mptcpv_version)rec->decoded_with;
}

/* Options that carry keys or are verified with them (RFC 8684 3.1, 3.2, 3.4.1, 3.5). */
static gboolean carries_keys(const mptcpv_options *opts)
{
    for (unsigned i = 0; i < opts->count; i++) {
        switch (opts->options[i].has_subtype ? opts->options[i].subtype : MPTCPV_DSS) {
        case MPTCPV_MP_CAPABLE:
        case MPTCPV_MP_JOIN:
        case MPTCPV_ADD_ADDR:
        case MPTCPV_MP_FASTCLOSE:
            return TRUE;
        default:
            break;
        }
    }
    return FALSE;
}

/* An ordinary data frame (mptcpv_view.lean): only DSS options, and nothing opened,
 * established, ended, keyed, cut or found. Frames where a connection starts, changes or goes
 * wrong show every item. */
static gboolean lean_frame(const tcp_view *v, const frame_record *rec, const mptcpv_options *opts)
{
    if (!pref_lean_tree || rec->events != 0 || rec->established || rec->finding_count != 0 ||
        v->truncated || (v->seg.tcp_flags & (MPTCPV_TCP_SYN | MPTCPV_TCP_FIN | MPTCPV_TCP_RST)))
        return FALSE;
    for (unsigned i = 0; i < opts->count; i++)
        if (!opts->options[i].decoded || opts->options[i].subtype != MPTCPV_DSS)
            return FALSE;
    return TRUE;
}

static void show(proto_tree *tree, packet_info *pinfo, const tcp_view *v, const frame_record *rec,
                 const mptcpv_options *opts)
{
    mptcpv_view view = {.visible = PTREE_DATA(tree)->visible && mptcpv_printed_fields == NULL};
    view.lean = view.visible && lean_frame(v, rec, opts);
    int item_len = opts->count > 0 ? v->block_len : 0;
    proto_item *ti = proto_tree_add_item(tree, proto_mptcpv, v->tvb,
                                         opts->count > 0 ? v->block_offset : 0, item_len, ENC_NA);
    proto_tree *mtree = proto_item_add_subtree(ti, ett_mptcpv);
    mptcpv_version version = frame_version(rec);
    if (version != MPTCPV_VERSION_UNKNOWN && mptcpv_show_repeat(&view, hf_mptcpv_version)) {
        proto_item *pi = proto_tree_add_uint(mtree, hf_mptcpv_version, v->tvb, v->block_offset, 0,
                                             (guint32)version);
        proto_item_set_generated(pi);
    }
    if (rec->linked)
        mptcpv_link_add_items(mtree, &view, ti, v->tvb, rec->connection, rec->subflow,
                              rec->subflow_count, rec->initial, rec->backup, rec->from_client,
                              version, rec->facts, carries_keys(opts));
    if (rec->events != 0 || rec->established)
        mptcpv_events_add_items(mtree, v->tvb, rec->events, rec->established);
    /* The later frame that reinjected this one's bytes; 0 if none (frame numbers start at 1). */
    guint32 reinjected_by =
        GPOINTER_TO_UINT(wmem_map_lookup(reinjected_in, GUINT_TO_POINTER(pinfo->num)));
    if (rec->has_data || reinjected_by != 0)
        mptcpv_data_add_items(mtree, &view, v->tvb, record_data(rec), reinjected_by);
    if (v->truncated) {
        proto_item *pi =
            proto_tree_add_boolean(mtree, hf_mptcpv_truncated, v->tvb, v->block_offset, 0, TRUE);
        proto_item_set_generated(pi);
    }

    proto_tree *subtrees[MPTCPV_MAX_OPTIONS];
    mptcpv_options_add_items(mtree, &view, v->tvb, v->block_offset, opts, subtrees);
    mptcpv_verdicts verdicts = {0};
    if (rec->rare != NULL && rec->rare->verdicts != NULL)
        verdicts = *rec->rare->verdicts;
    verdicts.version = version;
    mptcpv_options_add_verdicts(v->tvb, opts, subtrees, &verdicts);

    const mptcpv_finding *findings = record_findings(rec);
    for (unsigned i = 0; i < rec->finding_count; i++) {
        const mptcpv_finding *f = &findings[i];
        int k = finding_option(opts, f);
        add_finding(k >= 0 ? subtrees[k] : mtree, pinfo, v->tvb, v->block_offset, f);
    }
    add_info_column(pinfo, opts);
}

/* Dissection is single-threaded; one scratch result serves every frame. */
static mptcpv_segment_result *scratch_result(void)
{
    static mptcpv_segment_result result;
    return &result;
}

/* Hand the frame to the "mptcpv" tap (statistics, follow). Listeners run after this
 * frame's dissection, so everything referenced must outlive this function. */
static void queue_tap(packet_info *pinfo, const tcp_view *v, const frame_record *rec,
                      const mptcpv_options *opts)
{
    mptcpv_tap_info *info = wmem_new0(pinfo->pool, mptcpv_tap_info);
    info->frame = pinfo->num;
    info->linked = rec->linked;
    info->connection = rec->connection;
    info->subflow = rec->subflow;
    info->initial = rec->initial;
    info->backup = rec->backup;
    info->from_client = rec->from_client;
    info->established = rec->established;
    info->events = rec->events;
    info->version = frame_version(rec);
    info->tcp_flags = v->seg.tcp_flags;
    info->src = v->seg.src;
    info->dst = v->seg.dst;
    info->payload_len = v->seg.payload_len;
    info->payload = v->seg.payload;
    info->payload_captured = v->seg.payload_captured;
    info->data = record_data(rec);
    info->options = opts == &scratch_result()->options
                        ? (const mptcpv_options *)wmem_memdup(pinfo->pool, opts, sizeof(*opts))
                        : opts;
    info->findings = record_findings(rec);
    info->finding_count = rec->finding_count;
    tap_queue_packet(mptcpv_tap, pinfo, info);
}

/* First pass: the core's verdict on the segment, recorded; NULL if it is none of mptcpv's
 * business (no MPTCP option, no tracked subflow). */
static frame_record *analyse(tvbuff_t *tvb, packet_info *pinfo, tcp_view *v,
                             const mptcpv_options **first_pass)
{
    if (!tvb_bytes_exist(tvb, 0, TCP_FIXED_HEADER_LEN))
        return NULL;
    int hdr_len = (tvb_get_uint8(tvb, 12) >> 4) * 4;
    /* The fast path: nothing to track yet and no MPTCP option, so the core would only
     * confirm that this segment is plain TCP. */
    if (mptcpv_tracker_connection_count(tracker) == 0 && !has_mptcp_option(tvb, hdr_len))
        return NULL;
    if (!read_tcp(tvb, pinfo, v))
        return NULL;
    mptcpv_segment_result *result = scratch_result();
    mptcpv_tracker_segment(tracker, &v->seg, result);
    frame_record *rec = record_result(result, pinfo);
    if (rec != NULL)
        *first_pass = &result->options;
    return rec;
}

/* Show what was recorded about the segment: tree, expert infos, Info column, tap. */
static void present(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const frame_record *rec,
                    tcp_view *v, const mptcpv_options *first_pass)
{
    gboolean tapped = have_tap_listener(mptcpv_tap);
    gboolean info = pinfo->cinfo != NULL && col_get_writable(pinfo->cinfo, COL_INFO);
    if (tree == NULL && !tapped && !info)
        return;
    if (first_pass == NULL && !read_tcp(tvb, pinfo, v))
        return;
    const mptcpv_options *opts = first_pass;
    if (opts == NULL) {
        mptcpv_options *decoded = wmem_new(pinfo->pool, mptcpv_options);
        decode_again(v, rec, decoded);
        opts = decoded;
    }
    if (tree != NULL)
        show(tree, pinfo, v, rec, opts);
    else
        add_info_column(pinfo, opts);
    if (tapped)
        queue_tap(pinfo, v, rec, opts);
}

/*
 * "ip.proto" 6: every TCP segment IP dissects. TCP is called first, exactly as IP would
 * have called it, so the tree shows mptcpv after TCP (and after what TCP's payload holds).
 * The core sees the segment before that, and what it found is shown even when TCP's own
 * dissection throws (a malformed option the built-in MPTCP decoder stops at, a short
 * segment): then the exception goes on to IP as if mptcpv were not there.
 */
static int dissect_tcp_with_mptcpv(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (pinfo->flags.in_error_pkt || !proto_is_protocol_enabled(mptcpv_protocol))
        return call_dissector_only(tcp_handle, tvb, pinfo, tree, data);
    tcp_view v;
    const mptcpv_options *first_pass = NULL;
    frame_record *rec = find_record(pinfo);
    if (rec == NULL && !PINFO_FD_VISITED(pinfo))
        rec = analyse(tvb, pinfo, &v, &first_pass);
    if (rec == NULL)
        return call_dissector_only(tcp_handle, tvb, pinfo, tree, data);
    volatile int consumed = 0;
    /* Wireshark's TRY/CATCH_ALL/ENDTRY read as blocks (clang-format 14 knows no macros). */
    /* clang-format off */
    TRY {
        consumed = call_dissector_only(tcp_handle, tvb, pinfo, tree, data);
    }
    CATCH_ALL {
        TRY {
            present(tvb, pinfo, tree, rec, &v, first_pass);
        }
        CATCH_ALL {
        }
        ENDTRY;
        RETHROW;
    }
    ENDTRY;
    /* clang-format on */
    present(tvb, pinfo, tree, rec, &v, first_pass);
    return consumed;
}

gboolean mptcpv_frame_connection(packet_info *pinfo, guint32 *connection)
{
    const frame_record *rec = find_record(pinfo);
    if (rec == NULL || !rec->linked)
        return FALSE;
    *connection = rec->connection;
    return TRUE;
}

void proto_register_mptcpv(void)
{
    static hf_register_info hf[] = {
        {&hf_mptcpv_version,
         {"MPTCP version", "mptcpv.version", FT_UINT8, BASE_DEC, NULL, 0x0,
          "Protocol version of the connection, else of this packet's MP_CAPABLE "
          "(0: RFC 6824, 1: RFC 8684)",
          HFILL}},
        {&hf_mptcpv_rule,
         {"Rule", "mptcpv.rule", FT_STRING, BASE_NONE, NULL, 0x0,
          "Id of a conformance rule this packet violates (see docs/rules.md)", HFILL}},
        {&hf_mptcpv_finding,
         {"Finding", "mptcpv.finding", FT_STRING, BASE_NONE, NULL, 0x0,
          "\"<rule id>: <detail>\", one occurrence per mptcpv.rule, in the same order; details "
          "hold commas: split with tshark -E aggregator",
          HFILL}},
        {&hf_mptcpv_truncated,
         {"TCP options cut by the snapshot length", "mptcpv.truncated", FT_BOOLEAN, BASE_NONE, NULL,
          0x0, "The capture holds only part of the TCP options; the rest is unknown", HFILL}},
    };
    static gint *ett[] = {&ett_mptcpv};

    proto_mptcpv =
        proto_register_protocol("Multipath TCP verification (mptcpv)", "mptcpv", "mptcpv");
    proto_register_field_array(proto_mptcpv, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    mptcpv_options_register_fields(proto_mptcpv);
    mptcpv_link_register_fields(proto_mptcpv);
    mptcpv_data_register_fields(proto_mptcpv);

    for (int i = 0; i < MPTCPV_RULE_COUNT; i++) {
        const mptcpv_rule *rule = mptcpv_rule_get((mptcpv_rule_id)i);
        ei_mptcpv[i] = (expert_field)EI_INIT;
        ei_mptcpv_rules[i].ids = &ei_mptcpv[i];
        ei_mptcpv_rules[i].eiinfo.severity = severity_to_ws(rule->severity);
        ei_mptcpv_rules[i].eiinfo.group = group_to_ws(rule->group);
    }
    expert_module_t *expert = expert_register_protocol(proto_mptcpv);
    expert_register_field_array(expert, ei_mptcpv_rules, array_length(ei_mptcpv_rules));

    /* Changing one re-dissects the file (Wireshark redissects after a preference with
     * dissection effect changes), so the new tracker starts with the new bounds. */
    module_t *module = prefs_register_protocol(proto_mptcpv, NULL);
    prefs_register_uint_preference(
        module, "max_connections", "Maximum MPTCP connections tracked",
        "MPTCP connections the analysis tracks in one capture (default " G_STRINGIFY(
            MPTCPV_DEFAULT_MAX_CONNECTIONS) "; 0: the default). Later new connections "
                                            "are not linked or checked; the first one gets an "
                                            "analysis.limit note.",
        10, &pref_max_connections);
    prefs_register_uint_preference(
        module, "max_subflows", "Maximum subflows tracked",
        "Subflows of all MPTCP connections the analysis tracks in one capture "
        "(default " G_STRINGIFY(
            MPTCPV_DEFAULT_MAX_SUBFLOWS) "; 0: the default). Later new subflows and "
                                         "connections are not tracked; the first one gets an "
                                         "analysis.limit note.",
        10, &pref_max_subflows);
    prefs_register_uint_preference(
        module, "max_subflows_per_connection", "Maximum subflows tracked per connection",
        "Subflows the analysis tracks in one MPTCP connection (default " G_STRINGIFY(
            MPTCPV_DEFAULT_MAX_SUBFLOWS_PER_CONNECTION) "; 0: the default). Later "
                                                        "MP_JOINs of that connection are not "
                                                        "tracked; the first one gets an "
                                                        "analysis.limit "
                                                        "note.",
        10, &pref_max_subflows_per_connection);
    prefs_register_bool_preference(
        module, "lean_tree", "Lean tree on ordinary data frames",
        "On frames with only DSS options where nothing is opened, ended, keyed or found, leave "
        "out the items that repeat the frame's labels (version, summary, initial and backup "
        "flags, the connection's checksum flag and tokens, option length and subtype, DSS "
        "flag bits) unless a filter, column or field output asks for them. Off: every frame "
        "shows every item, e.g. for -T json or PDML exports. On by default from Wireshark "
        "4.4; keep it off before: tshark 4.0 -T fields would miss those fields there.",
        &pref_lean_tree);
    prefs_register_bool_preference(
        module, "fields_from_command_line", "Only the printed fields in tshark -T fields",
        "tshark before 4.4 builds the whole tree for -T fields without telling dissectors "
        "which -e fields it prints; with this on, mptcpv reads them from tshark's command "
        "line and adds only those items (the output is the same, faster). Only a command "
        "line it fully understands counts, else the tree is full. No effect in the GUI or "
        "from 4.4. Off: full trees, e.g. for a Lua plugin reading other mptcpv fields.",
        &pref_fields_from_command_line);

    register_init_routine(init_mptcpv);
    register_cleanup_routine(cleanup_mptcpv);
    /* No protocol of its own: disabling mptcpv must not disable TCP. */
    mptcpv_tcp_handle = create_dissector_handle_with_name_and_description(
        dissect_tcp_with_mptcpv, -1, "mptcpv_tcp", "TCP, analysed by mptcpv");
    mptcpv_tap = register_tap(MPTCPV_TAP_NAME);
    mptcpv_stats_register();
    mptcpv_follow_register(proto_mptcpv);
}

void proto_reg_handoff_mptcpv(void)
{
    /* Plugins' handoffs run after the built-in ones: TCP is in "ip.proto" by now. */
    tcp_handle = dissector_get_uint_handle(find_dissector_table("ip.proto"), IP_PROTO_TCP);
    if (tcp_handle == NULL)
        tcp_handle = find_dissector("tcp");
    mptcpv_protocol = find_protocol_by_id(proto_mptcpv);
    if (tcp_handle != NULL)
        dissector_add_uint("ip.proto", IP_PROTO_TCP, mptcpv_tcp_handle);
}
