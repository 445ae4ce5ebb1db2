/*
 * libFuzzer target: the mptcpv plugin inside libwireshark, one small capture per input.
 *
 * Input: frames, each [length, 2 bytes big-endian][bytes], dissected in order as raw IPv4 or
 * IPv6 ("raw_ip", WTAP_ENCAP_RAW_IP) in one epan session, so that the tracker's subflows and
 * connections build up across frames. Bit 15 of the length marks a frame cut by the snapshot
 * length (its reported length is then larger than what was captured); the low 15 bits are
 * the captured length. Bytes left after the last whole frame seed the order of pass 2.
 *
 * Every frame is dissected with a visible tree, an Info column and the plugin's taps
 * listening (-z mptcpv,conns, -z mptcpv,subflows, follow). Pass 1 is the analysis; pass 2
 * redisplays the frames in an order chosen by the input. What each pass shows under the
 * mptcpv protocol item (every field's name, position, flags and label, expert infos
 * included) is kept as a digest per frame, and the process aborts when pass 2 shows
 * something else than pass 1. mptcpv.reinjected_in, which pass 1 cannot know yet (a later
 * frame fills it), is checked apart: in pass 2 each mptcpv layer of frame N shows it once,
 * naming the first frame whose pass-1 tree showed mptcpv.reinjection_of N, or not at all if
 * no frame did. (A third pass in another order used to check it only against pass 2.)
 * After pass 2 the stat tables and the follow stream are drawn as tshark -z draws them
 * (draw_stat, draw_follow).
 *
 * mptcpv is registered directly (its sources are compiled into this target), not loaded
 * from a plugin folder. Protocols other than the few on the way to TCP are disabled, so the
 * executions go to the plugin and not to Wireshark's payload dissectors, and TCP's own
 * sequence, timestamp and MPTCP analyses are off (set_prefs): mptcpv reads none of them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wireshark.h>

#include <epan/column-info.h>
#include <epan/column.h>
#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/follow.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <epan/tvbuff.h>
#include <wiretap/wtap.h>
#include <wsutil/filesystem.h>
#include <wsutil/privileges.h>
#include <wsutil/wslog.h>

#include "packet-mptcpv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FRAMES 256
#define CUT_FLAG   0x8000u
/* Inputs per epan session (MPTCPV_FUZZ_SESSION_INPUTS overrides). A new session per input
 * would be the plainest, but in Wireshark 4.0 an epan_new + epan_free costs ~85 ms and leaks
 * ~7 MB under ASan. So a session serves this many inputs, and mptcpv starts
 * over at each (mptcpv_new_capture: what its init routine does), with nothing reaching it
 * from an earlier input: its tree depends only on its own state, the frames and the IP
 * addresses, and IP reassembly, which would mix fragments of several inputs, is off. */
#define SESSION_INPUTS 10000

/* Protocols left enabled: the way from a raw IP frame to TCP and mptcpv, ICMP (TCP headers
 * quoted in errors) and the pseudo-protocols every dissection uses. */
static const char *const enabled_protocols[] = {
    "frame", "raw", "ip", "ipv6", "icmp", "icmpv6", "tcp", "mptcpv", "data",
};

struct packet_provider_data {
    const frame_data *frames;
    guint32 count;
};

static const nstime_t *frame_ts(struct packet_provider_data *prov, guint32 frame_num)
{
    if (frame_num == 0 || frame_num > prov->count)
        return NULL;
    return &prov->frames[frame_num - 1].abs_ts;
}

static const struct packet_provider_funcs provider_funcs = {frame_ts, NULL, NULL, NULL};

static column_info cinfo;
static struct packet_provider_data provider;
static epan_t *session;
static guint session_inputs;
static int proto_mptcpv_id = -1;
static int hf_reinjected_in = -1;
static int hf_reinjection_of = -1;

/* The taps a user can open, listening as in tshark -z (connection 0 for follow). */
static stat_data_t conns_tap, subflows_tap;
static follow_info_t *follow;

static void disable_other_protocols(void)
{
    void *cookie = NULL;
    for (int id = proto_get_first_protocol(&cookie); id != -1;
         id = proto_get_next_protocol(&cookie)) {
        const char *name = proto_get_protocol_filter_name(id);
        gboolean keep = g_str_has_prefix(name, "_ws.") || g_str_has_prefix(name, "ipv6.");
        for (size_t i = 0; i < G_N_ELEMENTS(enabled_protocols); i++)
            keep = keep || strcmp(name, enabled_protocols[i]) == 0;
        if (!keep && !proto_is_pino(find_protocol_by_id(id)) && proto_can_toggle_protocol(id))
            proto_set_decoding(id, FALSE);
    }
}

static void listen_stat(stat_data_t *tap, const char *name)
{
    stat_tap_table_ui *ui = stat_tap_by_name(name);
    if (ui == NULL) {
        fprintf(stderr, "fuzz_plugin: no stat tap %s\n", name);
        abort();
    }
    tap->stat_tap_data = ui;
    ui->stat_tap_init_cb(ui);
    GString *err =
        register_tap_listener(ui->tap_name, tap, NULL, 0, NULL, ui->packet_func, NULL, NULL);
    if (err != NULL) {
        fprintf(stderr, "fuzz_plugin: %s: %s\n", name, err->str);
        abort();
    }
}

static void listen_follow(void)
{
    register_follow_t *follower = get_follow_by_name("mptcpv");
    if (follower == NULL) {
        fprintf(stderr, "fuzz_plugin: no mptcpv follower\n");
        abort();
    }
    follow = g_new0(follow_info_t, 1);
    gchar *filter = get_follow_index_func(follower)(0, 0);
    GString *err = register_tap_listener(get_follow_tap_string(follower), follow, filter, 0, NULL,
                                         get_follow_tap_handler(follower), NULL, NULL);
    g_free(filter);
    if (err != NULL) {
        fprintf(stderr, "fuzz_plugin: follow: %s\n", err->str);
        abort();
    }
}

/*
 * Wireshark 4.0's init_dissection, run by every epan_new, reads the manuf (52,000 lines) and
 * services files again into tables it never frees: ~100 ms and ~19 MB per session (under
 * ASan). This target needs neither (no MAC addresses, no port names), so its own
 * get_datafile_path, which libwireshark's calls reach before libwsutil's, names no file for
 * them; every other data file is where libwsutil would look.
 */
char *get_datafile_path(const char *filename)
{
    if (strcmp(filename, "manuf") == 0 || strcmp(filename, "services") == 0)
        return g_strdup("/nonexistent/mptcpv-fuzz/no-such-file");
    return g_build_filename(get_datafile_dir(), filename, NULL);
}

/* No IP reassembly: it would mix fragments of several inputs (SESSION_INPUTS). No TCP
 * analysis (sequence numbers, timestamps, bytes in flight, desegmentation, Wireshark's own
 * MPTCP analysis): mptcpv reads the segment's bytes and pinfo's addresses, frame number and
 * layer, never what TCP analysed, and it costs ~7% of an execution. */
static void set_prefs(void)
{
    static const char *const settings[] = {
        "ip.defragment:FALSE",
        "ipv6.defragment:FALSE",
        "tcp.analyze_sequence_numbers:FALSE",
        "tcp.calculate_timestamps:FALSE",
        "tcp.track_bytes_in_flight:FALSE",
        "tcp.desegment_tcp_streams:FALSE",
        "mptcp.analyze_mptcp:FALSE",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(settings); i++) {
        char *copy = g_strdup(settings[i]), *errmsg = NULL;
        if (prefs_set_pref(copy, &errmsg) != PREFS_SET_OK) {
            fprintf(stderr, "fuzz_plugin: cannot set %s: %s\n", settings[i],
                    errmsg != NULL ? errmsg : "");
            abort();
        }
        g_free(copy);
    }
    prefs_apply_all();
}

/* libwireshark keeps memory for the whole run (and an epan session for many inputs): no leak
 * check, neither after each input (fuzz/run: -detect_leaks=0) nor at exit. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    /* No personal preferences: every machine runs the same dissection. */
    g_setenv("WIRESHARK_CONFIG_DIR", "/nonexistent/mptcpv-fuzz", TRUE);
    g_setenv("XDG_CONFIG_HOME", "/nonexistent/mptcpv-fuzz", TRUE);
    /* Every wmem and GLib slice allocation its own malloc: ASan sees overruns of each, and
     * a session's memory goes back when it ends (wmem's block allocator keeps its blocks). */
    g_setenv("WIRESHARK_DEBUG_WMEM_OVERRIDE", "simple", TRUE);
    g_setenv("G_SLICE", "always-malloc", TRUE);
    g_set_prgname("fuzz_plugin");
    ws_log_init("fuzz_plugin", NULL);
    ws_log_set_level(LOG_LEVEL_CRITICAL);
    init_process_policies();
    char *err = configuration_init((*argv)[0], NULL);
    g_free(err);
    wtap_init(FALSE);

    /* The plugin, registered as Wireshark registers a loaded plugin (plugin.c), before
     * epan_init runs every protocol's registration and handoff. */
    static const proto_plugin mptcpv_plugin = {proto_register_mptcpv, proto_reg_handoff_mptcpv};
    proto_register_plugin(&mptcpv_plugin);
    if (!epan_init(NULL, NULL, FALSE)) {
        fprintf(stderr, "fuzz_plugin: epan_init failed\n");
        abort();
    }
    e_prefs *prefs_p = epan_load_settings();
    disable_other_protocols();
    set_prefs();
    build_column_format_array(&cinfo, prefs_p->num_cols, TRUE);

    proto_mptcpv_id = proto_get_id_by_filter_name("mptcpv");
    header_field_info *hfi = proto_registrar_get_byname("mptcpv.reinjected_in");
    if (proto_mptcpv_id < 0 || hfi == NULL) {
        fprintf(stderr, "fuzz_plugin: mptcpv is not registered\n");
        abort();
    }
    hf_reinjected_in = hfi->id;
    hfi = proto_registrar_get_byname("mptcpv.reinjection_of");
    if (hfi == NULL) {
        fprintf(stderr, "fuzz_plugin: no field mptcpv.reinjection_of\n");
        abort();
    }
    hf_reinjection_of = hfi->id;
    listen_stat(&conns_tap, "mptcpv,conns");
    listen_stat(&subflows_tap, "mptcpv,subflows");
    listen_follow();
    return 0;
}

/* One frame of the input. */
typedef struct frame_in {
    guint8 *bytes; /* a copy of exactly the captured bytes: ASan sees reads past them */
    guint32 caplen;
    gboolean cut;
} frame_in;

static guint split(const uint8_t *data, size_t size, frame_in *frames, size_t *rest)
{
    guint n = 0;
    size_t pos = 0;
    while (n < MAX_FRAMES && pos + 2 <= size) {
        guint32 word = (guint32)data[pos] << 8 | data[pos + 1];
        guint32 len = word & ~CUT_FLAG;
        if (pos + 2 + len > size)
            break;
        frames[n].bytes = g_malloc(len > 0 ? len : 1);
        memcpy(frames[n].bytes, data + pos + 2, len);
        frames[n].caplen = len;
        frames[n].cut = (word & CUT_FLAG) != 0;
        n++;
        pos += 2 + len;
    }
    *rest = pos;
    return n;
}

/*
 * What a pass shows under mptcpv, kept compact: each item as a binary record (depth, field
 * id, start, length, hidden/generated flags, label), compared with memcmp and turned into
 * text only to print a mismatch or MPTCPV_FUZZ_DIGESTS. Building text with printf for every
 * item of every pass cost more than a sixth of an execution under ASan.
 *
 * mptcpv.reinjected_in names a later frame, which pass 1 has not seen yet: it stays out of
 * |items| and is noted per mptcpv layer in |reinjected|, to be checked against what pass 1
 * showed in mptcpv.reinjection_of (kept in |reinjection_of|).
 */
typedef struct digest {
    GByteArray *items;
    guint layers;           /* mptcpv protocol items */
    GArray *reinjected;     /* guint32 pairs: layer, mptcpv.reinjected_in */
    GArray *reinjection_of; /* guint32: every mptcpv.reinjection_of shown */
} digest;

typedef struct item_head {
    guint16 depth;
    guint16 flags; /* 1 hidden, 2 generated */
    gint32 field;
    gint32 start;
    gint32 length;
    guint32 label_len;
} item_head;

static void digest_clear(digest *d)
{
    g_byte_array_set_size(d->items, 0);
    d->layers = 0;
    g_array_set_size(d->reinjected, 0);
    g_array_set_size(d->reinjection_of, 0);
}

static void digest_item(digest *d, field_info *fi, int depth)
{
    char buf[ITEM_LABEL_LENGTH];
    const char *label = buf;
    if (fi->rep != NULL)
        label = fi->rep->representation;
    else
        proto_item_fill_label(fi, buf);
    item_head h = {
        .depth = (guint16)depth,
        .flags = (guint16)((FI_GET_FLAG(fi, FI_HIDDEN) ? 1 : 0) |
                           (FI_GET_FLAG(fi, FI_GENERATED) ? 2 : 0)),
        .field = fi->hfinfo->id,
        .start = fi->start,
        .length = fi->length,
        .label_len = (guint32)strlen(label),
    };
    g_byte_array_append(d->items, (const guint8 *)&h, sizeof(h));
    g_byte_array_append(d->items, (const guint8 *)label, h.label_len);
}

static void digest_subtree(digest *d, proto_node *node, int depth)
{
    for (proto_node *child = node->first_child; child != NULL; child = child->next) {
        field_info *fi = PNODE_FINFO(child);
        if (fi->hfinfo->id == hf_reinjected_in) {
            guint32 pair[2] = {d->layers - 1, fvalue_get_uinteger(&fi->value)};
            g_array_append_vals(d->reinjected, pair, 2);
            continue;
        }
        if (fi->hfinfo->id == hf_reinjection_of) {
            guint32 v = fvalue_get_uinteger(&fi->value);
            g_array_append_val(d->reinjection_of, v);
        }
        digest_item(d, fi, depth);
        digest_subtree(d, child, depth + 1);
    }
}

/* Every mptcpv protocol item of the tree (one per TCP layer), with all below it. */
static void digest_tree(digest *d, proto_node *node)
{
    for (proto_node *child = node->first_child; child != NULL; child = child->next) {
        field_info *fi = PNODE_FINFO(child);
        if (fi != NULL && fi->hfinfo->id == proto_mptcpv_id) {
            d->layers++;
            digest_item(d, fi, 0);
            digest_subtree(d, child, 1);
        } else {
            digest_tree(d, child);
        }
    }
}

/* The digest's items as text, one line each. */
static GString *digest_text(const guint8 *items, guint len)
{
    GString *out = g_string_new(NULL);
    for (guint pos = 0; pos + sizeof(item_head) <= len;) {
        item_head h;
        memcpy(&h, items + pos, sizeof(h));
        pos += sizeof(h);
        g_string_append_printf(out, "%*s%s %d+%d %s%s %.*s\n", h.depth, "",
                               proto_registrar_get_nth((guint)h.field)->abbrev, h.start, h.length,
                               (h.flags & 1) ? "h" : "", (h.flags & 2) ? "g" : "", (int)h.label_len,
                               (const char *)items + pos);
        pos += h.label_len;
    }
    return out;
}

static void dissect(epan_dissect_t *edt, const frame_in *in, frame_data *fd, guint32 num,
                    guint32 *cum_bytes, const frame_data **ref, const frame_data *prev, int pass)
{
    /* Static: the dissection keeps a pointer to it (pinfo->rec) that epan_dissect_reset reads
     * after this returns; on the stack it was dangling there. */
    static wtap_rec rec;
    wtap_rec_init(&rec);
    rec.rec_type = REC_TYPE_PACKET;
    rec.presence_flags = WTAP_HAS_TS | WTAP_HAS_CAP_LEN;
    rec.ts.secs = num;
    rec.ts.nsecs = 0;
    rec.tsprec = WTAP_TSPREC_USEC;
    rec.rec_header.packet_header.caplen = in->caplen;
    rec.rec_header.packet_header.len = in->cut ? 65535 : in->caplen;
    rec.rec_header.packet_header.pkt_encap = WTAP_ENCAP_RAW_IP;
    if (pass == 0) {
        frame_data_init(fd, num, &rec, 0, *cum_bytes);
        nstime_t elapsed;
        nstime_set_zero(&elapsed);
        frame_data_set_before_dissect(fd, &elapsed, ref, prev);
    }
    tvbuff_t *tvb =
        tvb_new_real_data(in->bytes, in->caplen, (gint)rec.rec_header.packet_header.len);
    epan_dissect_run_with_taps(edt, WTAP_FILE_TYPE_SUBTYPE_UNKNOWN, &rec, tvb, fd, &cinfo);
    if (pass == 0)
        frame_data_set_after_dissect(fd, cum_bytes);
    wtap_rec_cleanup(&rec);
}

/* xorshift32, for the order of pass 2. */
static guint32 next_random(guint32 *state)
{
    guint32 x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

static void shuffle(guint32 *order, guint n, guint32 *state)
{
    for (guint i = n; i > 1; i--) {
        guint j = next_random(state) % i;
        guint32 t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

static void mismatch(guint32 num, const char *what, const GByteArray *expected, const digest *got)
{
    GString *e = digest_text(expected->data, expected->len);
    GString *g = digest_text(got->items->data, got->items->len);
    fprintf(stderr,
            "fuzz_plugin: frame %u: pass 2 shows another mptcpv tree than pass 1 (%s)\n"
            "--- expected\n%s--- shown\n%s",
            num, what, e->str, g->str);
    abort();
}

/* Pass 2's mptcpv.reinjected_in on frame |num|: under each of its mptcpv layers, the first
 * later frame that pass 1 showed as mptcpv.reinjection_of |num| (the plugin's record keeps
 * the first), once; nothing where pass 1 showed none. */
static void check_reinjected(guint32 num, const digest *d, guint32 expected,
                             const GByteArray *first)
{
    const guint32 *pairs = (const guint32 *)(const void *)d->reinjected->data;
    guint count = d->reinjected->len / 2;
    for (guint layer = 0; layer < d->layers; layer++) {
        guint shown = 0;
        for (guint k = 0; k < count; k++) {
            if (pairs[2 * k] != layer)
                continue;
            shown++;
            if (pairs[2 * k + 1] != expected) {
                fprintf(stderr,
                        "fuzz_plugin: frame %u, mptcpv layer %u: pass 2 shows "
                        "mptcpv.reinjected_in %u, pass 1 showed mptcpv.reinjection_of %u on "
                        "frame %u\n",
                        num, layer + 1, pairs[2 * k + 1], num, expected);
                mismatch(num, "mptcpv.reinjected_in", first, d);
            }
        }
        if (shown != (expected != 0 ? 1u : 0u)) {
            fprintf(stderr,
                    "fuzz_plugin: frame %u, mptcpv layer %u: pass 2 shows mptcpv.reinjected_in "
                    "%u times, expected %u (pass 1: first reinjection in frame %u)\n",
                    num, layer + 1, shown, expected != 0 ? 1u : 0u, expected);
            mismatch(num, "mptcpv.reinjected_in", first, d);
        }
    }
}

/* MPTCPV_FUZZ_DIGESTS=FILE: append each input's pass-1 digests to FILE, keyed by a hash of
 * the input, to compare runs (e.g. one session for all inputs against one per input). */
static void dump_digests(const uint8_t *data, size_t size, GByteArray **first, guint n)
{
    static FILE *out;
    static gboolean opened;
    if (!opened) {
        opened = TRUE;
        const char *path = g_getenv("MPTCPV_FUZZ_DIGESTS");
        out = path != NULL ? fopen(path, "a") : NULL;
    }
    if (out == NULL)
        return;
    guint64 key = 14695981039346656037u;
    for (size_t i = 0; i < size; i++)
        key = (key ^ data[i]) * 1099511628211u;
    for (guint i = 0; i < n; i++) {
        GString *text = digest_text(first[i]->data, first[i]->len);
        gchar **lines = g_strsplit(text->str, "\n", -1);
        for (gchar **l = lines; *l != NULL; l++)
            if (**l != '\0')
                fprintf(out, "%016" G_GINT64_MODIFIER "x %u %s\n", key, i + 1, *l);
        g_strfreev(lines);
        g_string_free(text, TRUE);
    }
    fflush(out);
}

/*
 * What a UI does with the taps at the end of a run, done once per input after pass 2:
 * tshark -z draws each stat table row by row, every cell with its column's printf format
 * (the column's type chooses the argument), and -z follow prints follow_info's payload
 * list, oldest record first, with the nodes' addresses and ports. Here each cell is
 * formatted the same way into a buffer, after checking that it has its column's type (a
 * mismatch makes that printf read an integer as a string) and that a string cell is not
 * NULL; the follow records are read to their last byte (ASan sees a short one) and must
 * add up to the bytes_written the follow dialog shows. Nothing is printed.
 */
static void draw_stat(const stat_data_t *tap)
{
    const stat_tap_table_ui *ui = tap->stat_tap_data;
    char text[512];
    for (guint t = 0; t < ui->tables->len; t++) {
        const stat_tap_table *table = g_array_index(ui->tables, stat_tap_table *, t);
        if (table->num_fields != ui->nfields) {
            fprintf(stderr, "fuzz_plugin: %s: table %s has %u columns, the UI %zu\n",
                    ui->cli_string, table->title, table->num_fields, ui->nfields);
            abort();
        }
        for (guint row = 0; row < table->num_elements; row++) {
            for (guint col = 0; col < table->num_fields; col++) {
                const stat_tap_table_item_type *cell = stat_tap_get_field_data(table, row, col);
                const stat_tap_table_item *column = &ui->fields[col];
                if (cell->type == TABLE_ITEM_NONE)
                    break; /* tshark stops the row there too */
                if (cell->type != column->type ||
                    (cell->type == TABLE_ITEM_STRING && cell->value.string_value == NULL)) {
                    fprintf(stderr, "fuzz_plugin: %s: row %u, column %s: cell of type %d%s\n",
                            ui->cli_string, row, column->column_name, (int)cell->type,
                            cell->type == TABLE_ITEM_STRING ? " without a string" : "");
                    abort();
                }
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat-nonliteral"
                switch (column->type) {
                case TABLE_ITEM_UINT:
                    snprintf(text, sizeof(text), column->field_format, cell->value.uint_value);
                    break;
                case TABLE_ITEM_INT:
                    snprintf(text, sizeof(text), column->field_format, cell->value.int_value);
                    break;
                case TABLE_ITEM_STRING:
                    snprintf(text, sizeof(text), column->field_format, cell->value.string_value);
                    break;
                case TABLE_ITEM_FLOAT:
                    snprintf(text, sizeof(text), column->field_format, cell->value.float_value);
                    break;
                case TABLE_ITEM_ENUM:
                    snprintf(text, sizeof(text), column->field_format, cell->value.enum_value);
                    break;
                default:
                    break;
                }
#pragma clang diagnostic pop
            }
        }
    }
}

static void draw_follow(void)
{
    register_follow_t *follower = get_follow_by_name("mptcpv");
    guint bytes[2] = {0, 0};
    guint8 sum = 0;
    for (GList *l = g_list_last(follow->payload); l != NULL; l = l->prev) {
        const follow_record_t *rec = (const follow_record_t *)l->data;
        for (guint i = 0; i < rec->data->len; i++)
            sum ^= rec->data->data[i];
        bytes[rec->is_server ? FROM_SERVER : FROM_CLIENT] += rec->data->len;
    }
    if (bytes[FROM_CLIENT] != follow->bytes_written[FROM_CLIENT] ||
        bytes[FROM_SERVER] != follow->bytes_written[FROM_SERVER]) {
        fprintf(stderr,
                "fuzz_plugin: follow: the records hold %u and %u bytes, bytes_written says %u "
                "and %u\n",
                bytes[FROM_CLIENT], bytes[FROM_SERVER], follow->bytes_written[FROM_CLIENT],
                follow->bytes_written[FROM_SERVER]);
        abort();
    }
    if (follow->client_port != 0) {
        follow_port_to_display_func port = get_follow_port_to_display(follower);
        char *client = address_to_str(NULL, &follow->client_ip);
        char *server = address_to_str(NULL, &follow->server_ip);
        char *cport = port(NULL, follow->client_port), *sport = port(NULL, follow->server_port);
        wmem_free(NULL, client);
        wmem_free(NULL, server);
        wmem_free(NULL, cport);
        wmem_free(NULL, sport);
    }
    (void)sum;
}

static void free_follow_records(GList *records)
{
    for (GList *l = records; l != NULL; l = l->next) {
        follow_record_t *rec = (follow_record_t *)l->data;
        g_byte_array_free(rec->data, TRUE);
        g_free(rec);
    }
    g_list_free(records);
}

/* Wireshark 4.0's follow_reset_stream clears the counters but neither frees nor clears the
 * payload and fragment lists (its GUI frees them itself): without this the records of every
 * earlier input stayed on the list. */
static void reset_taps(void)
{
    reset_stat_table(conns_tap.stat_tap_data);
    reset_stat_table(subflows_tap.stat_tap_data);
    free_follow_records(follow->payload);
    follow->payload = NULL;
    for (int dir = 0; dir < 2; dir++) {
        free_follow_records(follow->fragments[dir]);
        follow->fragments[dir] = NULL;
    }
    follow_reset_stream(follow);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static frame_in in[MAX_FRAMES];
    size_t rest;
    guint n = split(data, size, in, &rest);
    if (n == 0)
        return 0;
    guint32 seed = 2166136261u; /* FNV-1a of the trailing bytes: the order of pass 2 */
    for (size_t i = rest; i < size; i++)
        seed = (seed ^ data[i]) * 16777619u;
    if (seed == 0)
        seed = 1;

    static guint session_limit;
    if (session_limit == 0) {
        const char *env = g_getenv("MPTCPV_FUZZ_SESSION_INPUTS");
        session_limit = env != NULL && atoi(env) > 0 ? (guint)atoi(env) : SESSION_INPUTS;
    }
    if (session != NULL && session_inputs >= session_limit) {
        epan_free(session);
        session = NULL;
    }
    if (session == NULL) {
        session = epan_new(&provider, &provider_funcs);
        session_inputs = 0;
    }
    session_inputs++;
    mptcpv_new_capture();
    frame_data *fds = g_new0(frame_data, n);
    provider.frames = fds;
    provider.count = n;
    epan_dissect_t *edt = epan_dissect_new(session, TRUE, TRUE);
    static digest now;
    if (now.items == NULL) {
        now.items = g_byte_array_sized_new(1 << 16);
        now.reinjected = g_array_new(FALSE, FALSE, sizeof(guint32));
        now.reinjection_of = g_array_new(FALSE, FALSE, sizeof(guint32));
    }
    GByteArray **first = g_new0(GByteArray *, n); /* pass 1, without mptcpv.reinjected_in */
    guint32 *reinjected_in = g_new0(guint32, n);  /* frame -> its first reinjection, pass 1 */
    guint32 *order = g_new(guint32, n);
    guint32 cum_bytes = 0;
    const frame_data *ref = NULL, *prev = NULL;

    for (guint i = 0; i < n; i++) {
        dissect(edt, &in[i], &fds[i], i + 1, &cum_bytes, &ref, prev, 0);
        prev = &fds[i];
        digest_clear(&now);
        digest_tree(&now, edt->tree);
        first[i] = g_byte_array_sized_new(now.items->len);
        g_byte_array_append(first[i], now.items->data, now.items->len);
        for (guint k = 0; k < now.reinjection_of->len; k++) {
            guint32 v = g_array_index(now.reinjection_of, guint32, k);
            if (v >= 1 && v <= n && reinjected_in[v - 1] == 0)
                reinjected_in[v - 1] = i + 1;
        }
        epan_dissect_reset(edt);
    }
    for (guint i = 0; i < n; i++)
        order[i] = i;
    shuffle(order, n, &seed);
    for (guint k = 0; k < n; k++) {
        guint i = order[k];
        dissect(edt, &in[i], &fds[i], i + 1, &cum_bytes, &ref, prev, 1);
        digest_clear(&now);
        digest_tree(&now, edt->tree);
        if (now.items->len != first[i]->len ||
            (now.items->len > 0 && memcmp(now.items->data, first[i]->data, now.items->len) != 0))
            mismatch(i + 1, "the items", first[i], &now);
        check_reinjected(i + 1, &now, reinjected_in[i], first[i]);
        epan_dissect_reset(edt);
    }

    dump_digests(data, size, first, n);
    draw_stat(&conns_tap);
    draw_stat(&subflows_tap);
    draw_follow();
    reset_taps();
    epan_dissect_free(edt);
    for (guint i = 0; i < n; i++) {
        frame_data_destroy(&fds[i]);
        g_byte_array_free(first[i], TRUE);
        g_free(in[i].bytes);
    }
    provider.frames = NULL;
    provider.count = 0;
    g_free(first);
    g_free(reinjected_in);
    g_free(order);
    g_free(fds);
    return 0;
}
