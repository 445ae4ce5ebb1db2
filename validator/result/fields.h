/*
 * The one table of tshark fields mptcpv-validate reads (tshark -T fields -e ...).
 *
 * X(ENUM, "field.name", ENABLED)
 *   ENUM     suffix of the column index FIELD_<ENUM> used by result/result.c
 *   name     display filter field name passed to tshark with -e
 *   ENABLED  1: asked from tshark; 0: known but not asked (the column then stays empty).
 *            A field the plugin does not have yet is added here with 0 and switched to 1
 *            when it lands: that one character is the whole change.
 *
 * MPTCPV_VALIDATE_PLOT_FIELDS: same form, asked only with --html or --csv (per-segment
 * series, report/series.c), so a plain validation run pays nothing for them. Their columns follow
 * the base ones; FIELD_BASE_COUNT is where they start.
 *
 * Columns come back in this order. Do not read _ws.expert.* (localised text).
 */
#ifndef MPTCPV_VALIDATE_FIELDS_H
#define MPTCPV_VALIDATE_FIELDS_H

#define MPTCPV_VALIDATE_FIELDS(X)                                                                  \
    X(FRAME_NUMBER, "frame.number", 1)                                                             \
    X(FRAME_TIME, "frame.time_epoch", 1)                                                           \
    X(TCP_STREAM, "tcp.stream", 1)                                                                 \
    X(IP_SRC, "ip.src", 1)                                                                         \
    X(IPV6_SRC, "ipv6.src", 1)                                                                     \
    X(IP_DST, "ip.dst", 1)                                                                         \
    X(IPV6_DST, "ipv6.dst", 1)                                                                     \
    X(TCP_SRCPORT, "tcp.srcport", 1)                                                               \
    X(TCP_DSTPORT, "tcp.dstport", 1)                                                               \
    X(TCP_LEN, "tcp.len", 1)                                                                       \
    X(TCP_FLAGS, "tcp.flags", 1)                                                                   \
    X(SUBTYPE, "mptcpv.subtype", 1)                                                                \
    X(VERSION, "mptcpv.version", 1)                                                                \
    X(RULE, "mptcpv.rule", 1)                                                                      \
    X(FINDING, "mptcpv.finding", 1)                                                                \
    X(MPC_SENDER_KEY, "mptcpv.mpc.sender_key", 1)                                                  \
    X(MPC_RECEIVER_KEY, "mptcpv.mpc.receiver_key", 1)                                              \
    X(MPC_CHECKSUM, "mptcpv.mpc.flags.checksum", 1)                                                \
    X(JOIN_ADDR_ID, "mptcpv.join.addr_id", 1)                                                      \
    X(JOIN_BACKUP, "mptcpv.join.backup", 1)                                                        \
    X(PRIO_BACKUP, "mptcpv.prio.backup", 1)                                                        \
    X(TCPRST_REASON, "mptcpv.tcprst.reason", 1)                                                    \
    /* Connection linking (plugin issue "linking"): */                                             \
    X(CONNECTION, "mptcpv.connection", 1)                                                          \
    X(SUBFLOW, "mptcpv.subflow", 1)                                                                \
    X(SUBFLOW_INITIAL, "mptcpv.subflow.initial", 1)                                                \
    X(SUBFLOW_BACKUP, "mptcpv.subflow.backup", 1)                                                  \
    X(FROM_CLIENT, "mptcpv.from_client", 1)                                                        \
    X(CONN_CLIENT_KEY, "mptcpv.conn.client_key", 1)                                                \
    X(CONN_SERVER_KEY, "mptcpv.conn.server_key", 1)                                                \
    X(CONN_CLIENT_TOKEN, "mptcpv.conn.client_token", 1)                                            \
    X(CONN_SERVER_TOKEN, "mptcpv.conn.server_token", 1)                                            \
    X(CONN_CHECKSUM, "mptcpv.conn.checksum", 1)                                                    \
    X(FALLBACK, "mptcpv.fallback", 1)                                                              \
    /* What the core decides per connection and subflow, shown per frame (issue 15): */            \
    X(CLOSE, "mptcpv.close", 1)                                                                    \
    X(SUBFLOW_END, "mptcpv.subflow.end", 1)                                                        \
    X(SUBFLOW_ESTABLISHED, "mptcpv.subflow.established", 1)                                        \
    X(DATA_BYTES, "mptcpv.data_bytes", 1)                                                          \
    X(REINJECTION_OF, "mptcpv.reinjection_of", 1)                                                  \
    X(REINJECTED_BYTES, "mptcpv.reinjected_bytes", 1)                                              \
    X(CHECKSUM_STATUS, "mptcpv.dss.checksum_status", 1)                                            \
    X(EVENT, "mptcpv.event", 1)

#define MPTCPV_VALIDATE_PLOT_FIELDS(X)                                                             \
    X(DSN, "mptcpv.dsn", 1)                                                                        \
    X(DATA_ACK, "mptcpv.data_ack", 1)

typedef enum field_column {
#define FIELD_ENUM(e, name, enabled) FIELD_##e,
    MPTCPV_VALIDATE_FIELDS(FIELD_ENUM) MPTCPV_VALIDATE_PLOT_FIELDS(FIELD_ENUM)
#undef FIELD_ENUM
        FIELD_COUNT
} field_column;

enum {
#define FIELD_ONE(e, name, enabled) +1
    FIELD_BASE_COUNT = 0 MPTCPV_VALIDATE_FIELDS(FIELD_ONE)
#undef FIELD_ONE
};

#endif /* MPTCPV_VALIDATE_FIELDS_H */
