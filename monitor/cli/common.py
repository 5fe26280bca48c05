"""What every command shares: the application context, option types and the one error edge."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from monitor.errors import MonitorError
from monitor.periods import check_period
from monitor.settings import Settings, database_url, load_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


@dataclass
class App:
    """Settings and a lazily opened database, handed to every command through click's context."""

    config: Path | None = None
    db: str | None = None
    debug: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _factory: sessionmaker[Session] | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config)
        return self._settings

    @property
    def db_url(self) -> str:
        return database_url(self.settings, self.db)

    def sessions(self, create: bool = False) -> sessionmaker[Session]:
        """The database's session factory; only commands that load data may create a new SQLite file."""
        if self._factory is None:
            from monitor.db import open_database

            if not create:
                _require_existing(self.db_url)

            self._factory = open_database(self.db_url, notify=lambda msg: click.echo(msg, err=True))
        return self._factory


def _require_existing(url: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return  # open_database says what is wrong with it
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
        raise MonitorError(f"no database at {parsed.database}: load files first (fundmon ingest PATH), "
                           "or point --db / FUNDMON_DB at the bureau's database")


pass_app = click.make_pass_decorator(App, ensure=True)


class GuardedGroup(click.Group):
    """Turns MonitorError into one line and exit 2, anything unexpected into one line and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            _fail(ctx, f"Error: {exc}", exc.exit_code, exc)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # output piped into `head` and closed: nothing more to say
            sys.stderr.close()
            sys.exit(0)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        except Exception as exc:  # the CLI edge: never a traceback unless --debug
            _fail(ctx, f"Internal error: {type(exc).__name__}: {exc} (run with --debug for details)", 1, exc)


def _fail(ctx: click.Context, message: str, code: int, exc: BaseException) -> None:
    app = ctx.find_object(App)
    if app is not None and app.debug:
        raise exc
    click.echo(message, err=True)
    ctx.exit(code)


class PeriodType(click.ParamType):
    name = "YYYY-MM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return check_period(str(value))
        except MonitorError as exc:
            self.fail(str(exc), param, ctx)


class DateType(click.ParamType):
    """A date (YYYY-MM-DD) or a date and time (YYYY-MM-DD HH:MM)."""

    name = "DATE"

    def __init__(self, with_time: bool = False) -> None:
        self.with_time = with_time

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, date | datetime):
            return value
        text = _iso_like(str(value))
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date like 2023-11-03 (or 2023-11-03 09:30)", param, ctx)
        return parsed if self.with_time else parsed.date()


def _iso_like(text: str) -> str:
    """2023/11/3, 2023.11.3 and 2023年11月3日 9:30 → 2023-11-03 9:30, for fromisoformat."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", text).strip().replace("T", " ")
    match = re.match(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(.*)$", text)
    if not match:
        return text
    year, month, day, rest = match.groups()
    rest = rest.strip()
    if rest and re.match(r"^\d{1,2}:\d{2}(:\d{2})?$", rest) and len(rest.split(":")[0]) == 1:
        rest = "0" + rest
    return f"{year}-{int(month):02d}-{int(day):02d}" + (f" {rest}" if rest else "")


PERIOD = PeriodType()
DATE = DateType()
DATETIME = DateType(with_time=True)


def wan(yuan: float | None) -> str:
    """元 → ``1,234.56`` 万元 text for tables."""
    return "" if yuan is None else f"{yuan / 10000:,.2f}"


def pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def shown(text: str) -> str:
    """Text from a file (a file name, a town) made safe for the terminal: control characters (an escape
    sequence in a file name) are shown as ``?`` instead of reaching the terminal."""
    return "".join(ch if ch.isprintable() or ch == " " else "?" for ch in text)


def data_console(width: int) -> Any:
    """A console for tables of data: no rich markup, emoji or highlighting — a file named ``[bold]x.xlsx``
    or a project named ``道路[/b]`` prints as it is, never as style (or a markup error)."""
    from rich.console import Console

    return Console(soft_wrap=False, width=max(Console().width, width), markup=False, emoji=False,
                   highlight=False)
