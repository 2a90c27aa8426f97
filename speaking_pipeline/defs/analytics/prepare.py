"""Setup step: parse the dbt project into its manifest, so a fresh `up` shows the dbt assets."""

from __future__ import annotations

import sys

from speaking_pipeline.defs.analytics.project import analytics_project, prepare_manifest


def main() -> int:
    # Importing this package has already parsed a missing or stale manifest; this call then
    # finds it fresh, or parses (and fails loudly) if that attempt did not succeed.
    path = prepare_manifest(analytics_project)
    print(f"dbt manifest ready: {path.relative_to(analytics_project.project_dir.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
