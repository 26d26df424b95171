"""The ``alliance-kg`` command line."""

import argparse
import sys
from pathlib import Path

from alliance_kg import __version__, paths


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

    p = sub.add_parser("serve", help="serve the SPARQL endpoint and REST API")
    _store_arg(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--query-timeout", type=float, default=30.0, metavar="SECONDS")
    p.add_argument(
        "--workers",
        type=int,
        default=2,
        help="long queries that may run at once (past a quarter of a second); more are "
        "stopped with 503 so that short queries keep being answered",
    )
    p.add_argument(
        "--fast-workers",
        type=int,
        default=4,
        help="query worker processes every query starts on",
    )
    p.add_argument(
        "--max-result-bytes",
        type=int,
        default=64 * 1024 * 1024,
        help="answers larger than this get a 507 problem instead of a body",
    )
    p.add_argument(
        "--scratch",
        action="store_true",
        help="start on an empty in-memory store that accepts SPARQL Update and graph writes",
    )
    p.add_argument("--sparql-endpoint", metavar="URL", help="run canned queries on this endpoint")
    p.add_argument(
        "--no-service",
        action="store_true",
        help="refuse SPARQL that calls other endpoints (SERVICE) altogether",
    )
    p.add_argument(
        "--service-allow",
        action="append",
        metavar="URL",
        help="an endpoint SERVICE may call (repeatable); with none given, SERVICE may call any "
        "endpoint on a public address, never loopback, private or link-local ones",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    store = paths.store_path(getattr(args, "store", None))
    if args.command == "validate":
        from alliance_kg.loaders.build import validate

        return validate(args.data)
    if args.command == "load":
        from alliance_kg.loaders.build import load

        return load(args.data, store)
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
    if args.command == "serve":
        from alliance_kg.api.server import serve

        return serve(args, store)
    return 2


if __name__ == "__main__":
    sys.exit(main())
