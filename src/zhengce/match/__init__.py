"""政策直达: benefit clauses as reviewable rules, matched to enterprise profiles.

The library API the CLI and the web layer call:

    from zhengce.match import RuleBook, load_profile, match
    book = RuleBook.load(store)                      # rules (machine + reviewed)
    results = match(load_profile("firm.yaml"), book, as_of="2022-06-30")
    [r.to_dict() for r in results]                   # the JSON contract of docs/match.md

    batch = Batch(profiles, book.active(), as_of)    # many profiles at once (NumPy)
    batch.push_list() / batch.reverse(rule_id)

    review(store, rule_dict, reviewer=…)             # store a reviewed rule (a new version)
    save_profile(store, name, profile) / get_profile / list_profiles / delete_profile
"""

from .batch import Batch
from .book import RuleBook, RuleExists, delete_profile, get_profile, list_profiles, review, review_history, save_profile, withdraw
from .evaluate import MatchResult, evaluate, match
from .facts import FACTS, Fact, Vocabulary
from .profile import Profile, ProfileError, dump_profile, load_profile, load_profiles, parse_profile, parse_profiles_text
from .rules import Benefit, Condition, Rule, RuleError, dump_rules, parse_rules_text

__all__ = [
    "FACTS", "Batch", "Benefit", "Condition", "Fact", "MatchResult", "Profile", "ProfileError", "Rule", "RuleBook",
    "RuleError", "RuleExists", "Vocabulary", "delete_profile", "dump_profile", "dump_rules", "evaluate", "get_profile",
    "list_profiles", "load_profile", "load_profiles", "match", "parse_profile", "parse_profiles_text", "parse_rules_text",
    "review", "review_history", "save_profile", "withdraw",
]
