"""--expect with connection facts, and --write-expected (CTest validator_expect; by hand:
MPTCPV_VALIDATE=build/validator/mptcpv-validate python3 -m unittest -v test_expect).

Works on copies of a few captures of captures/ and their sidecars in a temporary directory:
the committed sidecars are never written. Python 3 stdlib only.
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import test_validate as tv
import sidecar as sidecars  # noqa: E402  (tests/pylib, on the path by test_validate: the one
#                                          .expected reader, with the validator's lookup)

CAPTURES = os.path.join(tv.SOURCE_DIR, "captures")
# A linked and an unlinked connection (version ?, no keys), a fallback with a reason, many
# findings with trailing comments, IPv6, a join.
PICKED = ["crafted/rule-join.token_unknown.pcap", "crafted/rule-mp_fail-infinite-mapping.pcap",
          "crafted/option-syntax.pcap", "kernel/v1-ipv6.pcap", "kernel/v1-join.pcap"]


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)


fact_lines = sidecars.fact_lines


def findings_only(text):
    """|text| without its connection and subflow lines and the blank lines before them: a
    sidecar as it was before they existed."""
    lines = text.splitlines()
    facts = [i for i, ln in enumerate(lines) if sidecars.is_fact_line(ln)]
    if facts:
        lines = lines[:facts[0]]
        while lines and not lines[-1].strip():
            lines.pop()
    return "".join(ln + "\n" for ln in lines)


class ExpectFacts(tv.NeedsPlugin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dir = os.path.join(cls.tmp, "corpus")
        os.makedirs(cls.dir)
        os.chmod(cls.dir, 0o755)
        cls.original = {}
        for rel in PICKED:
            name = os.path.basename(rel)
            shutil.copy(os.path.join(CAPTURES, rel), os.path.join(cls.dir, name))
            os.chmod(os.path.join(cls.dir, name), 0o644)
            cls.original[name] = findings_only(
                read(sidecars.sidecar_path(os.path.join(CAPTURES, rel))))
            write(sidecars.sidecar_path(os.path.join(cls.dir, name)), cls.original[name])
        # one --write-expected run over the copies; the tests read its result
        cls.write_run = cls.run_cls("--write-expected", cls.dir)
        cls.written = {n: read(sidecars.sidecar_path(os.path.join(cls.dir, n)))
                       for n in cls.original}

    @classmethod
    def run_cls(cls, *args):
        return subprocess.run(tv.validator_argv(*args), env=cls.env,
                              capture_output=True, timeout=600)

    def capture(self, name):
        return os.path.join(self.dir, name)

    def sidecar(self, name, text):
        """A separate expected list for --expect FILE."""
        path = os.path.join(self.tmp, name + ".list")
        write(path, text)
        return path

    def expect(self, name, text):
        p = self.run_v("--expect", self.sidecar(name, text), self.capture(name))
        return p, p.stdout.decode()

    # ---- --write-expected --------------------------------------------------------------

    def test_write_then_expect_auto_passes(self):
        p = self.write_run
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, out + p.stderr.decode())
        self.assertIn("write-expected: 0 created, %d updated, 0 unchanged, 0 not written"
                      % len(PICKED), out)
        self.assertEqual(out.count("findings unchanged; connection facts added"), len(PICKED))
        p = self.run_v("--expect", "auto", self.dir)
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, out)
        self.assertRegex(out, r"PASS \S+rule-join\.token_unknown\.pcap \(1 finding, "
                              r"2 connections\)")
        self.assertIn("expect: %d passed, 0 failed" % len(PICKED), out)

    def test_write_is_idempotent(self):
        p = self.run_v("--write-expected", self.dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.decode().count("UNCHANGED "), len(PICKED))
        for n, text in self.written.items():
            self.assertEqual(read(sidecars.sidecar_path(self.capture(n))), text, n)

    def test_findings_and_comments_kept_facts_added(self):
        for n, old in self.original.items():
            with self.subTest(capture=n):
                new = self.written[n].splitlines()
                # the old sidecar is a prefix, verbatim (top comments, findings with their
                # trailing comments); then a blank line and the facts only
                self.assertEqual(new[:len(old.splitlines())], old.splitlines())
                rest = new[len(old.splitlines()):]
                self.assertEqual(rest[0], "")
                self.assertEqual(rest[1:], fact_lines("\n".join(rest)))
        self.assertIn("4 option.malformed  # MP_CAPABLE v1 length 13",
                      self.written["option-syntax.pcap"].splitlines())

    def test_fact_lines(self):
        facts = fact_lines(self.written["rule-join.token_unknown.pcap"])
        self.assertEqual(len(facts), 4)
        self.assertRegex(facts[0], r"^connection 0 version 1 client 192\.0\.2\.1:40001 server "
                                   r"198\.51\.100\.1:47001 subflows 1 checksum off client_key "
                                   r"0x96e576198c475350 server_key 0xd7b705e4d86c1a66 "
                                   r"client_token 0x[0-9a-f]{8} server_token 0x[0-9a-f]{8} "
                                   r"fallback -$")
        self.assertEqual(facts[2], "connection 1 version ? client 192.0.2.2:40002 server "
                                   "198.51.100.1:47001 subflows 1 checksum ? client_key - "
                                   "server_key - client_token - server_token - fallback -")
        self.assertRegex(facts[3], r"^subflow 1\.0 join client 192\.0\.2\.2:40002 server "
                                   r"198\.51\.100\.1:47001 backup [01] address_ids 2/0$")
        self.assertRegex(self.written["rule-mp_fail-infinite-mapping.pcap"],
                         r'(?m)^connection 0 version 1 .* checksum on .* fallback "MP_FAIL"$')
        self.assertRegex(self.written["v1-ipv6.pcap"],
                         r"(?m)^subflow 0\.0 initial client \[fd99:1::1\]:\d+ server "
                         r"\[fd99:1::2\]:\d+ backup 0 address_ids 0/0$")
        join = fact_lines(self.written["v1-join.pcap"])
        self.assertEqual([ln.split()[:3] for ln in join],
                         [["connection", "0", "version"], ["subflow", "0.0", "initial"],
                          ["subflow", "0.1", "join"]])

    def test_comments_kept_stale_lines_dropped(self):
        name = "v1-join.pcap"
        d = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(d, 0o755)
        shutil.copy(self.capture(name), os.path.join(d, name))
        side = sidecars.sidecar_path(os.path.join(d, name))
        facts = fact_lines(self.written[name])
        # the top block runs up to the first statement (reserved lines included); the
        # comment above the stale finding goes with it, to the end
        write(side, "# top comment one\n#  top comment two\n\n"
                    "stream 3 some reserved statement\n"
                    "# above the connection\n" + facts[0] + "  # trailing\n"
                    "# above a stale finding\n"
                    "7 dss.checksum_bad  # stale, trailing comment\n"
                    + facts[1].replace("address_ids 0/0", "address_ids 0/9") + "\n"
                    "# the end\n")
        p = self.run_v("--write-expected", os.path.join(d, name))
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("findings and connection facts changed (+ now, - before):\n"
                      "- 7 dss.checksum_bad\n" + "- " + facts[1].replace("0/0", "0/9") + "\n"
                      + "+ " + facts[1] + "\n+ " + facts[2] + "\n", out)
        self.assertEqual(read(side).splitlines(), [
            "# top comment one", "#  top comment two", "",
            "stream 3 some reserved statement", "# above the connection",
            facts[0] + "  # trailing", facts[1], facts[2],
            "# above a stale finding", "# the end"])
        self.assertEqual(self.run_v("--expect", "auto", d).returncode, 0)

    def test_created_sidecar(self):
        d = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(d, 0o755)
        name = "rule-mp_fail-infinite-mapping.pcap"
        shutil.copy(self.capture(name), os.path.join(d, "new.pcap"))
        p = self.run_v("--write-expected", os.path.join(d, "new.pcap"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("CREATED %s.expected (2 findings, 1 connection)"
                      % os.path.join(d, "new.pcap"), p.stdout.decode())
        text = read(sidecars.sidecar_path(os.path.join(d, "new.pcap"))).splitlines()
        self.assertEqual(text[0], "# new.pcap: expected results (mptcpv-validate "
                                  "--write-expected)")
        self.assertEqual(text[1:3], ["4 dss.checksum_bad", "5 connection.fallback"])
        self.assertEqual(self.run_v("--expect", "auto", d).returncode, 0)

    def test_write_usage(self):
        cap = self.capture("v1-join.pcap")
        for args in (["--write-expected", "--expect", "auto", cap],
                     ["--write-expected", "--ignore", "dss.checksum_bad", cap]):
            with self.subTest(args=args):
                p = self.run_v(*args)
                self.assertEqual(p.returncode, 2, p.stderr)
        with open(cap, "rb") as f:
            p = self.run_v("--write-expected", "-", stdin=f)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"ERROR -: stdin has no sidecar", p.stdout)
        # a sidecar that does not parse is left alone
        d = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(d, 0o755)
        shutil.copy(cap, os.path.join(d, "x.pcap"))
        write(sidecars.sidecar_path(os.path.join(d, "x.pcap")), "connection 0 version 1\n")
        p = self.run_v("--write-expected", d)
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stdout.decode(), r'ERROR \S+x\.pcap\.expected: \S+:1: key "client" '
                                            r'missing')
        self.assertEqual(read(sidecars.sidecar_path(os.path.join(d, "x.pcap"))),
                         "connection 0 version 1\n")

    # ---- --expect with facts -----------------------------------------------------------

    def test_wrong_key_fails_with_diff(self):
        name = "v1-join.pcap"
        good = self.written[name]
        conn = fact_lines(good)[0]
        key = re.search(r"client_key (0x[0-9a-f]{16})", conn).group(1)
        wrong = "0x%016x" % (int(key, 16) ^ 1)
        bad_conn = conn.replace(key, wrong)
        p, out = self.expect(name, good.replace(conn, bad_conn))
        self.assertEqual(p.returncode, 1, out)
        self.assertIn("FAIL %s: connection facts differ (+ found, not expected; - expected, "
                      "not found)\n- %s\n+ %s\nexpect: 0 passed, 1 failed"
                      % (self.capture(name), bad_conn, conn), out)

    def test_findings_only_list_still_passes(self):
        name = "option-syntax.pcap"
        p, out = self.expect(name, self.original[name])
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("PASS %s (20 findings)\n" % self.capture(name), out)

    def test_all_connections_and_subflows_compared(self):
        name = "rule-join.token_unknown.pcap"
        good = self.written[name]
        facts = fact_lines(good)
        # a subflow the list does not name, a connection it names that is not there
        text = good.replace(facts[3] + "\n", "") + facts[2].replace("connection 1", "connection 7")
        p, out = self.expect(name, text + "\n")
        self.assertEqual(p.returncode, 1, out)
        self.assertIn(": connection facts differ", out)
        self.assertIn("\n+ %s\n- %s\n" % (facts[3], facts[2].replace("connection 1",
                                                                      "connection 7")), out)
        # findings still count, and both are named
        p, out = self.expect(name, good.replace("4 join.token_unknown", "5 join.token_unknown"))
        self.assertEqual(p.returncode, 1, out)
        self.assertIn(": findings differ", out)
        p, out = self.expect(name, text.replace("4 join.token_unknown", "5 join.token_unknown"))
        self.assertIn(": findings and connection facts differ", out)
        self.assertIn("\n+ 4 join.token_unknown\n- 5 join.token_unknown\n+ subflow 1.0 ", out)

    def test_canonical_forms(self):
        name = "v1-ipv6.pcap"
        conn, sub = fact_lines(self.written[name])
        words = conn.split()
        pairs = dict(zip(words[2::2], words[3::2]))
        # keys in another order, upper-case and short hex, IPv6 spelled out, blanks
        pairs["client_key"] = pairs["client_key"].upper().replace("0X", "0x")
        pairs["client"] = pairs["client"].replace("fd99:1::1", "FD99:0001:0:0:0:0:0:1")
        text = "connection  0\t" + " ".join("%s %s" % kv for kv in reversed(pairs.items()))
        text += "  # hand-written\n" + sub + "\n"
        p, out = self.expect(name, text)
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("(0 findings, 1 connection)", out)
        short = "connection 1 version 1 client ? server ? subflows 0 checksum off client_key " \
                "0x1 server_key - client_token 0xab server_token - fallback \"a \\\"b\\\" # c\"\n"
        p, out = self.expect(name, text + short)
        self.assertEqual(p.returncode, 1, out)
        self.assertIn("\n- connection 1 version 1 client ? server ? subflows 0 checksum off "
                      "client_key 0x0000000000000001 server_key - client_token 0x000000ab "
                      "server_token - fallback \"a \\\"b\\\" # c\"\n", out)

    def test_malformed_fact_lines(self):
        name = "v1-ipv6.pcap"
        conn = fact_lines(self.written[name])[0]
        cases = {
            "connection 0 version 1": 'key "client" missing',
            conn + " version 1": 'key "version" given twice',
            conn + " colour blue": 'unknown key "colour"',
            conn.replace("checksum on", "checksum yes"): 'checksum "yes": expected on, off',
            conn.replace("client [", "client ").replace("]:", ":", 1): "expected a.b.c.d:port",
            conn.replace("fallback -", 'fallback "MP_FAIL'): "unterminated quoted string",
            "subflow 0 initial": "expected \"subflow <connection>.<subflow>",
        }
        for line, msg in cases.items():
            with self.subTest(line=line):
                p, out = self.expect(name, "# x\n" + line + "\n")
                self.assertEqual(p.returncode, 2, out)
                self.assertRegex(p.stderr.decode(), r"\.list:2: .*" + re.escape(msg))


if __name__ == "__main__":
    unittest.main()
