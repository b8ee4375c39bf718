"""Evidence on an action: a note, a file or both. An evidence file is of a
common document or image type, 10 MB at most, and its contents are of the
type its name says."""

import zipfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from core.history import save_as
from core.inputs import shortened_file_name
from dialogues import permissions
from dialogues.models import Action, ActionEvidence
from dialogues.services.actions import record_on_action

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {
    ".pdf": "PDF",
    ".docx": "Word",
    ".xlsx": "Excel",
    ".pptx": "PowerPoint",
    ".csv": "CSV",
    ".txt": "text",
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
}


# What an accepted file's contents start with, by its name's ending. Office
# files are ZIP packages holding their own folder; text and CSV are UTF-8.
ZIP_MAGIC = b"PK\x03\x04"
EVIDENCE_MAGIC = {
    ".pdf": b"%PDF-",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".docx": ZIP_MAGIC,
    ".xlsx": ZIP_MAGIC,
    ".pptx": ZIP_MAGIC,
}
OFFICE_FOLDER = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
TEXT_TYPES = {".csv", ".txt"}


def _contents_match(upload, suffix: str) -> bool:
    """Whether the file's bytes are of the type its name says (a program
    renamed evil.pdf is not a PDF)."""
    upload.seek(0)
    try:
        if suffix in TEXT_TYPES:
            data = upload.read()
            if b"\x00" in data:
                return False
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                return False
            return True
        if upload.read(len(EVIDENCE_MAGIC[suffix])) != EVIDENCE_MAGIC[suffix]:
            return False
        if suffix in OFFICE_FOLDER:
            upload.seek(0)
            try:
                with zipfile.ZipFile(upload) as package:
                    names = package.namelist()
            except zipfile.BadZipFile:
                return False
            folder = OFFICE_FOLDER[suffix]
            return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
        return True
    finally:
        upload.seek(0)


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "AEIOU" else f"a {kind}"


def check_evidence_file(upload) -> None:
    """Evidence files: common document and image types, 10 MB at most, whose
    contents are of the type their name says."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        kinds = ", ".join(sorted(set(EVIDENCE_TYPES.values())))
        raise ValidationError({"file": f"{upload.name} is not an accepted type ({kinds})."})
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                "file": f"{upload.name} is {upload.size / 1024 / 1024:.1f} MB: "
                f"files can be {EVIDENCE_MAX_BYTES // 1024 // 1024} MB at most."
            }
        )
    if not _contents_match(upload, suffix):
        kind = EVIDENCE_TYPES[suffix]
        if suffix in TEXT_TYPES:
            what = "plain text" if kind == "text" else _a(kind)
            why = "its contents are not UTF-8 text (it holds binary data)"
        else:
            what, why = _a(kind), "its contents are those of another kind of file"
        raise ValidationError({"file": f"The file {upload.name} is not {what}: {why}."})


@transaction.atomic
def add_evidence(*, user, action: Action, note: str = "", upload=None) -> ActionEvidence:
    permissions.require_action_editor(user, action)
    note = (note or "").strip()
    if not note and upload is None:
        raise ValidationError({"note": "Write a note or attach a file."})
    evidence = ActionEvidence(action=action, note=note, added_by=user)
    if upload is not None:
        check_evidence_file(upload)
        evidence.file = upload
        # What the page shows and links: a long name loses part of its stem,
        # never its extension (plan.pdf, not plan.p).
        evidence.file_name = shortened_file_name(
            upload.name, ActionEvidence._meta.get_field("file_name").max_length
        )
        evidence.file_size = upload.size
    save_as(evidence, user)
    added = []
    if note:
        added.append("a note")
    if upload is not None:
        added.append(f"file {evidence.file_name}")
    record_on_action(action, user, f"Evidence added: {' and '.join(added)}")
    return evidence
