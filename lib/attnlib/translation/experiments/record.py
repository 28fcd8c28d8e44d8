"""An experiment's result on disk: one small JSON file, ``data/experiments/<name>.json``, no weights.

Every file has the same envelope, whatever the experiment::

    {"format": 1, "experiment": "length",
     "settings": {"seeds": [0, 1, 2], "steps": 600, ...},   # what was run: enough to run it again
     "hardware": "…", "cpu_seconds": 1234.5, "wall_seconds": 700.2,
     "results": {...}}                                        # the experiment's own schema

:func:`validate` checks the envelope and hands ``results`` to the experiment's own check, so a file
written by an older library, or cut short, is refused with its path and what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from attnlib.files import write_text

FORMAT = 1
ENVELOPE = ("format", "experiment", "settings", "hardware", "cpu_seconds", "wall_seconds", "results")


def make_record(name: str, settings: dict, results: dict, *, hardware: str, cpu_seconds: float,
                wall_seconds: float) -> dict:
    return {"format": FORMAT, "experiment": name, "settings": settings, "hardware": hardware,
            "cpu_seconds": round(cpu_seconds, 1), "wall_seconds": round(wall_seconds, 1), "results": results}


def validate(record: dict, check_results: Callable[[dict], None], source: str = "record") -> dict:
    """``record`` itself, or ValueError naming ``source`` and what is missing or wrong."""
    if not isinstance(record, dict):
        raise ValueError(f"{source} is not an experiment record (a JSON object)")
    missing = [k for k in ENVELOPE if k not in record]
    if missing:
        raise ValueError(f"{source} is not an experiment record: missing {missing}")
    if record["format"] != FORMAT:
        raise ValueError(f"{source} has format {record['format']}, this library reads format {FORMAT}: "
                         f"run `python -m attnlib.translation experiment {record['experiment']}` again")
    seeds = record["settings"].get("seeds")
    if not isinstance(seeds, list) or not seeds:
        raise ValueError(f"{source}: settings.seeds must list the seeds that were run")
    try:
        check_results(record["results"])
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{source}: {err}") from None
    return record


def write(record: dict, out_dir: Path) -> Path:
    """``out_dir/<experiment>.json``, written in one step: a run stopped mid-write leaves the old file."""
    path = Path(out_dir) / f"{record['experiment']}.json"
    return write_text(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")


def read(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path} is not valid JSON ({err.msg} at line {err.lineno}): "
                         f"run its experiment again to rewrite it") from None


def spread(values: list[float]) -> dict:
    """Mean, sample standard deviation, min and max over seeds, with the values themselves.
    With one seed the standard deviation is 0: a single run has no measured spread, and the chapters say so."""
    values = [float(v) for v in values]
    if not values:
        raise ValueError("spread of no values")
    mean = sum(values) / len(values)
    sd = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5 if len(values) > 1 else 0.0
    return {"mean": round(mean, 3), "sd": round(sd, 3), "min": round(min(values), 3), "max": round(max(values), 3),
            "values": [round(v, 3) for v in values]}


def check_spread(entry: dict, what: str) -> None:
    """ValueError unless ``entry`` is what :func:`spread` returns."""
    if not isinstance(entry, dict) or not {"mean", "sd", "min", "max", "values"} <= set(entry):
        raise ValueError(f"{what} must hold mean, sd, min, max and values over seeds")
    if not entry["values"] or not entry["min"] <= entry["mean"] <= entry["max"]:
        raise ValueError(f"{what}: the mean {entry['mean']} is not between min and max")


def clearly_apart(a: dict, b: dict) -> bool:
    """Whether two scores over seeds (:func:`spread`) do not overlap: every seed of one below every seed of
    the other. A difference smaller than that is not claimed."""
    return a["max"] < b["min"] or b["max"] < a["min"]


def show_spread(entry: dict, digits: int = 1, scale: float = 1.0) -> str:
    """``95.1 ± 0.4 (94.7–95.6)``: mean ± sd (min–max) over seeds, each times ``scale`` (100 for a percentage)."""
    mean, sd, lo, hi = (f"{scale * entry[k]:.{digits}f}" for k in ("mean", "sd", "min", "max"))
    if len(entry["values"]) == 1:
        return f"{mean} (one seed)"
    return f"{mean} ± {sd} ({lo}–{hi})"
