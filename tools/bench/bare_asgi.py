"""The baseline for the RPC benchmark: a bare ASGI app that answers every request with the bytes
`demo.ping` would return, doing nothing else. Served by the same Granian, one worker."""

BODY = b'{"message":"hi"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    more = scope["method"] == "POST"
    while more:  # drain the request body, as any real handler must
        more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
