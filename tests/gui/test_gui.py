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
- StatisticsGui (gui.statistics): the plugin's two stat tables in the GUI, on
  captures/kernel/v1-loss-reinject.pcap. '-z mptcpv,conns' opens its dialog at startup,
  found by its window title. The Statistics menu (Alt+S) is compared, as a picture, with
  the menu of the same Wireshark without any plugin: it must be that menu with exactly two
  entries inserted (their height, the rest unchanged); clicking each inserted entry must
  open the dialog titled "MPTCP Connections (mptcpv)" resp. "MPTCP Subflows (mptcpv)".
  Every dialog must show table rows (lines of text in its table, pixels) and its Copy
  (context menu; the clipboard read with tkinter, if installed) must give exactly tshark's
  '-z mptcpv,conns' / '-z mptcpv,subflows' rows. Pictures: build/artifacts/gui-stats-*.png.
- PassConsistencyGui (gui.passes): a Lua postdissector (-X lua_script:) records, for every
  dissection of every frame, pinfo.visited, whether the tree is visible and the values of
  all mptcpv fields of tshark -G fields (FT_NONE and expert items excepted). Go to packet
  (Ctrl+G) then selects frames in a seeded random order (each selection must produce a
  dissection of that frame with a visible tree). The first pass (file load) must equal
  tshark's single pass for every frame, every later dissection (selection, packet list)
  tshark -2; mptcpv.reinjected_in alone may appear only after the first pass.

Paths come from the environment CTest sets (tests/gui/CMakeLists.txt): MPTCPV_SOURCE_DIR,
MPTCPV_BUILD_DIR, MPTCPV_PLUGIN_ROOT.
"""
import collections
import concurrent.futures
import hashlib
import os
import random
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


class GuiTestCase(unittest.TestCase):
    """Skipped without wireshark or Xvfb (or setpriv as root, or the built plugin)."""

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

    def require(self, capture):
        if not os.path.exists(capture):
            self.skipTest("capture absent: %s" % capture)
        return capture

    def artifact(self, name):
        return os.path.join(BUILD_DIR, "artifacts", name)


def has_lua():
    version = subprocess.run(["tshark", "-v"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=60).stdout
    return b"without Lua" not in version


class WiresharkGui(GuiTestCase):
    """The Wireshark GUI with the build-tree plugin and the installed profile."""

    def setUp(self):
        super().setUp()
        self.require(GUI_CAPTURE)

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
        if has_lua():
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


# -- Statistics dialogs ------------------------------------------------------------------

STATS_CAPTURE = os.path.join(mptcpvtest.CAPTURES_DIR, "kernel", "v1-loss-reinject.pcap")
# (tshark -z argument, title of the dialog and of the Statistics menu entry)
STAT_TABLES = (("mptcpv,conns", "MPTCP Connections (mptcpv)"),
               ("mptcpv,subflows", "MPTCP Subflows (mptcpv)"))
STATS_SCREEN = (1400, 900)
STAT_DIALOG_HEIGHT = 200  # dialogs are stacked at y = 0, 225, 450, 675


def tshark_stat_rows(tshark, capture):
    """{title: [row as words]} of 'tshark -q -z mptcpv,conns -z mptcpv,subflows': each table
    section is '<title>:', 'Filter for statistics:', the '|'-separated column names, the
    table name, then the rows."""
    args = ["-q"]
    for cli, _ in STAT_TABLES:
        args += ["-z", cli]
    _, out, _ = tshark.run(args, capture)
    tables = {}
    title = None
    header_seen = False
    for line in out.splitlines():
        if line.startswith("====="):
            title = None
        elif title is None and line.endswith(":") and line[:-1] in dict(
                (t, c) for c, t in STAT_TABLES):
            title = line[:-1]
            tables[title] = []
            header_seen = False
        elif title is not None and "|" in line:
            if header_seen:
                tables[title].append(" ".join(line.split("|")).split())
            else:
                header_seen = True
    return tables


def clipboard_rows(text):
    """(title line, [row as words]) of a statistics dialog's Copy: '=' line, '<title> -
    <file>:', column names, '-' line, rows, '-' line."""
    lines = text.splitlines()
    dashes = [i for i, l in enumerate(lines) if l and set(l) == {"-"}]
    if len(lines) < 4 or len(dashes) < 2:
        return None, None
    return lines[1], [l.split() for l in lines[dashes[0] + 1:dashes[1]]]


def statistics_menu(ws, wid):
    """Open the main window's Statistics menu with Alt+S (the pointer out of the way, so
    that no item is hovered); returns (popup window id, its geometry, its screenshot). The
    first item is highlighted."""
    width, height = STATS_SCREEN
    ws.xdotool("mousemove", width - 1, height - 1)
    before = ws.windows()
    ws.key(wid, "alt+s", delay=0.1)
    new = ws.wait_new_window(before, timeout=10)
    if new is None:
        raise AssertionError("Alt+S opened no menu")
    popup = new[0]
    time.sleep(0.5)  # drawn
    return popup, ws.geometry(popup), ws.screenshot(popup)


def inserted_rows(ref, menu):
    """The menu |menu| must be |ref| with rows inserted at one place and nothing else
    changed. Returns (number of inserted pixel rows, [(first y, last y)] of the runs of rows
    of |menu| that match neither |ref| at that height nor |ref| moved by the insertion:
    the inserted entries' text)."""
    if (ref.width != menu.width or menu.height <= ref.height):
        raise AssertionError("menu %dx%d, without the plugin %dx%d: no entries added"
                             % (menu.width, menu.height, ref.width, ref.height))
    added = menu.height - ref.height
    first = next(y for y in range(ref.height) if ref.row(y) != menu.row(y))
    # Below the insertion everything moved down by |added| rows, unchanged.
    last = max([y for y in range(ref.height) if ref.row(y) != menu.row(y + added)],
               default=-1)
    if last >= first:
        raise AssertionError("the menu changed elsewhere than at one insertion: rows "
                             "%d..%d differ" % (first, last))
    runs = []
    start = None
    for y in range(last + 1, first + added + 1):
        new = menu.row(y) != ref.row(y) and (y < added or menu.row(y) != ref.row(y - added))
        if new and start is None:
            start = y
        elif not new and start is not None:
            runs.append((start, y - 1))
            start = None
    if start is not None:
        runs.append((start, first + added))
    return added, runs


class StatisticsGui(GuiTestCase):
    """The plugin's statistics tables in Wireshark's GUI (register_stat_tap_table_ui in
    plugin/packet-mptcpv-stats.c): the -z dialog at startup, the Statistics menu entries,
    and the rows the dialogs show."""

    def test_dialogs_and_statistics_menu(self):
        started = time.monotonic()
        capture = self.require(STATS_CAPTURE)
        tshark = mptcpvtest.Tshark()
        self.addCleanup(tshark.close)
        expected = tshark_stat_rows(tshark, capture)
        self.assertEqual(sorted(expected), sorted(t for _, t in STAT_TABLES))
        self.assertTrue(all(expected.values()), "tshark's tables have no rows: %s" % expected)
        empty_plugins = tempfile.mkdtemp(prefix="mptcpv-no-plugins-")
        self.addCleanup(shutil.rmtree, empty_plugins, True)
        os.chmod(empty_plugins, 0o755)
        notes = []
        with wsgui.Xvfb(*STATS_SCREEN) as xvfb:
            # The Statistics menu of the same Wireshark without any plugin, for reference.
            with wsgui.Wireshark(xvfb.display, empty_plugins, capture, profile=False,
                                 lua_rule_frames=False) as ref:
                ref.start()
                wid = ref.wait_main_window(timeout=60)
                self.assertEqual(ref.plugin_mappings(), [])
                _, ref_geometry, ref_menu = statistics_menu(ref, wid)
                ref.quit(wid)
            with wsgui.Wireshark(xvfb.display, PLUGIN_ROOT, capture, lua_rule_frames=False,
                                 args=["-z", STAT_TABLES[0][0]]) as ws:
                try:
                    self.check_statistics(ws, expected, ref_geometry, ref_menu, notes)
                except BaseException:
                    if ws.running():
                        ws.screenshot().write_png(self.artifact("gui-stats-failure.png"))
                        print("\ngui.statistics: screenshot %s"
                              % self.artifact("gui-stats-failure.png"), file=sys.stderr)
                    raise
        print("\ngui.statistics: %s; %.1f s" % ("; ".join(notes), time.monotonic() - started),
              file=sys.stderr)

    def check_dialog(self, ws, wid, title, slot, expected, notes):
        """Place the dialog in |slot|, wait for its rows (pixels), save its picture, and
        compare what its Copy button copies with tshark's rows."""
        width = STATS_SCREEN[0]
        ws.place(wid, 0, slot * (STAT_DIALOG_HEIGHT + 25), width, STAT_DIALOG_HEIGHT)
        want_lines = 1 + len(expected)  # the column names and a line per row
        shot, held = ws.wait_screen(lambda p: wsgui.stat_dialog_lines(p) >= want_lines,
                                    timeout=20, wid=wid)
        name = "gui-stats-%d-%s.png" % (slot, "conns" if "Conn" in title else "subflows")
        shot.write_png(self.artifact(name))
        lines = wsgui.stat_dialog_lines(shot)
        self.assertTrue(held, "%s: %d lines of text in the table, want >= %d (%s)"
                        % (title, lines, want_lines, self.artifact(name)))
        text = ws.copy_stat_table(wid)
        if text is None:
            notes.append("%s: %d table lines (pixels; no tkinter to read the clipboard)"
                         % (title, lines))
            return
        first, rows = clipboard_rows(text)
        self.assertEqual(first, "%s - %s:" % (title, os.path.basename(STATS_CAPTURE)), text)
        self.assertEqual(rows, expected, "%s: the dialog's Copy differs from tshark's "
                         "-z table:\n%s" % (title, text))
        notes.append("%s: %d rows as tshark's (Copy), %d table lines, %s"
                     % (title, len(rows), lines, name))

    def check_statistics(self, ws, expected, ref_geometry, ref_menu, notes):
        conns_title, subflows_title = (t for _, t in STAT_TABLES)
        ws.start()
        wid = ws.wait_main_window(timeout=60)
        self.assertTrue(ws.plugin_mappings(), "the plugin copy is not loaded")
        capture_name = os.path.basename(STATS_CAPTURE)

        # 1. '-z mptcpv,conns' opened its dialog at startup.
        zdialog = ws.wait_window(conns_title, timeout=30)
        self.assertEqual(ws.window_title(zdialog),
                         "Wireshark \u00b7 %s \u00b7 %s" % (conns_title, capture_name))
        self.check_dialog(ws, zdialog, conns_title, 0, expected[conns_title], notes)

        # 2. The Statistics menu: two entries more than without the plugin, one below the
        # other, and nothing else changed; activating them opens the two dialogs.
        popup, geometry, menu = statistics_menu(ws, wid)
        self.assertEqual(geometry[:2], ref_geometry[:2])
        menu.write_png(self.artifact("gui-stats-menu.png"))
        added, runs = inserted_rows(ref_menu, menu)
        # The first entry is highlighted: its height is the run of rows of that colour.
        highlight = collections.Counter(zip(*[iter(ref_menu.row(3))] * 3)).most_common(1)[0][0]
        item = ref_menu.bands(highlight, 0.5)[0]
        item_height = item[1] - item[0] + 1
        self.assertEqual(len(runs), 2, "want the text of two added entries, rows %s" % runs)
        self.assertLessEqual(abs(added / 2.0 - item_height), 3,
                             "%d rows added for entries %d high" % (added, item_height))
        ws.xdotool("key", "Escape")  # the open menu has the keyboard
        known = set(ws.windows())
        for (_, title), (top, bottom), slot in zip(STAT_TABLES, runs, (2, 1)):
            _, current, _ = statistics_menu(ws, wid)
            self.assertEqual(current, geometry)
            before = ws.windows()
            ws.click(geometry[0] + 60, geometry[1] + (top + bottom) // 2)
            new = ws.wait_new_window(before, timeout=15)
            self.assertIsNotNone(new, "clicking the entry at y %d opened nothing" % top)
            dialog = ws.wait_window(title, timeout=15, exclude=known)
            self.assertEqual(ws.window_title(dialog),
                             "Wireshark \u00b7 %s \u00b7 %s" % (title, capture_name))
            known.add(dialog)
            self.check_dialog(ws, dialog, title, slot, expected[title], notes)
        notes.insert(0, "Statistics menu: 2 entries (%d px) at y %d..%d of the menu"
                     % (added, runs[0][0], runs[1][1]))
        self.assertEqual(ws.quit(wid), 0, ws.stderr_text()[-3000:])


# -- Pass consistency ----------------------------------------------------------------------

PASS_CAPTURES = ((os.path.join(mptcpvtest.CAPTURES_DIR, "kernel", "v1-loss-reinject.pcap"), 20),
                 (os.path.join(mptcpvtest.CAPTURES_DIR, "crafted", "option-syntax.pcap"), 10))
PASS_SEED = 4711
# Fields whose value may appear only after the first pass (a forward reference).
LATE_FIELDS = {"mptcpv.reinjected_in"}
AGGREGATOR = "\x1f"

LUA_PASSES = """\
-- Written by tests/gui/test_gui.py: every dissection of every frame, with the mptcpv field
-- values it has. A postdissector runs on every dissection (the first pass, the packet
-- list's rows, the packet selected for the details pane); a tap Listener would not see the
-- re-dissection of a selected packet.
local out = os.getenv("MPTCPV_GUI_OUT") .. "/dissections.txt"
local frame_number = Field.new("frame.number")
local fields = {
%(fields)s
}
local proto = Proto("mptcpv_passes", "mptcpv GUI pass recorder")
local function esc(s)
    return (s:gsub("\\\\", "\\\\\\\\"):gsub("\\n", "\\\\n"):gsub("\\t", "\\\\t"))
end
function proto.dissector(tvb, pinfo, tree)
    -- frame.number is in every tree: without it there was no tree, so no fields to read.
    local has_tree = frame_number() ~= nil
    local lines = {string.format("D\\t%%d\\t%%d\\t%%d\\t%%d", pinfo.number,
                                 pinfo.visited and 1 or 0, tree.visible and 1 or 0,
                                 has_tree and 1 or 0)}
    if has_tree then
        for _, f in ipairs(fields) do
            for _, fi in ipairs({ f[2]() }) do
                lines[#lines + 1] = "V\\t" .. f[1] .. "\\t" .. esc(tostring(fi))
            end
        end
    end
    lines[#lines + 1] = "E\\n"
    local fh = io.open(out, "a")
    if fh then
        fh:write(table.concat(lines, "\\n"))
        fh:close()
    end
end
register_postdissector(proto)
"""


class Dissection(collections.namedtuple("Dissection", "frame visited visible tree values")):
    """One dissection the Lua postdissector saw: values is a sorted tuple of (field,
    value)."""


def read_dissections(path, bytes_fields, offset=0):
    """(dissections, next offset) of the recorder's file from |offset| (whole records)."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read()
    except FileNotFoundError:
        return [], offset
    end = data.rfind(b"\nE\n")
    if end < 0:
        return [], offset
    found = []
    head = None
    values = []
    for line in data[:end + 3].decode("utf-8", "replace").split("\n"):
        cols = line.split("\t")
        if cols[0] == "D":
            head = [int(c) for c in cols[1:5]]
            values = []
        elif cols[0] == "V":
            value = re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1),
                                                                             m.group(1)),
                           cols[2])
            values.append((cols[1], normalize(cols[1], value, bytes_fields)))
        elif cols[0] == "E" and head is not None:
            found.append(Dissection(head[0], bool(head[1]), bool(head[2]), bool(head[3]),
                                    tuple(sorted(values))))
            head = None
    return found, offset + end + 3


def normalize(field, value, bytes_fields):
    """tshark -T fields prints FT_BYTES as 'aabb', Lua's tostring(FieldInfo) as 'aa:bb'."""
    return value.replace(":", "").lower() if field in bytes_fields else value


def tshark_values(tshark, capture, fields, bytes_fields, two_pass):
    """{frame: sorted tuple of (field, value)} of tshark -T fields (every occurrence)."""
    args = (["-2"] if two_pass else []) + [
        "-n", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=" + AGGREGATOR,
        "-E", "separator=/t", "-e", "frame.number"]
    for f in fields:
        args += ["-e", f]
    _, out, _ = tshark.run(args, capture, timeout=300)
    rows = {}
    for line in out.splitlines():
        cols = line.split("\t")
        values = []
        for field, text in zip(fields, cols[1:]):
            if text:
                values += [(field, normalize(field, v, bytes_fields))
                           for v in text.split(AGGREGATOR)]
        rows[int(cols[0])] = tuple(sorted(values))
    return rows


def without(values, names):
    return tuple(v for v in values if v[0] not in names)


class PassConsistencyGui(GuiTestCase):
    """Re-dissecting frames in any order after the first pass, as the GUI does when a packet
    is selected, changes nothing: a Lua postdissector in Wireshark records every mptcpv
    field value of every dissection; Go to packet (Ctrl+G) selects frames in a seeded random
    order; every dissection of a frame must equal tshark's: the first pass (file load) tshark's
    single pass, every later one tshark -2 (mptcpv.reinjected_in, a forward reference, may
    appear only after the first pass; no value ever changes)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not has_lua():
            raise unittest.SkipTest("Wireshark without Lua: no postdissector to record with")
        cls.tshark = mptcpvtest.Tshark()
        glossary = cls.tshark.glossary()
        cls.fields = [c[2] for c in glossary
                      if c[0] == "F" and len(c) > 3 and c[2].startswith("mptcpv.") and
                      c[3] != "FT_NONE" and not c[2].startswith("mptcpv.expert.")]
        cls.bytes_fields = {c[2] for c in glossary if c[0] == "F" and len(c) > 3 and
                            c[2] in cls.fields and c[3] in ("FT_BYTES", "FT_UINT_BYTES")}

    @classmethod
    def tearDownClass(cls):
        cls.tshark.close()

    def lua(self):
        return LUA_PASSES % {"fields": "\n".join('    {"%s", Field.new("%s")},' % (f, f)
                                                 for f in self.fields)}

    def test_redissection_in_any_order(self):
        started = time.monotonic()
        self.assertGreaterEqual(len(self.fields), 50, "few mptcpv fields in tshark -G fields")
        self.assertIn("mptcpv.reinjected_in", self.fields)
        reports = []
        with wsgui.Xvfb(1400, 900) as xvfb:
            for capture, selections in PASS_CAPTURES:
                with self.subTest(capture=os.path.basename(capture)):
                    self.require(capture)
                    reports.append(self.check_capture(xvfb, capture, selections))
        print("\ngui.passes: %s; %d mptcpv fields; %.1f s"
              % ("; ".join(reports), len(self.fields), time.monotonic() - started),
              file=sys.stderr)

    def pick_frames(self, name, second, count):
        """|count| frames in a seeded random order: up to 3 with mptcpv.reinjected_in, up to
        half with findings or reinjections, the rest any."""
        rng = random.Random("%d:%s" % (PASS_SEED, name))

        def having(*fields):
            return sorted(f for f, values in second.items()
                          if any(v[0] in fields for v in values))
        late = having(*LATE_FIELDS)
        picked = rng.sample(late, min(len(late), 3))
        marked = sorted(set(having("mptcpv.rule", "mptcpv.reinjected_in",
                                   "mptcpv.reinjection_of")) - set(picked))
        picked += rng.sample(marked, max(0, min(len(marked), count // 2 - len(picked))))
        rest = sorted(set(second) - set(picked))
        picked += rng.sample(rest, min(len(rest), count - len(picked)))
        rng.shuffle(picked)
        return picked

    def check_capture(self, xvfb, capture, selections):
        name = os.path.basename(capture)
        first = tshark_values(self.tshark, capture, self.fields, self.bytes_fields, False)
        second = tshark_values(self.tshark, capture, self.fields, self.bytes_fields, True)
        self.assertEqual(sorted(first), sorted(second))
        frames = self.pick_frames(name, second, selections)
        with wsgui.Wireshark(xvfb.display, PLUGIN_ROOT, capture, lua_rule_frames=False,
                             lua_scripts=[("passes.lua", self.lua())]) as ws:
            try:
                records = self.drive(ws, name, len(first), frames)
            except BaseException:
                if ws.running():
                    ws.screenshot().write_png(self.artifact("gui-passes-failure.png"))
                raise
        return self.compare(name, records, first, second, frames)

    def drive(self, ws, name, frame_count, frames):
        """Start Wireshark, wait for the first pass, select |frames| with Go to packet.
        Returns every dissection recorded, in order."""
        path = os.path.join(ws.out_dir, "dissections.txt")
        ws.start()
        wid = ws.wait_main_window(timeout=60)
        records, offset = [], 0
        self.retries = 0

        def more():
            nonlocal offset
            new, offset = read_dissections(path, self.bytes_fields, offset)
            records.extend(new)
            return new

        deadline = time.monotonic() + 60
        while sum(1 for r in records if not r.visited) < frame_count:
            more()
            ws.check_running()
            self.assertLess(time.monotonic(), deadline,
                            "%s: first pass recorded %d of %d frames" % (
                                name, sum(1 for r in records if not r.visited), frame_count))
            time.sleep(0.1)
        time.sleep(0.5)
        more()
        for frame in frames:
            for attempt in range(3):
                # Go to packet: Ctrl+G opens (or, while it is still closing, toggles) the bar.
                ws.key(wid, "ctrl+g", delay=0.15)
                ws.xdotool("type", "--delay", "15", str(frame))
                ws.xdotool("key", "Return")
                deadline = time.monotonic() + 3
                selected = False
                while not selected and time.monotonic() < deadline:
                    selected = any(r.frame == frame and r.visited and r.visible
                                   for r in more())
                    time.sleep(0.05)
                if selected:
                    break
                self.retries += 1
                ws.xdotool("key", "Escape")
                time.sleep(0.5)
            self.assertTrue(selected, "%s: selecting frame %d (Go to packet) dissected it "
                            "with no visible tree" % (name, frame))
            time.sleep(0.5)  # the Go to packet bar closes (animated)
        time.sleep(0.5)
        more()
        self.assertEqual(ws.quit(wid), 0, ws.stderr_text()[-3000:])
        more()
        return records

    def compare(self, name, records, first, second, frames):
        firsts = {}
        for r in records:
            if not r.visited:
                self.assertNotIn(r.frame, firsts, "%s: frame %d dissected twice in the first "
                                 "pass" % (name, r.frame))
                firsts[r.frame] = r
        self.assertEqual(sorted(firsts), sorted(first), "%s: first pass" % name)
        self.assertTrue(all(r.tree for r in firsts.values()),
                        "%s: the first pass had no tree for some frames" % name)
        problems = []
        late = set()
        for frame, r in sorted(firsts.items()):
            if r.values != first[frame]:
                problems.append("frame %d first pass: GUI %s, tshark %s" % (
                    frame, sorted(set(r.values) - set(first[frame])),
                    sorted(set(first[frame]) - set(r.values))))
            if without(r.values, LATE_FIELDS) != without(second[frame], LATE_FIELDS) or \
                    not set(r.values) <= set(second[frame]):
                problems.append("frame %d first pass against tshark -2: %s / %s" % (
                    frame, sorted(set(r.values) - set(second[frame])),
                    sorted(set(second[frame]) - set(r.values))))
            if r.values != second[frame]:
                late.add(frame)
        later = [r for r in records if r.visited]
        no_tree = [r for r in later if not r.tree]
        for r in later:
            if r.tree and r.values != second[r.frame]:
                problems.append("frame %d re-dissected%s: GUI has %s, tshark -2 %s" % (
                    r.frame, " (selected)" if r.visible else "",
                    sorted(set(r.values) - set(second[r.frame])),
                    sorted(set(second[r.frame]) - set(r.values))))
        self.assertEqual(problems[:20], [], "%s: %d differences" % (name, len(problems)))
        visible = [r for r in later if r.visible]
        self.assertGreaterEqual(len(visible), len(frames))
        self.assertTrue({r.frame for r in visible} >= set(frames))
        gained = sorted(f for f in set(frames) & late)
        return ("%s: first pass %d frames = tshark's single pass; %d re-dissections = "
                "tshark -2 (%d with the details tree: %d selections by Go to packet, %d "
                "retried; %d without a tree); %d frames have %s only after the first pass "
                "(selected: %s)"
                % (name, len(firsts), len(later), len(visible), len(frames), self.retries,
                   len(no_tree), len(late), "/".join(sorted(LATE_FIELDS)),
                   ", ".join(map(str, gained)) or "none"))

if __name__ == "__main__":
    unittest.main()
