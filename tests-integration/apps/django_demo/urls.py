"""URLs of the Django demo project."""

from __future__ import annotations

import demo_common
from django.urls import path
from django.views.static import serve

from django_demo import views

urlpatterns = [
    path("", views.index),
    path("features", views.features),
    path("features/allowed", views.features_allowed),
    path("xfo-only", views.xfo_only),
    path("embeddable", views.embeddable),
    path("referrer/no-referrer", views.no_referrer),
    path("referrer/unsafe-url", views.unsafe_url),
    path("report-only", views.report_only),
    path("redirect", views.to_index),
    path("stream", views.stream),
    path("boom", views.boom),
    # Behind a real deployment a web server or WhiteNoise serves these; the view is
    # enough to see that a file response gets the headers too.
    path("static/<path:path>", serve, {"document_root": demo_common.STATIC_DIR}),
]
