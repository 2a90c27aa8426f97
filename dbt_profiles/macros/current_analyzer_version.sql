{#- The analyzer version that counts as current, as a SQL expression: the
    `current_analyzer_version` var when given (Dagster passes the configured analyzer's
    version), otherwise the version that produced the most recent analysis. -#}
{% macro current_analyzer_version_sql() -%}
    {%- set configured = var('current_analyzer_version', none) -%}
    {%- if configured -%}
        '{{ configured | string | replace("'", "''") }}'::text
    {%- else -%}
        (
            select latest.analyzer_version
            from (
                select analyzer_version, created_at as at
                from {{ ref('stg_insights') }}
                where analyzer_version is not null
                union all
                select analyzer_version, updated_at as at
                from {{ ref('stg_sessions') }}
                where analyzer_version is not null and is_analysed
            ) as latest
            order by latest.at desc, latest.analyzer_version desc
            limit 1
        )
    {%- endif -%}
{%- endmacro %}
