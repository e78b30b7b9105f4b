"""benefits pages: /benefits/… on the H5 (the worker's and the partner's), /console/benefits/… in the console."""

from django.urls import URLPattern, path

from .views import partner, worker
from .views.staff import campaigns, lotteries, partners, reports

app_name = "benefits"

urlpatterns: list[URLPattern] = [
    # the worker's H5 (views/worker.py)
    path("benefits/", worker.center, name="center"),
    path("benefits/campaigns/<uuid:key>/claim/", worker.claim, name="claim"),
    path("benefits/coupons/", worker.my_coupons, name="my_coupons"),
    path("benefits/coupons/<uuid:key>/", worker.coupon, name="coupon"),
    path("benefits/coupons/<uuid:key>/state/", worker.coupon_qr, name="coupon_state"),
    path("benefits/partners/", worker.partners, name="partners"),
    path("benefits/partners/<uuid:key>/", worker.partner, name="partner"),
    path("benefits/lotteries/", worker.my_lotteries, name="my_lotteries"),
    path("benefits/lotteries/<uuid:key>/", worker.announcement, name="announcement"),
    # the partner's counter (views/partner.py)
    path("benefits/merchant/", partner.merchant, name="merchant"),
    path("benefits/merchant/check/", partner.check, name="merchant_check"),
    path("benefits/merchant/redeem/", partner.redeem, name="merchant_redeem"),
    path("benefits/merchant/coupons/<uuid:key>/reverse/", partner.reverse_redemption, name="merchant_reverse"),
    path("benefits/merchant/card/", partner.card, name="merchant_card"),
    # the console (views/staff/reports.py)
    path("console/benefits/", reports.overview, name="console"),
    path("console/benefits/reconciliation/", reports.reconciliation, name="reconciliation"),
    path("console/benefits/reconciliation.xlsx", reports.reconciliation_export, name="reconciliation_export"),
    # the console (views/staff/partners.py)
    path("console/benefits/partners/", partners.partner_list, name="partner_list"),
    path("console/benefits/partners/new/", partners.partner_new, name="partner_new"),
    path("console/benefits/partners/<uuid:key>/", partners.partner_detail, name="partner_detail"),
    path("console/benefits/partners/<uuid:key>/edit/", partners.partner_edit, name="partner_edit"),
    path("console/benefits/partners/<uuid:key>/status/", partners.partner_status, name="partner_status"),
    path("console/benefits/partners/<uuid:key>/staff/", partners.partner_staff_add, name="partner_staff_add"),
    path("console/benefits/partners/<uuid:key>/staff/<uuid:staff>/remove/", partners.partner_staff_remove,
         name="partner_staff_remove"),
    # the console (views/staff/campaigns.py)
    path("console/benefits/campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("console/benefits/campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("console/benefits/rule-preview/", campaigns.rule_preview, name="rule_preview"),
    path("console/benefits/campaigns/<uuid:key>/", campaigns.campaign_detail, name="campaign_detail"),
    path("console/benefits/campaigns/<uuid:key>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("console/benefits/campaigns/<uuid:key>/counts/", campaigns.campaign_counts, name="campaign_counts"),
    path("console/benefits/campaigns/<uuid:key>/launch/", campaigns.campaign_launch, name="campaign_launch"),
    path("console/benefits/campaigns/<uuid:key>/close/", campaigns.campaign_close, name="campaign_close"),
    path("console/benefits/campaigns/<uuid:key>/issue/", campaigns.campaign_issue, name="campaign_issue"),
    # the console (views/staff/lotteries.py)
    path("console/benefits/lotteries/", lotteries.lottery_list, name="lottery_list"),
    path("console/benefits/lotteries/new/", lotteries.lottery_new, name="lottery_new"),
    path("console/benefits/lotteries/<uuid:key>/", lotteries.lottery_detail, name="lottery_detail"),
    path("console/benefits/lotteries/<uuid:key>/edit/", lotteries.lottery_edit, name="lottery_edit"),
    path("console/benefits/lotteries/<uuid:key>/draw/", lotteries.lottery_draw, name="lottery_draw"),
    path("console/benefits/lotteries/<uuid:key>/verify/", lotteries.lottery_verify, name="lottery_verify"),
]
