"""The domain's words that the public pages show, marked so that Babel's extractor puts them
in the catalogues (`N_` only marks: the templates translate them as they show them). A test
(tests/e2e/test_public_site.py) checks every word the domain can give is here."""

from __future__ import annotations


def N_(text: str) -> str:  # gettext's name for a mark that does not translate
    return text


WORDS = (
    # bot/statements/you_said_we_did.py: OUTCOMES, and NO_NOTE (what an item with no note says)
    N_("Done"),
    N_("Planned"),
    N_("Under consideration"),
    N_("Not planned"),
    N_("Not yet decided"),
    N_("We have done this."),
    N_("We plan to do this."),
    N_("We will say here what we decide."),
    N_("We do not plan to do this."),
    N_("We will say here what we do about it."),
    N_("Other"),  # OTHER_THEME
    # the audience segments (storage/migrations/versions/0001_initial_tables.py), as labels
    N_("Central government"),
    N_("Devolved and local government"),
    N_("Academia and research"),
    N_("Media"),
    N_("Business and industry"),
    N_("Charities and voluntary sector"),
    N_("International bodies"),
    N_("Members of the public"),
    N_("Internal users"),
    # bot/statements/users_and_uses.py: NOT_RECORDED, SEVERAL, NO_METHOD
    N_("Segment not recorded"),
    N_("Users of several types"),
    N_("method not recorded"),
    # bot/base/vocabulary.py: METHODS, as the statement shows them
    N_("meeting"),
    N_("workshop"),
    N_("webinar"),
    N_("survey"),
    N_("consultation"),
    N_("user group"),
    N_("conference"),
    N_("correspondence"),
    N_("social media"),
    N_("enquiry"),
    N_("other"),
)
