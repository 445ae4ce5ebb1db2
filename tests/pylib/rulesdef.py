"""The one reader of core/rules.def for Python (tests, scripts/gen-docs).

rules.def is a C X-macro table, one MPTCPV_RULE(name, id, severity, group, rfc, catalogue,
description) per rule (see its header comment); C comments are not rules.
"""
import collections
import os
import re

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                          ".."))
RULES_DEF = os.path.join(SOURCE_DIR, "core", "rules.def")

Rule = collections.namedtuple("Rule", "name id severity group rfc catalogue description")

_RULE_RE = re.compile(r'MPTCPV_RULE\(\s*(\w+)\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*(\w+)\s*,'
                      r'\s*"([^"]*)"\s*,'
                      r'\s*"([^"]*)"\s*,\s*"([^"]*)"\s*\)')


def read_rules(path=RULES_DEF):
    """Every rule of |path| in table order, as Rule(name, id, severity, group, rfc,
    catalogue, description); severity and group as written (ERROR, ...; PROTOCOL, ...)."""
    with open(path) as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return [Rule(*m.groups()) for m in _RULE_RE.finditer(text)]


def rule_ids(path=RULES_DEF):
    """The dotted rule ids in table order."""
    return [r.id for r in read_rules(path)]


def severities(path=RULES_DEF):
    """{rule id: 'error' | 'warning' | 'info'}."""
    return {r.id: r.severity.lower() for r in read_rules(path)}
