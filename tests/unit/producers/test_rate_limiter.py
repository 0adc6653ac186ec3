"""The gateway's token bucket per API key (finding 8 of issue 13: no rate limit at all)."""

from __future__ import annotations

from producers.gateway.limits import RateLimiter


def test_bucket_allows_the_burst_then_the_rate_and_says_how_long_to_wait() -> None:
    now = [0.0]
    limiter = RateLimiter(rate_per_s=200.0, burst=400, clock=lambda: now[0])
    assert all(limiter.wait_s("k") == 0.0 for _ in range(400))
    assert limiter.wait_s("k") == 1.0 / 200.0
    now[0] += 0.5  # 100 tokens back
    assert sum(limiter.wait_s("k") == 0.0 for _ in range(150)) == 100
    assert limiter.wait_s("other") == 0.0  # every key has its own bucket
