/*
 * mptcpv connection fields: which MPTCP connection and subflow a frame belongs to, the
 * connection's keys and what they derive (RFC 8684 3.1), and the verdicts of the checks the
 * keys allow (MP_JOIN and ADD_ADDR HMACs, MP_FASTCLOSE key). Values come from the core's
 * tracker (core/include/mptcpv/tracker.h); this file only places them in the tree.
 */
#include <wireshark.h>

#include <epan/packet.h>

#include "mptcpv/crypto.h"
#include "packet-mptcpv.h"

static int hf_mptcpv_connection = -1;
static int hf_mptcpv_subflow = -1;
static int hf_mptcpv_summary = -1;
static int hf_mptcpv_subflow_initial = -1;
static int hf_mptcpv_subflow_established = -1;
static int hf_mptcpv_event = -1;
static int hf_mptcpv_subflow_backup = -1;
static int hf_mptcpv_from_client = -1;
static int hf_mptcpv_conn = -1;
static int hf_mptcpv_conn_checksum = -1;
static int hf_mptcpv_conn_client_key = -1;
static int hf_mptcpv_conn_server_key = -1;
static int hf_mptcpv_conn_client_token = -1;
static int hf_mptcpv_conn_server_token = -1;
static int hf_mptcpv_conn_client_idsn = -1;
static int hf_mptcpv_conn_server_idsn = -1;

static int hf_mptcpv_mpc_sender_token = -1;
static int hf_mptcpv_mpc_sender_idsn = -1;
static int hf_mptcpv_mpc_receiver_token = -1;
static int hf_mptcpv_mpc_receiver_idsn = -1;
static int hf_mptcpv_join_token_status = -1;
static int hf_mptcpv_join_hmac_status = -1;
static int hf_mptcpv_join_expected_trunc_hmac = -1;
static int hf_mptcpv_join_expected_hmac = -1;
static int hf_mptcpv_add_addr_hmac_status = -1;
static int hf_mptcpv_add_addr_expected_hmac = -1;
static int hf_mptcpv_add_addr_echo_of = -1;
static int hf_mptcpv_fastclose_key_status = -1;
static int hf_mptcpv_remove_addr_subflow = -1;

static gint ett_mptcpv_connection = -1;

/* From the core's name tables. */
static const value_string verdict_vals[] = {
/* X-macro rows: clang-format 14 would indent the terminator as a continuation. */
/* clang-format off */
#define VERDICT_VS(e, name) {MPTCPV_VERDICT_##e, name},
    MPTCPV_VERDICTS(VERDICT_VS)
#undef VERDICT_VS
    {0, NULL},
    /* clang-format on */
};

static const value_string token_status_vals[] = {
/* X-macro rows: clang-format 14 would indent the terminator as a continuation. */
/* clang-format off */
#define TOKEN_VS(e, name) {MPTCPV_TOKEN_##e, name},
    MPTCPV_TOKEN_STATUSES(TOKEN_VS)
#undef TOKEN_VS
    {0, NULL},
    /* clang-format on */
};

static proto_item *add_generated_uint(proto_tree *t, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item *pi = proto_tree_add_uint(t, hf, tvb, 0, 0, value);
    proto_item_set_generated(pi);
    return pi;
}

static proto_item *add_generated_uint64(proto_tree *t, int hf, tvbuff_t *tvb, guint64 value)
{
    proto_item *pi = proto_tree_add_uint64(t, hf, tvb, 0, 0, value);
    proto_item_set_generated(pi);
    return pi;
}

static void add_generated_bool(proto_tree *t, int hf, tvbuff_t *tvb, gboolean value)
{
    proto_item *pi = proto_tree_add_boolean(t, hf, tvb, 0, 0, value ? 1u : 0u);
    proto_item_set_generated(pi);
}

/* A fixed buffer filled without printf (always NUL-terminated, cut when full). */
typedef struct summary_text {
    char *buf;
    size_t size;
    size_t len;
} summary_text;

static void summary_put(summary_text *t, const char *str)
{
    size_t n = strlen(str);
    if (n > t->size - 1 - t->len)
        n = t->size - 1 - t->len;
    memcpy(t->buf + t->len, str, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void summary_put_uint(summary_text *t, guint32 value)
{
    char digits[11];
    size_t n = sizeof(digits) - 1;
    digits[n] = '\0';
    do {
        digits[--n] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    summary_put(t, digits + n);
}

void mptcpv_events_add_items(proto_tree *tree, tvbuff_t *tvb, guint8 events, gboolean established)
{
    if (established)
        add_generated_bool(tree, hf_mptcpv_subflow_established, tvb, TRUE);
    for (int e = 0; e < MPTCPV_EVENT_COUNT; e++) {
        if (events & (1u << e)) {
            proto_item *pi = proto_tree_add_string(tree, hf_mptcpv_event, tvb, 0, 0,
                                                   mptcpv_event_name((mptcpv_event)e));
            proto_item_set_generated(pi);
        }
    }
}

static void add_summary(proto_tree *tree, const mptcpv_view *view, proto_item *top, tvbuff_t *tvb,
                        guint32 connection, guint32 subflow, guint32 subflow_count,
                        gboolean initial, gboolean backup, mptcpv_version version,
                        const mptcpv_conn_facts *facts)
{
    /* A visible tree always labels the protocol item with it; the mptcpv.summary item
     * repeats that label. Built without printf: it runs for every frame of a visible tree
     * (tshark 4.0 -T fields builds one). */
    gboolean item = mptcpv_show_repeat(view, hf_mptcpv_summary);
    if (!view->visible && !item)
        return;
    const char *csum = "checksum unknown";
    if (facts != NULL && facts->checksum_known)
        csum = facts->checksum ? "checksum on" : "checksum off";
    const char *vtext = version == MPTCPV_VERSION_0   ? "v0"
                        : version == MPTCPV_VERSION_1 ? "v1"
                                                      : "v?";
    char buf[160];
    summary_text text = {buf, sizeof(buf), 0};
    summary_put(&text, "connection ");
    summary_put_uint(&text, connection);
    summary_put(&text, ", subflow ");
    summary_put_uint(&text, subflow);
    summary_put(&text, " of ");
    summary_put_uint(&text, subflow_count);
    summary_put(&text, initial ? " (initial, " : " (joined, ");
    summary_put(&text, backup ? "backup), " : "regular), ");
    summary_put(&text, vtext);
    if (facts != NULL) {
        summary_put(&text, ", ");
        summary_put(&text, csum);
    }
    if (item) {
        proto_item *pi = proto_tree_add_string(tree, hf_mptcpv_summary, tvb, 0, 0, buf);
        proto_item_set_generated(pi);
    }
    if (view->visible)
        proto_item_append_text(top, ": %s", buf);
}

/* The connection's facts as known after this frame. Tokens name the connection (filter by
 * token); keys and IDSNs only where options carry or use them (|show_keys|). */
static void add_facts(proto_tree *tree, const mptcpv_view *view, tvbuff_t *tvb,
                      const mptcpv_conn_facts *facts, gboolean show_keys)
{
    gboolean csum = facts->checksum_known && mptcpv_show_repeat(view, hf_mptcpv_conn_checksum);
    gboolean client = facts->has_client_key;
    gboolean server = facts->has_server_key;
    gboolean client_key = client && show_keys && mptcpv_show(view, hf_mptcpv_conn_client_key);
    gboolean client_token = client && mptcpv_show_repeat(view, hf_mptcpv_conn_client_token);
    gboolean client_idsn = client && show_keys && mptcpv_show(view, hf_mptcpv_conn_client_idsn);
    gboolean server_key = server && show_keys && mptcpv_show(view, hf_mptcpv_conn_server_key);
    gboolean server_token = server && mptcpv_show_repeat(view, hf_mptcpv_conn_server_token);
    gboolean server_idsn = server && show_keys && mptcpv_show(view, hf_mptcpv_conn_server_idsn);
    gboolean any = csum || client_key || client_token || client_idsn || server_key ||
                   server_token || server_idsn;
    if (!any && !mptcpv_show_repeat(view, hf_mptcpv_conn))
        return;
    proto_item *ci = proto_tree_add_item(tree, hf_mptcpv_conn, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(ci);
    proto_tree *ct = proto_item_add_subtree(ci, ett_mptcpv_connection);
    if (csum)
        add_generated_bool(ct, hf_mptcpv_conn_checksum, tvb, facts->checksum);
    if (client_key)
        add_generated_uint64(ct, hf_mptcpv_conn_client_key, tvb, facts->client_key);
    if (client_token)
        add_generated_uint(ct, hf_mptcpv_conn_client_token, tvb, facts->client_token);
    if (client_idsn)
        add_generated_uint64(ct, hf_mptcpv_conn_client_idsn, tvb, facts->client_idsn);
    if (server_key)
        add_generated_uint64(ct, hf_mptcpv_conn_server_key, tvb, facts->server_key);
    if (server_token)
        add_generated_uint(ct, hf_mptcpv_conn_server_token, tvb, facts->server_token);
    if (server_idsn)
        add_generated_uint64(ct, hf_mptcpv_conn_server_idsn, tvb, facts->server_idsn);
}

void mptcpv_link_add_items(proto_tree *tree, const mptcpv_view *view, proto_item *top,
                           tvbuff_t *tvb, guint32 connection, guint32 subflow,
                           guint32 subflow_count, gboolean initial, gboolean backup,
                           gboolean from_client, mptcpv_version version,
                           const mptcpv_conn_facts *facts, gboolean show_keys)
{
    add_summary(tree, view, top, tvb, connection, subflow, subflow_count, initial, backup, version,
                facts);
    if (mptcpv_show(view, hf_mptcpv_connection))
        add_generated_uint(tree, hf_mptcpv_connection, tvb, connection);
    if (mptcpv_show(view, hf_mptcpv_subflow))
        add_generated_uint(tree, hf_mptcpv_subflow, tvb, subflow);
    if (mptcpv_show_repeat(view, hf_mptcpv_subflow_initial))
        add_generated_bool(tree, hf_mptcpv_subflow_initial, tvb, initial);
    if (mptcpv_show_repeat(view, hf_mptcpv_subflow_backup))
        add_generated_bool(tree, hf_mptcpv_subflow_backup, tvb, backup);
    if (mptcpv_show(view, hf_mptcpv_from_client))
        add_generated_bool(tree, hf_mptcpv_from_client, tvb, from_client);
    if (facts != NULL)
        add_facts(tree, view, tvb, facts, show_keys);
}

static void add_key_derived(proto_tree *t, tvbuff_t *tvb, mptcpv_version version,
                            const mptcpv_mp_capable *mpc)
{
    /* The option's own version picks the hash, as a receiver would. */
    mptcpv_version v = mpc->version == 0 ? MPTCPV_VERSION_0 : MPTCPV_VERSION_1;
    if (version != MPTCPV_VERSION_UNKNOWN)
        v = version;
    guint32 token;
    guint64 idsn;
    if (mpc->has_sender_key) {
        mptcpv_key_derive(v, mpc->sender_key, &token, &idsn);
        add_generated_uint(t, hf_mptcpv_mpc_sender_token, tvb, token);
        add_generated_uint64(t, hf_mptcpv_mpc_sender_idsn, tvb, idsn);
    }
    if (mpc->has_receiver_key) {
        mptcpv_key_derive(v, mpc->receiver_key, &token, &idsn);
        add_generated_uint(t, hf_mptcpv_mpc_receiver_token, tvb, token);
        add_generated_uint64(t, hf_mptcpv_mpc_receiver_idsn, tvb, idsn);
    }
}

static void add_join_verdicts(proto_tree *t, tvbuff_t *tvb, const mptcpv_verdicts *v)
{
    if (v->join_token != MPTCPV_TOKEN_NONE)
        add_generated_uint(t, hf_mptcpv_join_token_status, tvb, v->join_token);
    if (v->join_hmac == MPTCPV_VERDICT_NONE)
        return;
    add_generated_uint(t, hf_mptcpv_join_hmac_status, tvb, v->join_hmac);
    if (v->expected_hmac_len == 8) {
        guint64 expected = 0;
        for (int i = 0; i < 8; i++)
            expected = (expected << 8) | v->expected_hmac[i];
        add_generated_uint64(t, hf_mptcpv_join_expected_trunc_hmac, tvb, expected);
    } else if (v->expected_hmac_len > 0) {
        proto_item *pi = proto_tree_add_bytes_with_length(
            t, hf_mptcpv_join_expected_hmac, tvb, 0, 0, v->expected_hmac, v->expected_hmac_len);
        proto_item_set_generated(pi);
    }
}

void mptcpv_options_add_verdicts(tvbuff_t *tvb, const mptcpv_options *options,
                                 proto_tree **subtrees, const mptcpv_verdicts *v)
{
    gboolean join_done = FALSE, add_addr_done = FALSE, fastclose_done = FALSE;
    gboolean remove_done = FALSE;
    for (unsigned i = 0; i < options->count; i++) {
        const mptcpv_option *o = &options->options[i];
        proto_tree *t = subtrees[i];
        if (!o->decoded)
            continue;
        switch (o->subtype) {
        case MPTCPV_MP_CAPABLE:
            add_key_derived(t, tvb, v->version, &o->u.mp_capable);
            break;
        case MPTCPV_MP_JOIN:
            if (!join_done)
                add_join_verdicts(t, tvb, v);
            join_done = TRUE;
            break;
        case MPTCPV_ADD_ADDR:
            if (add_addr_done)
                break;
            add_addr_done = TRUE;
            if (v->add_addr_hmac != MPTCPV_VERDICT_NONE)
                add_generated_uint(t, hf_mptcpv_add_addr_hmac_status, tvb, v->add_addr_hmac);
            if (v->add_addr_hmac == MPTCPV_VERDICT_GOOD || v->add_addr_hmac == MPTCPV_VERDICT_BAD)
                add_generated_uint64(t, hf_mptcpv_add_addr_expected_hmac, tvb,
                                     v->expected_add_addr_hmac);
            if (v->add_addr_echo_of != 0) {
                proto_item *pi = proto_tree_add_uint(t, hf_mptcpv_add_addr_echo_of, tvb, 0, 0,
                                                     v->add_addr_echo_of);
                proto_item_set_generated(pi);
            }
            break;
        case MPTCPV_REMOVE_ADDR:
            if (remove_done)
                break;
            remove_done = TRUE;
            for (unsigned k = 0; k < v->removed_count; k++)
                add_generated_uint(t, hf_mptcpv_remove_addr_subflow, tvb, v->removed_subflows[k]);
            break;
        case MPTCPV_MP_FASTCLOSE:
            if (!fastclose_done && v->fastclose_key != MPTCPV_VERDICT_NONE)
                add_generated_uint(t, hf_mptcpv_fastclose_key_status, tvb, v->fastclose_key);
            fastclose_done = TRUE;
            break;
        default:
            break;
        }
    }
}

void mptcpv_link_register_fields(int proto)
{
    static hf_register_info hf[] = {
        {&hf_mptcpv_connection,
         {"MPTCP connection", "mptcpv.connection", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Index of the MPTCP connection in the capture, 0-based in order of first appearance",
          HFILL}},
        {&hf_mptcpv_subflow,
         {"Subflow", "mptcpv.subflow", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Index of the subflow within its connection; 0 = the initial subflow", HFILL}},
        {&hf_mptcpv_summary,
         {"Summary", "mptcpv.summary", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_subflow_initial,
         {"Initial subflow", "mptcpv.subflow.initial", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Opened by MP_CAPABLE (else by MP_JOIN)", HFILL}},
        {&hf_mptcpv_subflow_established,
         {"Subflow established", "mptcpv.subflow.established", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "This frame completes the subflow's handshake (initial: the first segment after "
          "the SYN/ACK; join: the ACK of the third ACK, RFC 8684 3.2; or the first frame of "
          "a subflow the capture joins late); a subflow without it was only attempted",
          HFILL}},
        {&hf_mptcpv_event,
         {"Connection event", "mptcpv.event", FT_STRING, BASE_NONE, NULL, 0x0,
          "join, add_addr, remove_addr, mp_prio, mp_fail, fastclose, tcprst, data_fin (a "
          "host's first DATA_FIN)",
          HFILL}},
        {&hf_mptcpv_subflow_backup,
         {"Backup subflow", "mptcpv.subflow.backup", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Marked backup by MP_JOIN or MP_PRIO, as of this packet", HFILL}},
        {&hf_mptcpv_from_client,
         {"From client", "mptcpv.from_client", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "Sent by the host that opened the MPTCP connection", HFILL}},
        {&hf_mptcpv_conn,
         {"Connection as known after this packet", "mptcpv.conn", FT_NONE, BASE_NONE, NULL, 0x0,
          "Keys, tokens, IDSNs and checksum negotiation of the connection", HFILL}},
        {&hf_mptcpv_conn_checksum,
         {"DSS checksum negotiated", "mptcpv.conn.checksum", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
          "A flag in the SYN or SYN/ACK (RFC 8684 3.1)", HFILL}},
        {&hf_mptcpv_conn_client_key,
         {"Client key", "mptcpv.conn.client_key", FT_UINT64, BASE_HEX, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_conn_server_key,
         {"Server key", "mptcpv.conn.server_key", FT_UINT64, BASE_HEX, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_conn_client_token,
         {"Client token", "mptcpv.conn.client_token", FT_UINT32, BASE_HEX, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_conn_server_token,
         {"Server token", "mptcpv.conn.server_token", FT_UINT32, BASE_HEX, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_conn_client_idsn,
         {"Client IDSN", "mptcpv.conn.client_idsn", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_conn_server_idsn,
         {"Server IDSN", "mptcpv.conn.server_idsn", FT_UINT64, BASE_DEC, NULL, 0x0, NULL, HFILL}},
        {&hf_mptcpv_mpc_sender_token,
         {"Sender's token", "mptcpv.mpc.sender_token", FT_UINT32, BASE_HEX, NULL, 0x0,
          "Most significant 32 bits of the hash of the sender's key", HFILL}},
        {&hf_mptcpv_mpc_sender_idsn,
         {"Sender's IDSN", "mptcpv.mpc.sender_idsn", FT_UINT64, BASE_DEC, NULL, 0x0,
          "Least significant 64 bits of the hash of the sender's key", HFILL}},
        {&hf_mptcpv_mpc_receiver_token,
         {"Receiver's token", "mptcpv.mpc.receiver_token", FT_UINT32, BASE_HEX, NULL, 0x0, NULL,
          HFILL}},
        {&hf_mptcpv_mpc_receiver_idsn,
         {"Receiver's IDSN", "mptcpv.mpc.receiver_idsn", FT_UINT64, BASE_DEC, NULL, 0x0, NULL,
          HFILL}},
        {&hf_mptcpv_join_token_status,
         {"Token", "mptcpv.join.token_status", FT_UINT8, BASE_DEC, VALS(token_status_vals), 0x0,
          "Whether a connection of the capture has this token", HFILL}},
        {&hf_mptcpv_join_hmac_status,
         {"HMAC", "mptcpv.join.hmac_status", FT_UINT8, BASE_DEC, VALS(verdict_vals), 0x0,
          "SYN/ACK truncated HMAC or third-ACK HMAC verified with the connection's keys", HFILL}},
        {&hf_mptcpv_join_expected_trunc_hmac,
         {"Expected truncated HMAC", "mptcpv.join.expected_trunc_hmac", FT_UINT64, BASE_HEX, NULL,
          0x0, NULL, HFILL}},
        {&hf_mptcpv_join_expected_hmac,
         {"Expected HMAC", "mptcpv.join.expected_hmac", FT_BYTES, BASE_NONE, NULL, 0x0, NULL,
          HFILL}},
        {&hf_mptcpv_add_addr_hmac_status,
         {"HMAC", "mptcpv.add_addr.hmac_status", FT_UINT8, BASE_DEC, VALS(verdict_vals), 0x0, NULL,
          HFILL}},
        {&hf_mptcpv_add_addr_expected_hmac,
         {"Expected HMAC", "mptcpv.add_addr.expected_hmac", FT_UINT64, BASE_HEX, NULL, 0x0, NULL,
          HFILL}},
        {&hf_mptcpv_add_addr_echo_of,
         {"Echo of", "mptcpv.add_addr.echo_of", FT_FRAMENUM, BASE_NONE,
          FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, "Frame of the ADD_ADDR this echo answers",
          HFILL}},
        {&hf_mptcpv_fastclose_key_status,
         {"Key", "mptcpv.fastclose.key_status", FT_UINT8, BASE_DEC, VALS(verdict_vals), 0x0,
          "Whether the key is the receiver's (RFC 8684 3.5)", HFILL}},
        {&hf_mptcpv_remove_addr_subflow,
         {"Removes subflow", "mptcpv.remove_addr.subflow", FT_UINT32, BASE_DEC, NULL, 0x0,
          "Subflow of this connection using a removed address id", HFILL}},
    };
    static gint *ett[] = {&ett_mptcpv_connection};
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
}
