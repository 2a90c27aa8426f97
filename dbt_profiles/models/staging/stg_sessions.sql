-- One row per session, with the timestamps and flags the marts group by. Days and weeks are
-- taken in UTC so that results do not depend on the database session's time zone.
select
    id as session_id,
    user_id as learner_id,
    status::text as status,
    status::text = 'DONE' as is_analysed,
    status::text = 'FAILED' as is_failed,
    status::text not in ('DONE', 'FAILED') as is_in_progress,
    duration_secs,
    language,
    topic,
    analyzer_version,
    nullif(trim(error_message), '') as error_message,
    -- The row is created by the upload itself, so its creation time is the upload time.
    created_at as uploaded_at,
    processing_requested_at,
    updated_at,
    (created_at at time zone 'UTC')::date as uploaded_day,
    date_trunc('week', created_at at time zone 'UTC')::date as uploaded_week,
    -- The app keeps no separate "done at" column: a finished session's last update is the
    -- moment it reached DONE (a later re-analysis moves it, which the audit model shows).
    case
        when status::text = 'DONE'
            then extract(epoch from (updated_at - created_at))::double precision
    end as secs_upload_to_done
from {{ source('app', 'speaking_sessions') }}
