"""From a published signal to a webhook and an e-mail at the regional service, every process real."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from consumers.intake import app as intake_app
from consumers.notifier import app as notifier_app
from consumers.notifier.settings import NotifierSettings
from consumers.relay import app as relay_app
from consumers.relay.settings import RelaySettings
from producers.publisher import Publisher
from signalhub.settings import DatabaseSettings, KafkaSettings, Settings
from tests.fixtures.alerts import SmtpServer, WebhookReceiver
from tests.fixtures.intake import HUB_RULES, make_family, make_signal
from tests.integration.alerts.helpers import wait_until

pytestmark = pytest.mark.integration


def test_signal_reaches_webhook_and_email_once_without_personal_data(
    tmp_path: Path,
    alerts_pg_url: str,
    kafka_settings: KafkaSettings,
    webhook_receiver: WebhookReceiver,
    smtp_server: SmtpServer,
) -> None:
    routing = tmp_path / "routing.toml"
    routing.write_text(
        f'[channels.hook]\ntype = "webhook"\nurl = "{webhook_receiver.url}"\n'
        '[channels.mail]\ntype = "email"\nto = ["duty@example.org"]\n'
        '[[routes]]\nchannels = ["hook", "mail"]\n',
        encoding="utf-8",
    )
    settings = Settings(
        kafka=kafka_settings, db=DatabaseSettings(url=alerts_pg_url), region_code=HUB_RULES.region_code
    )
    notifier = NotifierSettings(
        routing_path=routing,
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        group_id=f"notifier-{uuid.uuid4().hex[:8]}",
        case_url_base="https://hub.example.org/cases",
    )
    stop = threading.Event()
    processes: list[Callable[[], None]] = [
        lambda: intake_app.run(settings, group=f"intake-{uuid.uuid4().hex[:8]}", stop=stop),
        lambda: relay_app.run(settings, RelaySettings(), stop),
        lambda: notifier_app.run(settings, notifier, stop),
    ]
    threads = [threading.Thread(target=p, daemon=True) for p in processes]
    for t in threads:
        t.start()
    family = make_family(7)
    signal = make_signal(family, "police")
    try:
        with Publisher(kafka_settings, rules=HUB_RULES) as publisher:
            publisher.publish(signal)
        assert wait_until(lambda: webhook_receiver.bodies() and smtp_server.sink.received(), timeout_s=60)
    finally:
        stop.set()
        for t in threads:
            t.join(30)

    [post] = webhook_receiver.bodies()
    alert = json.loads(post.body)
    assert alert["alert_type"] == "case_opened"
    assert alert["agencies"] == ["police"]
    assert alert["children_count"] == len(family.children)
    [mail] = smtp_server.sink.received()
    assert alert["case_number"] in mail["Subject"]
    texts = post.body.decode("utf-8") + mail["Subject"] + mail.get_content()
    people = [family.mother, *family.children]
    for person in people:
        assert person["surname"] not in texts
        assert person["first_name"] not in texts
    assert family.address.split(",")[1].strip() not in texts
