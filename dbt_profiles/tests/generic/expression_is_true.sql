{#- A row-level invariant between columns, e.g. "part <= whole". -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
