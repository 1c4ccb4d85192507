"""resources/uac/build-package: the UAC import archive, and the extension run from inside it
(loaded from extension_archive.zip the way the agent can, finding its bundled binary)."""

import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
import zipimport

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
UAC = os.path.join(REPO, "resources", "uac")
sys.path[:0] = [os.path.join(HERE, "uac_stub")]


def binary_path():
    path = os.environ.get("UE_PREFECT_BINARY") or os.path.join(REPO, "build", "headless",
                                                               "ue-prefect")
    if not os.access(path, os.X_OK):
        raise RuntimeError("no ue-prefect binary: set UE_PREFECT_BINARY (tried %s)" % path)
    return path


def build(output_dir, *binary):
    subprocess.run([os.path.join(UAC, "build-package"), output_dir] + list(binary), check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(output_dir, "unv-tmplt-ue-prefect.zip")


class PackageTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="ue-prefect-package-")
        self.addCleanup(shutil.rmtree, self.directory)

    def read(self, name):
        with open(os.path.join(UAC, name), "rb") as source:
            return source.read()

    def test_archive_holds_template_icon_and_extension(self):
        binary = binary_path()
        with zipfile.ZipFile(build(self.directory, binary)) as package:
            self.assertEqual(package.namelist(),
                             ["template.json", "template_icon.png", "extension_archive.zip"])
            self.assertEqual(package.read("template.json"), self.read("template.json"))
            self.assertEqual(package.read("template_icon.png"), self.read("template_icon.png"))
            json.loads(package.read("template.json"))
            nested = os.path.join(self.directory, "extension_archive.zip")
            with open(nested, "wb") as out:
                out.write(package.read("extension_archive.zip"))
        with zipfile.ZipFile(nested) as archive:
            self.assertEqual(archive.namelist(),
                             ["extension.py", "extension.yml", "bin/ue-prefect"])
            self.assertEqual(archive.read("extension.py"), self.read("extension.py"))
            self.assertEqual(archive.read("extension.yml"), self.read("extension.yml"))
            with open(binary, "rb") as source:
                self.assertEqual(archive.read("bin/ue-prefect"), source.read())
            mode = archive.getinfo("bin/ue-prefect").external_attr >> 16
            self.assertEqual(mode & 0o777, 0o755)

    def test_archive_without_binary(self):
        with zipfile.ZipFile(build(self.directory)) as package:
            nested = io.BytesIO(package.read("extension_archive.zip"))
            with zipfile.ZipFile(nested) as archive:
                self.assertEqual(archive.namelist(), ["extension.py", "extension.yml"])

    def test_archives_are_reproducible(self):
        first = build(os.path.join(self.directory, "a"), binary_path())
        second = build(os.path.join(self.directory, "b"), binary_path())
        with open(first, "rb") as a, open(second, "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_extension_loaded_from_its_archive_runs_the_bundled_binary(self):
        binary = binary_path()
        with zipfile.ZipFile(build(self.directory, binary)) as package:
            nested = os.path.join(self.directory, "extension_archive.zip")
            with open(nested, "wb") as out:
                out.write(package.read("extension_archive.zip"))

        spec = zipimport.zipimporter(nested).find_spec("extension")
        module = importlib.util.module_from_spec(spec)
        saved = dict(os.environ)
        saved_tempdir = tempfile.tempdir
        try:
            os.environ.pop("UE_PREFECT_BINARY", None)
            os.environ["PATH"] = self.directory  # no ue-prefect on PATH either
            tempfile.tempdir = os.path.join(self.directory, "tmp")
            os.mkdir(tempfile.tempdir)
            spec.loader.exec_module(module)

            found = module.find_binary()
            self.assertTrue(found.startswith(tempfile.tempdir), found)
            self.assertTrue(os.access(found, os.X_OK))
            with open(found, "rb") as a, open(binary, "rb") as b:
                self.assertEqual(a.read(), b.read())
            self.assertEqual(module.find_binary(), found)  # reused, not extracted again

            # And it runs: no deployment given is a validation error from the binary.
            result = module.Extension().extension_start(
                {"api_url": "http://127.0.0.1:9/api", "deployment_id_or_name": []})
            self.assertEqual(result.rc, 20, result.message)
            self.assertEqual(json.loads(result.unv_output)["exit_code"], 20)
        finally:
            os.environ.clear()
            os.environ.update(saved)
            tempfile.tempdir = saved_tempdir


if __name__ == "__main__":
    unittest.main()
