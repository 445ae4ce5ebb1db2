/*
 * mptcpv data-level fields: relative and 64-bit DSN and DATA_ACK, the frame whose mapping
 * covers a segment, DSS checksum verdicts, reinjections, fallback and MP_FAIL (RFC 8684 3.3,
 * 3.7). Values come from the core's tracker; this file only places them in the tree.
 */
#include <wireshark.h>

#include <epan/packet.h>

#include "packet-mptcpv.h"

static int hf_mptcpv_dsn = -1;
static int hf_mptcpv_dsn64 = -1;
static int hf_mptcpv_data_ack = -1;
static int hf_mptcpv_data_ack64 = -1;
static int hf_mptcpv_mapping_frame = -1;
static int hf_mptcpv_dss_checksum_status = -1;
static int hf_mptcpv_dss_checksum_mapping = -1;
static int hf_mptcpv_reinjection_of = -1;
static int hf_mptcpv_reinjected_in = -1;
static int hf_mptcpv_fallback = -1;
static int hf_mptcpv_fail_answers = -1;
static int hf_mptcpv_data_fin_ack_of = -1;
static int hf_mptcpv_close = -1;
static int hf_mptcpv_subflow_end = -1;
static int hf_mptcpv_data_bytes = -1;
static int hf_mptcpv_reinjected_bytes = -1;

/* From the core's name tables: the core names each state once. */
static const value_string checksum_status_vals[] = {
/* X-macro rows: clang-format 14 would indent the terminator as a continuation. */
/* clang-format off */
#define VERDICT_VS(e, name) {MPTCPV_VERDICT_##e, name},
    MPTCPV_VERDICTS(VERDICT_VS)
#undef VERDICT_VS
    {0, NULL},
    /* clang-format on */
};

static const value_string close_vals[] = {
/* X-macro rows: clang-format 14 would indent the terminator as a continuation. */
/* clang-format off */
#define CLOSE_VS(e, name) {MPTCPV_CLOSE_##e, name},
    MPTCPV_CLOSE_STATES(CLOSE_VS)
#undef CLOSE_VS
    {0, NULL},
    /* clang-format on */
};

static const value_string subflow_end_vals[] = {
/* X-macro rows: clang-format 14 would indent the terminator as a continuation. */
/* clang-format off */
#define END_VS(e, name) {MPTCPV_SUBFLOW_##e, name},
    MPTCPV_SUBFLOW_ENDS(END_VS)
#undef END_VS
    {0, NULL},
    /* clang-format on */
};

static void add_uint(proto_tree *t, const mptcpv_view *view, int hf, tvbuff_t *tvb, guint32 value)
{
    if (!mptcpv_show(view, hf))
        return;
    proto_item *pi = proto_tree_add_uint(t, hf, tvb, 0, 0, value);
    proto_item_set_generated(pi);
}

static void add_u64(proto_tree *t, const mptcpv_view *view, int hf, tvbuff_t *tvb, guint64 value)
{
    if (!mptcpv_show(view, hf))
        return;
    proto_item *pi = proto_tree_add_uint64(t, hf, tvb, 0, 0, value);
    proto_item_set_generated(pi);
}

void mptcpv_data_add_items(proto_tree *tree, const mptcpv_view *view, tvbuff_t *tvb,
                           const mptcpv_data_result *d, guint32 reinjected_in)
{
    if (d != NULL) {
        if (d->has_relative_dsn)
            add_u64(tree, view, hf_mptcpv_dsn, tvb, d->relative_dsn);
        if (d->has_dsn)
            add_u64(tree, view, hf_mptcpv_dsn64, tvb, d->dsn);
        if (d->has_relative_data_ack)
            add_u64(tree, view, hf_mptcpv_data_ack, tvb, d->relative_data_ack);
        if (d->has_data_ack)
            add_u64(tree, view, hf_mptcpv_data_ack64, tvb, d->data_ack);
        if (d->mapping_frame != 0)
            add_uint(tree, view, hf_mptcpv_mapping_frame, tvb, d->mapping_frame);
        if (d->checksum != MPTCPV_VERDICT_NONE) {
            proto_item *pi =
                proto_tree_add_uint(tree, hf_mptcpv_dss_checksum_status, tvb, 0, 0, d->checksum);
            proto_item_set_generated(pi);
            add_uint(tree, view, hf_mptcpv_dss_checksum_mapping, tvb, d->checksum_mapping_frame);
        }
        if (d->reinjection_of != 0)
            add_uint(tree, view, hf_mptcpv_reinjection_of, tvb, d->reinjection_of);
        if (d->reinjected_bytes != 0)
            add_uint(tree, view, hf_mptcpv_reinjected_bytes, tvb, d->reinjected_bytes);
        if (d->data_bytes != 0)
            add_uint(tree, view, hf_mptcpv_data_bytes, tvb, d->data_bytes);
        if (d->fallback != MPTCPV_FALLBACK_NONE) {
            proto_item *pi = proto_tree_add_string(tree, hf_mptcpv_fallback, tvb, 0, 0,
                                                   mptcpv_fallback_name(d->fallback));
            proto_item_set_generated(pi);
        }
        if (d->fail_answers != 0)
            add_uint(tree, view, hf_mptcpv_fail_answers, tvb, d->fail_answers);
        if (d->data_fin_ack_of != 0)
            add_uint(tree, view, hf_mptcpv_data_fin_ack_of, tvb, d->data_fin_ack_of);
        if (d->close != MPTCPV_CLOSE_NONE) {
            proto_item *pi = proto_tree_add_uint(tree, hf_mptcpv_close, tvb, 0, 0, d->close);
            proto_item_set_generated(pi);
        }
        if (d->subflow_end != MPTCPV_SUBFLOW_OPEN) {
            proto_item *pi =
                proto_tree_add_uint(tree, hf_mptcpv_subflow_end, tvb, 0, 0, d->subflow_end);
            proto_item_set_generated(pi);
        }
    }
    if (reinjected_in != 0)
        add_uint(tree, view, hf_mptcpv_reinjected_in, tvb, reinjected_in);
}

void mptcpv_data_register_fields(int proto)
{
    static hf_register_info hf[] = {
        {&hf_mptcpv_dsn,
         {"Relative DSN", "mptcpv.dsn", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Data sequence number of the payload's first byte minus the sender's IDSN "
          "(the first data byte is 1)",
          HFILL}},
        {&hf_mptcpv_dsn64,
         {"DSN (64 bits)", "mptcpv.dsn64", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Data sequence number of the payload's first byte, expanded to 64 bits", HFILL}},
        {&hf_mptcpv_data_ack,
         {"Relative DATA_ACK", "mptcpv.data_ack", FT_UINT64, BASE_DEC, NULL, 0x0,
          "DATA_ACK minus the peer's IDSN", HFILL}},
        {&hf_mptcpv_data_ack64,
         {"DATA_ACK (64 bits)", "mptcpv.data_ack64", FT_UINT64, BASE_DEC, NULL, 0x0,
          "DATA_ACK expanded to 64 bits", HFILL}},
        {&hf_mptcpv_mapping_frame,
         {"Mapping in frame", "mptcpv.mapping_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
          "Frame whose DSS mapping covers this payload", HFILL}},
        {&hf_mptcpv_dss_checksum_status,
         {"DSS checksum", "mptcpv.dss.checksum_status", FT_UINT8, BASE_DEC,
          VALS(checksum_status_vals), 0x0,
          "Verdict on the mapping this segment completes (RFC 8684 3.3.1)", HFILL}},
        {&hf_mptcpv_dss_checksum_mapping,
         {"Checksummed mapping in frame", "mptcpv.dss.checksum_mapping", FT_FRAMENUM, BASE_NONE,
          NULL, 0x0, "Frame that carried the mapping and checksum verified here", HFILL}},
        {&hf_mptcpv_reinjection_of,
         {"Reinjection of", "mptcpv.reinjection_of", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RETRANS_PREV), 0x0,
          "Earlier frame that sent the same data-level bytes on another subflow", HFILL}},
        {&hf_mptcpv_reinjected_in,
         {"Reinjected in", "mptcpv.reinjected_in", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RETRANS_NEXT), 0x0,
          "Later frame that sent these data-level bytes again on another subflow (shown "
          "after the first pass: tshark -2 or the GUI)",
          HFILL}},
        {&hf_mptcpv_fallback,
         {"Fallback to TCP", "mptcpv.fallback", FT_STRING, BASE_NONE, NULL, 0x0,
          "Why the connection fell back to plain TCP (RFC 8684 3.7)", HFILL}},
        {&hf_mptcpv_fail_answers,
         {"MP_FAIL answers checksum failure in", "mptcpv.fail.answers", FT_FRAMENUM, BASE_NONE,
          NULL, 0x0, "Frame of the mapping whose checksum failed", HFILL}},
        {&hf_mptcpv_data_fin_ack_of,
         {"DATA_ACK acknowledges the DATA_FIN of", "mptcpv.data_fin.ack_of", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_ACK), 0x0,
          "Frame whose DATA_FIN this DATA_ACK is the first to acknowledge (RFC 8684 3.3.3)",
          HFILL}},
        {&hf_mptcpv_close,
         {"Connection close", "mptcpv.close", FT_UINT8, BASE_DEC, VALS(close_vals), 0x0,
          "The connection's close state changes here: 1 closing (its first DATA_FIN), "
          "2 closed (both DATA_FINs acknowledged, RFC 8684 3.3.3; after a fallback, the "
          "last subflow's FIN), 3 fast-closed (MP_FASTCLOSE, 3.5), 4 reset (its last open "
          "subflow reset before the data level closed)",
          HFILL}},
        {&hf_mptcpv_data_bytes,
         {"New data-level bytes", "mptcpv.data_bytes", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Bytes by which this payload widens its sender's data-level stream (DSN span, "
          "holes included; after a fallback, the TCP stream): summed per connection and "
          "direction, what the application sent. Absent on retransmissions and reinjections",
          HFILL}},
        {&hf_mptcpv_reinjected_bytes,
         {"Reinjected bytes", "mptcpv.reinjected_bytes", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Bytes of this payload first sent on another subflow (RFC 8684 3.3.6)", HFILL}},
        {&hf_mptcpv_subflow_end,
         {"Subflow ends", "mptcpv.subflow.end", FT_UINT8, BASE_DEC, VALS(subflow_end_vals), 0x0,
          "The subflow ends here, and how (the strongest reason seen so far): 1 FIN, 2 RST, "
          "3 MP_TCPRST, 4 MP_FAIL (a checksum failure, RFC 8684 3.7), 5 MP_FASTCLOSE",
          HFILL}},
    };
    proto_register_field_array(proto, hf, array_length(hf));
}
