from os import PathLike
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import pandas as pd

_Frame = Union[pd.DataFrame, str, PathLike[str]]
MARKERS: Tuple[str, ...]

class CellboundError(Exception): ...
class BadInput(CellboundError):
    file: Optional[str]
    line: Optional[int]
    field: Optional[str]
    message: str
class Infeasible(CellboundError):
    explanation: str
    lines: List[str]
class Unproved(CellboundError):
    result: pd.DataFrame

class Explanation:
    text: str
    json: Dict[str, Any]
    assumes: Optional[str]
    bounds: Tuple[int, Optional[int]]
    status: str
    lower: pd.DataFrame
    upper: Optional[pd.DataFrame]
    derivations: Tuple[Optional[str], Optional[str]]

def bounds(df: _Frame, dims: Optional[Sequence[str]] = ..., value: Optional[str] = ..., flag: Optional[str] = ...,
           hierarchies: Optional[Dict[str, Any]] = ..., threshold: int = ..., zeros_shown: bool = ..., open: bool = ...,
           markers: Optional[Iterable[str]] = ..., absent: str = ..., time_limit: Optional[float] = ...,
           require_tight: bool = ..., **read_options: Any) -> pd.DataFrame: ...
def audit(published: _Frame, truth: _Frame, dims: Optional[Sequence[str]] = ..., value: Optional[str] = ...,
          flag: Optional[str] = ..., hierarchies: Optional[Dict[str, Any]] = ..., truth_value: Optional[str] = ...,
          threshold: int = ..., zero_sensitive: bool = ..., zeros_shown: bool = ..., min_width: Optional[int] = ...,
          upper_protection: Optional[int] = ..., lower_protection: Optional[int] = ..., protect_all: bool = ...,
          strict: bool = ..., markers: Optional[Iterable[str]] = ..., absent: str = ...,
          time_limit: Optional[float] = ..., **read_options: Any) -> pd.DataFrame: ...
def explain(df: _Frame, cell: Union[Sequence[str], str], table: Optional[str] = ..., dims: Optional[Sequence[str]] = ...,
            value: Optional[str] = ..., flag: Optional[str] = ..., hierarchies: Optional[Dict[str, Any]] = ...,
            threshold: int = ..., zeros_shown: bool = ..., open: bool = ..., markers: Optional[Iterable[str]] = ...,
            absent: str = ..., time_limit: Optional[float] = ..., **read_options: Any) -> Explanation: ...
def verify(df: _Frame, bounds_json: Union[str, PathLike[str], Dict[str, Any]], dims: Optional[Sequence[str]] = ...,
           value: Optional[str] = ..., flag: Optional[str] = ..., hierarchies: Optional[Dict[str, Any]] = ...,
           markers: Optional[Iterable[str]] = ..., absent: str = ..., **read_options: Any) -> Tuple[bool, List[str]]: ...
def impute(df: _Frame, dims: Optional[Sequence[str]] = ..., value: Optional[str] = ..., flag: Optional[str] = ...,
           hierarchies: Optional[Dict[str, Any]] = ..., threshold: int = ..., zeros_shown: bool = ..., open: bool = ...,
           method: str = ..., prior: Optional[Union[pd.DataFrame, Sequence[Optional[float]]]] = ..., means: bool = ...,
           markers: Optional[Iterable[str]] = ..., absent: str = ..., time_limit: Optional[float] = ...,
           allow_unproved: bool = ..., **read_options: Any) -> pd.DataFrame: ...
def read(path: Union[str, PathLike[str]], *, delimiter: Optional[str] = ..., total_labels: Sequence[str] = ...,
         markers: Sequence[str] = ..., skip_lines: int = ..., range: Optional[str] = ...) -> pd.DataFrame: ...
