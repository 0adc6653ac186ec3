"""The notifier: alerts from Kafka -> a delivery log -> webhooks and e-mail of the regional service.

The consumer only records deliveries (one per alert and channel) and commits its offsets after the
database commit; delivery workers, one per channel, send what is due, retry with backoff and park
what exhausts its retries. At least once per channel; receivers deduplicate on `alert_id`.
"""
