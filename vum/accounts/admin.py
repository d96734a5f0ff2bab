from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from vum.accounts.models import Organisation, Team, User


@admin.register(User)
class VumUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "organisation", "is_active")
    list_filter = ("role", "teams", "organisation", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Rolle og tilhør", {"fields": ("role", "teams", "organisation", "titel", "telefon")}),
    )
    add_fieldsets = (
        *(UserAdmin.add_fieldsets or ()),
        ("Rolle og tilhør", {"fields": ("role", "teams", "organisation")}),
    )
    filter_horizontal = ("teams", "groups", "user_permissions")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("navn", "slug", "ean_nummer")
    prepopulated_fields = {"slug": ("navn",)}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("navn", "cvr", "p_nummer")
    search_fields = ("navn", "cvr", "p_nummer")
