from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "vum.notifications"
    label = "notifications"
    verbose_name = "Notifikationer"
