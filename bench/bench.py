"""Side-by-side benchmark: ue-prefect against Prefect's own CLI on a real Prefect server.

Run by bench/run (which builds ue-prefect, starts the server and the flows, and stops
everything). Python 3 stdlib only. See bench/README.md for what is measured and how.
"""

import argparse
import ctypes
import datetime as dt
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from countproxy import CountingProxy  # noqa: E402

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def _die_with_parent():
    # A child must not outlive a harness that was killed outright.
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def parse_time(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Api:
    """Direct (unproxied) access to the server, for reading runs back and cancelling."""

    def __init__(self, url):
        self.url = url.rstrip("/")

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        for attempt in range(10):  # SQLite-backed servers answer 503 under load
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    return json.load(resp)
            except urllib.error.HTTPError as exc:
                if exc.code != 503 or attempt == 9:
                    raise
                time.sleep(0.5)

    def flow_run(self, run_id):
        return self.call("GET", f"/flow_runs/{run_id}")

    def cancel(self, run_id):
        return self.call("POST", f"/flow_runs/{run_id}/set_state",
                         {"state": {"type": "CANCELLED", "name": "Cancelled",
                                    "message": "benchmark finished"}, "force": True})


class Variant:
    def __init__(self, name, kind, argv_fn, env):
        self.name = name
        self.kind = kind  # "ue" or "cli"
        self.argv_fn = argv_fn  # (api_url, deployment, params) -> argv
        self.env = env


class Child:
    """One client process: stdout lines timestamped as they arrive, stderr to a file."""

    def __init__(self, argv, env, err_path, created_fn):
        self.created_fn = created_fn
        self.t0_mono = time.monotonic()
        self.t0_wall = time.time()
        self.err = open(err_path, "wb")
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self.err,
                                     preexec_fn=_die_with_parent)
        self.lines = []
        self.run_id = None
        self.created_mono = None
        self.created_event = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.status = None
        self.rusage = None
        self.exit_mono = None

    def _read(self):
        for raw in self.proc.stdout:
            now = time.monotonic()
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append((now, line))
            if self.created_mono is None:
                got = self.created_fn(self.lines)
                if got:
                    self.run_id = got
                    self.created_mono = now
                    self.created_event.set()
        self.created_event.set()  # end of output: stop anyone waiting

    def wall(self, mono):
        return self.t0_wall + (mono - self.t0_mono)

    def alive(self):
        """True while the process runs; unlike Popen.poll() it never reaps it."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False

    def wait(self, timeout):
        """Reaps the child with wait4, for its own rusage; kills it after timeout."""
        timer = threading.Timer(timeout, self._overdue)
        timer.start()
        try:
            _, status, rusage = os.wait4(self.proc.pid, 0)
        finally:
            timer.cancel()
        self.exit_mono = time.monotonic()
        self.status = os.waitstatus_to_exitcode(status)
        self.proc.returncode = self.status
        self.rusage = rusage
        self.reader.join(timeout=10)
        self.err.close()
        return self.status

    def signal(self, sig):
        # Not Popen.send_signal: it polls, and a poll would reap the child before wait4.
        if self.status is None:
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def _overdue(self):
        log(f"pid {self.proc.pid} over its time limit; killing it")
        self.signal(signal.SIGKILL)


def ue_created(lines):
    _, line = lines[-1]
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if event.get("type") == "output_fields":
        run_id = (event.get("fields") or {}).get("flow_run_id")
        return run_id or None
    return None


def cli_created(lines):
    # "Created flow run 'name'." then "└── UUID: ..." a line later: the time is the first
    # line's; the id comes from the second.
    for i, (_, line) in enumerate(lines):
        if line.startswith("Created flow run"):
            for _, later in lines[i:]:
                if "UUID:" in later and (m := UUID_RE.search(later)):
                    return m.group(0)
    return None


def created_time(child):
    """Arrival of the 'created' line itself (the CLI prints the id one line later)."""
    if child.kind == "cli":
        for mono, line in child.lines:
            if line.startswith("Created flow run"):
                return mono
    return child.created_mono


def proc_status(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])  # kB
    except OSError:
        pass
    return 0


def proc_pss(pid):
    """Proportional set size in kB: shared library pages split among the processes that map
    them, so a sum over N clients is the memory they really take together."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_cpu(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class Bench:
    def __init__(self, args):
        self.args = args
        self.api = Api(args.api_url)
        up = urllib.parse.urlsplit(args.api_url)
        self.api_path = up.path
        os.makedirs(args.logdir, exist_ok=True)
        self.proxy = CountingProxy(up.hostname, up.port, os.path.join(args.logdir, "proxy.log"))
        self.cli_home = tempfile.mkdtemp(prefix="prefect-cli-home-", dir=args.logdir)
        self.help = subprocess.run([args.ue_prefect, "--help"], capture_output=True,
                                   text=True, timeout=30).stdout
        self.has_watch_mode = "--watch-mode" in self.help
        self.variants = self._variants()
        self.results = {v.name: [] for v in self.variants}
        self.concurrent = []
        self.live = []  # every Child not yet reaped, for cleanup

    # --- variants -----------------------------------------------------------------------
    def _variants(self):
        a = self.args
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        base_env["DO_NOT_TRACK"] = "1"
        ue_env = dict(base_env)

        def ue(extra):
            def argv(url, deployment, seconds):
                params = ["--parameters", json.dumps({"parameters": {"seconds": seconds}})]
                return [a.ue_prefect, "--api-url", url, "--deployment", deployment, "--wait",
                        "--events"] + (params if seconds is not None else []) + extra
            return argv

        out = []
        for interval in a.poll_intervals:
            mode = ["--watch-mode", "poll"] if self.has_watch_mode else []
            out.append(Variant(f"ue-prefect poll {interval}s", "ue",
                               ue(mode + ["--poll-interval", str(interval)]), ue_env))
        if self.has_watch_mode:
            out.append(Variant("ue-prefect events", "ue",
                               ue(["--watch-mode", "events",
                                   "--poll-interval", str(a.events_poll_interval)]), ue_env))

        cli_env = dict(base_env)
        cli_env.update({"PREFECT_HOME": self.cli_home, "PYTHONUNBUFFERED": "1",
                        "COLUMNS": "200", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})

        def cli(url, deployment, seconds):
            params = ["--params", json.dumps({"seconds": seconds})]
            return [a.prefect, "deployment", "run", deployment, "--watch"] + (
                params if seconds is not None else [])
        out.append(Variant("prefect CLI", "cli", cli, cli_env))
        return out

    def spawn(self, variant, label, deployment, seconds, err_path):
        port = self.proxy.listen(label)
        url = f"http://127.0.0.1:{port}{self.api_path}"
        env = dict(variant.env)
        if variant.kind == "cli":
            env["PREFECT_API_URL"] = url
        child = Child(variant.argv_fn(url, deployment, seconds), env, err_path,
                      ue_created if variant.kind == "ue" else cli_created)
        child.kind = variant.kind
        child.label = label
        self.live.append(child)
        return child

    # --- sequential runs ----------------------------------------------------------------
    def sequential(self):
        a = self.args
        for i in range(a.runs):
            for v in self.variants:
                label = f"seq{i}-{v.name.replace(' ', '_')}"
                child = self.spawn(v, label, a.deployment, a.sleep,
                                   os.path.join(a.logdir, label + ".err"))
                status = child.wait(a.run_timeout)
                self.live.remove(child)
                self.proxy.close(label)
                self.results[v.name].append(self.measure(v, child, label, status))
                r = self.results[v.name][-1]
                log(f"{v.name} #{i + 1}: exit {status}, created {fmt_s(r['created'])}, "
                    f"terminal->exit {fmt_s(r['terminal_to_exit'])}, rss {r['rss_mib']:.1f} MiB, "
                    f"cpu {r['cpu_s']:.2f} s, requests waiting {r['req_waiting']}")

    def measure(self, v, child, label, status):
        r = {"exit": status, "run_id": child.run_id}
        cm = created_time(child)
        r["created"] = cm - child.t0_mono if cm is not None else None
        ru = child.rusage
        r["rss_mib"] = ru.ru_maxrss / 1024.0
        r["cpu_s"] = ru.ru_utime + ru.ru_stime
        exit_wall = child.wall(child.exit_mono)
        r["terminal_to_exit"] = r["created_server"] = r["state"] = None
        r["req_waiting"] = r["req_per_min_waiting"] = None
        wall_from = child.wall(cm) if cm is not None else None
        wall_to = None
        if child.run_id:
            run = self.api.flow_run(child.run_id)
            r["state"] = run.get("state_type")
            r["created_server"] = parse_time(run["created"]) - child.t0_wall
            if run.get("end_time"):
                wall_to = parse_time(run["end_time"])
                r["terminal_to_exit"] = exit_wall - wall_to
        if wall_from is not None and wall_to is not None:
            waiting = self.proxy.select(label, "request", wall_from, wall_to)
            r["req_waiting"] = len(waiting)
            r["wait_s"] = max(wall_to - wall_from, 1e-6)
            r["req_per_min_waiting"] = len(waiting) / r["wait_s"] * 60
        r["req_total"] = len(self.proxy.select(label, "request"))
        r["ws_upgrades"] = sum("[upgrade]" in x.detail for x in self.proxy.select(label, "request"))
        r["frames"] = len(self.proxy.select(label, "frame"))
        r["ok"] = status in (0, 1) and r["state"] in TERMINAL and r["terminal_to_exit"] is not None
        if r["state"] != "COMPLETED":
            log(f"{v.name}: run {child.run_id} ended {r['state']} (exit {status}); "
                f"see {label}.err")
        return r

    # --- many waiting at once -----------------------------------------------------------
    def many(self):
        a = self.args
        if a.stop_flows:
            # No runner: the runs stay SCHEDULED, so only the waiting clients cost anything.
            log(f"stopping the flow runner: {a.stop_flows}")
            subprocess.run(a.stop_flows, shell=True, timeout=60, check=False)
        todo = [v for v in self.variants if v.kind == "ue" and (
            v.name == f"ue-prefect poll {a.poll_intervals[0]}s" or "events" in v.name)]
        todo.append(next(v for v in self.variants if v.kind == "cli"))
        for v in todo:
            n = a.concurrent_cli if v.kind == "cli" else a.concurrent
            if n <= 0:
                continue
            self.concurrent.append(self.many_one(v, n))

    def many_one(self, v, n):
        a = self.args
        label = f"many-{v.name.replace(' ', '_')}"
        errdir = os.path.join(a.logdir, label)
        os.makedirs(errdir, exist_ok=True)
        # All clients of one variant share a listener: only the sum is wanted here.
        port = self.proxy.listen(label)
        url = f"http://127.0.0.1:{port}{self.api_path}"
        env = dict(v.env)
        if v.kind == "cli":
            env["PREFECT_API_URL"] = url
        log(f"{v.name}: starting {n} waiting clients on {a.long_deployment}")
        t0 = time.monotonic()
        children = []
        result = {"name": v.name, "n": n}
        try:
            for i in range(n):
                # ue-long takes no parameters (the CLI refuses unknown ones); a sleep flow
                # is given a long sleep.
                seconds = a.long_sleep if a.long_deployment == a.deployment else None
                child = Child(v.argv_fn(url, a.long_deployment, seconds), env,
                              os.path.join(errdir, f"{i}.err"),
                              ue_created if v.kind == "ue" else cli_created)
                child.kind = v.kind
                children.append(child)
                self.live.append(child)
            deadline = t0 + a.create_timeout
            for c in children:
                c.created_event.wait(max(0.0, deadline - time.monotonic()))
            created = [c for c in children if c.run_id]
            result["created"] = len(created)
            result["all_created_s"] = time.monotonic() - t0
            log(f"{v.name}: {len(created)}/{n} runs created after "
                f"{result['all_created_s']:.1f} s; settling {a.settle} s")
            time.sleep(a.settle)  # let every client reach its steady waiting state
            alive = [c for c in children if c.alive()]
            result["alive"] = len(alive)
            cpu0 = sum(proc_cpu(c.proc.pid) for c in alive)
            w0 = time.time()
            time.sleep(a.window)
            w1 = time.time()
            alive = [c for c in alive if c.alive()]
            result["alive_end"] = len(alive)
            rss = [proc_status(c.proc.pid, "VmRSS") for c in alive]
            result["rss_sum_mib"] = sum(rss) / 1024.0
            result["rss_mean_mib"] = result["rss_sum_mib"] / max(len(rss), 1)
            pss = [proc_pss(c.proc.pid) for c in alive]
            result["pss_sum_mib"] = sum(pss) / 1024.0
            result["pss_mean_mib"] = result["pss_sum_mib"] / max(len(pss), 1)
            cpu1 = sum(proc_cpu(c.proc.pid) for c in alive)
            minutes = (w1 - w0) / 60
            reqs = self.proxy.select(label, "request", w0, w1)
            frames = self.proxy.select(label, "frame", w0, w1)
            per = max(len(alive), 1)
            result["req_per_min_each"] = len(reqs) / minutes / per
            result["frames_per_min_each"] = len(frames) / minutes / per
            result["cpu_per_min_each"] = (cpu1 - cpu0) / minutes / per
            result["window_s"] = w1 - w0
            log(f"{v.name}: RSS sum {result['rss_sum_mib']:.1f} MiB, "
                f"PSS sum {result['pss_sum_mib']:.1f} MiB, "
                f"{result['req_per_min_each']:.2f} requests/min each")
        finally:
            for c in children:
                if c.alive():
                    c.signal(signal.SIGTERM)
            for c in children:
                c.wait(15)
                self.live.remove(c)
            result["exits"] = sorted({c.status for c in children})
            self.proxy.close(label)
            for c in children:
                if c.run_id:
                    try:
                        self.api.cancel(c.run_id)
                    except OSError as exc:
                        log(f"could not cancel {c.run_id}: {exc}")
        return result

    def cleanup(self):
        for c in list(self.live):
            if c.alive():
                c.signal(signal.SIGTERM)
        for c in list(self.live):
            try:
                c.wait(10)
            except ChildProcessError:
                pass
        self.proxy.shutdown()


def fmt_s(v):
    if v is None:
        return "n/a"
    return f"{v * 1000:.0f} ms" if abs(v) < 10 else f"{v:.1f} s"


def fmt(v, unit):
    if v is None:
        return "n/a"
    if unit == "s":
        return fmt_s(v)
    if unit == "MiB":
        return f"{v:.1f} MiB"
    if unit == "cpu":
        return f"{v:.3f} s"
    if unit == "n":
        return f"{v:g}"
    return f"{v:.2f}"


def ratio(ue, cli):
    if ue is None or cli is None or cli == 0:
        return ""
    return f" ({ue / cli:.2g}x)"


def machine_info():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = proc_status_file("/proc/meminfo", "MemTotal")
    return f"{os.cpu_count()} CPUs ({cpu}), {mem / 1024 / 1024:.1f} GiB RAM, " \
           f"Linux {platform.release()}"


def proc_status_file(path, key):
    with open(path) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def versions(args):
    def run(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True,
                                  timeout=60).stdout.strip()
        except OSError:
            return "?"
    ue = run([args.ue_prefect, "--version"])
    qt = run(["dpkg-query", "-W", "-f=${Version}", "libqt6core6"]) or "?"
    pf = run([args.python, "-c", "import prefect; print(prefect.__version__)"])
    py = run([args.python, "-c", "import platform; print(platform.python_version())"])
    commit = run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse",
                  "--short", "HEAD"])
    # The commit is the repository's; a binary given to bench/run may be of another source.
    return f"{ue} (Qt {qt}; repository at {commit}), Prefect {pf} (server and CLI), " \
           f"Python {py}"


def report(bench, args, started):
    names = [v.name for v in bench.variants]
    cli = "prefect CLI"
    med = {n: {} for n in names}
    keys = ["created", "created_server", "terminal_to_exit", "rss_mib", "cpu_s", "req_waiting",
            "req_per_min_waiting", "req_total", "ws_upgrades", "frames"]
    for n in names:
        rows = [r for r in bench.results[n] if r["ok"]]
        med[n]["runs"] = f"{len(rows)}/{len(bench.results[n])}"
        for k in keys:
            med[n][k] = median([r.get(k) for r in rows])

    metrics = [
        ("start → run created (stdout line)", "created", "s", "< 100 ms"),
        ("start → run created (server `created`)", "created_server", "s", ""),
        ("terminal state (server `end_time`) → exit", "terminal_to_exit", "s",
         "< 1 s with events"),
        ("peak RSS (wait4 ru_maxrss)", "rss_mib", "MiB", "< 30 MB"),
        ("CPU user+sys", "cpu_s", "cpu", ""),
        ("HTTP requests while waiting", "req_waiting", "n", ""),
        ("  … per minute of waiting", "req_per_min_waiting", "f", "< 1/min with events"),
        ("HTTP requests, whole process", "req_total", "n", ""),
        ("  of which websocket upgrades", "ws_upgrades", "n", ""),
        ("websocket frames (both directions)", "frames", "n", ""),
    ]
    out = []
    out.append(f"# ue-prefect vs Prefect CLI: benchmark results\n")
    out.append(f"- date: {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}")
    out.append(f"- machine: {machine_info()}")
    out.append(f"- versions: {versions(args)}")
    out.append(f"- flow: `{args.deployment}` with `seconds={args.sleep}` on a local Prefect "
               f"server (SQLite), {args.runs} runs per client, interleaved; medians of the runs "
               f"that reached a terminal state")
    if not bench.has_watch_mode:
        out.append("- this ue-prefect has no `--watch-mode`: poll mode only")
    else:
        out.append(f"- events mode runs with `--watch-mode events --poll-interval "
                   f"{args.events_poll_interval}`")
    for note in args.note:
        out.append(f"- note: {note}")
    out.append(f"- total wall time of the benchmark: {time.monotonic() - started:.0f} s\n")
    out.append("Ratios in parentheses are ue-prefect / Prefect CLI (below 1: ue-prefect is "
               "better; 0.2x = 5x better).\n")
    header = "| metric | " + " | ".join(names) + " | team target |"
    out.append(header)
    out.append("|" + "---|" * (len(names) + 2))
    out.append("| runs ok | " + " | ".join(med[n]["runs"] for n in names) + " | |")
    for title, key, unit, target in metrics:
        cells = []
        for n in names:
            v = med[n][key]
            cells.append(fmt(v, unit) + (ratio(v, med[cli][key]) if n != cli else ""))
        out.append(f"| {title} | " + " | ".join(cells) + f" | {target} |")

    if bench.concurrent:
        out.append("")
        out.append(f"Many waiting at once on `{args.long_deployment}` (runner stopped, so the "
                   f"runs stay SCHEDULED; settle {args.settle} s, then a {args.window} s window "
                   f"in which requests, frames and CPU are counted; RSS = VmRSS and PSS = the "
                   f"proportional set size, shared library pages split among the processes "
                   f"that map them, both at its end):\n")
        out.append("| client | N | runs created | time to all created | alive at end | "
                   "RSS sum | RSS per client | PSS sum | PSS per client | "
                   "requests/min per client | "
                   "frames/min per client | CPU s/min per client | exit codes after SIGTERM |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        by_name = {c["name"]: c for c in bench.concurrent}
        ccli = by_name.get(cli, {})
        for c in bench.concurrent:
            def rc(key, fmtd):
                v = c.get(key)
                s = fmtd(v) if v is not None else "n/a"
                return s + (ratio(v, ccli.get(key)) if c["name"] != cli else "")
            out.append(
                f"| {c['name']} | {c['n']} | {c.get('created', 0)} | "
                f"{fmt_s(c.get('all_created_s'))} | {c.get('alive_end', 'n/a')} | "
                f"{fmt(c.get('rss_sum_mib'), 'MiB')} | "
                f"{rc('rss_mean_mib', lambda v: f'{v:.1f} MiB')} | "
                f"{fmt(c.get('pss_sum_mib'), 'MiB')} | "
                f"{rc('pss_mean_mib', lambda v: f'{v:.1f} MiB')} | "
                f"{rc('req_per_min_each', lambda v: f'{v:.2f}')} | "
                f"{rc('frames_per_min_each', lambda v: f'{v:.2f}')} | "
                f"{rc('cpu_per_min_each', lambda v: f'{v:.3f}')} | "
                f"{', '.join(str(x) for x in c.get('exits', []))} |")
    out.append("")
    out.append("Per-run figures: `bench/out/runs.json`; request log: `bench/out/proxy.log`.")
    return "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--api-url", required=True, help="the Prefect server's API URL")
    p.add_argument("--ue-prefect", required=True)
    p.add_argument("--prefect", required=True, help="the venv's prefect executable")
    p.add_argument("--python", default=sys.executable, help="the venv's python (versions)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--poll-intervals", default="5,2",
                   type=lambda s: [int(x) for x in s.split(",") if x])
    p.add_argument("--events-poll-interval", type=int, default=60)
    p.add_argument("--deployment", default="ue-sleep/demo")
    p.add_argument("--sleep", type=int, default=10, help="the flow's seconds parameter")
    p.add_argument("--long-deployment", default="ue-long/long")
    p.add_argument("--long-sleep", type=int, default=3600)
    p.add_argument("--concurrent", type=int, default=50)
    p.add_argument("--concurrent-cli", type=int, default=10)
    p.add_argument("--settle", type=float, default=5)
    p.add_argument("--window", type=float, default=30)
    p.add_argument("--create-timeout", type=float, default=180)
    p.add_argument("--run-timeout", type=float, default=180)
    p.add_argument("--stop-flows", default="", help="shell command that stops the runner")
    p.add_argument("--note", action="append", default=[], help="a line for the results")
    p.add_argument("--logdir", required=True)
    p.add_argument("--results", required=True, help="markdown file to write")
    args = p.parse_args()

    started = time.monotonic()
    bench = Bench(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        log("variants: " + ", ".join(v.name for v in bench.variants))
        bench.sequential()
        if args.concurrent > 0 or args.concurrent_cli > 0:
            bench.many()
    finally:
        bench.cleanup()
        with open(os.path.join(args.logdir, "runs.json"), "w") as f:
            json.dump({"sequential": bench.results, "concurrent": bench.concurrent}, f,
                      indent=1)
    text = report(bench, args, started)
    with open(args.results, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
