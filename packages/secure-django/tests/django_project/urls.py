from __future__ import annotations

from django.contrib import admin
from django.urls import path

from django_project import views
from secure_django import exempt, exempt_headers

urlpatterns = [
    path("admin/", admin.site.urls),
    path("plain/", views.plain),
    path("own-xfo/", views.own_frame_options),
    path("custom-headers-class/", views.custom_headers_class),
    path("async/", views.async_plain),
    path("redirect/", views.redirect),
    path("missing/", views.missing),
    path("forbidden/", views.forbidden),
    path("error/", views.error),
    path("stream/", views.stream),
    path("async-stream/", views.async_stream),
    path("file/", views.file),
    path("nonce/template/", views.nonce_template),
    path("nonce/jinja/", views.nonce_jinja),
    path("nonce/json/", views.nonce_json),
    path("dec/overridden/", views.overridden),
    path("dec/async-overridden/", views.async_overridden),
    path("dec/extended/", views.extended),
    path("dec/async-extended/", views.async_extended),
    path("dec/replaced/", views.replaced),
    path("dec/exempted/", views.exempted),
    path("dec/exempt-all/", views.exempt_all),
    path("dec/async-exempt-all/", views.async_exempt_all),
    path("dec/stacked/", views.stacked),
    path("cbv/sync/", views.SyncClassView.as_view()),
    path("cbv/async/", views.AsyncClassView.as_view()),
    path("cbv/subclass/", views.SubclassView.as_view()),
    path("cbv/as-view/", exempt_headers("Server")(views.PlainClassView.as_view())),
    path("cbv/async-as-view/", exempt_headers("Server")(views.PlainAsyncClassView.as_view())),
    path("cbv/method-decorator/", views.MethodDecoratedView.as_view()),
    path("cache/inside/", views.cached_inside),
    path("cache/outside/", views.cached_outside),
    path("cache/site/", views.site_cached),
    path("cache/site-csp/", views.site_cached_csp),
    path("own-csp/", views.own_csp),
    path("own-csp/decorated/", views.own_csp_decorated),
    path("cdn/", views.cdn),
    # One class and one function, each routed twice: marked once, unmarked once.
    path("shared/plain/", views.SharedView.as_view()),
    path("shared/exempt/", exempt("X-Frame-Options")(views.SharedView).as_view()),
    path("shared/async-exempt/", exempt("X-Frame-Options")(views.SharedAsyncView).as_view()),
    path("shared/async-plain/", views.SharedAsyncView.as_view()),
    path("shared/function-exempt/", exempt_headers("X-Frame-Options")(views.shared_function)),
    path("shared/function-plain/", views.shared_function),
]
