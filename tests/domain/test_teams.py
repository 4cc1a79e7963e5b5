from bot.teams.editing import parse_lead_days, parse_outputs
from storage.teams import WantedOutput


def test_outputs_are_read_one_a_line() -> None:
    outputs, problem = parse_outputs("Consumer price inflation | high\n\n House prices|Low \n")
    assert problem is None
    assert outputs == [
        WantedOutput("Consumer price inflation", "high"),
        WantedOutput("House prices", "low"),
    ]


def test_outputs_renamed_and_retired() -> None:
    outputs, problem = parse_outputs(
        "Consumer  price inflation ->  CPI | high\n"
        "House prices | low | RETIRED\n"
        "A -> B | low | retired"
    )
    assert problem is None
    assert outputs == [
        WantedOutput("CPI", "high", was="Consumer price inflation"),
        WantedOutput("House prices", "low", retired=True),
        WantedOutput("B", "low", retired=True, was="A"),
    ]
    for bad in ("-> CPI | high", "CPI | retired", "CPI | high | gone"):
        _, problem = parse_outputs(bad)
        assert problem is not None and problem.startswith("Line 1"), bad


def test_a_bad_line_is_named() -> None:
    _, problem = parse_outputs("CPI | high\nHouse prices\n")
    assert problem is not None and problem.startswith("Line 2")
    _, problem = parse_outputs("CPI | high\nCPI | low")
    assert problem == "Line 2: 'CPI' is listed twice."
    _, problem = parse_outputs("CPI | very high")
    assert problem is not None and "high, medium or low" in problem


def test_lead_days_of_separators_only_are_the_default() -> None:
    assert parse_lead_days(" , ,") == (None, None)
    assert parse_lead_days("7, 28,7") == ("28,7", None)
