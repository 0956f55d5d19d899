from __future__ import annotations

import time

import pytest

from smartwms.stopping import Stop


def test_time_limit_expires() -> None:
    stop = Stop(time_limit=0.01)
    assert not stop.cancelled
    time.sleep(0.02)
    assert stop() and stop.timed_out and stop.remaining() == 0.0


def test_external_flag_cancels_once_and_for_all() -> None:
    flag = {"on": False}
    stop = Stop(external=lambda: flag["on"])
    assert not stop()
    flag["on"] = True
    assert stop()
    flag["on"] = False
    assert stop.cancelled  # a cancellation is never taken back


def test_negative_time_limit_is_rejected() -> None:
    with pytest.raises(ValueError, match="time_limit"):
        Stop(time_limit=-1)
