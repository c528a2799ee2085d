"""The mail pipeline end to end: the mail queue of template.yaml, the send-mail function behind
the local event source, SES captured by the stand-in."""

import json
import uuid
from helpers import eventually


def message(to, key, template="email_verification", language="en"):
    return {
        "template": template,
        "language": language,
        "to": to,
        "data": {"name": "Eve", "link": "https://shop.example/verify?token=t", "valid_days": 14},
        "dedupe_key": key,
    }


def queue_url(sqs, name):
    return sqs.get_queue_url(QueueName=name)["QueueUrl"]


def test_a_message_delivered_twice_sends_one_email(shop, sqs, unique_email):
    url = queue_url(sqs, "MailQueue")
    body = json.dumps(message(unique_email, f"e2e:{uuid.uuid4()}"))
    sqs.send_message(QueueUrl=url, MessageBody=body)
    sqs.send_message(QueueUrl=url, MessageBody=body)
    mails = eventually(lambda: shop.outbox(unique_email))
    assert len(mails) == 1
    # Both deliveries were consumed (none left waiting or in flight).
    assert eventually(lambda: _queue_empty(sqs, url), seconds=15)
    assert len(shop.outbox(unique_email)) == 1
    assert mails[0]["subject"] == "Please confirm your email address"
    assert "https:&#x2f;&#x2f;shop.example&#x2f;verify?token=t" in mails[0]["body"]


def test_languages_pick_their_template(shop, sqs, unique_email):
    url = queue_url(sqs, "MailQueue")
    for lang in ("de", "fr"):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(message(unique_email, f"e2e:{uuid.uuid4()}", language=lang)))
    mails = eventually(lambda: len(shop.outbox(unique_email)) == 2 and shop.outbox(unique_email))
    subjects = sorted(m["subject"] for m in mails)
    assert subjects == ["Bitte bestätigen Sie Ihre E-Mail-Adresse", "Veuillez confirmer votre adresse e-mail"]


def test_a_poison_message_reaches_the_dead_letter_queue_while_its_batch_is_sent(shop, sqs, unique_email):
    url, dlq = queue_url(sqs, "MailQueue"), queue_url(sqs, "MailDeadLetterQueue")
    max_receives = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"])["maxReceiveCount"]
    poison_key = f"poison:{uuid.uuid4()}"
    sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "good1", "MessageBody": json.dumps(message(unique_email, f"e2e:{uuid.uuid4()}"))},
            {"Id": "poison", "MessageBody": json.dumps(message(unique_email, poison_key, template="no_such_template"))},
            {"Id": "good2", "MessageBody": json.dumps(message(unique_email, f"e2e:{uuid.uuid4()}", language="de"))},
        ],
    )
    assert len(eventually(lambda: len(shop.outbox(unique_email)) == 2 and shop.outbox(unique_email))) == 2

    def dead_lettered():
        got = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=0)
        return [m for m in got.get("Messages", []) if poison_key in m["Body"]]

    found = eventually(dead_lettered, seconds=60, every=0.5)
    assert found, "the poison message never reached the dead-letter queue"
    assert int(found[0]["Attributes"]["ApproximateReceiveCount"]) >= max_receives
    assert len(shop.outbox(unique_email)) == 2, "the poison message sent nothing"


def test_the_moved_clock_reaches_the_functions(shop, sqs, unique_email):
    """send-mail forgets a dedupe key after 14 days on its clock; moving the local clock 15
    days lets the same message be sent again, which shows the function reads the moved clock."""
    url = queue_url(sqs, "MailQueue")
    body = json.dumps(message(unique_email, f"e2e:{uuid.uuid4()}"))
    sqs.send_message(QueueUrl=url, MessageBody=body)
    assert eventually(lambda: len(shop.outbox(unique_email)) == 1)
    try:
        assert shop.post("/_local/clock", {"advance": "P15D"}).status == 200
        sqs.send_message(QueueUrl=url, MessageBody=body)
        assert eventually(lambda: len(shop.outbox(unique_email)) == 2)
    finally:
        shop.post("/_local/clock", {"reset": True})


def _queue_empty(sqs, url):
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return a["ApproximateNumberOfMessages"] == "0" and a["ApproximateNumberOfMessagesNotVisible"] == "0"
