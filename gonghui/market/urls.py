"""market pages: /market/… on the H5 (the worker's and the provider's), /console/market/… in the console."""

from django.urls import URLPattern, path

from . import views
from .views import provider, staff, worker

app_name = "market"

urlpatterns: list[URLPattern] = [
    # The worker's H5 (views/worker.py).
    path("market/", worker.home, name="home"),
    path("market/o/<uuid:key>/", worker.offering_page, name="offering"),
    path("market/o/<uuid:key>/order/", worker.offering_order, name="offering_order"),
    path("market/o/<uuid:key>/follow/", worker.offering_follow, name="follow"),
    path("market/orders/", worker.my_orders, name="orders"),
    path("market/orders/<uuid:key>/", worker.order_page, name="order"),
    path("market/orders/<uuid:key>/evidence/", worker.order_evidence, name="evidence"),
    path("market/providers/<uuid:key>/photo/", worker.provider_photo, name="provider_photo"),
    path("market/following/", worker.following, name="following"),
    path("market/needs/", worker.needs_page, name="needs"),
    path("market/needs/<uuid:key>/close/", worker.need_close, name="need_close"),
    path("market/orders/<uuid:key>/confirm/", worker.order_confirm, name="order_confirm"),
    path("market/orders/<uuid:key>/review/", worker.order_review, name="order_review"),
    path("market/orders/<uuid:key>/reorder/", worker.order_reorder, name="order_reorder"),
    # The transitions shared by the member, the provider and staff (views/__init__.py).
    path("market/orders/<uuid:key>/cancel/", views.order_cancel, name="order_cancel"),
    path("market/orders/<uuid:key>/assign/", views.order_assign, name="order_assign"),
    path("market/orders/<uuid:key>/deliver/", views.order_deliver, name="order_deliver"),
    path("market/orders/<uuid:key>/no-show/", views.order_no_show, name="order_no_show"),
    path("market/offerings/<uuid:key>/list/", views.offering_list, name="offering_list"),
    path("market/offerings/<uuid:key>/withdraw/", views.offering_withdraw, name="offering_withdraw"),
    path("market/offerings/<uuid:key>/batches/", views.batch_add, name="batch_add"),
    path("market/batches/<uuid:key>/close/", views.batch_close, name="batch_close"),
    # The provider's own pages (views/provider.py).
    path("market/provider/", provider.dashboard, name="provider_home"),
    path("market/provider/offerings/", provider.my_offerings, name="provider_offerings"),
    path("market/provider/offerings/<uuid:key>/", provider.offering_detail, name="provider_offering"),
    path("market/provider/orders/<uuid:key>/", provider.order_detail, name="provider_order"),
    # The staff console (views/staff.py).
    path("console/market/", staff.offering_list, name="console_offerings"),
    path("console/market/offerings/new/", staff.offering_new, name="console_offering_new"),
    path("console/market/offerings/<uuid:key>/", staff.offering_detail, name="console_offering"),
    path("console/market/orders/", staff.order_board, name="console_orders"),
    path("console/market/orders/assign/", staff.order_board_assign, name="console_orders_assign"),
    path("console/market/orders/<uuid:key>/", staff.order_detail, name="console_order"),
    path("console/market/providers/", staff.provider_list, name="console_providers"),
    path("console/market/providers/new/", staff.provider_new, name="console_provider_new"),
    path("console/market/providers/<uuid:key>/", staff.provider_detail, name="console_provider"),
    path("console/market/reviews/", staff.review_list, name="console_reviews"),
    path("console/market/needs/", staff.need_list, name="console_needs"),
    path("console/market/needs/categories/", staff.category_list, name="console_categories"),
    path("console/market/needs/<uuid:key>/", staff.need_detail, name="console_need"),
    path("console/market/stats/", staff.stats, name="console_stats"),
    path("console/market/stats/export.xlsx", staff.stats_export, name="console_stats_export"),
]
