"""Copy what the product needs from the team's shared folder into a province folder, with provenance.

Run once per update of `../shared` (`python -m tools.import_shared ../shared`); the result is committed, so the app
and the tests run from a fresh clone without `../shared`."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

from etl.settings import PROVINCES_DIR

REFERENCE_FILES = [
    "bieu01_branch_counts.csv",
    "bieu02_committee_qualifications.csv",
    "bieu03_branch_ratings.csv",
    "bieu04_infrastructure.csv",
    "bieu05_secretary_roles_by_commune.csv",
    "bieu06_village_heads_by_commune.csv",
    "bieu07_member_ratings.csv",
    "targets.csv",
    "facts.csv",
    "CONSISTENCY.md",
    "README.md",
]


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def main(shared: Path, province: str = "04") -> None:
    out = PROVINCES_DIR / province
    (out / "reference").mkdir(parents=True, exist_ok=True)
    lines = [
        "# Provenance of the files in this folder",
        "",
        "Copied by `python -m tools.import_shared` from the team's shared folder (`shared/`).",
        "",
        "| file | copied from | sha256 |",
        "|---|---|---|",
    ]
    for name in REFERENCE_FILES:
        src = shared / "reference" / name
        shutil.copyfile(src, out / "reference" / name)
        lines.append(f"| reference/{name} | shared/reference/{name} | `{_sha(src)}` |")
    geo = shared / "geo" / "cao_bang_communes.geojson"
    shutil.copyfile(geo, out / "communes.geojson")
    shutil.copyfile(shared / "geo" / "SOURCE.md", out / "GEO_SOURCE.md")
    lines.append(f"| communes.geojson | shared/geo/cao_bang_communes.geojson | `{_sha(geo)}` |")
    lines.append(
        "| GEO_SOURCE.md | shared/geo/SOURCE.md (provenance, licence status and caveats of the boundaries) | |"
    )

    feats = json.loads(geo.read_text(encoding="utf-8"))["features"]
    # Old → new crosswalk: every pre-July-2025 unit went whole into one new unit (GEO_SOURCE.md).
    with open(out / "crosswalk.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["old_kind", "old_name", "old_qualifier", "new_code"])
        for ft in sorted(feats, key=lambda ft: ft["properties"]["code"]):
            for old in ft["properties"]["merged_from"]:
                m = re.fullmatch(r"(Xã|Phường|Thị trấn) (.+?)(?: \((.+)\))?", old)
                w.writerow([m.group(1).lower(), m.group(2), m.group(3) or "", ft["properties"]["code"]])
    with open(out / "unit_name_variants.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["variant", "code", "source"])
        for ft in sorted(feats, key=lambda ft: ft["properties"]["code"]):
            for v in ft["properties"]["name_variants"]:
                w.writerow([v, ft["properties"]["code"], "geo name_variants (spellings seen in sources)"])
    lines.append("| crosswalk.csv | built from `merged_from` of communes.geojson | |")
    lines.append("| unit_name_variants.csv | built from `name_variants` of communes.geojson | |")
    (out / "PROVENANCE.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), *(sys.argv[2:3]))
