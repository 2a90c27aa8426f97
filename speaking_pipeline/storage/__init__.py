"""Object storage for uploaded audio: a local directory offline, S3/R2 in production."""
