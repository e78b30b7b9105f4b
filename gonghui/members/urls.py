"""members pages: /members/… on the H5, /console/members/… in the console. Every path is here."""

from django.urls import path

from .views import card, joining, registry, rights, roster, transfer

app_name = "members"

# The static console paths (import/export) come before the <uuid> detail pages.
urlpatterns = [
    # roster
    path("console/members/import/", roster.import_page, name="import"),
    path("console/members/import/template.xlsx", roster.import_template, name="import_template"),
    path("console/members/import/<uuid:key>/", roster.import_job, name="import_job"),
    path("console/members/import/<uuid:key>/progress/", roster.import_progress, name="import_progress"),
    path("console/members/import/<uuid:key>/commit/", roster.import_commit, name="import_commit"),
    path("console/members/import/<uuid:key>/discard/", roster.import_discard, name="import_discard"),
    path("console/members/export.xlsx", roster.export_members, name="export"),
    path("console/members/export/", roster.export_page, name="export_form"),
    # registry
    path("console/members/", registry.member_list, name="list"),
    path("console/members/<uuid:key>/", registry.member_detail, name="detail"),
    path("console/members/<uuid:key>/reveal/", registry.member_reveal, name="reveal"),
    # joining
    path("members/join/", joining.join, name="join"),
    path("members/join/register/", joining.join_register, name="join_register"),
    path("members/join/details/", joining.join_details, name="join_details"),
    path("members/join/details/id-check/", joining.join_id_check, name="join_id_check"),
    path("members/join/union/", joining.join_union, name="join_union"),
    path("members/join/review/", joining.join_review, name="join_review"),
    path("members/join/status/", joining.join_status, name="join_status"),
    path("members/join/applications/<uuid:key>/withdraw/", joining.join_withdraw, name="join_withdraw"),
    path("members/join/code/<str:code>/", joining.join_code, name="join_code"),
    path("members/join/drive/<str:code>/", joining.join_drive, name="join_drive"),
    path("console/members/applications/", joining.applications, name="applications"),
    path("console/members/applications/batch-approve/", joining.applications_batch, name="applications_batch"),
    path("console/members/applications/<uuid:key>/", joining.application_detail, name="application"),
    path("console/members/applications/<uuid:key>/approve/", joining.application_approve, name="application_approve"),
    path("console/members/applications/<uuid:key>/reject/", joining.application_reject, name="application_reject"),
    path("console/members/drives/", joining.drives, name="drives"),
    path("console/members/drives/<uuid:key>/qr.svg", joining.drive_qr, name="drive_qr"),
    # transfer
    path("members/transfer/", transfer.transfer_mine, name="transfer_mine"),
    path("members/transfer/targets/", transfer.transfer_targets, name="transfer_targets"),
    path("members/transfer/<uuid:key>/cancel/", transfer.transfer_mine_cancel, name="transfer_mine_cancel"),
    path("console/members/transfers/", transfer.transfers, name="transfers"),
    path("console/members/transfers/<uuid:key>/", transfer.transfer_detail, name="transfer_detail"),
    path("console/members/transfers/<uuid:key>/release/", transfer.transfer_release, name="transfer_release"),
    path("console/members/transfers/<uuid:key>/accept/", transfer.transfer_accept, name="transfer_accept"),
    path("console/members/transfers/<uuid:key>/refuse/", transfer.transfer_refuse, name="transfer_refuse"),
    path("console/members/transfers/<uuid:key>/cancel/", transfer.transfer_cancel, name="transfer_cancel"),
    path("console/members/<uuid:key>/transfer/", transfer.staff_transfer, name="staff_transfer"),
    # card
    path("members/card/", card.card, name="card"),
    path("members/card/rotate/", card.card_rotate, name="card_rotate"),
    path("console/members/card-check/", card.card_check, name="card_check"),
    path("console/members/card-check/<str:token>/", card.card_check, name="card_check_token"),
    # rights
    path("members/my-data/", rights.my_data, name="my_data"),
    path("members/my-data/reveal/", rights.my_data_reveal, name="my_data_reveal"),
    path("members/my-data/export.json", rights.my_data_export, name="my_data_export"),
    path("members/my-data/requests/", rights.my_data_request, name="my_data_request"),
    path("console/members/rights/", rights.rights, name="rights"),
    path("console/members/rights/<uuid:key>/", rights.rights_handle, name="rights_handle"),
]
