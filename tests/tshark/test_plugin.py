"""The plugin loads (unprivileged from the build tree; as root once installed) and its
namespace is clean: every field is mptcpv.*, no duplicates, one expert info per rule."""
import filecmp
import os
import re
import shutil
import subprocess
import unittest

import mptcpvtest as m

PLUGIN_ROW = re.compile(r"^mptcpv\.so\s+(\S+)\s+dissector\s+(\S+)", re.M)


class PluginLoads(m.TsharkTestCase):
    def test_listed_as_unprivileged_user(self):
        _, out, _ = self.tshark.run(["-G", "plugins"])
        match = PLUGIN_ROW.search(out)
        self.assertIsNotNone(match, "tshark -G plugins does not list mptcpv.so:\n" + out)
        # Loaded from the copy of the build tree, not from an installed file.
        self.assertTrue(match.group(2).startswith(self.tshark.plugin_dir), match.group(2))
        self.assertTrue(filecmp.cmp(match.group(2), m.built_plugin(), shallow=False))

    def test_without_plugin_dir_nothing_loads(self):
        """The 'without plugin' runs of the other tests really have no mptcpv."""
        bare = m.Tshark(plugins=False)
        try:
            _, out, _ = bare.run(["-G", "plugins"])
            self.assertIsNone(PLUGIN_ROW.search(out), out)
            _, out, _ = bare.run(["-G", "protocols"])
            self.assertNotIn("\tmptcpv\t", out)
        finally:
            bare.close()


class Namespace(m.TsharkTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rows = cls.tshark.glossary()

    def test_protocol_registered(self):
        protocols = [r for r in self.rows if r[0] == "P" and len(r) > 2 and r[2] == "mptcpv"]
        self.assertEqual(len(protocols), 1)

    def test_every_field_is_mptcpv_and_unique(self):
        ours = [r[2] for r in self.rows if r[0] == "F" and len(r) > 4 and r[4] == "mptcpv"]
        self.assertGreater(len(ours), 50)
        for name in ours:
            self.assertTrue(name.startswith("mptcpv."), name)
        duplicates = sorted({n for n in ours if ours.count(n) > 1})
        self.assertEqual(duplicates, [], "field names registered twice")
        # Nothing outside the protocol claims our prefix either.
        strays = [r[2] for r in self.rows if r[0] == "F" and len(r) > 4 and
                  r[2].startswith("mptcpv.") and r[4] != "mptcpv"]
        self.assertEqual(strays, [])
        for required in ("mptcpv.option", "mptcpv.subtype", "mptcpv.length", "mptcpv.version",
                         "mptcpv.rule", "mptcpv.truncated", "mptcpv.mpc.sender_key",
                         "mptcpv.join.token", "mptcpv.dss.dsn", "mptcpv.add_addr.ipv4",
                         "mptcpv.remove_addr.addr_id", "mptcpv.prio.backup", "mptcpv.fail.dsn",
                         "mptcpv.fastclose.receiver_key", "mptcpv.tcprst.reason"):
            self.assertIn(required, ours)

    def test_one_expert_info_per_rule(self):
        """tshark 4.0 has no '-G expert' (4.2 added it); there the expert infos appear in
        -G fields as FT_NONE fields. Use -G expert when this tshark knows it."""
        rules = m.rules_table()
        self.assertGreater(len(rules), 10)
        code, out, _ = self.tshark.run(["-G", "expert"], check=False)
        if code == 0 and out.strip():
            names = [line.split("\t")[1] for line in out.splitlines()
                     if line.count("\t") >= 1]
        else:
            names = [r[2] for r in self.rows if r[0] == "F" and len(r) > 4 and
                     r[4] == "mptcpv" and r[3] == "FT_NONE"]
        experts = [n for n in names if n.startswith("mptcpv.expert.")]
        self.assertEqual(sorted(experts), sorted("mptcpv.expert." + r for r in rules))


class InstalledForRoot(unittest.TestCase):
    """After 'cmake --install build' as root, root's tshark (which reads no personal folder
    and ignores WIRESHARK_PLUGIN_DIR) loads mptcpv, and it is the file the build made."""

    def test_install_root(self):
        if not m.is_root():
            self.skipTest("not root: the global install is checked in root runs (CI)")
        if shutil.which("tshark") is None:
            self.skipTest("tshark is not installed")
        built = m.built_plugin()
        if built is None:
            self.skipTest("plugin not built in %s" % m.PLUGIN_ROOT)
        env = {k: v for k, v in os.environ.items() if k != "WIRESHARK_PLUGIN_DIR"}
        proc = subprocess.run(["tshark", "-G", "plugins"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=env, check=True)
        match = PLUGIN_ROW.search(proc.stdout.decode())
        if match is None:
            self.skipTest("mptcpv is not installed in the global plugin folder "
                          "(run 'cmake --install build' as root)")
        installed = match.group(2)
        self.assertTrue(filecmp.cmp(installed, built, shallow=False),
                        "installed %s is not the build's %s: stale install, run "
                        "'cmake --install %s'" % (installed, built, m.BUILD_DIR))
        capture = os.path.join(m.CAPTURES_DIR, "crafted", "seed000-siri-v0.pcap")
        if os.path.exists(capture):
            out = subprocess.run(["tshark", "-r", capture, "-T", "fields", "-e",
                                  "mptcpv.subtype"], stdout=subprocess.PIPE, env=env,
                                 stderr=subprocess.DEVNULL, check=True).stdout.decode()
            self.assertEqual([int(v, 0) for v in out.split()], [0, 0, 0, 2, 2, 2, 2])


if __name__ == "__main__":
    unittest.main()
