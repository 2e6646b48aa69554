"""Dump the gazetteer to a TSV file for browsing: ``python -m gazetteer.build OUT.tsv``."""

from __future__ import annotations

import argparse
import csv
import sys

from gazetteer.admin import get_gazetteer

FIELDS = ("code", "name", "full_name", "level", "kind", "era", "province", "district",
          "lat", "lon", "province_2025", "parent_code")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gazetteer.build", description=__doc__)
    parser.add_argument("out", help="TSV file to write ('-' for stdout)")
    args = parser.parse_args(argv)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="")
    try:
        writer = csv.DictWriter(out, FIELDS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        n = 0
        for row in get_gazetteer().rows():
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
            n += 1
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"{n} units written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
