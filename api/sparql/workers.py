"""Query workers: processes that hold the store, so that a runaway query can be killed.

pyoxigraph cannot cancel a query, so every store operation of the HTTP API runs in one of a few
worker processes. The web process sends a job down a pipe to a free worker and waits for the
pipe to become readable without blocking its event loop. A job that outlives its deadline gets
its worker killed (SIGKILL) and replaced, and the client a 503 problem; no byte of a result is
sent before the whole result is in hand, so a client never sees a 200 with a cut-off body.

Workers serialize results natively (``QuerySolutions.serialize``, ``pyoxigraph.serialize``)
into a buffer capped at ``max_result_bytes``: a larger answer stops the serialization at the
cap and becomes a 507 problem, never an out-of-memory crash of the server.

Read-only mode: ``size`` workers each open the store read-only (many processes may) and, before
each job, reopen it when the store location points at a new build (``alliance-kg load`` swaps
builds atomically). Scratch mode: one worker owns a writable store in a temporary directory
that lives as long as the server; a killed scratch worker loses nothing that was committed,
because its replacement reopens the same directory (RocksDB recovers from its log).

This module does not import the web framework: workers stay small.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import multiprocessing
import os
import pickle
import resource
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from alliance_kg.api.http import problems
from alliance_kg.api.http.problems import ProblemType
from alliance_kg.api.sparql.federation import Refused, Relay

from alliance_kg.store import current_build

if TYPE_CHECKING:  # the workers do not need pydantic, which the settings use
    from alliance_kg.settings import Settings

log = logging.getLogger("alliance_kg.workers")

# --------------------------------------------------------------------------------------------
# What goes through the pipe


Format = tuple[str, str]  # a media type and the name of its pyoxigraph format ("TURTLE")


@dataclass
class Ping:
    """Open the store and say so."""


@dataclass
class QueryJob:
    query: str
    base_iri: str | None
    results_format: Format | None  # for SELECT and ASK; None: the request accepts none
    graph_format: Format | None  # for CONSTRUCT and DESCRIBE
    asked: str  # what the request accepts, to quote when neither format applies
    federated: bool = False  # whether it calls other endpoints (SERVICE)
    default_graph: list[str] | None = None  # the dataset the request gives, if any
    named_graphs: list[str] | None = None
    union: bool = False  # the default graph is the union of the graphs (scratch store)


@dataclass
class UpdateJob:
    update: str
    base_iri: str | None
    federated: bool = False


@dataclass
class GraphGet:
    """One graph (``graph`` None: the default graph, which is the merge of the others)."""

    graph: str | None
    format: Format
    head: bool = False  # HEAD: the status and media type only


@dataclass
class DatasetGet:
    """The whole store."""

    format: Format
    head: bool = False


@dataclass
class GraphWrite:
    """PUT (``replace``) or POST RDF documents into a graph (None: the default graph)."""

    graph: str | None
    parts: list[tuple[bytes, str, str]]  # (data, media type, base IRI)
    replace: bool = False


@dataclass
class GraphDelete:
    graph: str | None


Job = Ping | QueryJob | UpdateJob | GraphGet | DatasetGet | GraphWrite | GraphDelete


@dataclass
class Reply:
    """A worker's answer: a body to send with its status and media type, or a problem."""

    status: int = 200
    media_type: str | None = None
    body: bytes = b""
    problem: ProblemType | None = None  # with its detail and extension members
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0  # time spent in the worker

    def raise_problem(self) -> None:
        """Raise the problem the worker reported, if any."""
        if self.problem is not None:
            raise self.problem(self.detail, **self.extra)


ASK_TABLES = {
    "CSV": {True: b"_askResult\r\ntrue\r\n", False: b"_askResult\r\nfalse\r\n"},
    "TSV": {True: b"?_askResult\ntrue\n", False: b"?_askResult\nfalse\n"},
}


class PoolError(Exception):
    """The pool could not answer: timeout, dead worker or no free worker in time."""

    def __init__(self, problem: ProblemType, message: str) -> None:
        super().__init__(message)
        self.problem = problem


# --------------------------------------------------------------------------------------------
# Worker side (runs in the child process)


class _ResultTooLarge(Exception):
    pass


class _CappedBuffer:
    """A binary writer that refuses to grow beyond ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.overflow = False

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.overflow = True
            raise _ResultTooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


class _Worker:
    """The state of one worker process: its store and the jobs it knows."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.store: Any = None
        self.build: Path | None = None
        self.link: str | None = None  # what the store location pointed at when last checked
        self.relay: Relay | None = None  # made for the first SERVICE call

    def federate(self, text: str) -> str:
        """The query or update with its SERVICE calls routed through the checking relay."""
        if self.relay is None:
            self.relay = Relay(
                self.config["service_allow"],
                self.config["service_timeout"],
                self.config["max_result_bytes"],
            )
        return self.relay.route(text)

    # -- the store

    def open(self) -> Any:
        if self.config["scratch_dir"]:
            if self.store is None:
                self.store = ox.Store(self.config["scratch_dir"])
            return self.store
        location = Path(self.config["store"])
        try:
            link = os.readlink(location)
        except OSError:
            link = None  # current_build says what is wrong
        # One system call per job while the store is unchanged: current_build resolves and
        # checks the whole path, a tenth of a point lookup's time in the worker.
        if link is None or link != self.link:
            build = current_build(location)
            if build != self.build:
                self.store = None  # close the old build before opening the new one
                self.store = ox.Store.read_only(str(build))
                self.build = build
            self.link = link
        return self.store

    # -- the jobs

    def run(self, job: Job) -> Reply:
        started = time.perf_counter()
        self._buffer: _CappedBuffer | None = None
        try:
            match job:
                case Ping():
                    self.open()
                    reply = Reply(body=b"pong")
                case QueryJob():
                    reply = self.query(job)
                case UpdateJob():
                    reply = self.update(job)
                case GraphGet():
                    reply = self.graph_get(job)
                case DatasetGet():
                    reply = self.dataset_get(job)
                case GraphWrite():
                    reply = self.graph_write(job)
                case GraphDelete():
                    reply = self.graph_delete(job)
        except Exception as e:
            if self._buffer is not None and self._buffer.overflow:
                reply = self.too_large()  # whatever pyoxigraph made of our writer's refusal
            else:
                reply = self.error(e, job)
        reply.seconds = time.perf_counter() - started
        return reply

    def error(self, e: Exception, job: Job) -> Reply:
        if isinstance(e, Refused):
            return problem(problems.service_refused, str(e))
        if isinstance(e, SyntaxError) and isinstance(job, GraphWrite):
            return problem(problems.malformed_rdf, str(e).strip())
        if isinstance(e, SyntaxError) and isinstance(job, UpdateJob):
            return problem(problems.malformed_update, str(e).strip())
        if isinstance(e, SyntaxError):
            return problem(problems.malformed_query, str(e).strip())
        if isinstance(e, FileNotFoundError):  # StoreMissing
            return problem(problems.store_unavailable, str(e))
        if isinstance(e, ValueError | TypeError | NotImplementedError):
            return problem(problems.bad_request, str(e))
        if isinstance(e, RuntimeError) and "is not supported" in str(e):
            # pyoxigraph's word for a function it does not know (fn:upper-case, <urn:f>(1) ...)
            return problem(
                problems.unsupported_function,
                f"{e}. The functions of SPARQL 1.1 and the XSD casts are supported.",
            )
        if isinstance(e, OSError) and isinstance(job, QueryJob | UpdateJob) and job.federated:
            return problem(
                problems.service_failed,
                f"The query calls another endpoint (SERVICE), and that failed: {e}",
            )
        if isinstance(e, OSError):
            return problem(problems.store_error, f"{type(e).__name__}: {e}")
        log.exception("job %s failed", type(job).__name__)  # a bug: report it, keep the worker
        return problem(problems.internal_error, f"{type(e).__name__}: {e}")

    def too_large(self) -> Reply:
        limit = self.config["max_result_bytes"]
        return problem(
            problems.result_too_large,
            f"The answer is larger than this server's limit of {limit} bytes, so it was not "
            "sent. Ask for less: add a LIMIT (and OFFSET to page), select fewer variables, "
            "or use a more compact format.",
            max_result_bytes=limit,
        )

    def capped(self) -> _CappedBuffer:
        self._buffer = _CappedBuffer(self.config["max_result_bytes"])
        return self._buffer

    def query(self, job: QueryJob) -> Reply:
        store = self.open()
        kwargs: dict[str, Any] = {"base_iri": job.base_iri}
        if job.default_graph is not None or job.named_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graph or []]
            if job.named_graphs is not None:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
        elif job.union:  # the scratch store: no merged default graph is kept there
            kwargs["use_default_graph_as_union"] = True
        query = self.federate(job.query) if job.federated else job.query
        result = store.query(query, **kwargs)
        out = self.capped()
        if isinstance(result, ox.QueryTriples):
            chosen = job.graph_format
            if chosen is None:
                return self.unacceptable("an RDF graph (CONSTRUCT or DESCRIBE)", job)
            media_type, name = chosen
            fmt = getattr(ox.RdfFormat, name)
            triples: Any = result
            if fmt.supports_datasets:
                triples = (ox.Quad(t.subject, t.predicate, t.object) for t in result)
            ox.serialize(triples, out, fmt)
        else:
            chosen = job.results_format
            if chosen is None:
                kind = "a boolean (ASK)" if isinstance(result, ox.QueryBoolean) else "a table"
                return self.unacceptable(kind + " of results", job)
            media_type, name = chosen
            if isinstance(result, ox.QueryBoolean) and name in ASK_TABLES:
                # As Jena and Fuseki write (and read) a boolean: a one-column table.
                return Reply(media_type=media_type, body=ASK_TABLES[name][bool(result)])
            result.serialize(out, getattr(ox.QueryResultsFormat, name))
        return Reply(media_type=media_type, body=out.getvalue())

    def unacceptable(self, what: str, job: QueryJob) -> Reply:
        return problem(
            problems.not_acceptable,
            f"This query returns {what}, and the request accepts none of its formats "
            f"({job.asked or 'see Accept'}).",
        )

    def update(self, job: UpdateJob) -> Reply:
        if not self.config["scratch_dir"]:
            return problem(problems.read_only, "This store is read-only.")
        update = self.federate(job.update) if job.federated else job.update
        self.open().update(update, base_iri=job.base_iri)
        return Reply(status=204)

    def _graph(self, iri: str | None) -> Any:
        return ox.DefaultGraph() if iri is None else ox.NamedNode(iri)

    def _exists(self, store: Any, iri: str | None) -> bool:
        return iri is None or store.contains_named_graph(ox.NamedNode(iri))

    def graph_get(self, job: GraphGet) -> Reply:
        store = self.open()
        iri = job.graph
        if not self._exists(store, iri):
            return problem(problems.no_graph, f"There is no graph <{iri}> here.")
        media_type, name = job.format
        fmt = getattr(ox.RdfFormat, name)
        out = self.capped()
        triples: Any = (
            ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, self._graph(iri))
        )
        if fmt.supports_datasets:
            triples = (ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        ox.serialize(triples, out, fmt)
        return Reply(media_type=media_type, body=b"" if job.head else out.getvalue())

    def dataset_get(self, job: DatasetGet) -> Reply:
        store = self.open()
        media_type, name = job.format
        out = self.capped()
        ox.serialize(store.quads_for_pattern(None, None, None), out, getattr(ox.RdfFormat, name))
        return Reply(media_type=media_type, body=b"" if job.head else out.getvalue())

    def graph_write(self, job: GraphWrite) -> Reply:
        if not self.config["scratch_dir"]:
            return problem(problems.read_only, "This store is read-only.")
        store = self.open()
        iri = job.graph
        graph = self._graph(iri)
        quads = []
        for data, media_type, base in job.parts:
            fmt = ox.RdfFormat.from_media_type(media_type)
            for t in ox.parse(data, fmt, base_iri=base, without_named_graphs=True):
                quads.append(ox.Quad(t.subject, t.predicate, t.object, graph))
        existed = self._exists(store, iri)
        if job.replace:
            if iri is None:
                store.clear_graph(graph)
            elif existed:
                store.remove_graph(graph)
        if iri is not None:
            store.add_graph(graph)
        store.extend(quads)
        return Reply(status=204 if existed else 201)

    def graph_delete(self, job: GraphDelete) -> Reply:
        if not self.config["scratch_dir"]:
            return problem(problems.read_only, "This store is read-only.")
        store = self.open()
        iri = job.graph
        if not self._exists(store, iri):
            return problem(problems.no_graph, f"There is no graph <{iri}> here.")
        if iri is None:
            store.clear_graph(ox.DefaultGraph())
        else:
            store.remove_graph(ox.NamedNode(iri))
        return Reply(status=204)


def problem(kind: ProblemType, detail: str, **extra: Any) -> Reply:
    return Reply(status=kind.status, problem=kind, detail=detail, extra=extra)


def _send_reply(fd: int, reply: Reply) -> None:
    """Write a reply as one frame: the lengths of its head and body (8 bytes each), the head
    (the reply without its body, pickled) and the body's bytes as they are, uncopied."""
    body, reply.body = reply.body, b""
    head = pickle.dumps(reply)
    view = memoryview(len(head).to_bytes(8) + len(body).to_bytes(8) + head)
    for part in (view, memoryview(body)):
        while part:
            part = part[os.write(fd, part) :]


def _worker_main(jobs: Any, replies: Any, config: dict[str, Any]) -> None:
    """The loop of a worker process: answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which ends us
    limit = config.get("memory_limit")
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out = replies.fileno()
    worker = _Worker(config)
    try:
        worker.open()
        _send_reply(out, Reply(body=b"ready"))
    except Exception as e:  # the store cannot be opened: say so, and keep trying per job
        _send_reply(out, problem(problems.store_unavailable, str(e)))
    while True:
        try:
            job = jobs.recv()
        except (EOFError, OSError):
            return
        try:
            reply = worker.run(job)
        except MemoryError:
            reply = problem(problems.out_of_memory, "The query needed more memory than allowed.")
        try:
            _send_reply(out, reply)
        except OSError:  # the server closed the pipe: it is done with us
            return


# --------------------------------------------------------------------------------------------
# Server side


class _Process:
    """The web process's handle on one worker: a pipe for jobs, and one for replies that the
    event loop reads as they come, so that waiting for a reply costs no thread.

    The reply pipe stays a reader of the loop from the start of the worker to its end: uvloop
    loses a pipe that is added, removed and added again as a reader (a reply then looked like
    the worker's death).
    """

    HEAD = 16  # the two lengths before a frame's head and body

    def __init__(self, ctx: Any, config: dict[str, Any]) -> None:
        child_jobs, self.jobs = ctx.Pipe(duplex=False)
        self.replies, child_replies = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=_worker_main,
            args=(child_jobs, child_replies, config),
            daemon=True,
            name="alliance-kg-worker",
        )
        self.process.start()
        child_jobs.close()
        child_replies.close()
        self._buffer = bytearray()
        self._received: collections.deque[Reply | Exception] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def listen(self) -> None:
        """Start reading replies on the running loop (call once, from the loop)."""
        self._loop = asyncio.get_running_loop()
        fd = self.replies.fileno()
        os.set_blocking(fd, False)
        self._loop.add_reader(fd, self._readable)

    def _readable(self) -> None:
        try:
            data = os.read(self.replies.fileno(), 1 << 20)
        except BlockingIOError:
            return
        except OSError as e:
            self._arrived(e)
            return
        if not data:
            self._arrived(EOFError("the worker closed its pipe"))
            return
        self._buffer += data
        while len(self._buffer) >= self.HEAD:
            head_size = int.from_bytes(self._buffer[:8])
            body_size = int.from_bytes(self._buffer[8:16])
            end = self.HEAD + head_size + body_size
            if len(self._buffer) < end:
                return
            with memoryview(self._buffer) as view:
                reply = pickle.loads(view[self.HEAD : self.HEAD + head_size])
                reply.body = bytes(view[self.HEAD + head_size : end])
            del self._buffer[:end]
            self._arrived(reply)

    def _arrived(self, what: Reply | Exception) -> None:
        if isinstance(what, Exception) and self._loop is not None:
            self._loop.remove_reader(self.replies.fileno())
        self._received.append(what)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def receive(self, timeout: float | None) -> Reply:
        """The next reply, waiting at most ``timeout`` seconds (TimeoutError after that).

        Raises EOFError or OSError when the worker is gone.
        """
        if not self._received:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(timeout):
                    await self._waiter
            finally:
                self._waiter = None
        what = self._received.popleft()
        if isinstance(what, Exception):
            self._received.appendleft(what)  # the pipe stays broken
            raise what
        return what

    @property
    def gone(self) -> bool:
        """Whether its pipe has broken (the worker died): cheaper than asking the system."""
        return bool(self._received) and isinstance(self._received[0], Exception)

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            if self._loop is not None and not self.replies.closed:
                self._loop.remove_reader(self.replies.fileno())
        for conn in (self.jobs, self.replies):
            with contextlib.suppress(Exception):
                conn.close()


class QueryPool:
    """Worker processes in two lanes, so that short queries keep being answered while long ones
    run; ``run`` hands a job to a free worker.

    Every job starts on one of ``fast_size`` workers. A job still running after
    ``fast_budget`` seconds becomes a long one: its worker leaves the fast lane (a fresh worker
    takes its place there) and it runs on to its deadline, unless ``size`` long jobs are
    running already, in which case it is stopped at once with a 503 "busy" problem. So a point
    lookup waits at most about ``fast_budget`` for a worker, however many runaways arrive.

    The settings give the store (``store``: read-only mode; ``scratch_dir``: a directory for
    the writable scratch store, with one worker, which owns the store, and no lanes), the sizes
    of the lanes (``fast_workers``, ``workers``) and the limits of a worker.
    """

    def __init__(self, settings: Settings, fast_budget: float = 0.25) -> None:
        if (settings.store is None) == (settings.scratch_dir is None):
            raise ValueError("give a store location or a scratch directory")
        self.scratch = settings.scratch
        self.size = 1 if self.scratch else settings.workers  # long jobs at once
        self.fast_size = 1 if self.scratch else settings.fast_workers
        self.fast_budget = None if self.scratch else fast_budget
        self.long = 0  # long jobs running now
        self.config = {
            "store": str(settings.store) if settings.store else None,
            "scratch_dir": str(settings.scratch_dir) if settings.scratch_dir else None,
            "max_result_bytes": settings.max_result_bytes,
            "memory_limit": settings.memory_limit,
            "service_allow": list(settings.service_allow),
            "service_timeout": settings.query_timeout,
        }
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(
            ["alliance_kg.api.sparql.workers", "pyoxigraph", "alliance_kg.store"]
        )
        # Last in, first out: the worker that answered last is warm (its caches, its pages), and
        # at low load one worker answers everything.
        self._idle: asyncio.LifoQueue[_Process] | None = None
        self._all: set[_Process] = set()
        self._replacing: set[asyncio.Task[None]] = set()
        self.started = 0
        self.killed = 0

    # -- life cycle

    async def start(self, timeout: float = 60.0) -> None:
        """Start the workers and wait until each has opened the store."""
        self._idle = asyncio.LifoQueue()
        procs = [await self._spawn() for _ in range(self.fast_size)]
        for p in procs:
            reply = await p.receive(timeout)
            if reply.problem:
                raise RuntimeError(f"query worker could not start: {reply.detail}")
            self._idle.put_nowait(p)

    async def _spawn(self) -> _Process:
        p = await asyncio.to_thread(_Process, self._ctx, self.config)
        p.listen()
        self._all.add(p)
        self.started += 1
        return p

    async def close(self) -> None:
        for task in list(self._replacing):
            task.cancel()
        for p in list(self._all):
            p.kill()
        for p in list(self._all):
            await asyncio.to_thread(p.process.join, 5)
        self._all.clear()

    # -- running jobs

    async def run(
        self,
        job: Job,
        timeout: float,
        disconnected: Callable[[], Awaitable[bool]] | None = None,
    ) -> Reply:
        """Run a job on a free worker within ``timeout`` seconds (waiting for it included).

        Raises :class:`PoolError` on timeout (the worker is killed and replaced), when the
        worker dies, or when no worker frees up in time. ``disconnected`` is polled while the
        job runs: when it says the client is gone the worker is killed, sparing the CPU.
        """
        assert self._idle is not None, "start() the pool first"
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                if self._idle.empty():
                    proc = await asyncio.wait_for(self._idle.get(), max(deadline - loop.time(), 0))
                else:  # no task to make when a worker is free
                    proc = self._idle.get_nowait()
            except TimeoutError:
                raise PoolError(
                    problems.query_busy,
                    f"All {self.fast_size} query workers stayed busy for {timeout:g} s.",
                ) from None
            if not proc.gone:
                break
            self._replace(proc)  # it died while idle (killed from outside): use another
        healthy = long = False
        budget_end = deadline if self.fast_budget is None else loop.time() + self.fast_budget
        try:
            try:
                proc.jobs.send(job)
            except (OSError, ValueError) as e:  # a worker that died while idle
                raise PoolError(
                    problems.query_died, f"the query worker had stopped ({e})"
                ) from None
            while True:
                now = loop.time()
                if now >= deadline:
                    raise TimeoutError
                until = deadline if long else min(deadline, budget_end)
                try:
                    reply = await proc.receive(
                        min(until - now, 1.0) if disconnected else until - now
                    )
                    break
                except TimeoutError:
                    if disconnected is not None and await disconnected():
                        raise PoolError(problems.query_gone, "the client went away") from None
                    if not long and budget_end <= loop.time() < deadline:
                        if self.long >= self.size:
                            raise PoolError(
                                problems.query_busy,
                                f"{self.size} long queries are running already, and this one "
                                f"ran past {self.fast_budget:g} s, so it was stopped.",
                            ) from None
                        long = True  # its worker leaves the fast lane; a fresh one joins it
                        self.long += 1
                        self._add()
            healthy = True
            return reply
        except TimeoutError:
            raise PoolError(
                problems.query_timeout,
                f"The query ran longer than the {timeout:g} s limit and was stopped.",
            ) from None
        except (EOFError, OSError) as e:
            await asyncio.to_thread(proc.process.join, 2)
            if proc.process.exitcode in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV):
                limit = self.config["memory_limit"]
                cap = f" ({limit // 1024**2} MB)" if limit else ""
                raise PoolError(
                    problems.query_out_of_memory,
                    f"The query needed more memory than a query worker may use{cap}, so it "
                    "was stopped.",
                ) from e
            raise PoolError(
                problems.query_died, "The query worker stopped before answering."
            ) from e
        finally:
            if long:  # its place in the fast lane is taken: retire it
                self.long -= 1
                self._retire(proc)
            elif healthy:
                self._idle.put_nowait(proc)
            else:
                self._replace(proc)

    def _retire(self, proc: _Process) -> None:
        proc.kill()
        self._all.discard(proc)
        asyncio.get_running_loop().run_in_executor(None, proc.process.join, 5)

    def _replace(self, proc: _Process) -> None:
        """Kill a worker and start another in the background; the client need not wait."""
        self.killed += 1
        proc.kill()
        self._add(after=proc)

    def _add(self, after: _Process | None = None) -> None:
        """Start a worker for the fast lane in the background (once ``after`` has exited)."""

        async def add() -> None:
            if after is not None:
                # A scratch worker must be gone (its lock released) before the next one opens.
                await asyncio.to_thread(after.process.join, 10)
                self._all.discard(after)
            delay = 0.1
            while True:
                fresh = await self._spawn()
                try:
                    reply = await fresh.receive(60)
                except (EOFError, OSError, TimeoutError) as e:
                    log.error("a new query worker did not start (%r); retrying", e)
                    fresh.kill()
                    await asyncio.to_thread(fresh.process.join, 10)
                    self._all.discard(fresh)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    continue
                if reply.problem:  # it runs, but cannot open the store yet: it retries per job
                    log.error("new query worker: %s", reply.detail)
                assert self._idle is not None
                self._idle.put_nowait(fresh)
                return

        task = asyncio.get_running_loop().create_task(add())
        self._replacing.add(task)
        task.add_done_callback(self._replacing.discard)


def default_memory_limit(max_result_bytes: int, workers: int) -> int | None:
    """The address-space cap for each worker process, in bytes (None: no cap).

    ``ALLIANCE_KG_WORKER_MEMORY_MB`` sets it (0 for none). Otherwise the workers together may
    use half of the machine's memory, and each at least 1 GiB plus room for four copies of
    the largest result. A query that needs more dies alone (its worker is replaced) instead of
    taking the machine down: an ORDER BY over a cross join grows by hundreds of MB a second.
    """
    value = os.environ.get("ALLIANCE_KG_WORKER_MEMORY_MB")
    if value is not None and value.strip():
        mb = int(value)
        return mb * 1024 * 1024 if mb > 0 else None
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    floor = 1024**3 + 4 * max_result_bytes
    return max(floor, total // 2 // max(1, workers))
