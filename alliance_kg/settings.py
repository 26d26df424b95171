"""How the server runs: :class:`Settings`, the one place its options and their defaults live.

``alliance-kg serve`` makes its options from these fields (help text from their descriptions)
and hands the settings to :func:`alliance_kg.api.server.serve`; the app reads them as
``app.state.settings`` and the query worker pool takes its limits from them.

>>> Settings().query_timeout, Settings(workers=3).workers, Settings().scratch
(30.0, 3, False)
>>> from pydantic import ValidationError
>>> try:
...     Settings(workers=0)
... except ValidationError as e:
...     print(e.errors()[0]["loc"], e.errors()[0]["msg"])
('workers',) Input should be greater than or equal to 1
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from alliance_kg import paths

YASGUI_DIR = paths.ROOT / "node_modules" / "@zazuko" / "yasgui" / "build"


class Settings(BaseModel):
    """How the server runs; ``alliance-kg serve`` fills it from its options."""

    model_config = ConfigDict(frozen=True)

    store: Path | None = Field(None, description="store location (read-only mode)")
    scratch_dir: Path | None = Field(
        None, description="directory of the writable scratch store (scratch mode)"
    )
    host: str = Field("127.0.0.1", description="address to listen on")
    port: int = Field(8000, ge=0, le=65535, description="port to listen on")
    query_timeout: float = Field(
        30.0, gt=0, description="seconds a query may run before it is stopped with a 503"
    )
    workers: int = Field(
        2,
        ge=1,
        description="long queries that may run at once (past a quarter of a second); more are "
        "stopped with 503 so that short queries keep being answered",
    )
    fast_workers: int = Field(4, ge=1, description="query worker processes every query starts on")
    max_result_bytes: int = Field(
        64 * 1024 * 1024,
        ge=1,
        description="answers larger than this get a 507 problem instead of a body",
    )
    memory_limit: int | None = Field(
        None, ge=1, description="address-space cap per query worker, bytes (None: no cap)"
    )
    queries_dir: Path = Field(paths.QUERIES, description="the canned queries")
    yasgui_dir: Path | None = Field(YASGUI_DIR, description="the query page's YASGUI build")
    sparql_endpoint: str | None = Field(
        None, description="run the REST API's canned queries on this endpoint"
    )
    federated: bool = Field(True, description="whether SPARQL may call other endpoints (SERVICE)")
    service_allow: tuple[str, ...] = Field(
        (),
        description="an endpoint SERVICE may call (repeatable); with none given, SERVICE may "
        "call any endpoint on a public address, never loopback, private or link-local ones",
    )

    @property
    def scratch(self) -> bool:
        return self.scratch_dir is not None
