"""The notes domain, shared by every handler in this directory."""

import os
import uuid
from datetime import datetime, timezone


def table_name():
    """The bound Notes table: binding sets SST_Table_tableName_Notes."""
    name = os.environ.get("SST_Table_tableName_Notes")
    if not name:
        raise RuntimeError("the Notes table is not bound to this function: add it to Bind")
    return name


def new_note(content):
    if not isinstance(content, str) or content == "":
        raise ValueError('body must be JSON like {"content": "..."}')
    return {
        "noteId": uuid.uuid4().hex,
        "content": content,
        "createdAt": datetime.now(timezone.utc).isoformat(),
    }
