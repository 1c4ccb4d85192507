"""Test flows served to a local Prefect server for the end-to-end tests.

Run by scripts/serve-flows with the pinned venv's python; works with
Prefect 3.9 and 2.20. Each deployment covers one behaviour the C++ tool
must handle (success, failure, crash, cancel/timeout, typed parameters,
ambiguous bare deployment names).
"""

import sys
import time
from enum import Enum

from prefect import flow, get_run_logger, serve
from pydantic import BaseModel, Field

TAGS = ["ue-e2e"]


@flow(name="ue-sleep")
def ue_sleep(seconds: int = 2, fail: bool = False) -> str:
    """Sleep, then complete, or fail when asked to; logs a line before and after."""
    logger = get_run_logger()
    logger.info("ue-sleep: sleeping %d s", seconds)
    time.sleep(seconds)
    if fail:
        logger.warning("ue-sleep: failing on request")
        raise RuntimeError("failing on request (fail=true)")
    logger.info("ue-sleep: done")
    return f"slept {seconds}s"


@flow(name="ue-crash")
def ue_crash() -> None:
    """Exit the flow process: the run ends CRASHED."""
    # SystemExit is not an error of the flow's code, so Prefect reports the
    # run as CRASHED rather than FAILED (both 2.20 and 3.9).
    sys.exit(3)


@flow(name="ue-long")
def ue_long() -> None:
    """Sleep for an hour: for cancellation and timeout tests."""
    # Longer than any test waits, so the run is still RUNNING when they act.
    time.sleep(3600)


class Mode(str, Enum):
    fast = "fast"
    slow = "slow"


class Options(BaseModel):
    retries: int = 1
    names: list[str] = Field(default_factory=list)


@flow(name="ue-typed")
def ue_typed(
    count: int,
    flag: bool = False,
    label: str = "x",
    mode: Mode = Mode.fast,
    options: Options = Options(),
) -> dict:
    """Return the typed parameters it was given."""
    return {
        "count": count,
        "flag": flag,
        "label": label,
        "mode": mode.value,
        "options": options.model_dump(),
    }


@flow(name="ue-etl")
def ue_etl() -> str:
    """Trivial flow whose deployment shares its name with ue-reports'."""
    return "etl done"


@flow(name="ue-reports")
def ue_reports() -> str:
    """Trivial flow whose deployment shares its name with ue-etl's."""
    return "reports done"


if __name__ == "__main__":
    # Explicit enforce_parameter_schema: the default differs between
    # Prefect 2 (False) and 3 (True); only ue-typed should reject bad input.
    loose = dict(tags=TAGS, enforce_parameter_schema=False)
    serve(
        ue_sleep.to_deployment(name="demo", **loose),
        ue_crash.to_deployment(name="crash", **loose),
        ue_long.to_deployment(name="long", **loose),
        ue_typed.to_deployment(name="typed", tags=TAGS, enforce_parameter_schema=True),
        # Same bare deployment name under two flows, for ambiguity tests.
        ue_etl.to_deployment(name="daily", **loose),
        ue_reports.to_deployment(name="daily", **loose),
        # Prefect 2 would default to 5 concurrent runs, Prefect 3 to no
        # limit; one fixed value keeps tests that queue runs comparable.
        limit=20,
    )
