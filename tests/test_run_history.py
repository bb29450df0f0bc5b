"""The warehouse's Dagster instance: the refresh's pooled event log, unless dagster.yaml
chooses a storage of its own."""

from __future__ import annotations

from pathlib import Path

from pipelines.paths import WarehousePaths
from pipelines.run_history import warehouse_instance


def test_the_refresh_writes_through_the_pooled_event_log(tmp_path: Path) -> None:
    with warehouse_instance(WarehousePaths(tmp_path)) as instance:
        assert type(instance.event_log_storage).__name__ == "PooledSqliteEventLogStorage"
        base = instance.event_log_storage._base_dir
    assert Path(base) == tmp_path / "dagster_home" / "history" / "runs"  # Dagster's default


def test_a_storage_set_in_dagster_yaml_is_used_as_set(tmp_path: Path) -> None:
    paths = WarehousePaths(tmp_path)
    with warehouse_instance(paths):  # copies the project's dagster.yaml
        pass
    settings = paths.dagster_home / "dagster.yaml"
    own = tmp_path / "own"
    settings.write_text(
        settings.read_text("utf-8") + f"storage:\n  sqlite:\n    base_dir: {own}\n", "utf-8"
    )
    with warehouse_instance(paths) as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
        assert Path(instance.event_log_storage._base_dir) == own / "history" / "runs"
