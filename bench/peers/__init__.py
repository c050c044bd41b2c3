"""Peer relays the hub is measured against; each relays controller frames to every window."""
