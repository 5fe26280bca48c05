"""Writing output files safely: a reader (or a crash) never sees half a document."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

#: temporary files are hidden (``.name.…``) and carry this marker before the target's own suffix
PART = ".part"
#: path separators, characters Windows refuses in names, and every control character (NUL, newline …)
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_DEVICES = re.compile(r"(?i)^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?$")


def safe_file_name(text: str, *, limit: int = 40) -> str:
    """Text (a town, a recipient, a project) made into one file-name component that stays in its folder:
    no separators, ``..``, control or Windows-reserved characters, no leading dot, no device name, at most
    ``limit`` characters (and three times that in UTF-8 bytes, so a prefix and suffix still fit in the 255
    bytes a name may have). ``../../x镇`` → ``x镇``; an empty result is ``_``."""
    name = "".join(ch for ch in unicodedata.normalize("NFC", str(text)) if unicodedata.category(ch) != "Cc")
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\.{2,}", ".", name).strip(" ._")[:limit]
    name = name.encode("utf-8")[: 3 * limit].decode("utf-8", "ignore").strip(" .")
    if not name or _DEVICES.match(name):
        name = f"_{name}"
    return name


def write_atomically(target: Path, write: Callable[[Path], object], *, mode: int = 0o644) -> Path:
    """Let ``write`` fill a temporary file in ``target``'s folder, then move it into place in one step.

    The temporary file has a unique name (two runs never share it) and keeps ``target``'s suffix, so a
    writer that goes by the extension still works. If ``write`` fails, the temporary file is removed and
    an existing ``target`` is left as it was. The folder is created when missing. Returns ``target``.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f"{PART}{target.suffix}",
                                    dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, mode)  # mkstemp makes the file private; outputs are for colleagues
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def remove_partial_files(folder: Path) -> None:
    """Delete temporary files a killed run left in ``folder`` (only ours: hidden, with the marker)."""
    for stale in Path(folder).glob(f".*{PART}*"):
        if stale.is_file():
            stale.unlink(missing_ok=True)


__all__ = ["PART", "remove_partial_files", "safe_file_name", "write_atomically"]
