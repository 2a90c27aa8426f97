-- The most common reasons sessions failed. Messages are grouped by their first line, so a
-- multi-line error with varying detail still lands in one bucket.
with failed as (
    select
        coalesce(
            left(split_part(error_message, E'\n', 1), 500), '(no message recorded)'
        ) as error_message,
        uploaded_at,
        updated_at
    from {{ ref('stg_sessions') }}
    where is_failed
)

select
    error_message,
    count(*) as sessions,
    round(count(*)::numeric / sum(count(*)) over (), 4) as share_of_failures,
    rank() over (order by count(*) desc) as error_rank,
    min(uploaded_at) as first_seen_at,
    max(updated_at) as last_seen_at
from failed
group by error_message
