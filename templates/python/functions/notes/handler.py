"""Notes handlers for API Gateway's HTTP API (payload format 2.0)."""

import base64
import json

import boto3

from core import notes

db = boto3.client("dynamodb")


def reply(status, body):
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def list_notes(event, context):
    out = db.scan(TableName=notes.table_name())
    items = [{k: v["S"] for k, v in item.items()} for item in out.get("Items", [])]
    return reply(200, items)


def create_note(event, context):
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    try:
        note = notes.new_note(json.loads(raw).get("content"))
    except (ValueError, AttributeError) as e:
        return reply(400, {"error": str(e)})
    db.put_item(TableName=notes.table_name(), Item={k: {"S": v} for k, v in note.items()})
    return reply(201, note)
