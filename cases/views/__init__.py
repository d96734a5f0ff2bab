"""The caseworker's pages.

Views only translate between HTTP and the services/selectors: reads go through cases.selectors
(which audit them), writes through cases.services (which check the access policy, validate and
audit). Objects outside the user's scope answer 404 through vum.access. A service's Danish
ValidationError is shown on the form that caused it, with the user's input kept.

One module per page group: the caseworker's start (oversigt), the citizen register (borger),
the case page (sag) and the sagsåbning."""
