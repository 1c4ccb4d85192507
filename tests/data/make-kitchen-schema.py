# Prints parameter_schema() of a flow with every parameter shape, for tests/data.
import datetime, json, sys
from enum import Enum
from typing import Any, Dict, List, Optional, Tuple, Union
import pydantic
from prefect.utilities.callables import parameter_schema

class Mode(str, Enum):
    fast = "fast"
    slow = "slow"

class Options(pydantic.BaseModel):
    retries: int = 1
    names: List[str] = []

def kitchen(
    count: int,
    ratio: float = 0.5,
    label: str = "x",
    flag: bool = False,
    mode: Mode = Mode.fast,
    maybe_mode: Optional[Mode] = None,
    maybe_count: Optional[int] = None,
    when: datetime.datetime = datetime.datetime(2025, 1, 31, 12, 0, tzinfo=datetime.timezone.utc),
    day: datetime.date = datetime.date(2025, 1, 31),
    names: List[str] = ["a", "b"],
    counts: List[int] = [],
    modes: List[Mode] = [],
    mapping: Dict[str, Any] = {},
    pair: Tuple[int, str] = (1, "a"),
    either: Union[int, str] = 1,
    options: Options = Options(),
    maybe_options: Optional[Options] = None,
    anything=None,
):
    """Every parameter shape the form must handle."""

s = parameter_schema(kitchen)
d = s.model_dump_for_openapi() if hasattr(s, "model_dump_for_openapi") else s.dict()
json.dump(d, sys.stdout, indent=2, sort_keys=True)
