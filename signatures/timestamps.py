"""Where signature timestamps (PAdES B-T) come from.

Production names an RFC 3161 TSA by URL. The embedded default is its own
TSA: a timestamping certificate issued by the development CA and labelled
as such, so verification results say the time comes from a development
service, never from a qualified one.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from asn1crypto import cms, core
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.sign import general
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from signatures.pki import DevelopmentPki


class OwnTimeStamper(DummyTimeStamper):
    """pyHanko's in-process TSA, with its RSA key loaded once instead of per
    token (loading and checking an RSA key costs ~50 ms here, more than the
    rest of the signature). Same token as ``DummyTimeStamper._sign_tst_info``."""

    @cached_property
    def _key(self) -> RSAPrivateKey:
        key = serialization.load_der_private_key(self.tsa_key.dump(), password=None)
        if not isinstance(key, RSAPrivateKey):
            raise NotImplementedError("the development timestamp authority signs with RSA")
        return key

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt: datetime) -> tuple[bytes, cms.CMSAttributes]:
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        attribute = general.simple_cms_attribute
        signed_attrs = cms.CMSAttributes(
            [
                attribute("content_type", "tst_info"),  # type: ignore[no-untyped-call]
                attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),  # type: ignore[no-untyped-call]
                attribute("signing_certificate", general.as_signing_certificate(self.tsa_cert)),  # type: ignore[no-untyped-call]
                attribute("message_digest", digest.finalize()),  # type: ignore[no-untyped-call]
            ]
        )
        signature = self._key.sign(signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper()))
        return signature, signed_attrs


def make_timestamper(tsa_url: str | None, pki: DevelopmentPki) -> TimeStamper:
    if tsa_url:
        return HTTPTimeStamper(tsa_url)
    identity = pki.tsa_identity()
    return OwnTimeStamper(
        tsa_cert=identity.certificate,
        tsa_key=identity.key,
        certs_to_embed=SimpleCertificateStore.from_certs(list(identity.chain)),  # type: ignore[no-untyped-call]
    )
