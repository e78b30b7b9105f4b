from django.template import Context, Template

from gonghui.lib.text import book_title


def test_it_nests_a_title_inside_a_title_in_angle_marks() -> None:
    assert book_title("《安全生产法》与岗位安全操作") == "《〈安全生产法〉与岗位安全操作》"
    assert book_title(" 劳动合同法入门 ") == "《劳动合同法入门》"
    assert book_title("") == "《》"


def test_the_template_filter_escapes_what_it_quotes() -> None:
    out = Template("{% load text %}{{ t|book_title }}").render(Context({"t": "<b>《法》</b>"}))
    assert out == "《&lt;b&gt;〈法〉&lt;/b&gt;》"
