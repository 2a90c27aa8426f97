"""Audio store on S3 or any S3-compatible service (Cloudflare R2, MinIO), via dagster-aws."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, BinaryIO

from speaking_pipeline.config import MissingSettingError, Settings
from speaking_pipeline.storage.base import AudioNotFoundError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_PURPOSE = "STORAGE_BACKEND=s3"
_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
_MIN_PART_BYTES = 5 * 1024 * 1024


@dataclass(kw_only=True, eq=False)
class S3AudioStore:
    backend = "s3"

    bucket: str | None
    endpoint_url: str | None = None
    region_name: str | None = "auto"
    access_key_id: str | None = field(default=None, repr=False)
    secret_access_key: str | None = field(default=None, repr=False)
    max_attempts: int = 5
    multipart_threshold_bytes: int = 8 * 1024 * 1024
    #: The variables that supply the keys, named when one is missing.
    key_variables: tuple[str, str] = ("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
    _client: S3Client | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> S3AudioStore:
        endpoint = settings.resolved_s3_endpoint_url
        r2 = settings.r2_account_id is not None or "r2.cloudflarestorage.com" in (endpoint or "")
        options: dict[str, Any] = {
            "bucket": settings.s3_bucket,
            "endpoint_url": endpoint,
            # Without an endpoint this is AWS itself, where "auto" is no region: let boto3
            # take AWS_REGION / its config instead.
            "region_name": settings.s3_region if endpoint or settings.s3_region != "auto" else None,
            "access_key_id": _secret(settings.s3_access_key_id),
            "secret_access_key": _secret(settings.s3_secret_access_key),
            "key_variables": ("R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY")
            if r2
            else ("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"),
        }
        options.update(overrides)
        return cls(**options)

    def client(self) -> S3Client:
        if self._client is None:
            if not self.bucket:
                raise MissingSettingError("S3_BUCKET", _PURPOSE)
            # AWS itself can find credentials in its own chain (profile, instance role); an
            # S3-compatible endpoint cannot, so there the keys are required.
            if self.endpoint_url and not self.access_key_id:
                raise MissingSettingError(self.key_variables[0], _PURPOSE)
            if self.endpoint_url and not self.secret_access_key:
                raise MissingSettingError(self.key_variables[1], _PURPOSE)
            from dagster_aws.s3 import S3Resource

            resource = S3Resource(
                endpoint_url=self.endpoint_url,
                region_name=self.region_name,
                aws_access_key_id=self.access_key_id,
                aws_secret_access_key=self.secret_access_key,
                max_attempts=self.max_attempts,
            )
            self._client = resource.get_client()
        return self._client

    def put(self, key: str, data: BinaryIO, content_type: str) -> None:
        from boto3.s3.transfer import TransferConfig

        # upload_fileobj switches to a multipart upload above the threshold, so a large
        # recording is never sent (or retried) as one huge request.
        self.client().upload_fileobj(
            data,
            self._bucket(),
            key,
            ExtraArgs={"ContentType": content_type},
            Config=TransferConfig(
                multipart_threshold=self.multipart_threshold_bytes,
                # S3 refuses parts under 5 MiB (except the last).
                multipart_chunksize=max(self.multipart_threshold_bytes, _MIN_PART_BYTES),
            ),
        )

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        from botocore.exceptions import ClientError

        # Keep the object's file name: transcribers read the format from the extension.
        name = PurePosixPath(key).name or "audio"
        with tempfile.TemporaryDirectory(prefix="sp-audio-") as workdir:
            path = Path(workdir) / name
            try:
                self.client().download_file(self._bucket(), key, str(path))
            except ClientError as exc:
                if _is_missing(exc):
                    raise AudioNotFoundError(
                        f"audio object {key!r} is not in bucket {self.bucket!r}"
                    ) from None
                raise
            yield path

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client().head_object(Bucket=self._bucket(), Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                return False
            raise
        return True

    def keys(self, prefix: str) -> Iterator[str]:
        pages = self.client().get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self._bucket(), Prefix=prefix):
            for item in page.get("Contents", []):
                if "Key" in item:
                    yield item["Key"]

    def delete(self, key: str) -> None:
        # S3 answers 204 for a missing key too, which is what the contract asks for.
        self.client().delete_object(Bucket=self._bucket(), Key=key)

    def _bucket(self) -> str:
        if not self.bucket:
            raise MissingSettingError("S3_BUCKET", _PURPOSE)
        return self.bucket


def _is_missing(exc: Exception) -> bool:
    response: dict[str, Any] = getattr(exc, "response", {}) or {}
    return str(response.get("Error", {}).get("Code")) in _MISSING_CODES


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None
