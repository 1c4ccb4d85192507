"""Counting HTTP/1.1 reverse proxy for the benchmark (Python stdlib, asyncio).

One CountingProxy runs an event loop in a background thread and forwards to one upstream
(host, port). Each client under test gets its own listener (label), on 127.0.0.1 and an
ephemeral port, so every request is attributed exactly. Every request line is recorded with
its wall and monotonic time; a websocket upgrade counts as one request, and after the 101 the
frames are counted in both directions (the bytes are passed through untouched).
"""

import asyncio
import threading
import time

MAX_HEAD = 256 * 1024


class Record:
    __slots__ = ("mono", "wall", "label", "kind", "detail")

    def __init__(self, label, kind, detail):
        self.mono = time.monotonic()
        self.wall = time.time()
        self.label = label
        self.kind = kind  # "request", "response", "frame-c2s", "frame-s2c"
        self.detail = detail

    def line(self):
        return f"{self.wall:.6f} {self.label} {self.kind} {self.detail}"


def _headers(head):
    lines = head.decode("latin-1").split("\r\n")
    fields = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            fields.setdefault(name.strip().lower(), value.strip())
    return lines[0], fields


async def _read_head(reader):
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None


async def _copy_exact(reader, writer, n):
    while n > 0:
        data = await reader.read(min(n, 65536))
        if not data:
            raise ConnectionError("peer closed inside a body")
        writer.write(data)
        await writer.drain()
        n -= len(data)


async def _copy_chunked(reader, writer):
    while True:
        size_line = await reader.readuntil(b"\r\n")
        writer.write(size_line)
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while True:  # trailers, up to the empty line
                line = await reader.readuntil(b"\r\n")
                writer.write(line)
                if line == b"\r\n":
                    await writer.drain()
                    return
        await _copy_exact(reader, writer, size + 2)


async def _copy_to_eof(reader, writer):
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()


class CountingProxy:
    def __init__(self, upstream_host, upstream_port, log_path=None):
        self.upstream = (upstream_host, upstream_port)
        self.records = []
        self._lock = threading.Lock()
        self._log = open(log_path, "a", buffering=1) if log_path else None
        self._servers = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    # --- called from the harness thread -------------------------------------------------
    def listen(self, label):
        """Opens a listener for one client; returns its port."""
        fut = asyncio.run_coroutine_threadsafe(self._listen(label), self._loop)
        return fut.result(timeout=10)

    def close(self, label):
        server = self._servers.pop(label, None)
        if server:
            async def stop():
                server.close()
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=10)

    def select(self, label, kind=None, wall_from=None, wall_to=None):
        with self._lock:
            rows = [r for r in self.records if r.label == label]
        if kind:
            rows = [r for r in rows if r.kind.startswith(kind)]
        if wall_from is not None:
            rows = [r for r in rows if r.wall >= wall_from]
        if wall_to is not None:
            rows = [r for r in rows if r.wall <= wall_to]
        return rows

    def shutdown(self):
        for label in list(self._servers):
            self.close(label)

        async def cancel_all():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(cancel_all(), self._loop).result(timeout=10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            if self._log:
                self._log.close()

    # --- event loop side ----------------------------------------------------------------
    def _record(self, label, kind, detail):
        rec = Record(label, kind, detail)
        with self._lock:
            self.records.append(rec)
            if self._log:
                self._log.write(rec.line() + "\n")

    async def _listen(self, label):
        server = await asyncio.start_server(
            lambda r, w: self._connection(label, r, w), "127.0.0.1", 0, limit=MAX_HEAD)
        self._servers[label] = server
        return server.sockets[0].getsockname()[1]

    async def _connection(self, label, creader, cwriter):
        uwriter = None
        try:
            ureader, uwriter = await asyncio.open_connection(*self.upstream, limit=MAX_HEAD)
            while True:
                # The server closes idle keep-alive connections (uvicorn: after 5 s); the
                # client must see that close as it would without the proxy, or it would
                # send into a dead connection and resend.
                head_task = asyncio.ensure_future(_read_head(creader))
                eof_task = asyncio.ensure_future(ureader.read(1))
                done, _ = await asyncio.wait({head_task, eof_task},
                                             return_when=asyncio.FIRST_COMPLETED)
                if eof_task in done:
                    head_task.cancel()
                    return
                eof_task.cancel()
                await asyncio.gather(eof_task, return_exceptions=True)
                head = head_task.result()
                if head is None:
                    return
                request_line, fields = _headers(head)
                method = request_line.split(" ", 1)[0]
                upgrade = "websocket" in fields.get("upgrade", "").lower()
                self._record(label, "request",
                             request_line.rsplit(" ", 1)[0] + (" [upgrade]" if upgrade else ""))
                uwriter.write(head)
                if "chunked" in fields.get("transfer-encoding", "").lower():
                    await _copy_chunked(creader, uwriter)
                elif "content-length" in fields:
                    await _copy_exact(creader, uwriter, int(fields["content-length"]))
                await uwriter.drain()

                while True:  # skip interim 1xx answers, except 101
                    rhead = await _read_head(ureader)
                    if rhead is None:
                        return
                    status_line, rfields = _headers(rhead)
                    status = int(status_line.split(" ", 2)[1])
                    self._record(label, "response", f"{status} {request_line.split(' ')[1]}")
                    cwriter.write(rhead)
                    await cwriter.drain()
                    if not (100 <= status < 200) or status == 101:
                        break
                if status == 101:
                    await self._websocket(label, creader, cwriter, ureader, uwriter)
                    return
                if method == "HEAD" or status in (204, 304):
                    pass
                elif "chunked" in rfields.get("transfer-encoding", "").lower():
                    await _copy_chunked(ureader, cwriter)
                elif "content-length" in rfields:
                    await _copy_exact(ureader, cwriter, int(rfields["content-length"]))
                else:
                    await _copy_to_eof(ureader, cwriter)
                    return
                if "close" in rfields.get("connection", "").lower() \
                        or "close" in fields.get("connection", "").lower():
                    return
        except (OSError, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ValueError):
            return
        finally:
            for w in (cwriter, uwriter):
                if w is not None:
                    w.close()

    async def _websocket(self, label, creader, cwriter, ureader, uwriter):
        await asyncio.gather(self._frames(label, "frame-c2s", creader, uwriter),
                             self._frames(label, "frame-s2c", ureader, cwriter),
                             return_exceptions=True)

    async def _frames(self, label, kind, reader, writer):
        """Passes bytes through as they come, counting frame headers on the way."""
        names = {0: "cont", 1: "text", 2: "binary", 8: "close", 9: "ping", 10: "pong"}
        buf = b""
        skip = 0  # payload bytes of the current frame still to come
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
                if skip >= len(data):
                    skip -= len(data)
                    continue
                buf += data[skip:]
                skip = 0
                while len(buf) >= 2:
                    length = buf[1] & 0x7F
                    head_len = 2 + (2 if length == 126 else 8 if length == 127 else 0)
                    head_len += 4 if buf[1] & 0x80 else 0
                    if len(buf) < head_len:
                        break
                    if length == 126:
                        length = int.from_bytes(buf[2:4], "big")
                    elif length == 127:
                        length = int.from_bytes(buf[2:10], "big")
                    self._record(label, kind, f"{names.get(buf[0] & 0x0F, '?')} {length}")
                    total = head_len + length
                    if len(buf) >= total:
                        buf = buf[total:]
                    else:
                        skip = total - len(buf)
                        buf = b""
                        break
        finally:
            # Half-close so the other side sees the end; the other direction finishes alone.
            try:
                if writer.can_write_eof():
                    writer.write_eof()
            except OSError:
                pass
