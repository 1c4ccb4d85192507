"""A small fake Prefect API on 127.0.0.1, in both URL layouts ue-prefect speaks.

Self-hosted: /api/... with no authentication. Cloud: GET /api/me/workspaces and
/api/accounts/{account}/workspaces/{workspace}/..., only with "Authorization: Bearer KEY"
(anything else gets Cloud's 401). Routes: POST deployments/filter, POST flows/filter,
GET deployments/name/{flow}/{deployment}, GET deployments/{id}, GET flows/{id},
POST deployments/{id}/create_flow_run, GET flow_runs/{id}, POST flow_runs/{id}/set_state.

A flow run moves one state further on each read of it: SCHEDULED (created) -> PENDING ->
RUNNING -> its deployment's end (COMPLETED, FAILED), or RUNNING for ever for ops/endless.
Every request is recorded in ``requests``.
"""

import json
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCOUNT_ID = "3f1e8f7a-5a4b-4c1e-9d0a-1b2c3d4e5f60"
WORKSPACE_ID = "7c9d2e4f-6a8b-4d0c-8e1f-2a3b4c5d6e7f"
API_KEY = "pnu_uac_relay_test_key_0123456789abcdef"
WORKSPACES = [
    {"account_id": ACCOUNT_ID, "account_handle": "acme", "account_name": "Acme",
     "workspace_id": WORKSPACE_ID, "workspace_handle": "analytics",
     "workspace_name": "Analytics", "workspace_description": ""},
    {"account_id": ACCOUNT_ID, "account_handle": "acme", "account_name": "Acme",
     "workspace_id": "0c0c0c0c-0000-4000-8000-000000000000", "workspace_handle": "sandbox",
     "workspace_name": "Sandbox", "workspace_description": ""},
    {"account_id": "0a0a0a0a-0000-4000-8000-000000000000", "account_handle": "other",
     "account_name": "Other", "workspace_id": "0b0b0b0b-0000-4000-8000-000000000000",
     "workspace_handle": "elsewhere", "workspace_name": "Elsewhere",
     "workspace_description": ""},
]
FLOWS = {"1f0e0000-0000-4000-8000-000000000001": "etl",
         "1f0e0000-0000-4000-8000-000000000002": "ops"}
DEPLOYMENTS = [
    # (id, flow id, name, how its runs end)
    ("de910000-0000-4000-8000-000000000001", "1f0e0000-0000-4000-8000-000000000001", "daily",
     "COMPLETED"),
    ("de910000-0000-4000-8000-000000000002", "1f0e0000-0000-4000-8000-000000000001", "failing",
     "FAILED"),
    ("de910000-0000-4000-8000-000000000003", "1f0e0000-0000-4000-8000-000000000002", "endless",
     None),
]
STATE_NAMES = {"SCHEDULED": "Scheduled", "PENDING": "Pending", "RUNNING": "Running",
               "COMPLETED": "Completed", "FAILED": "Failed", "CANCELLING": "Cancelling",
               "CANCELLED": "Cancelled"}


class FakePrefect:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.runs = {}
        self.deployments = {
            deployment_id: {"id": deployment_id, "name": name, "flow_id": flow_id,
                            "tags": [], "paused": False, "work_pool_name": "pool",
                            "ends_in": ends_in}
            for deployment_id, flow_id, name, ends_in in DEPLOYMENTS}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def api_url(self):
        return "http://127.0.0.1:%d/api" % self.server.server_address[1]

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def recorded(self, method=None, suffix=None):
        with self.lock:
            return [r for r in self.requests
                    if (method is None or r["method"] == method)
                    and (suffix is None or r["path"].endswith(suffix))]

    # -- routing ----------------------------------------------------------------------------

    def handle(self, method, path, body, authorization):
        with self.lock:
            self.requests.append({"method": method, "path": path, "body": body,
                                  "authorization": authorization})
        segments = [urllib.parse.unquote(s) for s in path.split("?")[0].strip("/").split("/")]
        if segments[:1] != ["api"]:
            return 404, {"detail": "Not Found"}
        rest = segments[1:]
        if rest[:1] in (["me"], ["accounts"]):  # the Cloud layout
            if authorization != "Bearer " + API_KEY:
                return 401, {"detail": "Invalid authentication credentials"}
            if rest == ["me", "workspaces"] and method == "GET":
                return 200, WORKSPACES
            if rest[:4] != ["accounts", ACCOUNT_ID, "workspaces", WORKSPACE_ID]:
                return 404, {"detail": "Not Found"}
            rest = rest[4:]
        with self.lock:
            return self.route(method, rest, body)

    def route(self, method, rest, body):
        if method == "POST" and rest == ["deployments", "filter"]:
            names = (((body or {}).get("deployments") or {}).get("name") or {}).get("any_")
            found = [self.public(d) for d in self.deployments.values()
                     if names is None or d["name"] in names]
            found.sort(key=lambda d: d["name"])
            offset, limit = body.get("offset", 0), body.get("limit", 200)
            return 200, found[offset:offset + limit]
        if method == "POST" and rest == ["flows", "filter"]:
            ids = (((body or {}).get("flows") or {}).get("id") or {}).get("any_") or list(FLOWS)
            return 200, [{"id": i, "name": FLOWS[i]} for i in ids if i in FLOWS]
        if method == "GET" and len(rest) == 4 and rest[:2] == ["deployments", "name"]:
            for d in self.deployments.values():
                if FLOWS[d["flow_id"]] == rest[2] and d["name"] == rest[3]:
                    return 200, self.public(d)
            return 404, {"detail": "Deployment not found"}
        if method == "GET" and len(rest) == 2 and rest[0] == "deployments":
            d = self.deployments.get(rest[1])
            return (200, self.public(d)) if d else (404, {"detail": "Deployment not found"})
        if method == "GET" and len(rest) == 2 and rest[0] == "flows":
            if rest[1] in FLOWS:
                return 200, {"id": rest[1], "name": FLOWS[rest[1]]}
            return 404, {"detail": "Flow not found"}
        if method == "POST" and len(rest) == 3 and rest[0] == "deployments" \
                and rest[2] == "create_flow_run":
            d = self.deployments.get(rest[1])
            if not d:
                return 404, {"detail": "Deployment not found"}
            return 201, self.create_run(d, body or {})
        if method == "GET" and len(rest) == 2 and rest[0] == "flow_runs":
            run = self.runs.get(rest[1])
            if not run:
                return 404, {"detail": "Flow run not found"}
            self.advance(run)
            return 200, self.public_run(run)
        if method == "POST" and len(rest) == 3 and rest[0] == "flow_runs" \
                and rest[2] == "set_state":
            run = self.runs.get(rest[1])
            if not run:
                return 404, {"detail": "Flow run not found"}
            self.set_state(run, ((body or {}).get("state") or {}).get("type", "CANCELLED"))
            return 201, {"status": "ACCEPT", "state": run["state"], "details": {}}
        return 404, {"detail": "Not Found"}

    # -- flow runs --------------------------------------------------------------------------

    @staticmethod
    def public(deployment):
        return {k: v for k, v in deployment.items() if k != "ends_in"}

    @staticmethod
    def public_run(run):
        return {k: v for k, v in run.items() if k != "script"}

    def create_run(self, deployment, body):
        run_id = str(uuid.uuid4())
        end = deployment["ends_in"]
        run = {
            "id": run_id, "name": body.get("name") or "brave-otter",
            "flow_id": deployment["flow_id"], "deployment_id": deployment["id"],
            "parameters": body.get("parameters", {}), "context": body.get("context", {}),
            "job_variables": body.get("job_variables", {}), "tags": body.get("tags", []),
            "idempotency_key": body.get("idempotency_key"),
            "script": ["PENDING", "RUNNING"] + ([end] if end else []),
        }
        self.set_state(run, "SCHEDULED")
        self.runs[run_id] = run
        return self.public_run(run)

    def advance(self, run):
        if run["script"]:
            self.set_state(run, run["script"].pop(0))

    @staticmethod
    def set_state(run, state_type):
        if state_type == "CANCELLED":
            run["script"] = []
        message = "Flow run failed." if state_type == "FAILED" else None
        run["state_type"] = state_type
        run["state_name"] = STATE_NAMES.get(state_type, state_type.title())
        run["state"] = {"id": str(uuid.uuid4()), "type": state_type,
                        "name": run["state_name"], "message": message}

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):
                pass

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                status, reply = fake.handle(self.command, self.path, body,
                                            self.headers.get("Authorization"))
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = handle_any

        return Handler
