{{ config(meta={'dagster': {'ref': {'name': 'pattern_prevalence_weekly'}}}) }}
-- Summed over weeks and codes, the sessions showing a code must equal the distinct
-- (session, code) pairs among analysed sessions' insights: nothing lost, nothing counted twice.
with expected as (
    select count(*) as pairs
    from (
        select distinct i.session_id, i.code
        from {{ ref('stg_insights') }} as i
        inner join {{ ref('stg_sessions') }} as s on s.session_id = i.session_id
        where s.is_analysed
    ) as pairs
),

actual as (
    select coalesce(sum(sessions_showing), 0) as pairs
    from {{ ref('pattern_prevalence_weekly') }}
)

select expected.pairs as expected_pairs, actual.pairs as actual_pairs
from expected cross join actual
where expected.pairs <> actual.pairs
