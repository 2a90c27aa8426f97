"""The `sessions` dynamic partitions: one partition per speaking session id."""

from dagster import DynamicPartitionsDefinition

SESSIONS_PARTITIONS_NAME = "sessions"
sessions_partitions = DynamicPartitionsDefinition(name=SESSIONS_PARTITIONS_NAME)
