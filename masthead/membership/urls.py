"""Member pages under /members/."""

from django.urls import path

from masthead.membership import views

app_name = "membership"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("link/", views.use_link, name="use_pending_link"),
    path("link/<str:token>/", views.use_link, name="use_link"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("account/", views.account, name="account"),
    path("account/email/", views.change_email, name="change_email"),
    path("account/data.json", views.download_data, name="download_data"),
    path("account/delete/", views.delete_account, name="delete_account"),
    path("join/", views.join, name="join"),
    path("checkout/", views.checkout, name="checkout"),
    path("portal/", views.portal, name="portal"),
    path("payments/stripe/webhook/", views.payment_webhook, name="payment_webhook"),
]
