"""Plotly figure builders (pure: data in, figure out). Vietnamese separators, colour-blind-safe colours."""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go
import polars as pl

from dashboard import fmt, methods
from dashboard.registry import Indicator

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
BLUE, ORANGE, GREEN, VERMILION, SKY, PURPLE, YELLOW, GREY = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#F0E442",
    "#999999",
)
# From worse to better in one direction: vermilion, orange, yellow, blue, green (purple for «chuyển biến chậm», worse
# than orange's «cần đẩy nhanh», read the other way round).
STATUS_COLORS = {
    "achieved": GREEN,
    "on_track": BLUE,
    "needs_acceleration": YELLOW,
    "limited_progress": ORANGE,
    "deteriorating": VERMILION,
    "insufficient_data": GREY,
}
JUDGEMENT_COLORS = {"better": BLUE, "worse": VERMILION, "similar": SKY}  # a unit against the province (funnel)
RATING_COLORS = {"xs": "#0072B2", "tot": "#56B4E9", "ht": "#E69F00", "kht": "#D55E00", "none": "#BBBBBB"}
FONT = "Be Vietnam Pro, Roboto, Arial, sans-serif"


TITLE_CHARS = 44  # a chart's title is broken onto lines of about this many characters: a phone shows the whole title


def _layout(fig: go.Figure, title: str = "", height: int = 380) -> go.Figure:
    lines = textwrap.wrap(title, TITLE_CHARS) if title else []
    # the rule-change labels (_breaks) sit in their own rows between the title and the plot, never over the title
    label_rows = (fig.layout.meta or {}).get("break_rows", 0) if isinstance(fig.layout.meta, dict) else 0
    fig.update_layout(
        # (a space before each break: the lines read as one text, «… thành phố, năm 2025», to a screen reader)
        title={"text": " <br>".join(lines), "x": 0, "xanchor": "left", "font": {"size": 15}},
        separators=",.",  # decimal comma, thousands dot: 16,83 and 1.462
        font={"family": FONT, "size": 13},
        height=height + 20 * max(0, len(lines) - 1),
        margin={"l": 10, "r": 10, "t": (30 + 20 * len(lines) if lines else 20) + 18 * label_rows, "b": 10},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "y": -0.15},
        hoverlabel={"font": {"family": FONT}},
    )
    fig.update_xaxes(showgrid=False, linecolor="#BBBBBB")
    fig.update_yaxes(gridcolor="#EEEEEE", zeroline=False)
    return fig


def _breaks(fig: go.Figure, breaks: dict[int, str], years: list[int]) -> None:
    """Mark the years the rating regulation changed, so no trend silently spans a method break: a dotted line
    before the year and a short label (the regulation's number; the full text on hover), staggered so two labels
    never overlap."""
    shown = [(y, text) for y, text in sorted(breaks.items()) if years and min(years) < y <= max(years)]
    if shown:  # _layout keeps a row above the plot for each label, below the title
        fig.update_layout(meta={"break_rows": min(2, len(shown))})
    middle = (min(years) + max(years)) / 2 if years else 0
    for i, (y, text) in enumerate(shown):
        fig.add_vline(x=y - 0.5, line_dash="dot", line_color=GREY)
        fig.add_annotation(
            x=y - 0.5,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            yshift=2 + 18 * (i % 2),
            text=f"Từ {y}: {short_regulation(text)}",
            hovertext=f"Đổi cách đánh giá, xếp loại từ năm {y}: {text}",
            showarrow=False,
            font={"size": 11, "color": "#555555"},
            # a label right of the middle ends at its line: it never runs past the chart's right edge
            xanchor="left" if y - 0.5 < middle else "right",
        )


def regulation(text: str) -> str:
    """A rating change of prg_series_breaks by the regulation it brought in: «Quy định 124-QĐ/TW thay Quy định
    132-QĐ/TW» → «Quy định 124-QĐ/TW»."""
    return text.split(" thay ")[0].split(" (")[0]


def short_regulation(text: str) -> str:
    """«Quy định 124-QĐ/TW thay Quy định 132-QĐ/TW» → «QĐ 124-QĐ/TW»."""
    return regulation(text).replace("Quy định ", "QĐ ")


def trend(
    df: pl.DataFrame,
    ind: Indicator,
    province: pl.DataFrame | None = None,
    breaks: dict[int, str] | None = None,
    target: float | None = None,
    title: str = "",
    incomplete: dict[int, str] | None = None,
    published: pl.DataFrame | None = None,
) -> go.Figure:
    """Value by year (with numerator/denominator in the hover), the province line and the target.

    The line never runs across a series break (one segment per comparable run of years), and a year in which only
    some units reported (`incomplete`: year → «1/60 đơn vị») is an open marker outside the line. Years without
    returns taken from the published Biểu (`published`: year, numerator, denominator, value, source) are markers
    of their own, named as published figures."""
    fig = go.Figure()
    incomplete = incomplete or {}
    _published(fig, published)
    years = sorted({*df["year"].to_list(), *(published["year"].to_list() if published is not None else [])})
    full = df.filter(~pl.col("year").is_in(list(incomplete)))
    name = "Đơn vị đã chọn" if province is not None else ind.short_for()
    for k, run in enumerate(methods.segments(full["year"].to_list(), list(breaks or {}))):
        part = full.filter(pl.col("year").is_in(run))
        fig.add_scatter(
            x=run,
            y=part["value"].to_list(),
            mode="lines+markers+text",
            name=name,
            legendgroup="main",
            showlegend=k == 0,
            line={"color": BLUE, "width": 3},
            marker={"size": 9},
            text=[fmt.pct(v, 1) for v in part["value"].to_list()],
            textposition="top center",
            customdata=list(zip(part["numerator"].to_list(), part["denominator"].to_list())),
            hovertemplate="Năm %{x}: %{y:.2f}%<br>%{customdata[0]:,}/%{customdata[1]:,}<extra></extra>",
        )
    part = df.filter(pl.col("year").is_in(list(incomplete)))
    if part.height:
        fig.add_scatter(
            x=part["year"].to_list(),
            y=part["value"].to_list(),
            mode="markers+text",
            name="Năm chưa đủ đơn vị nộp",
            marker={"size": 10, "symbol": "circle-open", "color": BLUE, "line": {"width": 2}},
            text=[f"{fmt.pct(v, 1)} (chưa đủ)" for v in part["value"].to_list()],
            textposition="top center",
            customdata=[
                (n, d, incomplete[y])
                for y, n, d in zip(part["year"].to_list(), part["numerator"].to_list(), part["denominator"].to_list())
            ],
            hovertemplate="Năm %{x} (chưa đủ: %{customdata[2]}): %{y:.2f}%<br>%{customdata[0]:,}/%{customdata[1]:,}"
            "<extra></extra>",
        )
    province = province.filter(pl.col("value").is_not_null()) if province is not None else None  # withheld years
    if province is not None and province.height:
        for k, run in enumerate(methods.segments(province["year"].to_list(), list(breaks or {}))):
            part = province.filter(pl.col("year").is_in(run))
            fig.add_scatter(
                x=run,
                y=part["value"].to_list(),
                mode="lines+markers",
                name="Toàn tỉnh",
                legendgroup="province",
                showlegend=k == 0,
                line={"color": GREY, "dash": "dash"},
                hovertemplate="Toàn tỉnh %{x}: %{y:.2f}%<extra></extra>",
            )
    if target is not None:
        fig.add_hline(
            y=target,
            line_color=GREEN,
            line_dash="dash",
            annotation_text=f"Mục tiêu {fmt.pct(target, 0)}",
            annotation_position="top left",
        )
    _breaks(fig, breaks or {}, years)
    fig.update_xaxes(tickmode="array", tickvals=years, ticktext=[str(y) for y in years])
    fig.update_yaxes(ticksuffix="%")
    return _layout(fig, title or ind.label, height=400)


def _published(fig: go.Figure, published: pl.DataFrame | None) -> None:
    """The published tables' points (a real store's years without returns): hollow diamonds, named as published
    figures in the legend and the hover, never joined to the line of the loaded returns."""
    if published is None or not published.height:
        return
    sources = ", ".join(sorted(set(published["source"].to_list())))
    fig.add_scatter(
        x=published["year"].to_list(),
        y=published["value"].to_list(),
        mode="markers+text",
        name=f"Số liệu đã công bố ({sources})",
        marker={"size": 11, "symbol": "diamond-open", "color": PURPLE, "line": {"width": 2}},
        text=[fmt.pct(v, 1) for v in published["value"].to_list()],
        textposition="bottom center",
        customdata=list(
            zip(published["numerator"].to_list(), published["denominator"].to_list(), published["source"].to_list())
        ),
        hovertemplate="Năm %{x}, %{customdata[2]} đã công bố: %{y:.2f}%<br>%{customdata[0]:,}/%{customdata[1]:,}"
        "<extra></extra>",
    )


def by_unit(
    df: pl.DataFrame,
    ind: Indicator,
    province_value: float | None = None,
    title: str = "",
    label_col: str = "unit_name",
    key_col: str = "unit_code",
    whole: str = "Toàn tỉnh",
) -> go.Figure:
    """Horizontal bars, worst first; each bar carries its key so a click can drill down. `whole` names the
    dashed reference line (the province, or the country in a national deployment)."""
    # Plotly draws the first bar at the bottom: sort so the worst units come out on top.
    d = df.filter(pl.col("denominator") > 0).sort("value", descending=ind.polarity == 1)
    colors = [(_judge(r, province_value, ind)) for r in d.iter_rows(named=True)]
    top = max([v for v in d["value"].to_list() if v is not None] + [province_value or 0, 1])
    fig = go.Figure(
        go.Bar(
            x=d["value"].to_list(),
            y=d[label_col].to_list(),
            orientation="h",
            marker_color=colors,
            customdata=list(zip(d[key_col].to_list(), d["numerator"].to_list(), d["denominator"].to_list())),
            text=[fmt.pct(v, 1) for v in d["value"].to_list()],
            # a long bar carries its value inside its end, a short one after it: no value is cut at the edge
            textposition=["inside" if v is not None and v > 0.4 * top else "outside" for v in d["value"].to_list()],
            insidetextanchor="end",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.2f}%<br>%{customdata[1]:,}/%{customdata[2]:,}<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, top * 1.15])  # room for the value printed after a short bar
    if province_value is not None:
        fig.add_vline(
            x=province_value,
            line_dash="dash",
            line_color="#333333",
            annotation_text=f"{whole} {fmt.pct(province_value, 1)}",
            annotation_position="top left",  # ends at the line: not cut at the right edge
        )
    fig.update_xaxes(ticksuffix="%")
    return _layout(fig, title or ind.label, height=max(300, 22 * d.height + 80))


def _judge(row: dict, p0: float | None, ind: Indicator) -> str:
    """Colour by the funnel test against the province: better / similar / worse (never colour alone: hover says)."""
    if p0 is None:
        return BLUE
    judgement = methods.funnel_against(row["numerator"], row["denominator"], p0, ind.polarity)
    return JUDGEMENT_COLORS.get(judgement or "similar", SKY)


def completeness_by_province(df: pl.DataFrame, title: str = "Mức đầy đủ của báo cáo theo tỉnh, thành phố") -> go.Figure:
    """Provinces × years (a national deployment: 3 000+ communes are no chart): each cell the share of the
    province's units whose return is complete, the share printed in the cell and every status counted in the
    hover. `df`: the completeness rows (unit, year, status) with province_code and province_name."""
    cells = (
        df.group_by("province_code", "province_name", "year")
        .agg(
            units=pl.len(),
            complete=(pl.col("status") == "complete").sum(),
            partial=(pl.col("status") == "partial").sum(),
            fewer=(pl.col("status") == "fewer_branches").sum(),
            missing=(pl.col("status").is_null() | (pl.col("status") == "missing")).sum(),
        )
        .with_columns(share=pl.col("complete") / pl.col("units") * 100)
        .sort("province_code", "year")
    )
    years = sorted(cells["year"].unique().to_list())
    provinces = cells.select("province_code", "province_name").unique().sort("province_code", descending=True)
    grid = provinces.join(pl.DataFrame({"year": years}), how="cross").join(
        cells, on=["province_code", "province_name", "year"], how="left"
    )
    hover = [
        f"{fmt.num(r['complete'])}/{fmt.num(r['units'])} đơn vị đầy đủ · thiếu trang {fmt.num(r['partial'])} · "
        f"ít chi bộ hơn năm trước {fmt.num(r['fewer'])} · chưa nộp {fmt.num(r['missing'])}"
        if r["units"]
        else "Chưa có đơn vị nào"
        for r in grid.iter_rows(named=True)
    ]
    shape = (provinces.height, len(years))
    z = grid["share"].to_numpy().reshape(shape)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(y) for y in years],
            y=provinces["province_name"].to_list(),
            customdata=[hover[i * len(years) : (i + 1) * len(years)] for i in range(shape[0])],
            text=[[fmt.pct(v, 0) for v in row] for row in z],
            texttemplate="%{text}",
            colorscale=[[0, VERMILION], [0.9, YELLOW], [1, GREEN]],
            zmin=0,
            zmax=100,
            colorbar={"title": "% đầy đủ", "ticksuffix": "%"},
            hovertemplate="%{y} – %{x}: %{customdata}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    return _layout(fig, title, height=max(300, 22 * provinces.height + 100))


def rating_mix(
    df: pl.DataFrame, title: str = "Cơ cấu xếp loại chi bộ", breaks: dict[int, str] | None = None
) -> go.Figure:
    """Stacked shares of branch ratings by year; df has year, rating (code or None), branches."""
    total = df.group_by("year").agg(pl.col("branches").sum().alias("total"))
    d = df.join(total, on="year").with_columns(share=pl.col("branches") / pl.col("total") * 100)
    fig = go.Figure()
    labels = {"xs": "HTXSNV", "tot": "HTTNV", "ht": "HTNV", "kht": "Không HTNV", "none": "Chưa xếp loại"}
    for code, lab in labels.items():
        part = d.filter(pl.col("rating").fill_null("none") == code).sort("year")
        fig.add_bar(
            x=part["year"].to_list(),
            y=part["share"].to_list(),
            name=lab,
            marker_color=RATING_COLORS[code],
            customdata=part["branches"].to_list(),
            hovertemplate=lab + " %{x}: %{y:.2f}% (%{customdata:,} chi bộ)<extra></extra>",
        )
    years = sorted(d["year"].unique().to_list())
    _breaks(fig, breaks or {}, years)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickmode="array", tickvals=years)
    fig.update_yaxes(ticksuffix="%", range=[0, 100])
    return _layout(fig, title)


def funnel(
    df: pl.DataFrame, ind: Indicator, p0: float, highlight: str | None = None, title: str = "", whole: str = "Toàn tỉnh"
) -> go.Figure:
    """Funnel plot (docs/METHODS.md §3): units by denominator and value, the province line and 95% / 99,8% limits."""
    d = df.filter(pl.col("denominator") > 0)
    n_max = max(d["denominator"].max() or 1, 10)
    ns = [max(1, n_max * i / 200) for i in range(1, 201)]
    fig = go.Figure()
    for z, dash, name in (
        (methods.FUNNEL_Z_95, "dash", "Giới hạn 95%"),
        (methods.FUNNEL_Z_998, "dot", "Giới hạn 99,8%"),
    ):
        lims = [methods.funnel_limits(n, p0 / 100, z) for n in ns]
        fig.add_scatter(
            x=ns,
            y=[lo * 100 for lo, _ in lims],
            mode="lines",
            line={"color": GREY, "dash": dash},
            name=name,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=ns,
            y=[hi * 100 for _, hi in lims],
            mode="lines",
            line={"color": GREY, "dash": dash},
            showlegend=False,
            hoverinfo="skip",
        )
    fig.add_hline(y=p0, line_color="#333333", annotation_text=f"{whole} {fmt.pct(p0, 1)}")
    colors = [ORANGE if highlight and r["unit_code"] == highlight else BLUE for r in d.iter_rows(named=True)]
    fig.add_scatter(
        x=d["denominator"].to_list(),
        y=d["value"].to_list(),
        mode="markers",
        name="Đơn vị",
        marker={"size": [14 if c == ORANGE else 8 for c in colors], "color": colors},
        text=d["unit_name"].to_list() if "unit_name" in d.columns else None,
        hovertemplate="%{text}: %{y:.2f}% (mẫu số %{x:,})<extra></extra>",
    )
    fig.update_xaxes(title="Mẫu số (quy mô đơn vị)", tickformat=",d")  # 2.000, not 2k
    fig.update_yaxes(ticksuffix="%")
    fig = _layout(fig, title or f"So sánh với {whole.lower()}: {ind.short_for()}")
    return fig.update_layout(legend={"y": -0.3})  # below the axis title, not over it


def glide_path(
    series: pl.DataFrame, p: dict, ind: Indicator, title: str = "", published: pl.DataFrame | None = None
) -> go.Figure:
    """Observed values, the straight path required to reach the target by the deadline, and the projection;
    years without returns from the published Biểu (`published`) as markers of their own.

    The deadline has its own tick; the projection is drawn last, dotted and with a marker and its value at the
    deadline, so it stays visible when it lies on the required path."""
    fig = go.Figure()
    _published(fig, published)
    years = sorted({*series["year"].to_list(), *(published["year"].to_list() if published is not None else [])})
    fig.add_scatter(
        x=series["year"].to_list(),
        y=series["value"].to_list(),
        mode="lines+markers",
        name="Thực tế",
        line={"color": BLUE, "width": 3},
        hovertemplate="Năm %{x}: %{y:.2f}%<extra></extra>",
    )
    deadline = p.get("deadline")
    if p.get("latest") is not None and deadline:
        fig.add_scatter(
            x=[p["latest_year"], deadline],
            y=[p["latest"], p["target_value"]],
            mode="lines",
            name="Lộ trình cần đạt",
            line={"color": GREEN, "dash": "dash", "width": 2},
            hovertemplate="Lộ trình %{x}: %{y:.2f}%<extra></extra>",
        )
        if p.get("projection") is not None:
            fig.add_scatter(
                x=[p["latest_year"], deadline],
                y=[p["latest"], p["projection"]],
                mode="lines+markers+text",
                name="Dự báo theo xu hướng",
                line={"color": ORANGE, "dash": "dot", "width": 3},
                marker={"size": [0, 11], "symbol": "diamond", "color": ORANGE},
                text=["", f"Dự báo {deadline}: {fmt.pct(p['projection'], 1)}"],
                textposition="middle left",
                hovertemplate="Dự báo %{x}: %{y:.2f}%<extra></extra>",
            )
    fig.add_hline(
        y=p["target_value"], line_color=GREEN, line_width=1, annotation_text=f"Mục tiêu {fmt.pct(p['target_value'], 0)}"
    )
    ticks = sorted({*years, *([deadline] if deadline else [])})
    if len(ticks) > 2 and ticks[-1] - ticks[0] > 6:  # 2021 … 2025 and 2030: the first, the latest, the deadline
        ticks = sorted({ticks[0], years[-1] if years else ticks[0], ticks[-1]})
    fig.update_xaxes(tickmode="array", tickvals=ticks, ticktext=[str(y) for y in ticks])
    fig.update_yaxes(ticksuffix="%")
    return _layout(fig, title or ind.label, height=340)


def completeness_heatmap(df: pl.DataFrame, title: str = "Mức đầy đủ của báo cáo") -> go.Figure:
    """Units × years, one colour per status (with the status word in the hover)."""
    labels = {
        "complete": "Đầy đủ",
        "partial": "Thiếu trang",
        "fewer_branches": "Ít chi bộ hơn năm trước",
        "missing": "Chưa nộp",
    }
    codes = {"complete": 0, "partial": 1, "fewer_branches": 2, "missing": 3}
    years = sorted(df["year"].unique().to_list())
    cells = df.with_columns(
        code=pl.col("status").replace_strict(codes, default=3, return_dtype=pl.Int8),
        text=pl.col("status").replace_strict(labels, default=labels["missing"], return_dtype=pl.String)
        + " · "
        + pl.lit(fmt.py_map(df["branches"], fmt.num))
        + " chi bộ",
    )
    wide = cells.pivot("year", index=["unit_code", "unit_name"], values=["code", "text"], sort_columns=True).sort(
        "unit_code"
    )
    # numpy arrays: plotly validates nested Python lists cell by cell (slow with 3 000+ units)
    z = wide.select([pl.col(f"code_{y}").fill_null(3) for y in years]).to_numpy()
    text = wide.select([pl.col(f"text_{y}").fill_null(labels["missing"]) for y in years]).to_numpy()
    units = wide.select("unit_code", "unit_name")
    scale = [
        [0, GREEN],
        [0.25, GREEN],
        [0.25, YELLOW],
        [0.5, YELLOW],
        [0.5, ORANGE],
        [0.75, ORANGE],
        [0.75, VERMILION],
        [1, VERMILION],
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[str(y) for y in years],
            y=units["unit_name"].to_list(),
            text=text,
            colorscale=scale,
            zmin=0,
            zmax=3,
            showscale=False,
            hovertemplate="%{y} – %{x}: %{text}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    return _layout(fig, title, height=max(300, 18 * units.height + 80))
