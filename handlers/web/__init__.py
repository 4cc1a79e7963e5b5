"""The public site: read-only pages for people outside Slack (`site.py`), rendered from the
Jinja2 templates in `templates/` in English or Welsh (`rendering.py`, the catalogues in
`locale/`), styled with GOV.UK Frontend (`static/`, built by scripts/build_assets)."""
