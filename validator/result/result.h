/*
 * The one in-memory result of a validation run: files -> connections -> subflows, and
 * findings. Every report format (report/report.h) and --expect read only this.
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
#include "mptcpv/tracker.h"

typedef struct result_endpoint {
    char *address; /* textual, as tshark prints it */
    guint port;
} result_endpoint;

typedef struct result_subflow {
    guint id; /* index within the connection, 0 = initial (plugin's mptcpv.subflow) */
    gint64 tcp_stream;
    gboolean initial;
    gboolean kind_known; /* initial/join from the plugin or the handshake, not a default */
    gboolean backup;
    result_endpoint client, server;
    gboolean roles_known; /* client/server from the plugin or a SYN, not guessed */
    gint client_addr_id;  /* -1: unknown */
    gint server_addr_id;
    char *start, *end; /* frame.time_epoch of first and last frame, as tshark prints it */
    guint32 first_frame, last_frame;
    guint64 packets;
    guint64 bytes_from_client, bytes_from_server;
    gint reset_reason;           /* MP_TCPRST reason, -1: none seen */
    gboolean established;        /* the core saw its handshake complete (else only attempted) */
    mptcpv_subflow_end ended_by; /* how it ended, as the core decided */
    guint32 end_frame;           /* the frame that decided it, 0 while open */
    /* The capture's tcp.stream of this subflow is used to attribute rows. */
} result_subflow;

typedef struct result_connection {
    guint id;         /* index in the file's report (linked connections keep the plugin's) */
    gint64 plugin_id; /* mptcpv.connection, -1 for a fallback (unlinked) connection */
    gint version;     /* -1 unknown */
    char *client_key, *server_key, *client_token, *server_token; /* "0x..." or NULL */
    gint checksum;                                               /* -1 unknown, 0 off, 1 on */
    char *fallback; /* why it fell back to TCP, or NULL */
    guint32 first_frame;
    GPtrArray *subflows; /* result_subflow*, by id */
    guint counts[3];     /* findings by mptcpv_severity */
    /* What the core decided, summed or taken from the frames that carry it. */
    mptcpv_close_state close;
    guint64 data_bytes_from_client, data_bytes_from_server;
    guint64 reinjected_segments, reinjected_bytes;
    guint checksums[3]; /* verdicts: good, bad, unverifiable */
    GArray *events;     /* result_event, frame order, at most RESULT_MAX_EVENTS */
    guint events_dropped;
} result_connection;

/* Connection events kept per connection; past this only counted (events_dropped). */
#define RESULT_MAX_EVENTS 1000

typedef struct result_event {
    mptcpv_event type;
    guint32 frame;
    guint subflow;
    gint reason; /* tcprst: the MP_TCPRST reason; -1 otherwise */
} result_event;

typedef struct result_finding {
    guint32 frame;
    char *rule; /* dotted id */
    mptcpv_severity severity;
    gint connection; /* result_connection.id, -1: none */
    gint subflow;    /* result_subflow.id, -1: none */
    char *message;
} result_finding;

typedef struct result_file {
    char *path;     /* as shown in reports (UTF-8; U+FFFD for bytes that are not) */
    char *path_raw; /* NULL if the name is UTF-8; else every byte outside printable ASCII,
                     * and '%', as %XX (RFC 3986 percent-encoding): reversible */
    guint index;    /* position in the unsharded corpus listing */
    char *error;    /* NULL or one line saying what is wrong with the input */
    guint64 packets;
    guint64 mptcp_packets;        /* frames of MPTCP connections or with MPTCP options */
    guint64 mptcp_option_packets; /* frames carrying an MPTCP option */
    GPtrArray *connections;       /* result_connection* by id */
    GArray *findings;             /* result_finding, frame order */
    guint counts[3];
    /* building state */
    GHashTable *by_plugin_id;        /* plugin connection id -> result_connection */
    GHashTable *by_stream;           /* tcp.stream -> result_subflow (MPTCP streams only) */
    GHashTable *stream_conn;         /* tcp.stream -> result_connection */
    const gboolean *ignored;         /* MPTCPV_RULE_COUNT flags, or NULL */
    const mptcpv_severity *severity; /* effective severity per rule (--severity), or NULL */
    double seconds;                  /* wall-clock time its analysis took (JUnit time) */
    gboolean analysed;               /* FALSE: not reached before an interruption */
} result_file;

/* Subflows of |c| whose handshake the core saw complete. */
guint result_established_subflows(const result_connection *c);

/* |name|'s bytes percent-encoded (see result_file.path_raw), or NULL if it is UTF-8. */
char *result_path_raw(const char *name);

result_file *result_file_new(const char *path, guint index, const gboolean *ignored);
void result_file_free(result_file *f);
/* Where result_file_add_row put a row, for observers that keep more (series.h). */
typedef struct result_row_place {
    result_connection *connection; /* NULL: outside any connection */
    result_subflow *subflow;       /* NULL iff connection is */
    gboolean from_client;
    guint first_finding; /* the row added f->findings[first_finding ..] */
} result_row_place;

/* One tshark row: cols[FIELD_COUNT], each NULL/"" when absent; multiple occurrences are
 * separated by RESULT_AGGREGATOR. |place| may be NULL. */
#define RESULT_AGGREGATOR '\x1f'
void result_file_add_row(result_file *f, char **cols, result_row_place *place);
/* Number connections, drop building state. Call once after the last row. */
void result_file_finish(result_file *f);
void result_file_set_error(result_file *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

typedef struct result_report {
    char *mptcpv_version;
    char *tshark_version;
    mptcpv_severity fail_on; /* findings at or above fail the run ... */
    gboolean fail_never;     /* ... unless --fail-on none */
    GPtrArray *ignored;      /* char* rule ids, sorted */
    guint shard_k, shard_n;  /* 0/0: not sharded */
    GPtrArray *inputs;       /* char*: the PATH arguments */
    GPtrArray *files;        /* result_file* in corpus order */
    GPtrArray *overrides;    /* char* "rule=level" (--severity/--config), rule order */
    gboolean require_mptcp;  /* a readable capture without MPTCP connection fails */
    gboolean interrupted;    /* SIGINT/SIGTERM: only the files with analysed set are done */
    int signal;              /* the signal that interrupted the run, 0: none */
} result_report;

result_report *result_report_new(void);
void result_report_free(result_report *r);

typedef struct result_summary {
    guint files, unreadable, connections;
    guint counts[3];
} result_summary;
void result_report_summary(const result_report *r, result_summary *s);
/* Number of findings at or above the --fail-on threshold, plus (--require-mptcp) the
 * readable captures without an MPTCP connection. */
guint result_report_failing(const result_report *r);
/* --require-mptcp and |f| was read and has no MPTCP connection. */
gboolean result_file_lacks_mptcp(const result_report *r, const result_file *f);
gboolean result_severity_fails(const result_report *r, mptcpv_severity s);
/* "error", "warning", "info", "none" -> severity; FALSE if unknown. */
gboolean result_parse_fail_on(const char *s, mptcpv_severity *sev, gboolean *never);

#endif /* MPTCPV_VALIDATE_RESULT_H */
