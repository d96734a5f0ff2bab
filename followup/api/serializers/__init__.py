"""Serializers for the follow-up API: the follow-up with its timeline, the provider's statusnotat,
the caseworker's follow-up form with its goal rows and the personrettet tilsyn, and the outcomes.

Output serializers describe what the API shows. Input serializers only shape the request body:
every rule (a place for a meeting in person, a statusnotat only about the order's goals, the
tilsyn block before the form is completed, ...) lives in followup.services, whose Danish
ValidationErrors the project's exception handler turns into 400 answers. Input fields without a
default are left out of the validated data when they are not sent, so a PATCH changes only what
it names.

One module per step, as the services: opfoelgning (the follow-up and its timeline, planning,
cancelling), skema (the caseworker's form), udfald (the outcomes) and statusnotat (the
provider's side: its view, the meeting it calls, its statusnotat).
"""
