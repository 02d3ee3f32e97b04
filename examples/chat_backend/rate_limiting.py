"""Sliding-window rate limiting, per client key."""
import time
from collections import defaultdict, deque

import config


class RateLimitExceeded(Exception):
    def __init__(self, key, retry_after):
        super().__init__(f"rate limit exceeded for {key}, retry in {retry_after:.0f}s")
        self.key = key
        self.retry_after = retry_after


class RateLimiter:
    def __init__(self, max_requests, window_seconds, clock=time.monotonic):
        self.max_requests = max_requests
        self.window_seconds = window_seconds
        self.clock = clock
        self._hits = defaultdict(deque)

    @classmethod
    def from_settings(cls):
        return cls(config.get("rate_limit_requests"), config.get("rate_limit_window"))

    def _prune(self, key, now):
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window_seconds:
            hits.popleft()
        return hits

    def hit(self, key):
        """Count one request for ``key``; RateLimitExceeded when over the limit."""
        now = self.clock()
        hits = self._prune(key, now)
        if len(hits) >= self.max_requests:
            raise RateLimitExceeded(key, hits[0] + self.window_seconds - now)
        hits.append(now)

    def remaining(self, key):
        return self.max_requests - len(self._prune(key, self.clock()))

    def reset(self):
        self._hits.clear()


limiter = RateLimiter.from_settings()
