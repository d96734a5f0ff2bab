from django.urls import URLPattern, path

from vum.notifications import views

urlpatterns: list[URLPattern] = [
    path("", views.notifikationer, name="notifikationer"),
    path("laest/", views.notifikationer_laest, name="notifikationer_laest"),
    path("<int:pk>/", views.notifikation_open, name="notifikation_open"),
]
