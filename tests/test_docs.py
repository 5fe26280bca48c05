"""Generated docs stay true: the CLI reference, the findings catalogue and the example settings file."""

from __future__ import annotations

from pathlib import Path

from monitor.cli.reference import cli_reference, findings_catalogue
from monitor.settings import example_toml, load_settings

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = "regenerate with: python -m monitor.cli.reference {} > docs/{}.md"


def test_cli_reference_is_current() -> None:
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == cli_reference(), \
        REGENERATE.format("cli", "cli")


def test_findings_catalogue_is_current() -> None:
    assert (ROOT / "docs" / "findings.md").read_text(encoding="utf-8") == findings_catalogue(), \
        REGENERATE.format("findings", "findings")


def test_example_settings_file_is_current_and_loads() -> None:
    path = ROOT / "fundmon.example.toml"
    assert path.read_text(encoding="utf-8") == example_toml()
    assert load_settings(path)["reporting.deadline_day"] == 5
