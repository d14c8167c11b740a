#!/usr/bin/env python3
"""Scaling benchmark: does kubevet's cost grow linearly with its input, in every shape?

For each shape it generates inputs of doubling size, runs the release binary on each, and
prints wall time, CPU time (user + system: steadier than wall on a shared machine) and peak
RSS per size with the growth factor per doubling (2.0 = linear),
next to the floor: a bare saphyr-parser event pass over the same files
(`examples/parse_floor.rs`), in the same run.

    cargo build --release --bin kubevet --example parse_floor
    python3 benches/scaling.py                    # every shape, default sizes
    python3 benches/scaling.py keys items --max 1000000
    python3 benches/scaling.py files --max 4000 --rounds 3
    python3 benches/scaling.py small corpus       # the 5-file run; the real corpus

Shapes:
  files      N files, each a Deployment and its Service        (N = 500 .. 32,000 files)
  objects    one file, one `kind: List` of N objects            (N = 1,000 .. 64,000)
  documents  one file, N `---` documents (one object each)      (N = 1,000 .. 64,000)
  keys       one ConfigMap with N `data` keys                   (N = 1,000 .. 1,024,000)
  items      one Pod with N env entries                         (N = 1,000 .. 1,024,000)
  namespace  N objects in one namespace, 100 per file: Deployments with their Services,
             PDBs, ConfigMaps, Ingresses, HPAs and NetworkPolicies, which the cross-object
             rules match against each other (N = 1,000 .. 64,000)
  line       one line of JSON: a minified Pod with N relative mount paths (N findings
             with fixes), in the human format (N = 1,000 .. 64,000)
  small      the pre-commit case: 5 files of a few objects each (best of 20 runs)
  corpus     ../shared/corpus/real (or --corpus DIR): throughput against the floor, the
             check and the floor run in pairs (--rounds of them); the median ratio; and
             against the tree floor (`parse_floor --tree`: read and load into kubevet's
             tree, no schema, no rules)

Last measured (2026-12-03 around 14:40, release build with LTO, 2 shared cores, one round
unless said; growth per doubling over the whole range first, then the largest single step,
wall): files 500 -> 32,000 1.73, from 1,000 1.92 (largest step 2.03; 32,000 files 1.24 s, 279 MB); objects
1,000 -> 64,000 1.69 (2.07; 64,000: 1.28 s, 242 MB); documents 1.92 (2.01; 64,000: 1.40 s,
245 MB); keys 1,000 -> 1,024,000 1.63 (three rounds: 2.20; 1,024,000: 0.65 s, 136 MB); items
1.67 (2.01; 1,024,000: 1.5 s, 351 MB); namespace 1.67 (2.11; 64,000: 0.71 s wall, 1.35 s CPU,
196 MB); line 1,000 -> 64,000 findings 1.83 (three rounds: 2.04; 64,000: 1.37 s, 426 MB);
memory at most 1.94 per step; small 5.0 ms best wall; corpus, three runs of 10 rounds:
medians 2.31x-2.37x the event floor (best of 10: 128-131 ms against 56 ms) and 1.63x-1.67x
the tree floor (81-83 ms, itself 1.45x-1.48x the event floor).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def deployment(i, ns=None, app=None):
    app = app or f"app{i}"
    nsl = f"\n  namespace: {ns}" if ns else ""
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}{nsl}
  labels:
    app: {app}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {app}
  template:
    metadata:
      labels:
        app: {app}
        tier: web
    spec:
      containers:
        - name: main
          image: registry.example.com/{app}:1.{i % 10}.0
          ports:
            - containerPort: 8080
              name: http
          env:
            - name: MODE
              value: production
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 500m, memory: 256Mi}}
          readinessProbe:
            httpGet: {{path: /healthz, port: http}}
"""


def service(i, ns=None, app=None):
    app = app or f"app{i}"
    nsl = f"\n  namespace: {ns}" if ns else ""
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {app}{nsl}
spec:
  selector:
    app: {app}
  ports:
    - port: 80
      targetPort: http
"""


def indent(text, n):
    pad = " " * n
    return "".join(pad + line if line.strip() else line for line in text.splitlines(True))


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


# Each generator fills `d` with the input of size `n` and returns the paths to check and
# the number of objects (for the table).
def gen_files(d, n):
    for i in range(n):
        write(os.path.join(d, f"app{i:06}.yaml"), deployment(i) + "---\n" + service(i))
    return [d], 2 * n


def gen_objects(d, n):
    parts = ["apiVersion: v1\nkind: List\nitems:\n"]
    for i in range(n // 2):
        for doc in (deployment(i), service(i)):
            body = indent(doc, 4)
            parts.append("  - " + body[4:])
    p = os.path.join(d, "list.yaml")
    write(p, "".join(parts))
    return [p], n


def gen_documents(d, n):
    p = os.path.join(d, "docs.yaml")
    with open(p, "w") as f:
        for i in range(n // 2):
            f.write(deployment(i) + "---\n" + service(i) + "---\n")
    return [p], n


def gen_keys(d, n):
    p = os.path.join(d, "configmap.yaml")
    with open(p, "w") as f:
        f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n")
        for i in range(n):
            f.write(f"  key{i}: value{i}\n")
    return [p], 1


def gen_items(d, n):
    p = os.path.join(d, "pod.yaml")
    with open(p, "w") as f:
        f.write(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n"
            "    - name: main\n      image: nginx:1.27\n      env:\n"
        )
        for i in range(n):
            f.write(f"        - name: VAR_{i}\n          value: \"{i}\"\n")
    return [p], 1


def gen_line(d, n):
    """One line of JSON (a minified Pod) with N findings and N fixes, rendered in the human
    format: every snippet and suggestion is cut from the same long line."""
    p = os.path.join(d, "pod.json")
    mounts = ",".join(f'{{"name":"v{i}","mountPath":"data/{i}"}}' for i in range(n))
    volumes = ",".join(f'{{"name":"v{i}","emptyDir":{{}}}}' for i in range(n))
    write(
        p,
        '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"big"},"spec":{"containers":'
        f'[{{"name":"main","image":"nginx:1.27","volumeMounts":[{mounts}]}}],'
        f'"volumes":[{volumes}]}}}}',
    )
    return [p], 1


def gen_namespace(d, n):
    """Everything in one namespace: what cross-object rules (selectors, ports, references,
    overlapping selectors) index. Groups of seven: a Deployment, its Service, PDB, ConfigMap,
    Ingress, HPA and NetworkPolicy; every NetworkPolicy admits traffic from all `tier: web`
    pods, so selector matching has real fan-out."""
    per_file = 100
    groups = n // 7
    docs = []
    for i in range(groups):
        app = f"app{i}"
        docs.append(deployment(i, ns="shop"))
        docs.append(service(i, ns="shop"))
        docs.append(
            f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {app}
  namespace: shop
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: {app}
"""
        )
        docs.append(
            f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
  namespace: shop
data:
  key: value
"""
        )
        docs.append(
            f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {app}
  namespace: shop
spec:
  rules:
    - host: {app}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {app}
                port:
                  number: 80
"""
        )
        docs.append(
            f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {app}
  namespace: shop
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {app}}}
  minReplicas: 2
  maxReplicas: 5
  metrics:
    - type: Resource
      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 80}}}}
"""
        )
        docs.append(
            f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {app}
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: {app}
  ingress:
    - from:
        - podSelector:
            matchLabels:
              tier: web
"""
        )
    for f in range(0, len(docs), per_file):
        write(os.path.join(d, f"ns{f // per_file:05}.yaml"), "---\n".join(docs[f : f + per_file]))
    return [d], len(docs)


SHAPES = {
    "files": (gen_files, 500, 32_000, "files"),
    "objects": (gen_objects, 1_000, 64_000, "objects"),
    "documents": (gen_documents, 1_000, 64_000, "documents"),
    "keys": (gen_keys, 1_000, 1_024_000, "keys"),
    "items": (gen_items, 1_000, 1_024_000, "items"),
    "namespace": (gen_namespace, 1_000, 64_000, "objects"),
    "line": (gen_line, 1_000, 64_000, "findings"),
}

# Shapes measured in the human format (the others print concise lines, so that rendering
# does not hide the check's own cost).
HUMAN = {"line"}


# A child forked from this (large) Python process inherits its peak RSS as a starting point
# (Linux keeps the high-water mark across fork and exec), so peak RSS is read through GNU
# time, a small process that runs kubevet as its own child.
GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None


def run(cmd, timeout):
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one process, or None
    after `timeout`."""
    rss_file = None
    if GNU_TIME:
        fd, rss_file = tempfile.mkstemp(prefix="kubevet-rss-")
        os.close(fd)
        cmd = [GNU_TIME, "-f", "%M", "-o", rss_file, *cmd]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    proc.returncode = 0  # reaped here, not by Popen
    wall = time.perf_counter() - t
    rss = usage.ru_maxrss / 1024
    if rss_file:
        with open(rss_file) as f:
            lines = f.read().split()
        os.unlink(rss_file)
        # GNU time prints "Command exited with non-zero status 1" first when it is not 0.
        if lines and lines[-1].isdigit():
            rss = int(lines[-1]) / 1024
    if wall >= timeout:
        return None
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited with {code}")
    return wall, rss, usage.ru_utime + usage.ru_stime


def best(cmd, rounds, timeout):
    """Best wall time, largest peak RSS and best CPU time over `rounds` runs."""
    results = []
    for _ in range(rounds):
        r = run(cmd, timeout)
        if r is None:
            return None
        results.append(r)
    return (
        min(r[0] for r in results),
        max(r[1] for r in results),
        min(r[2] for r in results),
    )


def size_of(paths):
    total = 0
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
        else:
            total += os.path.getsize(p)
    return total


def shape(name, args, tmp):
    gen, lo, hi, unit = SHAPES[name]
    hi = min(hi, args.max) if args.max else hi
    lo = max(1, min(lo, hi))
    print(f"\n## {name}: kubevet check vs bare parser events (growth per doubling; 2.0 = linear)")
    print(
        f"{unit:>10} {'MB':>7} {'wall':>9} {'x':>5} {'CPU':>9} {'x':>5} {'RSS MB':>8} {'x':>5}"
        f" {'floor':>9} {'vs floor':>8}"
    )
    prev = None
    n = lo
    while n <= hi:
        d = os.path.join(tmp, f"{name}-{n}")
        os.makedirs(d)
        paths, _ = gen(d, n)
        mb = size_of(paths) / 1e6
        rounds = args.rounds if mb < 50 else 1
        fmt = "human" if name in HUMAN else "concise"
        got = best(
            [args.bin, "check", "--color", "never", "--format", fmt, *args.extra, *paths],
            rounds,
            args.timeout,
        )
        floor = best([args.floor, *paths], rounds, args.timeout)
        shutil.rmtree(d)
        if got is None:
            print(f"{n:>10} {mb:>7.1f} {'timeout':>10}  (over {args.timeout:.0f} s; stopping)")
            return
        wall, rss, cpu = got
        fw = floor[0] if floor else float("nan")

        def growth(now, before):
            return f"{now / before:5.2f}" if prev and before > 0 else "    -"

        gt = growth(wall, prev[0] if prev else 0)
        gc = growth(cpu, prev[2] if prev else 0)
        gr = growth(rss, prev[1] if prev else 0)
        print(
            f"{n:>10} {mb:>7.1f} {wall * 1e3:>7.0f}ms {gt} {cpu * 1e3:>7.0f}ms {gc}"
            f" {rss:>8.1f} {gr} {fw * 1e3:>7.0f}ms {wall / fw:>7.1f}x",
            flush=True,
        )
        prev = (wall, rss, cpu)
        n *= 2


def small(args, tmp):
    d = os.path.join(tmp, "small")
    os.makedirs(d)
    for i in range(5):
        write(os.path.join(d, f"f{i}.yaml"), deployment(i) + "---\n" + service(i))
    cmd = [args.bin, "check", "--color", "never", d]
    wall, rss, cpu = best(cmd, max(args.rounds, 20), args.timeout)
    print(
        f"\n## small: 5 files, 10 objects: best of 20 {wall * 1e3:.1f} ms wall"
        f" ({cpu * 1e3:.1f} ms CPU), {rss:.1f} MB RSS"
    )


def corpus(args):
    d = args.corpus
    if not os.path.isdir(d):
        print(f"\n## corpus: {d} not found; skipped")
        return
    mb = size_of([d]) / 1e6
    check = [args.bin, "check", "--color", "never", "--format", "concise", *args.extra, d]
    floor = [args.floor, d]
    # The second floor loads each file into kubevet's tree and stops: what any check that
    # keeps its parse pays before it looks at anything.
    tree = [args.floor, "--tree", d]
    # Each round runs the check and the floors back to back, so that all meet the same
    # moment of a shared machine; the ratio of a round is then a fair one, and their median
    # is steady where a best of each, taken minutes apart, swung by a third.
    rounds = []
    for _ in range(args.rounds):
        got, base, loaded = run(check, args.timeout), run(floor, args.timeout), run(tree, args.timeout)
        if got is None or base is None or loaded is None:
            print(f"\n## corpus: a run went over {args.timeout:.0f} s; skipped")
            return
        rounds.append((got, base, loaded))

    def ratio(k):
        r = sorted(x[0][0] / x[k][0] for x in rounds)
        return r[len(r) // 2], r[0], r[-1]

    (median, lo, hi), (tmedian, tlo, thi) = ratio(1), ratio(2)
    wall = min(g[0] for g, _, _ in rounds)
    base = min(b[0] for _, b, _ in rounds)
    loaded = min(t[0] for _, _, t in rounds)
    rss = max(g[1] for g, _, _ in rounds)
    print(
        f"\n## corpus: {d} ({mb:.1f} MB): kubevet {wall * 1e3:.0f} ms ({mb / wall:.1f} MB/s,"
        f" {rss:.0f} MB RSS), floor {base * 1e3:.0f} ms ({mb / base:.1f} MB/s), best of"
        f" {len(rounds)}: {wall / base:.2f}x the floor; paired rounds: median {median:.2f}x"
        f" (from {lo:.2f}x to {hi:.2f}x)"
        f"\n   against the tree floor (read and load into kubevet's tree, nothing else:"
        f" {loaded * 1e3:.0f} ms best): median {tmedian:.2f}x (from {tlo:.2f}x to {thi:.2f}x)"
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("shapes", nargs="*", default=[*SHAPES, "small", "corpus"])
    ap.add_argument("--max", type=int, help="largest size (default per shape)")
    ap.add_argument("--rounds", type=int, default=3, help="best of this many runs per size")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per run")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/kubevet"))
    ap.add_argument("--floor", default=os.path.join(ROOT, "target/release/examples/parse_floor"))
    ap.add_argument("--corpus", default=os.path.join(ROOT, "../shared/corpus/real"))
    ap.add_argument(
        "--kubevet-arg",
        dest="extra",
        action="append",
        default=[],
        help="extra argument for `kubevet check` (repeat), e.g. --kubevet-arg=--ignore=RULE",
    )
    args = ap.parse_args()
    target = os.environ.get("CARGO_TARGET_DIR")
    if target and not os.path.exists(args.bin):
        args.bin = os.path.join(target, "release/kubevet")
        args.floor = os.path.join(target, "release/examples/parse_floor")
    for exe in (args.bin, args.floor):
        if not os.path.exists(exe):
            sys.exit(f"{exe} not found: cargo build --release --bin kubevet --example parse_floor")
    with tempfile.TemporaryDirectory(prefix="kubevet-scaling-") as tmp:
        for s in args.shapes:
            if s == "small":
                small(args, tmp)
            elif s == "corpus":
                corpus(args)
            elif s in SHAPES:
                shape(s, args, tmp)
            else:
                sys.exit(f"unknown shape {s}; one of {', '.join([*SHAPES, 'small', 'corpus'])}")


if __name__ == "__main__":
    main()
