-- Pipeline health per upload day (UTC): volume, outcome, failure rate over finished sessions,
-- and how long sessions took from upload to DONE.
select
    uploaded_day as day,
    count(*) as sessions_uploaded,
    count(*) filter (where is_analysed) as sessions_done,
    count(*) filter (where is_failed) as sessions_failed,
    count(*) filter (where is_in_progress) as sessions_in_progress,
    -- Over finished sessions only: one still running has neither failed nor succeeded yet.
    round(
        (count(*) filter (where is_failed))::numeric
        / nullif(count(*) filter (where is_analysed or is_failed), 0),
        4
    ) as failure_rate,
    round(
        (percentile_cont(0.5) within group (order by secs_upload_to_done))::numeric, 1
    ) as p50_secs_upload_to_done,
    round(
        (percentile_cont(0.95) within group (order by secs_upload_to_done))::numeric, 1
    ) as p95_secs_upload_to_done
from {{ ref('stg_sessions') }}
group by uploaded_day
