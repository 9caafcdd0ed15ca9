#!/usr/bin/env python3
"""A loopback HTTP/1.1 proxy that holds each request DELAY_MS before passing it on: the round
trip of a distant endpoint, in front of the local emulator. Benchmarks only.

    latency-proxy.py LISTEN_PORT UPSTREAM_PORT DELAY_MS [THROTTLE SERVER RESET SEED]

With the four fault arguments it also fails that many calls per mille, seeded: throttling
(the protocol's own error: 400 ThrottlingException / Throttling, S3's 503 SlowDown), a 500, or
a connection closed without an answer (the request not passed on), as the integration tests'
fault proxy (tests/integration/fault_proxy.rs) does.

Each request (headers, then a Content-Length or chunked body) is read whole, held, forwarded
on the connection's own upstream connection, and its response relayed back whole. Keep-alive
connections stay open; one request at a time per connection, as the AWS SDK sends them.
"""
import asyncio
import os
import random
import re
import sys
import time

# With LATENCY_PROXY_TRACE=FILE, each request is logged there as "TIME API" (to see the
# critical path of a command).
TRACE = open(os.environ["LATENCY_PROXY_TRACE"], "a") if os.environ.get("LATENCY_PROXY_TRACE") else None


def describe(request, first):
    target = re.search(rb"(?i)\r\nx-amz-target: *([^\r]+)", request)
    if target:
        return target.group(1).decode(errors="replace")
    action = re.search(rb"Action=(\w+)", request)
    host = re.search(rb"(?i)\r\nauthorization:[^\r]*Credential=[^/]+/[^/]+/([^/]+)/([^/]+)/", request)
    where = host.group(2).decode() + ":" + host.group(1).decode() if host else "?"
    if action:
        return f"{where} {action.group(1).decode()}"
    return f"{where} {first.decode(errors='replace')[:80]}"


async def read_message(reader, is_response=False, method=b""):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    headers = {}
    for line in lines[1:]:
        if b":" in line:
            k, v = line.split(b":", 1)
            headers[k.strip().lower()] = v.strip()
    body = b""
    status = lines[0].split(b" ")
    no_body = is_response and (
        method == b"HEAD" or (len(status) > 1 and status[1] in (b"204", b"304"))
    )
    if no_body:
        return head, lines[0]
    if b"content-length" in headers:
        body = await reader.readexactly(int(headers[b"content-length"]))
    elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            body += size_line + chunk
            if size == 0:
                break
    elif is_response:
        body = await reader.read()
    return head + body, lines[0]


FAULTS = None  # (throttle, server, reset) per mille, and a seeded Random


def fault_for():
    if FAULTS is None:
        return None
    (throttle, server, reset), rng = FAULTS
    roll = rng.randrange(1000)
    if roll < throttle:
        return "throttle"
    if roll < throttle + server:
        return "server"
    if roll < throttle + server + reset:
        return "reset"
    return None


def fault_response(kind, request):
    json_protocol = re.search(rb"(?i)\r\nx-amz-target:", request) is not None
    query = re.search(rb"Action=", request) is not None
    s3 = not json_protocol and not query
    if kind == "throttle":
        status, code = ("503 Slow Down", "SlowDown") if s3 else (
            "400 Bad Request", "ThrottlingException" if json_protocol else "Throttling")
    else:
        status, code = "500 Internal Server Error", "InternalError"
    message = "injected by the latency proxy"
    if json_protocol:
        ctype, body = "application/x-amz-json-1.1", f'{{"__type":"{code}","message":"{message}"}}'
    elif s3:
        ctype, body = "application/xml", f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault</RequestId></Error>"
    else:
        ctype, body = "text/xml", (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
                                   "</Error><RequestId>fault</RequestId></ErrorResponse>")
    return (f"HTTP/1.1 {status}\r\ncontent-type: {ctype}\r\ncontent-length: {len(body)}\r\n"
            f"x-amzn-requestid: fault\r\n\r\n{body}").encode()


async def handle(client_r, client_w, upstream_port, delay):
    try:
        up_r, up_w = await asyncio.open_connection("127.0.0.1", upstream_port, limit=1 << 22)
    except OSError:
        client_w.close()
        return
    try:
        while True:
            try:
                request, first = await read_message(client_r)
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            if TRACE:
                TRACE.write(f"{time.monotonic():.3f} {describe(request, first)}\n")
                TRACE.flush()
            await asyncio.sleep(delay)
            fault = fault_for()
            if fault == "reset":
                break
            if fault is not None:
                client_w.write(fault_response(fault, request))
                await client_w.drain()
                continue
            up_w.write(request)
            await up_w.drain()
            method = first.split(b" ")[0]
            response, _ = await read_message(up_r, True, method)
            client_w.write(response)
            await client_w.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        for w in (client_w, up_w):
            try:
                w.close()
            except Exception:  # noqa: BLE001 - closing a dead socket
                pass


async def main():
    global FAULTS
    listen, upstream, delay_ms = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    if len(sys.argv) == 8:
        rates = tuple(int(x) for x in sys.argv[4:7])
        FAULTS = (rates, random.Random(int(sys.argv[7])))
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, upstream, delay_ms / 1000.0), "127.0.0.1", listen, limit=1 << 22
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
