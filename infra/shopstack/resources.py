"""Creates the template's tables and queues in the stand-in, with their keys, indexes, TTL and
redrive policies, and verifies the SES sender identity."""

import json

import boto3


def clients(endpoint):
    kw = dict(endpoint_url=endpoint, region_name="eu-central-1", aws_access_key_id="test", aws_secret_access_key="test")
    return {name: boto3.client(name, **kw) for name in ("dynamodb", "sqs", "sesv2")}


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
    sender = stack.parameters.get("SenderEmail")
    if sender:
        c["sesv2"].create_email_identity(EmailIdentity=sender)
