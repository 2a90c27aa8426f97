-- Sessions by their current status, per upload day (UTC).
select
    uploaded_day as day,
    status,
    count(*) as sessions
from {{ ref('stg_sessions') }}
group by uploaded_day, status
