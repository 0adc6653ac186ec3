"""Composition root of the gateway process: settings -> publisher + key store -> app -> uvicorn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from producers.gateway.app import create_app
from producers.gateway.keys import KeyStore
from producers.gateway.limits import RateLimiter
from producers.publisher import Publisher
from signalhub.gateway_settings import GatewaySettings
from signalhub.metrics import Metrics
from signalhub.settings import KafkaSettings
from signalhub.signals import SignalRules


def build_app(kafka: KafkaSettings, rules: SignalRules, gateway: GatewaySettings) -> FastAPI:
    """The app with its own publisher, closed (flushed) when the app shuts down."""
    publisher = Publisher(kafka, rules=rules, timeout_s=gateway.publish_timeout_s)
    app = create_app(
        publisher,
        KeyStore(gateway.keys_file),
        max_body_bytes=gateway.max_body_bytes,
        rate=RateLimiter(gateway.rate_per_s, gateway.rate_burst),
        metrics=Metrics(process="gateway"),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            publisher.close()

    app.router.lifespan_context = lifespan
    return app


def serve(kafka: KafkaSettings, rules: SignalRules, gateway: GatewaySettings) -> None:
    import uvicorn

    uvicorn.run(build_app(kafka, rules, gateway), host=gateway.host, port=gateway.port, log_level="info")
