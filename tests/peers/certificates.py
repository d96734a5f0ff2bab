"""Self-signed certificates for the test peers (SAML identity provider and its stand-in SPs).

Validity runs from 2000 to 2099: the suite runs at frozen instants from 2026 to 2031
(time-machine), while xmlsec1, which checks signatures for pysaml2, runs as a separate process on
the real clock. Both clocks must lie inside it.
"""

import ipaddress
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

NOT_BEFORE = datetime(2000, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)


def make_certificate(
    common_name: str, directory: Path, *, server: bool = False
) -> tuple[Path, Path]:
    """Write `<common_name>.crt` and `<common_name>.key` (PEM, RSA-2048, self-signed) into
    `directory`; return their paths (certificate, key). A `server` certificate names 127.0.0.1,
    so that a TLS client verifying the peer's address accepts it."""
    directory.mkdir(parents=True, exist_ok=True)
    certificate, key = _pem_pair(common_name, server)
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in common_name)
    cert_path = directory / f"{stem}.crt"
    key_path = directory / f"{stem}.key"
    cert_path.write_bytes(certificate)
    key_path.write_bytes(key)
    key_path.chmod(0o600)
    return cert_path, key_path


@cache
def _pem_pair(common_name: str, server: bool) -> tuple[bytes, bytes]:
    """One key pair per name and test process: a new RSA key costs a few hundred milliseconds,
    and every login test starts an identity provider and vum's side with their own. Tests that
    need two parties to differ give them different names."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        # A server's certificate is its own trust anchor for the TLS client, which OpenSSL
        # accepts only from a CA.
        .add_extension(x509.BasicConstraints(ca=server, path_length=None), critical=True)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    certificate = builder.sign(key, hashes.SHA256())
    return (
        certificate.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ),
    )


def certificate_body(cert_path: Path) -> str:
    """The certificate as metadata's <ds:X509Certificate> holds it: base64 DER, no PEM armour."""
    lines = cert_path.read_text().strip().splitlines()
    return "".join(line for line in lines if not line.startswith("-----"))
