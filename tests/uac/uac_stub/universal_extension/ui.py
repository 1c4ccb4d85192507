"""universal_extension.ui stand-in: output-field updates are recorded, in order."""

import threading

updates = []
_lock = threading.Lock()


def update_output_fields(fields):
    with _lock:
        updates.append(dict(fields))


def reset():
    with _lock:
        del updates[:]
