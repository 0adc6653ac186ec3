"""The HTTP signal gateway for agency systems that cannot speak Kafka: `POST /v1/signals`."""
