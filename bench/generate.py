"""Synthetic records in the ``data/`` format, at a multiple of the real data's size.

Scale 1 is the real data, copied unchanged. Scale ``k`` > 1 is the real data plus
``245 * (k - 1)`` synthetic local governments and ``8`` agreements per synthetic government
(about 240k governments and 2M agreements at 1000x, as the benchmark issue asks), so every
scale holds the real records and the synthetic ones only add to them.

Municipality codes are 5 digits and unique, so Korea has at most 100,000 of them: 40% of the
synthetic governments are Korean cities and counties under a real province (each with an unused
code; 98k of them at 1000x), and 60% are foreign local governments (no code). The mix is the
same at every scale, so per-record costs compare across scales.

Every synthetic record cites one synthetic source, ``bench-synthetic``, added to
``sources.yaml``; names are Hangul and Latin text of realistic length; agreements tie two
governments drawn at random (seeded: the same scale always gives the same files) among the real
and synthetic ones, with a kind, a date and, for a quarter of them, a cooperation field.

    python -m bench.generate 10 var/bench/data-10x
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from alliance_kg import paths

REAL_GOVERNMENTS = 245  # rows of data/municipalities.csv
AGREEMENTS_PER_GOVERNMENT = 8
KOREAN_SHARE = 0.4
SOURCE_ID = "bench-synthetic"
KINDS = ("sister-city", "friendship-city", "cooperation", "letter-of-intent")
COUNTRIES = ("JP", "CN", "US", "VN", "DE", "FR", "AU", "MN", "PH", "TH", "CA", "BR")
SYLLABLES = "가나다라마바사아자차카타파하강남동서북산천해원주영양광성"
LATIN = {  # Revised Romanization of the syllables above, for English names
    "가": "ga", "나": "na", "다": "da", "라": "ra", "마": "ma", "바": "ba", "사": "sa",
    "아": "a", "자": "ja", "차": "cha", "카": "ka", "타": "ta", "파": "pa", "하": "ha",
    "강": "gang", "남": "nam", "동": "dong", "서": "seo", "북": "buk", "산": "san",
    "천": "cheon", "해": "hae", "원": "won", "주": "ju", "영": "yeong", "양": "yang",
    "광": "gwang", "성": "seong",
}  # fmt: skip

SOURCE_YAML = f"""
# --- synthetic (bench/generate.py) ---

- id: {SOURCE_ID}
  kind: dataset
  title: Synthetic benchmark records (bench/generate.py)
  language: mul
  publisher: alliance-kg
  note: Made-up local governments and agreements that only measure how the tools scale.
"""


@dataclass(frozen=True)
class Counts:
    governments: int  # synthetic ones
    korean: int
    foreign: int
    agreements: int


def counts(scale: float, per_government: int = AGREEMENTS_PER_GOVERNMENT) -> Counts:
    governments = round(REAL_GOVERNMENTS * (scale - 1))
    korean = round(governments * KOREAN_SHARE)
    return Counts(governments, korean, governments - korean, governments * per_government)


def _name(rng: random.Random) -> tuple[str, str]:
    syllables = rng.choices(SYLLABLES, k=2)
    return "".join(syllables), "".join(LATIN[s] for s in syllables).capitalize()


def _free_codes(used: set[str]):
    for number in range(99999, 0, -1):  # from the top: real codes are 11000 to 52999
        code = f"{number:05d}"
        if code not in used:
            yield code


def generate(
    scale: float,
    out: Path,
    data: Path = paths.DATA,
    seed: int = 6,
    per_government: int = AGREEMENTS_PER_GOVERNMENT,
) -> Counts:
    """Write the records of ``scale`` times the real data into ``out`` (replaced if there)."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(data, out)
    (out / "foreign-governments").mkdir(exist_ok=True)
    c = counts(scale, per_government)
    if c.governments <= 0:
        return c
    rng = random.Random(seed)
    with (out / "sources.yaml").open("a", encoding="utf-8") as f:
        f.write(SOURCE_YAML)

    with (data / "municipalities.csv").open(encoding="utf-8", newline="") as f:
        real = list(csv.DictReader(f))
    provinces = [
        r["id"] for r in real if r["level"] in ("province", "special-self-governing-province")
    ]
    codes = _free_codes({r["code"] for r in real})
    parties = [r["id"] for r in real]

    with (out / "municipalities.csv").open("a", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for i in range(c.korean):
            ko, en = _name(rng)
            county = i % 2 == 1
            slug = f"syn-k{i}"
            writer.writerow(
                [
                    slug,
                    ko + ("군" if county else "시"),
                    f"{en}-{i}",
                    "county" if county else "city",
                    provinces[i % len(provinces)],
                    next(codes),
                    "",
                    f"{rng.uniform(34, 38):.4f}",
                    f"{rng.uniform(126, 129.5):.4f}",
                    f"{en}-{'gun' if county else 'si'} {i}",
                    SOURCE_ID,
                    "",
                ]
            )
            parties.append(slug)

    # The synthetic foreign governments and agreements are tables of their own, as curated
    # ones are (data/CURATING.md).
    with (out / "foreign-governments" / "synthetic.csv").open("w", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", "name_ko", "name_en", "country", "aliases", "sources"])
        for i in range(c.foreign):
            ko, en = _name(rng)
            slug = f"syn-f{i}"
            country = COUNTRIES[i % len(COUNTRIES)]
            writer.writerow(
                [slug, f"{ko}시 {i}", f"{en} City {i}", country, f"{en} {i}", SOURCE_ID]
            )
            parties.append(slug)

    fields = ["economy", "tourism", "culture", "administration-self-government"]
    with (out / "agreements" / "synthetic.csv").open("w", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", "kind", "parties", "date", "fields", "sources"])
        for i in range(c.agreements):
            a, b = rng.sample(parties, 2)
            kind = KINDS[i % len(KINDS)]
            date = f"{rng.randint(1970, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            field = fields[i % len(fields)] if i % 4 == 0 else ""
            writer.writerow([f"syn-a{i}", kind, f"{a};{b}", date, field, SOURCE_ID])
    return c


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scale", type=float, help="multiple of the real data (1, 10, 100, 1000)")
    parser.add_argument("out", type=Path, help="directory to write (replaced)")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    c = generate(args.scale, args.out, seed=args.seed)
    print(
        f"{args.out}: real data + {c.korean} Korean and {c.foreign} foreign synthetic "
        f"governments, {c.agreements} synthetic agreements"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
