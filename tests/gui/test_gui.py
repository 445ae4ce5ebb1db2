"""The Wireshark profile gui/profile/mptcpv, scripts/install-profile, and the Wireshark GUI
with the build-tree plugin on a virtual X display (Python 3 stdlib unittest).

- Profile: every display filter of the profile (colouring rules, custom column fields)
  compiles in tshark with the plugin; tshark parses the columns as written; the colouring
  rules load without warnings and colour the corpus as intended (severity order); the
  error and warning rule lists equal core/rules.def's.
- InstallProfile: scripts/install-profile installs, upgrades, refuses to overwrite edited
  files, --force keeps them as .bak.
- WiresharkGui: Wireshark under Xvfb (gui/wsgui.py), unprivileged as tshark in
  tests/tshark/mptcpvtest.py, opens a capture with findings with '-C mptcpv -Y mptcpv.rule'.
  Proof that the GUI process loaded the plugin under test, independent of pixels: the
  temporary copy of mptcpv.so is mapped in /proc/<pid>/maps of the Wireshark process, and a
  Lua listener in that process (-X lua_script:) saw mptcpv.rule on exactly the frames of the
  capture's .expected list. Then a screenshot (build/artifacts/gui-<capture>.png) must not
  be blank and must show the background colours of the profile's error, warning and
  other-finding rules; after Ctrl+Q Wireshark's recent_common names the profile.

Paths come from the environment CTest sets (tests/gui/CMakeLists.txt): MPTCPV_SOURCE_DIR,
MPTCPV_BUILD_DIR, MPTCPV_PLUGIN_ROOT.
"""
import concurrent.futures
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = (os.environ.get("MPTCPV_SOURCE_DIR") or
              os.path.abspath(os.path.join(HERE, "..", "..")))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "tshark"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "gui"))

import mptcpvtest  # noqa: E402  (tests/tshark: the unprivileged tshark runner)
import wsgui  # noqa: E402  (gui/: Xvfb and Wireshark driver)

BUILD_DIR = mptcpvtest.BUILD_DIR
PLUGIN_ROOT = mptcpvtest.PLUGIN_ROOT
PROFILE_DIR = wsgui.PROFILE_DIR
INSTALL_PROFILE = wsgui.INSTALL_PROFILE
GUI_CAPTURE = os.path.join(mptcpvtest.CAPTURES_DIR, "crafted", "option-syntax.pcap")

# Colouring rule per severity of a finding (the first matching rule wins).
ERROR_RULE = "MPTCP error finding"
WARNING_RULE = "MPTCP warning finding"
OTHER_FINDING_RULE = "MPTCP other finding"
# Our rules that the corpus need not exercise.
MAY_BE_UNUSED = {"MPTCP reinjection"}


def colorfilters():
    return wsgui.read_colorfilters(os.path.join(PROFILE_DIR, "colorfilters"))


def own_rules():
    """The profile's MPTCP colouring rules (those whose filter uses an mptcpv field)."""
    return [r for r in colorfilters() if re.search(r"\bmptcpv\b|\bmptcpv\.", r[1])]


def column_format():
    """[(title, format)] of gui.column.format in the profile's preferences."""
    with open(os.path.join(PROFILE_DIR, "preferences")) as f:
        text = f.read()
    m = re.search(r"^gui\.column\.format:(.*?)(?=^\S|\Z)", text, re.M | re.S)
    values = re.findall(r'"([^"]*)"', m.group(1))
    return list(zip(values[0::2], values[1::2]))


def set_of_rules(filter_text):
    """The rule ids of 'mptcpv.rule in {"a", "b"}'."""
    m = re.fullmatch(r'mptcpv\.rule in \{(.*)\}', filter_text.strip())
    return set(re.findall(r'"([^"]+)"', m.group(1))) if m else None


def install_profile_into(home, *args, env_extra=None):
    env = dict(os.environ, HOME=home)
    for name in ("XDG_CONFIG_HOME", "WIRESHARK_CONFIG_DIR"):
        env.pop(name, None)
    env.update(env_extra or {})
    return subprocess.run([INSTALL_PROFILE] + list(args), env=env, timeout=60,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)


class Profile(mptcpvtest.TsharkTestCase):
    """The profile's files, checked with tshark and the build-tree plugin."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        proc = install_profile_into(cls.tshark.home)
        if proc.returncode != 0:
            raise AssertionError("install-profile failed: %s" % proc.stderr.decode())
        if mptcpvtest.is_root():
            for root, dirs, files in os.walk(cls.tshark.home):
                shutil.chown(root, "nobody", "nogroup")
                for name in files:
                    shutil.chown(os.path.join(root, name), "nobody", "nogroup")

    def filters(self):
        """Every display filter the profile holds: colouring rules and column fields."""
        found = [("colorfilters: %s" % name, flt) for name, flt, _, _ in colorfilters()]
        for title, fmt in column_format():
            if fmt.startswith("%Cus:"):
                found.append(("column %s" % title, fmt.split(":")[1]))
        return found

    def test_files_parse(self):
        rules = colorfilters()
        self.assertGreaterEqual(len(own_rules()), 8)
        with open(os.path.join(PROFILE_DIR, "colorfilters")) as f:
            lines = [l for l in f.read().splitlines() if l.strip() and not l.startswith("#")]
        self.assertEqual(len(lines), len(rules), "a colouring rule line does not parse")
        names = [r[0] for r in rules]
        self.assertEqual(len(names), len(set(names)), "duplicate rule names")
        self.assertEqual([t for t, _ in column_format()],
                         ["No.", "Time", "Source", "Destination", "Protocol", "Length",
                          "Conn", "Subflow", "DSN (rel)", "Rule", "Info"])

    def test_every_filter_compiles(self):
        """tshark -Y accepts every filter. All of them at once first: '(f1) || (f2) || ...'
        compiles only if each one does; if it does not, each one alone names the culprit."""
        capture = os.path.join(mptcpvtest.CAPTURES_DIR, "kernel", "v1-basic.pcap")
        self.require_capture(capture)
        filters = self.filters()
        self.assertGreaterEqual(len(filters), 20)

        def run(item):
            label, flt = item
            code, _, err = self.tshark.run(["-Y", flt], capture, check=False, timeout=120)
            return label, flt, code, err

        everything = ("all", " || ".join("(%s)" % flt for _, flt in filters))
        _, _, code, err = run(everything)
        if code == 0 and not err.strip():
            return
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            results = list(pool.map(run, filters))
        bad = ["%s: %r: %s" % (label, flt, err.strip())
               for label, flt, code, err in results if code != 0 or err.strip()]
        self.assertEqual(bad, [], "together: %s" % err.strip())

    def test_columns_as_tshark_reads_them(self):
        _, out, _ = self.tshark.run(["-G", "currentprefs", "-C", wsgui.PROFILE_NAME])
        m = re.search(r"^gui\.column\.format:(.*?)(?=^\S|\Z)", out, re.M | re.S)
        self.assertIsNotNone(m, "the profile's gui.column.format is not in effect")
        values = re.findall(r'"([^"]*)"', m.group(1))
        self.assertEqual(list(zip(values[0::2], values[1::2])), column_format())
        # The custom columns print in tshark's default output: a finding's rule id.
        _, out, _ = self.tshark.run(["-C", wsgui.PROFILE_NAME, "-Y", "frame.number == 4"],
                                    GUI_CAPTURE)
        self.assertIn("option.malformed", out)

    def test_severity_lists_match_rules_def(self):
        table = mptcpvtest.rules_table()
        by_name = {r[0]: r[1] for r in colorfilters()}
        for rule, severity in ((ERROR_RULE, "error"), (WARNING_RULE, "warning")):
            listed = set_of_rules(by_name[rule])
            self.assertIsNotNone(listed, "%s: not of the form mptcpv.rule in {...}" % rule)
            want = {r for r, s in table.items() if s == severity}
            self.assertEqual(listed, want, "%s must list exactly the %s rules of "
                             "core/rules.def" % (rule, severity))

    def test_colouring_of_the_corpus(self):
        """tshark --color with the profile: no rule fails to compile, a frame's colour follows
        the worst severity of its findings, and every MPTCP rule colours some frame."""
        severity = mptcpvtest.rules_table()
        captures = mptcpvtest.repo_captures()
        self.assertTrue(captures)

        def run(capture):
            code, out, err = self.tshark.run(
                ["-C", wsgui.PROFILE_NAME, "--color", "-T", "fields", "-E", "separator=/t",
                 "-E", "occurrence=a", "-E", "aggregator=,", "-e", "frame.number",
                 "-e", "frame.coloring_rule.name", "-e", "mptcpv.rule"],
                capture, check=False, timeout=300)
            return capture, code, out, err

        used = set()
        problems = []
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for capture, code, out, err in pool.map(run, captures):
                name = os.path.basename(capture)
                if code != 0 or "color" in err.lower():
                    problems.append("%s: exit %d: %s" % (name, code, err.strip()))
                    continue
                for line in out.splitlines():
                    frame, colour, rules = (line.split("\t") + ["", ""])[:3]
                    used.add(colour)
                    levels = {severity.get(r, "unknown") for r in rules.split(",") if r}
                    if "error" in levels:
                        want = {ERROR_RULE}
                    elif "warning" in levels:
                        want = {WARNING_RULE}
                    elif levels:
                        want = {r[0] for r in own_rules()} - {ERROR_RULE, WARNING_RULE}
                    else:
                        continue
                    if colour not in want:
                        problems.append("%s frame %s (%s): coloured %r" %
                                        (name, frame, rules, colour))
        self.assertEqual(problems, [])
        unused = {r[0] for r in own_rules()} - used - MAY_BE_UNUSED
        self.assertEqual(unused, set(), "colouring rules that match no frame of the corpus")


class InstallProfile(unittest.TestCase):
    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="mptcpv-install-profile-")
        self.dest = os.path.join(self.home, ".config", "wireshark", "profiles", "mptcpv")

    def tearDown(self):
        shutil.rmtree(self.home, ignore_errors=True)

    def shipped(self):
        return sorted(n for n in os.listdir(PROFILE_DIR)
                      if os.path.isfile(os.path.join(PROFILE_DIR, n)))

    def read(self, *parts):
        with open(os.path.join(*parts), "rb") as f:
            return f.read()

    def assert_installed(self, dest):
        for name in self.shipped():
            self.assertEqual(self.read(dest, name), self.read(PROFILE_DIR, name), name)

    def test_fresh_and_again(self):
        self.assertEqual(self.shipped(), ["colorfilters", "preferences"])
        for _ in range(2):
            proc = install_profile_into(self.home)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assert_installed(self.dest)

    def test_xdg_config_home_and_wireshark_config_dir(self):
        xdg = os.path.join(self.home, "xdg")
        proc = install_profile_into(self.home, env_extra={"XDG_CONFIG_HOME": xdg})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assert_installed(os.path.join(xdg, "wireshark", "profiles", "mptcpv"))
        conf = os.path.join(self.home, "wsconf")
        proc = install_profile_into(self.home, env_extra={"WIRESHARK_CONFIG_DIR": conf})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assert_installed(os.path.join(conf, "profiles", "mptcpv"))

    def test_refuses_modified_unless_force(self):
        install_profile_into(self.home)
        prefs = os.path.join(self.dest, "preferences")
        with open(prefs, "a") as f:
            f.write("gui.packet_list_show_minimap: FALSE\n")
        edited = self.read(prefs)
        with open(os.path.join(self.dest, "recent"), "w") as f:
            f.write("# Wireshark's own file, not shipped\n")
        proc = install_profile_into(self.home)
        self.assertEqual(proc.returncode, 1)
        self.assertIn(b"preferences", proc.stderr)
        self.assertEqual(self.read(prefs), edited, "refused, but changed the file")
        proc = install_profile_into(self.home, "--force")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assert_installed(self.dest)
        self.assertEqual(self.read(self.dest, "preferences.bak"), edited)
        self.assertTrue(os.path.exists(os.path.join(self.dest, "recent")))

    def test_upgrades_an_untouched_older_install(self):
        """A file as the script installed it (older version) is replaced without --force;
        an unknown file without the install record counts as modified."""
        install_profile_into(self.home)
        prefs = os.path.join(self.dest, "preferences")
        old = b"# an older shipped version\n"
        with open(prefs, "wb") as f:
            f.write(old)
        stamp = os.path.join(self.dest, ".mptcpv-install")
        with open(stamp) as f:
            lines = [l for l in f.read().splitlines() if not l.endswith(" preferences")]
        lines.append("%s preferences" % hashlib.sha256(old).hexdigest())
        with open(stamp, "w") as f:
            f.write("\n".join(lines) + "\n")
        proc = install_profile_into(self.home)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assert_installed(self.dest)
        os.unlink(stamp)
        with open(prefs, "wb") as f:
            f.write(old)
        self.assertEqual(install_profile_into(self.home).returncode, 1)


class WiresharkGui(unittest.TestCase):
    """The Wireshark GUI with the build-tree plugin and the installed profile."""

    @classmethod
    def setUpClass(cls):
        missing = wsgui.missing_programs(["wireshark", "Xvfb"])
        if missing:
            raise unittest.SkipTest("not installed: %s" % ", ".join(missing))
        if mptcpvtest.is_root() and shutil.which("setpriv") is None:
            raise unittest.SkipTest("running as root needs setpriv (util-linux): Wireshark "
                                    "as root ignores the build's plugin")
        if mptcpvtest.built_plugin() is None:
            raise unittest.SkipTest("plugin not built: no %s/<abi>/epan/mptcpv.so"
                                    % PLUGIN_ROOT)

    def setUp(self):
        missing = wsgui.missing_programs(["xdotool", "xwd", "xwdtopnm", "pnmtopng"])
        self.assertEqual(missing, [], "scripts/deps installs xdotool, x11-apps and netpbm")
        if not os.path.exists(GUI_CAPTURE):
            self.skipTest("capture absent: %s" % GUI_CAPTURE)

    def test_capture_with_findings(self):
        started = time.monotonic()
        capture = GUI_CAPTURE
        expected = mptcpvtest.read_expected(mptcpvtest.expected_file(capture))
        severity = mptcpvtest.rules_table()
        levels = {severity[rule] for _, rule in expected}
        background = {r[0]: r[2] for r in own_rules()}
        want = {name: background[name] for name, level in (
            (ERROR_RULE, "error"), (WARNING_RULE, "warning"), (OTHER_FINDING_RULE, "info"))
            if level in levels}
        self.assertIn(ERROR_RULE, want, "the GUI capture should have error findings")
        min_pixels = 2000  # a packet list row is ~17 px high and > 1000 px wide

        artifact = os.path.join(BUILD_DIR, "artifacts", "gui-%s.png" %
                                re.sub(r"\.pcap(ng)?$", "", os.path.basename(capture)))
        with wsgui.Xvfb(1400, 900) as xvfb, \
                wsgui.Wireshark(xvfb.display, PLUGIN_ROOT, capture,
                                args=["-Y", "mptcpv.rule"]) as ws:
            try:
                report = self.check_gui(ws, expected, want, min_pixels, artifact)
            except BaseException:
                if ws.running():  # what the screen showed, for the failure
                    ws.screenshot().write_png(artifact)
                    print("\ngui.wireshark: screenshot %s" % artifact, file=sys.stderr)
                raise
        print("\ngui.wireshark: %s in %.1f s" % (report, time.monotonic() - started),
              file=sys.stderr)

    def check_gui(self, ws, expected, want, min_pixels, artifact):
        """Start Wireshark and check it; returns a line for the log."""
        ws.start()
        wid = ws.wait_main_window(timeout=60)

        # The GUI process itself mapped the plugin copy under test.
        abi_so = os.path.relpath(mptcpvtest.built_plugin(), PLUGIN_ROOT)
        self.assertEqual([os.path.realpath(p) for p in ws.plugin_mappings()],
                         [os.path.realpath(os.path.join(ws.plugin_dir, abi_so))])

        shot, held = ws.wait_screen(
            lambda p: all(p.counts()[c] >= min_pixels for c in want.values()),
            timeout=30)
        shot.write_png(artifact)
        counts = shot.counts()
        report = "%s; colours %s; screenshot %s" % (
            ", ".join("%s %s: %d px" % (n, c, counts[c]) for n, c in want.items()),
            len(counts), artifact)
        self.assertTrue(held, "profile colours missing: " + report)
        self.assertGreaterEqual(len(counts), 100, "blank screen? " + report)
        self.assertGreater(shot.non_background_fraction(), 0.2, "blank? " + report)

        # The GUI's own dissection: Lua listener on mptcpv.rule (absent without Lua).
        version = subprocess.run(["tshark", "-v"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, timeout=60).stdout
        if b"without Lua" not in version:
            deadline = time.monotonic() + 10
            while (set(ws.rule_frames()) != {f for f, _ in expected} and
                   time.monotonic() < deadline):
                time.sleep(0.25)
            self.assertEqual(set(ws.rule_frames()), {f for f, _ in expected})

        self.assertEqual(ws.quit(wid), 0, ws.stderr_text()[-3000:])
        self.assertRegex(ws.recent_common(), r"(?m)^gui\.last_used_profile: mptcpv$")
        err = ws.stderr_text()
        self.assertNotIn("Could not compile", err)
        return report


if __name__ == "__main__":
    unittest.main()
