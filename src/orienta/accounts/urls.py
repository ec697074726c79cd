from django.contrib.auth import views as auth_views
from django.urls import path

from orienta.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("account/", views.account, name="account"),
    path("notifications/", views.notifications, name="notifications"),
    path("account/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("organisations/<uuid:organisation_id>/members/", views.members, name="members"),
    path("memberships/<int:membership_id>/role/", views.membership_role, name="membership_role"),
    path(
        "memberships/<int:membership_id>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
]
