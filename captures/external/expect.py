#!/usr/bin/env python3
"""Expected results of the external captures (../shared/captures/external, read-only and
absent from some checkouts): their sidecars live here, at the same relative path plus
".expected" (captures/external/tcpdump/mptcp-v0.pcap.expected for
shared/captures/external/tcpdump/mptcp-v0.pcap).

  expect.py [--validator PATH] [--external DIR] [--plugin-dir DIR]  check (CTest: corpus.external_expect)
  expect.py [--validator PATH] [--external DIR] --write              regenerate the sidecars

Check: every capture there has a sidecar here and every sidecar here has a capture there,
and `mptcpv-validate --expect <sidecar> <capture>` passes for each. Exit 0 all passed,
1 a difference or a missing/orphan sidecar, 77 the external directory is absent (skipped),
2 the validator could not run.

Write: copies the captures and their current sidecars to a temporary tree, runs
`mptcpv-validate --write-expected` there (which keeps the sidecars' comments and says what
changed) and copies the sidecars back. Review the diff: a changed findings line is a change
of behaviour.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
DEFAULT_EXTERNAL = os.path.join(os.path.dirname(SOURCE_DIR), "shared", "captures", "external")
DEFAULT_VALIDATOR = os.path.join(SOURCE_DIR, "build", "validator", "mptcpv-validate")
CAPTURE_RE = re.compile(r"\.(pcap|pcapng|cap)(\.gz)?$")  # as tests/tshark/mptcpvtest.py
SKIP = 77

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "pylib"))
import sidecar as sidecars  # noqa: E402  (the one .expected reader: the validator's lookup)


def walk(top, keep):
    """Sorted paths relative to |top| of the files whose name |keep| accepts."""
    found = []
    for root, dirs, files in os.walk(top):
        dirs.sort()
        found += [os.path.relpath(os.path.join(root, n), top) for n in files if keep(n)]
    return sorted(found)


def check_one(validator, capture, sidecar):
    p = subprocess.run(validator + ["--no-progress", "-j", "1", "--expect", sidecar, capture],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def check(validator, external, captures):
    status = 0
    found = walk(HERE, lambda n: n.endswith(sidecars.SUFFIX))
    orphans = sorted(set(found) - {sidecars.sidecar_path(c) for c in captures})
    for s in orphans:
        print("FAIL %s: no capture %s" % (os.path.join(HERE, s),
                                          os.path.join(external, s[:-len(sidecars.SUFFIX)])))
        status = 1
    todo = []
    for c in captures:
        sidecar = sidecars.find_sidecar(os.path.join(HERE, c))
        if sidecar is not None:
            todo.append((os.path.join(external, c), sidecar))
        else:
            print("FAIL %s: no expected list (%s does not exist; expect.py --write makes it)"
                  % (os.path.join(external, c), sidecars.sidecar_path(os.path.join(HERE, c))))
            status = 1
    jobs = max(1, os.cpu_count() or 1)
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(lambda t: check_one(validator, *t), todo))
    passed = 0
    for (capture, _), (rc, out) in zip(todo, results):
        # The validator's own "expect: ..." summary is one capture's: keep its PASS/FAIL.
        sys.stdout.write("".join(line + "\n" for line in out.splitlines()
                                 if not line.startswith("expect: ")))
        if rc == 0:
            passed += 1
        elif rc == 1:
            status = max(status, 1)
        else:
            print("ERROR %s: mptcpv-validate exited with %d" % (capture, rc))
            status = 2
    print("external expect: %d passed, %d failed, %d without sidecar, %d sidecars without "
          "capture" % (passed, len(todo) - passed, len(captures) - len(todo), len(orphans)))
    return status


def write(validator, external, captures):
    with tempfile.TemporaryDirectory(prefix="mptcpv-external-") as tmp:
        for c in captures:
            os.makedirs(os.path.dirname(os.path.join(tmp, c)), exist_ok=True)
            shutil.copyfile(os.path.join(external, c), os.path.join(tmp, c))
            sidecar = sidecars.find_sidecar(os.path.join(HERE, c))
            if sidecar is not None:  # rewritten in place: its comments are kept
                shutil.copyfile(sidecar, sidecars.sidecar_path(os.path.join(tmp, c)))
        rc = subprocess.run(validator + ["--no-progress", "--write-expected", tmp]).returncode
        for c in captures:
            written = sidecars.find_sidecar(os.path.join(tmp, c))
            if written is not None:
                os.makedirs(os.path.dirname(os.path.join(HERE, c)), exist_ok=True)
                shutil.copyfile(written, sidecars.sidecar_path(os.path.join(HERE, c)))
    print("(paths above are in a temporary copy; the sidecars are now in %s)" % HERE)
    return rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--validator", default=DEFAULT_VALIDATOR)
    ap.add_argument("--external", default=DEFAULT_EXTERNAL)
    ap.add_argument("--plugin-dir", help="passed to mptcpv-validate (the build's plugins/)")
    ap.add_argument("--write", action="store_true", help="regenerate the sidecars")
    a = ap.parse_args()
    if not os.path.isdir(a.external):
        print("skipped: external captures absent: %s" % a.external)
        return SKIP
    if not os.access(a.validator, os.X_OK):
        print("mptcpv-validate not found: %s (build it, or pass --validator)" % a.validator)
        return 2
    captures = walk(a.external, CAPTURE_RE.search)
    if not captures:
        print("no captures in %s" % a.external)
        return 1
    validator = [a.validator] + (["--plugin-dir", a.plugin_dir] if a.plugin_dir else [])
    return (write if a.write else check)(validator, a.external, captures)


if __name__ == "__main__":
    sys.exit(main())
