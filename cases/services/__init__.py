"""Writes for citizens, enquiries, cases, sagsåbning, consent and the journal.

Each service checks the access policy, validates, writes and leaves an audit event in one
transaction. Errors carry Danish messages meant for the user.

One module per part: the citizen register (borger), enquiries (henvendelse), the sagsåbning,
and the case as a whole (sag: phase moves, caseworker, journal, deadlines)."""
