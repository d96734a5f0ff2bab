"""KOMBIT's Serviceplatformen: the one door to the national services vum uses (Digital Post,
SF1601; CPR, SF1520). `client` holds what every call needs: the municipality's certificate, the
token from KOMBIT's STS, timeouts, retries and a log line per call without citizen data."""
