"""The public site: what each of a team's public pages shows (`contents.py`) and the
addresses teams pick for them (`addresses.py`). The pages are in `handlers/web/`."""
