"""CLI tests of mptcpv-validate (run by CTest as validator_cli, or by hand:
MPTCPV_VALIDATE=build/validator/mptcpv-validate python3 -m unittest -v test_validate).

The validator finds the plugin itself: installed, or the build tree (as root it then runs
tshark as 'nobody' via setpriv). If neither works the plugin-dependent tests are skipped
with the validator's own explanation; the exit-3 and usage tests still run.
Captures: small ones generated here, plus shared/captures/external/** when present.
"""
import gzip
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import unittest

import minischema

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("MPTCPV_SOURCE_DIR", os.path.abspath(os.path.join(HERE, "..", "..")))
VALIDATE = os.environ.get("MPTCPV_VALIDATE",
                          os.path.join(SOURCE_DIR, "build", "validator", "mptcpv-validate"))
SCHEMA = os.path.join(HERE, "..", "schema", "report-v1.json")
JUNIT_XSD = os.path.join(HERE, "junit.xsd")
EXTERNAL = os.environ.get("MPTCPV_EXTERNAL_CAPTURES", os.path.abspath(
    os.path.join(SOURCE_DIR, "..", "shared", "captures", "external")))
RULES_DEF = os.path.join(SOURCE_DIR, "core", "rules.def")
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "pylib"))
import rulesdef  # noqa: E402  (tests/pylib: the one rules.def reader)
from pcapwriter import write_pcap  # noqa: E402  (tests/pylib: the one pcap writer)
# Set by CTest: the build's plugin root. The tests then test that plugin (--plugin-dir, given
# first so a test's own --plugin-dir wins), whatever else is installed, and a plugin that is
# not usable fails them instead of skipping them.
PLUGIN_ROOT = os.environ.get("MPTCPV_PLUGIN_ROOT")


def validator_argv(*args):
    """mptcpv-validate with |args|, with the build's plugin when CTest runs the tests
    ('merge' reads reports, it runs no tshark)."""
    args = [str(a) for a in args]
    if not PLUGIN_ROOT or args[:1] == ["merge"]:
        return [VALIDATE] + args
    return [VALIDATE, "--plugin-dir", PLUGIN_ROOT] + args


# ---- capture generation ----------------------------------------------------------------------

def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def _packet(src, dst, sport, dport, flags, options, seq=1000, ack=0):
    opts = options + b"\x01" * (-len(options) % 4)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (5 + len(opts) // 4) << 4, flags,
                      65535, 0, 0) + opts
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, bytes(src),
                     bytes(dst))
    ip = ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + tcp


A, B = [10, 0, 0, 1], [10, 0, 0, 2]
# MP_CAPABLE v1 SYN (kind 30, length 4, subtype 0 version 1, flags A|H): a clean handshake start
CLEAN = [_packet(A, B, 40000, 80, 0x02, b"\x1e\x04\x01\x81")]
# DSS with length 3: option.malformed (an error)
MALFORMED = [_packet(A, B, 40001, 80, 0x10, b"\x1e\x03\x20", seq=5, ack=7)]


def rules_from_table():
    return rulesdef.rule_ids(RULES_DEF)


# ---- helpers ---------------------------------------------------------------------------------

class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(VALIDATE, os.X_OK):
            raise unittest.SkipTest(f"{VALIDATE} not built")
        cls.tmp = tempfile.mkdtemp(prefix="mptcpv-validate-test-")
        os.chmod(cls.tmp, 0o755)
        cls.env = dict(os.environ, XDG_CACHE_HOME=os.path.join(cls.tmp, "cache"))
        cls.clean = os.path.join(cls.tmp, "clean.pcap")
        cls.malformed = os.path.join(cls.tmp, "malformed.pcap")
        write_pcap(cls.clean, CLEAN)
        write_pcap(cls.malformed, MALFORMED)
        for p in (cls.clean, cls.malformed):
            os.chmod(p, 0o644)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_v(self, *args, stdin=None, input_bytes=None):
        return subprocess.run(validator_argv(*args), env=self.env,
                              stdin=stdin, input=input_bytes, capture_output=True, timeout=600)

    def json_report(self, *args):
        p = self.run_v("-f", "json", *args)
        self.assertIn(p.returncode, (0, 1, 2), p.stderr)
        report = json.loads(p.stdout)
        with open(SCHEMA) as f:
            errors = minischema.validate(report, json.load(f))
        self.assertEqual(errors, [], "JSON report does not match the schema")
        return p, report

    def file_of(self, report, name):
        return next(f for f in report["files"] if f["path"].endswith(name))


class NeedsPlugin(Base):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        p = subprocess.run(validator_argv(cls.clean), env=cls.env, capture_output=True)
        if p.returncode == 3:
            msg = p.stderr.decode(errors="replace").strip()
            if PLUGIN_ROOT:
                raise AssertionError("the build's plugin %s is not usable: %s" % (PLUGIN_ROOT, msg))
            raise unittest.SkipTest("tshark/plugin not usable here (run `cmake --install "
                                    "build` as root, or build where 'nobody' can read): " + msg)

    def external(self):
        if not os.path.isdir(EXTERNAL):
            self.skipTest(f"{EXTERNAL} absent")
        return EXTERNAL


# ---- tests -----------------------------------------------------------------------------------

class Usage(Base):
    def test_list_rules_is_the_rule_table(self):
        p = self.run_v("--list-rules")
        self.assertEqual(p.returncode, 0)
        out = p.stdout.decode()
        for rule in rules_from_table():
            self.assertRegex(out, r"(?m)^%s\s+(error|warning|info)\s+(RFC|-)" % re.escape(rule))

    def test_version(self):
        p = self.run_v("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout.decode(), r"^mptcpv-validate \d+\.\d+\.\d+")

    def test_help_documents_exit_codes(self):
        out = self.run_v("--help").stdout.decode()
        for code in ("0", "1", "2", "3"):
            self.assertRegex(out, r"(?m)^  %s  " % code)

    def test_usage_errors_exit_2(self):
        cases = [["--no-such-option", self.clean], ["--ignore", "no.such_rule", self.clean],
                 ["--format", "xml", self.clean], ["--fail-on", "fatal", self.clean],
                 ["--shard", "3/2", self.clean], ["--shard", "x", self.clean], [],
                 ["-", "-"], ["--expect", os.path.join(self.tmp, "missing.expected"),
                              self.clean]]
        for args in cases:
            with self.subTest(args=args):
                p = self.run_v(*args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(b"mptcpv-validate:", p.stderr)

    def test_outputs_checked_before_analysis(self):
        """An unwritable output is an exit 2 naming the user's path before anything runs:
        with a tshark that does not exist the check comes first (2, not 3)."""
        afile = os.path.join(self.tmp, "a-file")
        open(afile, "w").close()
        notool = os.path.join(self.tmp, "no-tshark")
        for opt, path in (("-o", os.path.join(afile, "r.json")), ("-o", self.tmp),
                          ("--html", os.path.join(afile, "r.html")), ("--csv", afile)):
            with self.subTest(opt=opt, path=path):
                p = self.run_v("--tshark", notool, opt, path, self.clean)
                self.assertEqual(p.returncode, 2, p.stderr)
                err = p.stderr.decode()
                self.assertEqual(len(err.strip().splitlines()), 1, err)
                self.assertIn("%s %s: cannot write there" % (opt, path), err)
        p = self.run_v("merge", "-o", os.path.join(afile, "m.json"), afile)
        self.assertEqual(p.returncode, 2)
        self.assertIn(os.path.join(afile, "m.json"), p.stderr.decode())

    def test_tshark_missing_exit_3(self):
        p = self.run_v("--tshark", os.path.join(self.tmp, "no-tshark"), self.clean)
        self.assertEqual(p.returncode, 3)
        self.assertIn(b"tshark not found", p.stderr)

    def test_tshark_too_old_exit_3(self):
        fake = os.path.join(self.tmp, "old-tshark")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\necho 'TShark (Wireshark) 3.6.2 (Git v3.6.2)'\n")
        os.chmod(fake, 0o755)
        p = self.run_v("--no-cache", "--tshark", fake, self.clean)
        self.assertEqual(p.returncode, 3)
        self.assertIn(b"3.6.2", p.stderr)
        self.assertIn(b"cmake --install", p.stderr)

    def test_plugin_missing_exit_3(self):
        empty = os.path.join(self.tmp, "no-plugins")
        os.makedirs(empty, exist_ok=True)
        os.chmod(empty, 0o755)
        p = self.run_v("--no-cache", "--plugin-dir", empty, self.clean)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(empty.encode(), p.stderr)
        self.assertIn(b"mptcpv.so", p.stderr)


class PluginBuilds(Base):
    """The plugin tshark loads by itself must be this validator's build ("<version>+<build
    id>", tshark -G plugins); a second copy of the same build is worth a note. Run as an
    unprivileged user (nobody when root) whose tshark loads plugins from a given
    WIRESHARK_PLUGIN_DIR and a personal folder in a temporary HOME."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not PLUGIN_ROOT or not os.path.isdir(PLUGIN_ROOT):
            raise unittest.SkipTest("MPTCPV_PLUGIN_ROOT (the build's plugins/) not set")
        cls.abi = sorted(os.listdir(PLUGIN_ROOT))[0]
        with open(os.path.join(PLUGIN_ROOT, cls.abi, "epan", "mptcpv.so"), "rb") as f:
            cls.plugin = f.read()
        found = re.findall(rb"\d+\.\d+\.\d+\+[0-9a-f]{12}", cls.plugin)
        assert len(set(found)) == 1, found
        cls.build = found[0]
        # A copy of the validator nobody can run (the build tree may not be reachable).
        cls.validator = os.path.join(cls.tmp, "mptcpv-validate")
        shutil.copy(VALIDATE, cls.validator)
        os.chmod(cls.validator, 0o755)

    def install(self, root, plugin):
        path = os.path.join(root, self.abi, "epan", "mptcpv.so")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(plugin)
        for d in (os.path.join(root, self.abi, "epan"), os.path.join(root, self.abi), root):
            os.chmod(d, 0o755)
        os.chmod(path, 0o644)
        return path

    def run_user(self, plugin_dir, home):
        env = dict(os.environ, HOME=home, WIRESHARK_PLUGIN_DIR=plugin_dir)
        argv = [self.validator, "--no-cache", self.clean]
        if os.geteuid() == 0:
            argv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + argv
        return subprocess.run(argv, env=env, capture_output=True, timeout=300)

    def home(self, name):
        home = os.path.join(self.tmp, name)
        os.makedirs(home, exist_ok=True)
        os.chmod(home, 0o777)
        return home

    def test_another_build_exit_3_naming_it(self):
        other = self.plugin.replace(self.build, self.build[:-12] + b"000000000000")
        loaded = self.install(os.path.join(self.tmp, "other-build"), other)
        p = self.run_user(os.path.join(self.tmp, "other-build"), self.home("home-other"))
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn(loaded.encode(), p.stderr)
        self.assertIn(b"another build than this validator's (" + self.build, p.stderr)

    def test_same_build_twice_runs_with_a_note(self):
        loaded = self.install(os.path.join(self.tmp, "same-build"), self.plugin)
        home = self.home("home-twice")
        personal = self.install(os.path.join(home, ".local", "lib", "wireshark", "plugins"),
                                self.plugin)
        for d in (".local", ".local/lib", ".local/lib/wireshark"):
            os.chmod(os.path.join(home, d), 0o755)
        p = self.run_user(os.path.join(self.tmp, "same-build"), home)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"installed more than once", p.stderr)
        other = personal if loaded.encode() in p.stderr.split(b"Remove")[0] else loaded
        self.assertIn(other.encode(), p.stderr.split(b"Remove")[1])


class ExitCodes(NeedsPlugin):
    def test_clean_exit_0(self):
        p = self.run_v(self.clean)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_error_finding_exit_1(self):
        p = self.run_v(self.malformed)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(b"option.malformed", p.stdout)

    def test_ignore_and_fail_on(self):
        self.assertEqual(self.run_v("--ignore", "option.malformed", self.malformed).returncode, 0)
        self.assertEqual(self.run_v("--fail-on", "none", self.malformed).returncode, 0)
        self.assertEqual(self.run_v("--fail-on", "info", self.malformed).returncode, 1)

    def test_fail_on_warning(self):
        aa = os.path.join(self.external(), "tcpdump", "mptcp-aa-v1.pcap")
        self.assertEqual(self.run_v(aa).returncode, 0)
        self.assertEqual(self.run_v("--fail-on", "warning", aa).returncode, 1)


class Severity(NeedsPlugin):
    """--severity RULE=LEVEL, --config FILE [severity], --require-mptcp (issue 19)."""
    FALLBACK = os.path.join(SOURCE_DIR, "captures", "crafted", "rule-connection.fallback.pcap")

    def test_raise_info_to_error(self):
        self.assertEqual(self.run_v(self.FALLBACK).returncode, 0)
        p, report = self.json_report("--severity", "connection.fallback=error", self.FALLBACK)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(report["severity_overrides"], ["connection.fallback=error"])
        sev = [fd["severity"] for fd in report["files"][0]["findings"]]
        self.assertEqual(sev, ["error"])
        text = self.run_v("--severity", "connection.fallback=error", self.FALLBACK)
        self.assertIn(b"connection.fallback severity error (overridden, default info)",
                      text.stdout)
        out = os.path.join(self.tmp, "sev.xml")
        self.run_v("-f", "junit", "-o", out, "--severity", "connection.fallback=error",
                   self.FALLBACK)
        with open(out) as f:
            xml = f.read()
        self.assertIn('name="severity.connection.fallback" value="error (overridden, default '
                      'info)"', xml)
        self.assertIn('<failure type="connection.fallback"', xml)

    def test_lower_and_none(self):
        self.assertEqual(self.run_v(self.malformed).returncode, 1)
        self.assertEqual(self.run_v("--severity", "option.malformed=warning",
                                    self.malformed).returncode, 0)
        self.assertEqual(self.run_v("--severity", "option.malformed=warning", "--fail-on",
                                    "warning", self.malformed).returncode, 1)
        p, report = self.json_report("--severity", "option.malformed=none", "--fail-on", "info",
                                     self.malformed)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(report["summary"]["errors"] + report["summary"]["infos"], 0)
        self.assertEqual(report["severity_overrides"], ["option.malformed=none"])

    def test_config_file_and_cli_wins(self):
        cfg = os.path.join(self.tmp, "sev.conf")
        with open(cfg, "w") as f:
            f.write("# CI severities\n[severity]\nconnection.fallback = error\n"
                    "option.malformed=info\n")
        self.assertEqual(self.run_v("--config", cfg, self.FALLBACK).returncode, 1)
        self.assertEqual(self.run_v("--config", cfg, self.malformed).returncode, 0)
        self.assertEqual(self.run_v("--config", cfg, "--severity", "option.malformed=error",
                                    self.malformed).returncode, 1)

    def test_bad_values_exit_2_one_line(self):
        cfg = os.path.join(self.tmp, "bad.conf")
        with open(cfg, "w") as f:
            f.write("[severity]\nno.such_rule = error\n")
        for args in (["--severity", "no.such_rule=error"], ["--severity", "option.malformed=fatal"],
                     ["--severity", "option.malformed"], ["--config", cfg],
                     ["--config", os.path.join(self.tmp, "missing.conf")]):
            with self.subTest(args=args):
                p = self.run_v(*args, self.clean)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stdout, b"")
                first = p.stderr.decode().splitlines()[0]
                self.assertTrue(first.startswith("mptcpv-validate: --"), first)

    def test_require_mptcp(self):
        plain = os.path.join(self.tmp, "plain-tcp.pcap")
        write_pcap(plain, [_packet(A, B, 40002, 80, 0x02, b"\x02\x04\x05\xb4")])
        os.chmod(plain, 0o644)
        self.assertEqual(self.run_v(plain).returncode, 0)
        p = self.run_v("--require-mptcp", plain, self.clean)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(b"FAIL: no MPTCP connection (--require-mptcp)", p.stdout)
        self.assertEqual(self.run_v("--require-mptcp", self.clean).returncode, 0)
        p, report = self.json_report("--require-mptcp", plain)
        self.assertTrue(report["require_mptcp"])
        self.assertEqual(report["summary"]["failing"], 1)
        out = os.path.join(self.tmp, "req.xml")
        self.run_v("-f", "junit", "-o", out, "--require-mptcp", plain)
        with open(out) as f:
            self.assertIn('<failure type="require-mptcp"', f.read())


class SmallItems(NeedsPlugin):
    """Issue 19's small items: -j 0, plurals, non-UTF-8 names, severity naming."""

    def test_jobs_zero_rejected(self):
        for args in (["-j", "0"], ["-j0"], ["--jobs", "-3"]):
            with self.subTest(args=args):
                p = self.run_v(*args, self.clean)
                self.assertEqual(p.returncode, 2)
                self.assertIn(b"--jobs must be at least 1", p.stderr)

    def test_one_finding_singular(self):
        exp = os.path.join(self.tmp, "one.expected")
        with open(exp, "w") as f:
            f.write("1 option.malformed\n")
        p = self.run_v("--expect", exp, self.malformed)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(b"(1 finding)", p.stdout)
        self.assertNotIn(b"1 findings", p.stdout)
        text = self.run_v(self.malformed).stdout
        self.assertIn(b"1 error,", text)
        self.assertNotRegex(text, rb"\b1 (errors|warnings|connections|files|subflows)\b")

    def test_non_utf8_name_reversible(self):
        d = os.path.join(self.tmp, "nonutf8").encode()
        os.makedirs(d, exist_ok=True)
        os.chmod(d, 0o755)
        name = os.path.join(d, b"caf\xe9 100%.pcap")
        shutil.copy(self.clean, name)
        os.chmod(name, 0o644)
        p, report = self.json_report(os.fsdecode(d))
        self.assertEqual(p.returncode, 0, p.stderr)
        f = report["files"][0]
        self.assertIn("\ufffd", f["path"])
        import urllib.parse
        self.assertEqual(urllib.parse.unquote_to_bytes(f["path_raw"]), name)
        self.assertNotIn("path_raw", self.file_of(self.json_report(self.clean)[1], "clean.pcap"))
        out = os.path.join(self.tmp, "nonutf8.xml")
        self.run_v("-f", "junit", "-o", out, os.fsdecode(d))
        import xml.etree.ElementTree as ET
        prop = ET.parse(out).getroot().find("testsuite/properties/property[@name='path_raw']")
        self.assertEqual(urllib.parse.unquote_to_bytes(prop.get("value")), name)

    def test_severity_named_info(self):
        rules = self.run_v("--list-rules").stdout.decode()
        self.assertNotRegex(rules, r"\b[Nn]otes?\b")
        text = self.run_v(self.clean).stdout.decode()
        self.assertRegex(text, r"\binfos?\b")
        self.assertNotRegex(text, r"\b[Nn]otes?\b")


WRITER = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)  # a writer that keeps the pipe open
signal.signal(signal.SIGTERM, signal.SIG_IGN)
sys.stdout.buffer.write(open(sys.argv[1], "rb").read())
sys.stdout.buffer.flush()
time.sleep(120)
"""


class Interrupt(NeedsPlugin):
    """SIGINT/SIGTERM on the live pipeline `writer | mptcpv-validate -`: tshark stopped, the
    report of what was read written and marked interrupted, exit 128 + signal."""
    FALLBACK = os.path.join(SOURCE_DIR, "captures", "crafted", "rule-connection.fallback.pcap")

    def wait_for_analysis(self, pid, timeout=120):
        """Until the validator runs tshark on the capture (-T fields, not the plugin check),
        then a second for the packets to be read."""
        import time
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                  text=True).stdout.split()
            for k in kids:
                try:
                    with open("/proc/%s/cmdline" % k, "rb") as f:
                        if b"\0fields\0" in f.read():
                            time.sleep(1)
                            return
                except OSError:
                    pass
            time.sleep(0.1)
        self.fail("the validator did not start tshark on the capture")

    def pipeline(self, fmt, sig, whole_group):
        import signal
        import time
        writer = os.path.join(self.tmp, "writer.py")
        with open(writer, "w") as f:
            f.write(WRITER)
        # writer and validator in one new process group, as a shell job is
        w = subprocess.Popen([sys.executable, writer, self.FALLBACK], stdout=subprocess.PIPE,
                             process_group=0)
        p = subprocess.Popen(validator_argv("-f", fmt, "-"), env=self.env, stdin=w.stdout,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             process_group=w.pid)
        w.stdout.close()
        try:
            self.wait_for_analysis(p.pid)
            if whole_group:  # Ctrl-C in a terminal: the whole process group
                os.killpg(w.pid, sig)
            else:  # a CI runner's timeout: only the validator
                p.send_signal(sig)
            out, err = p.communicate(timeout=30)
        finally:
            os.killpg(w.pid, signal.SIGKILL)
            w.wait()
            if p.poll() is None:
                p.kill()
        rc = p.returncode
        return rc, out, err

    def test_sigint_process_group_text(self):
        import signal
        rc, out, err = self.pipeline("text", signal.SIGINT, True)
        self.assertEqual(rc, 130, err)
        self.assertIn(b"INTERRUPTED by SIGINT", out)
        self.assertIn(b"connection.fallback", out, "the packets read before are reported")
        self.assertIn(b"interrupted by SIGINT", err)

    def test_sigint_json(self):
        import signal
        rc, out, err = self.pipeline("json", signal.SIGINT, True)
        self.assertEqual(rc, 130, err)
        report = json.loads(out)
        self.assertTrue(report["interrupted"])
        self.assertEqual(report["summary"]["files"], 1)
        self.assertIn("interrupted", report["files"][0]["error"])
        self.assertEqual(len(report["files"][0]["connections"]), 1)
        with open(SCHEMA) as f:
            self.assertEqual(minischema.validate(report, json.load(f)), [])

    def test_sigterm_validator_only_junit(self):
        import signal
        rc, out, err = self.pipeline("junit", signal.SIGTERM, False)
        self.assertEqual(rc, 143, err)
        xml = out.decode()
        self.assertIn('name="mptcpv-validate (interrupted)"', xml)
        self.assertIn('<property name="interrupted" value="SIGTERM"/>', xml)
        path = os.path.join(self.tmp, "interrupted.xml")
        with open(path, "w") as f:
            f.write(xml)
        lint = subprocess.run(["xmllint", "--noout", "--schema", JUNIT_XSD, path],
                              capture_output=True)
        self.assertEqual(lint.returncode, 0, lint.stderr)

    def test_help_documents_interrupt_codes(self):
        out = self.run_v("--help").stdout.decode()
        self.assertIn("130", out)
        self.assertIn("143", out)


class Formats(NeedsPlugin):
    def test_text(self):
        p = self.run_v(self.clean, self.malformed)
        out = p.stdout.decode()
        self.assertRegex(out, r"^mptcpv-validate \S+ \(tshark \d+\.\d+\.\d+\)")
        self.assertIn("frame 1: error option.malformed:", out)
        self.assertRegex(out, r"(?m)^summary: 2 files, \d+ connections?, 1 error,")

    def test_json_schema_and_contract(self):
        p, report = self.json_report(self.clean, self.malformed)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(report["schema"], "mptcpv-report/1")
        self.assertRegex(report["tshark_version"], r"^\d+\.\d+\.\d+$")
        m = self.file_of(report, "malformed.pcap")
        self.assertIsNone(m["error"])
        self.assertEqual([(f["rule"], f["severity"], f["frame"]) for f in m["findings"]],
                         [("option.malformed", "error", 1)])
        self.assertTrue(m["findings"][0]["message"])
        s = report["summary"]
        self.assertEqual((s["files"], s["errors"], s["failing"]), (2, 1, 1))
        c = self.file_of(report, "clean.pcap")["connections"]
        self.assertEqual(len(c), 1)
        self.assertEqual(c[0]["version"], 1)
        self.assertEqual(c[0]["subflows"][0]["client"], {"address": "10.0.0.1", "port": 40000})

    def test_output_to_special_files_and_symlinks_in_place(self):
        """-o must not replace what it writes to: a FIFO or /dev/null stays what it is (as
        root, an atomic rename would make /dev/null a regular file), a symlink stays a
        symlink and its target gets the report."""
        fifo = os.path.join(self.tmp, "out.fifo")
        os.mkfifo(fifo)
        received = []
        import threading
        reader = threading.Thread(target=lambda: received.append(open(fifo, "rb").read()))
        reader.start()
        p = self.run_v("-f", "json", "-o", fifo, self.clean)
        reader.join(timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))
        self.assertIn(b'"schema"', received[0])
        target = os.path.join(self.tmp, "target.json")
        link = os.path.join(self.tmp, "link.json")
        open(target, "w").close()
        os.symlink(target, link)
        self.assertEqual(self.run_v("-f", "json", "-o", link, self.clean).returncode, 0)
        self.assertTrue(os.path.islink(link))
        with open(target) as f:
            self.assertIn('"schema"', f.read())
        before = os.lstat(os.devnull)
        self.assertEqual(self.run_v("-o", os.devnull, self.clean).returncode, 0)
        self.assertTrue(stat.S_ISCHR(os.lstat(os.devnull).st_mode))
        self.assertEqual(os.lstat(os.devnull).st_ino, before.st_ino)

    def test_json_external_schema(self):
        p, report = self.json_report(self.external())
        self.assertGreaterEqual(report["summary"]["files"], 10)
        self.assertEqual(report["summary"]["unreadable"], 0)
        v0 = self.file_of(report, "tcpdump/mptcp-v0.pcap")
        conn = v0["connections"][0]
        self.assertEqual((conn["version"], conn["checksum"], len(conn["subflows"])), (0, True, 2))
        self.assertEqual(conn["subflows"][1]["initial"], False)

    def test_output_file(self):
        out = os.path.join(self.tmp, "out dir é", "report.json")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        p = self.run_v("-f", "json", "-o", out, self.clean)
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stdout, b"")
        with open(out) as f:
            self.assertEqual(json.load(f)["summary"]["files"], 1)

    def test_junit(self):
        out = os.path.join(self.tmp, "junit.xml")
        bad = os.path.join(self.tmp, "junit-bad.pcap")
        with open(bad, "w") as f:
            f.write("<not a capture & \"quoted\">\n")
        p = self.run_v("-f", "junit", "-o", out, self.clean, self.malformed, bad)
        self.assertEqual(p.returncode, 2, p.stderr)
        lint = subprocess.run(["xmllint", "--noout", "--schema", JUNIT_XSD, out],
                              capture_output=True)
        self.assertEqual(lint.returncode, 0, lint.stderr)
        with open(out) as f:
            xml = f.read()
        self.assertEqual(len(re.findall(r"<testsuite ", xml)), 3)
        self.assertEqual(len(re.findall(r"<failure ", xml)), 1)
        self.assertEqual(len(re.findall(r"<error ", xml)), 1)
        self.assertIn('type="option.malformed"', xml)
        self.check_junit_consumer(out)

    def check_junit_consumer(self, path):
        """Read the report as Jenkins' and GitLab's JUnit parsers do (element tree, counts
        from the elements, times as floats) and check it is consistent."""
        import xml.etree.ElementTree as ET
        root = ET.parse(path).getroot()
        self.assertEqual(root.tag, "testsuites")
        rules = [r for r in rules_from_table()]
        totals = {"tests": 0, "failures": 0, "errors": 0}
        time_sum = 0.0
        for suite in root.findall("testsuite"):
            cases = suite.findall("testcase")
            names = [c.get("name") for c in cases]
            self.assertEqual(len(names), len(set(names)), "duplicate testcase names")
            fails = sum(1 for c in cases if c.find("failure") is not None)
            errs = sum(1 for c in cases if c.find("error") is not None)
            for c in cases:
                self.assertLessEqual(len(c.findall("failure")) + len(c.findall("error")), 1)
                self.assertGreaterEqual(float(c.get("time")), 0.0)
            self.assertEqual(int(suite.get("tests")), len(cases))
            self.assertEqual(int(suite.get("failures")), fails)
            self.assertEqual(int(suite.get("errors")), errs)
            t = float(suite.get("time"))
            if errs == 0 and suite.find("testcase/skipped") is None:
                self.assertGreater(t, 0.0, "suite time is the capture's analysis time")
            self.assertAlmostEqual(sum(float(c.get("time")) for c in cases), t, places=2)
            if suite.find("testcase[@name='capture']/skipped") is None:
                self.assertTrue(set(rules) <= set(names), "a testcase per rule checked")
            time_sum += t
            for k, n in (("tests", len(cases)), ("failures", fails), ("errors", errs)):
                totals[k] += n
        for k, n in totals.items():
            self.assertEqual(int(root.get(k)), n, k)
        self.assertAlmostEqual(float(root.get("time")), time_sum, places=2)
        return root

    def test_junit_one_failure_per_rule(self):
        out = os.path.join(self.tmp, "junit-many.xml")
        many = os.path.join(self.tmp, "many-malformed.pcap")
        write_pcap(many, MALFORMED * 3)
        os.chmod(many, 0o644)
        p = self.run_v("-f", "junit", "-o", out, many)
        self.assertEqual(p.returncode, 1, p.stderr)
        lint = subprocess.run(["xmllint", "--noout", "--schema", JUNIT_XSD, out],
                              capture_output=True)
        self.assertEqual(lint.returncode, 0, lint.stderr)
        root = self.check_junit_consumer(out)
        case = root.find("testsuite/testcase[@name='option.malformed']")
        fails = case.findall("failure")
        self.assertEqual(len(fails), 1)
        self.assertEqual(len(fails[0].text.strip().splitlines()), 3, "all findings listed")
        self.assertIn("3 findings", fails[0].get("message"))
        self.assertEqual(root.get("failures"), "1")


class BadInputs(NeedsPlugin):
    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(self.dir, 0o755)

    def path(self, name):
        return os.path.join(self.dir, name)

    def check_bad(self, path, problem):
        p, report = self.json_report(path, self.clean)
        self.assertEqual(p.returncode, 2, p.stderr)
        lines = p.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn(os.fsdecode(path), lines[0])
        self.assertIn(problem, lines[0])
        # the other input was still checked
        self.assertEqual(len(self.file_of(report, "clean.pcap")["connections"]), 1)
        self.assertEqual(report["summary"]["unreadable"], 1)
        return report

    def test_not_a_capture(self):
        with open(self.path("notes.txt"), "w") as f:
            f.write("hello\n")
        self.check_bad(self.path("notes.txt"), "not a capture")

    def test_empty(self):
        open(self.path("empty.pcap"), "w").close()
        self.check_bad(self.path("empty.pcap"), "empty")

    def test_truncated(self):
        src = os.path.join(self.external(), "tcpdump", "mptcp-v0.pcap")
        with open(src, "rb") as f:
            data = f.read()[:5000]  # `head -c 5000`
        with open(self.path("cut.pcap"), "wb") as f:
            f.write(data)
        os.chmod(self.path("cut.pcap"), 0o644)
        self.check_bad(self.path("cut.pcap"), "truncated")

    def test_unreadable(self):
        if os.geteuid() == 0:
            # root reads any file; /proc/self/mem fails at offset 0 with EIO
            self.check_bad("/proc/self/mem", "cannot read")
        else:
            p = self.path("secret.pcap")
            write_pcap(p, CLEAN)
            os.chmod(p, 0)
            self.check_bad(p, "cannot open")

    def test_missing(self):
        self.check_bad(self.path("missing.pcap"), "No such file")

    def test_directory_without_captures(self):
        os.makedirs(self.path("nothing here"))
        with open(self.path("nothing here/README"), "w") as f:
            f.write("no captures\n")
        self.check_bad(self.path("nothing here"), "no captures")

    def test_spaces_and_non_ascii(self):
        d = self.path("dir with spaces/ünïcode ✓")
        os.makedirs(d)
        shutil.copy(self.malformed, os.path.join(d, "x y é.pcap"))
        for root, dirs, files in os.walk(self.dir):
            for n in dirs + files:
                os.chmod(os.path.join(root, n), 0o755)
        p, report = self.json_report(self.dir)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertTrue(report["files"][0]["path"].endswith("ünïcode ✓/x y é.pcap"))
        self.assertEqual(report["files"][0]["findings"][0]["rule"], "option.malformed")

    def test_directory_skips_non_captures_by_content(self):
        write_pcap(self.path("capture-without-extension"), MALFORMED, nanosecond=True,
                   big_endian=True)
        with open(self.path("MANIFEST.tsv"), "w") as f:
            f.write("x\ty\n")
        for n in os.listdir(self.dir):
            os.chmod(self.path(n), 0o644)
        p, report = self.json_report(self.dir)
        self.assertEqual([os.path.basename(f["path"]) for f in report["files"]],
                         ["capture-without-extension"])
        self.assertEqual(report["files"][0]["findings"][0]["rule"], "option.malformed")

    def test_gzip_and_stdin(self):
        gz = self.path("m.pcap.gz")
        with open(self.malformed, "rb") as f, gzip.open(gz, "wb") as g:
            g.write(f.read())
        os.chmod(gz, 0o644)
        _, r1 = self.json_report(gz)
        self.assertEqual(r1["files"][0]["findings"][0]["rule"], "option.malformed")
        with open(gz, "rb") as f:
            p = self.run_v("-f", "json", "-", stdin=f)
        r2 = json.loads(p.stdout)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(r2["files"][0]["path"], "-")
        self.assertEqual(r2["files"][0]["findings"], r1["files"][0]["findings"])
        p = self.run_v("-", input_bytes=b"plain text\n")
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"-: not a capture", p.stderr)


class Expect(NeedsPlugin):
    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_pass(self):
        exp = self.write("m.expected", "# expected findings\n\n1 option.malformed  # DSS len 3\n"
                                       "stream 0 reserved words   # reserved, ignored\n")
        p = self.run_v("--expect", exp, self.malformed)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(b"PASS ", p.stdout)

    def test_fail_shows_difference(self):
        exp = self.write("wrong.expected", "2 option.malformed\n")
        p = self.run_v("--expect", exp, self.malformed)
        self.assertEqual(p.returncode, 1)
        out = p.stdout.decode()
        self.assertIn("FAIL ", out)
        self.assertIn("\n+ 1 option.malformed\n", out)
        self.assertIn("\n- 2 option.malformed\n", out)

    def test_auto_sidecars(self):
        d = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(d, 0o755)
        for name, pk in (("a.pcap", MALFORMED), ("b.pcap", CLEAN), ("c.pcap", CLEAN)):
            write_pcap(os.path.join(d, name), pk)
            os.chmod(os.path.join(d, name), 0o644)
        with open(os.path.join(d, "a.pcap.expected"), "w") as f:
            f.write("1 option.malformed\n")
        with open(os.path.join(d, "b.pcap.expected"), "w") as f:
            f.write("# no findings\n")
        p = self.run_v("--expect", "auto", d)
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 1, out)
        self.assertIn("PASS %s" % os.path.join(d, "a.pcap"), out)
        self.assertIn("PASS %s" % os.path.join(d, "b.pcap"), out)
        self.assertRegex(out, r"FAIL .*c\.pcap: no expected list")
        os.remove(os.path.join(d, "c.pcap"))
        self.assertEqual(self.run_v("--expect", "auto", d).returncode, 0)

    def test_expect_file_needs_one_capture(self):
        exp = self.write("one.expected", "")
        self.assertEqual(self.run_v("--expect", exp, self.clean, self.malformed).returncode, 2)

    def test_expect_with_ignore(self):
        exp = self.write("none.expected", "")
        self.assertEqual(self.run_v("--expect", exp, self.malformed).returncode, 1)
        self.assertEqual(self.run_v("--expect", exp, "--ignore", "option.malformed",
                                    self.malformed).returncode, 0)


class Corpus(NeedsPlugin):
    def corpus(self):
        d = os.path.join(self.tmp, "corpus")
        if not os.path.isdir(d):
            os.makedirs(os.path.join(d, "sub"))
            for i in range(6):
                write_pcap(os.path.join(d, "sub" if i % 2 else "", "g%d.pcap" % i),
                           MALFORMED if i % 3 == 0 else CLEAN)
            for root, dirs, files in os.walk(d):
                for n in dirs + files:
                    os.chmod(os.path.join(root, n), 0o755)
        args = [d]
        if os.path.isdir(EXTERNAL):
            args.append(EXTERNAL)
        return args

    def test_jobs_deterministic(self):
        for fmt in ("json", "text", "junit"):
            with self.subTest(fmt=fmt):
                a = self.run_v("-f", fmt, "-j", "1", *self.corpus())
                b = self.run_v("-f", fmt, "-j2", *self.corpus())
                self.assertEqual(a.returncode, b.returncode)
                if fmt == "junit":  # JUnit carries the analysis times, nothing else differs
                    a.stdout, b.stdout = (re.sub(rb' time="[0-9.]+"', b"", x.stdout)
                                          for x in (a, b))
                self.assertEqual(a.stdout, b.stdout)

    def test_shards_cover_corpus_and_merge(self):
        full = self.run_v("-f", "json", *self.corpus())
        whole = json.loads(full.stdout)
        n = 3
        paths, shard_files = [], []
        for k in range(1, n + 1):
            out = os.path.join(self.tmp, "shard%d.json" % k)
            p = self.run_v("-f", "json", "--shard", "%d/%d" % (k, n), "-o", out, *self.corpus())
            self.assertIn(p.returncode, (0, 1), p.stderr)
            with open(out) as f:
                shard_files.append([x["path"] for x in json.load(f)["files"]])
            paths.append(out)
        union = [p for s in shard_files for p in s]
        self.assertEqual(len(union), len(set(union)), "shards overlap")
        self.assertEqual(sorted(union), sorted(f["path"] for f in whole["files"]))
        merged = os.path.join(self.tmp, "merged.json")
        m = self.run_v("merge", "-o", merged, *reversed(paths))
        self.assertEqual(m.returncode, full.returncode, m.stderr)
        with open(merged, "rb") as f:
            self.assertEqual(f.read(), full.stdout, "merge of all shards != unsharded report")
        with open(SCHEMA) as f, open(merged) as g:
            self.assertEqual(minischema.validate(json.load(g), json.load(f)), [])
        # a missing shard or a shard given twice is an error
        self.assertEqual(self.run_v("merge", paths[0], paths[1]).returncode, 2)
        self.assertEqual(self.run_v("merge", paths[0], paths[0], paths[1], paths[2]).returncode,
                         2)

    def test_gnu_parallel_shards_merge_byte_identical(self):
        """The README's scale-out recipe: captures/ split with --shard K/N over GNU parallel,
        merged with `merge`: byte-identical to one unsharded run (JSON)."""
        parallel = shutil.which("parallel")
        if parallel is None:
            self.skipTest("GNU parallel not installed (Debian package parallel)")
        corpus = os.path.join(SOURCE_DIR, "captures")
        d = tempfile.mkdtemp(dir=self.tmp)
        os.chmod(d, 0o755)
        one = self.run_v("-f", "json", "-j", "2", corpus)
        self.assertIn(one.returncode, (0, 1), one.stderr)
        n = 4
        cmd = " ".join("'%s'" % a for a in validator_argv("-j", "1", "-f", "json", "--shard",
                                                          "{}/%d" % n, "-o",
                                                          os.path.join(d, "shard{}.json"),
                                                          corpus))
        p = subprocess.run([parallel, "--will-cite", "-j", "2", cmd + " || [ $? -eq 1 ]",
                            ":::"] + [str(k) for k in range(1, n + 1)],
                           env=self.env, capture_output=True, timeout=600)
        self.assertEqual(p.returncode, 0, p.stderr)
        merged = os.path.join(d, "merged.json")
        m = self.run_v("merge", "-o", merged, *sorted(
            os.path.join(d, f) for f in os.listdir(d) if f.startswith("shard")))
        self.assertEqual(m.returncode, one.returncode, m.stderr)
        with open(merged, "rb") as f:
            self.assertEqual(f.read(), one.stdout, "parallel shards merged != one run")

    def test_shard_is_stable(self):
        a = self.run_v("-f", "json", "--shard", "2/4", *self.corpus()).stdout
        b = self.run_v("-f", "json", "--shard", "2/4", "-j", "1", *self.corpus()).stdout
        self.assertEqual(a, b)


if __name__ == "__main__":
    unittest.main()
