"""Run the Wireshark GUI on a virtual X display with the mptcpv plugin and profile.

Used by tests/gui/test_gui.py and scripts/screenshots (Python 3 stdlib only; the programs
are Xvfb, wireshark, xdotool, xwd and netpbm's xwdtopnm/pnmtopng/pnmquant).

- Xvfb picks a free display itself (-displayfd) and reports it once it accepts clients.
- Wireshark runs unprivileged, like tests/tshark/mptcpvtest.py runs tshark: Wireshark
  started as root ignores WIRESHARK_PLUGIN_DIR and personal plugin folders, so as root it is
  started through 'setpriv --reuid=nobody --regid=nogroup --clear-groups'. HOME is an empty
  temporary directory; WIRESHARK_PLUGIN_DIR a temporary copy of the build's plugin root;
  the profile is installed into $HOME/.config/wireshark/profiles/mptcpv by
  scripts/install-profile; the capture is a world-readable copy.
- Wireshark has no log line for a loaded plugin, so plugin_mappings() reads
  /proc/<pid>/maps of the Wireshark process: the temporary copy of mptcpv.so mapped there
  proves the GUI process itself loaded the plugin under test (not an installed one).
- A Lua listener (-X lua_script:) in the same process appends the number of every frame
  that has an mptcpv.rule field to a file: what the GUI's own dissection found. More Lua
  scripts (lua_scripts=) find a writable folder in $MPTCPV_GUI_OUT (Wireshark.out_dir).
- Windows are found by title (xdotool search --name; a statistics dialog is titled
  "Wireshark · <title> · <capture>"), placed with xdotool (Xvfb has no window manager), and
  the clipboard is read with Tk (tkinter, optional: clipboard_text() is None without it).
- Every wait is bounded; close() always ends Wireshark (Ctrl+Q, then SIGTERM, then SIGKILL)
  and Xvfb.stop() the server.
"""
import collections
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
PROFILE_NAME = "mptcpv"
PROFILE_DIR = os.path.join(SOURCE_DIR, "gui", "profile", PROFILE_NAME)
INSTALL_PROFILE = os.path.join(SOURCE_DIR, "scripts", "install-profile")
UNPRIVILEGED = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]

LUA_RULE_FRAMES = """\
-- Written by gui/wsgui.py: the frames of this Wireshark process that carry mptcpv.rule.
local out = os.getenv("MPTCPV_GUI_RULE_FRAMES")
local tap = Listener.new("frame", "mptcpv.rule")
function tap.packet(pinfo)
    local f = io.open(out, "a")
    if f then
        f:write(pinfo.number, "\\n")
        f:close()
    end
end
"""


def is_root():
    return os.geteuid() == 0


def missing_programs(names):
    return [n for n in names if shutil.which(n) is None]


class Error(Exception):
    pass


class Xvfb:
    """An Xvfb server on a display it picks itself; use as a context manager."""

    def __init__(self, width=1400, height=900, depth=24):
        self.size = (width, height, depth)
        self.proc = None
        self.display = None
        self.log = tempfile.TemporaryFile()

    def start(self, timeout=20):
        read_fd, write_fd = os.pipe()
        try:
            self.proc = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "%dx%dx%d" % self.size,
                 "-nolisten", "tcp"],
                pass_fds=(write_fd,), stdin=subprocess.DEVNULL, stdout=self.log,
                stderr=subprocess.STDOUT)
            os.close(write_fd)
            write_fd = None
            data = b""
            deadline = time.monotonic() + timeout
            while not data.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise Error("Xvfb did not start: %s" % self.log_text())
                ready, _, _ = select.select([read_fd], [], [], min(left, 0.5))
                if ready:
                    chunk = os.read(read_fd, 64)
                    if not chunk:
                        raise Error("Xvfb did not report a display: %s" % self.log_text())
                    data += chunk
            self.display = ":" + data.decode().strip()
            self._wait_accepting(deadline)
        except BaseException:
            self.stop()
            raise
        finally:
            os.close(read_fd)
            if write_fd is not None:
                os.close(write_fd)
        return self.display

    def _wait_accepting(self, deadline):
        """Until a client can connect: under load a Wireshark started right after -displayfd
        answered once could not connect to the display (seen in a CI run)."""
        env = dict(os.environ, DISPLAY=self.display)
        while True:
            probe = subprocess.run(["xdotool", "getdisplaygeometry"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if probe.returncode == 0:
                return
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise Error("Xvfb reported %s but accepts no client: %s" % (
                    self.display, self.log_text()))
            time.sleep(0.2)

    def log_text(self):
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-2000:]

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        self.log.close()


def stop_process(proc, grace=5):
    """SIGTERM, then SIGKILL; bounded."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(grace)


class Wireshark:
    """Wireshark with the plugin copy, the installed profile and a temporary HOME.

    The main window is placed at 0,0 with |size| (there is no window manager to do it).
    |recent| are extra 'key: value' lines for the profile's "recent" file (pane sizes,
    hidden panes), written before the start; they are not part of the shipped profile.
    """

    def __init__(self, display, plugin_root, capture, args=(), size=(1400, 900),
                 recent=(), lua_rule_frames=True, lua_scripts=(), profile=True):
        """|lua_scripts|: [(file name, Lua text)] run with -X lua_script: as well.
        |profile|: False starts without the mptcpv profile (no -C), e.g. without the plugin,
        whose fields its colouring rules and columns use."""
        self.display = display
        self.use_profile = profile
        self.capture_name = os.path.basename(capture)
        self.args = list(args)
        self.proc = None
        self.stdout = self.stderr = None
        self.tmp = tempfile.mkdtemp(prefix="mptcpv-gui-")
        try:
            self._prepare(plugin_root, capture, size, recent, lua_rule_frames, lua_scripts)
        except BaseException:
            self.close()
            raise

    def _prepare(self, plugin_root, capture, size, recent, lua_rule_frames, lua_scripts):
        self.plugin_dir = os.path.join(self.tmp, "plugins")
        shutil.copytree(plugin_root, self.plugin_dir)
        self.home = os.path.join(self.tmp, "home")
        self.config = os.path.join(self.home, ".config", "wireshark")
        self.profile = os.path.join(self.config, "profiles", PROFILE_NAME)
        self.runtime = os.path.join(self.tmp, "runtime")
        os.makedirs(self.home)
        os.makedirs(self.runtime)
        env = dict(os.environ, HOME=self.home,
                   XDG_CONFIG_HOME=os.path.join(self.home, ".config"))
        env.pop("WIRESHARK_CONFIG_DIR", None)
        if self.use_profile:
            subprocess.run([INSTALL_PROFILE], check=True, timeout=60,
                           stdout=subprocess.DEVNULL, env=env)
        else:
            os.makedirs(self.config)
        width, height = size
        with open(os.path.join(self.config, "recent_common"), "w") as f:
            f.write("# Written by gui/wsgui.py\n"
                    "gui.geometry_main_x: 0\ngui.geometry_main_y: 0\n"
                    "gui.geometry_main_width: %d\ngui.geometry_main_height: %d\n"
                    "gui.geometry_main_maximized: FALSE\n"
                    "privs.warn_if_elevated: FALSE\nsys.warn_if_no_capture: FALSE\n"
                    % (width, height))
        if recent and self.use_profile:
            with open(os.path.join(self.profile, "recent"), "w") as f:
                f.writelines(line + "\n" for line in recent)
        self.capture = os.path.join(self.tmp, self.capture_name)
        shutil.copyfile(capture, self.capture)
        self.rule_frames_file = os.path.join(self.tmp, "rule-frames.txt")
        self.out_dir = os.path.join(self.tmp, "out")
        os.makedirs(self.out_dir)
        self.lua_files = []
        scripts = ([("rule-frames.lua", LUA_RULE_FRAMES)] if lua_rule_frames else []) + \
            list(lua_scripts)
        for name, text in scripts:
            self.lua_files.append(os.path.join(self.tmp, name))
            with open(self.lua_files[-1], "w") as f:
                f.write(text)
        self.stdout = open(os.path.join(self.tmp, "wireshark.out"), "w+b")
        self.stderr = open(os.path.join(self.tmp, "wireshark.err"), "w+b")
        for root, dirs, files in os.walk(self.tmp):
            os.chmod(root, 0o755)
            for name in files:
                os.chmod(os.path.join(root, name), 0o644)
        os.chmod(self.runtime, 0o700)
        if is_root():
            # Wireshark writes its recent files into HOME and the Lua output into tmp.
            for root, dirs, files in os.walk(self.tmp):
                shutil.chown(root, "nobody", "nogroup")
                for name in files:
                    shutil.chown(os.path.join(root, name), "nobody", "nogroup")

    # -- process --------------------------------------------------------------------------

    def argv(self):
        argv = ["wireshark"] + (["-C", PROFILE_NAME] if self.use_profile else []) + \
            ["-r", self.capture, "-o", "gui.update.enabled:FALSE",
             "-o", "gui.ask_unsaved:FALSE"]
        for path in self.lua_files:
            argv += ["-X", "lua_script:" + path]
        argv += self.args
        return (UNPRIVILEGED + argv) if is_root() else argv

    def env(self):
        env = dict(os.environ)
        for name in ("WIRESHARK_CONFIG_DIR", "XDG_CONFIG_HOME", "WIRESHARK_EXTCAP_DIR",
                     "XAUTHORITY", "SESSION_MANAGER", "DBUS_SESSION_BUS_ADDRESS"):
            env.pop(name, None)
        env.update(HOME=self.home, WIRESHARK_PLUGIN_DIR=self.plugin_dir, DISPLAY=self.display,
                   XDG_RUNTIME_DIR=self.runtime, LC_ALL="C.UTF-8", NO_AT_BRIDGE="1",
                   QT_QPA_PLATFORM="xcb", MPTCPV_GUI_RULE_FRAMES=self.rule_frames_file,
                   MPTCPV_GUI_OUT=self.out_dir)
        return env

    def start(self):
        # setpriv execs wireshark, so proc.pid is Wireshark's pid.
        self.proc = subprocess.Popen(self.argv(), env=self.env(), cwd=self.home,
                                     stdin=subprocess.DEVNULL, stdout=self.stdout,
                                     stderr=self.stderr)
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr_text(self):
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def check_running(self):
        if not self.running():
            raise Error("wireshark exited (%s): %s" % (
                self.proc.returncode if self.proc else None, self.stderr_text()[-3000:]))

    def xdotool(self, *args, timeout=10):
        proc = subprocess.run(["xdotool"] + [str(a) for a in args], timeout=timeout,
                              env=dict(os.environ, DISPLAY=self.display),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        return proc.returncode, proc.stdout.decode("utf-8", "replace")

    def window_title(self, wid):
        _, out = self.xdotool("getwindowname", wid)
        return out.strip()

    def wait_main_window(self, timeout=60):
        """Window id of the main window once its title is the capture's name (file open)."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_running()
            code, out = self.xdotool("search", "--onlyvisible", "--pid", self.proc.pid,
                                     "--class", "wireshark")
            titles = []
            for wid in out.split() if code == 0 else []:
                titles.append(self.window_title(wid))
                if titles[-1].startswith(self.capture_name):
                    return wid
            if time.monotonic() > deadline:
                raise Error("no Wireshark window titled %r after %d s (windows: %s): %s"
                            % (self.capture_name, timeout, titles,
                               self.stderr_text()[-3000:]))
            time.sleep(0.25)

    def key(self, wid, *keys, delay=0.3):
        """Focus the window and type |keys| (xdotool key names), one after the other."""
        self.xdotool("windowfocus", "--sync", wid)
        for k in keys:
            self.check_running()
            self.xdotool("key", "--window", wid, k)
            time.sleep(delay)

    def click(self, x, y):
        self.check_running()
        self.xdotool("mousemove", x, y, "click", 1)

    def windows(self):
        """{window id: title} of the visible windows of the Wireshark process (main window,
        dialogs, an open menu)."""
        self.check_running()
        code, out = self.xdotool("search", "--onlyvisible", "--pid", self.proc.pid, "--name", "")
        return {wid: self.window_title(wid) for wid in (out.split() if code == 0 else [])}

    def wait_window(self, title_part, timeout=30, exclude=()):
        """Id of a visible window whose title contains |title_part| (not one of |exclude|)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [w for w, t in self.windows().items()
                     if title_part in t and w not in exclude]
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise Error("no window titled *%s* after %d s (windows: %s)"
                            % (title_part, timeout, sorted(self.windows().values())))
            time.sleep(0.25)

    def wait_new_window(self, before, timeout=10):
        """(id, title) of a window that appeared since |before| (a windows() result), or
        None."""
        deadline = time.monotonic() + timeout
        while True:
            new = {w: t for w, t in self.windows().items() if w not in before}
            if new:
                return sorted(new.items())[0]
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)

    def geometry(self, wid):
        """(x, y, width, height) of a window on the screen."""
        _, out = self.xdotool("getwindowgeometry", "--shell", wid)
        values = dict(l.split("=", 1) for l in out.split() if "=" in l)
        return tuple(int(values[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))

    def place(self, wid, x, y, width, height, timeout=5):
        """Move and resize a window (no window manager: xdotool does it) and wait until the
        X server reports the new geometry."""
        self.xdotool("windowsize", wid, width, height)
        self.xdotool("windowmove", wid, x, y)
        deadline = time.monotonic() + timeout
        while self.geometry(wid) != (x, y, width, height):
            if time.monotonic() > deadline:
                raise Error("window %s is at %s, not %s" % (wid, self.geometry(wid),
                                                            (x, y, width, height)))
            time.sleep(0.1)

    def clipboard_text(self, timeout=10):
        """The CLIPBOARD selection as text, read with Tk; None if tkinter is missing."""
        code = ("import sys, tkinter\n"
                "r = tkinter.Tk()\nr.withdraw()\n"
                "try:\n    t = r.clipboard_get(type='UTF8_STRING')\n"
                "except tkinter.TclError:\n    t = ''\n"
                "sys.stdout.buffer.write(t.encode('utf-8'))\n")
        try:
            import tkinter  # noqa: F401  (only whether it is there)
        except ImportError:
            return None
        proc = subprocess.run([sys.executable, "-c", code], timeout=timeout,
                              env=dict(os.environ, DISPLAY=self.display),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        if proc.returncode != 0:
            raise Error("reading the clipboard failed: %s"
                        % proc.stderr.decode("utf-8", "replace")[-1000:])
        return proc.stdout.decode("utf-8", "replace")

    def copy_stat_table(self, wid, timeout=10):
        """A statistics dialog's table as Wireshark's Copy puts it on the clipboard (plain
        text), through the dialog's context menu (its first item is Copy); None without
        tkinter. The dialog's empty tree area, right of the columns, gets the right click."""
        x, y, width, height = self.geometry(wid)
        self.xdotool("windowfocus", "--sync", wid)
        before = self.windows()
        self.xdotool("mousemove", x + width - 40, y + 60, "click", 3)
        if self.wait_new_window(before, timeout) is None:
            raise Error("no context menu in window %s" % wid)
        self.xdotool("key", "Down")
        time.sleep(0.2)
        self.xdotool("key", "Return")
        deadline = time.monotonic() + timeout
        while True:
            text = self.clipboard_text()
            if text is None or text.strip() or time.monotonic() > deadline:
                return text
            time.sleep(0.25)

    def plugin_mappings(self):
        """Paths of every mptcpv.so mapped into the Wireshark process."""
        with open("/proc/%d/maps" % self.proc.pid) as f:
            return sorted({line.split(None, 5)[5].strip() for line in f
                           if len(line.split(None, 5)) == 6 and
                           line.rstrip().endswith("/mptcpv.so")})

    def rule_frames(self):
        """Frame numbers the Lua listener saw with an mptcpv.rule (in order, repeated if the
        file was dissected again)."""
        try:
            with open(self.rule_frames_file) as f:
                return [int(x) for x in f.read().split()]
        except FileNotFoundError:
            return []

    def quit(self, wid=None, timeout=15):
        """Ctrl+Q (Wireshark then writes its recent files); returns the exit code, or None
        if it had to be killed."""
        if not self.running():
            return self.proc.returncode if self.proc else None
        try:
            if wid is None:
                code, out = self.xdotool("search", "--onlyvisible", "--pid", self.proc.pid,
                                         "--class", "wireshark")
                wid = out.split()[0] if code == 0 and out.split() else None
            if wid is not None:
                self.xdotool("windowfocus", "--sync", wid)
                self.xdotool("key", "--window", wid, "ctrl+q")
            return self.proc.wait(timeout)
        except (subprocess.TimeoutExpired, OSError):
            stop_process(self.proc)
            return None

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            stop_process(self.proc)
        for f in (self.stdout, self.stderr):
            if f is not None:
                f.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def recent_common(self):
        try:
            with open(os.path.join(self.config, "recent_common")) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    # -- pixels ---------------------------------------------------------------------------

    def screenshot(self, wid=None, timeout=30):
        """The root window (or window |wid|) as a Ppm."""
        target = ["-id", str(wid)] if wid else ["-root"]
        xwd = subprocess.run(["xwd", "-silent", "-display", self.display] + target,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=timeout, check=True)
        pnm = subprocess.run(["xwdtopnm"], input=xwd.stdout, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=timeout, check=True)
        return Ppm(pnm.stdout)

    def wait_screen(self, predicate, timeout=20, interval=0.5, wid=None):
        """Screenshots until predicate(ppm) holds; returns (ppm, held)."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_running()
            shot = self.screenshot(wid)
            if predicate(shot):
                return shot, True
            if time.monotonic() > deadline:
                return shot, False
            time.sleep(interval)


class Ppm:
    """A binary PPM (P6, maxval 255) as xwdtopnm writes it."""

    def __init__(self, data):
        fields = []
        pos = 0
        while len(fields) < 4:
            while data[pos:pos + 1].isspace():
                pos += 1
            if data[pos:pos + 1] == b"#":
                pos = data.index(b"\n", pos) + 1
                continue
            end = pos
            while not data[end:end + 1].isspace():
                end += 1
            fields.append(data[pos:end])
            pos = end
        if fields[0] != b"P6" or int(fields[3]) not in (255, 65535):
            raise Error("not a P6 PPM of 8 or 16 bits: %r" % fields)
        self.width, self.height = int(fields[1]), int(fields[2])
        size = 3 * self.width * self.height
        if int(fields[3]) == 255:
            self.pixels = data[pos + 1:pos + 1 + size]
        else:  # xwdtopnm sometimes writes 16-bit samples: keep their high bytes
            self.pixels = data[pos + 1:pos + 1 + 2 * size][0::2]
        if len(self.pixels) != size:
            raise Error("PPM truncated")
        self.raw = b"P6\n%d %d\n255\n" % (self.width, self.height) + self.pixels
        self._counts = None

    def counts(self):
        """collections.Counter of (r, g, b) over every pixel."""
        if self._counts is None:
            p = self.pixels
            self._counts = collections.Counter(zip(p[0::3], p[1::3], p[2::3]))
        return self._counts

    def pixel(self, x, y):
        i = 3 * (y * self.width + x)
        return tuple(self.pixels[i:i + 3])

    def _row_runs(self, y_from, y_to, hit, min_hits):
        """[(first y, last y)] of the runs of pixel rows with at least |min_hits| pixels
        for which |hit|((r, g, b)) is true."""
        found = []
        start = None
        y_to = self.height if y_to is None else y_to
        for y in range(y_from, y_to):
            row = self.row(y)
            hits = sum(1 for px in zip(row[0::3], row[1::3], row[2::3]) if hit(px))
            if hits >= min_hits:
                if start is None:
                    start = y
            elif start is not None:
                found.append((start, y - 1))
                start = None
        if start is not None:
            found.append((start, y_to - 1))
        return found

    def bands(self, colour, fraction=0.5, y_from=0, y_to=None):
        """[(first y, last y)] of the runs of pixel rows that are at least |fraction|
        |colour| (e.g. a coloured or selected packet list row)."""
        return self._row_runs(y_from, y_to, lambda px: px == colour, fraction * self.width)

    def crop(self, x, y, width, height):
        """The rectangle as a new Ppm (clipped to the picture)."""
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.width, x + width), min(self.height, y + height)
        rows = [self.pixels[3 * (yy * self.width + x0):3 * (yy * self.width + x1)]
                for yy in range(y0, y1)]
        return Ppm(b"P6\n%d %d\n255\n" % (x1 - x0, y1 - y0) + b"".join(rows))

    def row(self, y):
        """The bytes of pixel row |y|."""
        return self.pixels[3 * y * self.width:3 * (y + 1) * self.width]

    def text_bands(self, y_from=0, y_to=None, dark=110, min_pixels=3):
        """[(first y, last y)] of the runs of pixel rows holding at least |min_pixels| dark
        pixels (every component below |dark|): lines of text on a light background."""
        return self._row_runs(y_from, y_to, lambda px: max(px) < dark, min_pixels)

    def background(self):
        return self.counts().most_common(1)[0][0]

    def non_background_fraction(self):
        counts = self.counts()
        return 1.0 - counts[self.background()] / float(self.width * self.height)

    def write_png(self, path, colours=None, timeout=60):
        """Write a PNG with netpbm (pnmquant to |colours| colours first, if given)."""
        data = self.raw
        if colours:
            data = subprocess.run(["pnmquant", str(colours)], input=data,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  timeout=timeout, check=True).stdout
        png = subprocess.run(["pnmtopng", "-compression", "9"], input=data,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             timeout=timeout, check=True).stdout
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "wb") as f:
            f.write(png)


# A statistics dialog (TapParameterDialog) from the bottom: a row of buttons (Copy, Save
# as..., Close) and the display filter row take its last ~65 pixels; above them the table.
STAT_DIALOG_BOTTOM = 75


def stat_dialog_lines(ppm):
    """Lines of text in the table of a statistics dialog's screenshot: its header and one per
    row (on a light background, without a horizontal scroll bar)."""
    return len(ppm.text_bands(0, ppm.height - STAT_DIALOG_BOTTOM))


def read_colorfilters(path=None):
    """[(name, filter, background (r, g, b), foreground (r, g, b))] of a colorfilters file,
    colours as 8-bit components (what Wireshark draws: the 16-bit value >> 8)."""
    import re
    rules = []
    with open(path or os.path.join(PROFILE_DIR, "colorfilters")) as f:
        for line in f:
            m = re.match(r"^@([^@]*)@([^@]*)@\[(\d+),(\d+),(\d+)\]\[(\d+),(\d+),(\d+)\]\s*$",
                         line)
            if m:
                c = [int(x) >> 8 for x in m.groups()[2:]]
                rules.append((m.group(1), m.group(2), tuple(c[:3]), tuple(c[3:])))
    return rules
