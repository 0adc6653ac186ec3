"""The routing file: channels, and which alerts go to which channels.

TOML or JSON (by suffix). Every route whose filters all match an alert contributes its channels;
an empty or missing filter matches everything. When no route matches, `default_channels` apply,
so no alert is left without a recipient. Example: `routing.example.toml`.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator


class WebhookChannel(BaseModel):
    type: Literal["webhook"]
    url: str


# local@domain with no space or line break (an address is written into the message as it is);
# either part may be non-ASCII (sent with SMTPUTF8).
MAILBOX = r"^[^\s@]+@[^\s@]+$"


class EmailChannel(BaseModel):
    type: Literal["email"]
    to: list[Annotated[str, Field(pattern=MAILBOX)]] = Field(min_length=1)


Channel = Annotated[WebhookChannel | EmailChannel, Field(discriminator="type")]


class Route(BaseModel):
    municipalities: list[str] = []
    priorities: list[str] = []
    alert_types: list[str] = []
    channels: list[str] = Field(min_length=1)

    def matches(self, alert: dict[str, Any]) -> bool:
        return all(
            not allowed or str(alert.get(field)) in allowed
            for field, allowed in (
                ("municipality_code", self.municipalities),
                ("priority", self.priorities),
                ("alert_type", self.alert_types),
            )
        )


class Routing(BaseModel):
    channels: dict[str, Channel]
    routes: list[Route] = []
    default_channels: list[str] = []

    @model_validator(mode="after")
    def _known_channels(self) -> Routing:
        named = [c for r in self.routes for c in r.channels] + self.default_channels
        unknown = sorted(set(named) - set(self.channels))
        if unknown:
            raise ValueError(f"routes name unknown channels: {', '.join(unknown)}")
        return self

    def channels_for(self, alert: dict[str, Any]) -> list[str]:
        """The channels of every matching route, in file order, each once."""
        found: list[str] = []
        for route in self.routes:
            if route.matches(alert):
                found.extend(c for c in route.channels if c not in found)
        return found or list(self.default_channels)


def load_routing(path: Path) -> Routing:
    """Read and validate the routing file; raises `ValueError` saying what is wrong."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    return Routing.model_validate(data)
