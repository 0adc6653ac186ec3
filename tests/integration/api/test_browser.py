"""The workplace in a real browser (Debian chromium, headless, driven by Playwright) against data
produced by the real pipeline: simulator signals -> real broker -> intake -> PostgreSQL.

Logs in, opens the queue, acknowledges a case, assigns a curator, schedules a conference, closes
the case with an outcome, and visits the match review, dashboard, audit, operator and users pages.
Then the access rules as a browser meets them: a login form posted from another origin is
refused, and a police liaison sees other agencies' signals only as agency, type and date.
Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from producers.simulator.signals import simulate
from signalhub.settings import KafkaSettings
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub.store.models import Case, CaseEvent, Conference
from signalhub_cli import app as cli
from tests.fixtures.api import PASSWORD, app_settings
from tests.fixtures.browser import ARGS, CHROMIUM, SHOTS, served
from tests.fixtures.intake import publish, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def pipeline_db(api_db_url: str, kafka_settings: KafkaSettings, intake_thread: Callable[..., Any]) -> str:
    """Simulated signals published to the real broker and taken in by the real intake."""
    signals = [s.signal.to_avro() for s in simulate(7, 40, region_code="31")]
    runner = intake_thread(api_db_url)
    publish(kafka_settings, signals)
    engine = make_engine(api_db_url)
    sessions = make_sessionmaker(engine)

    def settled() -> bool:
        with sessions() as s:
            return (s.scalar(select(func.count()).select_from(Case)) or 0) >= 5

    wait_for(settled, timeout_s=90, what="cases from the pipeline")
    time.sleep(1.0)  # let the last batch commit
    engine.dispose()
    assert runner.error is None
    for args in (
        ["--username", "coord", "--role", "coordinator", "--display-name", "Иванова М. С."],
        ["--username", "curator", "--role", "curator", "--municipality", "14701000001",
         "--display-name", "Петров А. В."],
        ["--username", "oper", "--role", "operator", "--display-name", "Оператор"],
        ["--username", "police", "--role", "liaison", "--agency", "police", "--display-name", "МВД"],
    ):  # fmt: skip
        result = CliRunner().invoke(cli, ["users", "add", *args, "--password", PASSWORD, "--url", api_db_url])
        assert result.exit_code == 0, result.output
    return api_db_url


@pytest.fixture
def server(pipeline_db: str, kafka_as: Callable[[str], KafkaSettings]) -> Iterator[str]:
    settings = app_settings(pipeline_db).model_copy(update={"kafka": kafka_as("api")})
    with served(settings) as url:
        yield url


def test_case_flow_in_a_real_browser(server: str, pipeline_db: str) -> None:
    from playwright.sync_api import sync_playwright

    # `make setup` installs Debian's chromium (deploy/system-deps.sh); a missing browser is a failure.
    assert CHROMIUM.exists(), "Debian chromium is not installed: run deploy/system-deps.sh"

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="ru-RU")
        page.goto(f"{server}/ui/")
        assert page.url.endswith("/ui/login")
        page.screenshot(path=str(SHOTS / "01-login.png"))
        page.fill("input[name=username]", "coord")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/ui/")
        page.wait_for_selector("table.grid tbody tr a")
        page.wait_for_function("document.querySelector('.countdown') === null || "
                               "document.querySelector('.countdown').textContent.includes('осталось') || "
                               "document.querySelector('.countdown').textContent.includes('просрочен')")  # fmt: skip
        page.screenshot(path=str(SHOTS / "02-queue.png"), full_page=True)

        page.click("table.grid tbody tr:first-child a")
        page.wait_for_selector("h1:has-text('Случай')")
        case_id = page.url.rsplit("/", 1)[-1]
        page.screenshot(path=str(SHOTS / "03-case-new.png"), full_page=True)
        page.click("#ack")
        page.wait_for_selector(".flash.ok")
        muni = page.eval_on_selector("#curator_id optgroup", "g => g.label")
        if "14701000001" in muni:
            page.select_option("#curator_id", label="Петров А. В.")
        else:  # a curator of another municipality needs the confirmation
            page.select_option("#curator_id", label="Петров А. В. (14701000001)")
            page.check("#confirm_other")
        page.click("#assign")
        page.wait_for_selector("dd:has-text('Петров А. В.')")

        page.click("#conference-form summary")
        page.fill("input[name=scheduled_at]", "2030-02-01T10:00")
        for agency in ("health", "guardianship"):
            page.check(f"#conference-form input[value={agency}]")
        page.fill(
            "textarea[name=protocol]", "Потребности семьи: жильё, работа матери. Причины: утрата дохода."
        )
        page.fill(
            "textarea[name=recommendations]", "Соцзащите — оформить пособие; опеке — патронаж раз в неделю."
        )
        page.fill("input[name=follow_up_date]", "2030-03-01")
        page.click("#schedule")
        page.wait_for_selector(".conf:has-text('Рекомендации')")
        page.screenshot(path=str(SHOTS / "04-case-conference.png"), full_page=True)

        page.click("#close-form summary")
        page.select_option("#outcome", "family_preserved")
        page.fill("#close-reason", "семья получила помощь до консилиума")
        page.check("#close-confirm")
        page.click("#close")
        page.wait_for_selector(".stage:has-text('Ребёнок сохранён в семье')")
        page.screenshot(path=str(SHOTS / "05-case-closed.png"), full_page=True)

        for path, name in (("/ui/matches", "06-matches"), ("/ui/dashboard", "07-dashboard"),
                           ("/ui/audit", "08-audit"), ("/ui/ops", "09-ops"), ("/ui/users", "10-users")):  # fmt: skip
            page.goto(server + path)
            if name == "07-dashboard":
                page.wait_for_function("Chart.instances && Object.keys(Chart.instances).length === 5")
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

        # A login form on a page of another origin: the browser sends its Origin, the hub refuses.
        hostile = browser.new_page()
        hostile.set_content(
            f'<form method="post" action="{server}/ui/login"><input name="username" value="coord">'
            f'<input name="password" value="{PASSWORD}"><button id="go">go</button></form>'
        )
        with hostile.expect_navigation():
            hostile.click("#go")
        assert "Вход возможен только со страницы входа этого сервиса" in hostile.content()

        liaison = browser.new_page(viewport={"width": 1360, "height": 900}, locale="ru-RU")
        liaison.goto(f"{server}/ui/login")
        liaison.fill("input[name=username]", "police")
        liaison.fill("input[name=password]", PASSWORD)
        liaison.click("button[type=submit]")
        liaison.wait_for_url(f"{server}/ui/")
        mixed = _case_with_police_and_others(pipeline_db)
        liaison.goto(f"{server}/ui/cases/{mixed}")
        liaison.wait_for_selector("li.signal.police")
        others = liaison.locator("li.signal:not(.police)")
        assert others.count() >= 1
        assert liaison.locator("li.signal:not(.police) p.desc").count() == 0
        assert liaison.locator("li.signal:not(.police) .withheld").count() == others.count()
        liaison.screenshot(path=str(SHOTS / "11-liaison-case.png"), full_page=True)
        browser.close()

    engine = make_engine(pipeline_db)
    with make_sessionmaker(engine)() as s:
        case = s.get(Case, case_id)
        assert case is not None
        assert (case.status, case.outcome, case.acknowledged_at is not None) == (
            "closed",
            "family_preserved",
            True,
        )
        kinds = s.scalars(
            select(CaseEvent.kind).where(CaseEvent.case_id == case_id, CaseEvent.actor != "intake")
        )
        assert {"acknowledged", "curator_assigned", "conference_scheduled", "closed"} <= set(kinds)
        conf = s.scalars(select(Conference).where(Conference.case_id == case_id)).one()
        assert {"guardianship", "health"} <= set(conf.agencies)
    engine.dispose()


def _case_with_police_and_others(url: str) -> str:
    """An open case that police and at least one other agency signalled."""
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as s:
            for case in s.scalars(select(Case)):
                if "police" in case.agencies and len(set(case.agencies)) > 1:
                    return case.id
    finally:
        engine.dispose()
    raise AssertionError("the simulated pipeline made no case of police and another agency")
