/*
 * The plugin's per-frame record store (plugin/frame-store.c): what is added is found again,
 * at a stable address, across block boundaries; what was not added is not found.
 */
#include <check.h>
#include <string.h>

#include "frame-store.h"

/* An odd size: slots are padded to 8 bytes, records must still not overlap. */
typedef struct record {
    guint64 value;
    guint8 tag[5];
} record;

static void fill(record *r, guint32 frame, guint32 layer)
{
    r->value = ((guint64)frame << 8) ^ layer ^ 0xa5a5a5a5a5a5a5a5ULL;
    memset(r->tag, (int)(frame + layer), sizeof(r->tag));
}

static void check_record(const record *r, guint32 frame, guint32 layer)
{
    record want;
    memset(&want, 0, sizeof(want)); /* padding as in a new record */
    fill(&want, frame, layer);
    ck_assert_msg(r != NULL, "frame %u layer %u not found", frame, layer);
    ck_assert_msg(memcmp(r, &want, sizeof(want)) == 0, "frame %u layer %u changed", frame, layer);
}

START_TEST(test_empty)
{
    mptcpv_frame_store *store = mptcpv_frame_store_new(sizeof(record));
    ck_assert_ptr_null(mptcpv_frame_store_find(store, 1, 0));
    ck_assert_ptr_null(mptcpv_frame_store_find(store, 0, 0));
    ck_assert_uint_eq(mptcpv_frame_store_count(store), 0);
    mptcpv_frame_store_free(store);
    mptcpv_frame_store_free(NULL);
}
END_TEST

START_TEST(test_in_order_across_blocks)
{
    /* Every third frame, some with two layers (a tunnel): several blocks of 1024 slots. */
    enum { FRAMES = 10000 };
    mptcpv_frame_store *store = mptcpv_frame_store_new(sizeof(record));
    record **added = g_new0(record *, 2 * FRAMES);
    gsize n = 0;
    for (guint32 frame = 1; frame <= FRAMES; frame += 3) {
        for (guint32 layer = 3; layer <= (frame % 7 == 0 ? 7u : 3u); layer += 4) {
            record *r = mptcpv_frame_store_add(store, frame, layer);
            ck_assert_ptr_nonnull(r);
            ck_assert_uint_eq(r->value, 0); /* zeroed */
            fill(r, frame, layer);
            added[n++] = r;
        }
    }
    ck_assert_uint_eq(mptcpv_frame_store_count(store), n);
    gsize i = 0;
    for (guint32 frame = 1; frame <= FRAMES + 2; frame++) {
        for (guint32 layer = 0; layer <= 8; layer++) {
            record *r = mptcpv_frame_store_find(store, frame, layer);
            gboolean was_added =
                frame % 3 == 1 && frame <= FRAMES && (layer == 3 || (layer == 7 && frame % 7 == 0));
            if (!was_added) {
                ck_assert_msg(r == NULL, "frame %u layer %u found, never added", frame, layer);
                continue;
            }
            check_record(r, frame, layer);
            ck_assert_ptr_eq(r, added[i]); /* where it was added: blocks never move */
            i++;
        }
    }
    ck_assert_uint_eq(i, n);
    /* A key already there is not added again. */
    ck_assert_ptr_null(mptcpv_frame_store_add(store, 1, 3));
    ck_assert_ptr_null(mptcpv_frame_store_add(store, FRAMES - 3, 3));
    g_free(added);
    mptcpv_frame_store_free(store);
}
END_TEST

START_TEST(test_out_of_order)
{
    mptcpv_frame_store *store = mptcpv_frame_store_new(sizeof(record));
    fill(mptcpv_frame_store_add(store, 10, 1), 10, 1);
    fill(mptcpv_frame_store_add(store, 20, 1), 20, 1);
    /* Earlier keys than the last one: still stored and found. */
    record *late = mptcpv_frame_store_add(store, 15, 1);
    ck_assert_ptr_nonnull(late);
    fill(late, 15, 1);
    fill(mptcpv_frame_store_add(store, 10, 0), 10, 0);
    ck_assert_ptr_null(mptcpv_frame_store_add(store, 15, 1));
    ck_assert_ptr_null(mptcpv_frame_store_add(store, 20, 1));
    fill(mptcpv_frame_store_add(store, 30, 1), 30, 1);
    check_record(mptcpv_frame_store_find(store, 10, 0), 10, 0);
    check_record(mptcpv_frame_store_find(store, 10, 1), 10, 1);
    check_record(mptcpv_frame_store_find(store, 15, 1), 15, 1);
    check_record(mptcpv_frame_store_find(store, 20, 1), 20, 1);
    check_record(mptcpv_frame_store_find(store, 30, 1), 30, 1);
    ck_assert_ptr_null(mptcpv_frame_store_find(store, 15, 0));
    ck_assert_ptr_null(mptcpv_frame_store_find(store, 25, 1));
    ck_assert_uint_eq(mptcpv_frame_store_count(store), 5);
    mptcpv_frame_store_free(store);
}
END_TEST

START_TEST(test_extreme_keys)
{
    mptcpv_frame_store *store = mptcpv_frame_store_new(sizeof(record));
    fill(mptcpv_frame_store_add(store, 0, 0), 0, 0);
    fill(mptcpv_frame_store_add(store, G_MAXUINT32, G_MAXUINT32), G_MAXUINT32, G_MAXUINT32);
    check_record(mptcpv_frame_store_find(store, 0, 0), 0, 0);
    check_record(mptcpv_frame_store_find(store, G_MAXUINT32, G_MAXUINT32), G_MAXUINT32,
                 G_MAXUINT32);
    ck_assert_ptr_null(mptcpv_frame_store_find(store, G_MAXUINT32, 0));
    ck_assert_ptr_null(mptcpv_frame_store_find(store, 0, G_MAXUINT32));
    mptcpv_frame_store_free(store);
}
END_TEST

Suite *frame_store_suite(void);

Suite *frame_store_suite(void)
{
    Suite *s = suite_create("frame_store");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_in_order_across_blocks);
    tcase_add_test(tc, test_out_of_order);
    tcase_add_test(tc, test_extreme_keys);
    suite_add_tcase(s, tc);
    return s;
}
