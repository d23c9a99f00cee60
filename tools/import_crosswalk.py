"""Write a province folder's old→new crosswalk (crosswalk.csv) from the merger mapping of the dvhcvn/20250701
repository: each unit in force from 1 July 2025 with the communes it was made of, their district and province
before the merger (so a target of an old province — Hà Giang's, inside Tuyên Quang — names its units, and a return
of 2021–2024 under an old commune's name is re-keyed).

    python -m tools.import_crosswalk /path/to/dvhcvn-20250701 08 12 44

The repository's `mapping/merges.json` (new unit → old units, full or partial) gives the rows; the old units'
district and province come from its `output/<province>/<district>/<code>.json` addresses. The result is committed;
PROVENANCE.md of each folder says where it came from."""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

from etl.settings import PROVINCES_DIR
from etl.text import nfc

_KIND = re.compile(r"^(Xã|Phường|Thị trấn|Đặc khu)\s+(.*)$")


def _old_places(source: Path) -> dict[str, tuple[str, str]]:
    """old unit code -> (its district, its province) as the mapping's addresses write them."""
    out = {}
    for f in (source / "output").glob("*/*/*.json"):
        parts = [p.strip() for p in json.loads(f.read_text(encoding="utf-8"))["address"].split(",")]
        if len(parts) >= 3:
            district, province = parts[-2], parts[-1]
            out[f.stem] = (nfc(district[:1].lower() + district[1:]), nfc(re.sub(r"^(Tỉnh|Thành phố)\s+", "", province)))
    return out


def crosswalk(source: Path, code: str) -> list[dict[str, str]]:
    """The crosswalk rows of one province (2-digit code)."""
    merges = json.loads((source / "mapping" / "merges.json").read_text(encoding="utf-8"))["data"]
    places = _old_places(source)
    province = next(p for p in merges if p["level1_id"] == code)
    rows = []
    for new in province["level2s"]:
        for old in new["merges"]:
            m = _KIND.match(nfc(old["name"]))
            kind, name = (m.group(1).lower(), m.group(2)) if m else ("", nfc(old["name"]))
            district, old_province = places.get(old["old_id"], ("", ""))
            rows.append(
                {
                    "old_kind": kind,
                    "old_name": name,
                    "old_qualifier": district,
                    "new_code": new["level2_id"],
                    "old_province": old_province,
                    "old_code": old["old_id"],
                    "part": "" if old["type"] == "full" else "một phần",
                }
            )
    return rows


def main(source: Path, codes: list[str]) -> None:
    for code in codes:
        rows = crosswalk(source, code)
        out = PROVINCES_DIR / code / "crosswalk.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        print(f"{out}: {len(rows)} dòng, {len({r['new_code'] for r in rows})} đơn vị mới")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
