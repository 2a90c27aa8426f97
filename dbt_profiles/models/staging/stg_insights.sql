-- One row per stored insight, joined to its learner so marts need not repeat the join.
select
    i.id as insight_id,
    i.session_id,
    s.user_id as learner_id,
    i.code,
    i.category,
    i.pattern,
    i.frequency,
    i.severity,
    -- Severity sorts high > medium > low, never alphabetically.
    case i.severity when 'high' then 3 when 'medium' then 2 when 'low' then 1 end as severity_rank,
    jsonb_array_length(i.examples::jsonb) as example_count,
    i.code like 'other.%' as is_other_code,
    i.analyzer_version,
    i.created_at
from {{ source('app', 'insights') }} as i
inner join {{ source('app', 'speaking_sessions') }} as s on s.id = i.session_id
