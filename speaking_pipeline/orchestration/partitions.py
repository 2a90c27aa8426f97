"""The session partitions, as the API adds and removes them on the Dagster instance."""

from __future__ import annotations

from dagster import AssetMaterialization, DagsterInstance

from speaking_pipeline.defs.sessions.partitions import SESSIONS_PARTITIONS_NAME


class DagsterSessionPartitions:
    """The one place a session's partition is added (when its upload is stored) and
    removed (when the session is deleted)."""

    def __init__(self, instance: DagsterInstance) -> None:
        self.instance = instance

    def register_upload(
        self, session_id: str, *, audio_format: str, size_bytes: int, duration_secs: float | None
    ) -> None:
        """Add the session's partition and report its external `session_audio` asset:
        metadata only, the bytes stay in object storage."""
        self.instance.add_dynamic_partitions(SESSIONS_PARTITIONS_NAME, [session_id])
        self.instance.report_runless_asset_event(
            AssetMaterialization(
                asset_key="session_audio",
                partition=session_id,
                metadata={
                    "format": audio_format,
                    "size_bytes": size_bytes,
                    "duration_secs": duration_secs if duration_secs is not None else -1.0,
                },
            )
        )

    def remove(self, session_id: str) -> None:
        if self.instance.has_dynamic_partition(SESSIONS_PARTITIONS_NAME, session_id):
            self.instance.delete_dynamic_partition(SESSIONS_PARTITIONS_NAME, session_id)
