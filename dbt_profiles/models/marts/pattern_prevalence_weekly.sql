-- How common each pattern code is, week by week: the share of active learners and of analysed
-- sessions that show it. Only analysed (DONE) sessions count, on both sides of each share, so a
-- session still in flight neither shows a code nor dilutes the denominator.
with analysed as (
    select session_id, learner_id, uploaded_week
    from {{ ref('stg_sessions') }}
    where is_analysed
),

weekly_totals as (
    select
        uploaded_week as week_start,
        count(*) as sessions_analysed,
        count(distinct learner_id) as learners_active
    from analysed
    group by uploaded_week
),

code_weeks as (
    select
        a.uploaded_week as week_start,
        i.code,
        min(i.category) as category,
        count(distinct i.session_id) as sessions_showing,
        count(distinct i.learner_id) as learners_showing,
        sum(i.frequency) as total_frequency
    from {{ ref('stg_insights') }} as i
    inner join analysed as a on a.session_id = i.session_id
    group by a.uploaded_week, i.code
)

select
    c.week_start,
    c.code,
    c.category,
    c.learners_showing,
    t.learners_active,
    round(c.learners_showing::numeric / t.learners_active, 4) as learner_share,
    c.sessions_showing,
    t.sessions_analysed,
    round(c.sessions_showing::numeric / t.sessions_analysed, 4) as session_share,
    c.total_frequency,
    round(c.total_frequency::numeric / c.sessions_showing, 2) as avg_frequency_when_shown
from code_weeks as c
inner join weekly_totals as t on t.week_start = c.week_start
