"""Provider photos move onto the photo kit: each stored original is re-encoded into the kit's widths
(EXIF and GPS dropped) and the original file is deleted; a file that is missing or not a readable
image is left out (the provider shows its initial, as without a photo)."""

from django.db import migrations

import gonghui.core.photos


def convert(apps, schema_editor):
    from django.core.files.storage import default_storage

    from gonghui.core.photos import photo_store
    from gonghui.lib import images

    Provider = apps.get_model("market", "Provider")
    for provider in Provider.objects.exclude(photo="").exclude(photo__isnull=True).only("pk", "photo"):
        name = provider.photo.name
        try:
            with default_storage.open(name, "rb") as f:
                processed = images.process(f.read(), max_bytes=50 * 1024 * 1024)
        except (OSError, images.ImageRejected):
            continue
        photo = photo_store(processed, folder="market-provider")
        Provider.objects.filter(pk=provider.pk).update(picture=photo.as_json())
        default_storage.delete(name)


class Migration(migrations.Migration):

    dependencies = [
        ("market", "0003_photos"),
    ]

    operations = [
        migrations.AddField(
            model_name="provider",
            name="picture",
            field=gonghui.core.photos.PhotoField(verbose_name="照片"),
        ),
        migrations.RunPython(convert, migrations.RunPython.noop),
        migrations.RemoveField(model_name="provider", name="photo"),
        migrations.RenameField(model_name="provider", old_name="picture", new_name="photo"),
    ]
