import pytest

from rate_limiting import RateLimiter, RateLimitExceeded


def test_limiter_refuses_over_the_limit_and_recovers():
    now = [100.0]
    limiter = RateLimiter(2, 10, clock=lambda: now[0])
    limiter.hit("k")
    limiter.hit("k")
    assert limiter.remaining("k") == 0
    with pytest.raises(RateLimitExceeded) as refused:
        limiter.hit("k")
    assert refused.value.retry_after == pytest.approx(10.0)
    now[0] += 10.5
    limiter.hit("k")
    assert limiter.remaining("other") == 2
