"""Read data/ into typed records, collecting every error with its file, record and field."""

import csv
import io
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from alliance_kg.loaders.records import RECORD_TYPES
from pydantic import BaseModel, ValidationError


@dataclass(frozen=True, order=True)
class RecordError:
    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"record {self.record}" if self.record else "file"
        field = f", field {self.field}" if self.field else ""
        return f"{self.file}: {where}{field}: {self.message}"


# libyaml parses several times faster than pure Python; the pure-Python loader is the fallback.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML without implicit dates or booleans: 2024-05-14 and 'no' stay text."""


_Loader.yaml_implicit_resolvers = {
    key: [
        (tag, rx)
        for tag, rx in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Records:
    """Every record, by type (the file stem: ``agreements``, ``municipalities`` ...), in file order.

    A type's records come from ``data/<type>.yaml`` or ``.csv`` and from the files of the folder
    ``data/<type>/``; ``origins`` gives, in the same order, the file each record was read from.
    """

    by_file: dict[str, list[BaseModel]]
    errors: list[RecordError]
    origins: dict[str, list[str]] = field(default_factory=dict)

    def __getitem__(self, stem: str) -> list[BaseModel]:
        return self.by_file.get(stem, [])

    def with_files(self, stem: str) -> Iterator[tuple[str, BaseModel]]:
        """(file, record) for every record of a type."""
        files = self.origins.get(stem) or [default_file(stem)] * len(self[stem])
        return zip(files, self[stem], strict=True)


def default_file(stem: str) -> str:
    return f"{stem}.csv" if stem == "municipalities" else f"{stem}.yaml"


def record_files(data_dir: Path) -> Iterator[tuple[Path, str]]:
    """Every file under data/ that may hold records, with the name errors give it."""
    # A type's own file first, then its folder: the first of two duplicates is the older record.
    for path in sorted(
        data_dir.iterdir(), key=lambda p: (p.name.split(".")[0], p.is_dir(), p.name)
    ):
        if path.name.startswith(".") or path.suffix.lower() == ".md":
            continue
        if path.is_dir():
            for inner in sorted(path.iterdir()):
                if not inner.name.startswith("."):
                    yield inner, f"{path.name}/{inner.name}"
        else:
            yield path, path.name


def _stem(path: Path, data_dir: Path) -> str:
    return path.parent.name if path.parent != data_dir else path.stem


def read(data_dir: Path) -> Records:
    by_file: dict[str, list[BaseModel]] = {}
    origins: dict[str, list[str]] = {}
    errors: list[RecordError] = []
    for path, name in record_files(data_dir):
        stem = _stem(path, data_dir)
        if stem not in RECORD_TYPES or path.suffix not in (".yaml", ".csv") or path.is_dir():
            errors.append(RecordError(name, "", "", "not a known record file"))
            continue
        model = RECORD_TYPES[stem][0]
        raw, problem = _rows(path, _list_fields(model))
        if problem:
            errors.append(RecordError(name, "", "", problem))
            continue
        records = by_file.setdefault(stem, [])
        files = origins.setdefault(stem, [])
        for position, row in enumerate(raw, start=1):
            label = _label(row, position, path)
            if not isinstance(row, dict):
                errors.append(RecordError(name, label, "", "a record must be a mapping of fields"))
                continue
            try:
                records.append(model.model_validate(row))
                files.append(name)
            except ValidationError as exc:
                for err in exc.errors():
                    field_path = ".".join(str(part) for part in err["loc"]) or ""
                    message = err["msg"].removeprefix("Value error, ")
                    errors.append(RecordError(name, label, field_path, message))
    return Records(by_file, errors, origins)


def _list_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """Fields that hold a list of plain values: a CSV cell gives them ;-separated."""
    return tuple(
        name
        for name, info in model.model_fields.items()
        if typing.get_origin(info.annotation) is list
        and not isinstance(typing.get_args(info.annotation)[0], type(BaseModel))
    )


def _label(row: object, position: int, path: Path) -> str:
    """How an error names a record: its id, else its position (also when the id could not
    stand in a one-line message: a broken CSV quote or YAML scalar can swallow many lines)."""
    if isinstance(row, dict) and isinstance(row.get("id"), str) and row["id"]:
        if len(row["id"]) <= 100 and row["id"].isprintable():
            return row["id"]
    return f"#{position}" + (f" (line {position + 1})" if path.suffix == ".csv" else "")


def _rows(path: Path, lists: tuple[str, ...]) -> tuple[list, str | None]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], f"line {line}: not UTF-8 ({exc.reason} at byte {exc.start})"
    text = text.removeprefix("\ufeff")
    if path.suffix == ".csv":
        rows = []
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            for row in reader:
                if None in row:
                    return [], f"line {len(rows) + 2}: more cells than header columns"
                cleaned = {k: v for k, v in row.items() if v not in ("", None)}
                for key in lists:
                    if key in cleaned:
                        cleaned[key] = [part.strip() for part in cleaned[key].split(";")]
                rows.append(cleaned)
        except csv.Error as exc:  # e.g. a cell longer than csv.field_size_limit()
            return [], f"line {reader.line_num}: not valid CSV: {exc}"
        return rows, None
    try:
        content = yaml.load(text, Loader=_Loader)  # a safe loader: no arbitrary objects
    except yaml.YAMLError as exc:
        return [], f"not valid YAML: {exc}".replace("\n", " ")
    except RecursionError:
        return [], "not valid YAML: nested too deeply"
    except ValueError as exc:  # e.g. an integer of more digits than int() accepts
        return [], f"not valid YAML: {exc}"
    if content is None:
        return [], None
    if not isinstance(content, list):
        return [], "the file must hold a list of records"
    if _has_lone_surrogate(content):
        return [], "not valid YAML: an escape (such as \\ud800) gives a lone surrogate, not text"
    return content, None


def _has_lone_surrogate(content: object) -> bool:
    """Whether any text in the parsed YAML is not encodable (a \\uD800-style escape).

    Walks each container once, so aliases (even self-referencing ones) cost nothing extra.
    """
    seen: set[int] = set()
    stack = [content]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(value, dict | list | tuple | set) and id(value) not in seen:
            seen.add(id(value))
            if isinstance(value, dict):
                stack.extend(value.keys())
                stack.extend(value.values())
            else:
                stack.extend(value)
    return False
