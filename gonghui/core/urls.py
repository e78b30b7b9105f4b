from django.urls import path

from . import photos, views

app_name = "core"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("messages/<uuid:key>/", views.notification_open, name="notification"),
    path("photos/<str:folder>/<str:name>", photos.photo_file, name="photo"),
    path("console/core/audit/", views.audit_log, name="audit"),
]
