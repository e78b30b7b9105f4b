"""The certificate (结业证书) as a PDF, drawn with reportlab.

Chinese text uses reportlab's built-in CID font STSong-Light (Adobe's Asian font pack names, with the
UniGB-UCS2-H encoding): reportlab ships its metrics, so nothing is downloaded or bundled, the PDF
stays a few kilobytes, and every PDF reader (Acrobat, the phone's viewer, WeChat's) supplies the
glyphs as the standard requires for the Adobe-GB1 collection. The text stays extractable (pypdf
reads it back in the tests). The QR code is ``gonghui.lib.qr``'s PNG of the public verify URL.
"""

from __future__ import annotations

import io

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from gonghui.core.errors import Conflict
from gonghui.lib import qr
from gonghui.lib.text import book_title

from .models import Certificate

FONT = "STSong-Light"
RED = HexColor("#c8102e")
INK = HexColor("#1f2329")
GREY = HexColor("#5c6370")

VERIFY_LIMIT, VERIFY_WINDOW = 30, 60  # public verify look-ups per client address and minute

_registered = False


def verify_url(request: HttpRequest, certificate: Certificate) -> str:
    """The public verify page of ``certificate``, absolute: what its QR code carries."""
    return request.build_absolute_uri(reverse("learning:verify", args=[certificate.number]))


def certificate_download(request: HttpRequest, certificate: Certificate) -> HttpResponse:
    """The certificate's PDF as a download (the H5 page and the API); a revoked one is a Conflict."""
    if not certificate.valid:
        raise Conflict("该证书已撤销，不能下载")
    response = HttpResponse(certificate_pdf(certificate, verify_url=verify_url(request, certificate)),
                            content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"结业证书-{certificate.number}.pdf")
    return response


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def certificate_pdf(certificate: Certificate, *, verify_url: str) -> bytes:
    """The certificate of ``certificate`` (A4 landscape) with the QR code of ``verify_url``."""
    font = _font()
    enrollment = certificate.enrollment
    course = enrollment.course
    name = enrollment.member.name
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"结业证书 {certificate.number}")
    pdf.setAuthor(course.union.name)
    pdf.setCreator("智慧工会 · 职课堂")

    pdf.setStrokeColor(RED)
    pdf.setLineWidth(6)
    pdf.rect(24, 24, width - 48, height - 48)
    pdf.setLineWidth(1.2)
    pdf.rect(36, 36, width - 72, height - 72)

    pdf.setFillColor(RED)
    pdf.setFont(font, 40)
    pdf.drawCentredString(width / 2, height - 120, "结业证书")
    pdf.setFillColor(GREY)
    pdf.setFont(font, 12)
    pdf.drawCentredString(width / 2, height - 145, "职课堂 · 职工在线学习")

    pdf.setFillColor(INK)
    pdf.setFont(font, 26)
    pdf.drawCentredString(width / 2, height - 215, name)
    pdf.setFont(font, 16)
    issued = timezone.localtime(certificate.issued_at)
    lines = [
        f"于{issued:%Y}年{issued.month}月{issued.day}日完成课程",
        book_title(certificate.course_title),
        f"共{certificate.hours}学时，考试成绩{certificate.score}分，准予结业。",
    ]
    y = height - 265
    for line in lines:
        pdf.drawCentredString(width / 2, y, line)
        y -= 30

    pdf.setFont(font, 14)
    pdf.drawRightString(width - 230, 120, course.union.name)
    pdf.drawRightString(width - 230, 96, f"{issued:%Y}年{issued.month}月{issued.day}日")
    pdf.setFont(font, 11)
    pdf.setFillColor(GREY)
    pdf.drawString(72, 96, f"证书编号：{certificate.number}")
    pdf.drawString(72, 78, "扫描右侧二维码或访问核验页面查验真伪")

    side = 120
    pdf.drawImage(ImageReader(io.BytesIO(qr.png(verify_url, scale=6))), width - 72 - side, 66, side, side)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
