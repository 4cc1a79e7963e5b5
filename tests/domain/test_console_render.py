from bot.runtime.console.render import (
    DIVIDER,
    Choice,
    describe_input,
    mrkdwn_to_plain,
    render_blocks,
    render_modal_header,
)


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def option(text: str, value: str) -> dict:
    return {"text": plain(text), "value": value}


def button(text: str, action_id: str, value: str) -> dict:
    return {"type": "button", "text": plain(text), "action_id": action_id, "value": value}


def test_buttons_are_numbered_choices_carrying_their_element() -> None:
    save = button("Save", "save", "42")
    drop = {**button("Delete", "delete", "42"), "style": "danger"}
    rendered = render_blocks(
        [
            {"type": "section", "block_id": "intro", "text": mrkdwn("Logged *one* engagement")},
            {"type": "actions", "block_id": "acts", "elements": [save, drop]},
        ]
    )
    assert rendered.text == "Logged one engagement\n[1] Save\n[2] Delete"
    assert rendered.choices == [Choice(1, "Save", save, "acts"), Choice(2, "Delete", drop, "acts")]


def test_numbering_runs_across_the_message_from_first_number() -> None:
    accessory = button("Edit", "edit", "1")
    rendered = render_blocks(
        [
            {"type": "section", "block_id": "a", "text": mrkdwn("One"), "accessory": accessory},
            {"type": "actions", "block_id": "b", "elements": [button("Next", "next", "2")]},
        ],
        first_number=5,
    )
    assert rendered.text == "One\n[5] Edit\n[6] Next"
    assert [(c.number, c.label, c.block_id) for c in rendered.choices] == [
        (5, "Edit", "a"),
        (6, "Next", "b"),
    ]
    assert rendered.choices[0].action is accessory


def test_overflow_and_select_options_are_numbered_with_the_chosen_option() -> None:
    overflow = {
        "type": "overflow",
        "action_id": "more",
        "options": [option("Edit", "edit"), option("Delete", "delete")],
    }
    select = {
        "type": "static_select",
        "action_id": "team",
        "placeholder": plain("Choose a team"),
        "option_groups": [{"label": plain("Yours"), "options": [option("Prices", "p")]}],
    }
    rendered = render_blocks(
        [
            {"type": "section", "block_id": "s", "text": mrkdwn("Row"), "accessory": overflow},
            {"type": "actions", "block_id": "a", "elements": [select]},
        ]
    )
    assert rendered.text == "Row\n[1] Select: Edit\n[2] Select: Delete\n[3] Choose a team: Prices"
    assert [c.label for c in rendered.choices] == ["Edit", "Delete", "Prices"]
    assert rendered.choices[1].action == {**overflow, "selected_option": option("Delete", "delete")}
    assert rendered.choices[2].action["selected_option"]["value"] == "p"
    assert rendered.choices[2].block_id == "a"


def test_fields_become_label_value_lines() -> None:
    rendered = render_blocks(
        [
            {
                "type": "section",
                "fields": [mrkdwn("*Team*\nPrices"), mrkdwn("*When:* 3 May"), plain("Bare")],
            }
        ]
    )
    assert rendered.text == "Team: Prices\nWhen: 3 May\nBare"


def test_header_context_divider_image_input_and_unknown_blocks() -> None:
    rendered = render_blocks(
        [
            {"type": "header", "text": plain("Engagements")},
            {
                "type": "context",
                "elements": [
                    mrkdwn("By <@U1>"),
                    plain("3 May"),
                    {"type": "image", "image_url": "http://x/a.png", "alt_text": "logo"},
                ],
            },
            {"type": "divider"},
            {"type": "image", "image_url": "http://x/chart.png", "alt_text": "a chart"},
            {"type": "input", "label": plain("Summary"), "element": {"type": "plain_text_input"}},
            {"type": "video", "title": plain("Clip")},
        ],
        user_names={"U1": "alice"},
    )
    assert rendered.text.split("\n") == [
        "Engagements",
        "═══════════",
        "  By @alice · 3 May · [logo]",
        DIVIDER,
        "[a chart]",
        "Summary: …",
        "[unsupported block: video]",
    ]
    assert DIVIDER == "─" * 40
    assert rendered.choices == []


def test_no_blocks_falls_back_to_text() -> None:
    assert render_blocks([], text="Hello *there*").text == "Hello there"


def test_rich_text_is_flattened() -> None:
    block = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "Hi "},
                    {"type": "user", "user_id": "U1"},
                    {"type": "text", "text": " see "},
                    {"type": "link", "url": "http://x", "text": "this"},
                    {"type": "emoji", "name": "warning"},
                ],
            }
        ],
    }
    assert render_blocks([block]).text == "Hi @U1 see this!"


def test_escaped_user_text_is_shown_literally_but_real_mentions_are_not() -> None:
    assert mrkdwn_to_plain("&lt;!channel&gt; &amp; more") == "<!channel> & more"
    assert mrkdwn_to_plain("<!channel> and <!here>") == "@channel and @here"
    assert mrkdwn_to_plain("&amp;lt;") == "&lt;"
    shown = render_blocks([{"type": "section", "text": mrkdwn("&lt;@U1&gt; <@U1>")}])
    assert shown.text == "<@U1> @U1"


def test_styling_is_dropped_and_code_kept() -> None:
    assert mrkdwn_to_plain("*bold* _it_ ~gone~ `x_y_z`") == "bold it gone `x_y_z`"
    assert mrkdwn_to_plain("```a *b* &lt;c&gt;```") == "a *b* <c>"
    assert mrkdwn_to_plain("snake_case_name and 2*3*4") == "snake_case_name and 2*3*4"


def test_links() -> None:
    assert mrkdwn_to_plain("See <http://x.org/a_b|the docs>") == "See the docs (http://x.org/a_b)"
    assert mrkdwn_to_plain("<http://x.org?a=1&amp;b=2>") == "http://x.org?a=1&b=2"
    assert mrkdwn_to_plain("*<http://x|here>*") == "here (http://x)"
    assert mrkdwn_to_plain("<!date^1714000000^{date}|3 May 2024>") == "3 May 2024"


def test_mentions_with_and_without_names() -> None:
    assert mrkdwn_to_plain("<@U123> in <#C9> and <#C8|stats>") == "@U123 in #C9 and #stats"
    named = mrkdwn_to_plain(
        "<@U123> in <#C9> and <#C8|stats>",
        user_names={"U123": "alice"},
        channel_names={"C9": "general"},
    )
    assert named == "@alice in #general and #stats"
    rendered = render_blocks(
        [{"type": "section", "text": mrkdwn("<@U123>")}], user_names={"U123": "alice"}
    )
    assert rendered.text == "@alice"


def test_emoji_shortcodes() -> None:
    assert mrkdwn_to_plain(":white_check_mark: done :warning: :no_entry: :tada:") == (
        "✓ done ! ⛔ :tada:"
    )
    assert mrkdwn_to_plain("at 10:30:00") == "at 10:30:00"


def input_block(element: dict, **extra: object) -> dict:
    return {"type": "input", "block_id": "b", "label": plain("Field"), "element": element, **extra}


def test_describe_input_shows_label_optional_hint_and_value() -> None:
    block = input_block(
        {"type": "plain_text_input", "action_id": "a", "initial_value": "Met the ONS"},
        optional=True,
        hint=plain("One line"),
    )
    assert describe_input(block) == "Field (optional) — One line [Met the ONS]"
    assert describe_input(input_block({"type": "plain_text_input"})) == "Field"


def test_describe_input_initial_values_for_each_element() -> None:
    one, two = option("Prices", "p"), option("Trade", "t")
    cases = [
        ({"type": "datepicker", "initial_date": "2024-05-03"}, "2024-05-03"),
        ({"type": "static_select", "options": [one, two], "initial_option": two}, "Trade"),
        (
            {"type": "multi_static_select", "options": [one, two], "initial_options": [one, two]},
            "Prices, Trade",
        ),
        ({"type": "external_select", "initial_option": one}, "Prices"),
        ({"type": "multi_external_select", "initial_options": [two, one]}, "Trade, Prices"),
        ({"type": "number_input", "is_decimal_allowed": False, "initial_value": "7"}, "7"),
        (
            {
                "type": "checkboxes",
                "options": [{"text": mrkdwn("*Follow up*"), "value": "f"}],
                "initial_options": [{"text": mrkdwn("*Follow up*"), "value": "f"}],
            },
            "Follow up",
        ),
        ({"type": "conversations_select", "initial_conversation": "C123"}, "C123"),
        ({"type": "multi_users_select", "initial_users": ["U1", "U2"]}, "U1, U2"),
    ]
    for element, value in cases:
        assert describe_input(input_block({**element, "action_id": "a"})) == f"Field [{value}]"


def test_modal_header() -> None:
    view = {
        "type": "modal",
        "title": plain("Log an engagement"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [],
    }
    assert render_modal_header(view) == "── Log an engagement ── (submit: Save · close: Cancel)"
    assert render_modal_header({"type": "modal", "title": plain("Done")}) == (
        "── Done ── (close: Cancel)"
    )
