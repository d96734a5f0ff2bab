"""The follow-up API: the caseworker's follow-ups of a case (plan, cancel, the follow-up form with
the personrettet tilsyn, and the outcome that closes the VUM loop) and the provider's side (the
follow-up of a case it serves, the meeting it calls and its statusnotat).

As in cases.api, assessment.api and orders.api: the views only translate HTTP to calls of the
access policy, the selectors and the services. Anything outside the user's scope, and a write the
user may not make, answers 404; a missing object and one outside the scope get the same answer.
Reads of citizen data are audited by the selectors; writes by the services. A service's Danish
ValidationError is a 400 (the project's exception handler), e.g. the list of what the follow-up
form lacks before it can be completed.

One module per step, as the services: opfoelgning (the caseworker's follow-ups, planning,
cancelling), skema (the follow-up form), udfald (the outcomes), statusnotat (the provider's side:
the meeting it calls and its statusnotat); what they share in common.
"""
