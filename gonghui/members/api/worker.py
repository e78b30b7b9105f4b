"""/api/v1/members/ for the worker (the H5 app and mini-program): signing up and joining, their own
transfer, the e-member card, their own data and personal-information requests.

The same gates (access.py) and services as the H5 pages. Each operation keeps the id it had before
the split by audience (operation_id=), and the routers are the sub-domains' (routers.py).
"""

from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Status

from gonghui.accounts.services import token_issue
from gonghui.accounts.verification import CODE_TTL, RESEND_INTERVAL, code_send, user_register_with_code
from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.unions.models import Employer, Union

from ..access import access_member, own_member, require_member
from ..models import EnrollmentDrive, JoinApplication, Member, RightsRequest, Transfer
from ..schemas import (
    ApplicationIn,
    CardOut,
    ClaimCorrectionIn,
    ClaimIn,
    ClaimMessageOut,
    EmployerPickOut,
    JoinRegisterIn,
    JoinRegisterOut,
    JointUnionsOut,
    MemberTransferIn,
    MyApplicationOut,
    MyMemberOut,
    NoticeOut,
    RightsRequestIn,
    RightsRequestOut,
    SmsCodeIn,
    SmsCodeOut,
    TransferOut,
    UnionPickOut,
)
from ..selectors import transfer_full
from ..services import card as cards
from ..services import claiming, joining, rights
from ..services import transfer as transfers
from ..services.registry import NOTICE_VERSION
from . import routers

# --- Joining ---------------------------------------------------------------------------------------------


@routers.joining.post("/sms-code", auth=None, response={202: SmsCodeOut}, summary="获取短信验证码",
                      description="同一手机号每60秒1次、每天最多10次；已注册的手机号不能获取注册验证码。",
                      operation_id="gonghui_members_api_joining_sms_code")
def sms_code(request: HttpRequest, payload: SmsCodeIn) -> Status:
    code_send(phone=payload.phone, purpose=payload.purpose)
    return Status(202, {"expires_in": int(CODE_TTL.total_seconds()),
                        "resend_after": int(RESEND_INTERVAL.total_seconds())})


@routers.joining.post("/join/register", auth=None, response={201: JoinRegisterOut}, summary="短信验证码注册并登录",
                      description="验证码最多尝试5次，用后即失效。成功后返回令牌，可直接提交入会申请。",
                      operation_id="gonghui_members_api_joining_join_register")
def join_register(request: HttpRequest, payload: JoinRegisterIn) -> Status:
    user = user_register_with_code(phone=payload.phone, code=payload.code, name=payload.name,
                                   password=payload.password)
    token, raw = token_issue(user=user, name=payload.device)
    return Status(201, {"token": raw, "expires_at": token.expires_at, "uuid": token.uuid, "user": user.uuid,
                        "name": user.name, "phone": user.masked_phone})


@routers.joining.get("/join/notice", auth=None, response=NoticeOut, summary="个人信息处理告知书（当前版本）",
                     operation_id="gonghui_members_api_joining_join_notice")
def join_notice(request: HttpRequest) -> dict:
    return {"version": NOTICE_VERSION, "title": joining.NOTICE_TITLE,
            "sections": [{"heading": h, "text": t} for h, t in joining.NOTICE_SECTIONS]}


@routers.joining.get("/join/employers", response=list[EmployerPickOut], summary="按单位名称或统一社会信用代码查找单位",
                     description="至少2个字；只返回单位名称及其所属工会。",
                     operation_id="gonghui_members_api_joining_join_employers")
def join_employers(request: HttpRequest, q: str = "") -> list[Employer]:
    return joining.employer_search(q)


@routers.joining.get("/join/cities", response=list[UnionPickOut], summary="城市（市总工会）列表",
                     operation_id="gonghui_members_api_joining_join_cities")
def join_cities(request: HttpRequest) -> list[Union]:
    return joining.city_unions()


@routers.joining.get("/join/joint-unions", response=JointUnionsOut,
                     summary="新就业形态劳动者：按职业和城市找行业工会联合会",
                     operation_id="gonghui_members_api_joining_join_joint_unions")
def join_joint_unions(request: HttpRequest, city: UUID, occupation: str = "") -> dict:
    items, matched = joining.joint_unions_for(occupation=occupation, city=joining.city_pickable(city))
    return {"matched": matched, "keyword": joining.OCCUPATION_KEYWORDS.get(occupation, ""), "items": items}


def _target(payload: ApplicationIn) -> tuple[Union, Employer | None, EnrollmentDrive | None]:
    ways = [payload.employer is not None, bool(payload.join_code.strip()), payload.union is not None]
    if sum(ways) != 1:
        raise ValidationFailed("请用一种方式选择要加入的工会：工作单位、入会码或行业工会联合会",
                               detail={"union": "请选择要加入的工会"})
    if payload.employer is not None:
        employer = joining.employer_pickable(payload.employer)
        return employer.union, employer, None
    if payload.join_code.strip():
        union, drive = joining.union_or_code(payload.join_code)
        return union, None, drive
    return joining.joint_union_pickable(payload.union), None, None


@routers.joining.post("/applications", response={201: MyApplicationOut}, summary="提交入会申请",
                      operation_id="gonghui_members_api_joining_application_create")
def application_create(request: HttpRequest, payload: ApplicationIn) -> Status:
    union, employer, drive = _target(payload)
    application = joining.application_submit(
        applicant=request.user, union=union, employer=employer, drive=drive, name=payload.name,
        id_number=payload.id_number, phone=payload.phone, education=payload.education, household=payload.household,
        employment_form=payload.employment_form, gig_occupation=payload.gig_occupation,
        employer_name=payload.employer_name, notice_version=payload.notice_version if payload.consent else "",
        consented_at=timezone.now() if payload.consent else None)
    return Status(201, application)


@routers.joining.get("/applications/mine", response=list[MyApplicationOut], summary="我的入会申请",
                     operation_id="gonghui_members_api_joining_applications_mine")
def applications_mine(request: HttpRequest) -> list[JoinApplication]:
    return list(joining.applications_of(request.user))


@routers.joining.post("/applications/{uuid:key}/withdraw", response=MyApplicationOut, summary="撤回我的入会申请",
                      operation_id="gonghui_members_api_joining_application_withdraw")
def application_withdraw(request: HttpRequest, key: UUID) -> JoinApplication:
    application = joining.applications_of(request.user).filter(uuid=key).first()
    if application is None:
        raise NotFound("未找到该申请")
    return joining.application_withdraw(applicant=request.user, application=application)


# --- Transfer --------------------------------------------------------------------------------------------


@routers.transfer.post("/transfers", response={201: TransferOut}, summary="发起会籍转移（会员本人或转出工会）",
                       operation_id="gonghui_members_api_transfer_transfer_create")
def transfer_create(request: HttpRequest, payload: MemberTransferIn) -> Status:
    if payload.member is not None:
        member = access_member(request.user, payload.member, write=True)
    else:
        member = require_member(request.user)
    union, employer = transfers.resolve_target(union_key=payload.to_union, employer_key=payload.to_employer)
    transfer = transfers.transfer_start(actor=request.user, member=member, to_union=union, to_employer=employer,
                                       reason=payload.reason)
    return Status(201, transfer_full(transfer.uuid))


@routers.transfer.get("/transfers/mine", response=list[TransferOut], summary="我的会籍转移",
                      operation_id="gonghui_members_api_transfer_transfer_mine")
def transfer_mine(request: HttpRequest) -> list[Transfer]:
    member = own_member(request.user)
    if member is None:
        return []
    return list(Transfer.objects.filter(member=member).select_related(
        "member", "from_union", "to_union", "to_employer").prefetch_related("events"))


# --- Card ------------------------------------------------------------------------------------------------


def _card(request: HttpRequest, member: Member) -> dict:
    valid = member.status in cards.VALID_STATUSES
    return {
        "card_no": member.card_no, "name": member.name, "union_name": member.union.name, "join_date": member.join_date,
        "status": member.status, "status_label": member.get_status_display(), "valid": valid,
        "token": member.card_token if valid else None,
        "qr_payload": cards.card_payload(member, base_url=request.build_absolute_uri("/")) if valid else None,
        "rotated_at": member.card_token_rotated_at, "expires_at": cards.card_token_expires_at(member),
    }


@routers.card.get("/card", response=CardOut, summary="我的电子会员卡（令牌超过24小时自动刷新）",
                  operation_id="gonghui_members_api_card_card_get")
def card_get(request: HttpRequest) -> dict:
    member = require_member(request.user)
    if member.status in cards.VALID_STATUSES:
        cards.card_refresh_if_stale(member=member, actor=request.user)
    return _card(request, member)


@routers.card.post("/card/rotate", response=CardOut, summary="刷新二维码（旧二维码立即失效）",
                   operation_id="gonghui_members_api_card_card_rotate")
def card_rotate(request: HttpRequest) -> dict:
    member = require_member(request.user)
    if member.status not in cards.VALID_STATUSES:
        raise Conflict(f"会籍状态为「{member.get_status_display()}」，电子会员卡已失效")
    cards.card_refresh(member=member, actor=request.user)
    return _card(request, member)


# --- Personal-information rights -------------------------------------------------------------------------


@routers.rights.get("/me", response=MyMemberOut, summary="我的会员信息（脱敏）",
                    operation_id="gonghui_members_api_rights_me")
def me(request: HttpRequest) -> Member:
    return require_member(request.user)


@routers.rights.get("/me/export", response=dict, summary="下载我的全部个人信息（完整，留痕）",
                    operation_id="gonghui_members_api_rights_me_export")
def me_export(request: HttpRequest) -> dict:
    return rights.my_data_export(member=require_member(request.user), actor=request.user)


@routers.rights.get("/me/requests", response=list[RightsRequestOut], summary="我的个人信息权利请求",
                    operation_id="gonghui_members_api_rights_my_requests")
def my_requests(request: HttpRequest) -> list[RightsRequest]:
    member = own_member(request.user)
    return list(RightsRequest.objects.filter(member=member)) if member else []


@routers.rights.post("/me/requests", response={201: RightsRequestOut}, summary="提出更正、撤回同意或删除请求",
                     operation_id="gonghui_members_api_rights_my_request_create")
def my_request_create(request: HttpRequest, payload: RightsRequestIn) -> Status:
    item = rights.rights_request_create(actor=request.user, member=require_member(request.user), kind=payload.kind,
                                          details=payload.details)
    return Status(201, item)


# --- 实名认证绑定 -----------------------------------------------------------------------------------------


@routers.claiming.post("/claim/sms-code", response={202: SmsCodeOut}, summary="实名认证：向登录手机号发送验证码",
                       description="验证码发到当前账号的手机号（用途 claim），限制与注册验证码相同。",
                       operation_id="gonghui_members_api_claiming_claim_sms_code")
def claim_sms_code(request: HttpRequest) -> Status:
    claiming.claim_code_send(actor=request.user)
    return Status(202, {"expires_in": int(CODE_TTL.total_seconds()),
                        "resend_after": int(RESEND_INTERVAL.total_seconds())})


@routers.claiming.post("/claim", response={201: MyMemberOut}, summary="实名认证：绑定工会登记的会员信息",
                       description="姓名、身份证号码须与工会登记一致；登记了手机号的须用该手机号登录。"
                                   "核对不上时统一返回 claim_mismatch，不提示是哪一项。"
                                   "每个账号每小时5次、每个IP每小时20次。",
                       operation_id="gonghui_members_api_claiming_claim")
def claim(request: HttpRequest, payload: ClaimIn) -> Status:
    member = claiming.member_claim(actor=request.user, name=payload.name, id_number=payload.id_number,
                                   code=payload.code)
    return Status(201, own_member(request.user) or member)


@routers.claiming.post("/claim/correction", response={202: ClaimMessageOut},
                       summary="实名认证未通过：申请工会更正登记信息",
                       description="无论是否有对应的会员记录，答复相同。",
                       operation_id="gonghui_members_api_claiming_claim_correction")
def claim_correction(request: HttpRequest, payload: ClaimCorrectionIn) -> Status:
    message = claiming.claim_correction_request(actor=request.user, name=payload.name, id_number=payload.id_number,
                                                details=payload.details)
    return Status(202, {"message": message})
