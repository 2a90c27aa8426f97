{#- The grain of a model: no two rows share these columns. dbt_utils has the same test, but
    installing dbt packages needs the network, and this is the only one the project needs. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
