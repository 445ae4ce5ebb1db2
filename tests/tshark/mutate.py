#!/usr/bin/env python3
"""Mutated captures: editcap -E (random byte errors) over every corpus capture at several
rates and seeds, dissected in full (tshark -nV) with the plugin. The seeds of one capture
and rate are concatenated (mergecap -a) so one tshark run dissects them all, state carried
across them. A crash (signal), a sanitizer report or a hang (timeout) fails, naming the
group; reproduce a single seed with editcap -E RATE --seed SEED. With --asan-plugin-root, the plugin is the
AddressSanitizer/UBSan build, loaded into the uninstrumented tshark via LD_PRELOAD.

usage: mutate.py [--seeds N] [--rates 0.01,0.05,0.2] [--packets N] [--jobs N]
                 [--asan-plugin-root DIR]
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mptcpvtest as m  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--rates", default="0.01,0.05,0.2")
    ap.add_argument("--packets", type=int, default=300, help="first N packets of each capture")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--asan-plugin-root")
    args = ap.parse_args()

    env = {}
    root = m.PLUGIN_ROOT
    if args.asan_plugin_root:
        root = args.asan_plugin_root
        lib = subprocess.run(["gcc", "-print-file-name=libasan.so"], stdout=subprocess.PIPE,
                             check=True).stdout.decode().strip()
        ubsan = subprocess.run(["gcc", "-print-file-name=libubsan.so"], stdout=subprocess.PIPE,
                               check=True).stdout.decode().strip()
        env = {"LD_PRELOAD": os.path.realpath(lib) + ":" + os.path.realpath(ubsan),
               # Wireshark itself is not instrumented and keeps memory until exit.
               "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1:halt_on_error=1",
               "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1"}
    tshark = m.Tshark(plugin_root=root, extra_env=env)
    captures = m.all_captures()
    rates = [float(r) for r in args.rates.split(",")]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        mutated = 0
        for ci, capture in enumerate(captures):
            head = os.path.join(tmp, "head-%d.pcap" % ci)
            subprocess.run(["editcap", "-F", "pcap", "-r", capture, head,
                            "1-%d" % args.packets], check=True, stderr=subprocess.DEVNULL)
            for rate in rates:
                parts = []
                for seed in range(args.seeds):
                    out = os.path.join(tmp, "m-%d-%s-%d.pcap" % (ci, rate, seed))
                    subprocess.run(["editcap", "-E", str(rate), "--seed", str(seed), head, out],
                                   check=True, stderr=subprocess.DEVNULL)
                    parts.append(out)
                group = os.path.join(tmp, "g-%d-%s.pcap" % (ci, rate))
                subprocess.run(["mergecap", "-F", "pcap", "-a", "-w", group] + parts, check=True)
                for part in parts:
                    os.remove(part)
                mutated += len(parts)
                jobs.append((capture, rate, args.seeds, group))

        def dissect(job):
            _, _, _, path = job
            try:
                code, _, err = tshark.run(["-n", "-V"], path, check=False,
                                          timeout=args.timeout, keep_stdout=False)
            except subprocess.TimeoutExpired:
                return (job, "timeout")
            if code < 0 or "AddressSanitizer" in err or "runtime error" in err:
                return (job, "exit %d: %s" % (code, err[-2000:]))
            return None

        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for result in pool.map(dissect, jobs):
                if result is not None:
                    failures.append(result)
        print("mutate: %d mutated captures (%d tshark runs) from %d captures, %d failures"
              % (mutated, len(jobs), len(captures), len(failures)))
        for (capture, rate, seeds, _), why in failures[:10]:
            print("  %s rate %s seeds 0..%d: %s" % (capture, rate, seeds - 1, why))
    tshark.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
