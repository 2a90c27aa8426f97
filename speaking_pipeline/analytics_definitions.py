"""The analytics code location: the dbt models, apart so that a session run never imports dbt."""

from speaking_pipeline.defs import analytics

defs = analytics.defs
