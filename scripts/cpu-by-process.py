#!/usr/bin/env python3
"""Runs a command and says where its CPU went, by process kind.

    scripts/cpu-by-process.py [-o OUT.json] -- go test -count=1 -run '^TestX$' ./tests

Every 0.25 s it reads /proc for the command's descendants and keeps each
process's highest user+system CPU; at the end it prints the total CPU of
the command and everything it waited for (getrusage of children: exact)
and the sampled CPU grouped by kind (terraform by subcommand, the AWS
provider, jsii's Node, moto, compile/link, ...). A process that lives
less than a sample apart, or the last quarter second of one, is missed,
so the groups add up to a little less than the total. Unlike a PATH shim
around `time`, nothing stands between a test and the processes it
signals (GNU time ignores SIGINT while it waits).
"""
import collections
import json
import os
import resource
import subprocess
import sys
import time


def snapshot(root, seen, t0, hz):
    procs = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            s = open(f"/proc/{d}/stat").read()
        except OSError:
            continue
        r = s.rfind(")")
        comm, f = s[s.find("(") + 1 : r], s[r + 2 :].split()
        procs[int(d)] = (int(f[1]), comm, (int(f[11]) + int(f[12])) / hz, int(f[19]))
    desc, grew = {root}, True
    while grew:
        grew = False
        for pid, (ppid, *_) in procs.items():
            if ppid in desc and pid not in desc:
                desc.add(pid)
                grew = True
    for pid in desc & procs.keys():
        _, comm, cpu, start = procs[pid]
        k = (pid, start)
        if k not in seen:
            try:
                argv = open(f"/proc/{pid}/cmdline").read().split("\0")[:4]
            except OSError:
                argv = []
            seen[k] = {"comm": comm, "argv": argv, "cpu": cpu, "first": time.time() - t0}
        seen[k]["cpu"] = max(seen[k]["cpu"], cpu)


def kind(p):
    comm, argv = p["comm"], p["argv"]
    words = " ".join(argv)
    if comm == "terraform" and len(argv) > 1:
        return "terraform " + argv[1]
    if comm.startswith("terraform-prov"):
        return "terraform provider"
    if "moto_server" in words:
        return "moto"
    if "program.js" in words:
        return "jsii Node (program.js)"
    if comm == "node" and len(argv) > 1:
        return "node " + " ".join(a.rsplit("/", 1)[-1] for a in argv[1:3])
    return comm


def main():
    args = sys.argv[1:]
    out = None
    if args[:1] == ["-o"]:
        out, args = args[1], args[2:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        sys.exit(__doc__)
    hz = os.sysconf("SC_CLK_TCK")
    t0 = time.time()
    p = subprocess.Popen(args)
    seen = {}
    while p.poll() is None:
        snapshot(p.pid, seen, t0, hz)
        time.sleep(0.25)
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    total, wall = ru.ru_utime + ru.ru_stime, time.time() - t0
    groups = collections.defaultdict(lambda: [0, 0.0])
    for v in seen.values():
        g = groups[kind(v)]
        g[0] += 1
        g[1] += v["cpu"]
    w = sys.stderr
    print(f"cpu-by-process: exit {p.returncode}, {total:.1f} CPU s (user+sys), {wall:.1f} s wall, load average {os.getloadavg()[0]:.1f} at the end", file=w)
    print(f"{'CPU s':>8} {'procs':>5}  kind (sampled: {sum(g[1] for g in groups.values()):.1f} CPU s)", file=w)
    for k, (n, cpu) in sorted(groups.items(), key=lambda x: -x[1][1]):
        if cpu >= 0.05:
            print(f"{cpu:8.1f} {n:5d}  {k}", file=w)
    if out:
        with open(out, "w") as f:
            json.dump({"total_cpu": total, "wall": wall, "exit": p.returncode, "procs": list(seen.values())}, f)
    sys.exit(p.returncode)


if __name__ == "__main__":
    main()
