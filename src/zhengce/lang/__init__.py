"""Shared knowledge of the Chinese of government documents, with a public API for every stage.

places — the 34 provincial-level divisions and their prefectures; `jurisdiction()`: whose document it is.
"""

from .places import (PROVINCE_NAMES, PROVINCE_PATTERN, Jurisdiction, doc_jurisdiction, jurisdiction, province_named,
                     province_of_code)

__all__ = ["PROVINCE_NAMES", "PROVINCE_PATTERN", "Jurisdiction", "doc_jurisdiction", "jurisdiction", "province_named",
           "province_of_code"]
