"""Launching a session's processing run at intake, through the Dagster webserver's GraphQL API."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from speaking_pipeline.defs.sessions.names import (
    LAUNCHED_BY_TAG,
    PARTITION_TAG,
    PROCESS_JOB_NAME,
    RUN_KEY_TAG,
    SESSION_TAG,
    intake_run_key,
)

logger = logging.getLogger(__name__)

# The session code location's name in workspace.yaml; a single-module code location's
# repository is always named `__repository__`.
LOCATION_NAME = "speaking_pipeline"
REPOSITORY_NAME = "__repository__"
# Short: the request that launches waits on it, and the intake sensor is the backstop.
LAUNCH_TIMEOUT_SECS = 3.0

LAUNCH_RUN = """
mutation LaunchSessionRun($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on Error { message }
  }
}
"""


def webserver_graphql_url(host: str, port: int) -> str:
    """The GraphQL endpoint of a webserver `up` started on host:port."""
    # A webserver told to listen on all interfaces is reached locally.
    target = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://{target}:{port}/graphql"


class LaunchError(Exception):
    """The webserver did not launch the run (unreachable, timed out or refused)."""


def launch_params(session_id: str, tags: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The GraphQL `ExecutionParams` of a session's processing run: the tags the intake
    sensor's RunRequest would give it, so the sensor recognises it by its run key."""
    tags = {
        **(tags or {}),
        PARTITION_TAG: session_id,
        RUN_KEY_TAG: intake_run_key(session_id),
        SESSION_TAG: session_id,
        LAUNCHED_BY_TAG: "intake",
    }
    return {
        "selector": {
            "repositoryLocationName": LOCATION_NAME,
            "repositoryName": REPOSITORY_NAME,
            "jobName": PROCESS_JOB_NAME,
        },
        "runConfigData": {},
        "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in tags.items()]},
    }


class GraphQLSessionLauncher:
    """Submits the run to the webserver, which queues it like any other run: the run
    queue's limits and pools apply to it exactly as to a sensor's run."""

    def __init__(self, graphql_url: str, timeout: float = LAUNCH_TIMEOUT_SECS) -> None:
        self.graphql_url = graphql_url
        self.timeout = timeout

    def launch(self, session_id: str, tags: Mapping[str, str] | None = None) -> str:
        """The new run's id; raises LaunchError when no run was launched."""
        body = json.dumps(
            {"query": LAUNCH_RUN, "variables": {"executionParams": launch_params(session_id, tags)}}
        ).encode()
        request = urllib.request.Request(
            self.graphql_url,
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            raise LaunchError(f"the Dagster webserver did not answer: {error}") from error
        result = (answer.get("data") or {}).get("launchRun") or {}
        if result.get("__typename") == "LaunchRunSuccess":
            return str(result["run"]["runId"])
        errors = answer.get("errors") or [{"message": result.get("message")}]
        raise LaunchError(
            f"the Dagster webserver refused the run ({result.get('__typename')}): "
            f"{errors[0].get('message')}"
        )
