"""Search: clause-level BM25F over every stored node, with filters and snippets.

    engine = SearchEngine("data/zhengce.db")
    result = engine.search("上市奖励", limit=10, filters=Filters(region="湘潭"))

terms.py segments text (both sides), indexer.py writes the durable rows after
ingest, index.py holds the postings in memory, engine.py ranks and explains.
"""

from .engine import Filters, Hit, SearchEngine, SearchResult, make_snippet
from .indexer import update as update_index

__all__ = ["Filters", "Hit", "SearchEngine", "SearchResult", "make_snippet", "update_index"]
