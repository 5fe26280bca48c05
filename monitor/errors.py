"""The one exception hierarchy for program and configuration problems (file problems are findings)."""


class MonitorError(Exception):
    """Base of every error fundmon raises on purpose; the CLI shows it as one line, exit code 2."""

    exit_code = 2


class ConfigError(MonitorError):
    """The settings file or a setting's value is wrong."""


class DatabaseError(MonitorError):
    """The database cannot be opened, migrated or written."""


class UsageError(MonitorError):
    """A command was asked for something that cannot be done (unknown id, bad period, …)."""
