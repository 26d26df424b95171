"""Render ``bench/results.json`` as ``bench/RESULTS.md``: tables, ratios, targets and notes."""

from __future__ import annotations

ENDPOINTS = ["alliance-kg", "oxigraph", "rdflib-endpoint"]


def f(x, digits: int = 1, unit: str = "") -> str:
    if x is None:
        return "–"
    if isinstance(x, float) and abs(x) >= 1000:
        return f"{x:,.0f}{unit}"
    return f"{x:.{digits}f}{unit}"


def ratio(a, b) -> float | None:
    return a / b if a is not None and b else None


def table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def render(results: dict) -> str:
    m = results["machine"]
    scales = results["scales"]
    out = [
        "# Benchmark results",
        "",
        f"`python -m bench` on {m['date']}, commit `{m['commit']}`, in "
        f"{results.get('total_minutes', 0):.0f} minutes. Rerun it to replace this file and "
        "`bench/results.json` (the raw figures).",
        "",
        *([results["runs_note"], ""] if results.get("runs_note") else []),
        table(
            ["machine", ""],
            [
                ["CPU", f"{m['cpu']}, {m['cores']} cores"],
                ["memory", f"{m['memory_gb']} GB"],
                ["OS", m["os"]],
                [
                    "versions",
                    ", ".join(
                        f"{k} {m[k]}"
                        for k in (
                            "python",
                            "pyoxigraph",
                            "oxigraph server",
                            "rdflib",
                            "rdflib-endpoint",
                            "pyshacl",
                            "fastapi",
                            "uvicorn",
                            "wrk",
                        )
                    ),
                ],
            ],
        ),
        "",
        "Medians throughout: of the load runs (column *runs*), of 3 wrk runs of 5 s for REST, of "
        "20 sequential requests per SPARQL query (5 for rdflib-endpoint), of 2 wrk runs of 5 s "
        "for the SPARQL mix. Ratios compare figures measured in the same run. Clients: `wrk` "
        "with one thread pinned to the last core (`taskset`), over loopback; the servers are not "
        "pinned, so they share that core with the client. The load averages in the first table "
        "say what else the machine carried; absolute figures move from run to run, the ratios "
        "are what to compare.",
        "",
        "## Data at each scale",
        "",
        "Scale 1 is the real `data/`; scale *k* adds 245·(k−1) synthetic local governments (40% "
        "Korean cities and counties with unused 5-digit codes, 60% foreign local governments, "
        "because Korea has only 100,000 codes) and 8 synthetic agreements per synthetic "
        "government, all citing the synthetic source `bench-synthetic` (`bench/generate.py`).",
        "",
        table(
            ["scale", "local governments", "agreements", "records MB", "quads", "load average"],
            [
                [
                    f"{s}x",
                    f"{e['governments']:,}" if "governments" in e else "–",
                    f"{e['agreements']:,}" if "agreements" in e else "–",
                    f(e["data_mb"]),
                    f"{e['load']['quads']:,}" if "load" in e else "not loaded",
                    f"{e.get('loadavg_at_start', '–')} → {e.get('loadavg_at_end', '–')}",
                ]
                for s, e in scales.items()
            ],
        ),
        "",
        "*Load average*: the machine's 1, 5 and 15 minute load averages when the scale began and "
        "when it ended (2 cores; what this run itself adds is up to about 2).",
        "",
        "## Load: records → store",
        "",
        "`alliance-kg load` in a fresh process per run (`bench/load.py` calls the loader and "
        "reads its phase timings): seconds per phase, quads per second, and the peak resident "
        "memory within each phase (the kernel's high-water mark, reset at each phase's start).",
        "",
    ]
    phases = list(
        dict.fromkeys(ph for e in scales.values() for ph in e.get("load", {}).get("seconds", {}))
    )
    rows = []
    for s, e in scales.items():
        if "load" not in e:
            rows.append([f"{s}x", "not run"] + [""] * (len(phases) + 2))
            continue
        ld = e["load"]
        cells = [f"{s}x", str(ld["runs"])]
        for ph in phases:
            sec = ld["seconds"].get(ph)
            cells.append(
                "–"
                if sec is None
                else f"{f(sec, 2)} s" + (f" · {f(ld['quads'] / sec, 0)}/s" if sec >= 0.01 else "")
            )
        cells += [f(ld["total_s"], 1), f(ld["peak_rss_mb"], 0)]
        rows.append(cells)
    out += [table(["scale", "runs", *phases, "total s", "peak RSS MB"], rows), ""]
    rows = [
        [f"{s}x"] + [f(e["load"]["phase_peak_rss_mb"].get(ph), 0) for ph in phases]
        for s, e in scales.items()
        if "load" in e
    ]
    out += ["Peak RSS per phase, MB:", "", table(["scale", *phases], rows), ""]

    rows = []
    for s, e in scales.items():
        r = e.get("rest")
        if not r:
            continue
        for c in ("c1", "c16"):
            x = r[c]
            rows.append(
                [
                    f"{s}x",
                    c[1:],
                    f(x["p50_ms"], 2),
                    f(x["p99_ms"], 2),
                    f(x["rps"], 0),
                    f"{x['requests']:,}",
                    str(x["non_2xx"]),
                ]
            )
    out += [
        "## REST: `/municipalities/{key}/partners`",
        "",
        "Keys cycle through up to 4,000 local governments drawn at random (all the Korean "
        "ones at 1x); `alliance-kg serve` with its defaults (one uvicorn process). The answers "
        "come from the read model: every government's partners and facts, kept in memory as "
        "JSON per store build; the first lookup of each builds it (table below).",
        "",
        table(["scale", "clients", "p50 ms", "p99 ms", "req/s", "requests", "non-2xx"], rows),
        "",
        "The read model: seconds of the first partner lookup and of the first facts lookup "
        "(each builds its table), and the server's resident memory before and after, per local "
        "government.",
        "",
        table(
            [
                "scale",
                "partners build s",
                "facts build s",
                "RSS before MB",
                "RSS after MB",
                "kB per government",
            ],
            [
                [
                    f"{s}x",
                    f(m["partners_s"], 1),
                    f(m["facts_s"], 1),
                    f(m["rss_before_mb"], 0),
                    f(m["rss_after_mb"], 0),
                    f((m["rss_after_mb"] - m["rss_before_mb"]) * 1024 / e["governments"], 1)
                    if e.get("governments")
                    else "–",
                ]
                for s, e in scales.items()
                if (m := e.get("read_model"))
            ],
        ),
        "",
        "## SPARQL: the mix through `/sparql`, against the peers on the same data",
        "",
        "The same N-Quads in each: `alliance-kg serve` (`/sparql`, its default worker pool), "
        "`oxigraph serve-read-only --union-default-graph` (loaded with `oxigraph load`), "
        "rdflib-endpoint serving the same N-Quads (its CLI parses them into an rdflib `Dataset` "
        "with the union as default graph, in memory). Ratio columns: their latency over ours. "
        "Sequential latency (p50, one kept-alive connection) per query, rows returned, and "
        "throughput of the five queries in turn with 16 connections.",
        "",
    ]
    for s, e in scales.items():
        sp = e.get("sparql")
        if not sp:
            continue
        present = [x for x in ENDPOINTS if x in sp]
        head = ["query (rows)"] + [f"{x} ms" for x in present]
        head += [f"oxigraph / {present[0]}"]
        if "rdflib-endpoint" in present:
            head += [f"rdflib-endpoint / {present[0]}"]
        rows = []
        for q in sp["alliance-kg"]["queries"]:
            ours = sp["alliance-kg"]["queries"][q]
            cells = [f"{q} ({ours.get('rows', '–')})"]
            cells += [f(sp[x]["queries"][q].get("p50_ms"), 2) for x in present]
            cells.append(f(ratio(sp["oxigraph"]["queries"][q].get("p50_ms"), ours["p50_ms"]), 2))
            if "rdflib-endpoint" in present:
                cells.append(
                    f(ratio(sp["rdflib-endpoint"]["queries"][q].get("p50_ms"), ours["p50_ms"]), 1)
                )
            rows.append(cells)
        thr = ["mix, 16 clients: req/s"] + [f(sp[x]["mix_c16"]["rps"], 1) for x in present]
        thr.append(
            "ours / oxigraph = "
            + f(ratio(sp["alliance-kg"]["mix_c16"]["rps"], sp["oxigraph"]["mix_c16"]["rps"]), 2)
        )
        if "rdflib-endpoint" in present:
            thr.append(
                "ours / rdflib = "
                + f(
                    ratio(
                        sp["alliance-kg"]["mix_c16"]["rps"],
                        sp["rdflib-endpoint"]["mix_c16"]["rps"],
                    ),
                    1,
                )
            )
        rows.append(thr)
        p50 = ["mix, 16 clients: p50 / p99 ms"] + [
            f"{f(sp[x]['mix_c16']['p50_ms'])} / {f(sp[x]['mix_c16']['p99_ms'])}" for x in present
        ]
        rows.append(p50 + [""] * (len(head) - len(p50)))
        out += [f"### {s}x", "", table(head, rows), ""]
        if "rdflib_startup_s" in e:
            out += [f"rdflib-endpoint took {e['rdflib_startup_s']:.0f} s to parse and start.", ""]

    rows = []
    for s, e in scales.items():
        rss = e.get("peak_rss_mb")
        if not rss:
            continue
        rows.append(
            [
                f"{s}x",
                f(rss["alliance-kg"]["main"], 0),
                f(rss["alliance-kg"]["tree"], 0),
                f(rss.get("oxigraph", {}).get("tree"), 0),
                f(rss.get("rdflib-endpoint", {}).get("tree"), 0),
            ]
        )
    out += [
        "## Memory: peak RSS of the servers (MB)",
        "",
        "VmHWM after the REST and SPARQL runs; *tree* adds the query workers and the forkserver "
        "(their shared pages are counted once per process, so it over-states).",
        "",
        table(
            [
                "scale",
                "alliance-kg web process",
                "alliance-kg + workers",
                "oxigraph server",
                "rdflib-endpoint",
            ],
            rows,
        ),
        "",
    ]
    rows = []
    for s, e in scales.items():
        t = e.get("timeout_machinery")
        if t:
            rows.append([f"{s}x", f(t["direct_ms"], 3), f(t["pool_ms"], 3), f(t["overhead_ms"], 3)])
    out += [
        "## Timeout machinery",
        "",
        "`ASK {}` run 400 times through `QueryPool.run` (a killable worker process, a pipe and a "
        "deadline: what gives `/sparql` its timeout) against the same query and JSON "
        "serialization on the store in the calling process; medians.",
        "",
        table(["scale", "in process ms", "through the pool ms", "added ms"], rows),
        "",
    ]
    rows = [
        [
            f"{s}x",
            f(q["p50_ms"], 1),
            f(q["p99_ms"], 1),
            f(q["max_ms"], 1),
            ", ".join(f"{k}: {v}" for k, v in q["lookup_statuses"].items()),
            ", ".join(f"{k}: {v}" for k, v in q["runaway_statuses"].items()),
        ]
        for s, e in scales.items()
        if (q := e.get("fair_queueing"))
    ]
    out += [
        "## Point lookups while runaway queries run",
        "",
        "200 point lookups on `/sparql`, one every 20 ms, while four clients each keep a "
        "runaway query in flight (the next sent as soon as one is answered).",
        "",
        table(["scale", "p50 ms", "p99 ms", "max ms", "lookups", "runaways"], rows),
        "",
    ]
    out += [targets(results), NOTES]
    return "\n".join(out).rstrip() + "\n"


def targets(results: dict) -> str:
    """The issue's targets (#13) against this run's figures."""
    sc = results["scales"]
    lines = ["## Targets", ""]

    def status(ok: bool) -> str:
        return "**met**" if ok else "**missed**"

    for s, e in sc.items():
        r = e.get("rest", {}).get("c16")
        if r:
            ok = r["p50_ms"] < 5 and r["p99_ms"] < 20
            lines.append(
                f"- REST partners, 16 clients, {s}x: p50 {f(r['p50_ms'], 2)} ms (< 5), p99 "
                f"{f(r['p99_ms'], 2)} ms (< 20), {f(r['rps'], 0)} req/s: {status(ok)}."
            )
    for s, e in sc.items():
        sp = e.get("sparql")
        if not sp:
            continue
        mix = ratio(sp["alliance-kg"]["mix_c16"]["rps"], sp["oxigraph"]["mix_c16"]["rps"])
        ours = sp["alliance-kg"]["queries"]["point lookup"]["p50_ms"]
        theirs = sp["oxigraph"]["queries"]["point lookup"]["p50_ms"]
        point = ratio(ours, theirs)
        lines.append(
            f"- `/sparql` {s}x: mix throughput {f(mix, 2)} × Oxigraph's (≥ 0.5): "
            f"{status(mix >= 0.5)}; point lookup p50 {f(ours, 2)} ms, {f(point, 2)} × "
            f"Oxigraph's {f(theirs, 2)} ms (≤ 2): {status(point <= 2)}."
        )
    limits = {"10": (20, None), "100": (300, 8000), "1000": (None, None)}
    for s, (seconds, megabytes) in limits.items():
        ld = sc.get(s, {}).get("load")
        if not ld:
            lines.append(f"- load {s}x: **not run**.")
            continue
        ok = (seconds is None or ld["total_s"] < seconds) and (
            megabytes is None or ld["peak_rss_mb"] < megabytes
        )
        wanted = " and ".join(
            x
            for x in (
                f"< {seconds} s" if seconds else "",
                f"< {megabytes:,} MB" if megabytes else "",
            )
            if x
        )
        lines.append(
            f"- load {s}x, shapes checked: {f(ld['total_s'], 1)} s, peak RSS "
            f"{f(ld['peak_rss_mb'], 0)} MB ({wanted or 'loads on this machine'}): {status(ok)}."
        )
    return "\n".join(lines) + "\n"


NOTES = """
## Notes on this run

- **Load on the machine.** Two cores, with the load averages in the first table: this run's own
  processes (loader or server, wrk, the query workers) make up most of it. Latencies at 16
  clients are queueing: by Little's law p50 ≈ 16 / throughput.
- **REST.** A plain lookup (`/municipalities/{key}` or `/partners` with at most `kind` and
  `as_of`) takes the app's short path past FastAPI's routing and answers JSON kept per
  government, so its cost no longer grows with the data. *kB per government* is the web
  process's growth over the two first lookups divided by all local governments, tables and
  what their build left behind together.
- **SPARQL.** From 10x on the mix is bound by the two heavy queries (*aggregate over
  agreements*, *partners two hops*), which take about as long in either server; from 10x
  Oxigraph's server, answering over the union of the named graphs (`--union-default-graph`), is
  slower on them than our store, which keeps that union as its default graph.
- **Point lookups** pay a fixed cost of two processes (the `ASK {}` row: about 0.5–0.7 ms over
  Oxigraph's own server), so their ratio to Oxigraph's sits near 2 and moves with the run: a
  median of 20 requests, 1.2–2.4 across scales here, 2.1–2.4 in a side-by-side check of 300
  requests on the 10x store. Timestamps in a server on the 10x store put a point lookup
  (about 0.9–1.0 ms inside the app) at 0.14 ms in the web process before the job leaves, 0.5 ms
  until the reply is read (the query and its JSON take about 0.3 ms of it in the worker), 0.08 ms
  to resume and 0.2 ms to write the answer. A bare uvicorn app answers as fast as Oxigraph's
  server (0.17 against 0.15–0.20 ms), and a bare pipe round trip between two processes takes
  60–70 µs across this machine's cores (8 µs on one). Tried, without a measurable gain: an
  answer's head and body in one `send`, the worker's reply in one write, the whole server on one
  core. The worker process is what makes a query's timeout a kill, and it is this cost.
- **Point lookups beside runaways.** Every lookup is answered, but after hundreds of
  milliseconds: two runaways fill both long-query places and keep the two cores busy, and the
  other two take a fast worker each for the quarter second before they are refused, so lookups
  wait for a free worker, and for the fresh workers that replace the killed ones to start.
- **Load.** The loader streams (sorted chunks on disk merged into the dump, `bulk_load` from the
  file) and checks the shapes by SPARQL over the new store; Python's cycle collector is off
  while it runs (at 100x it had been half of reading the records). The shape check is the
  slowest phase from 100x: its slowest queries, over agreements, grow 11–13 times for ten times
  the data. *write store* loads each triple twice (its record graph and the default graph), so
  it takes up to twice the raw `bulk_load`. *optimize store* does no work on a fresh
  bulk-loaded store.
- **1000x** is loaded, not served. Its peak memory is in reading and converting the records,
  which are all held until the dump is written.
"""
