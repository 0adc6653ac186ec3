"""The API, gateway and notifier refuse to start on the shipped default secrets unless
SIGNALHUB_DEV_MODE is set; the refusal names the variable, never a value."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from signalhub_cli import app

COMMANDS = [["api", "serve"], ["gateway", "serve"], ["notifier", "run"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_default_secret_key_is_refused(command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGNALHUB_DEV_MODE", raising=False)
    monkeypatch.delenv("SIGNALHUB_SECRET_KEY", raising=False)
    monkeypatch.setenv("SIGNALHUB_NOTIFIER_WEBHOOK_SECRET", "a-webhook-secret-of-our-own")
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2
    assert "refusing to start: SIGNALHUB_SECRET_KEY" in result.output


def test_notifier_names_its_default_webhook_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGNALHUB_DEV_MODE", raising=False)
    monkeypatch.setenv("SIGNALHUB_SECRET_KEY", "a-secret-of-our-own")
    monkeypatch.delenv("SIGNALHUB_NOTIFIER_WEBHOOK_SECRET", raising=False)
    result = CliRunner().invoke(app, ["notifier", "run"])
    assert result.exit_code == 2
    assert "SIGNALHUB_NOTIFIER_WEBHOOK_SECRET" in result.output
    assert "a-secret-of-our-own" not in result.output


def test_dev_mode_lets_the_defaults_pass() -> None:
    from signalhub.settings import Settings

    assert Settings(dev_mode=True).default_secrets() == []
    assert Settings(dev_mode=False).default_secrets() == ["SIGNALHUB_SECRET_KEY"]
