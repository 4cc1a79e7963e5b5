"""The public site beside the console, on a free port of this machine: the teams' pages,
their forms (what they send reaches the console's channels at the next tick) and the
links in the emails `:mail` shows, as `engagebot site` would serve them."""

from __future__ import annotations

import threading

from bot.base.config import Settings
from bot.runtime.serving import HttpServer, WebApp
from handlers.web.site import PublicSite
from storage.database import Database

THREADS = 2  # one person at a browser


class ConsoleSite:
    """The site on `database`, served until `stop`; its address is `url`."""

    def __init__(self, database: Database, settings: Settings) -> None:
        site = PublicSite.of(database, settings, email_on=True)
        web_app = WebApp(database, None, public_site=site, public_path="/")
        self.server = HttpServer(web_app, host="127.0.0.1", port=0, threads=THREADS)
        self.url = f"http://127.0.0.1:{self.server.port}/"
        threading.Thread(target=self.server.serve_forever, name="public-site", daemon=True).start()

    def stop(self) -> None:
        self.server.stop()
