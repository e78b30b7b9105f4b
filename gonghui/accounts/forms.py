from django import forms

from gonghui.core.scope import Role


class LoginForm(forms.Form):
    phone = forms.CharField(
        label="手机号", max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "username", "inputmode": "tel"}))
    password = forms.CharField(label="密码", max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class RegisterForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号", max_length=30,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}))
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
