/*
 * mptcpv option fields: one subtree per MPTCP option, every field under "mptcpv.".
 *
 * Values come from the core decoder (core/include/mptcpv/option.h); this file only places
 * them in the tree over the bytes they were read from. Layouts: RFC 8684 3, RFC 6824 3.
 */
#include <wireshark.h>

#include <epan/packet.h>

#include "packet-mptcpv.h"

static int hf_mptcpv_option = -1;
static int hf_mptcpv_subtype = -1;
static int hf_mptcpv_length = -1;

static int hf_mptcpv_mpc_version = -1;
static int hf_mptcpv_mpc_flags = -1;
static int hf_mptcpv_mpc_flags_checksum = -1;
static int hf_mptcpv_mpc_flags_extensibility = -1;
static int hf_mptcpv_mpc_flags_no_join_id0 = -1;
static int hf_mptcpv_mpc_flags_crypto = -1;
static int hf_mptcpv_mpc_flags_hmac_sha = -1;
static int hf_mptcpv_mpc_sender_key = -1;
static int hf_mptcpv_mpc_receiver_key = -1;
static int hf_mptcpv_mpc_data_len = -1;
static int hf_mptcpv_mpc_checksum = -1;

static int hf_mptcpv_join_form = -1;
static int hf_mptcpv_join_backup = -1;
static int hf_mptcpv_join_addr_id = -1;
static int hf_mptcpv_join_token = -1;
static int hf_mptcpv_join_nonce = -1;
static int hf_mptcpv_join_trunc_hmac = -1;
static int hf_mptcpv_join_hmac = -1;

static int hf_mptcpv_dss_flags = -1;
static int hf_mptcpv_dss_flags_data_fin = -1;
static int hf_mptcpv_dss_flags_dsn64 = -1;
static int hf_mptcpv_dss_flags_mapping = -1;
static int hf_mptcpv_dss_flags_ack64 = -1;
static int hf_mptcpv_dss_flags_ack = -1;
static int hf_mptcpv_dss_data_ack = -1;
static int hf_mptcpv_dss_dsn = -1;
static int hf_mptcpv_dss_ssn = -1;
static int hf_mptcpv_dss_data_len = -1;
static int hf_mptcpv_dss_checksum = -1;

static int hf_mptcpv_add_addr_ipver = -1;
static int hf_mptcpv_add_addr_echo = -1;
static int hf_mptcpv_add_addr_addr_id = -1;
static int hf_mptcpv_add_addr_ipv4 = -1;
static int hf_mptcpv_add_addr_ipv6 = -1;
static int hf_mptcpv_add_addr_port = -1;
static int hf_mptcpv_add_addr_hmac = -1;

static int hf_mptcpv_remove_addr_addr_id = -1;

static int hf_mptcpv_prio_backup = -1;
static int hf_mptcpv_prio_addr_id = -1;

static int hf_mptcpv_fail_dsn = -1;
static int hf_mptcpv_fastclose_receiver_key = -1;

static int hf_mptcpv_tcprst_flags = -1;
static int hf_mptcpv_tcprst_transient = -1;
static int hf_mptcpv_tcprst_reason = -1;

static int hf_mptcpv_experimental_data = -1;
static int hf_mptcpv_unknown_data = -1;

static gint ett_mptcpv_option = -1;
static gint ett_mptcpv_mpc_flags = -1;
static gint ett_mptcpv_dss_flags = -1;

/* From the core's name tables. */
static const value_string mptcpv_subtype_vals[] = {
/* X-macro rows: clang-format 14 would indent the terminator as a continuation. */
/* clang-format off */
#define SUBTYPE_VS(e, value, name) {value, name},
    MPTCPV_SUBTYPES(SUBTYPE_VS)
#undef SUBTYPE_VS
    {0, NULL},
    /* clang-format on */
};

static const value_string mptcpv_join_form_vals[] = {
    {MPTCPV_JOIN_SYN, "SYN"},
    {MPTCPV_JOIN_SYNACK, "SYN/ACK"},
    {MPTCPV_JOIN_ACK, "ACK"},
    {0, NULL},
};

static const value_string mptcpv_tcprst_reason_vals[] = {
/* X-macro rows: clang-format 14 would indent the terminator as a continuation. */
/* clang-format off */
#define REASON_VS(e, value, name) {value, name},
    MPTCPV_TCPRST_REASONS(REASON_VS)
#undef REASON_VS
    {0, NULL},
    /* clang-format on */
};

static int *const mpc_flag_fields[] = {
    &hf_mptcpv_mpc_flags_checksum,    &hf_mptcpv_mpc_flags_extensibility,
    &hf_mptcpv_mpc_flags_no_join_id0, &hf_mptcpv_mpc_flags_crypto,
    &hf_mptcpv_mpc_flags_hmac_sha,    NULL,
};

static int *const dss_flag_fields[] = {
    &hf_mptcpv_dss_flags_data_fin, &hf_mptcpv_dss_flags_dsn64, &hf_mptcpv_dss_flags_mapping,
    &hf_mptcpv_dss_flags_ack64,    &hf_mptcpv_dss_flags_ack,   NULL,
};

static void add_mp_capable(proto_tree *t, tvbuff_t *tvb, int off, const mptcpv_mp_capable *mpc)
{
    proto_tree_add_uint(t, hf_mptcpv_mpc_version, tvb, off + 2, 1, mpc->version);
    proto_tree_add_bitmask_value(t, tvb, (guint)(off + 3), hf_mptcpv_mpc_flags,
                                 ett_mptcpv_mpc_flags, mpc_flag_fields, mpc->flags);
    if (mpc->has_sender_key)
        proto_tree_add_uint64(t, hf_mptcpv_mpc_sender_key, tvb, off + 4, 8, mpc->sender_key);
    if (mpc->has_receiver_key)
        proto_tree_add_uint64(t, hf_mptcpv_mpc_receiver_key, tvb, off + 12, 8, mpc->receiver_key);
    if (mpc->has_data_len)
        proto_tree_add_uint(t, hf_mptcpv_mpc_data_len, tvb, off + 20, 2, mpc->data_len);
    if (mpc->has_checksum)
        proto_tree_add_uint(t, hf_mptcpv_mpc_checksum, tvb, off + 22, 2, mpc->checksum);
}

static void add_mp_join(proto_tree *t, tvbuff_t *tvb, int off, const mptcpv_mp_join *join)
{
    proto_item *pi = proto_tree_add_uint(t, hf_mptcpv_join_form, tvb, off + 1, 1, join->form);
    proto_item_set_generated(pi);
    switch (join->form) {
    case MPTCPV_JOIN_SYN:
        proto_tree_add_boolean(t, hf_mptcpv_join_backup, tvb, off + 2, 1, join->backup);
        proto_tree_add_uint(t, hf_mptcpv_join_addr_id, tvb, off + 3, 1, join->addr_id);
        proto_tree_add_uint(t, hf_mptcpv_join_token, tvb, off + 4, 4, join->token);
        proto_tree_add_uint(t, hf_mptcpv_join_nonce, tvb, off + 8, 4, join->nonce);
        break;
    case MPTCPV_JOIN_SYNACK:
        proto_tree_add_boolean(t, hf_mptcpv_join_backup, tvb, off + 2, 1, join->backup);
        proto_tree_add_uint(t, hf_mptcpv_join_addr_id, tvb, off + 3, 1, join->addr_id);
        proto_tree_add_uint64(t, hf_mptcpv_join_trunc_hmac, tvb, off + 4, 8, join->trunc_hmac);
        proto_tree_add_uint(t, hf_mptcpv_join_nonce, tvb, off + 12, 4, join->nonce);
        break;
    case MPTCPV_JOIN_ACK:
        proto_tree_add_bytes(t, hf_mptcpv_join_hmac, tvb, off + 4, MPTCPV_JOIN_HMAC_LEN,
                             join->hmac);
        break;
    }
}

/* Whether any DSS flag bit is asked for by name (mptcpv.dss.flags.*). */
static gboolean dss_flag_bit_asked(void)
{
    for (int *const *f = dss_flag_fields; *f != NULL; f++)
        if (mptcpv_field_asked(**f))
            return TRUE;
    return FALSE;
}

static void add_dss(proto_tree *t, const mptcpv_view *view, tvbuff_t *tvb, int off,
                    const mptcpv_dss *dss)
{
    if (mptcpv_show_repeat(view, hf_mptcpv_dss_flags) || dss_flag_bit_asked()) {
        /* BMT_NO_APPEND: the flag names are in the subtree and the option's label; appending
         * them to this label too costs a formatted string per packet. */
        proto_tree_add_bitmask_value_with_flags(t, tvb, (guint)(off + 3), hf_mptcpv_dss_flags,
                                                ett_mptcpv_dss_flags, dss_flag_fields, dss->flags,
                                                BMT_NO_APPEND);
    } else if (mptcpv_show(view, hf_mptcpv_dss_flags)) {
        /* A lean frame: the value, its bits named in the option's label. */
        proto_tree_add_uint(t, hf_mptcpv_dss_flags, tvb, off + 3, 1, dss->flags);
    }
    int pos = off + 4;
    if (dss->has_ack) {
        int n = dss->ack64 ? 8 : 4;
        if (mptcpv_show(view, hf_mptcpv_dss_data_ack))
            proto_tree_add_uint64(t, hf_mptcpv_dss_data_ack, tvb, pos, n, dss->data_ack);
        pos += n;
    }
    if (dss->has_mapping) {
        int n = dss->dsn64 ? 8 : 4;
        if (mptcpv_show(view, hf_mptcpv_dss_dsn))
            proto_tree_add_uint64(t, hf_mptcpv_dss_dsn, tvb, pos, n, dss->dsn);
        pos += n;
        if (mptcpv_show(view, hf_mptcpv_dss_ssn))
            proto_tree_add_uint(t, hf_mptcpv_dss_ssn, tvb, pos, 4, dss->ssn);
        if (mptcpv_show(view, hf_mptcpv_dss_data_len))
            proto_tree_add_uint(t, hf_mptcpv_dss_data_len, tvb, pos + 4, 2, dss->data_len);
        if (dss->has_checksum && mptcpv_show(view, hf_mptcpv_dss_checksum))
            proto_tree_add_uint(t, hf_mptcpv_dss_checksum, tvb, pos + 6, 2, dss->checksum);
    }
}

static void add_add_addr(proto_tree *t, tvbuff_t *tvb, int off, const mptcpv_add_addr *aa)
{
    if (aa->form == MPTCPV_VERSION_0)
        proto_tree_add_uint(t, hf_mptcpv_add_addr_ipver, tvb, off + 2, 1, aa->flags);
    else
        proto_tree_add_boolean(t, hf_mptcpv_add_addr_echo, tvb, off + 2, 1, aa->echo);
    proto_tree_add_uint(t, hf_mptcpv_add_addr_addr_id, tvb, off + 3, 1, aa->addr_id);
    int pos = off + 4;
    if (aa->family == 4) {
        guint32 addr;
        memcpy(&addr, aa->addr, 4); /* network order, as FT_IPv4 expects */
        proto_tree_add_ipv4(t, hf_mptcpv_add_addr_ipv4, tvb, pos, 4, addr);
        pos += 4;
    } else {
        proto_tree_add_ipv6(t, hf_mptcpv_add_addr_ipv6, tvb, pos, 16,
                            (const ws_in6_addr *)aa->addr);
        pos += 16;
    }
    if (aa->has_port) {
        proto_tree_add_uint(t, hf_mptcpv_add_addr_port, tvb, pos, 2, aa->port);
        pos += 2;
    }
    if (aa->has_hmac)
        proto_tree_add_uint64(t, hf_mptcpv_add_addr_hmac, tvb, pos, 8, aa->hmac);
}

static void add_decoded(proto_tree *t, const mptcpv_view *view, tvbuff_t *tvb, int off,
                        const mptcpv_option *o)
{
    switch (o->subtype) {
    case MPTCPV_MP_CAPABLE:
        add_mp_capable(t, tvb, off, &o->u.mp_capable);
        break;
    case MPTCPV_MP_JOIN:
        add_mp_join(t, tvb, off, &o->u.mp_join);
        break;
    case MPTCPV_DSS:
        add_dss(t, view, tvb, off, &o->u.dss);
        break;
    case MPTCPV_ADD_ADDR:
        add_add_addr(t, tvb, off, &o->u.add_addr);
        break;
    case MPTCPV_REMOVE_ADDR:
        for (int i = 0; i < o->u.remove_addr.count; i++)
            proto_tree_add_uint(t, hf_mptcpv_remove_addr_addr_id, tvb, off + 3 + i, 1,
                                o->u.remove_addr.ids[i]);
        break;
    case MPTCPV_MP_PRIO:
        proto_tree_add_boolean(t, hf_mptcpv_prio_backup, tvb, off + 2, 1, o->u.mp_prio.backup);
        if (o->u.mp_prio.has_addr_id)
            proto_tree_add_uint(t, hf_mptcpv_prio_addr_id, tvb, off + 3, 1, o->u.mp_prio.addr_id);
        break;
    case MPTCPV_MP_FAIL:
        proto_tree_add_uint64(t, hf_mptcpv_fail_dsn, tvb, off + 4, 8, o->u.mp_fail.dsn);
        break;
    case MPTCPV_MP_FASTCLOSE:
        proto_tree_add_uint64(t, hf_mptcpv_fastclose_receiver_key, tvb, off + 4, 8,
                              o->u.mp_fastclose.receiver_key);
        break;
    case MPTCPV_MP_TCPRST:
        proto_tree_add_uint(t, hf_mptcpv_tcprst_flags, tvb, off + 2, 1, o->u.mp_tcprst.flags);
        proto_tree_add_boolean(t, hf_mptcpv_tcprst_transient, tvb, off + 2, 1,
                               o->u.mp_tcprst.transient);
        proto_tree_add_uint(t, hf_mptcpv_tcprst_reason, tvb, off + 3, 1, o->u.mp_tcprst.reason);
        break;
    default:
        /* MP_EXPERIMENTAL and unassigned subtypes: opaque bytes. */
        if (o->u.raw.data_len > 0)
            proto_tree_add_item(t,
                                o->subtype == MPTCPV_MP_EXPERIMENTAL ? hf_mptcpv_experimental_data
                                                                     : hf_mptcpv_unknown_data,
                                tvb, off + o->u.raw.data_offset, o->u.raw.data_len, ENC_NA);
        break;
    }
}

void mptcpv_options_add_items(proto_tree *tree, const mptcpv_view *view, tvbuff_t *tvb,
                              int block_offset, const mptcpv_options *options,
                              proto_tree **subtrees)
{
    char summary[160];
    for (unsigned i = 0; i < options->count; i++) {
        const mptcpv_option *o = &options->options[i];
        int off = block_offset + o->offset;
        proto_tree *t = tree;
        if (mptcpv_show(view, hf_mptcpv_option)) {
            proto_item *item =
                proto_tree_add_item(tree, hf_mptcpv_option, tvb, off, MAX(o->avail, 1), ENC_NA);
            /* Labels are only read in a visible tree. */
            if (view->visible) {
                mptcpv_option_format(o, summary, sizeof(summary));
                proto_item_set_text(item, "%s", summary);
            }
            t = proto_item_add_subtree(item, ett_mptcpv_option);
        }
        subtrees[i] = t;
        if (o->avail >= 2 && mptcpv_show_repeat(view, hf_mptcpv_length))
            proto_tree_add_uint(t, hf_mptcpv_length, tvb, off + 1, 1, o->length);
        if (o->has_subtype && mptcpv_show_repeat(view, hf_mptcpv_subtype))
            proto_tree_add_uint(t, hf_mptcpv_subtype, tvb, off + 2, 1, o->subtype);
        if (o->decoded)
            add_decoded(t, view, tvb, off, o);
    }
}

void mptcpv_options_register_fields(int proto)
{
    static hf_register_info hf[] = {
        {&hf_mptcpv_option,
         {"MPTCP option", "mptcpv.option", FT_BYTES, BASE_NONE, NULL, 0x0,
          "One kind-30 option, as sent", HFILL}},
        {&hf_mptcpv_subtype,
         {"Subtype", "mptcpv.subtype", FT_UINT8, BASE_HEX, VALS(mptcpv_subtype_vals), 0x0,
          "MPTCP option subtype (one per option)", HFILL}},
        {&hf_mptcpv_length,
         {"Length", "mptcpv.length", FT_UINT8, BASE_DEC, NULL, 0x0,
          "Option length byte, kind and length included", HFILL}},

        {&hf_mptcpv_mpc_version,
         {"Version", "mptcpv.mpc.version", FT_UINT8, BASE_DEC, NULL, 0x0,
          "MP_CAPABLE version nibble (0: RFC 6824, 1: RFC 8684)", HFILL}},
        {&hf_mptcpv_mpc_flags,
         {"Flags", "mptcpv.mpc.flags", FT_UINT8, BASE_HEX, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_mpc_flags_checksum,
         {"Checksum required (A)", "mptcpv.mpc.flags.checksum", FT_BOOLEAN, 8, NULL,
          MPTCPV_MPC_FLAG_CHECKSUM, NULL, HFILL}},
        {&hf_mptcpv_mpc_flags_extensibility,
         {"Extensibility (B)", "mptcpv.mpc.flags.extensibility", FT_BOOLEAN, 8, NULL,
          MPTCPV_MPC_FLAG_EXTENSION, NULL, HFILL}},
        {&hf_mptcpv_mpc_flags_no_join_id0,
         {"No join to this address (C)", "mptcpv.mpc.flags.no_join_id0", FT_BOOLEAN, 8, NULL,
          MPTCPV_MPC_FLAG_NO_JOIN_ID0, "v1: no MP_JOIN to address ID 0 (RFC 8684 3.1)", HFILL}},
        {&hf_mptcpv_mpc_flags_crypto,
         {"Unassigned crypto bits (D-G)", "mptcpv.mpc.flags.crypto", FT_UINT8, BASE_HEX, NULL, 0x1e,
          NULL, HFILL}},
        {&hf_mptcpv_mpc_flags_hmac_sha,
         {"HMAC-SHA1 (v0) / HMAC-SHA256 (v1) (H)", "mptcpv.mpc.flags.hmac_sha", FT_BOOLEAN, 8, NULL,
          MPTCPV_MPC_FLAG_HMAC_SHA, NULL, HFILL}},
        {&hf_mptcpv_mpc_sender_key,
         {"Sender's key", "mptcpv.mpc.sender_key", FT_UINT64, BASE_HEX, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_mpc_receiver_key,
         {"Receiver's key", "mptcpv.mpc.receiver_key", FT_UINT64, BASE_HEX, NULL, 0x0, NULL,
          HFILL}},
        {&hf_mptcpv_mpc_data_len,
         {"Data-level length", "mptcpv.mpc.data_len", FT_UINT16, BASE_DEC, NULL, 0x0,
          "v1 MP_CAPABLE with data (RFC 8684 3.1)", HFILL}},
        {&hf_mptcpv_mpc_checksum,
         {"DSS checksum", "mptcpv.mpc.checksum", FT_UINT16, BASE_HEX, NULL, 0x0, NULL, HFILL}},

        {&hf_mptcpv_join_form,
         {"Handshake step", "mptcpv.join.form", FT_UINT8, BASE_DEC, VALS(mptcpv_join_form_vals),
          0x0, "Which MP_JOIN layout the length selects", HFILL}},
        {&hf_mptcpv_join_backup,
         {"Backup", "mptcpv.join.backup", FT_BOOLEAN, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_join_addr_id,
         {"Address ID", "mptcpv.join.addr_id", FT_UINT8, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_join_token,
         {"Receiver's token", "mptcpv.join.token", FT_UINT32, BASE_HEX, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_join_nonce,
         {"Sender's random number", "mptcpv.join.nonce", FT_UINT32, BASE_HEX, NULL, 0x0, NULL,
          HFILL}},
        {&hf_mptcpv_join_trunc_hmac,
         {"Sender's truncated HMAC", "mptcpv.join.trunc_hmac", FT_UINT64, BASE_HEX, NULL, 0x0, NULL,
          HFILL}},
        {&hf_mptcpv_join_hmac,
         {"Sender's HMAC", "mptcpv.join.hmac", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL}},

        {&hf_mptcpv_dss_flags,
         {"Flags", "mptcpv.dss.flags", FT_UINT8, BASE_HEX, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_dss_flags_data_fin,
         {"DATA_FIN (F)", "mptcpv.dss.flags.data_fin", FT_BOOLEAN, 8, NULL,
          MPTCPV_DSS_FLAG_DATA_FIN, NULL, HFILL}},
        {&hf_mptcpv_dss_flags_dsn64,
         {"DSN is 8 octets (m)", "mptcpv.dss.flags.dsn64", FT_BOOLEAN, 8, NULL,
          MPTCPV_DSS_FLAG_DSN64, NULL, HFILL}},
        {&hf_mptcpv_dss_flags_mapping,
         {"Mapping present (M)", "mptcpv.dss.flags.mapping", FT_BOOLEAN, 8, NULL,
          MPTCPV_DSS_FLAG_MAPPING, NULL, HFILL}},
        {&hf_mptcpv_dss_flags_ack64,
         {"DATA_ACK is 8 octets (a)", "mptcpv.dss.flags.ack64", FT_BOOLEAN, 8, NULL,
          MPTCPV_DSS_FLAG_ACK64, NULL, HFILL}},
        {&hf_mptcpv_dss_flags_ack,
         {"DATA_ACK present (A)", "mptcpv.dss.flags.ack", FT_BOOLEAN, 8, NULL, MPTCPV_DSS_FLAG_ACK,
          NULL, HFILL}},
        {&hf_mptcpv_dss_data_ack,
         {"Data ACK (raw)", "mptcpv.dss.data_ack", FT_UINT64, BASE_DEC, NULL, 0x0,
          "DATA_ACK as sent (32 or 64 bits)", HFILL}},
        {&hf_mptcpv_dss_dsn,
         {"Data sequence number (raw)", "mptcpv.dss.dsn", FT_UINT64, BASE_DEC, NULL, 0x0,
          "DSN as sent (32 or 64 bits)", HFILL}},
        {&hf_mptcpv_dss_ssn,
         {"Subflow sequence number", "mptcpv.dss.ssn", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Relative to the subflow's initial sequence number", HFILL}},
        {&hf_mptcpv_dss_data_len,
         {"Data-level length", "mptcpv.dss.data_len", FT_UINT16, BASE_DEC, NULL, 0x0,
          "0: infinite mapping", HFILL}},
        {&hf_mptcpv_dss_checksum,
         {"Checksum", "mptcpv.dss.checksum", FT_UINT16, BASE_HEX, NULL, 0x0, NULL, HFILL}},

        {&hf_mptcpv_add_addr_ipver,
         {"IP version", "mptcpv.add_addr.ipver", FT_UINT8, BASE_DEC, NULL, 0x0,
          "v0 (RFC 6824) IPVer", HFILL}},
        {&hf_mptcpv_add_addr_echo,
         {"Echo", "mptcpv.add_addr.echo", FT_BOOLEAN, BASE_NONE, NULL, 0x0, "v1 (RFC 8684) E flag",
          HFILL}},
        {&hf_mptcpv_add_addr_addr_id,
         {"Address ID", "mptcpv.add_addr.addr_id", FT_UINT8, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_add_addr_ipv4,
         {"Address", "mptcpv.add_addr.ipv4", FT_IPv4, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_add_addr_ipv6,
         {"Address", "mptcpv.add_addr.ipv6", FT_IPv6, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_add_addr_port,
         {"Port", "mptcpv.add_addr.port", FT_UINT16, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_add_addr_hmac,
         {"Truncated HMAC", "mptcpv.add_addr.hmac", FT_UINT64, BASE_HEX, NULL, 0x0,
          "Right-most 64 bits of HMAC-SHA256 (RFC 8684 3.4.1)", HFILL}},

        {&hf_mptcpv_remove_addr_addr_id,
         {"Address ID", "mptcpv.remove_addr.addr_id", FT_UINT8, BASE_DEC, NULL, 0x0, NULL, HFILL}},

        {&hf_mptcpv_prio_backup,
         {"Backup", "mptcpv.prio.backup", FT_BOOLEAN, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_prio_addr_id,
         {"Address ID", "mptcpv.prio.addr_id", FT_UINT8, BASE_DEC, NULL, 0x0, "v0 4-byte form only",
          HFILL}},

        {&hf_mptcpv_fail_dsn,
         {"Data sequence number", "mptcpv.fail.dsn", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_fastclose_receiver_key,
         {"Option receiver's key", "mptcpv.fastclose.receiver_key", FT_UINT64, BASE_HEX, NULL, 0x0,
          NULL, HFILL}},

        {&hf_mptcpv_tcprst_flags,
         {"Flags", "mptcpv.tcprst.flags", FT_UINT8, BASE_HEX, NULL, 0x0, "U V W T", HFILL}},
        {&hf_mptcpv_tcprst_transient,
         {"Transient (T)", "mptcpv.tcprst.transient", FT_BOOLEAN, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_mptcpv_tcprst_reason,
         {"Reason", "mptcpv.tcprst.reason", FT_UINT8, BASE_HEX, VALS(mptcpv_tcprst_reason_vals),
          0x0, NULL, HFILL}},

        {&hf_mptcpv_experimental_data,
         {"Experimental data", "mptcpv.experimental.data", FT_BYTES, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_mptcpv_unknown_data,
         {"Unknown subtype data", "mptcpv.unknown.data", FT_BYTES, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
    };
    static gint *ett[] = {&ett_mptcpv_option, &ett_mptcpv_mpc_flags, &ett_mptcpv_dss_flags};
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
}
