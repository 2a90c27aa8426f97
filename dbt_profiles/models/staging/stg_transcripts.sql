-- Transcripts without their text: the models count, they do not read what learners said.
select
    id as transcript_id,
    session_id,
    coalesce(
        word_count,
        cardinality(regexp_split_to_array(nullif(trim(text), ''), '\s+'))
    ) as word_count,
    language,
    model as transcriber_model,
    created_at
from {{ source('app', 'transcripts') }}
