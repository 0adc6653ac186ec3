"""Intake: signals.<agency> -> dedup, linkage, families, cases, receipts and alerts (outbox)."""
