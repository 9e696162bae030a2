"""The one error type: fields, status and code; put on a form, answered as JSON."""

from flask_wtf import FlaskForm
from wtforms import StringField

from directory.api.errors import error_response
from directory.bookings.services import BookingConflict
from directory.common.errors import FieldError, put_error
from directory.signups.services import SignupError


class PersonForm(FlaskForm):
    name = StringField()
    contact = StringField()
    owner_email = StringField()


def a_form(app):
    with app.test_request_context(method="POST", data={"name": "A", "contact": "B"}):
        form = PersonForm(meta={"csrf": False})
        assert form.validate()
        return form


def test_one_field_error_keeps_its_shape():
    error = FieldError("name", "Write a name.")
    assert error.field == "name" and error.message == "Write a name."
    assert error.fields == {"name": "Write a name."}
    assert error.status == 422 and error.code is None
    assert str(error) == "Write a name."


def test_an_error_carries_several_fields_a_status_and_a_code():
    error = FieldError(message="Not valid.", fields={"name": "Short.", "contact": "Odd."},
                       status=409, code="odd")
    assert error.field == "name" and error.message == "Not valid."
    assert (error.status, error.code) == (409, "odd")
    assert BookingConflict("reason", "Taken.").status == 409
    signup = SignupError(message="Gone.", status=404, code="not_found")
    assert isinstance(signup, FieldError) and signup.fields == {} and signup.field is None


def test_every_field_of_an_error_goes_on_the_form(app):
    form = a_form(app)
    put_error(form, FieldError(message="Not valid.", fields={
        "name": "Short.", "contact": "Odd.", "phone": "No such field."}), "name")
    assert form.name.errors == ["Short.", "No such field."]
    assert form.contact.errors == ["Odd."]
    assert form.owner_email.errors == []


def test_a_field_can_go_by_another_name_on_the_form(app):
    form = a_form(app)
    put_error(form, FieldError("email", "Taken."), "name", rename={"email": "owner_email"})
    assert form.owner_email.errors == ["Taken."] and form.name.errors == []


def test_an_error_of_no_field_goes_beside_the_fallback_or_on_the_form(app):
    form = a_form(app)
    put_error(form, SignupError(message="Cancelled.", status=409), "contact")
    assert form.contact.errors == ["Cancelled."]
    put_error(form, SignupError(message="Past.", status=409))
    assert form.form_errors == ["Past."]


def test_the_json_body_of_a_signup_error(app):
    with app.test_request_context("/api/v1/occurrences/1/signups"):
        response = error_response(SignupError(message="This date is cancelled.",
                                              status=409, code="cancelled"))
        assert response.status_code == 409
        assert response.get_json() == {"error": {
            "code": "cancelled", "message": "This date is cancelled.", "fields": {}}}
        invalid = error_response(SignupError(message="Some fields are not valid.",
                                             fields={"name": "Write a name."}))
        assert invalid.status_code == 422
        assert invalid.get_json()["error"] == {
            "code": "invalid", "message": "Some fields are not valid.",
            "fields": {"name": "Write a name."}}


def test_the_json_body_of_a_field_error(app):
    with app.test_request_context("/api/v1/anything"):
        response = error_response(FieldError("week", "Write the week as YYYY-Www."))
        assert response.status_code == 422
        assert response.get_json()["error"] == {
            "code": "invalid", "message": "Write the week as YYYY-Www.",
            "fields": {"week": "Write the week as YYYY-Www."}}
        conflict = error_response(BookingConflict("reason", "Taken."))
        assert conflict.status_code == 409
        assert conflict.get_json()["error"]["code"] == "conflict"


def test_the_api_answers_a_refused_sign_up_with_its_fields(client):
    response = client.post("/api/v1/occurrences/1/signups", json={"name": "", "contact": ""})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) == {"name", "contact"}
