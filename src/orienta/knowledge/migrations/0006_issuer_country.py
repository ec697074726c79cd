from django.db import migrations
from django.db.models import F


def clear_entity_keys(apps, schema_editor):
    """The first pack loader stored a three-letter entity key (LAS, GCC, OIC) as the issuing
    country of that entity's policies too: an entity issued them, no country."""
    policy = apps.get_model("knowledge", "PolicyInstrument")
    wrong = policy.objects.filter(issuer__isnull=False, issuer_country=F("issuer__key"))
    policy.objects.filter(pk__in=list(wrong.values_list("pk", flat=True))).update(
        issuer_country=""
    )


class Migration(migrations.Migration):

    dependencies = [
        ("knowledge", "0005_policy_version"),
    ]

    operations = [migrations.RunPython(clear_entity_keys, migrations.RunPython.noop)]
