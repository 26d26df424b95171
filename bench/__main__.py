"""``python -m bench``: load, REST, SPARQL and memory figures at 1x, 10x, 100x and 1000x.

Writes ``bench/results.json`` and ``bench/RESULTS.md``. Everything runs on this machine over
loopback (127.0.0.1); every load loop is bounded in requests and in seconds. Needs ``wrk``
(Debian package) and, for the rdflib peer, ``rdflib-endpoint`` in a venv of its own
(``--rdflib-venv``, made on first use with pip).

    python -m bench                      # the full run (about 25 minutes)
    python -m bench --scales 1 --quick   # a smoke run
    python -m bench --report-only        # re-render RESULTS.md from results.json
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox
from alliance_kg.api.sparql.workers import QueryJob, QueryPool

from alliance_kg import paths
from alliance_kg.settings import Settings
from alliance_kg.store import open_read_only
from bench import generate, report

HERE = Path(__file__).resolve().parent
WORK = paths.ROOT / "var" / "bench"
VENV_BIN = Path(sys.executable).parent
AK = "https://w3id.org/alliance-kg/ontology#"
POHANG = "https://w3id.org/alliance-kg/id/municipality/pohang"

# Per scale: load repetitions, whether the rdflib peer is started (it parses the whole graph
# into memory first) and whether anything is served. 1000x is loaded, not served: the issue's
# serving targets stop at 100x, and the Oxigraph peer's own load would add a quarter of an hour.
PLAN = {
    1: {"runs": 3, "rdflib": True, "serve": True},
    10: {"runs": 2, "rdflib": True, "serve": True},
    100: {"runs": 1, "rdflib": False, "serve": True},
    1000: {"runs": 1, "rdflib": False, "serve": False},
}

PREFIXES = f"PREFIX ak: <{AK}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
SPARQL_MIX = {
    "point lookup": PREFIXES + f"SELECT ?p ?o WHERE {{ <{POHANG}> ?p ?o }}",
    "partners two hops": PREFIXES
    + f"SELECT DISTINCT ?far WHERE {{ ?a ak:party <{POHANG}>, ?near . "
    f"?b ak:party ?near, ?far . FILTER(?near != <{POHANG}> && ?far != <{POHANG}> "
    "&& ?far != ?near) }",
    "counts per province": PREFIXES
    + "SELECT ?province (COUNT(?m) AS ?n) WHERE { ?m ak:parent ?province } "
    "GROUP BY ?province ORDER BY ?province",
    "label search": PREFIXES
    + "SELECT ?m ?label WHERE { ?m a ak:KoreanLocalGovernment ; rdfs:label ?label . "
    'FILTER(CONTAINS(?label, "포항")) }',
    "aggregate over agreements": PREFIXES
    + "SELECT ?kind (COUNT(?a) AS ?n) WHERE { ?a a ak:Agreement ; ak:agreementKind ?kind } "
    "GROUP BY ?kind ORDER BY ?kind",
}
TRIVIAL = "ASK {}"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A server we started, in its own process group; ``stop`` ends that group only."""

    def __init__(self, args: list[str], log_path: Path, env: dict | None = None) -> None:
        self.log = log_path.open("ab")
        self.p = subprocess.Popen(
            args,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=paths.ROOT,
            env={**os.environ, **(env or {})},
        )

    def wait_http(self, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.p.poll() is not None:
                raise RuntimeError(f"{self.p.args[0]} exited; see {self.log.name}")
            try:
                parts = urllib.parse.urlsplit(url)
                c = http.client.HTTPConnection(parts.netloc, timeout=5)
                c.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
                if c.getresponse().status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{url} did not answer in {timeout:g} s")

    def peak_rss_mb(self) -> dict[str, float]:
        """Peak resident memory (VmHWM) of the server process and of its whole process tree."""
        pids, todo = [], [self.p.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    text = Path(f"/proc/{pid}/task/{task}/children").read_text()
                    todo += [int(x) for x in text.split()]
            except OSError:
                pass
        sizes = {}
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        sizes[pid] = int(line.split()[1]) / 1024
            except OSError:
                pass
        return {"main": sizes.get(self.p.pid, 0.0), "tree": sum(sizes.values())}

    def rss_mb(self) -> float:
        """Resident memory of the server process now."""
        for line in Path(f"/proc/{self.p.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGTERM)
                self.p.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.p.wait(10)
        self.log.close()


# --------------------------------------------------------------------------------------------
# Clients


def wrk(url: str, paths_: list[str], connections: int, seconds: float, accept: str) -> dict:
    """Run wrk (pinned to the last core, one thread) over ``paths_`` in turn."""
    script = WORK / f"wrk-{os.getpid()}.lua"
    lua_paths = ",\n".join(json.dumps(p) for p in paths_)
    script.write_text(
        "local paths = {\n" + lua_paths + "\n}\n"
        "local i = 0\n"
        f'wrk.headers["Accept"] = {json.dumps(accept)}\n'
        "request = function()\n  i = i + 1\n"
        "  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n"
    )
    cmd = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "60s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    core = str((os.cpu_count() or 1) - 1)
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", core, *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120).stdout
    script.unlink()
    result = {"rps": _num(re.search(r"Requests/sec:\s+([\d.]+)", out))}
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        result[f"p{pct}_ms"] = _ms(m)
    m = re.search(r"(\d+) requests in", out)
    result["requests"] = int(m[1]) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx"] = int(m[1]) if m else 0
    m = re.search(r"Socket errors: (.*)", out)
    result["socket_errors"] = m[1].strip() if m else ""
    return result


def _num(m) -> float | None:
    return float(m[1]) if m else None


def _ms(m) -> float | None:
    if not m:
        return None
    return float(m[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m[2]]


def sequential(url: str, path: str, accept: str, reps: int, budget: float) -> dict:
    """Median latency of ``reps`` requests one after another on one kept-alive connection."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=120)
    times: list[float] = []
    rows = None
    deadline = time.monotonic() + budget
    for i in range(reps + 1):
        started = time.perf_counter()
        conn.request("GET", path, headers={"Accept": accept})
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            return {"error": f"{response.status}: {body[:200]!r}"}
        if i == 0:  # the first one warms up and tells the size of the answer
            try:
                data = json.loads(body)
                rows = len(data["results"]["bindings"]) if "results" in data else None
            except ValueError:
                rows = None
            continue
        times.append(elapsed)
        if time.monotonic() > deadline:
            break
    conn.close()
    return {
        "p50_ms": statistics.median(times),
        "runs": len(times),
        "rows": rows,
    }


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
POINT_LOOKUP = (
    "SELECT ?label WHERE { <https://w3id.org/alliance-kg/id/municipality/pohang> "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)


def fair_queueing(url: str, runaways: int = 4, lookups: int = 200) -> dict:
    """Point lookups on /sparql while ``runaways`` clients each keep a runaway query in flight
    (sending the next as soon as one is answered): their latency and how many got a 503."""
    stop = threading.Event()
    runaway_statuses: dict[int, int] = {}

    def runaway() -> None:
        body = urllib.parse.urlencode({"query": RUNAWAY}).encode()
        while not stop.is_set():
            request = urllib.request.Request(url + "/sparql", data=body)
            try:
                status = urllib.request.urlopen(request, timeout=120).status
            except urllib.error.HTTPError as e:
                status = e.code
            runaway_statuses[status] = runaway_statuses.get(status, 0) + 1

    threads = [threading.Thread(target=runaway, daemon=True) for _ in range(runaways)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # every runaway is past the fast lane's budget by now
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=120)
    path = "/sparql?" + urllib.parse.urlencode({"query": POINT_LOOKUP})
    times, statuses = [], {}
    for _ in range(lookups):
        started = time.perf_counter()
        conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        response.read()
        times.append((time.perf_counter() - started) * 1000)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        time.sleep(0.02)
    conn.close()
    stop.set()
    for t in threads:
        t.join(150)
    times.sort()
    return {
        "runaways": runaways,
        "lookups": lookups,
        "p50_ms": statistics.median(times),
        "p99_ms": times[int(len(times) * 0.99) - 1],
        "max_ms": times[-1],
        "lookup_statuses": statuses,
        "runaway_statuses": runaway_statuses,
    }


# --------------------------------------------------------------------------------------------
# Phases


def run_load(data: Path, scale_dir: Path, plan: dict) -> dict:
    """``plan["runs"]`` full loads (shapes checked) in fresh processes: medians of the seconds
    of each phase, the highest peak RSS of each phase."""
    runs = []
    for i in range(plan["runs"]):
        args = [
            sys.executable,
            "-m",
            "bench.load",
            str(data),
            str(scale_dir / "store"),
            "--dump",
            str(scale_dir / "dump.nq"),
        ]
        log(f"  load run {i + 1}/{plan['runs']} (load average {loadavg()})")
        out = subprocess.run(args, capture_output=True, text=True, cwd=paths.ROOT, timeout=7200)
        if out.returncode:
            raise RuntimeError(out.stderr[-2000:])
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    phases = {
        name: statistics.median(r["phases"][name] for r in runs if name in r["phases"])
        for name in runs[0]["phases"]
    }
    quads = runs[0]["quads"]
    return {
        "runs": len(runs),
        "quads": quads,
        "dump_mb": runs[0]["dump_bytes"] / 1e6,
        "seconds": phases,
        # The loader's own phases; "raw bulk_load" is the bench's yardstick, not part of a load.
        "total_s": statistics.median(
            sum(v for k, v in r["phases"].items() if k != "raw bulk_load") for r in runs
        ),
        "quads_per_s": {k: quads / v for k, v in phases.items() if v > 0},
        "phase_peak_rss_mb": {
            name: max(r["phase_peak_rss_mb"].get(name, 0.0) for r in runs) for name in phases
        },
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages: how busy the machine was besides this run."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def store_counts(store: Path) -> dict:
    """Local governments and agreements in a loaded store, the real ones and the synthetic."""
    s = open_read_only(store)
    counts = {}
    for name, classes in (
        ("governments", "ak:KoreanLocalGovernment ak:ForeignLocalGovernment"),
        ("agreements", "ak:Agreement"),
    ):
        q = (
            PREFIXES
            + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ VALUES ?c {{ {classes} }} ?x a ?c }}"
        )
        counts[name] = int(next(iter(s.query(q)))["n"].value)
    del s
    return counts


def oxigraph_store(scale_dir: Path) -> tuple[Path, float]:
    location = scale_dir / "oxigraph"
    if location.exists():
        shutil.rmtree(location)
    started = time.perf_counter()
    subprocess.run(
        [str(VENV_BIN / "oxigraph"), "load", "--location", str(location), "--file",
         str(scale_dir / "dump.nq")],
        check=True,
        capture_output=True,
        timeout=3600,
    )  # fmt: skip
    return location, time.perf_counter() - started


def rdflib_venv(where: Path) -> Path:
    exe = where / "bin" / "rdflib-endpoint"
    if not exe.exists():
        log(f"installing rdflib-endpoint into {where}")
        subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
        subprocess.run(
            [str(where / "bin" / "pip"), "install", "-q", "rdflib-endpoint", "uvicorn"],
            check=True,
        )
    return exe


def rest_keys(data: Path, count: int, seed: int = 6) -> list[str]:
    """Slugs of local governments to look up: the real ones and a random draw of the rest."""
    slugs = []
    for table in (data / "municipalities.csv", *sorted(data.glob("foreign-governments/*.csv"))):
        with table.open(encoding="utf-8", newline="") as f:
            slugs += [r["id"] for r in csv.DictReader(f)]
    rng = random.Random(seed)
    rng.shuffle(slugs)
    return slugs[:count]


def build_read_model(url: str, server: Proc) -> dict:
    """The first partner lookup and the first facts lookup build the REST read model (every
    government's answers, kept in memory): their seconds and what the server grew by."""
    out = {"rss_before_mb": server.rss_mb()}
    for name, path in (
        ("partners", "/municipalities/pohang/partners"),
        ("facts", "/municipalities/pohang"),
    ):
        started = time.perf_counter()
        with urllib.request.urlopen(url + path, timeout=3600) as response:
            response.read()
        out[f"{name}_s"] = time.perf_counter() - started
    out["rss_after_mb"] = server.rss_mb()
    return out


def measure_rest(url: str, keys: list[str], reps: int, seconds: float) -> dict:
    paths_ = [f"/municipalities/{k}/partners" for k in keys]
    # Warm up: the name index is built on the first request.
    sequential(url, paths_[0], "application/json", 3, 60)
    out = {"keys": len(keys)}
    for clients in (1, 16):
        runs = [wrk(url, paths_, clients, seconds, "application/json") for _ in range(reps)]
        out[f"c{clients}"] = _median_runs(runs)
    return out


def _median_runs(runs: list[dict]) -> dict:
    out = {"runs": len(runs)}
    for key in ("rps", "p50_ms", "p99_ms"):
        values = [r[key] for r in runs if r.get(key) is not None]
        out[key] = statistics.median(values) if values else None
    out["requests"] = sum(r["requests"] for r in runs)
    out["non_2xx"] = sum(r["non_2xx"] for r in runs)
    out["socket_errors"] = [r["socket_errors"] for r in runs if r["socket_errors"]]
    return out


def measure_sparql(url: str, endpoint: str, reps: int, seconds: float, budget: float) -> dict:
    accept = "application/sparql-results+json"
    per_query = {}
    for name, q in SPARQL_MIX.items():
        path = endpoint + "?" + urllib.parse.urlencode({"query": q})
        per_query[name] = sequential(url, path, accept, reps, budget)
    trivial = endpoint + "?" + urllib.parse.urlencode({"query": TRIVIAL})
    per_query["trivial (ASK {})"] = sequential(url, trivial, accept, reps * 5, budget)
    mix = [endpoint + "?" + urllib.parse.urlencode({"query": q}) for q in SPARQL_MIX.values()]
    runs = [wrk(url, mix, 16, seconds, accept) for _ in range(2)]
    return {"queries": per_query, "mix_c16": _median_runs(runs)}


def timeout_overhead(store: Path, reps: int = 400) -> dict:
    """What the killable worker pool (the timeout machinery) adds to a trivial query, in process:
    ``ASK {}`` through ``QueryPool.run`` against the same query on the store in this process."""
    direct_store = open_read_only(store)

    def direct() -> float:
        started = time.perf_counter()
        result = direct_store.query(TRIVIAL)
        result.serialize(format=ox.QueryResultsFormat.JSON)
        return (time.perf_counter() - started) * 1000

    direct_ms = statistics.median(direct() for _ in range(reps))

    async def pooled() -> float:
        pool = QueryPool(Settings(store=store, workers=1))
        await pool.start()
        job = QueryJob(
            TRIVIAL,
            None,
            results_format=("application/sparql-results+json", "JSON"),
            graph_format=None,
            asked="application/sparql-results+json",
        )
        times = []
        try:
            for _ in range(reps):
                started = time.perf_counter()
                reply = await pool.run(job, timeout=30.0)
                times.append((time.perf_counter() - started) * 1000)
                assert reply.status == 200, reply.detail
        finally:
            await pool.close()
        return statistics.median(times)

    pool_ms = asyncio.run(pooled())
    return {"direct_ms": direct_ms, "pool_ms": pool_ms, "overhead_ms": pool_ms - direct_ms}


def serve_and_measure(scale: int, data: Path, scale_dir: Path, plan: dict, args) -> dict:
    out: dict = {}
    logs = scale_dir / "logs"
    logs.mkdir(exist_ok=True)
    store = scale_dir / "store"

    out["timeout_machinery"] = timeout_overhead(store)
    log(f"  timeout machinery: {out['timeout_machinery']}")

    port = free_port()
    ours = Proc(
        [str(VENV_BIN / "alliance-kg"), "serve", "--store", str(store), "--port", str(port)],
        logs / "alliance-kg.log",
    )
    url = f"http://127.0.0.1:{port}"
    try:
        ours.wait_http(url + "/sparql?query=ASK%7B%7D", 120)
        keys = rest_keys(data, args.rest_keys)
        log(f"  REST over {len(keys)} keys")
        out["read_model"] = build_read_model(url, ours)
        log(f"  read model: {out['read_model']}")
        out["rest"] = measure_rest(url, keys, args.reps, args.seconds)
        log(f"  REST: {out['rest']}")
        log("  SPARQL: alliance-kg")
        out["sparql"] = {
            "alliance-kg": measure_sparql(url, "/sparql", args.query_reps, args.seconds, 30)
        }
        log("  fair queueing: four runaway queries in flight")
        out["fair_queueing"] = fair_queueing(url)
        log(f"  fair queueing: {out['fair_queueing']}")
        out["peak_rss_mb"] = {"alliance-kg": ours.peak_rss_mb()}
    finally:
        ours.stop()

    location, load_s = oxigraph_store(scale_dir)
    out["oxigraph_cli_load_s"] = load_s
    port = free_port()
    oxi = Proc(
        [str(VENV_BIN / "oxigraph"), "serve-read-only", "--location", str(location), "--bind",
         f"127.0.0.1:{port}", "--union-default-graph"],
        logs / "oxigraph.log",
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        oxi.wait_http(url + "/query?query=ASK%7B%7D", 120)
        log("  SPARQL: oxigraph")
        out["sparql"]["oxigraph"] = measure_sparql(url, "/query", args.query_reps, args.seconds, 30)
        out["peak_rss_mb"]["oxigraph"] = oxi.peak_rss_mb()
    finally:
        oxi.stop()
    shutil.rmtree(location, ignore_errors=True)

    if plan["rdflib"]:
        exe = rdflib_venv(Path(args.rdflib_venv))
        port = free_port()
        started = time.perf_counter()
        rdf = Proc(
            [
                str(exe),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                str(scale_dir / "dump.nq"),
            ],  # a Dataset with the union as default graph
            logs / "rdflib-endpoint.log",
        )
        url = f"http://127.0.0.1:{port}"
        try:
            rdf.wait_http(url + "/?query=ASK%7B%7D", 900)
            out["rdflib_startup_s"] = time.perf_counter() - started
            log("  SPARQL: rdflib-endpoint")
            out["sparql"]["rdflib-endpoint"] = measure_sparql(
                url, "/", max(3, args.query_reps // 4), args.seconds, 20
            )
            out["peak_rss_mb"]["rdflib-endpoint"] = rdf.peak_rss_mb()
        finally:
            rdf.stop()
    return out


def machine() -> dict:
    def version(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
        except OSError:
            return "?"

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    rdflib_endpoint = "?"
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(int(mem) / 1024**2, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyoxigraph": metadata.version("pyoxigraph"),
        "oxigraph server": version([str(VENV_BIN / "oxigraph"), "--version"]),
        "rdflib": metadata.version("rdflib"),
        "rdflib-endpoint": rdflib_endpoint,
        "pyshacl": metadata.version("pyshacl"),
        "fastapi": metadata.version("fastapi"),
        "uvicorn": metadata.version("uvicorn"),
        "wrk": version(["wrk", "-v"]).splitlines()[0] if shutil.which("wrk") else "missing",
        "commit": version(["git", "-C", str(paths.ROOT), "rev-parse", "--short", "HEAD"]),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--scales", default="1,10,100,1000")
    p.add_argument("--out", type=Path, default=HERE)
    p.add_argument("--reps", type=int, default=3, help="wrk runs per REST figure")
    p.add_argument("--seconds", type=float, default=5.0, help="length of one wrk run")
    p.add_argument("--query-reps", type=int, default=20, help="sequential runs per SPARQL query")
    p.add_argument("--rest-keys", type=int, default=4000)
    p.add_argument("--rdflib-venv", default=str(WORK / "rdflib-venv"))
    p.add_argument("--quick", action="store_true", help="one load run, short wrk runs")
    p.add_argument("--report-only", action="store_true")
    p.add_argument("--merge", action="store_true", help="keep other scales from results.json")
    args = p.parse_args(argv)
    results_path = args.out / "results.json"
    if args.report_only:
        results = json.loads(results_path.read_text())
        (args.out / "RESULTS.md").write_text(report.render(results))
        return 0
    if not shutil.which("wrk"):
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 1
    if args.quick:
        args.reps, args.seconds, args.query_reps = 1, 2.0, 5
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict = {"machine": machine(), "scales": {}}
    if args.merge and results_path.exists():  # rerun some scales, keep the others' figures
        results["scales"] = json.loads(results_path.read_text())["scales"]
    results["machine"]["rdflib-endpoint"] = _rdflib_endpoint_version(Path(args.rdflib_venv))
    for scale in [int(s) for s in args.scales.split(",")]:
        plan = dict(PLAN[scale])
        if args.quick:
            plan["runs"] = min(plan["runs"], 1)
        scale_dir = WORK / f"{scale}x"
        scale_dir.mkdir(parents=True, exist_ok=True)
        data = scale_dir / "data"
        log(f"{scale}x: generating records")
        t = time.perf_counter()
        c = generate.generate(scale, data)
        entry: dict = {
            "plan": plan,
            "loadavg_at_start": loadavg(),
            "generate_s": time.perf_counter() - t,
            "synthetic": c.__dict__,
            "data_mb": sum(f.stat().st_size for f in data.rglob("*") if f.is_file()) / 1e6,
        }
        if plan["runs"]:
            log(f"{scale}x: loading")
            entry["load"] = run_load(data, scale_dir, plan)
            entry.update(store_counts(scale_dir / "store"))
            log(f"  load: {entry['load']['seconds']}")
        if plan["serve"]:
            entry.update(serve_and_measure(scale, data, scale_dir, plan, args))
        entry["loadavg_at_end"] = loadavg()
        results["scales"][str(scale)] = entry
        results["scales"] = dict(sorted(results["scales"].items(), key=lambda kv: int(kv[0])))
        for leftover in ("store", "store.builds", "dump.nq"):
            target = scale_dir / leftover
            if target.is_symlink() or target.is_file():
                target.unlink()
            elif target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)
        results["total_minutes"] = (time.perf_counter() - started) / 60
        args.out.mkdir(parents=True, exist_ok=True)
        results_path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
        (args.out / "RESULTS.md").write_text(report.render(results))
    log(f"done in {(time.perf_counter() - started) / 60:.1f} min: {args.out / 'RESULTS.md'}")
    return 0


def _rdflib_endpoint_version(venv: Path) -> str:
    python = venv / "bin" / "python"
    if not python.exists():
        return "not installed"
    out = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('rdflib-endpoint'))"],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() or "?"


if __name__ == "__main__":
    raise SystemExit(main())
