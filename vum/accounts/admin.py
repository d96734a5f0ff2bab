from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from knox.models import AuthToken

from vum.accounts.models import Organisation, Rolletilknytning, Team, User
from vum.accounts.services import api_token_revoke


@admin.register(User)
class VumUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "organisation", "is_active")
    list_filter = ("role", "teams", "organisation", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Rolle og tilhør", {"fields": ("role", "teams", "organisation", "titel", "telefon")}),
        ("Kommunens login", {"fields": ("idp_udsteder", "idp_subjekt")}),
    )
    add_fieldsets = (
        *(UserAdmin.add_fieldsets or ()),
        ("Rolle og tilhør", {"fields": ("role", "teams", "organisation")}),
    )
    # Django's two-box widget puts ARIA attributes where they are not allowed (WCAG 4.1.2): the
    # plain multiple select is accessible.
    filter_horizontal = ()
    # Set by logging in and by the account's creation, never by hand (the split date and time
    # inputs Django gives them have no labels of their own); the identity provider's subject is
    # what a login through it finds the user by.
    readonly_fields = ("last_login", "date_joined", "idp_udsteder", "idp_subjekt")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("navn", "slug", "ean_nummer", "svaradresse")
    prepopulated_fields = {"slug": ("navn",)}


@admin.register(Rolletilknytning)
class RolletilknytningAdmin(admin.ModelAdmin):
    """The role mapping: which of the identity provider's roles give which vum role (read at
    every login through it; a change takes effect at the user's next login)."""

    list_display = ("brugersystemrolle", "afgraensning", "rolle", "organisation")
    list_filter = ("rolle",)
    search_fields = ("brugersystemrolle", "afgraensning")
    filter_horizontal = ()


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("navn", "cvr", "p_nummer")
    search_fields = ("navn", "cvr", "p_nummer")


# knox's own admin lets an administrator make a token for anyone, without an expiry and outside
# the audit, and lists the digests. Here a token can only be seen (whose, since, until) and
# revoked, which is audited like a logout.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created", "expiry")
    search_fields = ("user__username",)
    fields = ("user", "created", "expiry")
    readonly_fields = ("user", "created", "expiry")
    ordering = ("-created",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuthToken | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: AuthToken) -> None:
        assert isinstance(request.user, User)
        api_token_revoke(token=obj, actor=request.user, reason="slettet af en administrator")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AuthToken]) -> None:
        for token in queryset.select_related("user"):
            self.delete_model(request, token)
