/*
 * The -e fields of a tshark -T fields run on releases whose tshark does not prime them
 * (4.0, 4.2; ws-compat.h): read once from the command line (tshark-argv.h) and kept as one
 * bit per field id, which mptcpv_field_asked() reads. With them the plugin treats the
 * visible tree of such a run like the non-visible one of 4.4: only asked-for items, which
 * is all that run prints. Preference mptcpv.fields_from_command_line.
 */
#include <string.h>

#include <wireshark.h>

#include <epan/proto.h>
#include <wsutil/wslog.h>

#include "packet-mptcpv.h"
#include "tshark-argv.h"

/* Longer command lines are not read (the full tree is built): 64 KiB holds ~2,000 -e. */
#define COMMAND_LINE_LIMIT (64 * 1024)

const guint8 *mptcpv_printed_fields;
guint mptcpv_printed_field_ids;

#if !MPTCPV_WS_PRIMES_PRINTED_FIELDS
static gboolean command_line_read;
static guint8 *printed_bits;
static guint printed_ids;

/* The bit set of |names| over ids below *|ids|, NULL if one of them needs the full tree. */
static guint8 *printed_set(const GPtrArray *names, guint *ids)
{
    GArray *hfs = g_array_new(FALSE, FALSE, sizeof(guint));
    guint8 *bits = NULL;
    *ids = 0;
    for (guint i = 0; i < names->len; i++) {
        const char *name = (const char *)g_ptr_array_index(names, i);
        if (strncmp(name, "mptcpv", 6) != 0 || (name[6] != '\0' && name[6] != '.'))
            continue; /* another protocol's field: not mptcpv's business */
        int hf = proto_registrar_get_id_byname(name);
        /* "mptcpv" itself prints the protocol item's label, which only a visible tree gets;
         * an unknown name is for tshark to reject. */
        if (name[6] == '\0' || hf < 0)
            goto full_tree;
        guint id = (guint)hf;
        g_array_append_val(hfs, id);
        *ids = MAX(*ids, id + 1);
    }
    bits = g_malloc0(*ids / 8 + 1);
    for (guint i = 0; i < hfs->len; i++) {
        guint id = g_array_index(hfs, guint, i);
        bits[id / 8] |= (guint8)(1u << (id % 8));
    }
full_tree:
    g_array_free(hfs, TRUE);
    return bits;
}

#endif

void mptcpv_printed_fields_init(gboolean enabled)
{
#if MPTCPV_WS_PRIMES_PRINTED_FIELDS
    (void)enabled;
#else
    if (!command_line_read) {
        command_line_read = TRUE;
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        if (mptcpv_tshark_printed_fields_of_process(names, COMMAND_LINE_LIMIT))
            printed_bits = printed_set(names, &printed_ids);
        g_ptr_array_free(names, TRUE);
    }
    mptcpv_printed_fields = enabled ? printed_bits : NULL;
    mptcpv_printed_field_ids = printed_ids;
    /* What was decided, for users wondering and for the tests (--log-domains=mptcpv). */
    ws_log("mptcpv", LOG_LEVEL_DEBUG, "-T fields from the command line: %s",
           mptcpv_printed_fields != NULL ? "only the printed mptcpv fields" : "full trees");
#endif
}
