"""The plugin loads as a normal user and as root, and its namespace is clean."""
import filecmp
import os
import re
import subprocess
import unittest

import mptcpvtest as m


class PluginLoads(m.TsharkTestCase):
    def test_listed_as_unprivileged_user(self):
        _, out, _ = self.tshark.run(["-G", "plugins"])
        self.assertRegex(out, r"mptcpv\.so\s+\S+\s+dissector")

    def test_namespace(self):
        _, out, _ = self.tshark.run(["-G", "fields"])
        ours = [line.split("\t") for line in out.splitlines()
                if line.startswith("F\t") and "\tmptcpv\t" in line + "\t"]
        names = [cols[2] for cols in ours if len(cols) > 4 and cols[4] == "mptcpv"]
        self.assertGreater(len(names), 50)
        for name in names:
            self.assertTrue(name.startswith("mptcpv."), name)
        self.assertEqual(len(names), len(set(names)), "duplicate field names")
        for fixed in ("mptcpv.rule", "mptcpv.subtype", "mptcpv.version", "mptcpv.connection",
                      "mptcpv.subflow", "mptcpv.dsn", "mptcpv.reinjection_of",
                      "mptcpv.reinjected_in", "mptcpv.dss.checksum_status"):
            self.assertIn(fixed, names)

    def test_expert_info_per_rule(self):
        # tshark 4.0 lists expert infos among the fields (type FT_NONE).
        _, out, _ = self.tshark.run(["-G", "fields"])
        names = {line.split("\t")[2] for line in out.splitlines() if line.startswith("F\t")}
        experts = {n for n in names if n.startswith("mptcpv.expert.")}
        self.assertEqual(experts, {"mptcpv.expert." + r for r in m.rules_table()})


class PluginLoadsAsRoot(unittest.TestCase):
    """After 'cmake --install', root's tshark (which ignores personal folders) loads it."""

    def test_installed_for_root(self):
        if os.geteuid() != 0:
            self.skipTest("not root")
        proc = subprocess.run(["tshark", "-G", "plugins"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, check=True)
        match = re.search(r"mptcpv\.so\s+\S+\s+dissector\s+(\S+)", proc.stdout.decode())
        if match is None:
            self.skipTest("mptcpv is not installed in the global plugin folder "
                          "(run 'cmake --install build')")
        built = os.path.join(m.PLUGIN_ROOT, os.listdir(m.PLUGIN_ROOT)[0], "epan", "mptcpv.so")
        self.assertTrue(filecmp.cmp(match.group(1), built, shallow=False),
                        "installed %s differs from the build %s" % (match.group(1), built))
        capture = os.path.join(m.CAPTURES_DIR, "crafted", "seed000-siri-v0.pcap")
        if os.path.exists(capture):
            out = subprocess.run(["tshark", "-r", capture, "-T", "fields", "-e",
                                  "mptcpv.connection"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, check=True).stdout.decode()
            self.assertEqual(set(out.split()), {"0"})


if __name__ == "__main__":
    unittest.main()
