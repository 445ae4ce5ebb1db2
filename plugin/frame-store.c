/*
 * Records in blocks of BLOCK_SLOTS slots, each slot a 64-bit key (frame << 32 | layer) and
 * the record (8-byte aligned). Keys added in increasing order go to the end of the last
 * block, so all slots are one sorted run: one binary search finds a key. Blocks never move,
 * so records keep their address.
 */
#include "frame-store.h"

#include <string.h>

#define BLOCK_SLOTS 1024

struct mptcpv_frame_store {
    gsize record_size;
    gsize slot_size; /* key and record, 8-byte aligned */
    GPtrArray *blocks;
    gsize count; /* in blocks; the last block holds count - (blocks->len - 1) * BLOCK_SLOTS */
    guint64 last_key;
    GHashTable *out_of_order; /* guint64 key -> record, both g_malloc'd */
};

static guint64 make_key(guint32 frame, guint32 layer)
{
    return ((guint64)frame << 32) | layer;
}

static guint8 *slot_at(const mptcpv_frame_store *store, gsize index)
{
    guint8 *block = g_ptr_array_index(store->blocks, index / BLOCK_SLOTS);
    return block + (index % BLOCK_SLOTS) * store->slot_size;
}

static guint64 key_at(const mptcpv_frame_store *store, gsize index)
{
    guint64 key;
    memcpy(&key, slot_at(store, index), sizeof(key));
    return key;
}

mptcpv_frame_store *mptcpv_frame_store_new(gsize record_size)
{
    mptcpv_frame_store *store = g_new0(mptcpv_frame_store, 1);
    store->record_size = record_size;
    store->slot_size = (sizeof(guint64) + record_size + 7) & ~(gsize)7;
    store->blocks = g_ptr_array_new_with_free_func(g_free);
    return store;
}

void mptcpv_frame_store_free(mptcpv_frame_store *store)
{
    if (store == NULL)
        return;
    g_ptr_array_free(store->blocks, TRUE);
    if (store->out_of_order != NULL)
        g_hash_table_destroy(store->out_of_order);
    g_free(store);
}

gpointer mptcpv_frame_store_add(mptcpv_frame_store *store, guint32 frame, guint32 layer)
{
    guint64 key = make_key(frame, layer);
    if (store->count > 0 && key <= store->last_key) {
        if (mptcpv_frame_store_find(store, frame, layer) != NULL)
            return NULL;
        if (store->out_of_order == NULL)
            store->out_of_order =
                g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
        gpointer record = g_malloc0(store->record_size);
        g_hash_table_insert(store->out_of_order, g_memdup2(&key, sizeof(key)), record);
        return record;
    }
    if (store->count == (gsize)store->blocks->len * BLOCK_SLOTS)
        g_ptr_array_add(store->blocks, g_malloc(BLOCK_SLOTS * store->slot_size));
    guint8 *slot = slot_at(store, store->count);
    memcpy(slot, &key, sizeof(key));
    memset(slot + sizeof(key), 0, store->slot_size - sizeof(key));
    store->count++;
    store->last_key = key;
    return slot + sizeof(key);
}

gpointer mptcpv_frame_store_find(const mptcpv_frame_store *store, guint32 frame, guint32 layer)
{
    guint64 key = make_key(frame, layer);
    if (store->count > 0 && key <= store->last_key) {
        /* The first slot whose key is >= |key|; all blocks are one sorted run. */
        gsize lo = 0, hi = store->count;
        while (lo < hi) {
            gsize mid = lo + (hi - lo) / 2;
            if (key_at(store, mid) < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (key_at(store, lo) == key)
            return slot_at(store, lo) + sizeof(key);
    }
    if (store->out_of_order != NULL)
        return g_hash_table_lookup(store->out_of_order, &key);
    return NULL;
}

gsize mptcpv_frame_store_count(const mptcpv_frame_store *store)
{
    return store->count +
           (store->out_of_order != NULL ? g_hash_table_size(store->out_of_order) : 0);
}
