"""The run-launcher configurations in docs/scaling.md, and the warm one `up` writes, are
valid against Dagster's own schemas (offline: nothing is launched)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster._config import process_config, resolve_to_config_type
from dagster._core.instance.config import dagster_instance_config_schema

from speaking_pipeline.orchestration.instance import instance_config

DOC = Path(__file__).resolve().parents[1] / "docs" / "scaling.md"


def _documented(title: str) -> dict[str, Any]:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(), flags=re.S)
    matching = [b for b in blocks if b.startswith(f"# dagster.yaml: {title}\n")]
    assert len(matching) == 1, f"one `# dagster.yaml: {title}` block in {DOC.name}"
    loaded: dict[str, Any] = yaml.safe_load(matching[0])
    return loaded


def _env_names(value: object) -> set[str]:
    if isinstance(value, dict):
        if set(value) == {"env"}:
            return {str(value["env"])}
        return set().union(*(_env_names(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_env_names(v) for v in value))
    return set()


def _assert_valid(config: dict[str, Any]) -> None:
    # `{env: NAME}` values are resolved while validating; the schema is what is checked.
    with pytest.MonkeyPatch.context() as mp:
        for name in _env_names(config):
            mp.setenv(name, "postgresql://validating@localhost/x")
        _validate(config)


def _validate(config: dict[str, Any]) -> None:
    instance = process_config(resolve_to_config_type(dagster_instance_config_schema()), config)
    assert instance.success, instance.errors
    launcher = config["run_launcher"]
    cls = getattr(importlib.import_module(launcher["module"]), launcher["class"])
    result = process_config(resolve_to_config_type(cls.config_type()), launcher["config"])
    assert result.success, [e.message for e in result.errors or []]


@pytest.mark.parametrize(
    ("title", "module"), [("ECS", "dagster_aws.ecs"), ("Kubernetes", "dagster_k8s")]
)
def test_documented_run_launchers_validate(title: str, module: str) -> None:
    config = _documented(title)
    assert config["run_launcher"]["module"] == module
    _assert_valid(config)


def test_the_warm_launcher_config_validates() -> None:
    _assert_valid(instance_config(warm_workers=True))


def test_a_wrong_field_is_caught() -> None:
    config = _documented("ECS")
    config["run_launcher"]["config"]["task_defintion"] = "typo"
    with pytest.raises(AssertionError):
        _assert_valid(config)


def test_skipped_sensor_ticks_are_kept_one_day() -> None:
    from dagster._core.definitions.run_request import InstigatorType
    from dagster._core.instance.config import (
        get_default_tick_retention_settings,
        get_tick_retention_settings,
    )
    from dagster._core.scheduler.instigation import TickStatus

    config = instance_config(warm_workers=True)
    processed = process_config(
        resolve_to_config_type(dagster_instance_config_schema()),
        {k: v for k, v in config.items() if k == "retention"},
    )
    assert processed.success, processed.errors
    retention = get_tick_retention_settings(
        processed.value["retention"]["sensor"],
        get_default_tick_retention_settings(InstigatorType.SENSOR),
    )
    assert retention[TickStatus.SKIPPED] == 1
    assert retention[TickStatus.FAILURE] == 30
    assert retention[TickStatus.SUCCESS] == -1  # ticks that launched or marked something
