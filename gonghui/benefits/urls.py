"""benefits pages: /benefits/… on the H5 (the worker's and the partner's), /console/benefits/… in the console."""

from django.urls import path

from gonghui.core.modules import module_urls

from .views import partner, worker
from .views.staff import campaigns, lotteries, partners, reports

app_name = "benefits"

urlpatterns = module_urls(app_name, h5=[
    # the worker's H5 (views/worker.py)
    path("", worker.center, name="center"),
    path("campaigns/<uuid:key>/claim/", worker.claim, name="claim"),
    path("coupons/", worker.my_coupons, name="my_coupons"),
    path("coupons/<uuid:key>/", worker.coupon, name="coupon"),
    path("coupons/<uuid:key>/state/", worker.coupon_qr, name="coupon_state"),
    path("partners/", worker.partners, name="partners"),
    path("partners/<uuid:key>/", worker.partner, name="partner"),
    path("lotteries/", worker.my_lotteries, name="my_lotteries"),
    path("lotteries/<uuid:key>/", worker.announcement, name="announcement"),
    # the partner's counter (views/partner.py)
    path("merchant/", partner.merchant, name="merchant"),
    path("merchant/check/", partner.check, name="merchant_check"),
    path("merchant/redeem/", partner.redeem, name="merchant_redeem"),
    path("merchant/coupons/<uuid:key>/reverse/", partner.reverse_redemption, name="merchant_reverse"),
    path("merchant/card/", partner.card, name="merchant_card"),
], console=[
    # the console (views/staff/reports.py)
    path("", reports.overview, name="console"),
    path("reconciliation/", reports.reconciliation, name="reconciliation"),
    path("reconciliation.xlsx", reports.reconciliation_export, name="reconciliation_export"),
    # the console (views/staff/partners.py)
    path("partners/", partners.partner_list, name="partner_list"),
    path("partners/new/", partners.partner_new, name="partner_new"),
    path("partners/<uuid:key>/", partners.partner_detail, name="partner_detail"),
    path("partners/<uuid:key>/edit/", partners.partner_edit, name="partner_edit"),
    path("partners/<uuid:key>/status/", partners.partner_status, name="partner_status"),
    path("partners/<uuid:key>/staff/", partners.partner_staff_add, name="partner_staff_add"),
    path("partners/<uuid:key>/staff/<uuid:staff>/remove/", partners.partner_staff_remove, name="partner_staff_remove"),
    # the console (views/staff/campaigns.py)
    path("campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("rule-preview/", campaigns.rule_preview, name="rule_preview"),
    path("campaigns/<uuid:key>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<uuid:key>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<uuid:key>/counts/", campaigns.campaign_counts, name="campaign_counts"),
    path("campaigns/<uuid:key>/launch/", campaigns.campaign_launch, name="campaign_launch"),
    path("campaigns/<uuid:key>/close/", campaigns.campaign_close, name="campaign_close"),
    path("campaigns/<uuid:key>/issue/", campaigns.campaign_issue, name="campaign_issue"),
    # the console (views/staff/lotteries.py)
    path("lotteries/", lotteries.lottery_list, name="lottery_list"),
    path("lotteries/new/", lotteries.lottery_new, name="lottery_new"),
    path("lotteries/<uuid:key>/", lotteries.lottery_detail, name="lottery_detail"),
    path("lotteries/<uuid:key>/edit/", lotteries.lottery_edit, name="lottery_edit"),
    path("lotteries/<uuid:key>/draw/", lotteries.lottery_draw, name="lottery_draw"),
    path("lotteries/<uuid:key>/verify/", lotteries.lottery_verify, name="lottery_verify"),
])
