"""Typed keys for what the web app shares between its parts (aiohttp AppKey / request keys)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from appliance.web.frame.live import LiveHub
    from appliance.web.frame.login_brake import LoginBrake
    from appliance.web.frame.sessions import Session, SessionStore
    from appliance.web.frame.store_backend import StoreWebBackend
    from appliance.web.frame.wall_screens import WallScreen, WallScreens
    from appliance.web.tickets.queue_cache import QueueCache
    from appliance.web.tickets.viewers import Viewers

SECRET_KEY = web.AppKey("secret_key", bytes)
SESSIONS: web.AppKey[SessionStore] = web.AppKey("sessions")
THROTTLE: web.AppKey[LoginBrake] = web.AppKey("throttle")
BACKEND: web.AppKey[StoreWebBackend] = web.AppKey("backend")
LIVE: web.AppKey[LiveHub] = web.AppKey("live")
VIEWERS: web.AppKey[Viewers] = web.AppKey("viewers")
QUEUE_CACHE: web.AppKey[QueueCache] = web.AppKey("queue_cache")
SETUP_DONE = web.AppKey("setup_done", list)  # [True] once an admin exists
SECURE_COOKIES = web.AppKey("secure_cookies", bool)
WALLS: web.AppKey[WallScreens] = web.AppKey("walls")

SESSION: web.RequestKey[Session | None] = web.RequestKey("session")  # the browser's live session
WALL: web.RequestKey[WallScreen | None] = web.RequestKey("wall")  # a paired wall screen
