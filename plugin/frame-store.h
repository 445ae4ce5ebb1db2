/*
 * Fixed-size records by (frame, layer), for what the first pass found about a frame. A
 * record per frame of a long capture is most of what mptcpv keeps, so this is p_add_proto_data
 * without its per-frame cost (a proto_data_t, a list node and an allocator header per frame,
 * ~60 bytes): records sit in large blocks in the order the first pass adds them, and a
 * lookup is a binary search (Wireshark's first pass is in frame order). GLib only
 * (unit-tested on its own).
 */
#ifndef MPTCPV_FRAME_STORE_H
#define MPTCPV_FRAME_STORE_H

#include <glib.h>

typedef struct mptcpv_frame_store mptcpv_frame_store;

/* An empty store of records of |record_size| bytes. */
mptcpv_frame_store *mptcpv_frame_store_new(gsize record_size);

/* Frees the store and its records (not what they point to). NULL is ignored. */
void mptcpv_frame_store_free(mptcpv_frame_store *store);

/* A new zeroed record for (|frame|, |layer|), valid until the store is freed; NULL if that
 * key has one already. Keys added out of order (not expected, but possible) cost a hash
 * table entry each. */
gpointer mptcpv_frame_store_add(mptcpv_frame_store *store, guint32 frame, guint32 layer);

/* The record of (|frame|, |layer|), or NULL. */
gpointer mptcpv_frame_store_find(const mptcpv_frame_store *store, guint32 frame, guint32 layer);

/* Records in the store. */
gsize mptcpv_frame_store_count(const mptcpv_frame_store *store);

#endif /* MPTCPV_FRAME_STORE_H */
