"""Signing keys: a development CA with one certificate per department, or
production PKCS#12 files.

The embedded default creates the CA and the department certificates on first
use under ``<data dir>/pki`` (private keys mode 0600, never in the
repository). Production loads ``<dir>/<department>.p12`` with the password
from the environment. ECDSA P-256: fast to sign and to verify.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEV_ORGANIZATION = "OneStop 开发测试（非正式）"
DEV_CRL_URL = "http://127.0.0.1/onestop-dev-ca.crl"  # named in certificates; the CRL itself is embedded (B-LT)
TSA_NAME = "tsa"
CRL_VALIDITY = dt.timedelta(days=7)


@dataclass(frozen=True)
class SigningIdentity:
    department: str
    certificate: asn1_x509.Certificate
    key: asn1_keys.PrivateKeyInfo
    chain: tuple[asn1_x509.Certificate, ...]


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> asn1_keys.PrivateKeyInfo:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return asn1_keys.PrivateKeyInfo.load(der)


def _write_private(path: Path, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


class DevelopmentPki:
    """A throw-away CA for the embedded default and tests; labelled as such."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _ca(self) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        cert_path, key_path = self.folder / "ca.pem", self.folder / "ca.key"
        if cert_path.exists():
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            assert isinstance(key, ec.EllipticCurvePrivateKey)
            return cert, key
        self.folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name("OneStop 开发测试根证书"))
            .issuer_name(_name("OneStop 开发测试根证书"))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256())
        )
        _write_private(key_path, key)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert, key

    def root(self) -> asn1_x509.Certificate:
        return _asn1_cert(self._ca()[0])

    def identity(self, department: str, display_name: str) -> SigningIdentity:
        return self._leaf(department, display_name, timestamping=False)

    def tsa_identity(self) -> SigningIdentity:
        """The embedded default's own timestamp authority (labelled development, like the CA)."""
        return self._leaf(TSA_NAME, "OneStop 开发测试时间戳服务", timestamping=True)

    def crl(self) -> bytes:
        """The CA's (empty) revocation list in DER, reissued when it nears its next update."""
        path = self.folder / "ca.crl"
        now = dt.datetime.now(dt.UTC)
        if path.exists():
            current = x509.load_der_x509_crl(path.read_bytes())
            next_update = current.next_update_utc
            if next_update is not None and next_update - now > CRL_VALIDITY / 2:
                return path.read_bytes()
        ca_cert, ca_key = self._ca()
        crl = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca_cert.subject)
            .last_update(now - dt.timedelta(minutes=5))
            .next_update(now + CRL_VALIDITY)
            .sign(ca_key, hashes.SHA256())
        )
        der = crl.public_bytes(serialization.Encoding.DER)
        partial = path.with_suffix(".tmp")
        partial.write_bytes(der)
        os.replace(partial, path)
        return der

    def _leaf(self, name: str, display_name: str, *, timestamping: bool) -> SigningIdentity:
        ca_cert, ca_key = self._ca()
        cert_path, key_path = self.folder / f"{name}.pem", self.folder / f"{name}.key"
        if not cert_path.exists():
            # RSA for everyone: pyHanko's in-process TSA signs with RSA only, and an ECDSA P-256
            # signature is an ISO 32002 (PDF 2.0) feature, which would lift a PDF/A-3 file to PDF 2.0.
            key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = rsa.generate_private_key(
                public_exponent=65537, key_size=2048
            )
            now = dt.datetime.now(dt.UTC)
            builder = (
                x509.CertificateBuilder()
                .subject_name(_name(display_name))
                .issuer_name(ca_cert.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5))
                .not_valid_after(now + dt.timedelta(days=825))
                .add_extension(
                    x509.CRLDistributionPoints(
                        [x509.DistributionPoint([x509.UniformResourceIdentifier(DEV_CRL_URL)], None, None, None)]
                    ),
                    critical=False,
                )
            )
            if timestamping:
                builder = builder.add_extension(
                    x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
                ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            else:
                builder = builder.add_extension(
                    x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
                )
            cert = builder.sign(ca_key, hashes.SHA256())
            _write_private(key_path, key)
            cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
        return SigningIdentity(name, _asn1_cert(cert), _asn1_key(loaded), (_asn1_cert(ca_cert),))


def load_pkcs12(path: Path, password: bytes | None, department: str) -> SigningIdentity:
    """A production identity from a PKCS#12 file (key, certificate, chain)."""
    key, cert, extra = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    if cert is None or not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path.name} 中没有可用的私钥（RSA 或 ECDSA）和证书")
    return SigningIdentity(department, _asn1_cert(cert), _asn1_key(key), tuple(_asn1_cert(c) for c in extra or []))
