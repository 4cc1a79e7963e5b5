from bot.teams.editing import parse_lead_days, parse_outputs


def test_outputs_are_read_one_a_line() -> None:
    outputs, problem = parse_outputs("Consumer price inflation | high\n\n House prices|Low \n")
    assert problem is None
    assert outputs == [("Consumer price inflation", "high"), ("House prices", "low")]


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
