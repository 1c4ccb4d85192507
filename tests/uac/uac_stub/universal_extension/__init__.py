"""A stand-in for UAC's universal_extension package: only what resources/uac/extension.py uses.

The real package ships with the Universal Agent (uagsrv/uext/universal_extension.zip). This one
records what an extension does instead of talking to an agent: ui.updates holds every
update_output_fields call in order.
"""

import logging

from . import ui  # noqa: F401  (``from universal_extension import ui``)

logger = logging.getLogger("universal_extension")


class ExtensionResult(object):
    """Keeps the keyword arguments: rc, message, unv_output, values, ..."""

    def __init__(self, rc=0, message="", **kwargs):
        self.rc = rc
        self.message = message
        self.unv_output = kwargs.pop("unv_output", None)
        self.values = kwargs.pop("values", None)
        self.extra = kwargs

    def __repr__(self):
        return "ExtensionResult(rc=%r, message=%r)" % (self.rc, self.message)


class UniversalExtension(object):
    """Base class of an extension's Extension class."""

    def __init__(self):
        self.log = logger

    def extension_start(self, fields):
        raise NotImplementedError

    def extension_cancel(self):
        pass
