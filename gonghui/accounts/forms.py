from django import forms

from gonghui.core.scope import Role


class LoginForm(forms.Form):
    phone = forms.CharField(
        label="手机号", max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "username", "inputmode": "tel"}))
    password = forms.CharField(label="密码", max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def _phone_field(label: str = "手机号") -> forms.CharField:
    return forms.CharField(label=label, max_length=30, widget=forms.TextInput(
        attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel", "placeholder": "11位手机号"}))


def _code_field() -> forms.CharField:
    return forms.CharField(label="短信验证码", max_length=10, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": "6位数字"}),
        error_messages={"required": "请填写短信验证码"})


class RegisterForm(forms.Form):
    phone = _phone_field()
    code = _code_field()
    name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password = forms.CharField(label="设置密码", max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="至少8位，不能是常见密码")


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label="新密码", strip=False, widget=forms.PasswordInput)


class AssignForm(forms.Form):
    union = forms.UUIDField(label="任职工会", widget=forms.HiddenInput)
    phone = forms.CharField(label="手机号", max_length=30)
    name = forms.CharField(label="姓名（新账号必填）", max_length=50, required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    title = forms.CharField(label="职务", max_length=50, required=False)
    initial_password = forms.CharField(label="初始密码（新账号必填）", required=False, strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                       help_text="至少10位，含大写字母、小写字母、数字、符号中的3类，不能包含手机号")


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=Role.choices)


class ResetCodeForm(forms.Form):
    """忘记密码, step 1: the phone and the code texted to it."""

    phone = _phone_field()
    code = _code_field()


class ResetPasswordForm(forms.Form):
    """忘记密码, step 2: the new password (and, for staff with a second factor, its code)."""

    new_password = forms.CharField(label="新密码", max_length=128, strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                   help_text="至少8位，不能是常见密码；工作人员须含大写字母、小写字母、数字、符号中的3类")
    otp = forms.CharField(label="身份验证器动态码", max_length=10, required=False, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class PhoneChangeForm(forms.Form):
    phone = _phone_field("新手机号")
    code = _code_field()
    password = forms.CharField(label="登录密码", max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                               help_text="为保护账号安全，请输入当前登录密码")
