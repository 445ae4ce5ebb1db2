/*
 * mptcpv rule table: ids, severities and findings.
 *
 * The table itself lives in core/rules.def (one line per rule). Everything that names a rule
 * (core checks, plugin expert infos, validator reports, docs) goes through this header.
 */
#ifndef MPTCPV_RULES_H
#define MPTCPV_RULES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mptcpv_severity {
    MPTCPV_SEVERITY_INFO,
    MPTCPV_SEVERITY_WARNING,
    MPTCPV_SEVERITY_ERROR,
} mptcpv_severity;

/* Expert info group of a rule (Wireshark's PI_PROTOCOL, PI_MALFORMED, PI_CHECKSUM,
 * PI_SEQUENCE). */
typedef enum mptcpv_group {
    MPTCPV_GROUP_PROTOCOL,
    MPTCPV_GROUP_MALFORMED,
    MPTCPV_GROUP_CHECKSUM,
    MPTCPV_GROUP_SEQUENCE,
} mptcpv_group;

typedef enum mptcpv_rule_id {
#define MPTCPV_RULE(name, id, sev, group, rfc, cat, desc) MPTCPV_RULE_##name,
#include "../../rules.def"
    MPTCPV_RULE_COUNT
} mptcpv_rule_id;

typedef struct mptcpv_rule {
    mptcpv_rule_id rule;
    const char *id; /* stable dotted id, e.g. "option.malformed" */
    mptcpv_severity severity;
    mptcpv_group group;
    const char *rfc;         /* e.g. "RFC 8684 3.3" */
    const char *catalogue;   /* row in the project's reference catalogue */
    const char *description; /* one line */
} mptcpv_rule;

/* The rule with enumerator |rule|, or NULL if out of range. Rules are static tables: never
 * to be freed, safe from any thread. */
const mptcpv_rule *mptcpv_rule_get(mptcpv_rule_id rule);

/* The rule whose dotted id is |id|, or NULL (also for a NULL |id|). */
const mptcpv_rule *mptcpv_rule_find(const char *id);

/* "error", "warning" or "info". */
const char *mptcpv_severity_name(mptcpv_severity severity);

/* Longest detail text a finding carries, including the terminating NUL. */
#define MPTCPV_FINDING_DETAIL_MAX 160

/*
 * A rule violation found in packet data. This is data, not a library error: malformed
 * input produces findings, and decoding goes on with what is safe.
 */
typedef struct mptcpv_finding {
    mptcpv_rule_id rule;
    uint16_t offset; /* byte offset in the TCP options block the finding refers to */
    uint16_t length; /* bytes it covers (0: the whole option/segment) */
    char detail[MPTCPV_FINDING_DETAIL_MAX];
} mptcpv_finding;

#ifdef __cplusplus
}
#endif

#endif /* MPTCPV_RULES_H */
