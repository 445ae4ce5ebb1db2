#!/usr/bin/env python3
"""A crafted capture for state scaling: N MPTCP v1 connections of 10 packets each (a
handshake, two data segments with DSS, DATA_ACKs, DATA_FINs), on distinct 4-tuples.

usage: make_state_capture.py OUT.pcap [CONNECTIONS]"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "craft"))
import options as o  # noqa: E402
from craft import SYN, ACK, Capture, Flow, handshake_v1, payload_bytes  # noqa: E402


# Ports no Wireshark dissector claims in 4.0-4.6 (tests/tshark/test_ports.py checks them
# against the running tshark): a claimed port would hand the payload to that dissector and
# measure it instead of mptcpv. Client addresses already differ per connection.
SERVER_PORT = 47001
CLIENT_PORTS = range(47100, 47900)


def client_port(i):
    return CLIENT_PORTS[i % len(CLIENT_PORTS)]


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    cap = Capture(out)
    data = payload_bytes(1000, 5)
    for i in range(n):
        client = "10.%d.%d.%d" % (1 + (i >> 16) % 200, (i >> 8) & 0xff, i & 0xff)
        f = Flow(cap, client, "198.51.100.1", client_port(i), SERVER_PORT, 1000 + i, 5000 + i)
        handshake_v1(cap, f)
        dsn = 0x1000 + i  # DSNs are not checked against IDSNs here: only state is measured
        f.send("c", ACK, o.dss(ack=1, ack64=True, dsn=dsn, dsn64=True, ssn=1, length=1000),
               data)
        f.send("s", ACK, o.dss(ack=dsn + 1000, ack64=True))
        f.send("c", ACK, o.dss(ack=1, ack64=True, dsn=dsn + 1000, dsn64=True, ssn=1001,
                               length=1000), data)
        f.send("s", ACK, o.dss(ack=dsn + 2000, ack64=True))
        f.send("c", ACK, o.dss(dsn=dsn + 2000, dsn64=True, ssn=0, length=1, fin=True))
        f.send("s", ACK, o.dss(ack=dsn + 2001, ack64=True))
        f.send("s", ACK, o.dss(dsn=1, dsn64=True, ssn=0, length=1, fin=True))
    cap.close()


if __name__ == "__main__":
    main()
