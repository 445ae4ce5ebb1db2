"""Run tshark with the build-tree mptcpv plugin, as root or not.

tshark started as root ignores WIRESHARK_PLUGIN_DIR and personal plugin folders, so a test
run as root would silently test whatever is installed globally (or nothing). To test the
build, every run here is unprivileged:

- as a normal user: WIRESHARK_PLUGIN_DIR points at a temporary copy of the build's plugin
  root, HOME at an empty temporary directory (no personal plugins or preferences);
- as root: the same, started through 'setpriv --reuid=nobody --regid=nogroup
  --clear-groups', with the plugin copy and HOME world-readable, and the capture fed on
  stdin ('-r -', the file opened by root) so the checkout's permissions do not matter.
  tshark cannot do two passes (-2) on stdin; those runs read a world-readable copy.

argv is always a list, never a shell string. Paths come from the environment CTest sets
(tests/tshark/CMakeLists.txt): MPTCPV_SOURCE_DIR, MPTCPV_BUILD_DIR, MPTCPV_PLUGIN_ROOT.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
# tests/pylib: the one rules.def reader, pcap writer and .expected reader.
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
import rulesdef  # noqa: E402
import sidecar  # noqa: E402
SOURCE_DIR = (os.environ.get("MPTCPV_SOURCE_DIR") or
              os.path.abspath(os.path.join(HERE, "..", "..")))
BUILD_DIR = os.environ.get("MPTCPV_BUILD_DIR") or os.path.join(SOURCE_DIR, "build")
PLUGIN_ROOT = os.environ.get("MPTCPV_PLUGIN_ROOT") or os.path.join(BUILD_DIR, "plugins")
SHARED_DIR = os.path.abspath(os.path.join(SOURCE_DIR, "..", "shared"))
EXTERNAL_DIR = os.path.join(SHARED_DIR, "captures", "external")
CAPTURES_DIR = os.path.join(SOURCE_DIR, "captures")

CAPTURE_RE = re.compile(r"\.(pcap|pcapng|cap)(\.gz)?$")


def is_root():
    return os.geteuid() == 0


def built_plugin():
    """Path of mptcpv.so in the build tree (<root>/<major.minor>/epan/mptcpv.so) or None."""
    if not os.path.isdir(PLUGIN_ROOT):
        return None
    for abi in sorted(os.listdir(PLUGIN_ROOT)):
        path = os.path.join(PLUGIN_ROOT, abi, "epan", "mptcpv.so")
        if os.path.exists(path):
            return path
    return None


class Tshark:
    """tshark with the build-tree plugin (plugins=True) or with an empty plugin folder."""

    def __init__(self, plugins=True, plugin_root=None, extra_env=None):
        self.extra_env = dict(extra_env or {})
        self.booleans = None  # FT_BOOLEAN field names, read when first needed
        plugin_root = plugin_root or PLUGIN_ROOT
        self.tmp = tempfile.mkdtemp(prefix="mptcpv-tshark-")
        self.plugin_dir = os.path.join(self.tmp, "plugins")
        if plugins:
            shutil.copytree(plugin_root, self.plugin_dir)
        else:
            os.makedirs(self.plugin_dir)
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.stage_dir = os.path.join(self.tmp, "captures")
        os.makedirs(self.stage_dir)
        # World-readable (and the HOME writable by the unprivileged user).
        for root, dirs, files in os.walk(self.tmp):
            os.chmod(root, 0o755)
            for name in files:
                os.chmod(os.path.join(root, name), 0o644)
        if is_root():
            shutil.chown(self.home, "nobody", "nogroup")

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def argv(self, args):
        base = ["tshark"] + list(args)
        if is_root():
            return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + base
        return base

    def env(self):
        env = dict(os.environ)
        env["HOME"] = self.home
        env["WIRESHARK_PLUGIN_DIR"] = self.plugin_dir
        env["LC_ALL"] = "C.UTF-8"
        for name in ("WIRESHARK_CONFIG_DIR", "XDG_CONFIG_HOME", "WIRESHARK_EXTCAP_DIR"):
            env.pop(name, None)
        env.update(self.extra_env)
        return env

    def stage(self, capture):
        """A world-readable copy of |capture| (for runs that cannot read stdin)."""
        flat = os.path.abspath(capture).strip(os.sep).replace(os.sep, "_")
        dest = os.path.join(self.stage_dir, flat)
        if not os.path.exists(dest):
            shutil.copyfile(capture, dest)
            os.chmod(dest, 0o644)
        return dest

    def run(self, args, capture=None, check=True, timeout=600, keep_stdout=True):
        """Run tshark; returns (exit code, stdout, stderr). A negative code is a signal."""
        argv = list(args)
        stdin = subprocess.DEVNULL
        if capture is not None:
            if not is_root():
                argv = ["-r", capture] + argv
            elif "-2" in argv:
                argv = ["-r", self.stage(capture)] + argv
            else:
                stdin = open(capture, "rb")
                argv = ["-r", "-"] + argv
        try:
            proc = subprocess.run(self.argv(argv), env=self.env(), cwd=self.home, stdin=stdin,
                                  stdout=subprocess.PIPE if keep_stdout else subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=timeout, check=False)
        finally:
            if stdin is not subprocess.DEVNULL:
                stdin.close()
        out = proc.stdout.decode("utf-8", "replace") if keep_stdout else ""
        err = proc.stderr.decode("utf-8", "replace")
        if check and proc.returncode != 0:
            raise AssertionError("tshark %s failed (%d): %s" % (argv, proc.returncode, err))
        return proc.returncode, out, err

    def fields(self, capture, fields, extra=()):
        """Per frame: {field: [values]} (-T fields, every occurrence, in tree order)."""
        args = ["-n", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
                "-E", "separator=/t", "-e", "frame.number"]
        for f in fields:
            args += ["-e", f]
        _, out, _ = self.run(list(extra) + args, capture)
        rows = {}
        for line in out.splitlines():
            cols = line.split("\t")
            frame = int(cols[0])
            rows[frame] = {f: (cols[i + 1].split("|") if i + 1 < len(cols) and cols[i + 1]
                               else []) for i, f in enumerate(fields)}
        if re.search(r"(^|[\t|])(True|False)($|[\t|])", out, re.M):
            self._booleans_as_digits(rows, fields)
        return rows

    def _booleans_as_digits(self, rows, fields):
        """tshark up to 4.0 prints FT_BOOLEAN fields as 1/0, 4.2 and later as True/False:
        give 1/0 for both, so tests compare values alike on every release."""
        if self.booleans is None:
            self.booleans = {row[2] for row in self.glossary()
                             if row[0] == "F" and len(row) > 3 and row[3] == "FT_BOOLEAN"}
        digits = {"True": "1", "False": "0"}
        for row in rows.values():
            for f in fields:
                if f in self.booleans:
                    row[f] = [digits.get(v, v) for v in row[f]]

    def glossary(self):
        """tshark -G fields as a list of column lists ('F' and 'P' rows)."""
        _, out, _ = self.run(["-G", "fields"])
        return [line.split("\t") for line in out.splitlines()]


def all_captures():
    """Every capture of the repo's corpus and of ../shared/captures/external."""
    found = []
    for top in (CAPTURES_DIR, EXTERNAL_DIR):
        for root, _, files in os.walk(top):
            found += [os.path.join(root, n) for n in files if CAPTURE_RE.search(n)]
    return sorted(found)


def external_captures():
    return [c for c in all_captures() if c.startswith(EXTERNAL_DIR + os.sep)]


def repo_captures():
    return [c for c in all_captures() if c.startswith(CAPTURES_DIR + os.sep)]


def expected_file(capture):
    """The findings list of |capture| (<capture>.expected, as the validator looks it up), or
    None."""
    return sidecar.find_sidecar(capture)


def read_expected(path):
    """Multiset of (frame, rule) of the finding lines of |path| (tests/pylib/sidecar.py)."""
    return sidecar.read_findings(path)


def rules_table():
    """{rule id: severity ('error', 'warning', 'info')} of core/rules.def."""
    return rulesdef.severities(os.path.join(SOURCE_DIR, "core", "rules.def"))


class TsharkTestCase(unittest.TestCase):
    """A test class with self.tshark: the build-tree plugin, run unprivileged."""
    plugins = True

    @classmethod
    def setUpClass(cls):
        if shutil.which("tshark") is None:
            raise unittest.SkipTest("tshark is not installed")
        if is_root() and shutil.which("setpriv") is None:
            raise unittest.SkipTest("running as root needs setpriv (util-linux) to drop "
                                    "privileges; tshark as root ignores the build's plugin")
        if cls.plugins and built_plugin() is None:
            raise unittest.SkipTest("plugin not built: no %s/<abi>/epan/mptcpv.so"
                                    % PLUGIN_ROOT)
        cls.tshark = Tshark(plugins=cls.plugins)

    @classmethod
    def tearDownClass(cls):
        cls.tshark.close()

    def require_external(self):
        if not os.path.isdir(EXTERNAL_DIR):
            self.skipTest("shared captures absent: %s" % EXTERNAL_DIR)

    def require_capture(self, path):
        if not os.path.exists(path):
            self.skipTest("capture absent: %s" % path)
        return path
