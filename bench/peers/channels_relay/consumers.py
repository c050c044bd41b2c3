"""The two consumers: a controller publishes to the group, a window forwards what it hears."""

from channels.generic.websocket import AsyncWebsocketConsumer

GROUP = "relay"


class ControllerConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        await self.channel_layer.group_send(
            GROUP, {"type": "relay.frame", "text": text_data, "bytes": bytes_data}
        )


class WindowConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def relay_frame(self, event):
        await self.send(text_data=event["text"], bytes_data=event["bytes"])
