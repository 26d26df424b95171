"""The benchmark's synthetic records are records the real loader accepts."""

from pathlib import Path

from alliance_kg.loaders.build import check_records

from bench import generate


def _count(data: Path) -> dict[str, int]:
    records = check_records(data, report=lambda message: None)  # raises on any error
    return {stem: len(rs) for stem, rs in records.by_file.items()}


def test_scale_1_is_the_real_data(tmp_path: Path) -> None:
    c = generate.generate(1, tmp_path / "1x")
    assert c.governments == c.agreements == 0
    assert _count(tmp_path / "1x") == _count(generate.paths.DATA)


def test_synthetic_records_validate(tmp_path: Path) -> None:
    # 10x has the same kinds of synthetic records as 1.2x, only more: keep the test fast.
    real = _count(generate.paths.DATA)
    c = generate.generate(1.2, tmp_path / "small")
    counts = _count(tmp_path / "small")
    assert c.korean and c.foreign and c.agreements == 8 * c.governments
    assert counts["municipalities"] == real["municipalities"] + c.korean
    assert counts["foreign-governments"] == real["foreign-governments"] + c.foreign
    assert counts["agreements"] == real["agreements"] + c.agreements
    assert counts["sources"] == real["sources"] + 1


def test_codes_last_to_1000x() -> None:
    c = generate.counts(1000)
    assert 230_000 < generate.REAL_GOVERNMENTS + c.governments < 250_000
    assert c.agreements > 1_900_000
    assert c.korean < 100_000 - generate.REAL_GOVERNMENTS  # every Korean one gets a free code


def test_same_scale_same_files(tmp_path: Path) -> None:
    generate.generate(1.1, tmp_path / "a")
    generate.generate(1.1, tmp_path / "b")
    files = [f for f in (tmp_path / "a").rglob("*") if f.is_file()]
    assert any(f.parent.name == "agreements" for f in files)
    for f in files:
        assert f.read_bytes() == (tmp_path / "b" / f.relative_to(tmp_path / "a")).read_bytes()
