-- Each learner's rate of each of their pattern codes, session by session: one row per learner,
-- code the learner has ever shown, and analysed session of that learner. A session that does
-- not show the code counts as frequency 0, which is what makes improvement visible.
with analysed as (
    select
        session_id,
        learner_id,
        uploaded_at,
        duration_secs,
        row_number() over (
            partition by learner_id order by uploaded_at, session_id
        ) as session_number
    from {{ ref('stg_sessions') }}
    where is_analysed
),

session_codes as (
    select i.session_id, i.code, min(i.category) as category, sum(i.frequency) as frequency
    from {{ ref('stg_insights') }} as i
    inner join analysed as a on a.session_id = i.session_id
    group by i.session_id, i.code
),

learner_codes as (
    select a.learner_id, c.code, min(c.category) as category
    from session_codes as c
    inner join analysed as a on a.session_id = c.session_id
    group by a.learner_id, c.code
),

filled as (
    select
        lc.learner_id,
        lc.code,
        lc.category,
        a.session_id,
        a.session_number,
        a.uploaded_at,
        a.duration_secs,
        coalesce(sc.frequency, 0) as frequency,
        sc.session_id is not null as shown
    from learner_codes as lc
    inner join analysed as a on a.learner_id = lc.learner_id
    left join session_codes as sc on sc.session_id = a.session_id and sc.code = lc.code
)

select
    learner_id,
    code,
    category,
    session_id,
    session_number,
    uploaded_at,
    frequency,
    shown,
    case
        when duration_secs > 0 then round((frequency * 60.0 / duration_secs)::numeric, 3)
    end as frequency_per_minute,
    round(
        avg(frequency) over (
            partition by learner_id, code
            order by session_number
            rows between unbounded preceding and current row
        ),
        3
    ) as running_avg_frequency
from filled
