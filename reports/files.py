"""Writing output files safely: a reader (or a crash) never sees half a document."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

#: temporary files are hidden (``.name.…``) and carry this marker before the target's own suffix
PART = ".part"


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


__all__ = ["PART", "remove_partial_files", "write_atomically"]
