-- Which analyzer versions produced the stored insights, and which one is current.
with current_version as (
    select {{ current_analyzer_version_sql() }} as version
)

select
    coalesce(i.analyzer_version, 'unknown') as analyzer_version,
    count(distinct i.session_id) as sessions,
    count(*) as insights,
    min(i.created_at) as first_used_at,
    max(i.created_at) as last_used_at,
    coalesce(i.analyzer_version = cv.version, false) as is_current
from {{ ref('stg_insights') }} as i
cross join current_version as cv
group by coalesce(i.analyzer_version, 'unknown'), coalesce(i.analyzer_version = cv.version, false)
