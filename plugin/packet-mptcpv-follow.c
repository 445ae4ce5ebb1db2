/*
 * Follow an MPTCP connection: its data-level byte stream per direction, reassembled across
 * subflows in DSN order (RFC 8684 3.3), each byte once: data sent again on the same or
 * another subflow (retransmissions, reinjections) is trimmed, data that arrives ahead of a
 * hole waits until the hole is filled.
 *
 *   tshark -r x.pcap -q -z follow,mptcpv,raw,<mptcpv.connection>
 *
 * (ascii, hex, raw as for TCP). Wireshark 4.0's GUI offers Follow only for its own
 * protocols, so this is a tshark feature there. A connection number not in the capture
 * gives the empty stream tshark prints, and a message on stderr.
 *
 * Bounded memory: at most FOLLOW_MAX_WAITING bytes wait behind a hole. Past that the hole
 * is taken to be missing from the capture and skipped (the bytes are absent from the
 * output, the rest of the stream is not held back forever).
 *
 * A mapping whose DSS checksum fails is dropped by its receiver (RFC 8684 3.7), and the
 * sender sends the data again: its bytes leave the stream when the failure is known, what
 * followed them waits again, and the resent bytes take their place.
 */
#include <wireshark.h>

#include <epan/follow.h>
#include <epan/packet.h>
#include <epan/tap.h>

#include "packet-mptcpv.h"

#define FOLLOW_MAX_WAITING (4u * 1024 * 1024)

static gchar *follow_conv_filter(epan_dissect_t *edt _U_, packet_info *pinfo, guint *stream,
                                 guint *sub_stream _U_)
{
    guint32 connection;
    if (!mptcpv_frame_connection(pinfo, &connection))
        return NULL;
    *stream = connection;
    return g_strdup_printf("mptcpv.connection eq %u", connection);
}

/* tshark's follow prints an empty stream for a connection that is not in the capture, as
 * for one that sent no data. So each connection asked for gets a listener of its own that
 * counts the connection's frames and, when the run is drawn, says on stderr if there were
 * none. One per connection number for the life of the process (the GUI asks again for each
 * stream shown); the message is printed once per tap run. */
typedef struct {
    guint32 connection;
    guint frames;
    guint32 connections; /* highest connection number seen + 1 */
    gboolean told;
} seen_listener;

static GHashTable *seen_listeners; /* connection -> seen_listener */

static void seen_reset(void *tapdata)
{
    seen_listener *seen = (seen_listener *)tapdata;
    seen->frames = 0;
    seen->connections = 0;
    seen->told = FALSE;
}

static tap_packet_status seen_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                     const void *data, tap_flags_t flags _U_)
{
    const mptcpv_tap_info *info = (const mptcpv_tap_info *)data;
    seen_listener *seen = (seen_listener *)tapdata;
    if (!info->linked)
        return TAP_PACKET_DONT_REDRAW;
    if (info->connection == seen->connection)
        seen->frames++;
    if (info->connection >= seen->connections)
        seen->connections = info->connection + 1;
    return TAP_PACKET_DONT_REDRAW;
}

static void seen_draw(void *tapdata)
{
    seen_listener *seen = (seen_listener *)tapdata;
    if (seen->frames != 0 || seen->told)
        return;
    seen->told = TRUE;
    if (seen->connections == 0)
        fprintf(stderr,
                "mptcpv: follow: no MPTCP connection %u: the capture has no MPTCP "
                "connection\n",
                seen->connection);
    else
        fprintf(stderr,
                "mptcpv: follow: no MPTCP connection %u: the capture has "
                "connections 0 to %u (-z mptcpv,conns lists them)\n",
                seen->connection, seen->connections - 1);
}

static void watch_connection(guint32 connection)
{
    if (seen_listeners == NULL)
        seen_listeners = g_hash_table_new(g_direct_hash, g_direct_equal);
    if (g_hash_table_contains(seen_listeners, GUINT_TO_POINTER(connection)))
        return;
    seen_listener *seen = g_new0(seen_listener, 1);
    seen->connection = connection;
    GString *error = register_tap_listener(MPTCPV_TAP_NAME, seen, NULL, TL_REQUIRES_NOTHING,
                                           seen_reset, seen_packet, seen_draw, NULL);
    if (error != NULL) { /* the follow itself still works, only without the message */
        g_string_free(error, TRUE);
        g_free(seen);
        return;
    }
    g_hash_table_insert(seen_listeners, GUINT_TO_POINTER(connection), seen);
}

static gchar *follow_index_filter(guint stream, guint sub_stream _U_)
{
    watch_connection(stream);
    return g_strdup_printf("mptcpv.connection eq %u", stream);
}

/* One subflow's addresses do not name an MPTCP connection; follow by connection number. */
static gchar *follow_address_filter(address *src_addr _U_, address *dst_addr _U_, int src_port _U_,
                                    int dst_port _U_)
{
    return NULL;
}

static gchar *follow_port_to_display(wmem_allocator_t *allocator, guint port)
{
    return wmem_strdup_printf(allocator, "%u", port);
}

/* Wireshark frees records with g_free() on their address: the record comes first. */
typedef struct mapped_record {
    follow_record_t rec;
    guint32 mapping_frame; /* frame whose DSS mapping carried these bytes */
} mapped_record;

static guint32 mapping_of(const follow_record_t *rec)
{
    return ((const mapped_record *)rec)->mapping_frame;
}

static void free_record(follow_record_t *rec)
{
    g_byte_array_free(rec->data, TRUE);
    g_free(rec);
}

/* Drop what |rec| repeats below |expected|; NULL (and freed) if nothing is left. The
 * comparison is modulo 2^32 (follow_info_t keeps 32-bit sequence numbers), like TCP's. */
static follow_record_t *trim(follow_record_t *rec, guint32 expected)
{
    gint32 behind = (gint32)(expected - rec->seq);
    if (behind <= 0)
        return rec;
    if ((guint)behind >= rec->data->len) {
        free_record(rec);
        return NULL;
    }
    g_byte_array_remove_range(rec->data, 0, (guint)behind);
    rec->seq = expected;
    return rec;
}

static void deliver(follow_info_t *fi, int dir, follow_record_t *rec)
{
    fi->payload = g_list_prepend(fi->payload, rec);
    fi->bytes_written[dir] += rec->data->len;
    fi->seq[dir] = rec->seq + rec->data->len;
}

static gint by_seq(gconstpointer a, gconstpointer b)
{
    const follow_record_t *x = (const follow_record_t *)a, *y = (const follow_record_t *)b;
    gint32 d = (gint32)(x->seq - y->seq);
    return d < 0 ? -1 : d > 0;
}

static guint waiting_bytes(GList *fragments)
{
    guint total = 0;
    for (GList *l = fragments; l != NULL; l = l->next)
        total += ((follow_record_t *)l->data)->data->len;
    return total;
}

/* Deliver waiting fragments (sorted by seq) that the stream has reached; when too much
 * waits, skip the hole in front of the first one. */
static void drain(follow_info_t *fi, int dir)
{
    while (fi->fragments[dir] != NULL) {
        follow_record_t *first = (follow_record_t *)fi->fragments[dir]->data;
        if ((gint32)(first->seq - fi->seq[dir]) > 0) {
            if (waiting_bytes(fi->fragments[dir]) <= FOLLOW_MAX_WAITING)
                return;
            fi->seq[dir] = first->seq; /* the hole is not in the capture */
        }
        fi->fragments[dir] = g_list_delete_link(fi->fragments[dir], fi->fragments[dir]);
        first = trim(first, fi->seq[dir]);
        if (first != NULL)
            deliver(fi, dir, first);
    }
}

/* The mapping of |mapping_frame| failed its checksum: take its bytes back out of the
 * direction's stream, and put what was delivered after them back to wait. */
static void drop_failed_mapping(follow_info_t *fi, int dir, guint32 mapping_frame)
{
    gboolean is_server = dir == FROM_SERVER, dropped = FALSE;
    guint32 resume = 0;
    for (GList *l = fi->fragments[dir], *next; l != NULL; l = next) {
        next = l->next;
        if (mapping_of((follow_record_t *)l->data) == mapping_frame) {
            free_record((follow_record_t *)l->data);
            fi->fragments[dir] = g_list_delete_link(fi->fragments[dir], l);
        }
    }
    for (GList *l = fi->payload, *next; l != NULL; l = next) {
        next = l->next;
        follow_record_t *rec = (follow_record_t *)l->data;
        if (rec->is_server != is_server || mapping_of(rec) != mapping_frame)
            continue;
        if (!dropped || (gint32)(rec->seq - resume) < 0)
            resume = rec->seq;
        dropped = TRUE;
        fi->bytes_written[dir] -= rec->data->len;
        free_record(rec);
        fi->payload = g_list_delete_link(fi->payload, l);
    }
    if (!dropped)
        return;
    for (GList *l = fi->payload, *next; l != NULL; l = next) {
        next = l->next;
        follow_record_t *rec = (follow_record_t *)l->data;
        if (rec->is_server != is_server || (gint32)(rec->seq - resume) < 0)
            continue;
        fi->bytes_written[dir] -= rec->data->len;
        fi->payload = g_list_delete_link(fi->payload, l);
        fi->fragments[dir] = g_list_insert_sorted(fi->fragments[dir], rec, by_seq);
    }
    fi->seq[dir] = resume;
}

static void set_nodes(follow_info_t *fi, const mptcpv_tap_info *info, packet_info *pinfo)
{
    if (fi->client_port != 0 || !info->initial)
        return;
    const address *client = info->from_client ? &pinfo->net_src : &pinfo->net_dst;
    const address *server = info->from_client ? &pinfo->net_dst : &pinfo->net_src;
    copy_address(&fi->client_ip, client);
    copy_address(&fi->server_ip, server);
    fi->client_port = info->from_client ? info->src.port : info->dst.port;
    fi->server_port = info->from_client ? info->dst.port : info->src.port;
}

static tap_packet_status follow_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                       const void *data, tap_flags_t flags _U_)
{
    follow_info_t *fi = (follow_info_t *)tapdata;
    const mptcpv_tap_info *info = (const mptcpv_tap_info *)data;
    if (!info->linked)
        return TAP_PACKET_DONT_REDRAW;
    set_nodes(fi, info, pinfo);
    const mptcpv_data_result *d = info->data;
    if (d == NULL)
        return TAP_PACKET_DONT_REDRAW;
    int dir = info->from_client ? FROM_CLIENT : FROM_SERVER;
    /* The verdict may come on a segment whose payload the capture cut. */
    if (d->checksum == MPTCPV_VERDICT_BAD)
        drop_failed_mapping(fi, dir, d->checksum_mapping_frame);
    if (!d->has_relative_dsn || info->payload == NULL || info->payload_captured == 0)
        return TAP_PACKET_REDRAW;

    mapped_record *mapped = g_new0(mapped_record, 1);
    mapped->mapping_frame = d->mapping_frame;
    follow_record_t *rec = &mapped->rec;
    rec->is_server = !info->from_client;
    rec->packet_num = pinfo->num;
    rec->abs_ts = pinfo->abs_ts;
    rec->seq = (guint32)d->relative_dsn;
    rec->data = g_byte_array_sized_new(info->payload_captured);
    g_byte_array_append(rec->data, info->payload, info->payload_captured);

    /* The stream starts at the first data this direction shows. */
    if (fi->bytes_written[dir] == 0 && fi->fragments[dir] == NULL && fi->seq[dir] == 0)
        fi->seq[dir] = rec->seq;
    rec = trim(rec, fi->seq[dir]);
    if (rec == NULL)
        return TAP_PACKET_REDRAW;
    if (rec->seq == fi->seq[dir])
        deliver(fi, dir, rec);
    else
        fi->fragments[dir] = g_list_insert_sorted(fi->fragments[dir], rec, by_seq);
    drain(fi, dir);
    return TAP_PACKET_REDRAW;
}

void mptcpv_follow_register(int proto)
{
    mptcpv_register_follow_stream(proto, MPTCPV_TAP_NAME, follow_conv_filter, follow_index_filter,
                                  follow_address_filter, follow_port_to_display, follow_packet);
}
