from bot.base.text import escape_mrkdwn, preview, split_list, too_long, unescape_mrkdwn


def test_escaping_defuses_mentions_and_links() -> None:
    assert escape_mrkdwn("<!channel> & <http://evil|ons.gov.uk>") == (
        "&lt;!channel&gt; &amp; &lt;http://evil|ons.gov.uk&gt;"
    )


def test_preview_marks_what_it_leaves_out() -> None:
    shown = preview("word " * 200, limit=50)
    assert len(shown) == 50 and shown.endswith("…")


def test_too_long_names_the_length_and_the_limit() -> None:
    assert too_long("The summary", "x" * 1001, 1000) == (
        "The summary is 1,001 characters; the most it can hold is 1,000."
    )
    assert too_long("The summary", "x" * 1000, 1000) is None


def test_split_list_drops_blanks_and_repeats_ignoring_case() -> None:
    assert split_list("Timeliness, geography;; timeliness ,  ") == ["Timeliness", "geography"]


def test_unescaping_undoes_escaping() -> None:
    typed = "a < b && c > <!here>"
    assert unescape_mrkdwn(escape_mrkdwn(typed)) == typed
