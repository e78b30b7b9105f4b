from django.urls import path

from . import job_views, photos, views

app_name = "core"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("messages/<uuid:key>/", views.notification_open, name="notification"),
    path("photos/<str:folder>/<str:name>", photos.photo_file, name="photo"),
    path("console/core/audit/", views.audit_log, name="audit"),
    path("console/jobs/<uuid:key>/", job_views.job_page, name="job"),
    path("console/jobs/<uuid:key>/progress/", job_views.job_progress, name="job_progress"),
    path("console/jobs/<uuid:key>/download/", job_views.job_download, name="job_download"),
]
