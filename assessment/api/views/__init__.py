"""The assessment API: the udredning on the FFB structure, scores with history, requests for
information (with consent), partshøring, the sagsvurdering, indstillinger and the
visitationsudvalg.

As in cases.api: the views only translate HTTP to calls of the access policy, the selectors and
the services. A case outside the user's scope, and a write the user may not make, answer 404.
Reads of citizen data are audited by the selectors; writes by the services.

One module per step of the method."""
