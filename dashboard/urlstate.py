"""The URL and the session kept in step: a link is the view. The one module that knows how Streamlit keeps pages, query
parameters and widget state, so that a Streamlit upgrade breaks here and nowhere else.

What the URL holds: the filters (`nam`, `tinh`, `xa`, `cap`, `loai`) on every page, and each page's own choices — the
indicator (`chi_tieu`), the profile's unit (`dv`) and its comparison (`so_sanh`), the drill-down (`xem`), a tab, a
toggle, a table's mode — each declared by the code that draws its widget (`param`), with the values this user may
see and its default. A value equal to its default is left out (opening a page adds one entry to the browser's
history); a value the user may not see is dropped and the page says so (a tampered or another role's link cannot
select another commune, and does not narrow the view in silence).

When the URL is read: on a session's first run, and whenever the browser changed it rather than the app (Back,
Forward, an edited address, a link). Otherwise the widgets' own state is the truth and the URL is written from it
at the end of the run (`end`).

Streamlit internals used (checked on 1.67), and why — nothing else in the app touches them:
1. History. The browser adds a history entry whenever the query string changes (it replaces the entry during Back
   and Forward), and the links of st.navigation's own menu carry no query string: after a menu click the URL lost
   the filters, and writing them afterwards added a second entry whose bare twin, reached by Back, reset the view.
   So st.navigation is hidden and the menu is drawn here with st.page_link(query_params=…): the filters travel with
   the click, in one entry (`menu`).
2. `get_script_run_ctx().pages_manager.intended_page_script_hash` / `.intended_page_name`: which page the browser
   asked for by its address (no public API says it), so an unknown address gets a Vietnamese page instead of
   Streamlit's English «Page not found» (`unknown_path`).
3. Widget state. Streamlit drops the state of widgets the browser did not report when a page switch interrupts a
   run (quick navigation), and a widget mounted afresh shows its first option unless its value is set again through
   the Session State API: the last values are kept in a key of no widget and given back (`param`, `keep=True`).
4. Tests open a page the way a typed address does, by AppTest's private request field `_page_hash` (`page_hash`,
   `open_by_hash`).

Session keys of its own: one, `_url` (the module's `_Sync`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

_KEY = "_url"


@dataclass
class _Param:
    name: str
    allowed: tuple
    default: Any
    many: bool
    carry: bool  # travels with a menu click (the filters); a page's own choices stay on their page


@dataclass
class _Sync:
    """What the module keeps between runs of a session."""

    page: str | None = None  # the page of the last run
    read: bool = False  # the URL has been read once
    written: dict = field(default_factory=dict)  # the query parameters as this module last left them
    kept: dict = field(default_factory=dict)  # the filters' values as of the last run
    pending: dict = field(default_factory=dict)  # values to set before their widget on the next run
    unknown: str | None = None  # the unknown address asked for (kept for the rerun after log-in)
    seen: dict = field(default_factory=dict)  # a selection's last value, by widget (`new_selection`)
    # this run
    fresh: bool = False
    switched: bool = False  # another page than the last run's: its own choices come from the URL
    url: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)  # name -> _Param, as declared this run
    dropped: list = field(default_factory=list)


def _sync() -> _Sync:
    if _KEY not in st.session_state:
        st.session_state[_KEY] = _Sync()
    return st.session_state[_KEY]


def begin(page: str) -> None:
    """Start a run on `page`: decide whether the URL is to be read (the session's first run, or the browser changed
    it). A switch of page that carries no parameters keeps the state as it is."""
    s = _sync()
    url = st.query_params.to_dict()
    switched = s.page not in (None, page)
    s.fresh = not s.read or (url != s.written and not (switched and not url))
    s.switched = switched
    s.url, s.params, s.dropped = url, {}, []
    if s.fresh:
        s.kept = {}  # what the URL says wins over the values kept from the last run


def param(
    name: str,
    allowed: Iterable,
    default: Any = None,
    many: bool = False,
    keep: bool = False,
    carry: bool = False,
    what: str = "",
    resolve: Callable[[str], str] | None = None,
) -> None:
    """Declare a URL parameter (also the key of its widget) before the widget is drawn: on a run that reads the URL,
    its value is taken from there (only values in `allowed`; a list for `many`), or the default when the URL has
    none. `keep`: the value survives a page switch that interrupts a run (the sidebar's filters). `carry`: it
    travels with a menu click. `what`: its name in words, for the note when a link's value is dropped. `resolve`:
    a link's old spelling of a value → the value now (an indicator's old id); the URL is then written with the new
    one."""
    s = _sync()
    ok = list(allowed)
    s.params[name] = _Param(name, tuple(ok), [] if many and default is None else default, many, carry)
    if name in s.pending:
        st.session_state[name] = s.pending.pop(name)
    elif s.fresh or (s.switched and not carry):  # a page's own choices never come from another page
        raw = s.url.get(name)
        if raw is None:
            if many:
                st.session_state[name] = list(s.params[name].default)
            elif default is None:
                st.session_state.pop(name, None)
            else:
                st.session_state[name] = default
        else:
            by_text = {str(v): v for v in ok}  # compared as text: int() of a 5,000-digit year raises
            values = raw.split(",") if many else [raw]
            if resolve is not None:
                values = [resolve(v) for v in values]
            good = [by_text[v] for v in values if v in by_text]
            bad = [v for v in values if v not in by_text]
            if bad and what:
                s.dropped.append((what, bad))
            if many:
                st.session_state[name] = good
            elif good:
                st.session_state[name] = good[0]
            elif default is None:
                st.session_state.pop(name, None)
            else:
                st.session_state[name] = default
    elif keep and name not in st.session_state and name in s.kept:
        st.session_state[name] = s.kept[name]
    if keep and name in st.session_state:
        # Set again through the Session State API, so the widget is sent its value (see the module's note 3).
        st.session_state[name] = st.session_state[name]
    if not many and st.session_state.get(name) not in ok and default is not None:
        st.session_state[name] = default  # a value of another page or scope: this page's default


def set_default(name: str, default: Any) -> None:
    """Change a declared parameter's default (known only once the page has its data)."""
    p = _sync().params.get(name)
    if p is not None:
        p.default = default


def dropped() -> list[tuple[str, list[str]]]:
    """The values of a link that this user may not see, dropped on this run: (what, values)."""
    return list(_sync().dropped)


def narrowed_notice() -> None:
    """Say that a link was narrowed, and how (the page shows the user's own view instead)."""
    s = _sync()
    # The values are not repeated: a link's text is not shown back (it may name another commune).
    for what in dict.fromkeys(what for what, _ in s.dropped):
        st.info(
            f"Liên kết chọn {what} ngoài phạm vi của tài khoản này hoặc không có trong danh mục: đã bỏ qua, trang "
            "hiển thị phạm vi của bạn.",
            icon=":material/link_off:",
        )
    s.dropped = []


def new_selection(widget: str, value: Any) -> bool:
    """Whether a widget's selection (a clicked bar) is new since the last run. A chart keeps its selection while it
    stays on screen: after Back has removed the drill-down from the URL, the same old selection must not put it
    back."""
    s = _sync()
    new = s.seen.get(widget) != value
    s.seen[widget] = value
    return new and bool(value)


def set_next_run(values: Mapping[str, Any]) -> None:
    """Set widgets' values from outside them (a click on the map chooses a province): applied before each widget is
    drawn on the next run, which starts now."""
    _sync().pending.update(values)
    st.rerun()


def _value(p: _Param) -> str | None:
    v = st.session_state.get(p.name)
    if v in (None, [], "") or v == p.default:
        return None
    return ",".join(str(x) for x in v) if p.many else str(v)


def params(carried_only: bool = False, **extra: str) -> dict[str, str]:
    """The current state as URL parameters (only what differs from the defaults), plus `extra`."""
    out = {}
    for p in _sync().params.values():
        if (p.carry or not carried_only) and (v := _value(p)) is not None:
            out[p.name] = v
    return out | extra


def switch(page, **extra: str) -> None:
    """Open another page with the filters and `extra` (a unit's profile: dv=01273) in its URL."""
    st.switch_page(page, query_params=params(carried_only=True, **extra))


def end(page: str) -> None:
    """Put the state in the URL after the page ran (the entry script calls this). A parameter no code declared on this
    page stays as the link gave it (a shared link's profile unit survives the overview it opened on)."""
    s = _sync()
    want = {k: v for k, v in st.query_params.to_dict().items() if k not in s.params} | params()
    if st.query_params.to_dict() != want:
        st.query_params.from_dict(want)
    s.written = st.query_params.to_dict()
    s.page, s.read = page, True
    s.kept = {n: st.session_state[n] for n, p in s.params.items() if p.carry and n in st.session_state}


def menu(slot, sections: Mapping[str, Sequence], current: str) -> None:
    """The menu of pages, in `slot` (a container at the top of the sidebar), each link carrying the filters."""
    carried = params(carried_only=True)
    with slot:
        for title, pages in sections.items():
            shown = [p for p in pages if getattr(p, "visibility", "visible") != "hidden"]
            if not shown:
                continue
            st.markdown(f"**{title}**")
            for p in shown:
                st.page_link(p, label=p.title, icon=p.icon, query_params=carried, width="stretch")


def forget(names: Iterable[str]) -> None:
    """Drop parameters' values (a reset): their widgets show their defaults."""
    for n in names:
        p = _sync().params.get(n)
        if p is not None and p.many:
            st.session_state[n] = []
        elif p is not None and p.default is not None:
            st.session_state[n] = p.default
        else:
            st.session_state.pop(n, None)
    _sync().kept = {}


def unknown_path(known: set[str]) -> str | None:
    """The page name the browser asked for by its address, when no page has it (None otherwise). Kept in the session:
    the rerun after log-in asks for that page by its hash. A name Streamlit cannot register (a nested path) is left
    to Streamlit."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    from streamlit.util import calc_hash

    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    pm = ctx.pages_manager
    s = _sync()
    if pm.intended_page_script_hash:  # a rerun or a click in the menu: the page asked for by its hash
        kept = s.unknown
        return kept if kept and calc_hash(kept) == pm.intended_page_script_hash else None
    name = (pm.intended_page_name or "").strip().strip("/")
    if not name or name in known or "/" in name or len(name) > 200:
        return None
    s.unknown = name
    return name


def page_hash(app_test) -> str:
    """The page an AppTest run is on, as the hash a browser sends for a typed address."""
    return app_test._page_hash


def open_by_hash(app_test, page: str, run: Callable | None = None) -> None:
    """Ask an AppTest for a page by its hash, as a typed address does, and run it."""
    app_test._page_hash = page
    (run or app_test.run)()
