"""members pages: /members/… on the H5, /console/members/… in the console. Every path is here."""

from django.urls import path

from .views import staff, worker

app_name = "members"

# The static console paths (import/export) come before the <uuid> detail pages.
urlpatterns = [
    # roster
    path("console/members/import/", staff.roster.import_page, name="import"),
    path("console/members/import/template.xlsx", staff.roster.import_template, name="import_template"),
    path("console/members/import/<uuid:key>/", staff.roster.import_job, name="import_job"),
    path("console/members/import/<uuid:key>/progress/", staff.roster.import_progress, name="import_progress"),
    path("console/members/import/<uuid:key>/commit/", staff.roster.import_commit, name="import_commit"),
    path("console/members/import/<uuid:key>/discard/", staff.roster.import_discard, name="import_discard"),
    path("console/members/import/<uuid:key>/problems.xlsx", staff.roster.import_problems, name="import_problems"),
    path("console/members/export.xlsx", staff.roster.export_members, name="export"),
    path("console/members/export/", staff.roster.export_page, name="export_form"),
    # registry
    path("console/members/", staff.registry.member_list, name="list"),
    path("console/members/<uuid:key>/", staff.registry.member_detail, name="detail"),
    path("console/members/<uuid:key>/reveal/", staff.registry.member_reveal, name="reveal"),
    # joining
    path("members/join/", worker.joining.join, name="join"),
    path("members/join/register/", worker.joining.join_register, name="join_register"),
    path("members/join/details/", worker.joining.join_details, name="join_details"),
    path("members/join/details/id-check/", worker.joining.join_id_check, name="join_id_check"),
    path("members/join/union/", worker.joining.join_union, name="join_union"),
    path("members/join/review/", worker.joining.join_review, name="join_review"),
    path("members/join/status/", worker.joining.join_status, name="join_status"),
    path("members/join/applications/<uuid:key>/withdraw/", worker.joining.join_withdraw, name="join_withdraw"),
    path("members/join/code/<str:code>/", worker.joining.join_code, name="join_code"),
    path("members/join/drive/<str:code>/", worker.joining.join_drive, name="join_drive"),
    path("console/members/applications/", staff.joining.applications, name="applications"),
    path("console/members/applications/batch-approve/", staff.joining.applications_batch, name="applications_batch"),
    path("console/members/applications/<uuid:key>/", staff.joining.application_detail, name="application"),
    path("console/members/applications/<uuid:key>/approve/", staff.joining.application_approve,
         name="application_approve"),
    path("console/members/applications/<uuid:key>/reject/", staff.joining.application_reject,
         name="application_reject"),
    path("console/members/drives/", staff.joining.drives, name="drives"),
    path("console/members/drives/<uuid:key>/qr.svg", staff.joining.drive_qr, name="drive_qr"),
    # transfer
    path("members/transfer/", worker.transfer.transfer_mine, name="transfer_mine"),
    path("members/transfer/targets/", worker.transfer.transfer_targets, name="transfer_targets"),
    path("members/transfer/<uuid:key>/cancel/", worker.transfer.transfer_mine_cancel, name="transfer_mine_cancel"),
    path("console/members/transfers/", staff.transfer.transfers, name="transfers"),
    path("console/members/transfers/<uuid:key>/", staff.transfer.transfer_detail, name="transfer_detail"),
    path("console/members/transfers/<uuid:key>/release/", staff.transfer.transfer_release, name="transfer_release"),
    path("console/members/transfers/<uuid:key>/accept/", staff.transfer.transfer_accept, name="transfer_accept"),
    path("console/members/transfers/<uuid:key>/refuse/", staff.transfer.transfer_refuse, name="transfer_refuse"),
    path("console/members/transfers/<uuid:key>/cancel/", staff.transfer.transfer_cancel, name="transfer_cancel"),
    path("console/members/<uuid:key>/transfer/", staff.transfer.staff_transfer, name="staff_transfer"),
    # claiming (实名认证绑定)
    path("members/claim/", worker.claiming.claim, name="claim"),
    path("members/claim/correction/", worker.claiming.claim_correction, name="claim_correction"),
    path("console/members/claims/invite/", staff.registry.claim_invite, name="claim_invite"),
    # card
    path("members/card/", worker.card.card, name="card"),
    path("members/card/rotate/", worker.card.card_rotate, name="card_rotate"),
    path("members/c/<str:token>/", worker.card.card_scan, name="card_scan"),
    path("console/members/card-check/", staff.card.card_check, name="card_check"),
    path("console/members/card-check/<str:token>/", staff.card.card_check, name="card_check_token"),
    # rights
    path("members/my-data/", worker.rights.my_data, name="my_data"),
    path("members/my-data/reveal/", worker.rights.my_data_reveal, name="my_data_reveal"),
    path("members/my-data/export.json", worker.rights.my_data_export, name="my_data_export"),
    path("members/my-data/all/", worker.rights.my_data_all, name="my_data_all"),
    path("members/my-data/send-link/", worker.rights.my_data_link, name="my_data_link"),
    path("members/my-data/requests/", worker.rights.my_data_request, name="my_data_request"),
    path("console/members/rights/", staff.rights.rights, name="rights"),
    path("console/members/rights/<uuid:key>/", staff.rights.rights_handle, name="rights_handle"),
]
