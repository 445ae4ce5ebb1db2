/* The rule table (core/rules.def) as data. */
#include <string.h>

#include "mptcpv/rules.h"

static const mptcpv_rule rules[MPTCPV_RULE_COUNT] = {
#define MPTCPV_RULE(name, id_, sev, group_, rfc_, cat, desc)                                       \
    {MPTCPV_RULE_##name, id_, MPTCPV_SEVERITY_##sev, MPTCPV_GROUP_##group_, rfc_, cat, desc},
#include "../rules.def"
};

const mptcpv_rule *mptcpv_rule_get(mptcpv_rule_id rule)
{
    if ((unsigned)rule >= MPTCPV_RULE_COUNT)
        return NULL;
    return &rules[rule];
}

const mptcpv_rule *mptcpv_rule_find(const char *id)
{
    if (id == NULL)
        return NULL;
    for (size_t i = 0; i < MPTCPV_RULE_COUNT; i++) {
        if (strcmp(rules[i].id, id) == 0)
            return &rules[i];
    }
    return NULL;
}

const char *mptcpv_severity_name(mptcpv_severity severity)
{
    switch (severity) {
    case MPTCPV_SEVERITY_ERROR:
        return "error";
    case MPTCPV_SEVERITY_WARNING:
        return "warning";
    case MPTCPV_SEVERITY_INFO:
        return "info";
    }
    return "unknown";
}
