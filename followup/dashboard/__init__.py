"""The manager's dashboard: how the area is doing, without opening a case.

Two halves:

- **Collectors** read the case tables, for all cases or for some, and yield facts, which fold
  into `Noegletal`: one row per team, service, month (or "today" for a snapshot) and the panel's
  keys, with its counts, sums and distinct citizens, and for most panels the same groups for the
  whole area (team empty). `followup.dashboard.refresh` keeps them current as cases change
  (`noegletal_update`, every 30 s) and rebuilds them each night as a check, so a page reads
  groups instead of cases: at 200,000 citizens a team leader's year is some 30,000 of these rows
  instead of hundreds of thousands of case rows. A leader of every team reads the whole area's
  groups; a leader of some teams reads theirs, so that cost grows with the number of teams.
- **Readers** build the panels from those rows for the leader's teams (`teams_visible_to`) and
  the filter (period in whole months, team, service, municipality), one grouped query per panel.
  Each panel is a `Tabel`: the rows a page shows as an accessible table beside its chart, and an
  export writes as CSV or Excel.

A cell knows how many distinct citizens it rests on (`Celle.borgere`), so an export can suppress
the figures under `SUPPRESS_BELOW` citizens; an aggregate never carries a CPR number or a name.
On screen, where nothing is suppressed, the count is the groups' sum; for an export
(`exact=True`) it is the size of the union of the groups' citizens. A sub-count of a row (e.g.
the cases with an overdue deadline) is suppressed when it, or its row's citizens, are under five.

Snapshot panels (caseload, overdue deadlines, support need now, cost) show the state as of the
last update (within half a minute); flow panels (waiting time, deadlines met, committee, complaints,
follow-ups) count what happened in the months of the period. The drill-down from a figure to its
cases reads the live case tables.

The package: `figures` (the shapes), `collectors` and `refresh` (the first half), `panels` (the
second), `drilldown` (from a figure to its cases) and `export` (CSV and Excel)."""
