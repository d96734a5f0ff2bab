"""The assessment phases' reads, one module per step of the method, as the services."""
