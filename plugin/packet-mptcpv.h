/* Interfaces between the files of the mptcpv plugin (not installed, not core API). */
#ifndef PACKET_MPTCPV_H
#define PACKET_MPTCPV_H

#include <epan/packet.h>

#include "mptcpv/option.h"

void proto_register_mptcpv(void);
void proto_reg_handoff_mptcpv(void);

/* packet-mptcpv-options.c: the per-option fields and subtrees. */
void mptcpv_options_register_fields(int proto);

/*
 * Add one subtree per kind-30 option of |options| under |tree|. |block_offset| is where the
 * TCP options block starts in |tvb|, so each item highlights the option's own bytes.
 * |subtrees| (MPTCPV_MAX_OPTIONS entries) receives each option's subtree, for the findings.
 */
void mptcpv_options_add_items(proto_tree *tree, tvbuff_t *tvb, int block_offset,
                              const mptcpv_options *options, proto_tree **subtrees);

#endif /* PACKET_MPTCPV_H */
