"""The assessment phases' writes, one module per step of the method (udredning,
partshøring, vurdering, udvalg, afgørelse, forsendelse, klage)."""
