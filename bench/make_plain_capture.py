#!/usr/bin/env python3
"""A plain-TCP twin of an MPTCP capture: every TCP option of kind 30 (MPTCP) becomes kind 253
(RFC 4727 experimental), the rest is unchanged. The same packets, sizes and TCP flows with no
MPTCP at all: what a Wireshark user who installed mptcpv pays on ordinary traffic.

usage: make_plain_capture.py IN.pcap OUT.pcap   (classic pcap, Ethernet, Linux SLL/SLL2, raw IP)"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "tshark"))
import pcapedit  # noqa: E402

MPTCP, EXPERIMENTAL = 30, 253


def rewrite(data, tcp, hlen):
    """Turn the kind-30 options of the TCP header at |tcp| into kind 253; returns how many."""
    pos, end, n = tcp + 20, tcp + hlen, 0
    while pos < end:
        kind = data[pos]
        if kind == 0:
            break
        if kind == 1:
            pos += 1
            continue
        if pos + 1 >= end or data[pos + 1] < 2:
            break
        if kind == MPTCP:
            data[pos] = EXPERIMENTAL
            n += 1
        pos += data[pos + 1]
    return n


def main():
    src, dst = sys.argv[1:3]
    data, linktype, frames = pcapedit.read(src)
    rewritten = 0
    for start in frames:
        ip = start + pcapedit.LINK_HEADER[linktype]
        proto = data[ip + 9] if data[ip] >> 4 == 4 else data[ip + 6]
        if proto != 6:
            continue
        tcp, hlen, _ = pcapedit.tcp_offsets(data, linktype, start)
        rewritten += rewrite(data, tcp, hlen)
    with open(dst, "wb") as f:
        f.write(data)
    print("%s: %d packets, %d MPTCP options rewritten to kind %d"
          % (dst, len(frames), rewritten, EXPERIMENTAL))


if __name__ == "__main__":
    main()
