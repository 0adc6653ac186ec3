"""Who may do what on the hub's Kafka: one SCRAM principal per agency and per hub role, and the
least-privilege ACLs of each (the broker denies whatever no ACL allows).

| principal | may |
|---|---|
| `<agency>` (police, health, ...) | write `signals.<agency>`; read `receipts.<agency>` in groups `<agency>*` |
| `intake` | read `signals.<agency>` of every agency in groups `intake*`; write `receipts.*` and `signals.dlq` |
| `relay` | write `receipts.*` and `alerts.children-in-family` |
| `notifier`, `regional` | read `alerts.children-in-family` in groups named after themselves |
| `gateway` | write `signals.<agency>` of every agency (its API keys say for which agency a caller speaks) |
| `operator` | read `signals.dlq`; write `signals.<agency>` (the replay of dead letters) |
| `api` | read `signals.dlq` (the operator's dead-letter page; it writes nothing) |

The scheduler has no principal: it touches no topic (its alerts go through the outbox and the relay).
`admin`, the broker's super user, creates the principals and ACLs. Topic names carry the
settings' `topic_prefix` (tests use one per test). Writing implies Kafka's idempotent producer
(KIP-679), so no cluster-wide `IDEMPOTENT_WRITE` is granted.
"""

from __future__ import annotations

import secrets
import time
from contextlib import closing
from dataclasses import dataclass
from typing import Literal

from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from signalhub.kafka import make_admin
from signalhub.settings import AGENCIES, KafkaSettings

HUB_ROLES: tuple[str, ...] = ("intake", "relay", "notifier", "regional", "gateway", "operator", "api")
_MECHANISM = ScramMechanism.SCRAM_SHA_512


class AccessError(RuntimeError):
    """The broker refused to create or remove a credential or an ACL; the message says which."""


@dataclass(frozen=True)
class Grant:
    """One ALLOW ACL: `operation` on the topic or group `name` (a name prefix when `prefixed`)."""

    resource: Literal["topic", "group"]
    name: str
    operation: Literal["read", "write"]
    prefixed: bool = False

    def describe(self) -> str:
        return f"{self.operation} {self.resource} {self.name}{'*' if self.prefixed else ''}"


def grants(principal: str, settings: KafkaSettings) -> list[Grant]:
    """The ACLs of `principal` (an agency or one of `HUB_ROLES`) for the topics of `settings`."""
    signals = [Grant("topic", settings.signal_topic(a), "write") for a in AGENCIES]
    own_group = Grant("group", principal, "read", prefixed=True)
    receipts_written = Grant("topic", settings.topic("receipts."), "write", prefixed=True)
    alerts_read = [Grant("topic", settings.alert_topic, "read"), own_group]
    by_role: dict[str, list[Grant]] = {
        "intake": [
            *(Grant("topic", settings.signal_topic(a), "read") for a in AGENCIES),
            own_group,
            receipts_written,
            Grant("topic", settings.dlq_topic, "write"),
        ],
        "relay": [receipts_written, Grant("topic", settings.alert_topic, "write")],
        "notifier": alerts_read,
        "regional": alerts_read,
        "gateway": signals,
        "operator": [Grant("topic", settings.dlq_topic, "read"), *signals],
        "api": [Grant("topic", settings.dlq_topic, "read")],
    }
    if principal in by_role:
        return by_role[principal]
    if principal in AGENCIES:
        return [
            Grant("topic", settings.signal_topic(principal), "write"),
            Grant("topic", settings.receipt_topic(principal), "read"),
            own_group,
        ]
    raise ValueError(f"principal: must be an agency ({', '.join(AGENCIES)}) or a hub role")


def create_principal(admin: KafkaSettings, principal: str, password: str | None = None) -> str:
    """Create (or replace) the SCRAM credential of `principal` and its ACLs; return the password."""
    password = password or secrets.token_urlsafe(24)
    wanted = grants(principal, admin)  # validates the name before anything changes
    with closing(make_admin(admin)) as client:
        upsert = UserScramCredentialUpsertion(principal, _MECHANISM, password)
        errors = client.alter_user_scram_credentials([upsert])
        if errors.get(principal):
            raise AccessError(f"creating the SCRAM credential of {principal} failed: {errors[principal]}")
    grant(admin, {principal: wanted})
    return password


def grant(admin: KafkaSettings, acls: dict[str, list[Grant]], timeout_s: float = 10.0) -> None:
    """Create the given ACLs, per principal (existing equal ones are left as they are); return once
    the broker authorises with them (the controller commits them a moment before)."""
    wanted = [_acl(principal, g) for principal, gs in acls.items() for g in gs]
    everything = ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY)
    with closing(make_admin(admin)) as client:
        result = client.create_acls(wanted)
        if result["failed"]:
            raise AccessError(f"creating ACLs failed: {result['failed'][0]!r}")
        deadline = time.monotonic() + timeout_s
        while True:
            found, _error = client.describe_acls(
                ACLFilter(None, None, ACLOperation.ANY, ACLPermissionType.ANY, everything)
            )
            if set(wanted) <= set(found):
                return
            if time.monotonic() > deadline:
                raise AccessError(f"the broker did not apply {len(wanted)} new ACLs within {timeout_s:.0f} s")
            time.sleep(0.02)


def ungrant(admin: KafkaSettings, acls: dict[str, list[Grant]]) -> None:
    """Delete exactly the given ACLs (tests drop their per-prefix ACLs this way)."""
    with closing(make_admin(admin)) as client:
        client.delete_acls([_acl(principal, g) for principal, gs in acls.items() for g in gs])


def revoke(admin: KafkaSettings, principal: str) -> bool:
    """Remove the credential and every ACL of `principal`; False when it had no credential."""
    grants(principal, admin)
    with closing(make_admin(admin)) as client:
        existed = principal in principals(admin)
        if existed:
            errors = client.alter_user_scram_credentials([UserScramCredentialDeletion(principal, _MECHANISM)])
            if errors.get(principal):
                raise AccessError(f"removing the credential of {principal} failed: {errors[principal]}")
        everything = ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY)
        client.delete_acls(
            [ACLFilter(f"User:{principal}", None, ACLOperation.ANY, ACLPermissionType.ANY, everything)]
        )
    return existed


def principals(admin: KafkaSettings) -> list[str]:
    """The names that have a SCRAM credential, sorted (the super user `admin` included)."""
    with closing(make_admin(admin)) as client:
        found = client.describe_user_scram_credentials()
    return sorted(name for name, info in found.items() if not info["error"])


def _acl(principal: str, g: Grant) -> ACL:
    pattern = ACLResourcePatternType.PREFIXED if g.prefixed else ACLResourcePatternType.LITERAL
    resource = ResourceType.TOPIC if g.resource == "topic" else ResourceType.GROUP
    operation = ACLOperation.READ if g.operation == "read" else ACLOperation.WRITE
    return ACL(
        f"User:{principal}",
        "*",
        operation,
        ACLPermissionType.ALLOW,
        ResourcePattern(resource, g.name, pattern),
    )
