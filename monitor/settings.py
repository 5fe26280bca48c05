"""Every setting declared once (name, default, help); the config file, CLI help and docs read from here."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError

DEFAULT_DB_URL = "sqlite:///fundmon.db"
DEFAULT_CONFIG_NAME = "fundmon.toml"


@dataclass(frozen=True)
class Setting:
    """One setting: a dotted key as written in fundmon.toml, its default, type and help."""

    key: str
    default: Any
    help: str
    kind: type = str
    low: float | None = None
    high: float | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("database.url", DEFAULT_DB_URL, "Database URL (SQLite file or postgresql+psycopg://…).", str),
    Setting("district.name", "湘桥区", "District name, used in documents and to strip name prefixes.", str),
    Setting("district.bureau", "湘桥区农业农村局", "The bureau that issues documents.", str),
    Setting("towns.expected", [], "Towns expected to report (empty: learn towns from the data).", list),
    Setting("reporting.deadline_day", 5, "Reports for a month are due by this day of the next month.", int, 1, 28),
    Setting("reporting.holidays", [], "Public holidays (YYYY-MM-DD) that move the deadline.", list),
    Setting("reporting.workdays", [], "Weekend days that are working days (调休上班), YYYY-MM-DD.", list),
    Setting("reporting.timezone", "Asia/Shanghai", "Time zone of received times and schedules.", str),
    Setting("ingest.max_file_mb", 50, "Refuse files larger than this (MB).", int, 1, 2048),
    Setting("ingest.max_uncompressed_mb", 300, "Refuse xlsx whose contents expand beyond this (MB).", int, 1, 8192),
    Setting("ingest.max_rows", 100000, "Refuse sheets with more rows than this.", int, 10, 10000000),
    Setting("ingest.header_scan_rows", 30, "How many top rows to search for the header.", int, 1, 1000),
    Setting("ingest.findings_dir", "问题清单", "Where 问题清单 workbooks go (relative to the working folder).", str),
    Setting("identity.candidate_score", 80, "Similarity (0–100) from which two names are merge candidates.", int, 0, 100),
    Setting("rules.benchmark_mode", "monthly",
            "序时进度: monthly (month/12), daily (days elapsed/days in year) or targets (the table below).", str),
    Setting("rules.targets", {"03-31": 0.30, "06-30": 0.50, "09-30": 0.75, "12-31": 1.0},
            "Benchmark targets by month-day for mode 'targets' (linear between points, 0 at 01-01).", dict),
    Setting("rules.green_gap", 0.10, "Green while gap (benchmark − spend rate) ≤ this.", float, 0, 1),
    Setting("rules.yellow_gap", 0.30, "Yellow while gap ≤ this; red above.", float, 0, 1),
    Setting("rules.zero_spend_benchmark", 0.25, "Nothing spent once the benchmark reaches this: red, zero-spend.",
            float, 0, 1),
    Setting("rules.stalled_months", 2, "stalled: no new spending over this many consecutive months.", int, 1, 12),
    Setting("rules.awaiting_transfer_reports", 2,
            "awaiting-transfer: requested > disbursed in this many consecutive monthly reports.", int, 1, 12),
    Setting("rules.progress_gap", 0.5, "progress-gap: physical progress − spend rate ≥ this.", float, 0, 1),
    Setting("rules.carryover_recovery_years", 2, "carryover-2y: money this many years old is at risk of recovery.",
            int, 1, 10),
    Setting("rules.bottom_n", 3, "How many slowest towns are marked (bottom three).", int, 0, 100),
    Setting("rules.outlook_reports", 3, "year-end-risk: the pace of this many latest reports is projected.", int, 2, 12),
    Setting("letters.prefix", "湘农函", "代字 of letter numbers: {prefix}〔YYYY〕N号.", str),
    Setting("letters.reply_days", 10, "A letter's reply is due this many days after its date.", int, 1, 90),
    Setting("letters.escalate_days", 45,
            "督办函: a project still flagged within this many days of an issued letter naming it.", int, 1, 365),
    Setting("letters.contact", "", "联系人 named in letters (blank: left for the clerk to fill in).", str),
    Setting("letters.phone", "", "联系电话 named in letters (blank: left for the clerk to fill in).", str),
    Setting("letters.finance_bureau", "湘桥区财政局", "Recipient of the letter on money requested but not transferred.",
            str),
    Setting("schedule.inbox_dir", "inbox", "Folder the inbox job takes new town files from.", str),
    Setting("schedule.processed_dir", "processed", "Files taken in are moved to processed/YYYY-MM-DD/ here.", str),
    Setting("schedule.rejected_dir", "rejected", "Files refused are moved here, each with its 问题清单 beside it.", str),
    Setting("schedule.out_dir", "outputs", "Where scheduled runs write dispatch, letters and review packs.", str),
    Setting("schedule.inbox_minutes", 10, "The inbox job runs every this many minutes.", int, 1, 1440),
    Setting("schedule.inbox_settle_seconds", 60,
            "A file is taken only once unchanged this long (it may still be being copied).", int, 0, 3600),
    Setting("schedule.weekly_day", "mon", "Day of the weekly dispatch + letters (mon … sun).", str),
    Setting("schedule.weekly_time", "09:00", "Time of the weekly run (HH:MM, reporting.timezone).", str),
    Setting("schedule.monthly_day", 6, "Day of the month of the monthly review + 催报 (after the deadline).",
            int, 1, 28),
    Setting("schedule.monthly_time", "09:00", "Time of the monthly run (HH:MM, reporting.timezone).", str),
    Setting("schedule.misfire_grace_hours", 168,
            "A run missed while the machine was off still runs (once) if started within this many hours.",
            int, 1, 2000),
    Setting("schedule.lease_seconds", 120,
            "A standby scheduler takes over when the running one has not renewed its lease for this long.",
            int, 10, 3600),
)

_BY_KEY = {s.key: s for s in SETTINGS}


@dataclass
class Settings:
    """The effective settings: defaults, overridden by the config file, overridden by the CLI."""

    values: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None

    def __getitem__(self, key: str) -> Any:
        if key not in _BY_KEY:
            raise KeyError(key)
        return self.values.get(key, _BY_KEY[key].default)

    @property
    def expected_towns(self) -> list[str]:
        return list(self["towns.expected"])

    @property
    def holidays(self) -> set[date]:
        return {_parse_day(d, "reporting.holidays") for d in self["reporting.holidays"]}

    @property
    def workdays(self) -> set[date]:
        return {_parse_day(d, "reporting.workdays") for d in self["reporting.workdays"]}


def _parse_day(text: Any, key: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError as exc:
        raise ConfigError(f"{key}: {text!r} is not a date (YYYY-MM-DD)") from exc


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and dotted not in _BY_KEY:
            flat.update(_flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def _check(key: str, value: Any, origin: str) -> Any:
    if key not in _BY_KEY:
        known = ", ".join(sorted(_BY_KEY))
        raise ConfigError(f"{origin}: unknown setting {key!r} (known: {known})")
    kind = _BY_KEY[key].kind
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if kind in (int, float) and isinstance(value, bool) or not isinstance(value, kind):
        raise ConfigError(f"{origin}: {key} must be {kind.__name__}, got {value!r}")
    low, high = _BY_KEY[key].low, _BY_KEY[key].high
    if low is not None and high is not None and not low <= value <= high:
        raise ConfigError(f"{origin}: {key} must be between {low:g} and {high:g}, got {value!r}")
    return value


def _check_together(settings: Settings) -> None:
    """Rules that involve more than one setting, checked once at start rather than mid-run."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    settings.holidays, settings.workdays  # noqa: B018 - the dates parse now, not mid-run
    if settings["rules.green_gap"] > settings["rules.yellow_gap"]:
        raise ConfigError("rules.green_gap must not be larger than rules.yellow_gap")
    if settings["rules.benchmark_mode"] not in ("monthly", "daily", "targets"):
        raise ConfigError(f"rules.benchmark_mode must be monthly, daily or targets, got "
                          f"{settings['rules.benchmark_mode']!r}")
    try:
        ZoneInfo(settings["reporting.timezone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"reporting.timezone: unknown time zone {settings['reporting.timezone']!r}") from exc
    if any(not isinstance(t, str) or not t.strip() for t in settings["towns.expected"]):
        raise ConfigError("towns.expected must be a list of town names")
    _check_targets(settings["rules.targets"])
    _check_schedule(settings)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def clock_time(settings: Settings, key: str) -> tuple[int, int]:
    """An HH:MM setting as (hour, minute)."""
    text = str(settings[key]).strip()
    hour, _, minute = text.partition(":")
    try:
        hm = int(hour), int(minute)
    except ValueError:
        hm = (-1, -1)
    if not (0 <= hm[0] <= 23 and 0 <= hm[1] <= 59):
        raise ConfigError(f"{key}: {text!r} is not a time of day (HH:MM, e.g. 09:00)")
    return hm


def _check_schedule(settings: Settings) -> None:
    clock_time(settings, "schedule.weekly_time")
    clock_time(settings, "schedule.monthly_time")
    if str(settings["schedule.weekly_day"]).lower() not in WEEKDAYS:
        raise ConfigError(f"schedule.weekly_day must be one of {', '.join(WEEKDAYS)}, "
                          f"got {settings['schedule.weekly_day']!r}")


def _check_targets(targets: Mapping[str, Any]) -> None:
    for day, value in targets.items():
        try:
            date.fromisoformat(f"2024-{day}")
        except ValueError as exc:
            raise ConfigError(f"rules.targets: {day!r} is not a month-day like 06-30") from exc
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ConfigError(f"rules.targets: {day} must be a fraction between 0 and 1, got {value!r}")


def load_settings(path: Path | None = None, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Read ``path`` (or ./fundmon.toml when it exists), check every key, apply overrides."""
    values: dict[str, Any] = {}
    source = None
    if path is None and Path(DEFAULT_CONFIG_NAME).is_file():
        path = Path(DEFAULT_CONFIG_NAME)
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {path}") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        for key, value in _flatten(data).items():
            values[key] = _check(key, value, str(path))
        source = Path(path)
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = _check(key, value, "command line")
    settings = Settings(values, source)
    _check_together(settings)
    return settings


def database_url(settings: Settings, cli_value: str | None = None) -> str:
    """--db, else FUNDMON_DB, else the config file, else the default."""
    return cli_value or os.environ.get("FUNDMON_DB") or settings["database.url"]


def example_toml() -> str:
    """A commented fundmon.toml with every setting at its default (the shipped example is made from this)."""
    lines = ["# fundmon settings — every key is optional; shown with its default.", ""]
    section = None
    for s in SETTINGS:
        head, name = s.key.rsplit(".", 1)
        if head != section:
            lines += ["", f"[{head}]"] if section else [f"[{head}]"]
            section = head
        lines.append(f"# {s.help}")
        lines.append(f"{name} = {_toml_value(s.default)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_value(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return str(value).lower() if isinstance(value, bool) else str(value)
