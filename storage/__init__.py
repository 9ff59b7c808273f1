"""Where bytes live: uploaded attachments now, the signed-record archive later.

Only references (SHA-256, size, name, type) travel in workflow data; the
bytes stay here, content-addressed and read-only once written.
"""

from storage.attachments import AttachmentRef, LocalAttachmentStore

__all__ = ["AttachmentRef", "LocalAttachmentStore"]
