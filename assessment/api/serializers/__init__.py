"""Serializers for the assessment API: the udredning, scores, requests for information,
partshøring, the sagsvurdering, indstillinger and the visitationsudvalg.

Output serializers describe what the API shows. Input serializers only shape the request body:
every rule (the phase, consent, the 14-day answer deadline, scores only in Aktivitet og
deltagelse, ...) lives in assessment.services, whose Danish ValidationErrors the project's
exception handler turns into 400 answers.

One module per step of the method."""
