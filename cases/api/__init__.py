"""The REST API for citizens, cases, enquiries, consent, journal notes and phase changes."""
