/*
 * libFuzzer target: the mptcpv plugin inside libwireshark, one small capture per input.
 *
 * Input: frames, each [length, 2 bytes big-endian][bytes], dissected in order as raw IPv4 or
 * IPv6 ("raw_ip", WTAP_ENCAP_RAW_IP) in one epan session, so that the tracker's subflows and
 * connections build up across frames. Bit 15 of the length marks a frame cut by the snapshot
 * length (its reported length is then larger than what was captured); the low 15 bits are
 * the captured length. Bytes left after the last whole frame seed the order of the later
 * passes.
 *
 * Every frame is dissected with a visible tree, an Info column and the plugin's taps
 * listening (-z mptcpv,conns, -z mptcpv,subflows, follow). Pass 1 is the analysis; pass 2
 * redisplays the frames in an order chosen by the input, pass 3 in another one. What each
 * pass shows under the mptcpv protocol item (every field's name, position, flags and label,
 * expert infos included) is kept as a digest per frame, and the process aborts when a later
 * pass shows something else than pass 1 (pass 2 and 3 must also agree with each other on
 * mptcpv.reinjected_in, which pass 1 cannot know yet: a later frame fills it).
 *
 * mptcpv is registered directly (its sources are compiled into this target), not loaded
 * from a plugin folder. Protocols other than the few on the way to TCP are disabled, so the
 * executions go to the plugin and not to Wireshark's payload dissectors.
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
#define PASSES     3
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

/* No IP reassembly: it would mix fragments of several inputs (SESSION_INPUTS). */
static void set_prefs(void)
{
    static const char *const settings[] = {"ip.defragment:FALSE", "ipv6.defragment:FALSE"};
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

/* The text of one item: what the tree shows, and where. */
static void digest_item(GString *out, field_info *fi, int depth, gboolean *skip_forward)
{
    if (fi->hfinfo->id == hf_reinjected_in && skip_forward != NULL) {
        *skip_forward = TRUE;
        return;
    }
    char label[ITEM_LABEL_LENGTH];
    if (fi->rep != NULL)
        g_strlcpy(label, fi->rep->representation, sizeof(label));
    else
        proto_item_fill_label(fi, label);
    g_string_append_printf(out, "%*s%s %d+%d %s%s %s\n", depth, "", fi->hfinfo->abbrev, fi->start,
                           fi->length, FI_GET_FLAG(fi, FI_HIDDEN) ? "h" : "",
                           FI_GET_FLAG(fi, FI_GENERATED) ? "g" : "", label);
}

static void digest_subtree(GString *out, proto_node *node, int depth, gboolean *skip_forward)
{
    for (proto_node *child = node->first_child; child != NULL; child = child->next) {
        gboolean skipped = FALSE;
        digest_item(out, PNODE_FINFO(child), depth, skip_forward ? &skipped : NULL);
        if (skipped)
            continue;
        digest_subtree(out, child, depth + 1, skip_forward);
    }
}

/* Every mptcpv protocol item of the tree (one per TCP layer), with all below it. Pass 1
 * cannot show mptcpv.reinjected_in of a later frame: with |skip_forward|, that item is left
 * out (and noted, so that passes 2 and 3 still compare it between themselves). */
static void digest_tree(GString *out, proto_node *node, gboolean *skip_forward)
{
    for (proto_node *child = node->first_child; child != NULL; child = child->next) {
        field_info *fi = PNODE_FINFO(child);
        if (fi != NULL && fi->hfinfo->id == proto_mptcpv_id) {
            digest_item(out, fi, 0, NULL);
            digest_subtree(out, child, 1, skip_forward);
        } else {
            digest_tree(out, child, skip_forward);
        }
    }
}

static void dissect(epan_dissect_t *edt, const frame_in *in, frame_data *fd, guint32 num,
                    guint32 *cum_bytes, const frame_data **ref, const frame_data *prev, int pass)
{
    wtap_rec rec;
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

/* xorshift32, for the orders of the later passes. */
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

static void mismatch(guint32 num, int pass, const GString *expected, const GString *got)
{
    fprintf(stderr,
            "fuzz_plugin: frame %u: pass %d shows another mptcpv tree than pass %d\n"
            "--- expected\n%s--- shown\n%s",
            num, pass + 1, pass == 2 ? 2 : 1, expected->str, got->str);
    abort();
}

/* MPTCPV_FUZZ_DIGESTS=FILE: append each input's pass-1 digests to FILE, keyed by a hash of
 * the input, to compare runs (e.g. one session for all inputs against one per input). */
static void dump_digests(const uint8_t *data, size_t size, GString **first, guint n)
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
        gchar **lines = g_strsplit(first[i]->str, "\n", -1);
        for (gchar **l = lines; *l != NULL; l++)
            if (**l != '\0')
                fprintf(out, "%016" G_GINT64_MODIFIER "x %u %s\n", key, i + 1, *l);
        g_strfreev(lines);
    }
    fflush(out);
}

static void reset_taps(void)
{
    reset_stat_table(conns_tap.stat_tap_data);
    reset_stat_table(subflows_tap.stat_tap_data);
    follow_reset_stream(follow);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static frame_in in[MAX_FRAMES];
    size_t rest;
    guint n = split(data, size, in, &rest);
    if (n == 0)
        return 0;
    guint32 seed = 2166136261u; /* FNV-1a of the trailing bytes: the orders of passes 2, 3 */
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
    GString **first = g_new0(GString *, n);  /* pass 1, without mptcpv.reinjected_in */
    GString **second = g_new0(GString *, n); /* pass 2, all of it */
    GString *now = g_string_new(NULL);
    guint32 *order = g_new(guint32, n);
    guint32 cum_bytes = 0;
    const frame_data *ref = NULL, *prev = NULL;

    for (guint i = 0; i < n; i++) {
        dissect(edt, &in[i], &fds[i], i + 1, &cum_bytes, &ref, prev, 0);
        prev = &fds[i];
        gboolean skipped = FALSE;
        first[i] = g_string_new(NULL);
        digest_tree(first[i], edt->tree, &skipped);
        epan_dissect_reset(edt);
    }
    for (int pass = 1; pass < PASSES; pass++) {
        for (guint i = 0; i < n; i++)
            order[i] = i;
        shuffle(order, n, &seed);
        for (guint k = 0; k < n; k++) {
            guint i = order[k];
            dissect(edt, &in[i], &fds[i], i + 1, &cum_bytes, &ref, prev, pass);
            gboolean skipped = FALSE;
            g_string_truncate(now, 0);
            digest_tree(now, edt->tree, &skipped);
            if (!g_string_equal(now, first[i]))
                mismatch(i + 1, pass, first[i], now);
            g_string_truncate(now, 0);
            digest_tree(now, edt->tree, NULL);
            if (pass == 1)
                second[i] = g_string_new(now->str);
            else if (!g_string_equal(now, second[i]))
                mismatch(i + 1, pass, second[i], now);
            epan_dissect_reset(edt);
        }
    }

    dump_digests(data, size, first, n);
    reset_taps();
    epan_dissect_free(edt);
    for (guint i = 0; i < n; i++) {
        frame_data_destroy(&fds[i]);
        g_string_free(first[i], TRUE);
        g_string_free(second[i], TRUE);
        g_free(in[i].bytes);
    }
    provider.frames = NULL;
    provider.count = 0;
    g_string_free(now, TRUE);
    g_free(first);
    g_free(second);
    g_free(order);
    g_free(fds);
    return 0;
}
