"""What every benchmark's report shares: the number format, the percentile, the verdict beside a goal, a Markdown
table, and the one way a program puts its section into docs/PERFORMANCE.md (markers, splice, keep)."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

MET, NOT_MET, NO_GOAL = "đạt", "chưa đạt", "—"
RESULTS_MARK = "benchmark-results:"
# docs/PERFORMANCE.md is the main benchmark's report (benchmarks/scale_report.py `render`) followed by the sections
# of the load benchmarks, in this order, each between `<!-- name:begin -->` and `<!-- name:end -->`: each program
# replaces its own section (`write_section`), and the main benchmark, which rewrites the rest, keeps them all
# (`keep_sections`).
KEPT = (
    "etl-profile",  # written by hand (the ETL profile of issue 13.4): no program replaces it
    "concurrent-sessions",  # benchmarks/load.py, chromium
    "ws-sessions",  # benchmarks/wsload.py, WebSocket clients
    "page-by-page",  # benchmarks/page_by_page.py (python -m benchmarks.load --visits)
    "national-pages",  # benchmarks/page_by_page.py (python -m benchmarks.load --scale national)
    "national-map",  # benchmarks/mapload.py
)


def verdict(value: float | None, goal: float | None, higher_is_better: bool = False) -> str:
    if goal is None or value is None:
        return NO_GOAL
    ok = value >= goal if higher_is_better else value <= goal
    return MET if ok else NOT_MET


def num(v: float | None, digits: int = 1) -> str:
    """A figure of the report (1,234.5; «–» when there is none): every benchmark's one number format."""
    return "–" if v is None else f"{v:,.{digits}f}"


def pct(xs: list[float], q: float) -> float | None:
    """The q-quantile of xs by the nearest rank (a value that was measured), None for no values."""
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * len(xs) + 0.5) - 1))]


def trio(xs: list[float], digits: int = 1) -> str:
    """«p50 / p95 / max» of xs."""
    return " / ".join(num(pct(xs, q), digits) for q in (0.5, 0.95, 1.0))


def log(msg: str) -> None:
    """Progress goes to stderr; stdout is the report."""
    print(msg, file=sys.stderr, flush=True)


def log_run(table_text: str, by_page: dict[str, list[float]], messages: list[str], digits: int = 1) -> None:
    """A load run's row as it finishes: its table, its four slowest pages, its first ten messages."""
    log(table_text)
    slow = sorted(((max(v), k) for k, v in by_page.items()), reverse=True)[:4]
    log("  slowest pages: " + ", ".join(f"{k} {v:.{digits}f} s" for v, k in slow))
    for m in messages[:10]:
        log(f"  {m}")


def table(head: list[str], rows: list[list]) -> str:
    """A Markdown table; a row shorter than the head ends in empty cells."""
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in [*r, *[""] * (len(head) - len(r))]) + " |" for r in rows]
    return "\n".join(out)


def errors(views: list[dict]) -> str:
    """«2 (TimeoutError, …)»: how many of the views failed, and the kinds of failure."""
    kinds = sorted({v["error"] for v in views if v["error"]})
    return f"{len([v for v in views if v['error']])} {'(' + ', '.join(kinds) + ')' if kinds else ''}".strip()


def load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def utc_now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:begin -->", f"<!-- {name}:end -->"


def marked(text: str, begin: str, end: str) -> str | None:
    """The block of text from the marker begin to the marker end (both included), None when there is none."""
    m = re.search(re.escape(begin) + ".*?" + re.escape(end), text, re.S)
    return m.group(0) if m else None


def splice(text: str, sec: str, begin: str, end: str) -> str:
    """Replace the block between begin and end in text by sec; without one, put sec right after the last kept
    section before it in KEPT's order, else before «## Notes», else before the embedded figures, else at the end."""
    if begin in text and end in text:
        return re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: sec, text, flags=re.S)
    names = [n for n in KEPT if markers(n)[0] == begin]
    earlier = KEPT[: KEPT.index(names[0])] if names else ()
    for name in reversed(earlier):
        if (i := text.find(markers(name)[1])) >= 0:
            i += len(markers(name)[1])
            return text[:i] + "\n\n" + sec + text[i:]
    for anchor in ("\n## Notes", "\n<!-- " + RESULTS_MARK):
        i = text.find(anchor)
        if i >= 0:
            return text[: i + 1] + sec + "\n\n" + text[i + 1 :]
    return text.rstrip("\n") + "\n\n" + sec + "\n"


def keep_sections(text: str, old: Path) -> str:
    """The report `text` with every section of KEPT that the file `old` holds kept as it was there."""
    if not old.exists():
        return text
    previous = old.read_text(encoding="utf-8")
    for name in KEPT:
        if (block := marked(previous, *markers(name))) is not None:
            text = splice(text, block, *markers(name))
    return text


def write_section(out: Path, sec: str, begin: str, end: str) -> None:
    """Put the section sec (from begin to end) into the report file out, in its place; the rest stays."""
    text = out.read_text(encoding="utf-8") if out.exists() else "# Performance\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(splice(text, sec, begin, end), encoding="utf-8")
    log(f"wrote {out}")


def publish(sec: str, out: Path, no_write: bool, begin: str, end: str) -> None:
    """Print a section (stdout is the report) and, unless no_write, put it into its place in the file out."""
    print(sec)
    if not no_write:
        write_section(out, sec, begin, end)


def reading(path: Path | None) -> str:
    """The text a run's section ends with (`--reading FILE`: what was concluded), «» without one."""
    return path.read_text(encoding="utf-8").strip() if path else ""


def labelled_blocks(name: str, old: str) -> list[tuple[str, str]]:
    """The labelled sub-blocks (`<!-- name:label:begin -->` … `<!-- name:label:end -->`) inside the block `name`
    of old, in order: (label, block)."""
    outer = marked(old, *markers(name)) or ""
    pattern = rf"<!-- {re.escape(name)}:([^:]+):begin -->.*?<!-- {re.escape(name)}:\1:end -->"
    return [(m.group(1), m.group(0)) for m in re.finditer(pattern, outer, re.S)]
