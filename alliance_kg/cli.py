"""The ``alliance-kg`` command line."""

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from alliance_kg import __version__, paths
from alliance_kg.loaders.build import BuildFailed
from alliance_kg.settings import Settings
from alliance_kg.store import StoreMissing
from alliance_kg.wikidata import ResultsError

# The options of `serve` that set the Settings field of the same name, and their metavars.
SERVE_OPTIONS = {
    "host": None,
    "port": None,
    "query_timeout": "SECONDS",
    "workers": None,
    "fast_workers": None,
    "max_result_bytes": None,
    "sparql_endpoint": "URL",
    "service_allow": "URL",
}


def _settings_option(parser: argparse.ArgumentParser, name: str, metavar: str | None) -> None:
    """An option for a field of :class:`Settings`: its type, default and help from the field."""
    field = Settings.model_fields[name]
    flag = "--" + name.replace("_", "-")
    if field.annotation == tuple[str, ...]:
        parser.add_argument(flag, action="append", metavar=metavar, help=field.description)
        return
    default = field.default
    parser.add_argument(
        flag,
        type=str if default is None else type(default),
        default=default,
        metavar=metavar,
        help=field.description
        if default is None
        else f"{field.description} (default: %(default)s)",
    )


def serve_settings(args: argparse.Namespace, store: Path) -> Settings:
    """The settings ``alliance-kg serve`` runs with (no store: a scratch store)."""
    given = {name: getattr(args, name) for name in [*SERVE_OPTIONS, "federated"]}
    return Settings(
        store=None if args.scratch else store,
        **{name: value for name, value in given.items() if value is not None},
    )


def _store_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        help="store location (default: $ALLIANCE_KG_STORE or var/store under the project)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance-kg",
        description="Build, query and serve the alliance-kg knowledge graph.",
    )
    parser.add_argument("--version", action="version", version=f"alliance-kg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check the records in data/ without writing anything")
    _store_arg(p)
    p.add_argument("--data", type=Path, default=paths.DATA, help="records directory")

    p = sub.add_parser("load", help="validate, convert, check shapes and swap in a new store")
    _store_arg(p)
    p.add_argument("--data", type=Path, default=paths.DATA, help="records directory")
    p.add_argument(
        "--progress-every",
        type=float,
        metavar="SECONDS",
        help="how often to show the running phase's counter on stderr (default: every second "
        "on a terminal, else every 30 s; 0: never)",
    )

    p = sub.add_parser("query", help="run a SPARQL query on the store")
    _store_arg(p)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("query", help="query text, @FILE, or - for standard input")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="bind ?NAME to VALUE (an IRI or text), as the canned queries' parameters are bound",
    )

    p = sub.add_parser(
        "export",
        help="write the whole graph, or QuickStatements for Wikidata, to standard output or a file",
    )
    _store_arg(p)
    p.add_argument(
        "what",
        nargs="?",
        choices=["graph", "quickstatements"],
        default="graph",
        help="the whole graph (default), or QuickStatements (v1) proposing to Wikidata the "
        "signed sister-city ties between two items, each with its source",
    )
    p.add_argument("--format", choices=["nquads", "trig", "turtle"], default="nquads")
    p.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    p.add_argument(
        "--dumps",
        type=Path,
        metavar="DIR",
        help="write the published dump files (alliance-kg-<data version>.nq.gz, .trig, .ttl) "
        "into DIR, the same bytes as /dumps/ serves",
    )
    p.add_argument(
        "--friendship",
        action="store_true",
        help="quickstatements: propose friendship-city agreements too",
    )
    p.add_argument(
        "--compare",
        type=Path,
        metavar="FILE",
        help="quickstatements: a Wikidata results file (see `import wikidata`); "
        "statements Wikidata already has are not proposed",
    )

    p = sub.add_parser("import", help="read a Wikidata results file of twinning statements")
    _store_arg(p)
    p.add_argument("source", choices=["wikidata"])
    p.add_argument("file", type=Path, help="SPARQL JSON results of the query in the README")
    p.add_argument("--csv", type=Path, metavar="OUT", help="also write the statements as CSV")

    p = sub.add_parser("compare", help="compare this graph's twinning ties with Wikidata's")
    _store_arg(p)
    p.add_argument("source", choices=["wikidata"])
    p.add_argument("file", type=Path, help="SPARQL JSON results of the query in the README")
    p.add_argument("--csv", type=Path, metavar="OUT", help="also write the report as CSV")

    p = sub.add_parser(
        "coverage",
        help="how complete the graph is: ties per local government, national totals beside 2018",
    )
    _store_arg(p)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")

    p = sub.add_parser(
        "cookbook",
        help="check docs/cookbook.md against the store, or rewrite its queries and answers",
    )
    _store_arg(p)
    action = p.add_mutually_exclusive_group()
    action.add_argument(
        "--check", action="store_true", help="say which sections are out of date (the default)"
    )
    action.add_argument("--write", action="store_true", help="rewrite the blocks and tables")
    p.add_argument("--document", type=Path, default=paths.COOKBOOK)

    p = sub.add_parser("serve", help="serve the SPARQL endpoint and REST API")
    _store_arg(p)
    for name, metavar in SERVE_OPTIONS.items():
        _settings_option(p, name, metavar)
    p.add_argument(
        "--scratch",
        action="store_true",
        help="start on an empty in-memory store that accepts SPARQL Update and graph writes",
    )
    p.add_argument(
        "--no-service",
        dest="federated",
        action="store_false",
        help="refuse SPARQL that calls other endpoints (SERVICE) altogether",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; the errors a user can fix are reported here, in one line each."""
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except (StoreMissing, ResultsError) as e:
        print(f"alliance-kg: {e}", file=sys.stderr)
    except BuildFailed as failed:
        for error in failed.errors:
            print(error, file=sys.stderr)
        print(f"{len(failed.errors)} error(s); nothing was written.", file=sys.stderr)
    except ValidationError as invalid:
        for error in invalid.errors():
            option = "--" + "-".join(str(x) for x in error["loc"]).replace("_", "-")
            print(f"alliance-kg: {option}: {error['msg']}", file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    store = paths.store_path(getattr(args, "store", None))
    # Each command imports what it runs: a query need not load the web framework or SHACL.
    if args.command == "validate":
        from alliance_kg.loaders.build import validate

        validate(args.data)
        return 0
    if args.command == "load":
        from alliance_kg.loaders.build import Progress, load

        every = args.progress_every
        load(args.data, store, progress=None if every == 0 else Progress(interval=every))
        return 0
    if args.command == "query":
        from alliance_kg.query import run_cli_query

        return run_cli_query(store, args.query, args.format, args.param)
    if args.command == "export" and args.what == "quickstatements":
        from alliance_kg.wikidata import cli_quickstatements

        return cli_quickstatements(store, args.output, args.friendship, args.compare)
    if args.command == "export" and args.dumps:
        from alliance_kg.dataset import export_dumps

        return export_dumps(store, args.dumps)
    if args.command == "export":
        from alliance_kg.query import export

        return export(store, args.format, args.output)
    if args.command == "import":
        from alliance_kg.wikidata import cli_import

        return cli_import(args.file, store, args.csv)
    if args.command == "compare":
        from alliance_kg.wikidata import cli_compare

        return cli_compare(args.file, store, args.csv)
    if args.command == "coverage":
        from alliance_kg.coverage import cli

        return cli(store, args.format, args.output)
    if args.command == "cookbook":
        from alliance_kg import cookbook

        return cookbook.cli(store, args.document, args.write)
    if args.command == "serve":
        from alliance_kg.api.server import serve

        return serve(serve_settings(args, store))
    return 2


if __name__ == "__main__":
    sys.exit(main())
