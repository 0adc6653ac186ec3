"""The outbox relay: rows committed by intake and the scheduler -> their Kafka topics.

At least once: a row is marked published only after the broker acknowledged it, so a crash
between the two sends it again; nothing is lost.
"""
