{{ config(meta={'dagster': {'ref': {'name': 'pipeline_health_daily'}}}) }}
-- Every session is counted on exactly one day, in exactly one outcome column, and the
-- long-form status counts agree with the daily health totals.
with health as (
    select
        sum(sessions_uploaded) as uploaded,
        sum(sessions_done + sessions_failed + sessions_in_progress) as by_outcome
    from {{ ref('pipeline_health_daily') }}
),

by_status as (
    select sum(sessions) as sessions from {{ ref('pipeline_status_daily') }}
),

sessions as (
    select count(*) as sessions from {{ ref('stg_sessions') }}
)

select *
from health cross join by_status cross join sessions
where
    health.uploaded <> sessions.sessions
    or health.by_outcome <> sessions.sessions
    or by_status.sessions <> sessions.sessions
