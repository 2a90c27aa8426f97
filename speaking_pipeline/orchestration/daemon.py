"""The Dagster daemon `up` runs: Dagster's own CLI, with a half-second sensor loop."""

from __future__ import annotations

import sys

import dagster._daemon.sensor as sensor_daemon
from dagster._daemon.cli import main as dagster_daemon_main

# Dagster's sensor daemon sleeps until 5 s have passed since the start of each loop,
# whatever a sensor's `minimum_interval_seconds` says, and no setting changes it (the
# constant is read on every loop). The outcome sensor (DONE, FAILED) is what a learner waits on
# after the run has ended, so a 5 s loop is on average 2.5 s of every session's wait.
# Sensors keep their own minimum intervals; only the ones due are evaluated each loop.
# Half a second, not 1: a 1 s sensor is due again only after 1 s has fully passed, so a
# 1 s loop evaluated it every other loop (measured: 1.7 s from a run's end to DONE).
SENSOR_LOOP_SECS = 0.5


def main() -> None:
    # Dagster annotates it int; it is only ever used as a sleep time.
    sensor_daemon.MIN_INTERVAL_LOOP_TIME = SENSOR_LOOP_SECS  # type: ignore[assignment]
    sys.argv[0] = "dagster-daemon"
    dagster_daemon_main()


if __name__ == "__main__":
    main()
