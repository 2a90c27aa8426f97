{#- A share is a fraction of a whole: it must lie in [0, 1]. -#}
{% test is_share(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1
{% endtest %}
