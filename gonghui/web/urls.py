from django.urls import path

from gonghui.accounts.views import auth as account_views

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("unions/", views.union_directory, name="directory"),
    path("console/", views.console_home, name="console"),
    path("login/", account_views.login_view, name="login"),
    path("register/", account_views.register_view, name="register"),
    # browsers and WeChat ask for /favicon.ico whatever the page links to
    path("favicon.ico", views.favicon, name="favicon"),
    path("wechat/js-config", views.wechat_js_config, name="wechat_js_config"),
]
