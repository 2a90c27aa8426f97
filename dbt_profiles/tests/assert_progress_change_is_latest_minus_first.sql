-- The change a learner made is their latest session's rate minus their first one's, and the
-- trend label agrees with its sign.
select *
from {{ ref('learner_progress') }}
where
    frequency_change <> latest_frequency - first_frequency
    or (trend = 'improving' and frequency_change >= 0)
    or (trend = 'worsening' and frequency_change <= 0)
    or (trend = 'steady' and frequency_change <> 0)
    or (trend = 'single_session' and sessions_analysed <> 1)
