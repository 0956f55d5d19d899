"""Uploaded problem files: a job request, a payload, an instance, or a zipped CSV export folder.

Uploads are bounded before anything is parsed (the request body by the service's body limit,
a zip by its member count and its *uncompressed* size, so a zip bomb is refused unopened) and
are then validated exactly as API payloads are: the result is a payload dictionary that goes
through the kind's submission model.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from smartwms.errors import SmartwmsError
from smartwms.io.csv_import import FRAME_FILE, looks_like_csv_folder, read_csv_folder

__all__ = ["UploadError", "read_upload"]

_MAX_ZIP_MEMBERS = 64


class UploadError(SmartwmsError):
    """An uploaded file that cannot be read; the message says why."""


def _instance_from_zip(data: bytes, limit: int) -> dict[str, Any]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UploadError("not a readable zip archive") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > _MAX_ZIP_MEMBERS:
            raise UploadError(f"the zip holds {len(members)} files; at most {_MAX_ZIP_MEMBERS}")
        total = sum(m.file_size for m in members)
        if total > limit:
            raise UploadError(f"the zip unpacks to {total} bytes; at most {limit}")
        frames = [m for m in members if PurePosixPath(m.filename).name == FRAME_FILE]
        if len(frames) != 1:
            raise UploadError(
                f"expected one CSV export folder ({FRAME_FILE} beside the CSV files) in the zip"
            )
        folder = PurePosixPath(frames[0].filename).parent
        with tempfile.TemporaryDirectory(prefix="smartwms-upload-") as tmp:
            target = Path(tmp) / "export"
            target.mkdir()
            for member in members:
                path = PurePosixPath(member.filename)
                if path.parent != folder:
                    continue
                # Only the file name is kept: no absolute paths or '..' can leave the folder.
                (target / path.name).write_bytes(archive.read(member))
            if not looks_like_csv_folder(target):
                raise UploadError(f"the zip's folder lacks {FRAME_FILE} or locations.csv")
            try:
                instance = read_csv_folder(target)
            except SmartwmsError as exc:
                raise UploadError(str(exc).replace(str(target) + "/", "")) from None
    return instance.model_dump(mode="json")


def _looks_like_instance(doc: dict[str, Any]) -> bool:
    return doc.get("format") == "smartwms-instance" or ("layout" in doc and "locations" in doc)


def read_upload(
    data: bytes, filename: str, *, uses_instance: bool, single_data_field: str | None, limit: int
) -> tuple[dict[str, Any], float | None]:
    """The payload an uploaded file gives, and the time limit of a job request file.

    Parameters
    ----------
    data, filename
        The file.
    uses_instance
        Whether the kind's payload takes an ``instance`` (a file holding an instance, or a
        zipped CSV export, fills it).
    single_data_field
        The kind's one structured field, when it has exactly one (a file holding just that
        object, e.g. a simulation scenario, fills it).
    limit
        Largest uncompressed size of a zip.
    """
    if filename.lower().endswith(".zip") or data[:2] == b"PK":
        if not uses_instance:
            raise UploadError("a zipped CSV export holds an instance; this kind takes none")
        return {"instance": _instance_from_zip(data, limit)}, None
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8 text"
        raise UploadError(f"not a JSON document or a zip: {reason}") from None
    if not isinstance(doc, dict):
        raise UploadError("expected a JSON object")
    if isinstance(doc.get("payload"), dict) and "kind" in doc:
        limit_s = doc.get("time_limit")
        return doc["payload"], float(limit_s) if isinstance(limit_s, int | float) else None
    if uses_instance and _looks_like_instance(doc):
        return {"instance": doc}, None
    if single_data_field is not None and single_data_field not in doc:
        return {single_data_field: doc}, None
    return doc, None
