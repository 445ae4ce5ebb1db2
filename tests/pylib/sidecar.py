"""The one reader of `.expected` sidecars for Python, with the validator's lookup.

mptcpv-validate --expect auto and --write-expected use <capture>.expected: the capture's
whole name with ".expected" appended (x.pcap -> x.pcap.expected; expect/expect.c,
expect_sidecar_path). Findings are '<frame> <rule-id>' lines; '#' starts a comment; lines
whose first word is not a number (connection and subflow facts, reserved words) are not
findings.
"""
import collections
import os
import re

SUFFIX = ".expected"
# Connection and subflow facts: 'connection <n> key value ...', 'subflow <n>.<m> ...'.
FACT_LINE = re.compile(r"(connection|subflow) ")


def sidecar_path(capture):
    """<capture>.expected, whether it exists or not."""
    return capture + SUFFIX


def find_sidecar(capture):
    """The sidecar of |capture| if it exists, else None."""
    path = sidecar_path(capture)
    return path if os.path.exists(path) else None


def read_findings(path):
    """Multiset of (frame, rule) of the finding lines of |path|."""
    found = collections.Counter()
    with open(path) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if len(words) >= 2 and words[0].isdigit():
                found[(int(words[0]), words[1])] += 1
    return found


def is_fact_line(line):
    """Whether |line| is a connection or subflow fact (not a finding, not a comment)."""
    return FACT_LINE.match(line) is not None


def fact_lines(text):
    """The connection and subflow fact lines of sidecar |text|, in order, verbatim."""
    return [ln for ln in text.splitlines() if is_fact_line(ln)]
