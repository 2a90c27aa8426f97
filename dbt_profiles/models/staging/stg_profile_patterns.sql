-- The profile's JSON flattened to one row per learner and code, so it can be compared with
-- what the stored insights say (the profile must stay recomputable from them).
select
    p.user_id as learner_id,
    entry.key as code,
    (entry.value ->> 'count')::integer as frequency_total,
    (entry.value ->> 'sessions')::integer as sessions_showing,
    p.last_updated
from {{ source('app', 'pattern_profiles') }} as p
cross join lateral jsonb_each(p.patterns::jsonb) as entry
where jsonb_typeof(entry.value) = 'object'
