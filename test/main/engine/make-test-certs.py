#!/usr/bin/env python3
"""Mints the TLS test certificates into the folder given as argv[1], fresh for every test run.

Nothing here is secret or committed: a test CA, server leaves (trusted, expired, not yet valid,
self-signed, for another name), a client certificate as PEM and as PKCS#12 with the passphrase
given as argv[2]. python3-cryptography is used because it sets any validity dates (openssl req
cannot backdate), which the expired and not-yet-valid cases need.
"""
import datetime
import ipaddress
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

out = sys.argv[1]
passphrase = sys.argv[2].encode()
now = datetime.datetime.now(datetime.timezone.utc)
day = datetime.timedelta(days=1)


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Socket Tester tests")])


def write_key(path, key):
    with open(os.path.join(out, path), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def write_cert(path, cert):
    with open(os.path.join(out, path), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def build(subject, issuer, issuer_key, public_key, not_before, not_after, sans=None, ca=False, client=False):
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    if not ca:
        usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        b = b.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


ca_key = ec.generate_private_key(ec.SECP256R1())
ca_name = name("Socket Tester Test CA")
ca = build(ca_name, ca_name, ca_key, ca_key.public_key(), now - day, now + 3650 * day, ca=True)
write_cert("ca.pem", ca)

local_sans = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.IPAddress(ipaddress.ip_address("::1"))]
leaves = {
    # name: (common name, SANs, not before, not after)
    "server": ("localhost", local_sans, now - day, now + 30 * day),
    "expired": ("localhost", local_sans, now - 30 * day, now - day),
    "future": ("localhost", local_sans, now + 10 * day, now + 40 * day),
    "other": ("other.test", [x509.DNSName("other.test")], now - day, now + 30 * day),
    "sni-a": ("a.test", [x509.DNSName("a.test")], now - day, now + 30 * day),
}
for file, (cn, sans, nb, na) in leaves.items():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    write_key(file + ".key", key)
    write_cert(file + ".pem", build(name(cn), ca_name, ca_key, key.public_key(), nb, na, sans))

self_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
write_key("self.key", self_key)
write_cert("self.pem", build(name("localhost"), name("localhost"), self_key, self_key.public_key(), now - day, now + 30 * day, local_sans))

client_key = ec.generate_private_key(ec.SECP256R1())
client = build(name("test client"), ca_name, ca_key, client_key.public_key(), now - day, now + 30 * day, client=True)
write_key("client.key", client_key)
write_cert("client.pem", client)
with open(os.path.join(out, "client.p12"), "wb") as f:
    f.write(pkcs12.serialize_key_and_certificates(b"test client", client_key, client, None, serialization.BestAvailableEncryption(passphrase)))
