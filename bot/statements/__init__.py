"""The statements a team publishes: "You said, we did" and "users and uses", with
their HTML pages (the Jinja2 templates in `templates/`).
"""
