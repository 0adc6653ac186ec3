"""The metrics catalogue: every metric issue 7 asks for exists with bounded labels, and the Grafana
dashboard and Prometheus rules use only metrics the code exports (and show every one of them)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry
from prometheus_client.metrics import MetricWrapperBase

from signalhub.metrics import Metrics
from signalhub.settings import REPO_ROOT

DASHBOARDS = REPO_ROOT / "deploy" / "grafana" / "dashboards"
RULES = REPO_ROOT / "deploy" / "prometheus" / "rules.yml"

# What the issue lists: family name (as exposed), type, label names.
REQUIRED: dict[str, tuple[str, set[str]]] = {
    "signalhub_signals_consumed_total": ("counter", {"agency", "outcome"}),
    "signalhub_intake_batch_duration_seconds": ("histogram", set()),
    "signalhub_signal_to_case_seconds": ("histogram", set()),
    "signalhub_signal_to_delivery_seconds": ("histogram", {"channel"}),
    "signalhub_consumer_lag_messages": ("gauge", {"topic", "partition"}),
    "signalhub_outbox_pending_messages": ("gauge", set()),
    "signalhub_alert_deliveries_total": ("counter", {"channel", "outcome"}),
    "signalhub_alerts_parked": ("gauge", {"channel"}),
    "signalhub_dead_letters_total": ("counter", {"reason"}),
    "signalhub_linkage_decisions_total": ("counter", {"band"}),
    "signalhub_cases_open": ("gauge", {"priority"}),
    "signalhub_acknowledgements_overdue": ("gauge", {"priority"}),
}
# Labels whose values come from small fixed sets (or the hub's own topic and group names).
BOUNDED_LABELS = {
    "agency", "outcome", "channel", "priority", "reason", "band", "stage", "topic", "partition",
    "group", "contract", "component", "status", "alert_type", "kind", "action", "header",
}  # fmt: skip
UNBOUNDED = re.compile(
    r"(^|_)(id|ids|name|surname|patronymic|snils|birth|address|email|phone|user|person|case|event|key)($|_)"
)
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}


def catalogue() -> dict[str, tuple[str, set[str], tuple[float, ...]]]:
    """Exposed family name -> (type, label names, histogram upper bounds) of every metric."""
    metrics = Metrics(CollectorRegistry())
    found: dict[str, tuple[str, set[str], tuple[float, ...]]] = {}
    for wrapper in vars(metrics).values():
        if not isinstance(wrapper, MetricWrapperBase):
            continue
        kind = str(wrapper._type)
        name = wrapper._name + ("_total" if kind == "counter" else "")
        bounds = tuple(getattr(wrapper, "_upper_bounds", ()))
        found[name] = (kind, set(wrapper._labelnames), bounds)
    return found


def exported_series() -> set[str]:
    """Every series name a scrape can show: counters' `_total`, histograms' three series."""
    names: set[str] = set()
    for name, (kind, _, _) in catalogue().items():
        base = name.removesuffix("_total")
        names.update(base + suffix for suffix in SUFFIXES[kind])
    return names


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_metric_of_the_issue_is_exported(name: str) -> None:
    kind, labels = REQUIRED[name]
    assert name in catalogue(), f"{name} is missing from signalhub.metrics.Metrics"
    found_kind, found_labels, _ = catalogue()[name]
    assert found_kind == kind
    assert labels <= found_labels


def test_labels_are_bounded() -> None:
    for name, (_, labels, _) in catalogue().items():
        assert labels <= BOUNDED_LABELS, (
            f"{name} has labels outside the bounded set: {labels - BOUNDED_LABELS}"
        )
        assert not any(UNBOUNDED.search(label) for label in labels), name


def test_names_follow_the_convention() -> None:
    for name, (kind, _, _) in catalogue().items():
        assert re.fullmatch(r"signalhub_[a-z0-9_]+", name), name
        assert name.endswith("_total") == (kind == "counter"), name


@pytest.mark.parametrize("name", ["signalhub_signal_to_case_seconds", "signalhub_signal_to_delivery_seconds"])
def test_end_to_end_latency_buckets_reach_a_minute(name: str) -> None:
    bounds = catalogue()[name][2]
    assert 60.0 in bounds
    assert min(bounds) <= 0.1


def _dashboard_expressions() -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("expr"), str):
                found.append(node["expr"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(DASHBOARDS.glob("*.json")):
        walk(json.loads(path.read_text()))
    return found


def _rule_expressions() -> list[str]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule["expr"] for group in groups for rule in group["rules"]]


def _names(expressions: list[str]) -> set[str]:
    return {m for expr in expressions for m in re.findall(r"\bsignalhub_\w+", expr)}


def test_dashboard_and_rules_use_only_exported_metrics() -> None:
    used = _names(_dashboard_expressions()) | _names(_rule_expressions())
    assert used
    assert used <= exported_series(), f"not exported: {sorted(used - exported_series())}"


def test_dashboard_shows_every_metric_family() -> None:
    used = _names(_dashboard_expressions())
    for name, (kind, _, _) in catalogue().items():
        base = name.removesuffix("_total")
        assert any(base + suffix in used for suffix in SUFFIXES[kind]), f"no panel for {name}"


def test_rules_alert_on_what_the_issue_lists() -> None:
    used = _names(_rule_expressions())
    for name in (
        "signalhub_consumer_lag_messages",
        "signalhub_dead_letters_total",
        "signalhub_outbox_pending_messages",
        "signalhub_alerts_parked",
        "signalhub_acknowledgements_overdue",
    ):
        assert name in used, name


def test_dashboard_panels_use_the_provisioned_datasource() -> None:
    provisioned = yaml.safe_load(
        (REPO_ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text()
    )
    uid = provisioned["datasources"][0]["uid"]
    for path in DASHBOARDS.glob("*.json"):
        for panel in json.loads(path.read_text())["panels"]:
            if panel["type"] != "row":
                assert panel["datasource"]["uid"] == uid, panel["title"]
                assert all(t["datasource"]["uid"] == uid for t in panel["targets"]), panel["title"]
