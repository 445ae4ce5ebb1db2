"""--html and --csv of mptcpv-validate (CTest validator_plots; by hand:
MPTCPV_VALIDATE=build/validator/mptcpv-validate python3 -m unittest -v test_plots).

Structure of the HTML report (html.parser), escaping of hostile strings, the CSV series, that
a plain run does not ask tshark for the plot fields, and a render in headless Chromium whose
PNG is decoded here (zlib + struct) to see that the plots are drawn. The Chromium part is
skipped when chromium is not installed. Python 3 stdlib only.
"""
import collections
import csv
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unittest
import zlib

import test_validate as tv

CAPTURES = os.path.join(tv.SOURCE_DIR, "captures")
JOIN = os.path.join(CAPTURES, "kernel", "v1-join.pcap")
BASIC = os.path.join(CAPTURES, "kernel", "v1-basic.pcap")
FASTCLOSE = os.path.join(CAPTURES, "kernel", "v1-fastclose.pcap")
ADDRESSES = os.path.join(CAPTURES, "kernel", "v1-add-remove-addr.pcap")
CRAFTED = os.path.join(CAPTURES, "crafted")
CSV_HEADER = ["time", "frame", "subflow", "direction", "dsn", "dsn_end", "data_ack", "event"]
# report/plot_svg.c's palette: subflow 0 and 1
SUBFLOW_RGB = [bytes.fromhex("1f77b4"), bytes.fromhex("ff7f0e")]


# ---- HTML ------------------------------------------------------------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], ""

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        return [e for e in self.iter()
                if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)
                and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def all_text(self):
        return self.text + "".join(c.all_text() for c in self.children)


class TreeBuilder(html.parser.HTMLParser):
    """A small DOM: enough to ask which element is inside which."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        e = Element(tag, attrs, self.cur)
        self.cur.children.append(e)
        if tag not in VOID:
            self.cur = e

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Element(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        e = self.cur
        while e is not self.root and e.tag != tag:
            e = e.parent
        if e is self.root:
            raise AssertionError("stray </%s>" % tag)
        if self.cur is not e:
            raise AssertionError("<%s> closed by </%s>" % (self.cur.tag, tag))
        self.cur = e.parent

    def handle_data(self, data):
        self.cur.text += data


def parse_html(text):
    b = TreeBuilder()
    b.feed(text)
    b.close()
    if b.cur is not b.root:
        raise AssertionError("unclosed <%s>" % b.cur.tag)
    return b.root


def external_references(text):
    """Anything that would make the page fetch something."""
    bad = []
    bad += re.findall(r"""(?i)\b(?:src|href|xlink:href|action|srcset|poster)\s*=\s*["']?\s*"""
                      r"""(?!#)[^"'\s>]+""", text)
    bad += re.findall(r"(?i)@import|url\s*\(|<link\b|<img\b|<iframe\b|<object\b|<embed\b"
                      r"|<script\b", text)
    return bad


# ---- PNG -------------------------------------------------------------------------------------

def png_pixels(path):
    """RGB rows of an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium writes)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError("not a PNG")
    pos, idat = 8, []
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if typ == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif typ == b"IDAT":
            idat.append(body)
        elif typ == b"IEND":
            break
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise unittest.SkipTest("PNG layout %d/%d/%d not decoded here" % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    n = w * bpp
    # Up filter on whole rows at once: bytewise add without carries across bytes
    m7 = int.from_bytes(b"\x7f" * n, "big")
    m8 = int.from_bytes(b"\x80" * n, "big")
    prev, rows = bytes(n), []
    for r in range(h):
        f = raw[r * (n + 1)]
        line = raw[r * (n + 1) + 1:(r + 1) * (n + 1)]
        if f == 0:
            cur = bytes(line)
        elif f == 2:
            x, y = int.from_bytes(line, "big"), int.from_bytes(prev, "big")
            cur = (((x & m7) + (y & m7)) ^ ((x ^ y) & m8)).to_bytes(n, "big")
        else:
            cur = bytearray(line)
            for i in range(n):
                a = cur[i - bpp] if i >= bpp else 0
                b = prev[i]
                if f == 1:
                    p = a
                elif f == 3:
                    p = (a + b) >> 1
                else:
                    c = prev[i - bpp] if i >= bpp else 0
                    pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                    p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[i] = (cur[i] + p) & 255
            cur = bytes(cur)
        rows.append(cur if bpp == 3 else b"".join(cur[k:k + 3] for k in range(0, n, 4)))
        prev = cur
    return w, h, rows


def colour_histogram(rows):
    hist = collections.Counter()
    for row in rows:
        for k in range(0, len(row), 3):
            hist[row[k:k + 3]] += 1
    return hist


# ---- tests -----------------------------------------------------------------------------------

class Plots(tv.NeedsPlugin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.out = tempfile.mkdtemp(dir=cls.tmp)
        os.chmod(cls.out, 0o755)

    def run_plots(self, *args, ok=(0, 1)):
        p = self.run_v(*args)
        self.assertIn(p.returncode, ok, p.stderr.decode(errors="replace"))
        return p

    def read(self, path):
        with open(path, encoding="utf-8") as f:
            return f.read()


class HtmlStructure(Plots):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.html = os.path.join(cls.out, "report.html")
        cls.json = os.path.join(cls.out, "report.json")
        cls.proc = subprocess.run(tv.validator_argv("--html", cls.html, "-f", "json", "-o",
                                                    cls.json, JOIN, FASTCLOSE, CRAFTED),
                                  env=cls.env, capture_output=True, timeout=300)

    def setUp(self):
        self.assertIn(self.proc.returncode, (0, 1), self.proc.stderr)
        self.text = self.read(self.html)
        self.dom = parse_html(self.text)
        with open(self.json) as f:
            self.report = json.load(f)

    def capture(self, name):
        for sec in self.dom.find_all("section", "capture"):
            if sec.find_all("h2")[0].all_text().endswith(name):
                return sec
        self.fail("no <section class=capture> for " + name)

    def test_one_section_per_capture_and_connection(self):
        caps = self.dom.find_all("section", "capture")
        self.assertEqual(len(caps), len(self.report["files"]))
        for sec, f in zip(caps, self.report["files"]):
            self.assertEqual(sec.find_all("h2")[0].all_text(), f["path"])
            ids = [c.attrs["data-connection"] for c in sec.find_all("section", "connection")]
            self.assertEqual(ids, [str(c["id"]) for c in f["connections"]])
            for conn in sec.find_all("section", "connection"):
                self.assertEqual(len(conn.find_all("table", "subflows")), 1)
                self.assertGreaterEqual(len(conn.find_all("svg", "dsn-plot")), 1)

    def test_join_capture(self):
        sec = self.capture("kernel/v1-join.pcap")
        conns = sec.find_all("section", "connection")
        self.assertEqual([c.attrs["data-connection"] for c in conns], ["0"])
        rows = conns[0].find_all("table", "subflows")[0].find_all("tr", "subflow")
        self.assertEqual([r.attrs["data-subflow"] for r in rows], ["0", "1"])
        plots = conns[0].find_all("svg", "dsn-plot")
        self.assertEqual(plots[0].attrs["data-direction"], "c2s")
        for svg in plots:
            groups = svg.find_all("g", "subflow")
            self.assertEqual(sorted(g.attrs["data-subflow"] for g in groups), ["0", "1"])
            joins = svg.find_all("g", "join")
            self.assertEqual([(j.attrs["data-subflow"], j.attrs["data-frame"]) for j in joins],
                             [("1", "24")])
            self.assertIn("MP_JOIN", joins[0].find_all("title")[0].all_text())
            self.assertIn("marker", joins[0].classes)
            self.assertTrue(svg.find_all("path", "data-ack"), "no DATA_ACK line")
            ticks = svg.find_all("g", "x")[0].find_all("text")
            self.assertGreaterEqual(len(ticks), 4, "x axis tick labels")
            self.assertGreaterEqual(len(svg.find_all("g", "y")[0].find_all("text")), 4)
        # the client's bytes on subflow 0 (73008 of 150000) are drawn as segments
        d = plots[0].find_all("g", "subflow", data_subflow="0")[0].find_all("path", "dsn")[0]
        self.assertGreaterEqual(d.attrs["d"].count("M"), 20)
        self.assertNotIn("decimated", plots[0].all_text())

    def test_reset_markers(self):
        sec = self.capture("kernel/v1-fastclose.pcap")
        resets = sec.find_all("g", "reset")
        self.assertTrue(resets)
        titles = " ".join(r.find_all("title")[0].all_text() for r in resets)
        self.assertIn("MP_FASTCLOSE", titles)
        self.assertIn("TCP RST", titles)

    def test_finding_markers_match_findings(self):
        """Per capture and connection, finding markers count every finding by rule."""
        checked = 0
        for f in self.report["files"]:
            if "/crafted/" not in f["path"]:
                continue
            sec = self.capture(f["path"])
            want = collections.Counter((x["connection"], x["rule"]) for x in f["findings"]
                                       if x["connection"] is not None)
            got = collections.Counter()
            for conn in sec.find_all("section", "connection"):
                svg = conn.find_all("svg", "dsn-plot")[0]  # every plot draws all markers
                for m in svg.find_all("g", "finding"):
                    self.assertIn("marker", m.classes)
                    self.assertIn(m.attrs["data-rule"], m.find_all("title")[0].all_text())
                    self.assertIn(m.attrs["data-severity"], ("error", "warning", "info"))
                    got[(int(conn.attrs["data-connection"]), m.attrs["data-rule"])] += int(
                        m.attrs["data-count"])
            self.assertEqual(got, want, f["path"])
            checked += len(want)
        self.assertGreaterEqual(checked, 20)
        # the one-rule captures show their rule, e.g. rule-join.hmac_bad.pcap
        sec = self.capture("crafted/rule-join.hmac_bad.pcap")
        self.assertIn("join.hmac_bad", [m.attrs["data-rule"] for m in sec.find_all("g", "finding")])

    def test_address_and_data_fin_markers_and_summary(self):
        """ADD_ADDR, REMOVE_ADDR and DATA_FIN markers; close state, data-level bytes and
        established subflows in the summary, as the JSON has them."""
        d = os.path.join(self.out, "html-addresses")
        os.makedirs(d, exist_ok=True)
        html, json_out = os.path.join(d, "r.html"), os.path.join(d, "r.json")
        p = subprocess.run(tv.validator_argv("--html", html, "-f", "json", "-o", json_out,
                                             ADDRESSES),
                           env=self.env, capture_output=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        dom = parse_html(self.read(html))
        with open(json_out) as f:
            conn = json.load(f)["files"][0]["connections"][0]
        c2s, s2c = dom.find_all("svg", "dsn-plot")[:2]
        for svg in (c2s, s2c):
            self.assertEqual([m.attrs["data-frame"] for m in svg.find_all("g", "add_addr")],
                             [str(e["frame"]) for e in conn["events"] if e["type"] == "add_addr"])
            self.assertEqual([m.attrs["data-frame"] for m in svg.find_all("g", "remove_addr")],
                             ["188"])
        fins = [e["frame"] for e in conn["events"] if e["type"] == "data_fin"]
        self.assertEqual(len(fins), 2)
        self.assertEqual(sorted(int(m.attrs["data-frame"]) for svg in (c2s, s2c)
                                for m in svg.find_all("g", "data_fin")), sorted(fins))
        summary = dom.find_all("table", "summary")[0].all_text()
        self.assertIn("close" + conn["close"], summary.replace(" ", ""))
        self.assertIn("%d, server" % conn["data_bytes_from_client"], summary)
        self.assertIn("2 (2 established)", summary)

    def test_prio_marker(self):
        sec = self.capture("crafted/v1-full-csum.pcap")
        prios = sec.find_all("g", "prio")
        self.assertTrue(prios)
        self.assertIn("backup", prios[0].find_all("title")[0].all_text())

    def test_rules_table(self):
        sec = self.capture("crafted/option-syntax.pcap")
        conn = sec.find_all("section", "connection", data_connection="0")[0]
        rows = {r.attrs["data-rule"]: r for r in conn.find_all("table", "rules")[0].find_all("tr")
                if "data-rule" in r.attrs}
        f = next(f for f in self.report["files"] if f["path"].endswith("option-syntax.pcap"))
        want = collections.Counter(x["rule"] for x in f["findings"] if x["connection"] == 0)
        self.assertEqual({k: int(v.find_all("td")[2].all_text()) for k, v in rows.items()},
                         dict(want))

    def test_self_contained(self):
        self.assertEqual(external_references(self.text), [])
        self.assertTrue(self.text.startswith("<!DOCTYPE html>"))
        for a in self.dom.find_all("a"):
            self.assertTrue(a.attrs["href"].startswith("#"), a.attrs)
            self.assertTrue(self.dom.find_all(id=a.attrs["href"][1:]), a.attrs["href"])


class HtmlLooks(Plots):
    """What a reader sees first: counts coloured only when there is something to count, and
    each connection's plot over that connection's own time."""

    def report(self, name, *captures):
        html = os.path.join(self.out, name + ".html")
        self.run_plots("--html", html, *captures)
        return self.read(html), parse_html(self.read(html))

    def test_zero_counts_are_neutral(self):
        text, dom = self.report("looks-counts", BASIC,
                                os.path.join(CRAFTED, "rule-dss.checksum_bad.pcap"),
                                os.path.join(CRAFTED, "rule-join.token_unknown.pcap"))
        css = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
        self.assertIn(".error{color:#b00}", css)
        zero = re.search(r"\.zero\{color:(#[0-9a-f]+)\}", css)
        self.assertTrue(zero, "no neutral style for zero counts")
        self.assertNotIn(zero.group(1), ("#b00", "#a60"))
        seen = collections.Counter()
        for span in dom.find_all("span"):
            m = re.fullmatch(r"(\d+) (errors?|warnings?|infos?)", span.all_text())
            if not m:
                continue
            severity = m.group(2).rstrip("s")
            want = "zero" if m.group(1) == "0" else severity
            self.assertEqual(span.classes, [want], span.all_text())
            seen[want] += 1
        self.assertGreater(seen["zero"], 0)
        self.assertGreater(seen["error"], 0)
        self.assertGreater(seen["warning"], 0)

    def test_time_axis_per_connection(self):
        """v1-many-short.pcap: 20 connections one after another. Each plot's time axis
        starts at 0 at its connection's first frame and spans that connection only."""
        many = os.path.join(CAPTURES, "kernel", "v1-many-short.pcap")
        _, dom = self.report("looks-time", many)
        conns = dom.find_all("section", "connection")
        self.assertGreater(len(conns), 10)
        origins = []
        for conn in conns:
            svg = conn.find_all("svg", "dsn-plot")[0]
            origins.append(int(svg.attrs["data-time-origin-ns"]))
            ticks = [t.all_text() for t in svg.find_all("g", "x")[0].find_all("text")]
            self.assertEqual(ticks[0], "0", conn.attrs["data-connection"])
            self.assertIn("since the connection's first frame", ticks[-1])
            # the whole capture lasts over 0.1 s; one connection about 6 ms
            self.assertLess(float(ticks[-2]), 0.05, ticks)
        self.assertEqual(origins[0], 0)
        self.assertEqual(origins, sorted(origins))
        self.assertGreater(origins[-1], 100 * 1000 * 1000)  # the last starts after 0.1 s


class Escaping(Plots):
    def test_hostile_capture_names(self):
        d = tempfile.mkdtemp(dir=self.out)
        os.chmod(d, 0o755)
        src = os.path.join(CRAFTED, "rule-dss.checksum_bad.pcap")
        names = ['evil <script>alert("x")<script> & \'q\' <img src=x>.pcap',
                 "ctl\x01\x1b[31m.pcap"]
        for n in names:
            shutil.copy(src, os.path.join(d, n))
            os.chmod(os.path.join(d, n), 0o644)
        shutil.copy(src, os.fsdecode(os.path.join(os.fsencode(d), b"bad\xff.pcap")))
        out = os.path.join(self.out, "hostile.html")
        self.run_plots("--html", out, "-o", os.devnull, d)
        text = self.read(out)
        self.assertNotRegex(text.lower(), r"<\s*script")
        self.assertIn("&lt;script&gt;alert(&quot;x&quot;)&lt;script&gt; &amp; &#39;q&#39; "
                      "&lt;img src=x&gt;", text)
        self.assertFalse(re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text), "control character")
        dom = parse_html(text)
        self.assertEqual(dom.find_all("script") + dom.find_all("img"), [])
        titles = [h.all_text() for h in dom.find_all("h2")]
        self.assertIn(os.path.join(d, names[0]), titles)
        self.assertIn(os.path.join(d, "ctl\ufffd\ufffd[31m.pcap"), titles)
        self.assertIn(os.path.join(d, "bad\ufffd.pcap"), titles)
        self.assertEqual(len(dom.find_all("g", "finding")), 3 * 1)  # one finding each


class Csv(Plots):
    def rows(self, path):
        with open(path, newline="") as f:
            r = list(csv.reader(f))
        self.assertEqual(r[0], CSV_HEADER)
        return [dict(zip(CSV_HEADER, x)) for x in r[1:]]

    def test_basic_columns_and_monotonic_dsn(self):
        d = os.path.join(self.out, "csv-basic")
        json_out = os.path.join(self.out, "basic.json")
        self.run_plots("--csv", d, "-f", "json", "-o", json_out, BASIC)
        self.assertEqual(sorted(os.listdir(d)), ["v1-basic.pcap.conn0.csv"])
        rows = self.rows(os.path.join(d, "v1-basic.pcap.conn0.csv"))
        self.assertGreater(len(rows), 20)
        last = {}
        prev_time = None
        for r in rows:
            self.assertIn(r["direction"], ("c2s", "s2c"))
            t = float(r["time"])
            self.assertRegex(r["time"], r"^\d+\.\d{9}$")
            if prev_time is not None:
                self.assertGreaterEqual(t, prev_time)
            prev_time = t
            if r["dsn"]:
                dsn, end = int(r["dsn"]), int(r["dsn_end"])
                self.assertGreater(end, dsn)
                key = (r["subflow"], r["direction"])
                self.assertGreaterEqual(dsn, last.get(key, 0), "DSN went back: %s" % r)
                last[key] = dsn
            else:
                self.assertEqual(r["dsn_end"], "")
            if r["data_ack"]:
                int(r["data_ack"])
        with open(json_out) as f:
            sf0 = json.load(f)["files"][0]["connections"][0]["subflows"][0]
        c2s_end = max(int(r["dsn_end"]) for r in rows if r["dsn"] and r["direction"] == "c2s")
        self.assertEqual(c2s_end - 1, sf0["bytes_from_client"])  # relative DSNs start at 1
        self.assertIn("data_fin", {e for r in rows for e in r["event"].split(";")})

    def test_events_and_findings(self):
        d = os.path.join(self.out, "csv-events")
        self.run_plots("--csv", d, JOIN, os.path.join(CRAFTED, "rule-dss.checksum_bad.pcap"))
        join = self.rows(os.path.join(d, "v1-join.pcap.conn0.csv"))
        self.assertEqual([(r["frame"], r["subflow"]) for r in join if "join" in r["event"]],
                         [("24", "1")])
        bad = self.rows(os.path.join(d, "rule-dss.checksum_bad.pcap.conn0.csv"))
        self.assertIn("finding:dss.checksum_bad", [r["event"] for r in bad])

    def test_core_events_in_csv(self):
        """The CSV's joins, addresses and DATA_FINs are the plugin's mptcpv.event: the same
        frames as the JSON's events (captures/kernel/README.md: ADD_ADDR frame 4,
        REMOVE_ADDR 188)."""
        d = os.path.join(self.out, "csv-core-events")
        json_out = os.path.join(self.out, "core-events.json")
        self.run_plots("--csv", d, "-f", "json", "-o", json_out, ADDRESSES)
        rows = self.rows(os.path.join(d, "v1-add-remove-addr.pcap.conn0.csv"))
        got = [(e, int(r["frame"])) for r in rows for e in r["event"].split(";")
               if e.split(":")[0] in ("join", "add_addr", "remove_addr", "data_fin")]
        with open(json_out) as f:
            events = json.load(f)["files"][0]["connections"][0]["events"]
        self.assertEqual(got, [(e["type"], e["frame"]) for e in events])
        self.assertIn(("add_addr", 4), got)
        self.assertIn(("remove_addr", 188), got)
        self.assertEqual([e for e, _ in got].count("data_fin"), 2)

    def test_decimation_is_every_kth_point(self):
        full_dir, small_dir = os.path.join(self.out, "full"), os.path.join(self.out, "small")
        html = os.path.join(self.out, "small.html")
        self.run_plots("--csv", full_dir, JOIN)
        self.run_plots("--csv", small_dir, "--max-points", "10", "--html", html, JOIN)
        full = self.rows(os.path.join(full_dir, "v1-join.pcap.conn0.csv"))
        small = self.rows(os.path.join(small_dir, "v1-join.pcap.conn0.csv"))
        # every k-th point of each sub-series (subflow, direction, segment or DATA_ACK only)
        series = collections.defaultdict(list)
        for r in full:
            if r["dsn"] or r["data_ack"]:
                series[(r["subflow"], r["direction"], bool(r["dsn"]))].append(int(r["frame"]))
        self.assertGreaterEqual(len(series), 4)
        k = 1
        while sum(len(v[::k]) for v in series.values()) > 10:
            k *= 2
        self.assertGreater(k, 1)
        expected = sorted(f for v in series.values() for f in v[::k])
        kept = [int(r["frame"]) for r in small if r["dsn"] or r["data_ack"]]
        self.assertEqual(kept, expected)
        points = sum(len(v) for v in series.values())
        # events are never dropped
        self.assertEqual([(r["frame"], r["event"]) for r in full if r["event"]],
                         [(r["frame"], r["event"]) for r in small if r["event"]])
        self.assertIn("decimated: 1 in %d of %d points" % (k, points), self.read(html))

    def test_plain_run_asks_no_plot_fields(self):
        log = os.path.join(self.out, "tshark-argv.log")
        open(log, "w").close()
        os.chmod(log, 0o666)  # tshark may run as nobody
        wrapper = os.path.join(self.out, "tshark-wrapper")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\necho "$*" >> %s\nexec %s "$@"\n' % (log, shutil.which("tshark")))
        os.chmod(wrapper, 0o755)
        self.run_plots("--tshark", wrapper, "-o", os.devnull, BASIC)
        self.run_plots("--tshark", wrapper, "-o", os.devnull, "--csv",
                       os.path.join(self.out, "w"), BASIC)
        runs = [line for line in self.read(log).splitlines() if " -T fields " in line]
        self.assertEqual(len(runs), 2, runs)
        self.assertNotIn("mptcpv.dsn", runs[0])
        self.assertNotIn("mptcpv.data_ack", runs[0])
        self.assertRegex(runs[1], r"-e mptcpv\.dsn( |$)")
        self.assertRegex(runs[1], r"-e mptcpv\.data_ack( |$)")

    def test_usage(self):
        self.assertEqual(self.run_v("--max-points", "-1", BASIC).returncode, 2)
        self.assertEqual(self.run_v("--html", "-", BASIC).returncode, 2)
        blocker = os.path.join(self.out, "not-a-dir")
        open(blocker, "w").close()
        p = self.run_v("--csv", os.path.join(blocker, "x"), BASIC)
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"--csv", p.stderr)


class Render(Plots):
    """Headless Chromium draws the page; the PNG must show the plots."""

    @classmethod
    def setUpClass(cls):
        cls.chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if cls.chromium is None:
            raise unittest.SkipTest("chromium not installed")
        super().setUpClass()

    def screenshot(self, page, png, size):
        profile = tempfile.mkdtemp(dir=self.out)
        p = subprocess.run([self.chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                            "--hide-scrollbars", "--user-data-dir=" + profile,
                            "--screenshot=" + png, "--window-size=" + size,
                            "file://" + page], capture_output=True, timeout=60)
        self.assertTrue(os.path.exists(png), p.stderr.decode(errors="replace")[-2000:])
        return png_pixels(png)

    def test_page_renders_plots(self):
        page = os.path.join(self.out, "render.html")
        self.run_plots("--html", page, "-o", os.devnull, JOIN)
        w, h, rows = self.screenshot(page, os.path.join(self.out, "page.png"), "1200,2000")
        self.assertEqual((w, h), (1200, 2000))
        hist = colour_histogram(rows)
        self.assertGreater(len(hist), 100, "too few colours: blank page?")
        white = hist.get(b"\xff\xff\xff", 0)
        self.assertLess(white, 0.97 * w * h, "almost all white")
        for rgb in SUBFLOW_RGB:
            self.assertGreater(hist.get(rgb, 0), 50, "subflow colour %s missing" % rgb.hex())

    def test_plot_alone_shows_both_subflows(self):
        """Without the legend and tables, both subflow colours must come from the plot."""
        text = self.read(self.html_of(JOIN))
        svg = re.search(r'<svg class="dsn-plot" data-direction="c2s".*?</svg>', text, re.S).group(0)
        svg = re.sub(r'<g class="legend".*?</g>\n(?=</svg>)', "", svg, flags=re.S)
        self.assertNotIn('class="legend"', svg)
        page = os.path.join(self.out, "plot-only.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write('<!DOCTYPE html><meta charset="utf-8"><body style="margin:0">' + svg)
        w, h, rows = self.screenshot(page, os.path.join(self.out, "plot.png"), "1000,520")
        hist = colour_histogram(rows)
        self.assertGreater(len(hist), 30)
        for rgb in SUBFLOW_RGB:
            self.assertGreater(hist.get(rgb, 0), 10, "subflow colour %s not drawn" % rgb.hex())

    def html_of(self, capture):
        page = os.path.join(self.out, os.path.basename(capture) + ".html")
        if not os.path.exists(page):
            self.run_plots("--html", page, "-o", os.devnull, capture)
        return page


if __name__ == "__main__":
    unittest.main()
