"""Seed 001 (shared/seeds/001, "Multipath TCP on iOS 11: a closer look at the TCP options")
through mptcpv's fields, on captures/crafted/seed001-ios11-v0.pcap.

What the seed states is asserted as it states it: MSS 1410, SACK, window scale 6, a 64 KB
window and timestamps on the iPhone's LTE SYN without the checksum flag; SACK, timestamps,
window scale 7 and the checksum flag on the Linux server's SYN/ACK; the third ACK confirming
the checksum; DSS checksums (verified good) and 32-bit DSNs and DATA_ACKs both ways; MP_PRIO
in the fourth packet making the cellular subflow backup; an MP_JOIN with the server's token
and the backup flag clear at 4.74 s, a larger MSS than on LTE and window scale 6; no
ADD_ADDR, REMOVE_ADDR or MP_FASTCLOSE; no finding. The seed's keys, addresses, ports and
nonces are not in its text: the capture uses values chosen in tests/craft/craft.py (S1_*),
and tokens and HMACs are recomputed here with hashlib/hmac from what the capture carries.
"""
import hashlib
import hmac
import os
import struct
import unittest

import mptcpvtest as m

CAPTURE = os.path.join(m.CAPTURES_DIR, "crafted", "seed001-ios11-v0.pcap")
LTE, WIFI = "100.71.12.34", "192.168.1.23"  # chosen (the seed shows no addresses)
FIELDS = [
    "ip.src", "ip.dst", "tcp.flags.syn", "tcp.flags.ack", "frame.time_relative",
    "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.option_kind",
    "tcp.window_size_value", "mptcpv.subtype", "mptcpv.version", "mptcpv.mpc.version",
    "mptcpv.mpc.flags", "mptcpv.mpc.sender_key", "mptcpv.mpc.receiver_key",
    "mptcpv.conn.checksum", "mptcpv.conn.client_token", "mptcpv.conn.server_token",
    "mptcpv.connection", "mptcpv.subflow", "mptcpv.subflow.initial", "mptcpv.subflow.backup",
    "mptcpv.prio.backup", "mptcpv.prio.addr_id", "mptcpv.join.token", "mptcpv.join.backup",
    "mptcpv.join.nonce", "mptcpv.join.trunc_hmac", "mptcpv.join.hmac",
    "mptcpv.join.token_status", "mptcpv.join.hmac_status", "mptcpv.dss.flags.mapping",
    "mptcpv.dss.flags.dsn64", "mptcpv.dss.flags.ack64", "mptcpv.dss.dsn",
    "mptcpv.dss.data_ack", "mptcpv.dss.checksum", "mptcpv.dss.checksum_status", "mptcpv.dsn",
    "mptcpv.rule",
]
GOOD = 1  # MPTCPV_VERDICT_GOOD / MPTCPV_TOKEN_FOUND


def key_hash(key):
    return hashlib.sha1(struct.pack("!Q", key)).digest()  # v0 (RFC 6824 3.1)


class Seed001(m.TsharkTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not os.path.exists(CAPTURE):
            raise unittest.SkipTest("seed capture absent: %s" % CAPTURE)
        cls.rows = cls.tshark.fields(CAPTURE, FIELDS)

    def one(self, frame, field):
        values = self.rows[frame][field]
        self.assertEqual(len(values), 1, "frame %d %s: %r" % (frame, field, values))
        return values[0]

    def num(self, frame, field):
        return int(self.one(frame, field), 0)

    def frames(self, src=None, syn=None, ack=None):
        return [f for f, r in sorted(self.rows.items())
                if (src is None or src in (r["ip.src"] + r["ip.dst"])) and
                (syn is None or int(r["tcp.flags.syn"][0], 0) == syn) and
                (ack is None or int(r["tcp.flags.ack"][0], 0) == ack)]

    def keys(self):
        """Client and server key as the capture's third ACK echoes them."""
        third = [f for f in self.frames(LTE, syn=0) if self.rows[f]["mptcpv.mpc.receiver_key"]]
        self.assertEqual(third, [3])
        return self.num(3, "mptcpv.mpc.sender_key"), self.num(3, "mptcpv.mpc.receiver_key")

    def test_lte_handshake(self):
        """The iPhone's LTE SYN: MSS 1410, SACK, window scale 6, 64 KB window, timestamps,
        MP_CAPABLE v0 without the checksum flag; the server's SYN/ACK: SACK, timestamps,
        window scale 7, checksum required; the third ACK confirms the checksum."""
        self.assertEqual(self.frames(syn=1, ack=0)[0], 1)
        self.assertEqual(self.rows[1]["ip.src"], [LTE])
        self.assertEqual(self.num(1, "tcp.options.mss_val"), 1410)
        self.assertEqual(self.num(1, "tcp.options.wscale.shift"), 6)
        self.assertEqual(self.num(1, "tcp.window_size_value"), 65535)
        kinds = {int(k) for k in self.rows[1]["tcp.option_kind"]}
        self.assertTrue({2, 3, 4, 8, 30} <= kinds, kinds)  # MSS, WS, SACK_PERM, TS, MPTCP
        self.assertEqual(self.num(1, "mptcpv.mpc.version"), 0)
        self.assertEqual(self.num(1, "mptcpv.mpc.flags"), 0x01)  # H only: no checksum asked
        self.assertEqual(self.num(2, "tcp.flags.syn"), 1)
        self.assertEqual(self.num(2, "tcp.options.wscale.shift"), 7)
        self.assertTrue({4, 8} <= {int(k) for k in self.rows[2]["tcp.option_kind"]})
        self.assertEqual(self.num(2, "mptcpv.mpc.flags"), 0x81)  # A: checksum required, H
        self.assertEqual(self.num(3, "mptcpv.mpc.flags"), 0x81)  # the third ACK confirms
        self.assertEqual(self.num(1, "mptcpv.mpc.sender_key"), self.keys()[0])
        self.assertEqual(self.num(2, "mptcpv.mpc.sender_key"), self.keys()[1])
        for f in self.frames():
            if f > 1:
                self.assertEqual(self.num(f, "mptcpv.conn.checksum"), 1, f)

    def test_tokens(self):
        """Connection tokens are SHA-1 of the keys (v0); the capture's chosen keys."""
        client, server = self.keys()
        self.assertEqual((client, server), (0x3f9a61d2c4b8e705, 0x8c21e4f07a5d3b96))
        tokens = {f: (self.one(f, "mptcpv.conn.client_token"),
                      self.one(f, "mptcpv.conn.server_token")) for f in self.frames() if f > 1}
        expected = ("0x%08x" % struct.unpack("!I", key_hash(client)[:4])[0],
                    "0x%08x" % struct.unpack("!I", key_hash(server)[:4])[0])
        self.assertEqual(expected, ("0x3b9c2b26", "0xcd9cc70d"))
        self.assertEqual(set(tokens.values()), {expected})

    def test_dss_32bit_with_good_checksums(self):
        """Every mapping carries a checksum that verifies; DSNs and DATA_ACKs are 32-bit,
        the first ones are the low 32 bits of each IDSN + 1."""
        client, server = self.keys()
        mappings = [f for f in self.frames() if
                    [int(v) for v in self.rows[f]["mptcpv.dss.flags.mapping"]] == [1]]
        self.assertEqual(len(mappings), 16)
        for f in mappings:
            self.assertEqual(len(self.rows[f]["mptcpv.dss.checksum"]), 1, f)
            self.assertEqual(self.num(f, "mptcpv.dss.checksum_status"), GOOD, f)
        statuses = [int(v) for r in self.rows.values() for v in r["mptcpv.dss.checksum_status"]]
        self.assertEqual(statuses, [GOOD] * 16)
        for r in self.rows.values():
            for flag in ("mptcpv.dss.flags.dsn64", "mptcpv.dss.flags.ack64"):
                self.assertEqual(set(int(v) for v in r[flag]) - {0}, set())
        idsn = {who: struct.unpack("!Q", key_hash(k)[-8:])[0]
                for who, k in (("c", client), ("s", server))}
        first_c = next(f for f in mappings if self.rows[f]["ip.src"] == [LTE])
        first_s = next(f for f in mappings if self.rows[f]["ip.dst"] == [LTE])
        self.assertEqual(self.num(first_c, "mptcpv.dss.dsn"), (idsn["c"] + 1) & 0xffffffff)
        self.assertEqual(self.num(first_s, "mptcpv.dss.dsn"), (idsn["s"] + 1) & 0xffffffff)
        self.assertEqual(self.num(first_c, "mptcpv.dss.data_ack"),
                         (idsn["s"] + 1) & 0xffffffff)
        self.assertEqual([self.num(f, "mptcpv.dsn") for f in (first_c, first_s)], [1, 1])

    def test_mp_prio_makes_lte_backup(self):
        """The fourth packet carries MP_PRIO B=1 (3-byte form: its own subflow); the LTE
        subflow is backup from that frame on, the WiFi subflow never is."""
        self.assertIn(5, [int(v, 0) for v in self.rows[4]["mptcpv.subtype"]])
        self.assertEqual(self.num(4, "mptcpv.prio.backup"), 1)
        self.assertEqual(self.rows[4]["mptcpv.prio.addr_id"], [])
        self.assertEqual(self.rows[4]["ip.src"], [LTE])
        prio = [f for f, r in self.rows.items() if r["mptcpv.prio.backup"]]
        self.assertEqual(prio, [4])
        for f in self.frames(LTE):
            self.assertEqual(self.num(f, "mptcpv.subflow.backup"), int(f >= 4), f)
        for f in self.frames(WIFI):
            self.assertEqual(self.num(f, "mptcpv.subflow.backup"), 0, f)

    def test_wifi_join(self):
        """WiFi's MP_JOIN at 4.74 s: the server's token, backup clear, a larger MSS than on
        LTE, window scale 6; linked to the LTE subflow's connection; both HMACs good and
        equal to HMAC-SHA1 over the capture's nonces with its keys (RFC 6824 3.2)."""
        client, server = self.keys()
        syn = self.frames(WIFI, syn=1, ack=0)
        self.assertEqual(len(syn), 1)
        syn = syn[0]
        self.assertAlmostEqual(float(self.one(syn, "frame.time_relative")), 4.74, places=6)
        self.assertEqual(self.one(syn, "mptcpv.join.token"),
                         self.one(2, "mptcpv.conn.server_token"))
        self.assertEqual(self.num(syn, "mptcpv.join.token_status"), GOOD)
        self.assertEqual(self.num(syn, "mptcpv.join.backup"), 0)
        self.assertGreater(self.num(syn, "tcp.options.mss_val"), 1410)
        self.assertEqual(self.num(syn, "tcp.options.wscale.shift"), 6)
        synack = self.frames(WIFI, syn=1, ack=1)[0]
        third = self.frames(WIFI, syn=0)[0]
        self.assertEqual([self.num(f, "mptcpv.join.hmac_status") for f in (synack, third)],
                         [GOOD, GOOD])
        r_c, r_s = self.num(syn, "mptcpv.join.nonce"), self.num(synack, "mptcpv.join.nonce")
        mac_s = hmac.new(struct.pack("!QQ", server, client), struct.pack("!II", r_s, r_c),
                         hashlib.sha1).digest()
        mac_c = hmac.new(struct.pack("!QQ", client, server), struct.pack("!II", r_c, r_s),
                         hashlib.sha1).digest()
        self.assertEqual(self.num(synack, "mptcpv.join.trunc_hmac"),
                         struct.unpack("!Q", mac_s[:8])[0])
        self.assertEqual(self.one(third, "mptcpv.join.hmac").replace(":", ""), mac_c.hex())
        conn = self.one(1, "mptcpv.connection")
        for f in self.frames():
            self.assertEqual(self.one(f, "mptcpv.connection"), conn, f)
        self.assertEqual({self.num(f, "mptcpv.subflow") for f in self.frames(WIFI)}, {1})
        self.assertEqual({self.num(f, "mptcpv.subflow") for f in self.frames(LTE)}, {0})
        self.assertEqual({self.num(f, "mptcpv.subflow.initial") for f in self.frames(WIFI)},
                         {0})

    def test_subtypes_and_findings(self):
        """Only MP_CAPABLE, MP_JOIN, DSS and MP_PRIO (no ADD_ADDR, REMOVE_ADDR,
        MP_FASTCLOSE, MP_FAIL); version 0 throughout; no finding."""
        subtypes = {int(v, 0) for r in self.rows.values() for v in r["mptcpv.subtype"]}
        self.assertEqual(subtypes, {0x0, 0x1, 0x2, 0x5})
        versions = {v for r in self.rows.values() for v in r["mptcpv.version"]}
        self.assertEqual(versions, {"0"})
        self.assertEqual([(f, r["mptcpv.rule"]) for f, r in self.rows.items()
                          if r["mptcpv.rule"]], [])


if __name__ == "__main__":
    unittest.main()
