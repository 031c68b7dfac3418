import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casereview.auditchain import Anchor, chained_models, verify


def read_anchors(path: str) -> dict[str, Anchor]:
    """The chains' heads in an `audit_anchor` file, by table name."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        anchors = {
            chain["table"]: Anchor(chain["table"], int(chain["rows"]), str(chain["last_hash"]))
            for chain in data["chains"]
        }
    except OSError as error:
        raise CommandError(f"Cannot read the anchor {path}: {error.strerror}.") from None
    except (ValueError, KeyError, TypeError) as error:
        raise CommandError(f"{path} is not an audit_anchor file ({error!r}).") from None
    return anchors


class Command(BaseCommand):
    help = (
        "Walk every history and access-log hash chain; fail naming the first row that does "
        "not match. With --anchor, also fail when a chain is shorter than the anchor or "
        "differs at the anchored row."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor", metavar="FILE", help="a JSON file written earlier by audit_anchor"
        )

    def handle(self, *args, anchor=None, **options):
        anchors = read_anchors(anchor) if anchor else {}
        models = {model._meta.db_table: model for model in chained_models()}
        gone = sorted(set(anchors) - set(models))
        if gone:
            raise CommandError(f"Audit chain missing: {', '.join(gone)} is anchored but not here.")
        for table, model in models.items():
            for broken in verify(model, anchors.get(table)):
                raise CommandError(f"Audit chain broken: {broken}.")
        against = f", {len(anchors)} against the anchor" if anchor else ""
        self.stdout.write(f"Audit chains intact: {len(models)} tables checked{against}.")
