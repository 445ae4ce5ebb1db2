/*
 * mptcpv statistics: one row per MPTCP connection (tshark -z mptcpv,conns[,filter]) and one
 * per subflow (-z mptcpv,subflows[,filter]); the same tables appear in Wireshark's
 * Statistics menu. Rows are filled from the "mptcpv" tap, so a display filter given with -z
 * (or in the GUI dialog) restricts what is counted.
 *
 * Counters are guint (the stat table's integer type) and saturate at G_MAXUINT.
 */
#include <wireshark.h>

#include <epan/address.h>
#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <epan/to_str.h>

#include "mptcpv/rules.h"
#include "packet-mptcpv.h"

/* Column names are padded to the printf width of their values, so tshark's plain
 * "value |" output lines up under the header. */
#define COL_UINT(name, width)                                                                      \
    {                                                                                              \
        TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, name, "%" #width "u"                                     \
    }
#define COL_STR(name, width)                                                                       \
    {                                                                                              \
        TABLE_ITEM_STRING, TAP_ALIGN_LEFT, name, "%-" #width "s"                                   \
    }

enum conn_column {
    CONN_ID,
    CONN_VERSION,
    CONN_CLIENT,
    CONN_SERVER,
    CONN_SUBFLOWS,
    CONN_ESTABLISHED,
    CONN_PACKETS,
    CONN_BYTES_C2S,
    CONN_BYTES_S2C,
    CONN_DATA_C2S,
    CONN_DATA_S2C,
    CONN_REINJECTED_SEGMENTS,
    CONN_REINJECTED,
    CONN_PRIO,
    CONN_FALLBACK,
    CONN_STATE,
    CONN_CSUM_GOOD,
    CONN_CSUM_BAD,
    CONN_ERRORS,
    CONN_WARNINGS,
    CONN_INFOS,
    CONN_COLUMNS
};

static stat_tap_table_item conn_fields[CONN_COLUMNS] = {
    COL_UINT("Conn", 4), COL_STR("Ver", 3), COL_STR("Client               ", 21),
    COL_STR("Server               ", 21), COL_UINT("Subflows", 8), COL_UINT("Estab", 5),
    COL_UINT("   Packets", 10), COL_UINT(" Bytes C>S", 10), COL_UINT(" Bytes S>C", 10),
    COL_UINT("  Data C>S", 10), COL_UINT("  Data S>C", 10), COL_UINT("Reinj segs", 10),
    COL_UINT("Reinjected", 10), COL_UINT("MP_PRIO", 7),
    /* As wide as the longest mptcpv_fallback_name(), "first data without MPTCP options
     * (stripped?)": the column shows the same names as the mptcpv.fallback field. */
    COL_STR("Fallback                                    ", 44), COL_STR("State       ", 12),
    COL_UINT("Csum good", 9), COL_UINT("Csum bad", 8), COL_UINT("Errors", 6),
    COL_UINT("Warnings", 8),
    COL_UINT("Infos", 5), /* severity "info" (Wireshark's expert calls it "Note") */
};

enum subflow_column {
    SF_CONN,
    SF_ID,
    SF_KIND,
    SF_CLIENT,
    SF_SERVER,
    SF_BACKUP,
    SF_ESTABLISHED,
    SF_PACKETS,
    SF_BYTES_C2S,
    SF_BYTES_S2C,
    SF_REINJECTED,
    SF_END,
    SF_COLUMNS
};

static stat_tap_table_item subflow_fields[SF_COLUMNS] = {
    COL_UINT("Conn", 4),
    COL_UINT("Subflow", 7),
    COL_STR("Kind   ", 7),
    COL_STR("Client               ", 21),
    COL_STR("Server               ", 21),
    COL_STR("Backup", 6),
    COL_STR("Estab", 5),
    COL_UINT("   Packets", 10),
    COL_UINT(" Bytes C>S", 10),
    COL_UINT(" Bytes S>C", 10),
    COL_UINT("Reinjected", 10),
    /* The longest end: "MP_FAIL, MP_TCPRST Administratively prohibited". */
    COL_STR("End                                           ", 46),
};

/* Row of each connection or subflow, per table (a table lives as long as its UI). */
static GHashTable *rows_by_table;

static GHashTable *rows_of(stat_tap_table *table)
{
    if (rows_by_table == NULL)
        rows_by_table = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                              (GDestroyNotify)g_hash_table_destroy);
    GHashTable *rows = (GHashTable *)g_hash_table_lookup(rows_by_table, table);
    if (rows == NULL) {
        rows = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        g_hash_table_insert(rows_by_table, table, rows);
    }
    return rows;
}

/* Wireshark keeps a table UI's tables in the stat_tap_table_ui, which every listener of it
 * shares: two -z mptcpv,conns (or two GUI dialogs) would count into one table. So a listener
 * gets its own copy of the UI with its own table on its first frame; tshark, the GUI and
 * sharkd all read the tables through the listener's stat_data_t. A listener that never sees
 * a frame shows the shared table, which stays empty. The copies live as long as the
 * process (one per -z argument or dialog opened). */
static GHashTable *own_uis;

static stat_tap_table *listener_table(void *tapdata)
{
    stat_data_t *listener = (stat_data_t *)tapdata;
    stat_tap_table_ui *ui = listener->stat_tap_data;
    if (own_uis == NULL)
        own_uis = g_hash_table_new(g_direct_hash, g_direct_equal);
    if (!g_hash_table_contains(own_uis, ui)) {
        const stat_tap_table *shared = g_array_index(ui->tables, stat_tap_table *, 0);
        stat_tap_table_ui *own = (stat_tap_table_ui *)g_memdup2(ui, sizeof(*ui));
        own->tables = NULL;
        stat_tap_add_table(own,
                           stat_tap_init_table(shared->title, (int)shared->num_fields, 0, NULL));
        g_hash_table_add(own_uis, own);
        listener->stat_tap_data = own;
        ui = own;
    }
    return g_array_index(ui->tables, stat_tap_table *, 0);
}

/* The row of |key|, appended (all columns zero or empty) on first use. */
static guint row_for(stat_tap_table *table, gint64 key, const stat_tap_table_item *fields,
                     guint nfields)
{
    GHashTable *rows = rows_of(table);
    gpointer found;
    if (g_hash_table_lookup_extended(rows, &key, NULL, &found))
        return GPOINTER_TO_UINT(found);
    guint row = table->num_elements;
    stat_tap_table_item_type *items = g_new0(stat_tap_table_item_type, nfields);
    for (guint i = 0; i < nfields; i++) {
        items[i].type = fields[i].type;
        if (fields[i].type == TABLE_ITEM_STRING)
            items[i].value.string_value = g_strdup("");
    }
    stat_tap_init_table_row(table, row, nfields, items);
    g_free(items);
    g_hash_table_insert(rows, g_memdup2(&key, sizeof(key)), GUINT_TO_POINTER(row));
    return row;
}

static stat_tap_table_item_type *cell(stat_tap_table *table, guint row, guint column)
{
    return stat_tap_get_field_data(table, row, column);
}

static void add_uint(stat_tap_table *table, guint row, guint column, guint64 amount)
{
    stat_tap_table_item_type *c = cell(table, row, column);
    guint64 sum = (guint64)c->value.uint_value + amount;
    c->value.uint_value = sum > G_MAXUINT ? G_MAXUINT : (guint)sum;
}

static void set_uint(stat_tap_table *table, guint row, guint column, guint value)
{
    cell(table, row, column)->value.uint_value = value;
}

/* Cells own their strings, which Wireshark's stat_tap_table_item_type holds as const char *:
 * the one place const is dropped, to free them. */
static void free_cell_string(const char *s)
{
    g_free((gpointer)(uintptr_t)s);
}

/* Replace a string cell's value (cells own their strings). */
static void set_string(stat_tap_table *table, guint row, guint column, const char *value)
{
    stat_tap_table_item_type *c = cell(table, row, column);
    if (g_strcmp0(c->value.string_value, value) == 0)
        return;
    free_cell_string(c->value.string_value);
    c->value.string_value = g_strdup(value);
}

static char *endpoint_str(const mptcpv_endpoint *ep)
{
    address addr;
    set_address(&addr, ep->family == 6 ? AT_IPv6 : AT_IPv4, ep->family == 6 ? 16 : 4, ep->addr);
    char *text = address_to_str(NULL, &addr);
    char *out = ep->family == 6 ? g_strdup_printf("[%s]:%u", text, ep->port)
                                : g_strdup_printf("%s:%u", text, ep->port);
    wmem_free(NULL, text);
    return out;
}

static void set_endpoints(stat_tap_table *table, guint row, guint client_col,
                          const mptcpv_tap_info *info)
{
    if (*cell(table, row, client_col)->value.string_value != '\0')
        return; /* the first frame seen decides */
    char *client = endpoint_str(info->from_client ? &info->src : &info->dst);
    char *server = endpoint_str(info->from_client ? &info->dst : &info->src);
    set_string(table, row, client_col, client);
    set_string(table, row, client_col + 1, server);
    g_free(client);
    g_free(server);
}

static guint count_subtype(const mptcpv_tap_info *info, mptcpv_subtype subtype)
{
    guint n = 0;
    for (unsigned i = 0; info->options != NULL && i < info->options->count; i++)
        if (info->options->options[i].has_subtype && info->options->options[i].subtype == subtype)
            n++;
    return n;
}

static tap_packet_status conns_packet(void *tapdata, packet_info *pinfo _U_,
                                      epan_dissect_t *edt _U_, const void *data,
                                      tap_flags_t flags _U_)
{
    const mptcpv_tap_info *info = (const mptcpv_tap_info *)data;
    if (!info->linked)
        return TAP_PACKET_DONT_REDRAW;
    stat_tap_table *table = listener_table(tapdata);
    guint row = row_for(table, info->connection, conn_fields, CONN_COLUMNS);

    set_uint(table, row, CONN_ID, info->connection);
    if (info->version != MPTCPV_VERSION_UNKNOWN)
        set_string(table, row, CONN_VERSION, info->version == MPTCPV_VERSION_0 ? "v0" : "v1");
    /* The initial subflow's endpoints; a connection seen only through MP_JOINs (token not in
     * the capture) shows its first subflow's, as -z mptcpv,subflows does. The initial
     * subflow's frames come first (a join is linked through its keys), so set_endpoints()
     * keeping the first frame's is enough. */
    set_endpoints(table, row, CONN_CLIENT, info);
    if (info->subflow + 1 > cell(table, row, CONN_SUBFLOWS)->value.uint_value)
        set_uint(table, row, CONN_SUBFLOWS, info->subflow + 1);
    add_uint(table, row, CONN_PACKETS, 1);
    add_uint(table, row, info->from_client ? CONN_BYTES_C2S : CONN_BYTES_S2C, info->payload_len);
    add_uint(table, row, CONN_PRIO, count_subtype(info, MPTCPV_MP_PRIO));
    if (info->established)
        add_uint(table, row, CONN_ESTABLISHED, 1);
    const mptcpv_data_result *d = info->data;
    if (d != NULL) {
        add_uint(table, row, info->from_client ? CONN_DATA_C2S : CONN_DATA_S2C, d->data_bytes);
        if (d->reinjection_of != 0)
            add_uint(table, row, CONN_REINJECTED_SEGMENTS, 1);
        add_uint(table, row, CONN_REINJECTED, d->reinjected_bytes);
        if (d->fallback != MPTCPV_FALLBACK_NONE)
            set_string(table, row, CONN_FALLBACK, mptcpv_fallback_name(d->fallback));
        if (d->close != MPTCPV_CLOSE_NONE)
            set_string(table, row, CONN_STATE, mptcpv_close_state_name(d->close));
        if (d->checksum == MPTCPV_VERDICT_GOOD)
            add_uint(table, row, CONN_CSUM_GOOD, 1);
        else if (d->checksum == MPTCPV_VERDICT_BAD)
            add_uint(table, row, CONN_CSUM_BAD, 1);
    }
    for (guint i = 0; i < info->finding_count; i++) {
        switch (mptcpv_rule_get(info->findings[i].rule)->severity) {
        case MPTCPV_SEVERITY_ERROR:
            add_uint(table, row, CONN_ERRORS, 1);
            break;
        case MPTCPV_SEVERITY_WARNING:
            add_uint(table, row, CONN_WARNINGS, 1);
            break;
        case MPTCPV_SEVERITY_INFO:
            add_uint(table, row, CONN_INFOS, 1);
            break;
        }
    }
    return TAP_PACKET_REDRAW;
}

/* How a subflow ended, as the core decided it, with the MP_TCPRST reason if the segment
 * that ended it carried one. */
static void note_end(stat_tap_table *table, guint row, const mptcpv_tap_info *info)
{
    const mptcpv_data_result *d = info->data;
    if (d == NULL || d->subflow_end == MPTCPV_SUBFLOW_OPEN)
        return;
    const char *end = mptcpv_subflow_end_name(d->subflow_end);
    for (unsigned i = 0; info->options != NULL && i < info->options->count; i++) {
        const mptcpv_option *o = &info->options->options[i];
        if (o->decoded && o->subtype == MPTCPV_MP_TCPRST &&
            d->subflow_end != MPTCPV_SUBFLOW_END_FASTCLOSE) {
            const char *reason = mptcpv_tcprst_reason_name(o->u.mp_tcprst.reason);
            char *text = d->subflow_end == MPTCPV_SUBFLOW_END_TCPRST
                             ? g_strdup_printf("%s %s", end, reason ? reason : "unassigned reason")
                             : g_strdup_printf("%s, MP_TCPRST %s", end,
                                               reason ? reason : "unassigned reason");
            set_string(table, row, SF_END, text);
            g_free(text);
            return;
        }
    }
    set_string(table, row, SF_END, end);
}

static tap_packet_status subflows_packet(void *tapdata, packet_info *pinfo _U_,
                                         epan_dissect_t *edt _U_, const void *data,
                                         tap_flags_t flags _U_)
{
    const mptcpv_tap_info *info = (const mptcpv_tap_info *)data;
    if (!info->linked)
        return TAP_PACKET_DONT_REDRAW;
    stat_tap_table *table = listener_table(tapdata);
    gint64 key = ((gint64)info->connection << 32) | info->subflow;
    guint row = row_for(table, key, subflow_fields, SF_COLUMNS);

    set_uint(table, row, SF_CONN, info->connection);
    set_uint(table, row, SF_ID, info->subflow);
    set_string(table, row, SF_KIND, info->initial ? "initial" : "join");
    set_endpoints(table, row, SF_CLIENT, info);
    set_string(table, row, SF_BACKUP, info->backup ? "yes" : "no");
    if (*cell(table, row, SF_ESTABLISHED)->value.string_value == '\0' || info->established)
        set_string(table, row, SF_ESTABLISHED, info->established ? "yes" : "no");
    add_uint(table, row, SF_PACKETS, 1);
    add_uint(table, row, info->from_client ? SF_BYTES_C2S : SF_BYTES_S2C, info->payload_len);
    if (info->data != NULL)
        add_uint(table, row, SF_REINJECTED, info->data->reinjected_bytes);
    note_end(table, row, info);
    return TAP_PACKET_REDRAW;
}

static void init_table(stat_tap_table_ui *ui, const char *name, guint nfields)
{
    if (stat_tap_find_table(ui, name) != NULL)
        return;
    stat_tap_add_table(ui, stat_tap_init_table(name, (int)nfields, 0, NULL));
}

static void conns_init(stat_tap_table_ui *ui)
{
    init_table(ui, "MPTCP connections", CONN_COLUMNS);
}

static void subflows_init(stat_tap_table_ui *ui)
{
    init_table(ui, "MPTCP subflows", SF_COLUMNS);
}

static void free_item(stat_tap_table *table _U_, guint row _U_, guint column _U_,
                      stat_tap_table_item_type *item)
{
    if (item->type == TABLE_ITEM_STRING) {
        free_cell_string(item->value.string_value);
        item->value.string_value = NULL;
    }
}

/* A new tap run (another filter, a reloaded file) starts with no rows. */
static void reset_table(stat_tap_table *table)
{
    for (guint row = 0; row < table->num_elements; row++) {
        for (guint col = 0; col < table->num_fields; col++)
            free_item(table, row, col, cell(table, row, col));
        g_free(table->elements[row]);
    }
    g_free(table->elements);
    table->elements = NULL;
    table->num_elements = 0;
    if (rows_by_table != NULL)
        g_hash_table_remove(rows_by_table, table);
}

static tap_param filter_param[] = {{PARAM_FILTER, "filter", "Filter", NULL, TRUE}};

static stat_tap_table_ui conns_ui = {
    REGISTER_PACKET_STAT_GROUP_UNSORTED,
    "MPTCP Connections (mptcpv)",
    MPTCPV_TAP_NAME,
    "mptcpv,conns",
    conns_init,
    conns_packet,
    reset_table,
    free_item,
    NULL,
    CONN_COLUMNS,
    conn_fields,
    G_N_ELEMENTS(filter_param),
    filter_param,
    NULL,
    0,
};

static stat_tap_table_ui subflows_ui = {
    REGISTER_PACKET_STAT_GROUP_UNSORTED,
    "MPTCP Subflows (mptcpv)",
    MPTCPV_TAP_NAME,
    "mptcpv,subflows",
    subflows_init,
    subflows_packet,
    reset_table,
    free_item,
    NULL,
    SF_COLUMNS,
    subflow_fields,
    G_N_ELEMENTS(filter_param),
    filter_param,
    NULL,
    0,
};

void mptcpv_stats_register(void)
{
    register_stat_tap_table_ui(&conns_ui);
    register_stat_tap_table_ui(&subflows_ui);
}
