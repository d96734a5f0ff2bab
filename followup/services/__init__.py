"""Writes for the follow-up, one module per step: planning with its timeline of deadlines, the
provider's meeting and statusnotat (opfoelgning), the caseworker's form with the personrettet
tilsyn (skema), and the outcomes that close the VUM loop (udfald). Each checks the access
policy, validates, writes and audits in one transaction."""
