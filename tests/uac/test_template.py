"""resources/uac/template.json against the CLI contract, so that the two cannot drift apart.

* Every input field of the template is a field the ue-prefect binary reads (asked of the binary
  itself: invocation.fields of a run lists every field it read), and is one of the UAC fields
  of the original integration or one of ours.
* Every UAC field in the README's field table is in the template, and the options that row
  names exist in ``ue-prefect --help``.
* The Output Only fields are the keys of the binary's output_fields event (through the one
  rename in extension.py).
* The template is well formed the way UAC exports are: unique names, mappings and sysIds,
  references to existing mappings, field types that match their mappings.
"""

import json
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
UAC = os.path.join(REPO, "resources", "uac")
sys.path[:0] = [os.path.join(HERE, "uac_stub"), UAC]

import extension  # noqa: E402  (resources/uac/extension.py)

LAUNCH = "Prefect Cloud - Launch Flow Run"
DEFAULT_PARAMETERS = '{"parameters": {}, "context": {}, "job_variables": {}, "tags": []}'

# name: (label, field type). The original integration's fields, then ours.
INPUTS = {
    "action": ("Action", "Choice"),
    "credentials": ("Credentials", "Credential"),
    "workspace_id_or_name": ("Workspace ID or Name", "Choice"),
    "deployment_id_or_name": ("Deployment ID or Name", "Choice"),
    "flow_run_name": ("Flow Run Name", "Text"),
    "additional_optional_parameters": ("Additional Optional Parameters", "Boolean"),
    "parameters_json": ("Parameters (JSON)", "Text"),
    "wait_for_success_or_failure": ("Wait for Success or Failure", "Boolean"),
    "polling_interval": ("Polling Interval (sec)", "Integer"),
    "max_number_of_polls": ("Max Number of Polls", "Integer"),
    "extension_output_options": ("Extension Output Options", "Choice"),
    "cancel_flow_run_on_task_cancel": ("Cancel Flow Run on Task Cancel", "Boolean"),
    "api_url": ("Prefect API URL", "Text"),
    "idempotency_key": ("Idempotency Key", "Text"),
    "ca_file": ("CA Certificate File", "Text"),
    "max_retries": ("Max Retries per Request", "Integer"),
    "retry_max_seconds": ("Max Retry Time per Request (sec)", "Integer"),
    "watch_mode": ("Watch Mode", "Choice"),
    "stream_logs": ("Stream Logs", "Boolean"),
    "logs_in_extension_output": ("Log Lines in Extension Output", "Integer"),
}
OUTPUTS = {
    "flow_run_id": "Flow Run ID",
    "flow_run_name_output": "Flow Run Name",
    "flow_run_state": "Flow Run State",
}
MAPPING_PREFIXES = {
    "Text": ("Text Field ", "Large Text Field "),
    "Integer": ("Integer Field ",),
    "Boolean": ("Boolean Field ",),
    "Choice": ("Choice Field ",),
    "Credential": ("Credential Field ",),
}


def binary_path():
    path = os.environ.get("UE_PREFECT_BINARY") or os.path.join(REPO, "build", "headless",
                                                               "ue-prefect")
    if not os.access(path, os.X_OK):
        raise RuntimeError("no ue-prefect binary: set UE_PREFECT_BINARY (tried %s)" % path)
    return path


def readme_field_rows():
    """{UAC field: the README row's option cell} of the README's input field table."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as readme:
        text = readme.read()
    section = text.split("### Input fields", 1)[1].split("\n### ", 1)[0]
    rows = {}
    for line in section.splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        names = re.findall(r"`([^`]+)`", cells[0])
        if not names or cells[0].startswith("UAC field"):
            continue
        name = names[0].split(".", 1)[0]  # credentials.user, credentials.password: credentials
        rows[name] = rows.get(name, "") + " " + cells[1]
    return rows, text


class TemplateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(UAC, "template.json"), encoding="utf-8") as source:
            cls.template = json.load(source)
        cls.fields = cls.template["fields"]
        cls.by_name = {f["name"]: f for f in cls.fields}
        cls.by_mapping = {f["fieldMapping"]: f for f in cls.fields}
        cls.inputs = [f for f in cls.fields if f["fieldRestriction"] != "Output Only"]
        cls.outputs = [f for f in cls.fields if f["fieldRestriction"] == "Output Only"]
        cls.binary = binary_path()
        cls.readme_rows, cls.readme = readme_field_rows()

    def fields_the_binary_reads(self):
        """Every field name the binary read, from invocation.fields of a run that passed
        validation (and then failed at once on a closed port)."""
        document = {"api_url": "http://127.0.0.1:9/api", "deployment_id_or_name": "etl/daily",
                    "max_retries": 0}
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        completed = subprocess.run([self.binary, "--fields", "-", "--events", "--quiet"],
                                   input=json.dumps(document).encode(), env=environment,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        events = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
        result = [e for e in events if e.get("type") == "result"]
        self.assertEqual(len(result), 1, completed.stderr.decode())
        self.assertEqual(result[0]["exit_code"], 1, "expected a network failure, not validation")
        return set(result[0]["extension_output"]["invocation"]["fields"])

    # -- the template against the CLI -------------------------------------------------------

    def test_every_input_field_is_read_by_the_binary(self):
        read = self.fields_the_binary_reads()
        for field in self.inputs:
            self.assertIn(field["name"], read,
                          "template field %r is not a field ue-prefect reads" % field["name"])

    def test_input_fields_are_the_known_ones_with_their_labels_and_types(self):
        self.assertEqual({f["name"]: (f["label"], f["fieldType"]) for f in self.inputs}, INPUTS)

    def test_every_readme_field_is_in_the_template_and_its_options_exist(self):
        helptext = subprocess.run([self.binary, "--help"], stdout=subprocess.PIPE,
                                  timeout=60).stdout.decode()
        self.assertTrue(self.readme_rows, "no field table found in README.md")
        for name, option_cell in self.readme_rows.items():
            self.assertIn(name, self.by_name, "README field %r is not in template.json" % name)
            self.assertNotEqual(self.by_name[name]["fieldRestriction"], "Output Only")
            for option in re.findall(r"--[a-z][a-z-]*", option_cell):
                self.assertIn(option, helptext, "README option %s of %s is not in --help"
                              % (option, name))

    def test_output_fields_are_the_output_fields_event_keys(self):
        self.assertEqual({f["name"]: f["label"] for f in self.outputs}, OUTPUTS)
        event = re.search(r'"type": "output_fields", "fields": \{([^}]*)\}', self.readme)
        self.assertIsNotNone(event, "README no longer describes the output_fields event")
        keys = set(re.findall(r'"([a-z_]+)"', event.group(1)))
        self.assertEqual(set(extension.OUTPUT_FIELDS), keys)
        self.assertEqual(set(extension.OUTPUT_FIELDS.values()), set(OUTPUTS))
        for field in self.outputs:
            self.assertEqual(field["fieldType"], "Text")

    def test_dynamic_choice_fields_have_a_command_and_their_dependencies(self):
        answered = {getattr(member, "dynamic_choice_field", None)
                    for member in vars(extension.Extension).values()} - {None}
        dynamic = {f["name"] for f in self.fields if f["choiceDynamic"]}
        self.assertEqual(dynamic, {"workspace_id_or_name", "deployment_id_or_name"})
        self.assertEqual(answered, dynamic)

        def depends_on(name):
            return {self.by_mapping[m]["name"] for m in self.by_name[name]["choiceFields"]}
        self.assertEqual(depends_on("workspace_id_or_name"), {"credentials", "api_url"})
        self.assertEqual(depends_on("deployment_id_or_name"),
                         {"credentials", "workspace_id_or_name", "api_url"})

    # -- the original integration's rules --------------------------------------------------

    def test_defaults_choices_and_show_if_rules(self):
        f = self.by_name

        def shown_if(name):
            field = f[name]
            if field["showIfField"] is None:
                return None
            return self.by_mapping[field["showIfField"]]["name"], field["showIfFieldValue"]

        self.assertEqual([c["fieldValue"] for c in f["action"]["choices"]], [LAUNCH])
        self.assertEqual(f["action"]["fieldValue"], LAUNCH)
        self.assertEqual([c["fieldValue"] for c in f["extension_output_options"]["choices"]],
                         ["--None--", "Include latest Flow Run information"])
        self.assertEqual(f["extension_output_options"]["fieldValue"], "--None--")
        self.assertTrue(f["deployment_id_or_name"]["required"])

        self.assertEqual(f["parameters_json"]["fieldValue"], DEFAULT_PARAMETERS)
        self.assertEqual(f["parameters_json"]["fieldMapping"][:len("Large Text Field")],
                         "Large Text Field")
        self.assertEqual(f["parameters_json"]["textType"], "JSON")
        self.assertEqual(shown_if("parameters_json"), ("additional_optional_parameters", "true"))

        self.assertEqual(f["polling_interval"]["fieldValue"], "60")
        self.assertEqual(shown_if("polling_interval"), ("wait_for_success_or_failure", "true"))
        self.assertTrue(f["polling_interval"]["requireIfVisible"])
        self.assertEqual(shown_if("max_number_of_polls"), ("wait_for_success_or_failure", "true"))
        self.assertFalse(f["max_number_of_polls"]["required"])
        self.assertIsNone(f["max_number_of_polls"]["fieldValue"])
        self.assertEqual(shown_if("cancel_flow_run_on_task_cancel"),
                         ("wait_for_success_or_failure", "true"))
        self.assertEqual([c["fieldValue"] for c in f["watch_mode"]["choices"]],
                         ["auto", "events", "poll"])
        self.assertEqual(f["watch_mode"]["fieldValue"], "auto")
        self.assertEqual(f["logs_in_extension_output"]["fieldValue"], "0")
        self.assertEqual(f["logs_in_extension_output"]["intFieldMin"], 0)
        for name in ("watch_mode", "stream_logs", "logs_in_extension_output"):
            self.assertEqual(shown_if(name), ("wait_for_success_or_failure", "true"), name)
        for name in ("additional_optional_parameters", "wait_for_success_or_failure",
                     "cancel_flow_run_on_task_cancel", "stream_logs"):
            self.assertIs(f[name]["fieldValue"], False, name)
        for name in ("api_url", "credentials", "flow_run_name", "workspace_id_or_name"):
            self.assertFalse(f[name]["required"], name)  # self-hosted needs none of them

        self.assertEqual(self.template["exitCodes"], "0")
        self.assertEqual(self.template["exitCodeProcessing"], "Success Exitcode Range")

    # -- well formed, like a UAC export -----------------------------------------------------

    def test_template_is_well_formed(self):
        t = self.template
        self.assertEqual(t["templateType"], "Extension")
        self.assertEqual(t["name"], "Prefect")
        names = [f["name"] for f in self.fields]
        self.assertEqual(len(names), len(set(n.lower() for n in names)))
        mappings = [f["fieldMapping"] for f in self.fields]
        self.assertEqual(len(mappings), len(set(mappings)))
        self.assertEqual([f["sequence"] for f in self.fields], list(range(len(self.fields))))
        sys_ids = [t["sysId"]] + [f["sysId"] for f in self.fields] + \
            [c["sysId"] for f in self.fields for c in f["choices"]]
        self.assertEqual(len(sys_ids), len(set(sys_ids)))
        for sys_id in sys_ids:
            self.assertRegex(sys_id, r"^[0-9a-f]{32}$")
        reference_keys = set(self.fields[0])
        for field in self.fields:
            self.assertEqual(set(field), reference_keys, field["name"])
            self.assertRegex(field["name"], r"^[a-z][a-z0-9_]*$")
            self.assertTrue(field["fieldMapping"].startswith(MAPPING_PREFIXES[field["fieldType"]]),
                            field["name"])
            for reference in [field["showIfField"], field["requireIfField"]] + \
                    field["choiceFields"]:
                if reference is not None:
                    self.assertIn(reference, self.by_mapping, field["name"])
            if field["fieldType"] == "Choice" and not field["choiceDynamic"]:
                values = [c["fieldValue"] for c in field["choices"]]
                self.assertIn(field["fieldValue"], values, field["name"])
            if field["fieldRestriction"] == "Output Only":
                self.assertIn(field["fieldType"], ("Text", "Integer", "Boolean"))

    def test_extension_metadata_and_icon(self):
        with open(os.path.join(UAC, "extension.yml"), encoding="utf-8") as source:
            yml = source.read()
        self.assertRegex(yml, r"(?m)^extension:\n  name: ue-prefect$")
        self.assertEqual(self.template["extension"], "ue-prefect")
        self.assertRegex(yml, r'(?m)^  api_level: "\d+\.\d+\.\d+"$')
        version = re.search(r'(?m)^  version: "([^"]+)"$', yml).group(1)
        with open(os.path.join(REPO, "CMakeLists.txt"), encoding="utf-8") as cmake:
            project_version = re.search(r"project\(ue-prefect VERSION (\S+)", cmake.read()).group(1)
        self.assertEqual(version, project_version, "extension.yml version != project version")

        icon = os.path.join(UAC, "template_icon.png")
        with open(icon, "rb") as source:
            png = source.read()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(png[16:24], b"\x00\x00\x00\x30\x00\x00\x00\x30")  # 48 x 48
        self.assertEqual(self.template["iconFilename"], "template_icon.png")
        self.assertEqual(self.template["iconFilesize"], len(png))


if __name__ == "__main__":
    unittest.main()
