"""Serializers for the orders API: the bestilling (its frozen content), the provider's delivery
records and the handleplan.

Output serializers describe what the API shows. Input serializers only shape the request body:
every rule (the bestilling's goals, dates not in the future, a reason for a refusal, ...) lives in
orders.services, whose Danish ValidationErrors the project's exception handler turns into 400
answers. Ids in a body are looked up only among what the user may refer to, so an id that does
not exist and one outside the user's scope get the same answer.

One module per step: the bestilling, the delivery records, the handleplan."""
