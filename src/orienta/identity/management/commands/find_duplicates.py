"""Find the records that are one person: in the registry (for the supervisors' review queue)
or in a CSV file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from orienta.identity import registry
from orienta.identity.batch import resolve
from orienta.identity.files import RejectedFileError, read_records, write_pairs
from orienta.identity.model import Model
from orienta.identity.records import Records


class Command(BaseCommand):
    help = (
        "Find pairs of records that are one person. Without --input: the registry, each "
        "organisation's persons among themselves; the model is estimated on the registry and "
        "saved, and the pairs go to the supervisors' review queue. With --input: a CSV file "
        "(record_id,given_name,family_name,sex,birth_date,origin,document_number)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", type=Path, help="CSV file of records to deduplicate.")
        parser.add_argument(
            "--output", type=Path, help="Write record_id_a,record_id_b,probability here."
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=0.5,
            help="Match probability at or above which a pair is kept (default 0.5).",
        )
        parser.add_argument(
            "--model", type=Path, help="Use this saved model instead of estimating one."
        )
        parser.add_argument(
            "--save-model", type=Path, help="Also write the estimated model to this file."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"]
        if not 0 < threshold < 1:
            raise CommandError("--threshold must be between 0 and 1 (exclusive).")
        model = None
        if options["model"]:
            try:
                model = Model.from_json(options["model"].read_text(encoding="utf-8"))
            except (OSError, ValueError, KeyError) as error:
                raise CommandError(f"{options['model']}: not a usable model ({error}).") from error
        started = time.perf_counter()
        if options["input"]:
            found = self._file(options["input"], options["output"], threshold, model)
        else:
            found = registry.find_duplicates(threshold=threshold, model=model)
            if options["output"]:
                write_pairs(options["output"], ((str(a), str(b), p) for a, b, p in found.pairs))
            self.stdout.write(f"{found.queued} new pair(s) in the review queue.")
        if options["save_model"]:
            options["save_model"].write_text(found.model.to_json(), encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(found.pairs)} pair(s) at or above {threshold} among {found.records} "
                f"records ({found.compared} pairs compared) in "
                f"{time.perf_counter() - started:.1f} s."
            )
        )

    def _file(self, path: Path, output: Path | None, threshold: float, model: Any) -> Any:
        try:
            raw = read_records(path)
        except RejectedFileError as error:
            lines = "\n".join(f"  {problem}" for problem in error.problems)
            more = error.total - len(error.problems)
            tail = f"\n  … and {more} more" if more else ""
            raise CommandError(
                f"{path}: refused, {error.total} problem(s):\n{lines}{tail}"
            ) from error
        records = Records.from_raw(raw)
        resolution = resolve(records, threshold=threshold, model=model)
        ids = records.ids
        # Most likely first; ties in the order of the file.
        order = np.lexsort((resolution.right, resolution.left, -resolution.probability))
        pairs = list(
            zip(
                (ids[i] for i in resolution.left[order].tolist()),
                (ids[j] for j in resolution.right[order].tolist()),
                resolution.probability[order].tolist(),
                strict=True,
            )
        )
        if output:
            write_pairs(output, pairs)
        return registry.Found(
            pairs=pairs,
            records=len(records),
            compared=resolution.candidate_pairs,
            queued=0,
            model=resolution.model,
        )
