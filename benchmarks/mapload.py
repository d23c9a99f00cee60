"""The national map in chromium: `python -m benchmarks.mapload --data DIR` (not a timed test).

Starts `streamlit run benchmarks/map_page.py` (a benchmark-only page: one map per run) on the national store in
DIR (PARTYDASH_PROVINCE=00), pinned to core 0, and opens each map in headless Debian chromium (core 1) `--loads`
times in one browser context (the first load fetches and compiles the chart's JavaScript; the others find it in the
HTTP cache). For each load:

- *payload*: the bytes of every WebSocket message the page received (the figure is the largest), and the figure's
  JSON as the server builds it;
- *figure arrives*: the page's clock when the largest message was handed to the page (from navigation start);
- *render*: from that message to the last WebGL draw call of the map once the page is quiet (no draw call and no
  long task for 2 s): MapLibre (Plotly's choropleth_map) and deck.gl both draw with WebGL, so the draw calls are
  counted by wrapping the WebGL contexts' draw functions; *first draw* likewise;
- *busy*: the renderer's main-thread task time over the load (Chromium's Performance.getMetrics TaskDuration);
- *click*: a click at the map's middle (and a few points around it) reaches the app as a selection (the page then
  writes «đã chọn: CODE»).

Bounded in time: a load whose map is not quiet within `--cap` seconds of the page being ready is recorded as a
time-out (render «> cap») and the kind's later loads are skipped; a kind gets `--budget` seconds in all (loads,
screenshot, click), after which what it measured is kept and the run goes on with the next kind.

This machine has no GPU: chromium draws WebGL with SwiftShader (software), which the report says. Prints the table
and writes it as the «National map» section of docs/PERFORMANCE.md (`--out`, `--no-write`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import report
from benchmarks.browser import CHROMIUM, READY, busy, chromium
from benchmarks.report import load_average, log, markers, num, pct, publish, reading, utc_now
from benchmarks.server import start_server, stop

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = markers("national-map")
KINDS = {
    "plotly-provinces": "Plotly choropleth_map, 34 provinces (the app's country map)",
    "plotly-province": "Plotly choropleth_map, one province's communes (the app's map after a click)",
    "plotly-all": "Plotly choropleth_map, all 3,321 communes (the app's builder; the app never draws it)",
    "pydeck-all": "pydeck GeoJsonLayer + TextLayer, all 3,321 communes (benchmark only)",
}

# Installed before the page's own scripts: every WebSocket message (time, bytes), long tasks, WebGL draw calls.
PROBE = """
(() => {
  window.__frames = []; window.__long = []; window.__draws = [];
  const W = window.WebSocket;
  class Probed extends W {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', e => {
        const d = e.data;
        window.__frames.push([performance.now(), d.byteLength ?? d.size ?? d.length ?? 0]);
      });
    }
  }
  window.WebSocket = Probed;
  try {
    new PerformanceObserver(l => l.getEntries().forEach(e => window.__long.push([e.startTime, e.duration])))
      .observe({type: 'longtask', buffered: true});
  } catch (e) {}
  for (const C of [window.WebGLRenderingContext, window.WebGL2RenderingContext]) {
    if (!C) continue;
    for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced',
                        'drawRangeElements']) {
      const f = C.prototype[name];
      if (!f) continue;
      C.prototype[name] = function (...a) { window.__draws.push(performance.now()); return f.apply(this, a); };
    }
  }
})();
"""

# Resolves once the map has drawn and the page has been quiet (no draw call, no long task) for `quiet` ms.
QUIET = """
async ([quiet, cap]) => {
  const t0 = performance.now();
  const last = () => Math.max(window.__draws.at(-1) || 0, ...window.__long.map(([s, d]) => s + d), 0);
  while (performance.now() - t0 < cap) {
    if (window.__draws.length && performance.now() - last() > quiet) break;
    await new Promise(r => setTimeout(r, 100));
  }
  return {frames: window.__frames, long: window.__long, draws: [window.__draws.length, window.__draws[0] || null,
          window.__draws.at(-1) || null], now: performance.now(), quiet: performance.now() - t0 < cap};
}
"""

CHART = '[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]'


def summarise(probe: dict) -> dict:
    """One load's figures from the page's probe: payload, the figure's arrival, first and last draw after it."""
    frames = probe["frames"]
    total = sum(n for _, n in frames)
    at, biggest = max(frames, key=lambda f: f[1]) if frames else (None, 0)
    n, first, last = probe["draws"]
    long_after = [d for s, d in probe["long"] if at is not None and s >= at]
    return {
        "payload": total,
        "largest": biggest,
        "arrive_ms": at,
        "first_draw_ms": None if first is None or at is None else first - at,
        "render_ms": None if last is None or at is None else last - at,
        "draws": n,
        "long_ms": sum(long_after),
        "timed_out": not probe.get("quiet", True),
    }


async def measure_kind(
    browser, url: str, kind: str, loads: int, quiet_ms: int, cap_s: float, shots: Path | None, out: dict
) -> dict:
    """Fills `out` as it goes (so a kind cut off by its budget keeps what it measured). Each load opens a new tab
    of the same context (the HTTP cache is shared): its renderer is fresh, so its main-thread task time is the load's
    (one tab navigated again may swap renderers, which resets the counter)."""
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    await ctx.add_init_script(PROBE)
    page = None
    try:
        for i in range(loads):
            if page is not None:
                await page.close()
            page = await ctx.new_page()
            cdp = await ctx.new_cdp_session(page)
            await cdp.send("Performance.enable")
            b0, t = await busy(cdp), time.perf_counter()
            await page.goto(url + ("&" if "?" in url else "?") + f"_load={i}", timeout=180_000)
            await page.wait_for_selector(READY + " " + CHART, timeout=180_000)
            await page.wait_for_function(f"document.querySelector('{READY}')", timeout=180_000)
            ready = time.perf_counter() - t
            probe = await page.evaluate(QUIET, [quiet_ms, int(cap_s * 1000)])
            b1 = await busy(cdp)
            row = summarise(probe) | {"ready_s": ready, "busy_s": b1 - b0 if b1 >= b0 else b1}
            text = await page.locator('[data-testid="stMain"]').inner_text()
            m = re.search(r"kích thước hình: (\d+) byte", text)
            row["figure_json"] = int(m.group(1)) if m else None
            out["loads"].append(row)
            log(
                f"  {kind} load {i + 1}: {json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()})}"
            )
            if row["timed_out"]:
                log(f"  {kind}: not quiet {cap_s:.0f} s after the page was ready: a time-out, no further loads")
                break
        if shots:
            await page.locator(CHART).first.screenshot(path=str(shots / f"{kind}.png"))
        out["click"] = await click(page)
    except Exception as e:  # reported, the next map goes on
        out["error"] = f"{type(e).__name__}: {str(e)[:200]}"
        log(f"  {kind}: {out['error']}")
    finally:
        await ctx.close()
    return out


# The middle first; (-0.1, -0.3) is northern Vietnam on the country maps (their middle is Laos or the sea).
OFFSETS = [(0, 0), (-0.1, -0.3), (0.05, 0.05), (-0.08, 0.02), (0.1, -0.05), (-0.03, 0.1), (0.04, -0.12)]


async def click(page) -> str:
    """Whether a click on the map reaches the app as a selection: the code it chose, or «no»."""
    chart = page.locator(CHART).first
    box = await chart.bounding_box()
    for dx, dy in OFFSETS:
        await page.mouse.click(box["x"] + box["width"] * (0.5 + dx), box["y"] + box["height"] * (0.5 + dy))
        try:
            await page.get_by_text("đã chọn:").wait_for(timeout=15_000)  # the page may still be busy
            return (await page.get_by_text("đã chọn:").inner_text()).split(":", 1)[1].strip()
        except Exception:
            await page.wait_for_selector(READY, timeout=60_000)
    return "no"


async def run(
    url: str, kinds: list[str], loads: int, quiet_ms: int, cap_s: float, budget_s: float, shots: Path | None
) -> list[dict]:
    out = []
    async with chromium() as browser:
        for kind in kinds:
            q = f"?map={kind}" + ("&p=04" if kind == "plotly-province" else "")
            log(f"[mapload] {kind} …")
            row: dict = {"kind": kind, "loads": [], "error": "", "cap_s": cap_s}
            try:
                await asyncio.wait_for(
                    measure_kind(browser, url + "/" + q, kind, loads, quiet_ms, cap_s, shots, row), budget_s
                )
            except TimeoutError:
                row["error"] = f"the kind's {budget_s:.0f} s budget ran out"
                log(f"  {kind}: {row['error']}")
            out.append(row)
    return out


def merged_communes(path: Path) -> int:
    """Every province's communes in one GeoJSON (the full layer); the number of units."""
    features = []
    for f in sorted((ROOT / "data" / "geo" / "communes").glob("*.geojson")):
        features += json.loads(f.read_text(encoding="utf-8"))["features"]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return len(features)


def table(results: list[dict]) -> str:
    head = ["map", "loads", "received per load (MB)", "figure message (MB)", "figure JSON on the server (MB)"]
    head += ["page ready, first load (s)", "render, first load (s)", "render, later loads median (s)"]
    head += ["first draw after the figure, later loads (s)", "browser busy per load, later loads median (s)"]
    rows = []
    for r in results:
        ls = r["loads"]
        later = ls[1:] or ls
        med = lambda k, xs=later: pct([x[k] for x in xs if x.get(k) is not None], 0.5)  # noqa: E731
        mb = lambda v: num(None if v is None else v / 1e6, 2)  # noqa: E731
        sec = lambda v: num(None if v is None else v / 1000, 2)  # noqa: E731
        first = ls[0] if ls else {}
        cap = f"> {r.get('cap_s', 0):.0f} (time-out)"
        first_render = cap if first.get("timed_out") else sec(first.get("render_ms"))
        later_render = (
            "– (skipped)"
            if len(ls) == 1 and first.get("timed_out")
            else cap
            if any(x.get("timed_out") for x in later)
            else sec(med("render_ms"))
        )
        rows.append(
            [
                KINDS[r["kind"]],
                str(len(ls)),
                mb(med("payload", ls)),
                mb(med("largest", ls)),
                mb(med("figure_json", ls)),
                num(first.get("ready_s"), 2),
                first_render,
                later_render,
                sec(med("first_draw_ms")),
                num(med("busy_s"), 2),
                str(int(med("draws", ls) or 0)),
                (r.get("click") or "–") + (f" (error: {r['error']})" if r["error"] else ""),
            ]
        )
    return report.table([*head, "WebGL draw calls", "click reaches the app"], rows)


def section(results: list[dict], meta: dict, reading: str) -> str:
    return "\n".join(
        [
            BEGIN,
            "## National map (Plotly against pydeck, in chromium)",
            "",
            f"`python -m benchmarks.mapload --loads {meta['loads']}` on {meta['date']}, the national store "
            f"(PARTYDASH_PROVINCE=00); load average before {meta['load']}, after {meta['load_end']}. The server "
            "(`streamlit run benchmarks/map_page.py`, a benchmark-only page drawing one map) pinned to core 0, "
            "headless Debian chromium to core 1. **No GPU on this machine: chromium draws WebGL with SwiftShader "
            "(software, on the CPU)**, so render times are those of a GPU-less client, not of an office PC. "
            "Indicator «chưa có Internet», 2025; the same classes, colours, labels and tooltips in every map. "
            "*Received*: every WebSocket message of one load; *render*: from the figure's message reaching the page "
            "to the map's last WebGL draw call once the page is quiet (2 s without a draw or a long task); the first "
            "load fetches and compiles the chart's JavaScript, the later ones find it cached. *Click*: the unit a "
            "click on the map selected in the app (`on_select`), or «no».",
            "",
            table(results),
            "",
            reading,
            "",
            END,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.mapload", description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="the national data folder (holding parquet/)")
    ap.add_argument("--kinds", nargs="*", default=list(KINDS), choices=list(KINDS))
    ap.add_argument("--loads", type=int, default=3)
    ap.add_argument("--quiet", type=float, default=2.0, help="seconds without a draw call that end a render")
    ap.add_argument("--cap", type=float, default=120.0, help="seconds a map may take to go quiet (a time-out)")
    ap.add_argument("--budget", type=float, default=420.0, help="seconds per kind in all, then the next kind")
    ap.add_argument("--shots", type=Path, default=None, help="save a screenshot of each map here")
    ap.add_argument("--reading", type=Path, default=None, help="a file whose text follows the table (the decision)")
    ap.add_argument("--server-core", type=int, default=0)
    ap.add_argument("--client-core", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit("Debian chromium is missing: apt-get install -y chromium")
    load = load_average()
    if a.shots:
        a.shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mapload-") as tmp:
        merged = Path(tmp) / "all-communes.geojson"
        log(f"[mapload] {merged_communes(merged)} communes merged into {merged}")
        os.sched_setaffinity(0, {a.client_core})
        server, url = start_server(
            a.data,
            a.server_core,
            province="00",
            script=ROOT / "benchmarks" / "map_page.py",
            env={"MAPBENCH_ALL": str(merged)},
        )
        try:
            results = asyncio.run(run(url, a.kinds, a.loads, int(a.quiet * 1000), a.cap, a.budget, a.shots))
        finally:
            stop(server)
    meta = {"date": utc_now(), "loads": a.loads, "load": load, "load_end": load_average()}
    print(json.dumps(results, indent=1), file=sys.stderr)
    publish(section(results, meta, reading(a.reading)), a.out, a.no_write, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
