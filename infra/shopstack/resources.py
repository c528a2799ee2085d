"""Creates the template's tables and queues in the stand-in, with their keys, indexes, TTL and
redrive policies, and verifies the SES sender identity."""

import base64
import json
import secrets
import re

import boto3
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

_DYNAMIC = re.compile(r"\{\{resolve:secretsmanager:([^:}]+):SecretString:([^:}]+)\}\}")


def clients(endpoint):
    kw = dict(endpoint_url=endpoint, region_name="eu-central-1", aws_access_key_id="test", aws_secret_access_key="test")
    return {name: boto3.client(name, **kw) for name in ("dynamodb", "sqs", "sesv2", "secretsmanager")}


def jwt_secret(kid="local-1"):
    """A fresh Ed25519 signing key in the shape the JwtSecretName secret has on AWS."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    jwks = {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"}]}
    return {"kid": kid, "private_key_pem": pem.decode(), "public_jwks": json.dumps(jwks)}


def resolve_dynamic(value, lookup):
    """Resolves CloudFormation `{{resolve:secretsmanager:NAME:SecretString:KEY}}` references,
    as CloudFormation does at deploy time; `lookup(name)` returns the secret's JSON as a dict."""
    return _DYNAMIC.sub(lambda m: lookup(m.group(1))[m.group(2)], value)


def secret_lookup(c):
    """Secrets from the stand-in's Secrets Manager."""
    return lambda name: json.loads(c["secretsmanager"].get_secret_value(SecretId=name)["SecretString"])


def create(stack, c):
    for name, props in stack.tables.items():
        args = dict(
            TableName=name,
            AttributeDefinitions=props["AttributeDefinitions"],
            KeySchema=props["KeySchema"],
            BillingMode=props.get("BillingMode", "PAY_PER_REQUEST"),
        )
        if props.get("GlobalSecondaryIndexes"):
            args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        c["dynamodb"].create_table(**args)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            c["dynamodb"].update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    # Queues without a redrive policy first: a redrive policy names its dead-letter queue.
    ordered = sorted(stack.queues.values(), key=lambda q: "RedrivePolicy" in q.properties)
    for q in ordered:
        attrs = {}
        for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds"):
            if key in q.properties:
                attrs[key] = str(q.properties[key])
        if "RedrivePolicy" in q.properties:
            attrs["RedrivePolicy"] = json.dumps(q.properties["RedrivePolicy"])
        c["sqs"].create_queue(QueueName=q.name, Attributes=attrs)
    # On AWS an operator creates the signing-key secret once; locally a new key each start.
    secret_name = stack.parameters.get("JwtSecretName")
    if secret_name:
        c["secretsmanager"].create_secret(Name=secret_name, SecretString=json.dumps(jwt_secret()))
    payment_name = stack.parameters.get("PaymentSecretName")
    if payment_name:
        payment = {"api_key": "sk_test_local", "webhook_secret": "whsec_" + secrets.token_hex(24)}
        c["secretsmanager"].create_secret(Name=payment_name, SecretString=json.dumps(payment))
    sender = stack.parameters.get("SenderEmail")
    if sender:
        c["sesv2"].create_email_identity(EmailIdentity=sender)
