"""The orders API: the bestilling (the provider's inbox, the frozen content and the answer), the
provider's delivery records (delmål with handlinger and notes, notes, use of force, requests),
the caseworker's orders and answers, and the handleplan.

As in cases.api and assessment.api: the views only translate HTTP to calls of the access policy,
the selectors and the services. Anything outside the user's scope, and a write the user may not
make, answers 404; a missing object and one outside the scope get the same answer. Reads of
citizen data are audited by the selectors; writes by the services.

One module per step: the bestilling, the delivery records, the handleplan."""
