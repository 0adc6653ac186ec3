"""The local broker's TLS material: a CA and a broker certificate it signs, made once per data dir.

Files (PEM, under `<data_dir>/tls/`, never committed: `var/` is ignored):
- `ca.pem`: the CA certificate, the trust anchor clients are given (`SIGNALHUB_KAFKA_CA_FILE`,
  kcat's `ssl.ca.location`, Java's `ssl.truststore.location` with type PEM);
- `ca.key`: the CA's private key (mode 0600), kept only to sign a new broker certificate;
- `broker.pem`: the broker's private key and certificate chain (mode 0600), Kafka's
  `ssl.keystore.type=PEM`. Its subject `CN=signalhub-broker` is the broker's own principal on the
  mutually authenticated controller listener.

The broker certificate names every host clients reach it by (127.0.0.1, localhost and
`extra_hosts`, e.g. `kafka` inside docker-compose), so clients verify the host name.
Existing files are kept: clients that trust the CA keep working across restarts.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

BROKER_CN = "signalhub-broker"
BROKER_PRINCIPAL = f"User:CN={BROKER_CN}"
_VALID = dt.timedelta(days=3650)
_PRIVATE = 0o600


def ca_file(tls_dir: Path) -> Path:
    return tls_dir / "ca.pem"


def keystore_file(tls_dir: Path) -> Path:
    return tls_dir / "broker.pem"


def ensure_tls(tls_dir: Path, extra_hosts: Sequence[str] = ()) -> None:
    """Make the CA and the broker certificate unless both exist (see the module docstring)."""
    if ca_file(tls_dir).exists() and keystore_file(tls_dir).exists():
        return
    tls_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signalhub local CA")])
    ca_cert = (
        _builder(ca_name, ca_name, ca_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    hosts = ["localhost", *extra_hosts]
    names: list[x509.GeneralName] = [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    names += [x509.DNSName(host) for host in dict.fromkeys(hosts)]
    cert = (
        _builder(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, BROKER_CN)]), ca_name, key.public_key(), now
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    _write(tls_dir / "ca.key", _private_pem(ca_key), _PRIVATE)
    _write(
        keystore_file(tls_dir),
        _private_pem(key) + cert.public_bytes(pem) + ca_cert.public_bytes(pem),
        _PRIVATE,
    )
    _write(ca_file(tls_dir), ca_cert.public_bytes(pem), 0o644)


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, now: dt.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + _VALID)
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=not ca, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    # Unencrypted PKCS#8: what Kafka's PEM keystore reads without `ssl.key.password`.
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    path.chmod(mode)
