"""Run tshark with the build-tree mptcpv plugin, as root or not.

tshark started as root ignores WIRESHARK_PLUGIN_DIR and personal plugin folders. To test
the build rather than whatever is installed, a root run drops to 'nobody' (setpriv) with a
temporary HOME and a world-readable copy of the plugin and of the capture. argv is always a
list, never a shell string.
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

SOURCE_DIR = os.environ.get("MPTCPV_SOURCE_DIR", os.path.abspath(os.path.join(
    os.path.dirname(__file__), "..", "..")))
PLUGIN_ROOT = os.environ.get("MPTCPV_PLUGIN_ROOT", os.path.join(SOURCE_DIR, "build", "plugins"))
SHARED_DIR = os.path.abspath(os.path.join(SOURCE_DIR, "..", "shared"))
EXTERNAL_DIR = os.path.join(SHARED_DIR, "captures", "external")
CAPTURES_DIR = os.path.join(SOURCE_DIR, "captures")


def is_root():
    return os.geteuid() == 0


class Tshark:
    """tshark with the build-tree plugin (plugins=True) or with no plugin at all."""

    def __init__(self, plugins=True, plugin_root=None, extra_env=None):
        self.extra_env = dict(extra_env or {})
        plugin_root = plugin_root or PLUGIN_ROOT
        self.tmp = tempfile.mkdtemp(prefix="mptcpv-tshark-")
        os.chmod(self.tmp, 0o755)
        self.plugin_dir = os.path.join(self.tmp, "plugins")
        if plugins:
            shutil.copytree(plugin_root, self.plugin_dir)
        else:
            os.makedirs(self.plugin_dir)
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        for root, dirs, files in os.walk(self.tmp):
            for name in dirs + files:
                os.chmod(os.path.join(root, name), 0o755)
        if is_root():
            shutil.chown(self.home, "nobody")

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
        env.pop("WIRESHARK_CONFIG_DIR", None)
        env.update(self.extra_env)
        return env

    def stage(self, capture):
        """A copy of |capture| that the unprivileged tshark can read."""
        dest = os.path.join(self.tmp, "cap-" + os.path.basename(capture))
        if not os.path.exists(dest):
            shutil.copyfile(capture, dest)
            os.chmod(dest, 0o644)
        return dest

    def run(self, args, capture=None, check=True, timeout=600, keep_stdout=True):
        argv = list(args)
        if capture is not None:
            argv = ["-r", self.stage(capture)] + argv
        proc = subprocess.run(self.argv(argv), env=self.env(), cwd=self.tmp,
                              stdout=subprocess.PIPE if keep_stdout else subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=timeout, check=False)
        out = proc.stdout.decode("utf-8", "replace") if keep_stdout else ""
        err = proc.stderr.decode("utf-8", "replace")
        if check and proc.returncode != 0:
            raise AssertionError("tshark %s failed (%d): %s" % (argv, proc.returncode, err))
        return proc.returncode, out, err

    def fields(self, capture, fields, extra=()):
        """Per frame: {field: [values]} using -T fields with all occurrences."""
        args = ["-n", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
                "-E", "separator=\t", "-e", "frame.number"]
        for f in fields:
            args += ["-e", f]
        _, out, _ = self.run(list(extra) + args, capture)
        rows = {}
        for line in out.splitlines():
            cols = line.split("\t")
            frame = int(cols[0])
            rows[frame] = {f: (cols[i + 1].split("|") if i + 1 < len(cols) and cols[i + 1]
                               else []) for i, f in enumerate(fields)}
        return rows


def all_captures():
    """Every capture of the repo's corpus and of shared/captures/external."""
    found = []
    for top in (CAPTURES_DIR, EXTERNAL_DIR):
        for root, _, files in os.walk(top):
            for name in sorted(files):
                if re.search(r"\.(pcap|pcapng)(\.gz)?$", name):
                    found.append(os.path.join(root, name))
    return sorted(found)


def external_captures():
    return [c for c in all_captures() if c.startswith(EXTERNAL_DIR)]


def rules_table():
    """{rule id: severity} parsed from core/rules.def, the one rule table."""
    with open(os.path.join(SOURCE_DIR, "core", "rules.def")) as f:
        text = f.read()
    return {m.group(2): m.group(3).lower() for m in re.finditer(
        r'MPTCPV_RULE\((\w+),\s*"([^"]+)",\s*(\w+)', text)}


class TsharkTestCase(unittest.TestCase):
    plugins = True

    @classmethod
    def setUpClass(cls):
        if shutil.which("tshark") is None:
            raise unittest.SkipTest("tshark is not installed")
        if cls.plugins and not os.path.exists(os.path.join(PLUGIN_ROOT)):
            raise unittest.SkipTest("plugin not built: %s" % PLUGIN_ROOT)
        cls.tshark = Tshark(plugins=cls.plugins)

    @classmethod
    def tearDownClass(cls):
        cls.tshark.close()

    def require_external(self):
        if not os.path.isdir(EXTERNAL_DIR):
            self.skipTest("shared captures absent: %s" % EXTERNAL_DIR)
