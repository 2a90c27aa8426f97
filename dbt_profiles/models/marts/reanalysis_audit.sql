-- Sessions whose stored analysis was not produced by the current analyzer version: the list
-- to re-analyse (each session_id is a Dagster partition of the `insights` asset).
with current_version as (
    select {{ current_analyzer_version_sql() }} as version
),

sessions as (
    select
        s.session_id,
        s.learner_id,
        s.status,
        s.uploaded_at,
        s.analyzer_version as session_analyzer_version,
        count(i.insight_id) as insights,
        count(i.insight_id) filter (
            where i.analyzer_version is distinct from cv.version
        ) as outdated_insights,
        string_agg(
            distinct coalesce(i.analyzer_version, 'unknown'), ', '
        ) as insight_analyzer_versions,
        max(i.created_at) as analysed_at,
        cv.version as current_analyzer_version
    from {{ ref('stg_sessions') }} as s
    cross join current_version as cv
    left join {{ ref('stg_insights') }} as i on i.session_id = s.session_id
    group by s.session_id, s.learner_id, s.status, s.uploaded_at, s.analyzer_version, cv.version
    having s.status = 'DONE' or count(i.insight_id) > 0
)

select
    session_id,
    learner_id,
    status,
    uploaded_at,
    analysed_at,
    session_analyzer_version,
    insight_analyzer_versions,
    insights,
    outdated_insights,
    current_analyzer_version,
    case
        when outdated_insights > 0 then 'insights_from_other_version'
        else 'analysed_by_other_version'
    end as reason
from sessions
where
    outdated_insights > 0
    -- A session with no insights (clean speech) is judged by the version that analysed it.
    or (insights = 0 and session_analyzer_version is distinct from current_analyzer_version)
