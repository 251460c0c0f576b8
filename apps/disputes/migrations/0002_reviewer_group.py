"""The ``reviewer`` group: decides disputes and overrides in the admin.

Reviewers see disputes, reports, reputations and the audit log, change
disputes and set or lift overrides. They get no permission on devices, lists
or users.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "reviewer"
PERMISSIONS = {
    "disputes": ["view_dispute", "change_dispute", "view_disputecontact"],
    "reports": ["view_report"],
    "reputation": [
        "view_reputation",
        "view_override",
        "add_override",
        "change_override",
    ],
    "audit": ["view_auditrecord"],
}


def create_reviewer_group(apps, schema_editor):
    using = schema_editor.connection.alias
    # Permissions are normally created after all migrations ran; create the
    # ones this group needs now, on a fresh database as on an old one.
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    for label, codenames in PERMISSIONS.items():
        permissions = Permission.objects.using(using).filter(
            content_type__app_label=label, codename__in=codenames
        )
        group.permissions.add(*permissions)


def delete_reviewer_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("disputes", "0001_initial"),
        ("reports", "0001_initial"),
        ("reputation", "0001_initial"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_reviewer_group, delete_reviewer_group),
    ]
