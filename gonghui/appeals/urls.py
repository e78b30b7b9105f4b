"""appeals pages: /appeals/… on the H5, /console/appeals/… in the console."""

from django.urls import path

from gonghui.core.modules import module_urls

from .views import shared, staff, stats, worker

app_name = "appeals"

urlpatterns = module_urls(app_name, h5=[
    # H5 (the worker)
    path("", worker.home, name="home"),
    path("new/", worker.submit, name="submit"),
    path("mine/", worker.mine, name="mine"),
    path("mine/<uuid:key>/", worker.mine_detail, name="mine_detail"),
    path("mine/<uuid:key>/rate/", worker.rate, name="rate"),
    path("mine/<uuid:key>/reopen/", worker.reopen, name="reopen"),
    path("mine/<uuid:key>/withdraw/", worker.withdraw, name="withdraw"),
    path("mine/<uuid:key>/more/", worker.add_more, name="add_more"),
    path("board/", worker.board, name="board"),
    path("board/<uuid:key>/", worker.board_detail, name="board_detail"),
    path("files/<uuid:key>/", shared.attachment, name="attachment"),
], console=[
    # Console (staff); static paths before the <uuid> ticket pages
    path("", staff.ticket_queue, name="queue"),
    path("bulk-assign/", staff.bulk_assign, name="bulk_assign"),
    path("call/", staff.call, name="call"),
    path("call/lookup/", staff.call_lookup, name="call_lookup"),
    path("unions/", staff.union_options, name="union_options"),
    path("stats/", stats.stats, name="stats"),
    path("stats/export.xlsx", stats.stats_export, name="stats_export"),
    path("<uuid:key>/", staff.ticket_detail, name="ticket"),
    path("<uuid:key>/phone/", staff.reveal_phone, name="reveal_phone"),
    path("<uuid:key>/link-call/", staff.link_call, name="link_call"),
    path("<uuid:key>/accept/", staff.accept, name="accept"),
    path("<uuid:key>/assign/", staff.assign, name="assign"),
    path("<uuid:key>/escalate/", staff.escalate, name="escalate"),
    path("<uuid:key>/transfer/", staff.transfer, name="transfer"),
    path("<uuid:key>/supervise/", staff.supervise, name="supervise"),
    path("<uuid:key>/classify/", staff.classify, name="classify"),
    path("<uuid:key>/close/", staff.close, name="close"),
    path("<uuid:key>/follow-up/", staff.follow_up, name="follow_up"),
    path("<uuid:key>/claimants/", staff.claimant, name="claimant"),
    path("<uuid:key>/unpublish/", staff.unpublish, name="unpublish"),
    path("<uuid:key>/files/", staff.attach, name="attach"),
    path("<uuid:key>/mediation/", staff.mediation_open, name="mediation_open"),
    path("<uuid:key>/mediation/session/", staff.mediation_session, name="mediation_session"),
    path("<uuid:key>/mediation/conclude/", staff.mediation_conclude, name="mediation_conclude"),
])
