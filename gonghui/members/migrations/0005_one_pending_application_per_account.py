from django.conf import settings
from django.db import migrations, models
from django.db.models import Count


def withdraw_extra_pending(apps, schema_editor):
    """Before the constraint: an account that already holds several pending applications (submitted
    in parallel) keeps its earliest one; the others are withdrawn, as the applicant could have done."""
    JoinApplication = apps.get_model("members", "JoinApplication")
    pending = JoinApplication.objects.filter(status="pending")
    for row in pending.values("applicant_id").annotate(n=Count("id")).filter(n__gt=1):
        keep = pending.filter(applicant_id=row["applicant_id"]).order_by("submitted_at", "id").first()
        (pending.filter(applicant_id=row["applicant_id"]).exclude(pk=keep.pk)
         .update(status="withdrawn", reason="同一账号的重复申请，已自动撤回"))


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0004_cockpit_indexes'),
        ('unions', '0002_brand_module_unique'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(withdraw_extra_pending, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='joinapplication',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('applicant',), name='joinapp_one_pending_per_account'),
        ),
    ]
