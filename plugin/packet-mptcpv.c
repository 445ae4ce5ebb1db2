/*
 * mptcpv: Multipath TCP analysis as a Wireshark postdissector.
 *
 * Specs: RFC 6824 (MPTCP v0) and RFC 8684 (MPTCP v1), TCP option kind 30.
 *
 * Design: the built-in TCP dissector keeps decoding option 30 under tcp.options.mptcp.* and
 * mptcp.*; this plugin must not change a single value there, so it registers no TCP option
 * dissector. As a postdissector it asks for tcp.srcport and tcp.len, finds the TCP header
 * through the tcp.srcport item, reads the header and options with tvb accessors and hands
 * the raw option bytes to the core (core/), which does all protocol work. This file only
 * turns core results into tree items, fields and expert infos.
 *
 * Known limitations:
 * - Options cut by the snapshot length are decoded as far as captured (mptcpv.truncated).
 * - Only the innermost TCP header of a packet is analysed.
 */
#include <wireshark.h>

#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/proto.h>

#include "packet-mptcpv.h"

#define TCP_FIXED_HEADER_LEN 20
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10

static int proto_mptcpv = -1;

static int hf_mptcpv_version = -1;
static int hf_mptcpv_rule = -1;
static int hf_mptcpv_truncated = -1;

static gint ett_mptcpv = -1;

/* One expert info per rule of core/rules.def, in the same order. */
static ei_register_info ei_mptcpv_rules[] = {
#define MPTCPV_RULE(name, id, sev, rfc, cat, desc)                                             \
    {NULL, {"mptcpv.expert." id, PI_PROTOCOL, PI_NOTE, desc, EXPFILL}},
#include "../core/rules.def"
};
static expert_field ei_mptcpv[MPTCPV_RULE_COUNT];

static int hf_tcp_srcport = -1;
static int hf_tcp_len = -1;

static dissector_handle_t mptcpv_handle;

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

/* The last field_info of |hf| in the tree, or NULL. */
static field_info *last_finfo(proto_tree *tree, int hf)
{
    GPtrArray *arr = proto_get_finfo_ptr_array(tree, hf);
    if (arr == NULL || arr->len == 0)
        return NULL;
    return (field_info *)g_ptr_array_index(arr, arr->len - 1);
}

static void add_finding(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, int block_offset,
                        const mptcpv_finding *f)
{
    const mptcpv_rule *rule = mptcpv_rule_get(f->rule);
    int len = f->length > 0 ? f->length : 1;
    proto_item *pi =
        proto_tree_add_string(tree, hf_mptcpv_rule, tvb, block_offset + f->offset, len, rule->id);
    expert_add_info_format(pinfo, pi, &ei_mptcpv[f->rule], "%s: %s", rule->id, f->detail);
}

static void add_info_column(packet_info *pinfo, const mptcpv_options *options)
{
    char summary[160];
    for (unsigned i = 0; i < options->count; i++) {
        mptcpv_option_format(&options->options[i], summary, sizeof(summary));
        col_append_fstr(pinfo->cinfo, COL_INFO, "%s%s", i == 0 ? " [" : ", ", summary);
    }
    if (options->count > 0)
        col_append_str(pinfo->cinfo, COL_INFO, "]");
}

/* The version this packet itself tells: the MP_CAPABLE version nibble, if any. */
static mptcpv_version packet_version(const mptcpv_options *options)
{
    for (unsigned i = 0; i < options->count; i++) {
        const mptcpv_option *o = &options->options[i];
        if (o->decoded && o->subtype == MPTCPV_MP_CAPABLE)
            return o->u.mp_capable.version == 0 ? MPTCPV_VERSION_0 : MPTCPV_VERSION_1;
    }
    return MPTCPV_VERSION_UNKNOWN;
}

static int dissect_mptcpv(tvbuff_t *tvb _U_, packet_info *pinfo, proto_tree *tree,
                          void *data _U_)
{
    field_info *port_fi = last_finfo(tree, hf_tcp_srcport);
    field_info *len_fi = last_finfo(tree, hf_tcp_len);
    if (port_fi == NULL || port_fi->ds_tvb == NULL)
        return 0;

    tvbuff_t *tcp_tvb = port_fi->ds_tvb;
    int hdr = port_fi->start;
    if (!tvb_bytes_exist(tcp_tvb, hdr, TCP_FIXED_HEADER_LEN))
        return 0;
    int hdr_len = (tvb_get_guint8(tcp_tvb, hdr + 12) >> 4) * 4;
    if (hdr_len <= TCP_FIXED_HEADER_LEN)
        return 0;
    int block_offset = hdr + TCP_FIXED_HEADER_LEN;
    int block_len = hdr_len - TCP_FIXED_HEADER_LEN;

    /* Snaplen may cut the options: decode what was captured, and treat the cut as a gap in
     * the capture, not as a defect of the packet. */
    int captured = tvb_captured_length_remaining(tcp_tvb, block_offset);
    gboolean truncated = captured < block_len;
    if (truncated)
        block_len = MAX(captured, 0);
    if (block_len == 0)
        return 0;

    guint8 flags = tvb_get_guint8(tcp_tvb, hdr + 13);
    mptcpv_segment_info seg = {
        .version = MPTCPV_VERSION_UNKNOWN,
        .syn = flags & TCP_FLAG_SYN,
        .ack = flags & TCP_FLAG_ACK,
        .rst = flags & TCP_FLAG_RST,
        .payload_len = len_fi != NULL ? fvalue_get_uinteger(&len_fi->value) : 0,
    };
    const guint8 *block = tvb_get_ptr(tcp_tvb, block_offset, block_len);
    mptcpv_options options;
    mptcpv_options_decode(block, (size_t)block_len, &seg, &options);
    /* The decode pass above knew no version; decode again if the packet names its own. */
    seg.version = packet_version(&options);
    if (seg.version != MPTCPV_VERSION_UNKNOWN)
        mptcpv_options_decode(block, (size_t)block_len, &seg, &options);
    if (options.count == 0)
        return 0;

    proto_item *ti = proto_tree_add_item(tree, proto_mptcpv, tcp_tvb, block_offset, block_len,
                                         ENC_NA);
    proto_tree *mptcpv_tree = proto_item_add_subtree(ti, ett_mptcpv);
    if (seg.version != MPTCPV_VERSION_UNKNOWN) {
        proto_item *pi = proto_tree_add_uint(mptcpv_tree, hf_mptcpv_version, tcp_tvb,
                                             block_offset, 0, (guint32)seg.version);
        proto_item_set_generated(pi);
    }

    proto_tree *subtrees[MPTCPV_MAX_OPTIONS];
    mptcpv_options_add_items(mptcpv_tree, tcp_tvb, block_offset, &options, subtrees);
    if (truncated) {
        proto_item *pi = proto_tree_add_boolean(mptcpv_tree, hf_mptcpv_truncated, tcp_tvb,
                                                block_offset, 0, TRUE);
        proto_item_set_generated(pi);
    }
    for (unsigned i = 0; i < options.finding_count; i++) {
        const mptcpv_finding *f = &options.findings[i];
        proto_tree *where = mptcpv_tree;
        const mptcpv_option *cut = NULL;
        for (unsigned k = 0; k < options.count; k++) {
            if (options.options[k].offset == f->offset) {
                where = subtrees[k];
                cut = &options.options[k];
            }
        }
        /* An option that reaches the capture's end is incomplete, not malformed. */
        if (truncated && cut != NULL && cut->offset + cut->avail >= block_len &&
            (cut->avail < cut->length || cut->avail < 2))
            continue;
        add_finding(where, pinfo, tcp_tvb, block_offset, f);
    }
    add_info_column(pinfo, &options);
    return tvb_captured_length(tvb);
}

void proto_register_mptcpv(void)
{
    static hf_register_info hf[] = {
        {&hf_mptcpv_version,
         {"MPTCP version", "mptcpv.version", FT_UINT8, BASE_DEC, NULL, 0x0,
          "Protocol version the options were decoded with (0: RFC 6824, 1: RFC 8684)", HFILL}},
        {&hf_mptcpv_rule,
         {"Rule", "mptcpv.rule", FT_STRING, BASE_NONE, NULL, 0x0,
          "Id of a conformance rule this packet violates (see docs/rules.md)", HFILL}},
        {&hf_mptcpv_truncated,
         {"TCP options cut by the snapshot length", "mptcpv.truncated", FT_BOOLEAN, BASE_NONE,
          NULL, 0x0, "The capture holds only part of the TCP options; the rest is unknown",
          HFILL}},
    };
    static gint *ett[] = {&ett_mptcpv};

    proto_mptcpv = proto_register_protocol("Multipath TCP verification (mptcpv)", "mptcpv",
                                           "mptcpv");
    proto_register_field_array(proto_mptcpv, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    mptcpv_options_register_fields(proto_mptcpv);

    for (int i = 0; i < MPTCPV_RULE_COUNT; i++) {
        const mptcpv_rule *rule = mptcpv_rule_get((mptcpv_rule_id)i);
        ei_mptcpv[i] = (expert_field)EI_INIT;
        ei_mptcpv_rules[i].ids = &ei_mptcpv[i];
        ei_mptcpv_rules[i].eiinfo.severity = severity_to_ws(rule->severity);
        ei_mptcpv_rules[i].eiinfo.group =
            rule->rule == MPTCPV_RULE_OPTION_MALFORMED ? PI_MALFORMED : PI_PROTOCOL;
    }
    expert_module_t *expert = expert_register_protocol(proto_mptcpv);
    expert_register_field_array(expert, ei_mptcpv_rules, array_length(ei_mptcpv_rules));

    mptcpv_handle = create_dissector_handle(dissect_mptcpv, proto_mptcpv);
}

void proto_reg_handoff_mptcpv(void)
{
    hf_tcp_srcport = proto_registrar_get_id_byname("tcp.srcport");
    hf_tcp_len = proto_registrar_get_id_byname("tcp.len");

    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    g_array_append_val(wanted, hf_tcp_srcport);
    g_array_append_val(wanted, hf_tcp_len);
    register_postdissector(mptcpv_handle);
    set_postdissector_wanted_hfids(mptcpv_handle, wanted);
}
