"""market pages: /market/… on the H5 (the worker's and the provider's), /console/market/… in the console."""

from django.urls import path

from gonghui.core.modules import module_urls

from . import views
from .views import provider, staff, worker

app_name = "market"

urlpatterns = module_urls(app_name, h5=[
    # The worker's H5 (views/worker.py).
    path("", worker.home, name="home"),
    path("o/<uuid:key>/", worker.offering_page, name="offering"),
    path("o/<uuid:key>/order/", worker.offering_order, name="offering_order"),
    path("o/<uuid:key>/follow/", worker.offering_follow, name="follow"),
    path("orders/", worker.my_orders, name="orders"),
    path("orders/<uuid:key>/", worker.order_page, name="order"),
    path("orders/<uuid:key>/evidence/", worker.order_evidence, name="evidence"),
    path("providers/<uuid:key>/photo/", worker.provider_photo, name="provider_photo"),
    path("following/", worker.following, name="following"),
    path("needs/", worker.needs_page, name="needs"),
    path("needs/<uuid:key>/close/", worker.need_close, name="need_close"),
    path("orders/<uuid:key>/confirm/", worker.order_confirm, name="order_confirm"),
    path("orders/<uuid:key>/review/", worker.order_review, name="order_review"),
    path("orders/<uuid:key>/reorder/", worker.order_reorder, name="order_reorder"),
    # The transitions shared by the member, the provider and staff (views/__init__.py).
    path("orders/<uuid:key>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<uuid:key>/assign/", views.order_assign, name="order_assign"),
    path("orders/<uuid:key>/deliver/", views.order_deliver, name="order_deliver"),
    path("orders/<uuid:key>/no-show/", views.order_no_show, name="order_no_show"),
    path("offerings/<uuid:key>/list/", views.offering_list, name="offering_list"),
    path("offerings/<uuid:key>/withdraw/", views.offering_withdraw, name="offering_withdraw"),
    path("offerings/<uuid:key>/batches/", views.batch_add, name="batch_add"),
    path("batches/<uuid:key>/close/", views.batch_close, name="batch_close"),
    # The provider's own pages (views/provider.py).
    path("provider/", provider.dashboard, name="provider_home"),
    path("provider/offerings/", provider.my_offerings, name="provider_offerings"),
    path("provider/offerings/<uuid:key>/", provider.offering_detail, name="provider_offering"),
    path("provider/orders/<uuid:key>/", provider.order_detail, name="provider_order"),
], console=[
    # The staff console (views/staff.py).
    path("", staff.offering_list, name="console_offerings"),
    path("offerings/new/", staff.offering_new, name="console_offering_new"),
    path("offerings/<uuid:key>/", staff.offering_detail, name="console_offering"),
    path("orders/", staff.order_board, name="console_orders"),
    path("orders/assign/", staff.order_board_assign, name="console_orders_assign"),
    path("orders/<uuid:key>/", staff.order_detail, name="console_order"),
    path("providers/", staff.provider_list, name="console_providers"),
    path("providers/new/", staff.provider_new, name="console_provider_new"),
    path("providers/<uuid:key>/", staff.provider_detail, name="console_provider"),
    path("reviews/", staff.review_list, name="console_reviews"),
    path("needs/", staff.need_list, name="console_needs"),
    path("needs/categories/", staff.category_list, name="console_categories"),
    path("needs/<uuid:key>/", staff.need_detail, name="console_need"),
    path("stats/", staff.stats, name="console_stats"),
    path("stats/export.xlsx", staff.stats_export, name="console_stats_export"),
])
