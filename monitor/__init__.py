"""fundmon's domain core: settings, database, rules and status queries."""

__version__ = "0.1.0"
