/* Interfaces between the files of the mptcpv plugin (not installed, not core API). */
#ifndef PACKET_MPTCPV_H
#define PACKET_MPTCPV_H

#include <epan/packet.h>

#include "ws-compat.h"

#include "mptcpv/option.h"
#include "mptcpv/tracker.h"

void proto_register_mptcpv(void);
void proto_reg_handoff_mptcpv(void);

/* Forget everything, as a new epan session would (its init routine): for fuzz/fuzz_plugin.c,
 * which dissects many inputs in one session because a new one costs 100 ms in 4.0. The
 * memory of the old state goes when the session ends. */
void mptcpv_new_capture(void);

/*
 * What one frame's tree gets, decided once per frame (the same on every pass).
 * |visible|: the tree is shown (GUI packet details, tshark -V; not tshark 4.0's -T fields
 * when its -e fields are known, packet-mptcpv-printed.c).
 * Otherwise an item is only worth adding when something asks for its field.
 * |lean|: a visible tree of an ordinary data frame (only DSS options, nothing opened, ended,
 * keyed or found): items that repeat what the frame's labels already say (the connection's
 * constants, option length and subtype, DSS flag bits) are left out unless asked for.
 * Preference mptcpv.lean_tree; docs/fields.md lists the items.
 */
typedef struct mptcpv_view {
    gboolean visible;
    gboolean lean;
} mptcpv_view;

/* packet-mptcpv-printed.c: the mptcpv fields a tshark 4.0/4.2 -T fields run prints, one bit
 * per field id (NULL: not such a run, or the preference is off; then the tree is full). */
extern const guint8 *mptcpv_printed_fields;
extern guint mptcpv_printed_field_ids;
/* Read the command line once; |enabled| is preference mptcpv.fields_from_command_line. */
void mptcpv_printed_fields_init(gboolean enabled);

/* A display filter, column, -e field or tap filter of this dissection references |hf|
 * (Wireshark primes them before each dissection and clears them after; before 4.4 the -e
 * fields come from the command line instead). */
static inline gboolean mptcpv_field_asked(int hf)
{
    if (proto_registrar_get_nth((guint)hf)->ref_type != HF_REF_TYPE_NONE)
        return TRUE;
#if !MPTCPV_WS_PRIMES_PRINTED_FIELDS
    if (mptcpv_printed_fields != NULL && (guint)hf < mptcpv_printed_field_ids &&
        (mptcpv_printed_fields[(guint)hf / 8] & (1u << ((guint)hf % 8))) != 0)
        return TRUE;
#endif
    return FALSE;
}

/* Whether to add an item of |hf|. */
static inline gboolean mptcpv_show(const mptcpv_view *view, int hf)
{
    return view->visible || mptcpv_field_asked(hf);
}

/* Whether to add an item of |hf| that repeats a label of the frame. */
static inline gboolean mptcpv_show_repeat(const mptcpv_view *view, int hf)
{
    return (view->visible && !view->lean) || mptcpv_field_asked(hf);
}

/* packet-mptcpv-options.c: the per-option fields and subtrees. */
void mptcpv_options_register_fields(int proto);

/*
 * Add one subtree per kind-30 option of |options| under |tree|. |block_offset| is where the
 * TCP options block starts in |tvb|, so each item highlights the option's own bytes.
 * |subtrees| (MPTCPV_MAX_OPTIONS entries) receives each option's subtree, for the findings.
 */
void mptcpv_options_add_items(proto_tree *tree, const mptcpv_view *view, tvbuff_t *tvb,
                              int block_offset, const mptcpv_options *options,
                              proto_tree **subtrees);

/* packet-mptcpv-data.c: data-level fields. |data| may be NULL; |reinjected_in| 0 if none. */
void mptcpv_data_register_fields(int proto);
void mptcpv_data_add_items(proto_tree *tree, const mptcpv_view *view, tvbuff_t *tvb,
                           const mptcpv_data_result *data, guint32 reinjected_in);

/* packet-mptcpv-conn.c: connection linking and verification results. */
void mptcpv_link_register_fields(int proto);

/* Connection/subflow fields and the one-line summary, for a frame of a linked subflow.
 * |facts| may be NULL (frame without MPTCP options); |show_keys|: also the keys and IDSNs. */
void mptcpv_link_add_items(proto_tree *tree, const mptcpv_view *view, proto_item *top,
                           tvbuff_t *tvb, guint32 connection, guint32 subflow,
                           guint32 subflow_count, gboolean initial, gboolean backup,
                           gboolean from_client, mptcpv_version version,
                           const mptcpv_conn_facts *facts, gboolean show_keys);

/* The connection events of a frame (mptcpv.event) and whether it establishes its subflow. */
void mptcpv_events_add_items(proto_tree *tree, tvbuff_t *tvb, guint8 events, gboolean established);

/* Per-frame verification results that belong to one option's subtree. */
typedef struct mptcpv_verdicts {
    mptcpv_token_status join_token;
    mptcpv_verdict join_hmac;
    const guint8 *expected_hmac;
    guint8 expected_hmac_len;
    mptcpv_verdict add_addr_hmac;
    guint64 expected_add_addr_hmac;
    guint32 add_addr_echo_of;
    mptcpv_verdict fastclose_key;
    const guint32 *removed_subflows;
    guint8 removed_count;
    mptcpv_version version;
} mptcpv_verdicts;

/* Add |verdicts| and key-derived values under the subtrees of the options they concern. */
void mptcpv_options_add_verdicts(tvbuff_t *tvb, const mptcpv_options *options,
                                 proto_tree **subtrees, const mptcpv_verdicts *verdicts);

/*
 * The "mptcpv" tap: one mptcpv_tap_info per analysed frame (packet-mptcpv.c queues it, on
 * every pass, from what the first pass recorded). Valid only during the tap callback.
 */
#define MPTCPV_TAP_NAME "mptcpv"

typedef struct mptcpv_tap_info {
    guint32 frame;
    gboolean linked; /* the frame belongs to an MPTCP connection; the next fields are set */
    guint32 connection;
    guint32 subflow;
    gboolean initial;
    gboolean backup;
    gboolean from_client;
    gboolean established; /* this frame completes its subflow's handshake */
    guint8 events;        /* 1 << mptcpv_event */
    mptcpv_version version;
    guint8 tcp_flags;
    mptcpv_endpoint src;
    mptcpv_endpoint dst;
    guint32 payload_len;   /* TCP payload length */
    const guint8 *payload; /* its captured bytes (payload_captured of them), or NULL */
    guint32 payload_captured;
    const mptcpv_data_result *data; /* data level, or NULL */
    const mptcpv_options *options;  /* decoded MPTCP options of the frame */
    const mptcpv_finding *findings; /* findings shown on the frame */
    guint finding_count;
} mptcpv_tap_info;

/* The MPTCP connection of an analysed frame (any pass after the frame's first). */
gboolean mptcpv_frame_connection(packet_info *pinfo, guint32 *connection);

/* packet-mptcpv-stats.c: -z mptcpv,conns and -z mptcpv,subflows (and the GUI tables). */
void mptcpv_stats_register(void);

/* packet-mptcpv-follow.c: -z follow,mptcpv,... (the data-level byte stream). */
void mptcpv_follow_register(int proto);

#endif /* PACKET_MPTCPV_H */
