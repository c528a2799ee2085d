"""SQS event-source mappings: poll each queue a function consumes and deliver batches as
Lambda's SQS integration does, honouring `ReportBatchItemFailures`.

One deliberate difference from AWS: a failed message is made visible again after
`retry_seconds` (default 1 s) instead of the queue's full visibility timeout, so retries and
dead-lettering happen within a test's patience. The receive count and the redrive to the
dead-letter queue are the stand-in's own, exactly as configured in template.yaml.
"""

import json
import threading
import time

from . import template
from .runtime import FunctionError


def sqs_record(message, queue):
    attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        attributes[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value.get("DataType"),
        }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": message.get("Attributes", {}),
        "messageAttributes": attributes,
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue.arn,
        "awsRegion": template.REGION,
    }


def failed_ids(raw, batch_ids, report_failures):
    """Which messages of a batch failed, per Lambda's rules: with ReportBatchItemFailures the
    response lists them; an unreadable answer, or one naming an unknown id, fails the batch."""
    if not report_failures:
        return set()
    try:
        listed = json.loads(raw or b"{}").get("batchItemFailures") or []
        ids = {item["itemIdentifier"] for item in listed}
    except (ValueError, AttributeError, KeyError, TypeError):
        return set(batch_ids)
    return set(batch_ids) if not ids <= set(batch_ids) else ids


class Poller:
    def __init__(self, sqs, queue_url, source, pool, log, retry_seconds=1, idle_sleep=0.2):
        self.sqs, self.queue_url, self.source, self.pool, self.log = sqs, queue_url, source, pool, log
        self.retry_seconds, self.idle_sleep = retry_seconds, idle_sleep
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.stopped.set()

    def _run(self):
        while not self.stopped.is_set():
            try:
                if not self._poll_once():
                    self.stopped.wait(self.idle_sleep)
            except Exception as e:  # keep polling whatever one round did
                self.log(f"[poller {self.source['queue'].name}] {e!r}")
                self.stopped.wait(1)

    def _receive(self):
        """Up to the source's batch size, ten a call as SQS hands them out, gathering while the
        queue still gives and the batching window (MaximumBatchingWindowInSeconds) lasts."""
        size, end = self.source["batch_size"], time.monotonic() + self.source.get("window", 0)
        messages = []
        while len(messages) < size:
            # No long polling: the stand-in serialises requests, and a long poll would hold the lock.
            out = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(10, size - len(messages)),
                WaitTimeSeconds=0,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            got = out.get("Messages", [])
            messages += got
            if not got or time.monotonic() >= end:
                break
        return messages

    def _poll_once(self):
        messages = self._receive()
        if not messages:
            return False
        event = {"Records": [sqs_record(m, self.source["queue"]) for m in messages]}
        ids = [m["MessageId"] for m in messages]
        try:
            failed = failed_ids(self.pool.invoke(event), ids, self.source["report_failures"])
        except FunctionError:
            failed = set(ids)
        done = [m for m in messages if m["MessageId"] not in failed]
        # The batch calls take ten entries each.
        for i in range(0, len(done), 10):
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(j), "ReceiptHandle": m["ReceiptHandle"]} for j, m in enumerate(done[i:i + 10])],
            )
        retry = [m for m in messages if m["MessageId"] in failed]
        for i in range(0, len(retry), 10):
            self.sqs.change_message_visibility_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(j), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self.retry_seconds}
                    for j, m in enumerate(retry[i:i + 10])
                ],
            )
        return True
