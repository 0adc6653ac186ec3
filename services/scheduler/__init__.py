"""The scheduler: acknowledgement deadlines, review reminders, retention and expired login sessions,
on an injectable clock.

Safe to run as several processes: every alert has a deterministic id (uuid5 of case, type and
cause) used as the outbox `message_id`, so a second insert of the same alert is a no-op; the
relay publishes what lands in the outbox. Retention updates only rows not yet anonymised.
"""
