from django.urls import URLPattern, path

from vum.accounts import views

app_name = "accounts"

urlpatterns: list[URLPattern] = [
    path("", views.sikkerhed, name="sikkerhed"),
    path("totrin/opsaet/", views.totp_enrol, name="totp_enrol"),
    path("totrin/kode/", views.totp_verify_page, name="totp_verify"),
    path("totrin/fjern/", views.totp_remove_page, name="totp_remove"),
    path("session/forlaeng/", views.session_keepalive, name="session_keepalive"),
    path("session/logget-ind/", views.logged_in_again, name="logged_in_again"),
]
