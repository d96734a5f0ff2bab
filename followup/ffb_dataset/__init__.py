"""KL's FFB data set (the "uddatasæt"): each day, one DeliveryReport (a FHIR R4 `collection`
Bundle, hl7dk's kl-ffb-reporting IG 1.0.0) for each citizen whose FFB facts changed, built from
the database, validated before it leaves, and handed to a transport. What each bundle holds,
the decisions on the IG's defects and how a change is detected: docs/ffb-reporting.md.

- `facts`: the citizens' FFB facts read in bulk (a fixed number of queries per batch).
- `bundle`: a citizen's facts as a DeliveryReport.
- `validation`: structure (fhir.resources R4B), the IG's invariants (FHIRPath, fhirpathpy) and
  code membership; each problem with its id and a Danish reason.
- `transport`: where a delivered bundle goes (`VUM_FFB_TRANSPORT`).
- `selectors`: the reads of the manager's page (`followup/views/ffb.py`).

The write (the daily run and its record) is `followup.services.ffb_levering`.
"""
