"""The case API: citizens, cases, enquiries, consent, journal notes and phase changes.

The views only translate HTTP to calls of the access policy, the selectors and the services.
Objects outside the user's scope, and writes the user may not make, answer 404 (never 403), as
the access policy prescribes. Every read of a citizen's data leaves an audit event; writes are
audited by the services.

One module per step: the citizen register (`borger`), enquiries (`henvendelse`), consent
(`sagsaabning`) and the case with its journal and phase changes (`sag`); what they share, and the
other apps' APIs with them, in `common`.
"""
