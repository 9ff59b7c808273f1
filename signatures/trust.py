"""Which certificate authorities a verification trusts."""

from __future__ import annotations

from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from signatures.pki import DevelopmentPki


def load_roots(pem_file: Path) -> list[asn1_x509.Certificate]:
    data = pem_file.read_bytes()
    if not pem.detect(data):
        return [asn1_x509.Certificate.load(data)]
    return [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]


def trust_roots(pem_file: Path | None, dev_pki_dir: Path) -> list[asn1_x509.Certificate]:
    """The configured roots in production; the development CA in the embedded default."""
    if pem_file is not None:
        return load_roots(pem_file)
    return [DevelopmentPki(dev_pki_dir).root()]
