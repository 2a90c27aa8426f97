-- Who improves: per learner and code, the rate per session and the change between the
-- learner's first and latest analysed sessions (negative change = fewer occurrences = better).
with per_session as (
    select * from {{ ref('learner_code_sessions') }}
),

summary as (
    select
        learner_id,
        code,
        min(category) as category,
        count(*) as sessions_analysed,
        count(*) filter (where shown) as sessions_showing,
        sum(frequency) as total_frequency,
        round(avg(frequency), 3) as avg_frequency_per_session,
        min(session_number) as first_session_number,
        max(session_number) as latest_session_number,
        min(uploaded_at) as first_session_at,
        max(uploaded_at) as latest_session_at
    from per_session
    group by learner_id, code
)

select
    s.learner_id,
    s.code,
    s.category,
    s.sessions_analysed,
    s.sessions_showing,
    s.total_frequency,
    s.avg_frequency_per_session,
    s.first_session_at,
    s.latest_session_at,
    f.frequency as first_frequency,
    l.frequency as latest_frequency,
    l.frequency - f.frequency as frequency_change,
    case
        when s.sessions_analysed = 1 then 'single_session'
        when l.frequency < f.frequency then 'improving'
        when l.frequency > f.frequency then 'worsening'
        else 'steady'
    end as trend
from summary as s
inner join per_session as f
    on f.learner_id = s.learner_id
    and f.code = s.code
    and f.session_number = s.first_session_number
inner join per_session as l
    on l.learner_id = s.learner_id
    and l.code = s.code
    and l.session_number = s.latest_session_number
