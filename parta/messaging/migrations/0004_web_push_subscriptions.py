# The signed webhook (one address per person) is replaced by Web Push to each of a person's
# devices. A choice of "webhook" carries over as "push"; a webhook delivery still pending can no
# longer be sent (there is no device yet), so it is closed as failed.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def webhook_deliveries_to_push(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    delivery = apps.get_model("messaging", "Delivery")
    delivery.objects.filter(channel="webhook", status="pending").update(
        status="failed", last_error="the webhook was replaced by Web Push"
    )
    delivery.objects.filter(channel="webhook").update(channel="push")


def push_deliveries_to_webhook(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("messaging", "Delivery").objects.filter(channel="push").update(channel="webhook")


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0003_notification_kinds_registered"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="notificationpreference", old_name="webhook", new_name="push"),
        migrations.AlterField(
            model_name="notificationpreference",
            name="push",
            field=models.BooleanField(default=False, verbose_name="by push"),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="channel",
            field=models.CharField(
                choices=[("email", "e-mail"), ("push", "push")], max_length=20, verbose_name="channel"
            ),
        ),
        migrations.RunPython(webhook_deliveries_to_push, push_deliveries_to_webhook, elidable=True),
        migrations.CreateModel(
            name="PushSubscription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "endpoint",
                    models.CharField(max_length=1000, unique=True, verbose_name="push service address"),
                ),
                ("p256dh", models.CharField(max_length=100, verbose_name="public key")),
                ("auth", models.CharField(max_length=50, verbose_name="authentication secret")),
                ("label", models.CharField(blank=True, max_length=100, verbose_name="device")),
                ("user_agent", models.CharField(blank=True, max_length=300, verbose_name="browser")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "last_success_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last delivered"),
                ),
                ("failures", models.PositiveIntegerField(default=0, verbose_name="failures")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="push_subscriptions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "push device",
                "verbose_name_plural": "push devices",
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.DeleteModel(name="PushEndpoint"),
    ]
