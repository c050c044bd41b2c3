"""Fixtures shared by the hub tests that need a real redis-server."""

import pytest
from redisproc import RedisProcess


@pytest.fixture(scope="module")
def redis_server():
    """One redis-server per test module (a module may define its own, e.g. one per test)."""
    with RedisProcess() as server:
        yield server


@pytest.fixture
def redis_url(redis_server):
    """A clean database for each test."""
    import redis as sync_redis

    client = sync_redis.Redis.from_url(redis_server.url)
    client.flushdb()
    client.close()
    return redis_server.url
