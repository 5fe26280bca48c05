"""A session's memo of read-only results (a province's judged projects), dropped at the session's first write.

The dispatch judges the same month twice (its status and its money sources): at province scale that is
~6 s each. A result kept in ``session.info`` is reused only while nothing was written since: any flush,
commit or rollback, and any statement through the session that is not an ORM SELECT, empties the memo;
a session with unflushed changes gets no memo at all.

A job that runs several reports one after another on figures none of them changes (the weekly job: the
dispatch pack, then the letters) shares one memo across their sessions with :func:`shared`: each report
opens and commits its own session (a snapshot, the register), which would otherwise empty the memo.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

_KEY = "fundmon.memo"
_SHARED: ContextVar[dict[Any, Any] | None] = ContextVar("fundmon_shared_memo", default=None)


@contextmanager
def shared() -> Iterator[None]:
    """Within the block, read-only results are kept across sessions and writes (per database). Only for
    reports that write nothing the results are read from (snapshots, letters), never around an ingest."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def shared_memo(session: Session) -> dict[Any, Any] | None:
    """The memo :func:`shared` keeps for the session's database, or None outside such a block."""
    memo = _SHARED.get()
    if memo is None:
        return None
    return memo.setdefault(str(session.get_bind().url), {})  # type: ignore[no-any-return]


def memos(session: Session) -> list[dict[Any, Any]]:
    """The memos a result read through ``session`` may be kept in: the session's (while it holds no
    changes) and the :func:`shared` one (within such a block)."""
    return [m for m in (session_memo(session), shared_memo(session)) if m is not None]


def session_memo(session: Session) -> dict[Any, Any] | None:
    """The session's memo, or None while it holds changes not yet flushed (a fresh result could differ)."""
    if session.new or session.dirty or session.deleted:
        forget(session)
        return None
    return session.info.setdefault(_KEY, {})  # type: ignore[no-any-return]


def forget(session: Session, *_: Any) -> None:
    session.info.pop(_KEY, None)


def _on_execute(state: ORMExecuteState) -> None:
    if not state.is_select:
        forget(state.session)


for _name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    if not event.contains(Session, _name, forget):
        event.listen(Session, _name, forget)
if not event.contains(Session, "do_orm_execute", _on_execute):
    event.listen(Session, "do_orm_execute", _on_execute)
