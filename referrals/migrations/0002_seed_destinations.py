"""One destination of each kind, with placeholder contacts for an admin to replace."""

from django.db import migrations

PLACEHOLDERS = [
    ("ae", "A&E (emergency department)", "ae"),
    ("gp", "The patient's GP practice", "gp"),
    ("xray", "Imaging: X-ray", "xray"),
    ("mri", "Imaging: MRI", "mri"),
    ("spinal_surgery", "Spinal surgery", "spinal-surgery"),
    ("rheumatology", "Rheumatology", "rheumatology"),
    ("chest_pain", "Rapid-access chest pain clinic", "chest-pain"),
    ("physiotherapy", "Physiotherapy", "physiotherapy"),
    ("other", "Another named service", "other"),
]


def seed(apps, schema_editor):
    Destination = apps.get_model("referrals", "Destination")
    for kind, name, mailbox in PLACEHOLDERS:
        Destination.objects.get_or_create(
            kind=kind,
            name=name,
            defaults={
                "email": f"{mailbox}@example.org",
                "phone": "01632 960000",  # an Ofcom number reserved for drama: never a real line
                "address": "Placeholder address: replace in the admin",
            },
        )


def unseed(apps, schema_editor):
    Destination = apps.get_model("referrals", "Destination")
    Destination.objects.filter(email__endswith="@example.org", referrals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
