"""Where a refresh writes what it does: everything to the run's log file, a short line to the
terminal.

Framework detail (event records, stack traces, class names) belongs in the log file
`warehouse/logs/<run id>.log`; the terminal shows the project's own progress lines and one
line per failed step, and the refresh summary lists every failure in words.
"""

import logging
import sys
from pathlib import Path

import dagster as dg

from pipelines.paths import warehouse_paths

KEEP_LOGS = 50
LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"]
# The framework's own notes among the progress lines (the summary says which steps failed).
FRAMEWORK_NOTES = ("Dependencies for step",)


def run_log_path(run_id: str) -> Path:
    return warehouse_paths().logs_dir / f"{run_id}.log"


class _Terminal(logging.Filter):
    """Own messages as they are; of the framework's events only failed steps, in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key")
        if event is None:
            text = str(meta.get("orig_message", record.getMessage()))
            if text.startswith(FRAMEWORK_NOTES):
                return False
        elif event.event_type_value == "STEP_FAILURE":
            text = f"step {step} failed (see the summary below)"
        else:
            return False
        record.short = f"{step}: {text}" if step and event is None else text
        return True


def _prune(folder: Path) -> None:
    logs = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in logs[KEEP_LOGS:]:
        old.unlink(missing_ok=True)


@dg.logger(
    config_schema={
        "log_level": dg.Field(str, default_value="INFO", description=", ".join(LEVELS)),
    },
    description="Full log to warehouse/logs/<run id>.log; own progress lines on the terminal.",
)
def refresh_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    run_id = init_context.run_id or "adhoc"
    logger = logging.getLogger(f"sozplan.run.{run_id}")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    path = run_log_path(run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    _prune(path.parent)
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(to_file)
    terminal = logging.StreamHandler(sys.stdout)
    terminal.setLevel(init_context.logger_config["log_level"])
    terminal.addFilter(_Terminal())
    terminal.setFormatter(logging.Formatter("%(asctime)s %(short)s", datefmt="%H:%M:%S"))
    logger.addHandler(terminal)
    return logger
