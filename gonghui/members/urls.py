"""members pages: /members/… on the H5, /console/members/… in the console. Every path is here."""

from django.urls import path

from gonghui.core.modules import module_urls

from .views import staff, worker

app_name = "members"

urlpatterns = module_urls(app_name, h5=[
    # joining
    path("join/", worker.joining.join, name="join"),
    path("join/register/", worker.joining.join_register, name="join_register"),
    path("join/details/", worker.joining.join_details, name="join_details"),
    path("join/details/id-check/", worker.joining.join_id_check, name="join_id_check"),
    path("join/union/", worker.joining.join_union, name="join_union"),
    path("join/review/", worker.joining.join_review, name="join_review"),
    path("join/status/", worker.joining.join_status, name="join_status"),
    path("join/applications/<uuid:key>/withdraw/", worker.joining.join_withdraw, name="join_withdraw"),
    path("join/code/<str:code>/", worker.joining.join_code, name="join_code"),
    path("join/drive/<str:code>/", worker.joining.join_drive, name="join_drive"),
    # transfer
    path("transfer/", worker.transfer.transfer_mine, name="transfer_mine"),
    path("transfer/targets/", worker.transfer.transfer_targets, name="transfer_targets"),
    path("transfer/<uuid:key>/cancel/", worker.transfer.transfer_mine_cancel, name="transfer_mine_cancel"),
    # claiming (实名认证绑定)
    path("claim/", worker.claiming.claim, name="claim"),
    path("claim/correction/", worker.claiming.claim_correction, name="claim_correction"),
    # card
    path("card/", worker.card.card, name="card"),
    path("card/rotate/", worker.card.card_rotate, name="card_rotate"),
    path("c/<str:token>/", worker.card.card_scan, name="card_scan"),
    # rights
    path("my-data/", worker.rights.my_data, name="my_data"),
    path("my-data/reveal/", worker.rights.my_data_reveal, name="my_data_reveal"),
    path("my-data/export.json", worker.rights.my_data_export, name="my_data_export"),
    path("my-data/all/", worker.rights.my_data_all, name="my_data_all"),
    path("my-data/send-link/", worker.rights.my_data_link, name="my_data_link"),
    path("my-data/requests/", worker.rights.my_data_request, name="my_data_request"),
], console=[
    # roster: the static paths (import/export) come before the <uuid> detail pages
    path("import/", staff.roster.import_page, name="import"),
    path("import/template.xlsx", staff.roster.import_template, name="import_template"),
    path("import/<uuid:key>/", staff.roster.import_job, name="import_job"),
    path("import/<uuid:key>/progress/", staff.roster.import_progress, name="import_progress"),
    path("import/<uuid:key>/commit/", staff.roster.import_commit, name="import_commit"),
    path("import/<uuid:key>/discard/", staff.roster.import_discard, name="import_discard"),
    path("import/<uuid:key>/problems.xlsx", staff.roster.import_problems, name="import_problems"),
    path("export.xlsx", staff.roster.export_members, name="export"),
    path("export/", staff.roster.export_page, name="export_form"),
    # registry
    path("", staff.registry.member_list, name="list"),
    path("<uuid:key>/", staff.registry.member_detail, name="detail"),
    path("<uuid:key>/reveal/", staff.registry.member_reveal, name="reveal"),
    # joining
    path("applications/", staff.joining.applications, name="applications"),
    path("applications/batch-approve/", staff.joining.applications_batch, name="applications_batch"),
    path("applications/<uuid:key>/", staff.joining.application_detail, name="application"),
    path("applications/<uuid:key>/approve/", staff.joining.application_approve, name="application_approve"),
    path("applications/<uuid:key>/reject/", staff.joining.application_reject, name="application_reject"),
    path("drives/", staff.joining.drives, name="drives"),
    path("drives/<uuid:key>/qr.svg", staff.joining.drive_qr, name="drive_qr"),
    # transfer
    path("transfers/", staff.transfer.transfers, name="transfers"),
    path("transfers/<uuid:key>/", staff.transfer.transfer_detail, name="transfer_detail"),
    path("transfers/<uuid:key>/release/", staff.transfer.transfer_release, name="transfer_release"),
    path("transfers/<uuid:key>/accept/", staff.transfer.transfer_accept, name="transfer_accept"),
    path("transfers/<uuid:key>/refuse/", staff.transfer.transfer_refuse, name="transfer_refuse"),
    path("transfers/<uuid:key>/cancel/", staff.transfer.transfer_cancel, name="transfer_cancel"),
    path("<uuid:key>/transfer/", staff.transfer.staff_transfer, name="staff_transfer"),
    # claiming
    path("claims/invite/", staff.registry.claim_invite, name="claim_invite"),
    # card
    path("card-check/", staff.card.card_check, name="card_check"),
    path("card-check/<str:token>/", staff.card.card_check, name="card_check_token"),
    # rights
    path("rights/", staff.rights.rights, name="rights"),
    path("rights/<uuid:key>/", staff.rights.rights_handle, name="rights_handle"),
])
