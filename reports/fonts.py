"""The CJK font for charts: the packaged Noto Sans CJK, registered with matplotlib so Chinese never turns to tofu.

A fresh machine has no CJK font, and a stale font cache hides new ones (NOTES.md), so the font file
shipped by the pinned ``noto-cjk-sans-otc`` dependency is registered with ``fontManager.addfont`` and
its faces are moved to the front of the font list: matplotlib keeps the first of equally good
matches, so a system font of the same family name (Debian's ``fonts-noto-cjk``) never wins.
``font.family`` is a list — a Latin font first, the CJK face second — so digits and Latin letters
come from the Latin font and every CJK character falls back to the packaged file.

Chart text must stay at normal weight and style: the package has the Regular face only, and a bold
request would go to whichever bold CJK font a machine happens to have.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from monitor.errors import MonitorError

FONT_PACKAGE = "noto_cjk_sans_otc"
FONT_FILE = "NotoSansCJK-Regular.ttc"
#: the Simplified Chinese face of the collection (the first face, JP, draws some hanzi the Japanese way)
CJK_FAMILY = "Noto Sans CJK SC"
#: ships with matplotlib itself, so it is always there
LATIN_FAMILY = "DejaVu Sans"


class FontMissingError(MonitorError):
    """The packaged CJK font cannot be found: charts would show boxes instead of Chinese."""


def cjk_font_path() -> Path:
    """The packaged CJK font file; FontMissingError when the package or its file is missing."""
    try:
        path = Path(str(resources.files(FONT_PACKAGE) / FONT_FILE))
    except ModuleNotFoundError as exc:
        raise FontMissingError(f"the Chinese chart font package {FONT_PACKAGE!r} is not installed: "
                               f"pip install 'noto-cjk-sans-otc==0.0.1' (or reinstall fundmon)") from exc
    if not path.is_file():
        raise FontMissingError(f"the Chinese chart font {path} is missing: reinstall noto-cjk-sans-otc")
    return path


def _is_packaged(entry: font_manager.FontEntry, path: Path) -> bool:
    return entry.fname in (str(path), str(path.resolve()))


def register_cjk_font() -> str:
    """Register the packaged font (once), put its faces first, set ``font.family``; return the CJK family.

    Idempotent and cheap when already done, so chart code may call it before every figure (a font
    cache rebuild inside matplotlib would otherwise drop the registration).
    """
    path = cjk_font_path()
    manager = font_manager.fontManager
    ours = [e for e in manager.ttflist if _is_packaged(e, path)]
    if not ours:
        manager.addfont(str(path))
        ours = [e for e in manager.ttflist if _is_packaged(e, path)]
    family = _family_of(ours, path)
    if manager.ttflist[: len(ours)] != ours:
        manager.ttflist = ours + [e for e in manager.ttflist if not _is_packaged(e, path)]
        manager._findfont_cached.cache_clear()  # the list changed under the lookup cache
    families = [LATIN_FAMILY, family]
    if list(matplotlib.rcParams["font.family"]) != families:
        matplotlib.rcParams["font.family"] = families
    return family


def _family_of(entries: list[font_manager.FontEntry], path: Path) -> str:
    """The Simplified Chinese face's family name, else the collection's first face's (its ``get_name``)."""
    names = [e.name for e in entries]
    if CJK_FAMILY in names:
        return CJK_FAMILY
    if not names:
        raise FontMissingError(f"matplotlib could not read the Chinese chart font {path}")
    return font_manager.FontProperties(fname=str(path)).get_name()


def font_families() -> list[str]:
    """``font.family`` as set for charts: the Latin family, then the CJK family."""
    return [LATIN_FAMILY, register_cjk_font()]
