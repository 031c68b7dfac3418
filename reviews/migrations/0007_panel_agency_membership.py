"""The agency that holds a panel meeting (the Channel panel) is part of the case, as
reviews/membership.py now says: add those memberships for meetings already recorded.
Idempotent, and derived data only (referrals_caseagency has no history)."""

from django.db import migrations

BACKFILL_SQL = """
INSERT INTO referrals_caseagency (case_id, agency_id, via)
SELECT DISTINCT m.case_id, m.agency_id, 'panel' FROM reviews_panelmeeting m
WHERE m.voided_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM referrals_caseagency x
                  WHERE x.case_id = m.case_id AND x.agency_id = m.agency_id AND x.via = 'panel')
"""


class Migration(migrations.Migration):
    dependencies = [("reviews", "0006_bounded_text")]

    operations = [migrations.RunSQL(BACKFILL_SQL, reverse_sql=migrations.RunSQL.noop)]
