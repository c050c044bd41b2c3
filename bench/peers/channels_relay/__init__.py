"""Peer: a Django Channels relay served by daphne (the architecture Blinkshot's design came from).

Controllers' frames go to a channel-layer group; every window consumer in the group sends them
on. CHANNEL_LAYER=memory (default) or CHANNEL_LAYER=redis with REDIS_URL.

    DJANGO_SETTINGS_MODULE=bench.peers.channels_relay.settings \
        daphne -b 127.0.0.1 -p PORT bench.peers.channels_relay.asgi:application
"""
