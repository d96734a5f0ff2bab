from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "vum.catalog"
    label = "catalog"
    verbose_name = "Referencedata"
