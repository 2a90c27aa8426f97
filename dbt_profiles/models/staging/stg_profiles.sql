-- One row per learner's stored pattern profile.
select
    id as profile_id,
    user_id as learner_id,
    (select count(*) from jsonb_object_keys(patterns::jsonb)) as pattern_count,
    case
        when jsonb_typeof(focus_areas::jsonb) = 'array' then jsonb_array_length(focus_areas::jsonb)
        else 0
    end as focus_area_count,
    last_updated
from {{ source('app', 'pattern_profiles') }}
