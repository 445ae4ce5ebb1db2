/*
 * The one in-memory result of a validation run: files -> connections -> subflows, and
 * findings. Every report format (text, JSON, JUnit) and --expect read only this.
 *
 * A file's result is built row by row from tshark's field output (result_file_add_row), so
 * memory grows with connections, subflows and findings, never with packets.
 */
#ifndef MPTCPV_VALIDATE_RESULT_H
#define MPTCPV_VALIDATE_RESULT_H

#include <gio/gio.h>
#include <glib.h>

#include "result/fields.h"
#include "mptcpv/rules.h"

typedef struct vr_endpoint {
    char *address; /* textual, as tshark prints it */
    guint port;
} vr_endpoint;

typedef struct vr_subflow {
    guint id;         /* index within the connection, 0 = initial (plugin's mptcpv.subflow) */
    gint64 tcp_stream;
    gboolean initial;
    gboolean kind_known;  /* initial/join from the plugin or the handshake, not a default */
    gboolean backup;
    vr_endpoint client, server;
    gboolean roles_known; /* client/server from the plugin or a SYN, not guessed */
    gint client_addr_id;  /* -1: unknown */
    gint server_addr_id;
    char *start, *end;    /* frame.time_epoch of first and last frame, as tshark prints it */
    guint32 first_frame, last_frame;
    guint64 packets;
    guint64 bytes_from_client, bytes_from_server;
    gint reset_reason; /* MP_TCPRST reason, -1: none seen */
    /* The capture's tcp.stream of this subflow is used to attribute rows. */
} vr_subflow;

typedef struct vr_connection {
    guint id;          /* index in the file's report (linked connections keep the plugin's) */
    gint64 plugin_id;  /* mptcpv.connection, -1 for a fallback (unlinked) connection */
    gint version;      /* -1 unknown */
    char *client_key, *server_key, *client_token, *server_token; /* "0x..." or NULL */
    gint checksum;     /* -1 unknown, 0 off, 1 on */
    char *fallback;    /* why it fell back to TCP, or NULL */
    guint32 first_frame;
    GPtrArray *subflows; /* vr_subflow*, by id */
    guint counts[3];     /* findings by mptcpv_severity */
} vr_connection;

typedef struct vr_finding {
    guint32 frame;
    char *rule;                  /* dotted id */
    mptcpv_severity severity;
    gint connection;             /* vr_connection.id, -1: none */
    gint subflow;                /* vr_subflow.id, -1: none */
    char *message;
} vr_finding;

typedef struct vr_file {
    char *path;       /* as shown in reports */
    guint index;      /* position in the unsharded corpus listing */
    char *error;      /* NULL or one line saying what is wrong with the input */
    guint64 packets;
    guint64 mptcp_packets;
    GPtrArray *connections; /* vr_connection* by id */
    GArray *findings;       /* vr_finding, frame order */
    guint counts[3];
    /* building state */
    GHashTable *by_plugin_id;  /* plugin connection id -> vr_connection */
    GHashTable *by_stream;     /* tcp.stream -> vr_subflow (MPTCP streams only) */
    GHashTable *stream_conn;   /* tcp.stream -> vr_connection */
    const gboolean *ignored;   /* MPTCPV_RULE_COUNT flags, or NULL */
} vr_file;

vr_file *vr_file_new(const char *path, guint index, const gboolean *ignored);
void vr_file_free(vr_file *f);
/* Where vr_file_add_row put a row, for observers that keep more (series.h). */
typedef struct vr_row_place {
    vr_connection *connection; /* NULL: outside any connection */
    vr_subflow *subflow;       /* NULL iff connection is */
    gboolean from_client;
    guint first_finding;       /* the row added f->findings[first_finding ..] */
} vr_row_place;

/* One tshark row: cols[VF_COUNT], each NULL/"" when absent; multiple occurrences are
 * separated by VR_AGGREGATOR. |place| may be NULL. */
#define VR_AGGREGATOR '\x1f'
void vr_file_add_row(vr_file *f, char **cols, vr_row_place *place);
/* Number connections, drop building state. Call once after the last row. */
void vr_file_finish(vr_file *f);
void vr_file_set_error(vr_file *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

typedef struct vr_report {
    char *mptcpv_version;
    char *tshark_version;
    mptcpv_severity fail_on; /* findings at or above fail the run ... */
    gboolean fail_never;     /* ... unless --fail-on none */
    GPtrArray *ignored;      /* char* rule ids, sorted */
    guint shard_k, shard_n;  /* 0/0: not sharded */
    GPtrArray *inputs;       /* char*: the PATH arguments */
    GPtrArray *files;        /* vr_file* in corpus order */
} vr_report;

vr_report *vr_report_new(void);
void vr_report_free(vr_report *r);

typedef struct vr_summary {
    guint files, unreadable, connections;
    guint counts[3];
} vr_summary;
void vr_report_summary(const vr_report *r, vr_summary *s);
/* Number of findings at or above the --fail-on threshold. */
guint vr_report_failing(const vr_report *r);
gboolean vr_severity_fails(const vr_report *r, mptcpv_severity s);

/* Report writers; each returns FALSE and sets |error| on I/O failure. */
gboolean vr_write_text(const vr_report *r, GOutputStream *out, GError **error);
gboolean vr_write_json(const vr_report *r, GOutputStream *out, GError **error);
gboolean vr_write_junit(const vr_report *r, GOutputStream *out, GError **error);

#endif /* MPTCPV_VALIDATE_RESULT_H */
