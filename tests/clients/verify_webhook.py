"""A receiver verifying a hitchpost delivery with the Standard Webhooks library (PyPI
`standardwebhooks`), as the README shows. Args: SECRET BODY_FILE HEADERS_JSON_FILE."""
import json
import sys

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

secret, body_file, headers_file = sys.argv[1:4]
body = open(body_file, "rb").read()
headers = json.load(open(headers_file))

event = Webhook(secret).verify(body, headers)
assert event["type"] == "profile.created", event
assert event["id"] == headers["webhook-id"], event

# A delivery replayed later than the library's tolerance is rejected.
old = dict(headers, **{"webhook-timestamp": str(int(headers["webhook-timestamp"]) - 3600)})
try:
    Webhook(secret).verify(body, old)
    raise AssertionError("an old timestamp must be rejected")
except WebhookVerificationError:
    pass
# So is a tampered body.
try:
    Webhook(secret).verify(body.replace(b"profile.created", b"profile.deleted"), headers)
    raise AssertionError("a tampered body must be rejected")
except WebhookVerificationError:
    pass

print("standardwebhooks (PyPI): ok")
