"""Reads for the handleplan, the bestillinger, the provider's delivery records and the
ledsageordning, one module per step of the method, as the services. Every read of a citizen's
data leaves an audit event here, so that pages and the API are audited alike."""
