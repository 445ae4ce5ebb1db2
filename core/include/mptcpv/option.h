/*
 * mptcpv option decoder: TCP option kind 30 (Multipath TCP), RFC 6824 (v0) and RFC 8684 (v1).
 *
 * Input is raw bytes as they appear on the wire: either the whole TCP options block (the
 * bytes after the 20-byte fixed TCP header) or one kind-30 option. Output is typed values.
 * Nothing here allocates or keeps state; every read is bounds-checked against the option's
 * declared length and the bytes actually available, whichever is smaller.
 *
 * Illegal lengths are findings (MPTCPV_RULE_OPTION_MALFORMED), not errors: the decoder
 * reports them, decodes the fields that are safe to read and goes on with the next option.
 */
#ifndef MPTCPV_OPTION_H
#define MPTCPV_OPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mptcpv/rules.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPTCPV_TCPOPT_KIND 30
/* TCP options never exceed 40 bytes (data offset 15 * 4 - 20); kind 30 needs >= 2 bytes. */
#define MPTCPV_TCPOPT_MAX_LEN 40
#define MPTCPV_MAX_OPTIONS    20
#define MPTCPV_MAX_FINDINGS   24

/* Subtypes, RFC 8684 7 (IANA "MPTCP Option Subtypes"). */
/* Name tables are X-macros, defined once and expanded where names are needed (the core's
 * name functions, the plugin's value_strings): X(enumerator suffix, value, name). */

/* RFC 8684 7, IANA "MPTCP Option Subtypes". */
#define MPTCPV_SUBTYPES(X)                                                                         \
    X(MP_CAPABLE, 0x0, "MP_CAPABLE")                                                               \
    X(MP_JOIN, 0x1, "MP_JOIN")                                                                     \
    X(DSS, 0x2, "DSS")                                                                             \
    X(ADD_ADDR, 0x3, "ADD_ADDR")                                                                   \
    X(REMOVE_ADDR, 0x4, "REMOVE_ADDR")                                                             \
    X(MP_PRIO, 0x5, "MP_PRIO")                                                                     \
    X(MP_FAIL, 0x6, "MP_FAIL")                                                                     \
    X(MP_FASTCLOSE, 0x7, "MP_FASTCLOSE")                                                           \
    X(MP_TCPRST, 0x8, "MP_TCPRST")                                                                 \
    X(MP_EXPERIMENTAL, 0xf, "MP_EXPERIMENTAL")

typedef enum mptcpv_subtype {
#define MPTCPV_SUBTYPE_ENUM(e, value, name) MPTCPV_##e = value,
    MPTCPV_SUBTYPES(MPTCPV_SUBTYPE_ENUM)
#undef MPTCPV_SUBTYPE_ENUM
} mptcpv_subtype;

/* RFC 8684 3.6, MP_TCPRST reason codes: X(enumerator suffix, value, name). */
#define MPTCPV_TCPRST_REASONS(X)                                                                   \
    X(UNSPECIFIED, 0x00, "Unspecified error")                                                      \
    X(MPTCP_ERROR, 0x01, "MPTCP-specific error")                                                   \
    X(NO_RESOURCES, 0x02, "Lack of resources")                                                     \
    X(PROHIBITED, 0x03, "Administratively prohibited")                                             \
    X(TOO_MUCH_DATA, 0x04, "Too much outstanding data")                                            \
    X(BAD_PERFORMANCE, 0x05, "Unacceptable performance")                                           \
    X(MIDDLEBOX, 0x06, "Middlebox interference")

/* Protocol version as far as it is known: from the handshake, else from the option. */
typedef enum mptcpv_version {
    MPTCPV_VERSION_UNKNOWN = -1,
    MPTCPV_VERSION_0 = 0, /* RFC 6824 */
    MPTCPV_VERSION_1 = 1, /* RFC 8684 */
} mptcpv_version;

/* What the decoder knows about the segment the options came from. */
typedef struct mptcpv_segment_info {
    mptcpv_version version; /* connection version, MPTCPV_VERSION_UNKNOWN if not known */
    bool syn;
    bool ack;
    bool rst;
    uint32_t payload_len; /* TCP payload bytes of the segment */
    /* The capture's snaplen cut the options block: an option that reaches its end is
     * incomplete, not malformed (marked |cut|, no finding about it). */
    bool block_truncated;
} mptcpv_segment_info;

/* MP_CAPABLE flags, RFC 8684 3.1 / RFC 6824 3.1. */
#define MPTCPV_MPC_FLAG_CHECKSUM    0x80 /* A: checksum required */
#define MPTCPV_MPC_FLAG_EXTENSION   0x40 /* B: extensibility, must be 0 */
#define MPTCPV_MPC_FLAG_NO_JOIN_ID0 0x20 /* C (v1): no MP_JOIN to this address/port */
#define MPTCPV_MPC_FLAG_HMAC_SHA    0x01 /* H: HMAC-SHA1 (v0) / HMAC-SHA256 (v1) */

/* Which MP_CAPABLE layout the length selects. */
typedef enum mptcpv_mpc_form {
    MPTCPV_MPC_SYN_V1,     /* 4: no key */
    MPTCPV_MPC_SENDER_KEY, /* 12: SYN (v0) or SYN/ACK */
    MPTCPV_MPC_BOTH_KEYS,  /* 20: third ACK (and later ACKs in v1) */
    MPTCPV_MPC_DATA,       /* 22 (v1): both keys + data-level length */
    MPTCPV_MPC_DATA_CSUM,  /* 24 (v1): both keys + data-level length + checksum */
} mptcpv_mpc_form;

typedef struct mptcpv_mp_capable {
    mptcpv_mpc_form form;
    uint8_t version; /* the version nibble as sent */
    uint8_t flags;
    bool has_sender_key;
    bool has_receiver_key;
    bool has_data_len;
    bool has_checksum;
    uint64_t sender_key;
    uint64_t receiver_key;
    uint16_t data_len;
    uint16_t checksum;
} mptcpv_mp_capable;

typedef enum mptcpv_join_form {
    MPTCPV_JOIN_SYN,    /* 12: token + nonce */
    MPTCPV_JOIN_SYNACK, /* 16: truncated HMAC + nonce */
    MPTCPV_JOIN_ACK,    /* 24: 160-bit HMAC */
} mptcpv_join_form;

#define MPTCPV_JOIN_HMAC_LEN 20

typedef struct mptcpv_mp_join {
    mptcpv_join_form form;
    uint8_t flags; /* low nibble of byte 2: reserved(3) | B */
    bool backup;   /* SYN and SYN/ACK only */
    uint8_t addr_id;
    uint32_t token;                     /* SYN */
    uint32_t nonce;                     /* SYN, SYN/ACK */
    uint64_t trunc_hmac;                /* SYN/ACK: left-most 64 bits */
    uint8_t hmac[MPTCPV_JOIN_HMAC_LEN]; /* ACK */
} mptcpv_mp_join;

/* DSS flags, RFC 8684 3.3 Figure 9. */
#define MPTCPV_DSS_FLAG_DATA_FIN 0x10 /* F */
#define MPTCPV_DSS_FLAG_DSN64    0x08 /* m */
#define MPTCPV_DSS_FLAG_MAPPING  0x04 /* M */
#define MPTCPV_DSS_FLAG_ACK64    0x02 /* a */
#define MPTCPV_DSS_FLAG_ACK      0x01 /* A */

typedef struct mptcpv_dss {
    uint8_t flags; /* byte 3 as sent */
    bool data_fin;
    bool has_ack;
    bool ack64;
    bool has_mapping;
    bool dsn64;
    bool has_checksum;
    uint64_t data_ack; /* 32-bit values as received, not expanded */
    uint64_t dsn;
    uint32_t ssn;      /* relative subflow sequence number */
    uint16_t data_len; /* data-level length; 0 = infinite mapping */
    uint16_t checksum;
} mptcpv_dss;

typedef struct mptcpv_add_addr {
    mptcpv_version form; /* v0: IPVer nibble, no HMAC; v1: echo flag, optional HMAC */
    uint8_t flags;       /* low nibble of byte 2 as sent (IPVer in v0, reserved|E in v1) */
    bool echo;           /* v1 E flag */
    uint8_t addr_id;
    uint8_t family; /* 4 or 6 */
    uint8_t addr[16];
    bool has_port;
    uint16_t port;
    bool has_hmac;
    uint64_t hmac; /* v1: right-most 64 bits of HMAC-SHA256 */
} mptcpv_add_addr;

#define MPTCPV_REMOVE_ADDR_MAX_IDS (MPTCPV_TCPOPT_MAX_LEN - 3)

typedef struct mptcpv_remove_addr {
    uint8_t count;
    uint8_t ids[MPTCPV_REMOVE_ADDR_MAX_IDS];
} mptcpv_remove_addr;

typedef struct mptcpv_mp_prio {
    uint8_t flags;
    bool backup;
    bool has_addr_id; /* v0 4-byte form only */
    uint8_t addr_id;
} mptcpv_mp_prio;

typedef struct mptcpv_mp_fail {
    uint64_t dsn;
} mptcpv_mp_fail;

typedef struct mptcpv_mp_fastclose {
    uint64_t receiver_key;
} mptcpv_mp_fastclose;

/* MP_TCPRST flags and reasons, RFC 8684 3.6. */
#define MPTCPV_TCPRST_FLAG_TRANSIENT 0x01
#define MPTCPV_TCPRST_FLAGS_RESERVED 0x0e

typedef struct mptcpv_mp_tcprst {
    uint8_t flags;
    bool transient;
    uint8_t reason;
} mptcpv_mp_tcprst;

/* Experimental and unknown subtypes: the bytes after the subtype byte, by position. */
typedef struct mptcpv_raw {
    uint8_t data_offset; /* from the option's kind byte */
    uint8_t data_len;
} mptcpv_raw;

typedef struct mptcpv_option {
    uint16_t offset;  /* of the kind byte, in the options block */
    uint8_t length;   /* declared length byte (0 if the block ended before it) */
    uint8_t avail;    /* option bytes present: min(length, bytes left in the block) */
    uint8_t subtype;  /* valid when has_subtype */
    bool has_subtype; /* the subtype byte was present */
    bool malformed;   /* an option.malformed finding refers to this option */
    bool decoded;     /* the union member for subtype holds decoded values */
    bool cut;         /* incomplete because the capture ends inside it: no finding */
    union {
        mptcpv_mp_capable mp_capable;
        mptcpv_mp_join mp_join;
        mptcpv_dss dss;
        mptcpv_add_addr add_addr;
        mptcpv_remove_addr remove_addr;
        mptcpv_mp_prio mp_prio;
        mptcpv_mp_fail mp_fail;
        mptcpv_mp_fastclose mp_fastclose;
        mptcpv_mp_tcprst mp_tcprst;
        mptcpv_raw raw; /* MP_EXPERIMENTAL and unknown subtypes */
    } u;
} mptcpv_option;

/* Every kind-30 option of one TCP options block, and the findings about them. */
typedef struct mptcpv_options {
    uint8_t count;
    uint8_t finding_count;
    bool findings_dropped; /* more findings than MPTCPV_MAX_FINDINGS (cannot happen in 40 bytes) */
    mptcpv_option options[MPTCPV_MAX_OPTIONS];
    mptcpv_finding findings[MPTCPV_MAX_FINDINGS];
} mptcpv_options;

/*
 * Decode every kind-30 option in the TCP options block |block| of |len| bytes.
 * |out| is overwritten. Walking stops at EOL, at the end of the block, or at an option whose
 * length byte is missing, below 2, or runs past the block (the last two are reported when
 * the option is kind 30). Returns the number of MPTCP options found.
 *
 * |block| is borrowed for the call (it may be NULL only when |len| is 0); |seg| may be NULL
 * (no segment context: truncation and version unknown); |out| is caller-owned. A malformed
 * option is a finding in |out|, not an error. The walk stops after MPTCPV_MAX_OPTIONS kind-30
 * options. Reentrant: no state outside the arguments.
 */
size_t mptcpv_options_decode(const uint8_t *block, size_t len, const mptcpv_segment_info *seg,
                             mptcpv_options *out);

/*
 * Decode the one kind-30 option at |opt| (first byte: kind), of which |avail| bytes are
 * present. Findings are appended to |out| (offsets shifted by |offset|); |option| is filled.
 * Used by mptcpv_options_decode and by tests/fuzzers of a single option.
 * |opt| needs |avail| >= 1 readable bytes; |seg| may be NULL; |option| and |out| must not.
 */
void mptcpv_option_decode(const uint8_t *opt, size_t avail, uint16_t offset,
                          const mptcpv_segment_info *seg, mptcpv_option *option,
                          mptcpv_options *out);

/* Short names ("MP_CAPABLE", "DSS", ...); "unknown" for unassigned subtypes. The string is
 * static: never NULL, never to be freed. */
const char *mptcpv_subtype_name(uint8_t subtype);

/* MP_TCPRST reason text, RFC 8684 3.6 (static); NULL for unassigned codes. */
const char *mptcpv_tcprst_reason_name(uint8_t reason);

/*
 * One-line summary of |option| in the spirit of tcpdump's MPTCP printer
 * ("dss flags:MA dack 2248627404 dsn 3845908739 sfsn 1 dlen 144"), written to |buf| (always
 * NUL-terminated when |size| > 0). Returns the length the full text needs, like snprintf.
 * |buf| may be NULL when |size| is 0 (to measure).
 */
size_t mptcpv_option_format(const mptcpv_option *option, char *buf, size_t size);

/* DSS option length implied by |flags|, with or without checksum (RFC 8684 3.3 Figure 9). */
uint8_t mptcpv_dss_expected_len(uint8_t flags, bool with_checksum);

#ifdef __cplusplus
}
#endif

#endif /* MPTCPV_OPTION_H */
