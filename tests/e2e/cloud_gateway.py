"""A stand-in for Prefect Cloud's URL layout and API-key check, in front of a real server.

Serves GET /api/me/workspaces, and forwards /api/accounts/{account}/workspaces/{workspace}/...
to the real server's /api/..., but only with "Authorization: Bearer <key>"; anything else gets
Cloud's 401 with a JSON detail. Usage: cloud_gateway.py UPSTREAM_API_URL STATE_DIR
(the key comes from UE_PREFECT_GATEWAY_KEY). Writes STATE_DIR/gateway_url when listening.
"""

import json
import os
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCOUNT_ID = "3f1e8f7a-5a4b-4c1e-9d0a-1b2c3d4e5f60"
WORKSPACE_ID = "7c9d2e4f-6a8b-4d0c-8e1f-2a3b4c5d6e7f"
WORKSPACES = [
    {
        "account_id": ACCOUNT_ID,
        "account_name": "UE Test Account",
        "account_handle": "ue-test",
        "workspace_id": WORKSPACE_ID,
        "workspace_name": "E2E Workspace",
        "workspace_description": "",
        "workspace_handle": "e2e",
    },
    {
        "account_id": "0a0a0a0a-0000-4000-8000-000000000000",
        "account_name": "Another Account",
        "account_handle": "other",
        "workspace_id": "0b0b0b0b-0000-4000-8000-000000000000",
        "workspace_name": "E2E Workspace",
        "workspace_description": "",
        "workspace_handle": "e2e",
    },
]

upstream = sys.argv[1].rstrip("/")
state_dir = sys.argv[2]
api_key = os.environ["UE_PREFECT_GATEWAY_KEY"]
prefix = f"/api/accounts/{ACCOUNT_ID}/workspaces/{WORKSPACE_ID}"


class Gateway(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        sys.stderr.write("gateway: " + (format % args) + "\n")

    def reply(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if self.headers.get("Authorization") != f"Bearer {api_key}":
            return self.reply(401, json.dumps({"detail": "Invalid authentication credentials"}).encode())
        if self.path == "/api/me/workspaces" and self.command == "GET":
            return self.reply(200, json.dumps(WORKSPACES).encode())
        if not self.path.startswith(prefix + "/"):
            return self.reply(404, json.dumps({"detail": "Not Found"}).encode())
        request = urllib.request.Request(
            upstream + self.path[len(prefix):], data=body, method=self.command,
            headers={k: v for k, v in self.headers.items()
                     if k.lower() in ("content-type", "x-prefect-api-version", "user-agent")})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, data = response.status, response.read()
                content_type = response.headers.get("Content-Type", "application/json")
        except urllib.error.HTTPError as error:
            status, data = error.code, error.read()
            content_type = error.headers.get("Content-Type", "application/json")
        self.reply(status, data, content_type)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
url = f"http://127.0.0.1:{server.server_address[1]}/api"
with open(os.path.join(state_dir, "gateway_url.tmp"), "w") as f:
    f.write(url + "\n")
os.replace(os.path.join(state_dir, "gateway_url.tmp"), os.path.join(state_dir, "gateway_url"))
server.serve_forever()
