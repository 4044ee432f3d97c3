"""Predicted vs measured step time of planc's CPU runtime: see run.sh."""
import json, os, re, resource, statistics, subprocess, sys, tempfile

planc, steps, cal = sys.argv[1], int(sys.argv[2]), sys.argv[3]
# RECAL=1 (run.sh's default): `planc calibrate` again before every round,
# and that round's plans predicted with it: the load of this shared
# machine moves in minutes, so a calibration is kept close in time to
# the runs it predicts. cal then names the first round's file.
RECAL = os.environ.get("RECAL") == "1" and bool(cal)
first_cal = cal
# SHARE=1 (run.sh's default with RECAL): `planc calibrate --share` (a
# second or two) just before each run, and that run predicted with the
# round's calibration at the core_share measured then.
SHARE = os.environ.get("SHARE") == "1" and bool(cal)
# SPEED=1 (the default with SHARE): the same call times the step probe
# (the host's speed now: its CPU time a step), and the run is predicted
# with the round's kernel factors scaled by its ratio to the step probe
# timed the same way just after the round's calibration (ref_probe): the
# factors are the step probe's time over the model's, and the host's speed
# moves 10-20% within minutes while the load average and core_share stay
# put. (The reference is a fresh process's probe like every later one,
# not calibrate's own: a fresh process ran the probe ~3% slower, which
# would otherwise scale every prediction.) The node factor is scaled alike
# (its probe is not timed again: 4 replicas take a few seconds).
SPEED = os.environ.get("SPEED", "1" if SHARE else "0") == "1" and SHARE
WARM = 5  # steps left out of the median: first allocations, page faults
# CPU=1: a check of the per-op costs that the machine's load does not
# disturb: planc run on one Go processor (GOMAXPROCS=1), measured in CPU
# seconds per step ((CPU of STEPS steps − CPU of WARM steps) / the
# difference), against the prediction with cores = 1 (every rank's busy
# time on one processor). Not the Done-when table: that is wall time.
CPU = os.environ.get("CPU") == "1"
if CPU and cal:
    # on one processor no two ranks compute at once: no co-running
    # slow-down (corun_* 0: not charged)
    text = re.sub(r"(?m)^  cores *= .*$", "  cores         = 1", open(cal).read())
    text = re.sub(r"(?m)^  (corun_\w+) *= .*$", r"  \1 = 0", text)
    one = tempfile.NamedTemporaryFile("w", suffix=".plan", delete=False)
    one.write(text)
    one.close()
    cal = one.name

# name, file, plan (None: the file's only plan), --set overrides
PLANS = [
    ("tiny_gpt serial", "examples/tiny_gpt.plan", None, []),
    ("tiny_gpt dp=2", "examples/tiny_gpt.plan", None, ["dp=2"]),
    ("tiny_gpt tp=2", "examples/tiny_gpt.plan", None, ["tp=2"]),
    ("tiny_gpt pp=2 1f1b", "examples/tiny_gpt.plan", None, ["pp=2"]),
    ("tiny_gpt pp=2 gpipe", "examples/tiny_gpt.plan", None, ["pp=2", "schedule=gpipe"]),
    ("tiny_gpt dp=2 zero=1", "examples/tiny_gpt.plan", None, ["dp=2", "zero=1"]),
    ("tiny_gpt 3d dp2 tp2 pp2", "examples/tiny_gpt_3d.plan", None, []),
    ("tiny_mlp serial", "examples/tiny_mlp.plan", None, []),
    ("tiny_moe serial", "examples/tiny_moe.plan", None, []),
    ("tiny_moe dp4 ep4", "examples/tiny_moe_ep.plan", "tiny_moe_dp4_ep4", []),
    ("phantom mlp tp2", "examples/phantom_cpu.plan", "phantom_tiny_mlp", []),
    ("phantom gpt tp2", "examples/phantom_cpu.plan", "phantom_tiny_gpt", []),
    ("lss cp2", "examples/lss_cpu.plan", "lss_tiny_cp2", []),
    ("lss dp2 cp2", "examples/lss_cpu.plan", "lss_tiny_dp2_cp2", []),
]

# ONLY="phantom,tp=2": the plans whose names contain one of the
# comma-separated words (a quick look at a few rows; the table is
# all of them)
if os.environ.get("ONLY"):
    words = [w.strip() for w in os.environ["ONLY"].split(",") if w.strip()]
    PLANS = [p for p in PLANS if any(w in p[0] for w in words)]
    if not PLANS:
        sys.exit(f"ONLY={os.environ['ONLY']!r} names none of the plans")


def args(plan, sets, with_cal):
    a = []
    if plan:
        a += ["--plan", plan]
    for s in sets:
        a += ["--set", s]
    if with_cal and cal:
        # (the calibrated device says fused_attention: the runtime's
        # attention is one fused kernel whatever the plan says)
        a += ["--set", "cluster=host"]
    return a


def files(f, with_cal):
    return ([cal] if with_cal and cal else []) + [f]


def idle_of(calfile):
    """The same calibration with core_share = 1: the prediction for this
    machine without other processes' load (a second column, for
    comparison only)."""
    f = tempfile.NamedTemporaryFile("w", suffix=".plan", delete=False)
    text = re.sub(r"(?m)^  core_share *= .*$", "  core_share    = 1", open(calfile).read())
    f.write(re.sub(r"(?m)^  thread_share *= .*$", "  thread_share  = 1", text))
    f.close()
    return f.name


idle = idle_of(cal) if cal else None
ref_probe = None  # the step probe's time just after the round's calibration (SPEED)


def with_share(calfile, share, speed=True):
    """The calibration with core_share and thread_share replaced by
    share's, and with SPEED (and speed) its kernel factors scaled by the
    step probe's time now over the calibration's."""
    text = re.sub(r"(?m)^  core_share *= .*$", f"  core_share    = {share['core_share']:.4f}", open(calfile).read())
    text = re.sub(r"(?m)^  thread_share *= .*$", f"  thread_share  = {share['thread_share']:.4f}", text)
    if SPEED and speed:
        ratio = share["step_probe_s"] / ref_probe
        speeds.append(ratio)
        text = re.sub(r"(?m)^(  (?:step|node)_kernel_factor *= )([0-9.]+)",
                      lambda m: f"{m.group(1)}{float(m.group(2)) * ratio:.4f}", text)
    f = tempfile.NamedTemporaryFile("w", suffix=".plan", delete=False)
    f.write(text)
    f.close()
    return f.name


def share_now():
    out = subprocess.run([planc, "calibrate", "--share", "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def predict(f, plan, sets, calfile=None):
    fs = ([calfile or cal] if cal else []) + [f]
    out = subprocess.run([planc, "explain", "--json", *args(plan, sets, True), *fs],
                         check=True, capture_output=True, text=True).stdout
    d = json.loads(out)
    d = d[0] if isinstance(d, list) else d
    return d["step_time_s"], d["tokens_per_step"]


def measure(f, plan, sets, tokens):
    if CPU:
        return (cpu_seconds(f, plan, sets, steps) - cpu_seconds(f, plan, sets, WARM)) / (steps - WARM)
    out = subprocess.run([planc, "run", "--json", "--steps", str(steps), *args(plan, sets, False), f],
                         check=True, capture_output=True, text=True).stdout
    tps = [json.loads(l)["tokens_per_s"] for l in out.splitlines() if '"step"' in l]
    return statistics.median(tokens / t for t in tps[WARM:])


def cpu_seconds(f, plan, sets, n):
    # getrusage's children times have microseconds (os.times counts 10 ms
    # ticks: a tiny_mlp run is a few of them)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([planc, "run", "--json", "--steps", str(n), *args(plan, sets, False), f],
                   check=True, capture_output=True, text=True, env={**os.environ, "GOMAXPROCS": "1"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def ranks(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [0.0] * len(xs)
    for pos, i in enumerate(order):
        r[i] = pos
    return r


def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    n = len(a)
    if n < 2:
        return float("nan")  # one plan: no ranking
    return 1 - 6 * sum((x - y) ** 2 for x, y in zip(ra, rb)) / (n * (n * n - 1))


def load():
    try:
        return open("/proc/loadavg").read().split()[:3]
    except OSError:
        return ["?"] * 3


# ROUNDS interleaved rounds over the plans (every plan once per round), so
# that a burst of another process's load falls on one measurement of a
# plan, not all; a plan's figure is the median of its rounds.
ROUNDS = int(os.environ.get("ROUNDS", "3"))
SUMMARY = re.compile(r"^// This machine|^// Meeting probe|^//   [0-9.-]+ us a meeting more|^//   the line through both|^  sync_wait|^  sync_skew|^//   fit:|^//   with the operands|^//   core_share|^//   one ring step|^//   with ~1 ms|^//   parallel from|^//   all [0-9]+ ranks on|^// Drain probe|^  drain_wait|^// Executor|^//   it |^//   [0-9.]+ us (at|per op)|^// In a step|^//   the cost model gives it|^//   as [0-9]+ data-parallel replicas|^  step_kernel_factor|^  node_kernel_factor")


def recalibrate(r):
    """Calibrates this machine again for round r and prints what it found."""
    path = f"{first_cal}.round{r + 1}"
    subprocess.run([planc, "calibrate", "--no-tcp", "-o", path], check=True, capture_output=True)
    print(f"round {r + 1}: calibrated at load {' '.join(load())}")
    for line in open(path):
        if SUMMARY.match(line):
            print("  " + line.rstrip())
    return path


print(f"load average at the start: {' '.join(load())}; {os.cpu_count()} CPUs; {ROUNDS} rounds"
      + ("; calibrated before every round" if RECAL else ""), flush=True)
# per plan, each round's prediction (with that round's calibration) and
# measurement; a plan's figures are the medians over the rounds
predr = [[] for _ in PLANS]
idler = [[] for _ in PLANS]
runs = [[] for _ in PLANS]
tokens = [None] * len(PLANS)
shares, threads = [], []  # each core_share and thread_share measured just before a run (SHARE=1)
speeds = []  # each step probe's time just before a run over its round's calibration's (SPEED=1)
for r in range(ROUNDS):
    if RECAL and r > 0:
        cal = recalibrate(r)
        idle = idle_of(cal)
    if SPEED and (r == 0 or RECAL):
        ref_probe = share_now()["step_probe_s"]
        print(f"round {r + 1}: the step probe just after the calibration: {ref_probe * 1e3:.3f} ms of CPU a step", flush=True)
    if (r == 0 or RECAL) and not SHARE:
        for i, (_, f, plan, sets) in enumerate(PLANS):
            p, tokens[i] = predict(f, plan, sets)
            predr[i].append(p)
            idler[i].append(predict(f, plan, sets, idle)[0] if idle else p)
    for i, (_, f, plan, sets) in enumerate(PLANS):
        if SHARE:
            s = share_now()
            shares.append(s["core_share"])
            threads.append(s["thread_share"])
            p, tokens[i] = predict(f, plan, sets, with_share(cal, s))
            predr[i].append(p)
            # the second column: without the speed now (SPEED), or at no load
            other = with_share(cal, s, speed=False) if SPEED else idle
            idler[i].append(predict(f, plan, sets, other)[0] if other else p)
        runs[i].append(measure(f, plan, sets, tokens[i]))
preds = [(statistics.median(x), t) for x, t in zip(predr, tokens)]
idles = [statistics.median(x) for x in idler]
rows = []
OTHER = "no speed" if SPEED else "share 1"
print(f"{'plan':<26} {'predicted ms':>12} {'measured ms':>12} {'error':>8}   {OTHER + ' ms':>10} {'error':>8}   rounds: measured (predicted) ms")
idle_errs = []
for i, (name, _, _, _) in enumerate(PLANS):
    pred, meas = preds[i][0], statistics.median(runs[i])
    err = (pred - meas) / meas
    ierr = (idles[i] - meas) / meas
    rows.append((pred, meas, err))
    idle_errs.append(abs(ierr))
    each = " ".join(f"{x*1e3:.2f}" + (f" ({p*1e3:.2f})" if RECAL or SHARE else "") for x, p in zip(runs[i], predr[i] * ROUNDS))
    print(f"{name:<26} {pred*1e3:>12.3f} {meas*1e3:>12.3f} {err*100:>+7.1f}%   {idles[i]*1e3:>10.3f} {ierr*100:>+7.1f}%   {each}", flush=True)
errs = [abs(r[2]) for r in rows]
print(f"mean |error| {statistics.mean(errs)*100:.1f}%  worst {max(errs)*100:.1f}%  "
      f"Spearman {spearman([r[0] for r in rows], [r[1] for r in rows]):.3f}  ({len(rows)} plans, {steps} steps, median after {WARM})")
print(("without the speed now (the round's kernel factors): mean" if SPEED else "with core_share = 1 (no load): mean") + f" |error| {statistics.mean(idle_errs)*100:.1f}%  worst {max(idle_errs)*100:.1f}%  "
      f"Spearman {spearman(idles, [r[1] for r in rows]):.3f}")
if shares:
    print(f"core_share just before the runs: median {statistics.median(shares):.2f}, from {min(shares):.2f} to {max(shares):.2f}; "
          f"thread_share median {statistics.median(threads):.2f}, from {min(threads):.2f} to {max(threads):.2f}")
if speeds:
    print(f"step probe just before the runs over its round's calibration's: median {statistics.median(speeds):.3f}, "
          f"from {min(speeds):.3f} to {max(speeds):.3f} (the kernel factors scaled by it)")
print(f"load average at the end: {' '.join(load())}")
