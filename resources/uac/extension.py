"""UAC Universal Extension entry point of ue-prefect: a relay to the ue-prefect binary.

Every piece of Prefect logic lives in the C++ binary. This module only:

* starts ``ue-prefect --fields - --events`` with the task's fields as one JSON document on
  standard input (the API key travels there, never on a command line),
* turns each ``output_fields`` event the binary writes on standard output (JSON Lines) into a
  live update of the task instance's output fields,
* returns the ``result`` event as the ExtensionResult: the exit code as rc, the status
  description as message, the Extension Output as unv_output,
* copies the binary's standard error (human-readable progress) to its own standard error,
* on cancel, sends SIGTERM to the binary and waits for its result,
* answers the two dynamic choice fields with ``ue-prefect workspaces|deployments --json``.

Standard library only.
"""

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import zipfile

from universal_extension import ExtensionResult, UniversalExtension, logger, ui
from universal_extension.deco import dynamic_choice_command

BINARY_ENVIRONMENT = "UE_PREFECT_BINARY"
BINARY_NAMES = ("ue-prefect", "ue-prefect.exe")

# The binary's output_fields event keys, and the template's Output Only fields that show them.
# The input field flow_run_name owns that name in the template, hence the one rename.
OUTPUT_FIELDS = {
    "flow_run_id": "flow_run_id",
    "flow_run_name": "flow_run_name_output",
    "flow_run_state": "flow_run_state",
}

# How long a cancelled task waits for the binary's own result after SIGTERM, then after SIGKILL.
CANCEL_GRACE_SECONDS = 20.0
KILL_GRACE_SECONDS = 5.0
# A dynamic choice command is interactive: give up on a hung binary after this long.
CHOICE_TIMEOUT_SECONDS = 150.0

EXECUTION_FAILED = "Execution Failed: "


def task_document(fields):
    """The task's fields as the binary's --fields document.

    UAC hands credential fields over flattened ("credentials.user", "credentials.password");
    the binary wants {"credentials": {"user", "password"}}. Everything else passes as it is:
    the binary ignores keys that are not fields and understands UAC's value shapes (choices
    as lists, booleans, numbers or numeric strings, null for empty).
    """
    document = {}
    credentials = {}
    for key, value in (fields or {}).items():
        if key in ("credentials.user", "credentials.password"):
            credentials[key.split(".", 1)[1]] = value
        elif key == "credentials" and isinstance(value, dict):
            credentials.update({k: v for k, v in value.items() if k in ("user", "password")})
        elif key in OUTPUT_FIELDS.values():
            continue  # Output Only fields (UAC may hand back a previous run's values)
        else:
            document[key] = value
    if credentials:
        document["credentials"] = {"user": credentials.get("user"),
                                   "password": credentials.get("password")}
    return document


def _secret(document):
    password = (document.get("credentials") or {}).get("password")
    return password if isinstance(password, str) and password else None


def _masked(document):
    """The document as invocation.fields shows it: the API key as ****."""
    masked = dict(document)
    if isinstance(masked.get("credentials"), dict):
        credentials = dict(masked["credentials"])
        if credentials.get("password"):
            credentials["password"] = "****"
        masked["credentials"] = credentials
    return masked


def _scrub(text, secret):
    return text.replace(secret, "****") if secret and text else text


def _choice_value(value):
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def _describe_exit(returncode):
    if returncode is None:
        return "still running"
    if returncode < 0:
        try:
            return "killed by signal " + signal.Signals(-returncode).name
        except ValueError:
            return "killed by signal %d" % -returncode
    return "exit code %d" % returncode


def _private_cache_dir():
    """A directory only this user can write, for a binary taken out of the extension zip."""
    user = os.getuid() if hasattr(os, "getuid") else "user"
    base = os.path.join(tempfile.gettempdir(), "ue-prefect-%s" % user)
    os.makedirs(base, mode=0o700, exist_ok=True)
    info = os.lstat(base)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise OSError("%s is not a directory" % base)
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o022):
        raise OSError("%s is not private to this user" % base)
    return base


def _install_private_copy(data):
    """Writes the binary's bytes to the private cache (keyed by content), executable."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    directory = os.path.join(_private_cache_dir(), digest)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    target = os.path.join(directory, BINARY_NAMES[0] + (".exe" if os.name == "nt" else ""))
    if os.path.isfile(target) and os.access(target, os.X_OK):
        with open(target, "rb") as existing:
            if hashlib.sha256(existing.read()).hexdigest()[:16] == digest:
                return target
    handle, temporary = tempfile.mkstemp(dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o700)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return target


def _bundled_binary():
    """bin/ue-prefect shipped in the extension archive, as a runnable file, or None."""
    here = os.path.dirname(os.path.abspath(__file__))
    archive = getattr(globals().get("__loader__"), "archive", None)
    if archive:  # imported straight from the extension zip: take the binary out of it
        prefix = os.path.relpath(here, archive).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        with zipfile.ZipFile(archive) as bundle:
            for name in BINARY_NAMES:
                try:
                    return _install_private_copy(bundle.read(prefix + "bin/" + name))
                except KeyError:
                    continue
        return None
    for name in BINARY_NAMES:
        candidate = os.path.join(here, "bin", name)
        if not os.path.isfile(candidate):
            continue
        if os.access(candidate, os.X_OK):
            return candidate
        try:  # unpacked without its mode bits
            os.chmod(candidate, os.stat(candidate).st_mode | stat.S_IXUSR)
            return candidate
        except OSError:
            with open(candidate, "rb") as source:
                return _install_private_copy(source.read())
    return None


def find_binary():
    """UE_PREFECT_BINARY, else bin/ue-prefect next to this file, else ue-prefect on PATH."""
    configured = os.environ.get(BINARY_ENVIRONMENT)
    if configured:
        return configured
    try:
        bundled = _bundled_binary()
    except (OSError, zipfile.BadZipFile) as error:
        logger.warning("Cannot use the ue-prefect bundled in the extension: %s", error)
        bundled = None
    if bundled:
        return bundled
    return shutil.which(BINARY_NAMES[0])


class _StderrRelay(threading.Thread):
    """Copies the binary's standard error to ours, line by line, minus the API key."""

    def __init__(self, stream, secret):
        super().__init__(name="ue-prefect-stderr", daemon=True)
        self._stream = stream
        self._secret = secret
        self.last_lines = []

    def run(self):
        for raw in iter(self._stream.readline, b""):
            line = _scrub(raw.decode("utf-8", "replace").rstrip("\r\n"), self._secret)
            self.last_lines = (self.last_lines + [line])[-20:]
            try:
                sys.stderr.write(line + "\n")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
        self._stream.close()

    def last_error(self):
        for line in reversed(self.last_lines):
            if "error:" in line:
                return line.split("error:", 1)[1].strip()
        return self.last_lines[-1].strip() if self.last_lines else ""


class Extension(UniversalExtension):
    """Relays a UAC task to ue-prefect and ue-prefect's events back to UAC."""

    def __init__(self):
        super(Extension, self).__init__()
        self._lock = threading.Lock()
        self._process = None
        self._cancelled = threading.Event()
        self._finished = threading.Event()

    # -- the task ---------------------------------------------------------------------------

    def extension_start(self, fields):
        self._finished.clear()
        try:
            return self._run_task(fields)
        except Exception as error:  # a bug here must still end the task with rc 1, not a trace
            logger.exception("The ue-prefect extension failed")
            return self._failure(task_document(fields), "the extension failed: %s" % error)
        finally:
            self._finished.set()

    def _run_task(self, fields):
        document = task_document(fields)
        secret = _secret(document)
        binary = find_binary()
        if not binary:
            return self._failure(document, "the ue-prefect binary was not found (set %s, ship "
                                 "bin/ue-prefect in the extension archive, or put ue-prefect on "
                                 "PATH)" % BINARY_ENVIRONMENT)
        with self._lock:
            if self._cancelled.is_set():
                return self._failure(document, "the task was cancelled before ue-prefect started")
            try:
                process = subprocess.Popen([binary, "--fields", "-", "--events"],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE)
            except OSError as error:
                return self._failure(document, "cannot start %s: %s" % (binary, error))
            self._process = process
        logger.info("Started %s (pid %d)", binary, process.pid)
        stderr = _StderrRelay(process.stderr, secret)
        stderr.start()
        try:
            process.stdin.write(json.dumps(document, default=str).encode("utf-8"))
            process.stdin.close()
        except OSError:
            pass  # it ended early; what it said (or not) on stdout and stderr tells why

        result = None
        try:
            for raw in iter(process.stdout.readline, b""):
                try:
                    event = json.loads(raw.decode("utf-8"))
                except ValueError:
                    logger.warning("ue-prefect wrote a line that is not JSON: %r",
                                   _scrub(raw.decode("utf-8", "replace"), secret)[:200])
                    continue
                if not isinstance(event, dict):
                    continue
                if event.get("type") == "output_fields":
                    self._relay_output_fields(event.get("fields") or {})
                elif event.get("type") == "result":
                    result = event
            process.stdout.close()
            returncode = process.wait()
        except BaseException:
            process.kill()  # never leave the binary behind
            process.wait()
            raise
        finally:
            stderr.join(5)
            with self._lock:
                self._process = None

        if result is not None and isinstance(result.get("extension_output"), dict):
            output = result["extension_output"]
            rc = result.get("exit_code", returncode)
            if rc != returncode:
                logger.warning("ue-prefect reported exit code %s but ended with %s", rc, returncode)
            return ExtensionResult(rc=rc, message=output.get("status_description", ""),
                                   unv_output=json.dumps(output, indent=4))

        ending = _describe_exit(returncode)
        if self._cancelled.is_set():
            reason = ("the task was cancelled; ue-prefect ended (%s) without reporting a result"
                      % ending)
        else:
            reason = "ue-prefect ended (%s) without reporting a result" % ending
            detail = stderr.last_error()
            if detail:
                reason += ": " + detail
        return self._failure(document, _scrub(reason, secret))

    def _relay_output_fields(self, fields):
        update = {}
        for key, value in fields.items():
            if key in OUTPUT_FIELDS:
                update[OUTPUT_FIELDS[key]] = "" if value is None else value
        if update:
            try:
                ui.update_output_fields(update)
            except Exception:  # the task goes on; only the live view missed an update
                logger.exception("Could not update the output fields %s", sorted(update))

    def _failure(self, document, reason):
        """rc 1 with an Extension Output of the usual shape, for when the binary gave none."""
        logger.error("%s%s", EXECUTION_FAILED, reason)
        output = {
            "exit_code": 1,
            "status_description": EXECUTION_FAILED + reason,
            "invocation": {"fields": _masked(document)},
            "result": {"errors": [reason]},
        }
        if _choice_value(document.get("extension_output_options")) == \
                "Include latest Flow Run information":
            output["result"] = {"flow_run_info": None, "errors": [reason]}
        return ExtensionResult(rc=1, message=output["status_description"],
                               unv_output=json.dumps(output, indent=4))

    # -- cancel -----------------------------------------------------------------------------

    def extension_cancel(self):
        """SIGTERM to the binary, then wait (bounded) until its result has been relayed."""
        self._cancelled.set()
        with self._lock:
            process = self._process
        if process is None:
            return
        logger.info("Cancel: sending SIGTERM to ue-prefect (pid %d)", process.pid)
        try:
            process.terminate()
        except OSError:
            pass
        if self._finished.wait(CANCEL_GRACE_SECONDS):
            return
        logger.warning("Cancel: ue-prefect did not end within %.0f s; killing it",
                       CANCEL_GRACE_SECONDS)
        try:
            process.kill()
        except OSError:
            pass
        self._finished.wait(KILL_GRACE_SECONDS)

    # -- dynamic choices --------------------------------------------------------------------

    @dynamic_choice_command("workspace_id_or_name")
    def choose_workspace(self, fields):
        return self._choices("workspaces", fields)

    @dynamic_choice_command("deployment_id_or_name")
    def choose_deployment(self, fields):
        return self._choices("deployments", fields)

    def _choices(self, command, fields):
        document = task_document(fields)
        secret = _secret(document)
        binary = find_binary()
        if not binary:
            return ExtensionResult(rc=1, message="the ue-prefect binary was not found", values=[])
        try:
            completed = subprocess.run([binary, command, "--fields", "-", "--json"],
                                       input=json.dumps(document, default=str).encode("utf-8"),
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       timeout=CHOICE_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return ExtensionResult(rc=1, values=[], message="ue-prefect %s did not answer within "
                                   "%.0f s" % (command, CHOICE_TIMEOUT_SECONDS))
        except OSError as error:
            return ExtensionResult(rc=1, values=[],
                                   message="cannot start %s: %s" % (binary, error))
        errors = _scrub(completed.stderr.decode("utf-8", "replace"), secret)
        if errors:
            sys.stderr.write(errors if errors.endswith("\n") else errors + "\n")
        if completed.returncode != 0:
            lines = [line for line in errors.splitlines() if line.strip()]
            detail = next((line.split("error:", 1)[1].strip() for line in reversed(lines)
                           if "error:" in line), lines[-1] if lines else "")
            return ExtensionResult(rc=completed.returncode, values=[],
                                   message=detail or "ue-prefect %s: %s"
                                   % (command, _describe_exit(completed.returncode)))
        try:
            items = json.loads(completed.stdout.decode("utf-8"))
            values = [item["name"] for item in items if item.get("name")]
        except (ValueError, TypeError, KeyError, AttributeError):
            return ExtensionResult(rc=1, values=[],
                                   message="ue-prefect %s --json did not print a JSON array "
                                   "of objects with a name" % command)
        return ExtensionResult(rc=0, values=values,
                               message="%d %s" % (len(values), command))
