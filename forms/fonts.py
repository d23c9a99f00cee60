"""The font embedded in the PDF brief: Liberation Serif (Debian's fonts-liberation2; metrically like Times New
Roman), in a version that covers all of Vietnamese. If it is missing, documents say so in Vietnamese."""

from __future__ import annotations

import json
import threading
from functools import cache
from pathlib import Path

FAMILY = "Liberation Serif"
FILES = (
    "LiberationSerif-Regular.ttf",
    "LiberationSerif-Bold.ttf",
    "LiberationSerif-Italic.ttf",
    "LiberationSerif-BoldItalic.ttf",
)
# Where Debian installs it: fonts-liberation2 (bookworm) or fonts-liberation ≥ 2 (trixie). The 1.x files of
# bookworm's fonts-liberation lack the Vietnamese letters with two diacritics (ặ, ệ, ữ …), so coverage is checked.
FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation"))
VIETNAMESE = "ĐđƯưƠơĂăÂâÊêÔô" + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))
INSTALL = "apt-get install fonts-liberation2"


class FontMissing(RuntimeError):
    """No font with every Vietnamese letter was found (the message is for the user, in Vietnamese)."""


def _covers(path: Path) -> bool:
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, lazy=True) as font:  # closed at once: no open file left for the garbage collector
            cmap = font.getBestCmap() or {}
    except Exception:  # noqa: BLE001 - an unreadable file is simply not a usable font
        return False
    return all(ord(ch) in cmap for ch in VIETNAMESE)


@cache
def _found(dirs: tuple[Path, ...]) -> Path | None:
    for d in dirs:
        if all((d / f).is_file() for f in FILES) and all(_covers(d / f) for f in FILES):
            return d
    return None


_lock = threading.Lock()  # one compile at a time (Streamlit serves sessions on threads)


@cache
def _compiler(template: Path, font_dir: Path):
    import typst

    found = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(font_dir)])
    return typst.Compiler(template, root=template.parent, font_paths=found, ignore_system_fonts=True)


def one_page(template: Path, data: dict, scales: tuple[str, ...]) -> bytes | None:
    """Typeset a Typst template (its text from `data`, as JSON in sys.inputs.data) on one A4 page: at the first of
    the type scales (sys.inputs.scale) it fits at; None if it fits at none. The template states its page count
    as metadata <pages>. FontMissing, in Vietnamese, without the font."""
    compiler = _compiler(template, font_dir())
    text = json.dumps(data, ensure_ascii=False)
    with _lock:
        for scale in scales:
            pdf = compiler.compile(format="pdf", sys_inputs={"data": text, "scale": scale})
            if json.loads(compiler.query("<pages>", field="value", one=True)) == 1:
                return pdf
    return None


def font_dir(dirs: tuple[Path, ...] | None = None) -> Path:
    """The folder holding Liberation Serif with all of Vietnamese; FontMissing (in Vietnamese) if there is none."""
    found = _found(tuple(dirs or FONT_DIRS))
    if found is None:
        _found.cache_clear()  # installed later: look again next time
        raise FontMissing(
            f"Không tạo được tệp PDF: máy chủ chưa có phông chữ {FAMILY} đủ dấu tiếng Việt "
            f"(gói Debian fonts-liberation2). Quản trị viên cài bằng lệnh «{INSTALL}» rồi thử lại."
        )
    return found
