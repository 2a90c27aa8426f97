-- Learners without personal data: analysts need who-is-who, not e-mail addresses.
select
    id as learner_id,
    external_id,
    created_at
from {{ source('app', 'users') }}
