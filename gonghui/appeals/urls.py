"""appeals pages: /appeals/… on the H5, /console/appeals/… in the console."""

from django.urls import URLPattern, path

from .views import shared, staff, stats, worker

app_name = "appeals"

urlpatterns: list[URLPattern] = [
    # H5 (the worker)
    path("appeals/", worker.home, name="home"),
    path("appeals/new/", worker.submit, name="submit"),
    path("appeals/mine/", worker.mine, name="mine"),
    path("appeals/mine/<uuid:key>/", worker.mine_detail, name="mine_detail"),
    path("appeals/mine/<uuid:key>/rate/", worker.rate, name="rate"),
    path("appeals/mine/<uuid:key>/reopen/", worker.reopen, name="reopen"),
    path("appeals/mine/<uuid:key>/withdraw/", worker.withdraw, name="withdraw"),
    path("appeals/mine/<uuid:key>/more/", worker.add_more, name="add_more"),
    path("appeals/board/", worker.board, name="board"),
    path("appeals/board/<uuid:key>/", worker.board_detail, name="board_detail"),
    path("appeals/files/<uuid:key>/", shared.attachment, name="attachment"),
    # Console (staff); static paths before the <uuid> ticket pages
    path("console/appeals/", staff.ticket_queue, name="queue"),
    path("console/appeals/bulk-assign/", staff.bulk_assign, name="bulk_assign"),
    path("console/appeals/call/", staff.call, name="call"),
    path("console/appeals/call/lookup/", staff.call_lookup, name="call_lookup"),
    path("console/appeals/unions/", staff.union_options, name="union_options"),
    path("console/appeals/stats/", stats.stats, name="stats"),
    path("console/appeals/stats/export.xlsx", stats.stats_export, name="stats_export"),
    path("console/appeals/<uuid:key>/", staff.ticket_detail, name="ticket"),
    path("console/appeals/<uuid:key>/phone/", staff.reveal_phone, name="reveal_phone"),
    path("console/appeals/<uuid:key>/link-call/", staff.link_call, name="link_call"),
    path("console/appeals/<uuid:key>/accept/", staff.accept, name="accept"),
    path("console/appeals/<uuid:key>/assign/", staff.assign, name="assign"),
    path("console/appeals/<uuid:key>/escalate/", staff.escalate, name="escalate"),
    path("console/appeals/<uuid:key>/transfer/", staff.transfer, name="transfer"),
    path("console/appeals/<uuid:key>/supervise/", staff.supervise, name="supervise"),
    path("console/appeals/<uuid:key>/classify/", staff.classify, name="classify"),
    path("console/appeals/<uuid:key>/close/", staff.close, name="close"),
    path("console/appeals/<uuid:key>/follow-up/", staff.follow_up, name="follow_up"),
    path("console/appeals/<uuid:key>/claimants/", staff.claimant, name="claimant"),
    path("console/appeals/<uuid:key>/unpublish/", staff.unpublish, name="unpublish"),
    path("console/appeals/<uuid:key>/files/", staff.attach, name="attach"),
    path("console/appeals/<uuid:key>/mediation/", staff.mediation_open, name="mediation_open"),
    path("console/appeals/<uuid:key>/mediation/session/", staff.mediation_session, name="mediation_session"),
    path("console/appeals/<uuid:key>/mediation/conclude/", staff.mediation_conclude, name="mediation_conclude"),
]
