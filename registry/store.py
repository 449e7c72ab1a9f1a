"""In-memory registry state, built only by applying records of the ``_schemas`` topic.

The topic is the source of truth and this module is its fold: the server never mutates the
store directly, it writes a record and waits until the record comes back through :meth:`apply`.
Restarting, or running a second instance, therefore yields the same state from the same log.

Record layout follows Confluent's keys so the topic reads familiarly (keys are JSON with sorted
keys because compaction compares key *bytes*):

* ``{"keytype":"SCHEMA","subject":s,"version":v,"magic":1}`` →
  ``{"subject","version","id","schema","deleted"}``; a tombstone is a permanent delete.
* ``{"keytype":"CONFIG","subject":s|null,"magic":0}`` → ``{"compatibilityLevel": L}``;
  a tombstone removes a subject-level setting.
* ``{"keytype":"ID_WATERMARK","magic":0}`` → ``{"id": n}``: the highest id ever handed out.
  Written before permanent deletes, so compaction of the tombstoned versions can never make a
  restarted registry hand out an old id again.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from registry.compat import DEFAULT_LEVEL, Level

log = logging.getLogger(__name__)

#: A Kafka record as written to the topic: key bytes, value bytes or ``None`` (tombstone).
Record = tuple[bytes, bytes | None]


@dataclass(frozen=True)
class Version:
    subject: str
    version: int
    schema_id: int
    schema: str
    deleted: bool = False


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def schema_record(v: Version) -> Record:
    key = {"keytype": "SCHEMA", "subject": v.subject, "version": v.version, "magic": 1}
    value = {
        "subject": v.subject,
        "version": v.version,
        "id": v.schema_id,
        "schema": v.schema,
        "deleted": v.deleted,
    }
    return _dumps(key), _dumps(value)


def schema_tombstone(subject: str, version: int) -> Record:
    key = {"keytype": "SCHEMA", "subject": subject, "version": version, "magic": 1}
    return _dumps(key), None


def config_record(subject: str | None, level: Level) -> Record:
    key = {"keytype": "CONFIG", "subject": subject, "magic": 0}
    return _dumps(key), _dumps({"compatibilityLevel": level.value})


def config_tombstone(subject: str) -> Record:
    return _dumps({"keytype": "CONFIG", "subject": subject, "magic": 0}), None


def watermark_record(max_id: int) -> Record:
    return _dumps({"keytype": "ID_WATERMARK", "magic": 0}), _dumps({"id": max_id})


class Store:
    """Subjects, versions, ids and compatibility settings as of the last applied record."""

    def __init__(self) -> None:
        self._subjects: dict[str, dict[int, Version]] = {}
        self._id_text: dict[int, str] = {}
        self._text_id: dict[str, int] = {}
        self._id_refs: defaultdict[int, set[tuple[str, int]]] = defaultdict(set)
        self._watermark = 0
        self._global_level: Level | None = None
        self._subject_levels: dict[str, Level] = {}

    # ------------------------------------------------------------------ apply
    def apply(self, key: bytes | None, value: bytes | None) -> None:
        """Fold one record in; unknown or malformed records are logged and skipped.

        Skipping, rather than failing, keeps the registry serving when a newer version (or a
        stray producer) wrote something this version does not understand.
        """
        try:
            k: dict[str, Any] = json.loads(key) if key else {}
            v = json.loads(value) if value is not None else None
            keytype = k.get("keytype")
            if keytype == "SCHEMA":
                self._apply_schema(k, v)
            elif keytype == "CONFIG":
                self._apply_config(k, v)
            elif keytype == "ID_WATERMARK":
                if isinstance(v, dict):
                    self._watermark = max(self._watermark, int(v["id"]))
            elif keytype not in ("NOOP", "MODE", "DELETE_SUBJECT"):
                log.warning("skipping _schemas record with unknown key %r", key)
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            log.warning("skipping malformed _schemas record %r: %s", key, err)

    def _apply_schema(self, k: dict[str, Any], v: dict[str, Any] | None) -> None:
        subject, number = str(k["subject"]), int(k["version"])
        versions = self._subjects.get(subject, {})
        old = versions.get(number)
        if old is not None:
            self._unref(old)
        if v is None:
            versions.pop(number, None)
            if not versions:
                self._subjects.pop(subject, None)
            return
        new = Version(
            subject=subject,
            version=number,
            schema_id=int(v["id"]),
            schema=str(v["schema"]),
            deleted=bool(v.get("deleted", False)),
        )
        self._subjects.setdefault(subject, {})[number] = new
        self._id_refs[new.schema_id].add((subject, number))
        self._id_text[new.schema_id] = new.schema
        # With a single writer one text has one id; if two writers raced, the first id wins.
        self._text_id.setdefault(new.schema, new.schema_id)
        self._watermark = max(self._watermark, new.schema_id)

    def _unref(self, old: Version) -> None:
        refs = self._id_refs[old.schema_id]
        refs.discard((old.subject, old.version))
        if not refs:
            # Last subject-version gone: the id is no longer served, as in Confluent.
            del self._id_refs[old.schema_id]
            self._id_text.pop(old.schema_id, None)
            if self._text_id.get(old.schema) == old.schema_id:
                del self._text_id[old.schema]

    def _apply_config(self, k: dict[str, Any], v: dict[str, Any] | None) -> None:
        subject = k.get("subject")
        level = Level(str(v["compatibilityLevel"]).upper()) if v is not None else None
        if subject is None:
            self._global_level = level
        elif level is None:
            self._subject_levels.pop(str(subject), None)
        else:
            self._subject_levels[str(subject)] = level

    # ------------------------------------------------------------------ queries
    def subjects(self, *, deleted: bool = False) -> list[str]:
        return sorted(s for s in self._subjects if self.versions(s, deleted=deleted))

    def versions(self, subject: str, *, deleted: bool = False) -> list[Version]:
        found = self._subjects.get(subject, {})
        return [found[n] for n in sorted(found) if deleted or not found[n].deleted]

    def get(self, subject: str, version: int) -> Version | None:
        return self._subjects.get(subject, {}).get(version)

    def find(self, subject: str, canonical: str, *, deleted: bool = False) -> Version | None:
        """The newest version of ``subject`` whose schema text is ``canonical``."""
        for v in reversed(self.versions(subject, deleted=deleted)):
            if v.schema == canonical:
                return v
        return None

    def schema_text(self, schema_id: int) -> str | None:
        return self._id_text.get(schema_id)

    def id_for(self, canonical: str) -> int | None:
        return self._text_id.get(canonical)

    def id_versions(self, schema_id: int, *, deleted: bool = False) -> list[Version]:
        refs = sorted(self._id_refs.get(schema_id, ()))
        found = [self._subjects[s][n] for s, n in refs]
        return [v for v in found if deleted or not v.deleted]

    def max_id(self) -> int:
        """The highest id ever handed out (kept across permanent deletes)."""
        return self._watermark

    def next_version(self, subject: str) -> int:
        """Versions are never reused while a soft-deleted one still exists, as in Confluent."""
        versions = self._subjects.get(subject)
        return max(versions) + 1 if versions else 1

    def global_level(self) -> Level:
        return self._global_level or Level(DEFAULT_LEVEL)

    def subject_level(self, subject: str) -> Level | None:
        return self._subject_levels.get(subject)

    def level_for(self, subject: str) -> Level:
        return self._subject_levels.get(subject) or self.global_level()
