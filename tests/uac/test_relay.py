"""resources/uac/extension.py, on a stand-in UAC API, driving the real ue-prefect binary
(UE_PREFECT_BINARY) against a fake Prefect API on 127.0.0.1."""

import json
import os
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [os.path.join(HERE, "uac_stub"), os.path.join(REPO, "resources", "uac"), HERE]

import extension  # noqa: E402  (resources/uac/extension.py)
import fake_prefect  # noqa: E402
from fake_prefect import ACCOUNT_ID, API_KEY  # noqa: E402
from universal_extension import ui  # noqa: E402  (the stand-in)

LAUNCH = "Prefect Cloud - Launch Flow Run"
FLOW_RUN_INFO = "Include latest Flow Run information"
OUTPUT_KEYS = {"flow_run_id", "flow_run_name_output", "flow_run_state"}


def binary_path():
    path = os.environ.get("UE_PREFECT_BINARY") or os.path.join(REPO, "build", "headless",
                                                               "ue-prefect")
    if not os.access(path, os.X_OK):
        raise RuntimeError("no ue-prefect binary: set UE_PREFECT_BINARY (tried %s)" % path)
    return path


def child_processes():
    """Live ue-prefect processes whose parent is this test process."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as stat_file:
                stat = stat_file.read()
            with open("/proc/%s/cmdline" % entry, "rb") as cmdline_file:
                cmdline = cmdline_file.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        state, parent = fields[0], int(fields[1])
        if parent == os.getpid() and state != "Z" and b"ue-prefect" in cmdline:
            found.append(int(entry))
    return found


class RelayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.binary = binary_path()
        cls.saved_environment = dict(os.environ)
        for name in list(os.environ):
            if name.startswith("PREFECT_"):
                del os.environ[name]
        os.environ["UE_PREFECT_BINARY"] = cls.binary
        cls.prefect = fake_prefect.FakePrefect().start()

    @classmethod
    def tearDownClass(cls):
        cls.prefect.stop()
        os.environ.clear()
        os.environ.update(cls.saved_environment)

    def setUp(self):
        ui.reset()
        with self.prefect.lock:
            del self.prefect.requests[:]

    def cloud_fields(self, **changes):
        """A task's fields as UAC hands them to extension_start: credentials flattened,
        choices as one-element lists, booleans and integers typed, Output Only fields too."""
        fields = {
            "action": [LAUNCH],
            "credentials.user": ACCOUNT_ID,
            "credentials.password": API_KEY,
            "workspace_id_or_name": ["Analytics"],
            "deployment_id_or_name": ["etl/daily"],
            "api_url": self.prefect.api_url,
            "flow_run_name": "relay-run",
            "additional_optional_parameters": True,
            "parameters_json": json.dumps({"parameters": {"day": "2026-12-01"},
                                           "context": {"origin": "uac"},
                                           "job_variables": {}, "tags": ["relay"]}),
            "wait_for_success_or_failure": True,
            "cancel_flow_run_on_task_cancel": False,
            "polling_interval": 1,
            "max_number_of_polls": None,
            "extension_output_options": [FLOW_RUN_INFO],
            "flow_run_id": "left-over-from-a-previous-run",
            "flow_run_name_output": "",
            "flow_run_state": "",
        }
        fields.update(changes)
        return fields

    def self_hosted_fields(self, **changes):
        fields = self.cloud_fields(**changes)
        fields.update({"credentials.user": None, "credentials.password": None,
                       "workspace_id_or_name": []})
        fields.update(changes)
        return fields

    def assertResultConsistent(self, result):
        """unv_output is the Extension Output: exit_code is rc, status_description the message,
        and the API key is nowhere."""
        self.assertIsInstance(result.unv_output, str)
        output = json.loads(result.unv_output)
        self.assertEqual(output["exit_code"], result.rc)
        self.assertEqual(output["status_description"], result.message)
        self.assertNotIn(API_KEY, result.unv_output)
        self.assertNotIn(API_KEY, result.message)
        return output

    # -- the task ---------------------------------------------------------------------------

    def test_launch_and_wait_relays_fields_events_and_result(self):
        result = extension.Extension().extension_start(self.cloud_fields())

        self.assertEqual(result.rc, 0, result.message)
        self.assertEqual(result.message, "Task executed successfully.")
        output = self.assertResultConsistent(result)
        invocation = output["invocation"]["fields"]
        self.assertEqual(invocation["credentials"], {"user": ACCOUNT_ID, "password": "****"})
        self.assertEqual(invocation["deployment_id_or_name"], "etl/daily")
        info = output["result"]["flow_run_info"]
        self.assertEqual(info["state_type"], "COMPLETED")
        self.assertEqual(output["result"]["errors"], [])

        # Fields in: the key reached Prefect as a bearer token, the run got what was asked.
        created = self.prefect.recorded("POST", "/create_flow_run")
        self.assertEqual(len(created), 1)
        self.assertEqual(created[0]["authorization"], "Bearer " + API_KEY)
        self.assertIn("/accounts/%s/workspaces/%s/" % (ACCOUNT_ID, fake_prefect.WORKSPACE_ID),
                      created[0]["path"])
        body = created[0]["body"]
        self.assertEqual(body["name"], "relay-run")
        self.assertEqual(body["parameters"], {"day": "2026-12-01"})
        self.assertEqual(body["context"], {"origin": "uac"})
        self.assertEqual(body["tags"], ["relay"])

        # Output fields, live and in order, under the template's Output Only names.
        self.assertTrue(ui.updates)
        for update in ui.updates:
            self.assertEqual(set(update), OUTPUT_KEYS)
            self.assertEqual(update["flow_run_id"], info["id"])
            self.assertEqual(update["flow_run_name_output"], "relay-run")
        self.assertEqual([u["flow_run_state"] for u in ui.updates],
                         ["SCHEDULED", "PENDING", "RUNNING", "COMPLETED"])

    def test_launch_without_wait_ends_when_the_run_is_created(self):
        result = extension.Extension().extension_start(self.cloud_fields(
            wait_for_success_or_failure=False, extension_output_options=["--None--"],
            additional_optional_parameters=False, flow_run_name=None))
        self.assertEqual(result.rc, 0, result.message)
        output = self.assertResultConsistent(result)
        self.assertNotIn("flow_run_info", output["result"])
        self.assertEqual([u["flow_run_state"] for u in ui.updates], ["SCHEDULED"])
        self.assertEqual(ui.updates[0]["flow_run_name_output"], "brave-otter")
        body = self.prefect.recorded("POST", "/create_flow_run")[0]["body"]
        self.assertNotIn("parameters", body)  # unchecked: parameters_json is not used

    def test_failed_run_is_rc_1(self):
        result = extension.Extension().extension_start(
            self.self_hosted_fields(deployment_id_or_name=["etl/failing"]))
        self.assertEqual(result.rc, 1)
        self.assertEqual(result.message, "Execution Failed: Flow run Reached FAILED State")
        output = self.assertResultConsistent(result)
        self.assertEqual(output["result"]["flow_run_info"]["state_type"], "FAILED")
        self.assertIn("Flow run Reached FAILED State", output["result"]["errors"])
        self.assertEqual(ui.updates[-1]["flow_run_state"], "FAILED")
        self.assertIsNone(self.prefect.recorded()[0]["authorization"])  # self-hosted: no key

    def test_validation_error_is_rc_20_and_creates_nothing(self):
        result = extension.Extension().extension_start(
            self.cloud_fields(parameters_json='{"parameters": {}, "priority": 3}'))
        self.assertEqual(result.rc, 20)
        self.assertTrue(result.message.startswith("Data Validation Error: "), result.message)
        self.assertResultConsistent(result)
        self.assertEqual(ui.updates, [])
        self.assertEqual(self.prefect.recorded("POST", "/create_flow_run"), [])

    def test_missing_binary_is_rc_1_with_a_clear_message(self):
        os.environ["UE_PREFECT_BINARY"] = os.path.join(HERE, "no-such-ue-prefect")
        try:
            result = extension.Extension().extension_start(self.cloud_fields())
        finally:
            os.environ["UE_PREFECT_BINARY"] = self.binary
        self.assertEqual(result.rc, 1)
        self.assertIn("no-such-ue-prefect", result.message)
        output = self.assertResultConsistent(result)
        self.assertEqual(output["invocation"]["fields"]["credentials"]["password"], "****")
        self.assertIsNone(output["result"]["flow_run_info"])

    # -- cancel -----------------------------------------------------------------------------

    def test_cancel_mid_wait_returns_promptly_and_leaves_no_process(self):
        task = extension.Extension()
        results = []
        runner = threading.Thread(target=lambda: results.append(task.extension_start(
            self.cloud_fields(deployment_id_or_name=["ops/endless"]))))
        runner.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
                u.get("flow_run_state") == "RUNNING" for u in list(ui.updates)):
            time.sleep(0.05)
        self.assertTrue(any(u.get("flow_run_state") == "RUNNING" for u in ui.updates),
                        "the run never reached RUNNING: %r" % ui.updates)
        children = child_processes()
        self.assertEqual(len(children), 1, "one ue-prefect child while waiting")

        started = time.monotonic()
        task.extension_cancel()
        runner.join(15)
        elapsed = time.monotonic() - started

        self.assertFalse(runner.is_alive(), "extension_start did not return after cancel")
        self.assertLess(elapsed, 10.0)
        self.assertEqual(len(results), 1)
        result = results[0]
        self.assertEqual(result.rc, 1, result.message)
        self.assertTrue(result.message.startswith("Execution Failed: "), result.message)
        self.assertResultConsistent(result)
        self.assertEqual(child_processes(), [])
        self.assertFalse(os.path.exists("/proc/%d" % children[0])
                         and child_processes() == children)
        # Default policy (as the original): the flow run itself is not cancelled in Prefect.
        self.assertEqual(self.prefect.recorded("POST", "/set_state"), [])
        sys.stderr.write("\n[cancel] returned after %.2f s: rc=%s message=%r\n"
                         % (elapsed, result.rc, result.message))

    def test_cancel_with_cancel_flow_run_on_task_cancel_cancels_it_in_prefect(self):
        task = extension.Extension()
        results = []
        runner = threading.Thread(target=lambda: results.append(task.extension_start(
            self.cloud_fields(deployment_id_or_name=["ops/endless"],
                              cancel_flow_run_on_task_cancel=True))))
        runner.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
                u.get("flow_run_state") == "RUNNING" for u in list(ui.updates)):
            time.sleep(0.05)
        task.extension_cancel()
        runner.join(15)
        self.assertFalse(runner.is_alive())
        self.assertEqual(results[0].rc, 1, results[0].message)
        self.assertResultConsistent(results[0])
        self.assertEqual(child_processes(), [])
        asked = self.prefect.recorded("POST", "/set_state")
        self.assertEqual(len(asked), 1, "the flow run was not cancelled in Prefect")
        self.assertIn(ui.updates[0]["flow_run_id"], asked[0]["path"])
        self.assertIn(asked[0]["body"]["state"]["type"], ("CANCELLING", "CANCELLED"))

    def test_cancel_relays_the_result_the_binary_writes_on_sigterm(self):
        # The contract's other branch: the binary catches SIGTERM, writes its result, exits 1.
        # Emulated by a script, so it does not depend on the binary's state of the art.
        import tempfile
        script = tempfile.NamedTemporaryFile("w", suffix="-ue-prefect", delete=False)
        self.addCleanup(os.unlink, script.name)
        script.write("""#!%s
import json, signal, sys, time
json.load(sys.stdin)
output = {"exit_code": 1, "status_description": "Execution Failed: Task cancelled",
          "invocation": {"fields": {}}, "result": {"errors": ["Task cancelled"]}}
def ended(*_):
    print(json.dumps({"type": "result", "exit_code": 1, "extension_output": output}), flush=True)
    sys.exit(1)
signal.signal(signal.SIGTERM, ended)
print(json.dumps({"type": "output_fields", "fields": {"flow_run_id": "r1",
      "flow_run_name": "n1", "flow_run_state": "RUNNING"}}), flush=True)
while True:
    time.sleep(0.1)
""" % sys.executable)
        script.close()
        os.chmod(script.name, 0o700)
        os.environ["UE_PREFECT_BINARY"] = script.name
        self.addCleanup(os.environ.__setitem__, "UE_PREFECT_BINARY", self.binary)

        task = extension.Extension()
        results = []
        runner = threading.Thread(target=lambda: results.append(
            task.extension_start(self.cloud_fields())))
        runner.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not ui.updates:
            time.sleep(0.05)
        self.assertEqual(ui.updates, [{"flow_run_id": "r1", "flow_run_name_output": "n1",
                                       "flow_run_state": "RUNNING"}])
        task.extension_cancel()
        runner.join(10)
        self.assertFalse(runner.is_alive())
        self.assertEqual(results[0].rc, 1)
        self.assertEqual(results[0].message, "Execution Failed: Task cancelled")
        self.assertResultConsistent(results[0])
        self.assertEqual(child_processes(), [])

    def test_cancel_before_start_launches_nothing(self):
        task = extension.Extension()
        task.extension_cancel()
        result = task.extension_start(self.cloud_fields())
        self.assertEqual(result.rc, 1)
        self.assertResultConsistent(result)
        self.assertEqual(self.prefect.recorded(), [])

    # -- dynamic choices --------------------------------------------------------------------

    def choice_fields(self, **changes):
        # The dependent fields UAC hands to a dynamic choice command (see choiceFields).
        fields = {"credentials.user": ACCOUNT_ID, "credentials.password": API_KEY,
                  "api_url": self.prefect.api_url}
        fields.update(changes)
        return fields

    def test_workspace_choices_are_the_account_workspace_names(self):
        result = extension.Extension().choose_workspace(self.choice_fields())
        self.assertEqual(result.rc, 0, result.message)
        self.assertEqual(result.values, ["Analytics", "Sandbox"])
        self.assertEqual(extension.Extension.choose_workspace.dynamic_choice_field,
                         "workspace_id_or_name")

    def test_deployment_choices_are_flow_slash_deployment_names(self):
        result = extension.Extension().choose_deployment(
            self.choice_fields(workspace_id_or_name=["Analytics"]))
        self.assertEqual(result.rc, 0, result.message)
        self.assertEqual(result.values, ["etl/daily", "etl/failing", "ops/endless"])
        self.assertEqual(extension.Extension.choose_deployment.dynamic_choice_field,
                         "deployment_id_or_name")
        self.assertTrue(all(r["authorization"] == "Bearer " + API_KEY
                            for r in self.prefect.recorded()))

    def test_deployment_choices_self_hosted(self):
        result = extension.Extension().choose_deployment(
            {"credentials.user": None, "credentials.password": None,
             "api_url": self.prefect.api_url, "workspace_id_or_name": []})
        self.assertEqual(result.rc, 0, result.message)
        self.assertEqual(result.values, ["etl/daily", "etl/failing", "ops/endless"])

    def test_choices_with_a_wrong_key_fail_with_the_reason(self):
        result = extension.Extension().choose_workspace(
            self.choice_fields(**{"credentials.password": "pnu_wrong_key"}))
        self.assertEqual(result.rc, 1)
        self.assertEqual(result.values, [])
        self.assertIn("authentication failed", result.message)
        self.assertNotIn("pnu_wrong_key", result.message)


if __name__ == "__main__":
    unittest.main()
