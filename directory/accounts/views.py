"""Log in, log out and set a password."""

from flask import (Blueprint, abort, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..common.errors import put_error
from ..common.i18n import current_lang
from ..common.mail import mail_enabled
from ..common.urls import absolute_url, safe_next
from ..extensions import db, limiter
from .forms import LoginForm, ResetRequestForm, SetPasswordForm
from .services import end_sessions as end_account_sessions
from .services import (AccountError, authenticate, find_user, make_password_token,
                       normalise_email, send_password_link, set_password,
                       user_for_password_token)

bp = Blueprint("accounts", __name__)

# Failed logins: ten for one account lock that account for a while; from one address
# (a meeting place's Wi-Fi, a library) many people mistype, so that limit is generous and
# never locks an account that is not being guessed.
FAILED_LOGIN_LIMIT = "10 per 15 minutes"
FAILED_LOGIN_ADDRESS_LIMIT = "100 per 15 minutes"


def _failed(response):
    return response.status_code == 401


def _account_key():
    return "login-account:" + normalise_email(request.form.get("email"))[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(FAILED_LOGIN_ADDRESS_LIMIT, methods=["POST"], deduct_when=_failed,
               scope="login-ip")
@limiter.limit(FAILED_LOGIN_LIMIT, methods=["POST"], deduct_when=_failed,
               key_func=_account_key, scope="login-account")
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data, current_lang())
        if user is not None:
            target = safe_next(form.next.data) or url_for("accounts.home")
            session.clear()  # no session fixation: a fresh session at login
            login_user(user)
            db.session.commit()
            return redirect(target, code=303)
        # One message for unknown e-mail and wrong password.
        form.password.errors.append(_("The e-mail or the password is wrong."))
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form), (
        422 if form.errors else 200)


@bp.post("/logout")
def logout():
    """Log out everywhere: every session and remember-me cookie of the account ends, so a
    copied cookie stops working too."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."))
    return redirect(url_for("public.index"), code=303)


@bp.post("/account/sessions/end")
@login_required
def end_sessions():
    """Log out every other browser of this account; this one stays logged in."""
    account = current_user._get_current_object()
    end_account_sessions(account, account)
    db.session.commit()
    login_user(account)  # this session goes on with the new stamp
    flash(_("You are logged out everywhere else."))
    return redirect(url_for("accounts.home"), code=303)


@bp.get("/account")
@login_required
def home():
    return render_template("accounts/home.html")


@bp.route("/account/password/<token>", methods=["GET", "POST"])
def password(token):
    try:
        user = user_for_password_token(token)
    except AccountError as error:
        return render_template("accounts/link_invalid.html", message=error.message), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        # Asked before the password changes: the new one ends every session of the
        # account, this browser's too unless it is logged in again below.
        own = current_user.is_authenticated and current_user.id == user.id
        try:
            set_password(user, form.password.data)
        except AccountError as error:
            put_error(form, error, "password")
        else:
            db.session.commit()
            if own:
                login_user(user)
                flash(_("Your password is changed. You are logged out everywhere else."))
                return redirect(url_for("accounts.home"), code=303)
            flash(_("Your password is set. You can log in now."))
            return redirect(url_for("accounts.login"), code=303)
    return render_template("accounts/set_password.html", form=form, user=user), (
        422 if form.errors else 200)


@bp.route("/account/reset", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def reset():
    """Ask for a password link by e-mail; the answer never says whether the account
    exists."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is not None and user.active and mail_enabled():
            send_password_link(user, absolute_url("accounts.password",
                                                  token=make_password_token(user)))
            db.session.commit()
        if mail_enabled():
            flash(_("If there is an account with that e-mail, a link is on its way."))
        else:
            flash(_("E-mail is not set up here. Ask a coordinator for a new password "
                    "link."))
        return redirect(url_for("accounts.login"), code=303)
    return render_template("accounts/reset.html", form=form), 422 if form.errors else 200


def register_login_manager(login_manager):
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            abort(401)
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
