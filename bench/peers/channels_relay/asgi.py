"""ASGI entry point for daphne."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peers.channels_relay.settings")

import django  # noqa: E402

django.setup()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

from .consumers import ControllerConsumer, WindowConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "websocket": URLRouter(
            [
                re_path(r"^ws/controller$", ControllerConsumer.as_asgi()),
                re_path(r"^ws/window$", WindowConsumer.as_asgi()),
            ]
        )
    }
)
