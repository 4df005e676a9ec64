"""A URLconf that includes the report endpoint, for test_reports.py."""

from __future__ import annotations

from django.urls import include, path
from django_project import views

urlpatterns = [
    path("plain/", views.plain),
    path("_reports", include("secure_django.reports")),
]
