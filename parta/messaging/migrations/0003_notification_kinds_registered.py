# Notification kinds are registered by the apps that own them (parta.messaging.kinds): the columns
# keep a code and no fixed choices.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0002_drop_indexes_another_begins'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(max_length=20, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='notificationpreference',
            name='kind',
            field=models.CharField(max_length=20, verbose_name='kind'),
        ),
    ]
