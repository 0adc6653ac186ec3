"""The workplace in a real browser (Debian chromium, headless, driven by Playwright) against data
produced by the real pipeline: simulator signals -> real broker -> intake -> PostgreSQL.

Logs in, opens the queue, acknowledges a case, assigns a curator, schedules a conference (date
fields typed as дд.мм.гггг), closes the case with an outcome, and visits the match review, dashboard,
audit, operator and users pages, as the coordinator and as a curator. On every page: axe-core finds
no WCAG 2.1 A/AA violation, the page names the region's time zone, shows Russian forms and
municipality names, no word in Latin letters outside code (no English, no raw code), needs no
sideways scrolling at 320 px and keeps its menu on one line at 1 360 px; no request of the
coordinator's pages fails. The operator page lists four dead-lettered records, each in Russian.
Then the access rules as a browser meets them: a login form posted from another origin is
refused, and a police liaison sees other agencies' signals only as agency, type and date.
Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from producers.simulator.signals import simulate
from schemas.codec import Codec
from signalhub.kafka import make_producer
from signalhub.region import municipality_names
from signalhub.settings import REPO_ROOT, KafkaSettings
from signalhub.store.base import make_engine, make_sessionmaker
from signalhub.store.models import Case, CaseEvent, Conference
from signalhub_cli import app as cli
from tests.fixtures.api import PASSWORD, app_settings
from tests.fixtures.browser import ARGS, CHROMIUM, SHOTS, served
from tests.fixtures.intake import encode, make_family, make_signal, publish, wait_for

pytestmark = pytest.mark.integration
AXE = REPO_ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"  # `make axe`
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ZONE = "Asia/Novosibirsk, UTC+7"
# Every word in Latin letters a page may show outside `<code>` and `<pre>` (where commands, topic
# names and masked message bodies stay as the machine writes them): the zone's IANA name and the
# formats of the downloads; and the logins of this test's users (data, as the audit log shows them).
LATIN_ALLOWED = {"Asia/Novosibirsk", "UTC+7", "CSV", "XLSX", "coord", "curator", "oper", "mvd"}
DLQ_REASONS = ("Не расшифровывается", "Содержимое не прошло проверку", "Сигнал от имени другого ведомства",
               "Заголовки противоречат сигналу")  # fmt: skip
# Text nodes and the attributes people hear (screen readers) or see on hover, outside code.
PAGE_WORDS = """() => {
  const skip = 'code, pre, script, style, template, noscript';
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest(skip)) found.push(node.textContent);
  }
  for (const el of document.body.querySelectorAll('[aria-label], [title], [alt], [placeholder]')) {
    if (el.closest(skip)) continue;
    for (const name of ['aria-label', 'title', 'alt', 'placeholder']) {
      if (el.hasAttribute(name)) found.push(el.getAttribute(name));
    }
  }
  return found.join(' ');
}"""


def _parents_snils_in_a_childs_record() -> list[dict[str, Any]]:
    """Two families; the second's child carries the first's mother's SNILS: a possible match to review."""
    first, second = make_family(90), make_family(91)
    child = {**second.children[0], "snils": first.mother["snils"]}
    return [
        {**make_signal(first, "health"), "region_code": "54", "municipality_code": "50701000001"},
        {**make_signal(second, "police", children=[child], adults=[second.mother]), "region_code": "54",
         "municipality_code": "50701000001"},
    ]  # fmt: skip


def _dead_letters(kafka: KafkaSettings) -> None:
    """Records intake refuses, one of each reason the operations page must name in Russian: bytes
    that are not Avro, a child's SNILS with a wrong checksum, health's signal on the police topic,
    a `ce_id` header that contradicts the body."""
    family = make_family(92)
    valid = {**make_signal(family, "police"), "region_code": "54", "municipality_code": "50701000001"}
    bad_snils = {**valid, "children": [{**family.children[0], "snils": "112-233-445 00"}]}
    health = {**make_signal(family, "health"), "region_code": "54", "municipality_code": "50701000001"}
    value, headers = encode(valid)
    wrong_id = [(k, b"00000000-0000-4000-8000-000000000000" if k == "ce_id" else v) for k, v in headers]
    records = [
        (b"not avro at all", headers),
        (Codec("RiskSignal").encode(bad_snils), headers),
        (encode(health)[0], encode(health)[1]),
        (value, wrong_id),
    ]
    producer = make_producer(kafka)
    try:
        for raw, with_headers in records:
            producer.send(kafka.signal_topic("police"), key=b"bad", value=raw, headers=with_headers).get(30)
    finally:
        producer.close()


@pytest.fixture
def pipeline_db(api_db_url: str, kafka_settings: KafkaSettings, intake_thread: Callable[..., Any]) -> str:
    """Simulated signals published to the real broker and taken in by the real intake."""
    signals = [s.signal.to_avro() for s in simulate(7, 40, region_code="54")]
    signals += _parents_snils_in_a_childs_record()
    runner = intake_thread(api_db_url, region_code="54")  # the simulated signals are Novosibirsk's
    publish(kafka_settings, signals)
    _dead_letters(kafka_settings)
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
        ["--username", "curator", "--role", "curator", "--municipality", "50701000001",
         "--display-name", "Петров А. В."],
        ["--username", "oper", "--role", "operator", "--display-name", "Оператор"],
        ["--username", "mvd", "--role", "liaison", "--agency", "police", "--display-name", "МВД"],
    ):  # fmt: skip
        result = CliRunner().invoke(cli, ["users", "add", *args, "--password", PASSWORD, "--url", api_db_url])
        assert result.exit_code == 0, result.output
    return api_db_url


@pytest.fixture
def server(pipeline_db: str, kafka_as: Callable[[str], KafkaSettings]) -> Iterator[str]:
    settings = app_settings(pipeline_db).model_copy(update={"kafka": kafka_as("api")})
    with served(settings) as url:
        yield url


def _check_page(page: Any, name: str) -> str:
    """axe-core on the page (zero WCAG 2.1 A/AA violations), the zone named, no English codes; the
    page's text for the caller's own checks."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG
    )
    violations = [(v["id"], len(v["nodes"]), v["nodes"][0]["target"]) for v in result["violations"]]
    assert violations == [], f"{name}: {violations}"
    text: str = page.inner_text("body")
    assert ZONE in text, name
    for raw in ("inbox_accepted", "case.read", "kind=", "system/CLI", "intake", " OK", "Случай закрыт :"):
        assert raw not in text, f"{name}: {raw!r}"
    latin = set(re.findall(r"[A-Za-z](?:[\w.:/+-]*[\w+])?", page.evaluate(PAGE_WORDS))) - LATIN_ALLOWED
    assert latin == set(), f"{name}: English or raw codes {sorted(latin)}"
    return text


def _reflows(page: Any, name: str) -> None:
    """At 320 px the page needs no sideways scrolling (WCAG 1.4.10); wide tables scroll in their box."""
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(SHOTS / f"{name}-320.png"))
    page.set_viewport_size({"width": 1360, "height": 900})
    assert width <= 320, f"{name}: {width} px wide at 320 px"


def test_case_flow_in_a_real_browser(server: str, pipeline_db: str) -> None:
    from playwright.sync_api import sync_playwright

    # `make setup` installs Debian's chromium (deploy/system-deps.sh); a missing browser is a failure.
    assert CHROMIUM.exists(), "Debian chromium is not installed: run deploy/system-deps.sh"
    assert AXE.exists(), "axe-core is not installed: run make setup (make axe)"

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="ru-RU")
        refused: list[str] = []  # every request of the coordinator's pages that failed (the favicon's too)
        page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(f"{server}/ui/")
        assert page.url.endswith("/ui/login")
        page.screenshot(path=str(SHOTS / "01-login.png"))
        _check_page(page, "01-login")
        page.fill("input[name=username]", "coord")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/ui/")
        page.wait_for_selector("table.grid tbody tr a")
        page.wait_for_function("document.querySelector('.countdown') === null || "
                               "document.querySelector('.countdown').textContent.includes('осталось') || "
                               "document.querySelector('.countdown').textContent.includes('просрочен')")  # fmt: skip
        page.screenshot(path=str(SHOTS / "02-queue.png"), full_page=True)
        queue = _check_page(page, "02-queue")
        assert "г. Новосибирск" in queue
        assert re.search(r"Найдено: \d+ случа(й|я|ев)\.", queue)
        assert re.search(r"\b(1|[02-9]1) балл\b|\d+ балл(а|ов)\b", queue)
        nav_lines = page.evaluate(
            "new Set([...document.querySelectorAll('header nav a')].map(a => a.offsetTop)).size"
        )
        assert nav_lines == 1, "the menu wraps at 1 360 px"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        _reflows(page, "02-queue")
        icon = "fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)"
        assert page.evaluate(icon) == 200

        page.click("table.grid tbody tr:first-child a")
        page.wait_for_selector("h1:has-text('Случай')")
        case_id = page.url.rsplit("/", 1)[-1]
        page.screenshot(path=str(SHOTS / "03-case-new.png"), full_page=True)
        case_text = _check_page(page, "03-case-new")
        shown = re.search(r"Муниципалитет\s+(.+) \(ОКТМО (50\d+)\)", case_text)
        assert shown is not None
        assert shown[1] == municipality_names()[shown[2]]  # the name, with the code beside it
        assert re.search(
            r"Открыт\s+\d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря) \d{4}, \d\d:\d\d",
            case_text,
        )
        _reflows(page, "03-case-new")
        page.click("#ack")
        page.wait_for_selector(".flash.ok")
        assert page.get_attribute(".flash.ok >> xpath=..", "role") == "status"
        muni = page.eval_on_selector("#curator_id optgroup", "g => g.label")
        if "г. Новосибирск" in muni:
            page.select_option("#curator_id", label="Петров А. В.")
        else:  # a curator of another municipality needs the confirmation
            page.select_option("#curator_id", label="Петров А. В. (г. Новосибирск)")
            page.check("#confirm_other")
        page.click("#assign")
        page.wait_for_selector("dd:has-text('Петров А. В.')")

        page.click("#conference-form summary")
        page.fill("input[name=scheduled_at]", "01.02.2030 10:00")
        for agency in ("health", "guardianship"):
            page.check(f"#conference-form input[value={agency}]")
        page.fill(
            "textarea[name=protocol]", "Потребности семьи: жильё, работа матери. Причины: утрата дохода."
        )
        page.fill(
            "textarea[name=recommendations]", "Соцзащите — оформить пособие; опеке — патронаж раз в неделю."
        )
        page.fill("input[name=follow_up_date]", "01.03.2030")
        page.click("#schedule")
        page.wait_for_selector(".conf:has-text('Рекомендации')")
        page.screenshot(path=str(SHOTS / "04-case-conference.png"), full_page=True)
        conference = _check_page(page, "04-case-conference")
        assert "1 февраля 2030, 10:00" in conference  # typed in the region's zone, shown in words
        assert "Вернуться к случаю 1 марта 2030" in conference

        page.click("#close-form summary")
        page.select_option("#outcome", "family_preserved")
        page.fill("#close-reason", "семья получила помощь до консилиума")
        page.check("#close-confirm")
        page.click("#close")
        page.wait_for_selector(".stage:has-text('Ребёнок сохранён в семье')")
        page.screenshot(path=str(SHOTS / "05-case-closed.png"), full_page=True)
        closed = _check_page(page, "05-case-closed")
        assert "Случай закрыт: Ребёнок сохранён в семье" in closed

        page.goto(server + "/ui/matches")  # the evidence for and against, field by field, in Russian
        review = page.locator("section.match", has_text="вписан документ родственника").first
        review.locator("tr.for:has(th:has-text('СНИЛС'))").wait_for()
        assert review.locator("tr.against:has(th:has-text('имя'))").count() == 1
        assert "возможно, вписан документ родственника" in review.inner_text()
        page.screenshot(path=str(SHOTS / "06-matches-evidence.png"), full_page=True)
        before = page.locator("section.match").count()
        review.locator("button:has-text('Разделить')").click()
        page.wait_for_function(f"document.querySelectorAll('section.match').length === {before - 1}")

        for path, name in (("/ui/matches", "06-matches"), ("/ui/dashboard", "07-dashboard"),
                           ("/ui/audit", "08-audit"), ("/ui/ops", "09-ops"), ("/ui/users", "10-users")):  # fmt: skip
            page.goto(server + path)
            if name == "07-dashboard":
                page.wait_for_function("Chart.instances && Object.keys(Chart.instances).length === 5")
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
            text = _check_page(page, name)
            _reflows(page, name)
            if name == "07-dashboard":
                assert "г. Новосибирск" in page.inner_html("#municipalities-title ~ details")
                assert re.search(
                    r"(январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь) \d{4}",
                    page.inner_html("#outcomes-title ~ details"),
                )
            if name == "08-audit":
                assert "Просмотр случая" in text
                assert re.search(r"\b\d{2}-\d{4}-\d{6}\b", text)  # case numbers, not ids
            if name == "10-users":
                assert "г. Новосибирск" in text  # the curator's municipality by name
            if name == "09-ops":  # the four refused records, each reason and field in Russian
                for reason in DLQ_REASONS:
                    assert reason in text, f"09-ops: {reason!r}"
                assert "СНИЛС (ребёнок 1)" in text

        curator = browser.new_page(viewport={"width": 1360, "height": 900}, locale="ru-RU")
        curator.goto(f"{server}/ui/login")
        curator.fill("input[name=username]", "curator")
        curator.fill("input[name=password]", PASSWORD)
        curator.click("button[type=submit]")
        curator.wait_for_url(f"{server}/ui/")
        _check_page(curator, "11-curator-queue")
        curator.screenshot(path=str(SHOTS / "11-curator-queue.png"), full_page=True)
        if curator.query_selector("table.grid tbody tr a"):
            curator.click("table.grid tbody tr:first-child a")
            curator.wait_for_selector("h1:has-text('Случай')")
            _check_page(curator, "12-curator-case")
            curator.screenshot(path=str(SHOTS / "12-curator-case.png"), full_page=True)
        for path, name in (("/ui/matches", "13-curator-matches"), ("/ui/dashboard", "14-curator-dashboard")):
            curator.goto(server + path)
            if "dashboard" in name:
                curator.wait_for_function("Chart.instances && Object.keys(Chart.instances).length === 5")
            _check_page(curator, name)
            curator.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

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
        liaison.fill("input[name=username]", "mvd")
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
        liaison.screenshot(path=str(SHOTS / "15-liaison-case.png"), full_page=True)
        _check_page(liaison, "15-liaison-case")
        browser.close()
    assert refused == []

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
