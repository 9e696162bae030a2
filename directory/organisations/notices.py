"""What an organisation and new members are told: the coordinator's decision on its
registration, and an invitation to join. Written to the outbox in the transaction of
the change, in the organisation's preferred language."""

from flask_babel import lazy_gettext as _l

from ..common.urls import absolute_url
from ..messages.outbox import in_language, queue, recipient_language

DECISIONS = {
    "verified": (_l("%(name)s is verified"),
                 _l("%(name)s is verified and now shown in the public register, with its "
                    "activities.")),
    "rejected": (_l("%(name)s could not be verified"),
                 _l("%(name)s could not be verified yet. Correct what the coordinator "
                    "asks for and save: it is then reviewed again.")),
    "archived": (_l("%(name)s is archived"),
                 _l("%(name)s is archived and no longer shown publicly.")),
}


def tell_decision(organisation):
    """The organisation hears of the decision on its registration (when it has an
    e-mail address)."""
    if not organisation.email or organisation.status not in DECISIONS:
        return None
    language = recipient_language(organisation.preferred_language)
    link = absolute_url("organisations.edit", slug=organisation.slug)

    def write():
        subject, text = DECISIONS[organisation.status]
        lines = [str(text) % {"name": organisation.name}]
        if organisation.status_reason:
            lines.append(str(_l("Reason: %(reason)s", reason=organisation.status_reason)))
        lines.append(str(_l("Your organisation's page: %(link)s", link=link)))
        return str(subject) % {"name": organisation.name}, "\n\n".join(lines) + "\n"
    subject, body = in_language(language, write)
    return queue(f"organisation.{organisation.status}", organisation.email, language,
                 subject, body, organisation_id=organisation.id)


def tell_invited(user, organisation, link, language):
    """An invitation to a new member, with the link to choose a password."""
    def write():
        return (str(_l("Invitation to %(name)s", name=organisation.name)),
                str(_l("You are invited to %(name)s on Samverkan. Choose a password "
                       "within 48 hours: %(link)s", name=organisation.name, link=link))
                + "\n")
    language = recipient_language(language)
    subject, body = in_language(language, write)
    return queue("account.invitation", user.email, language, subject, body,
                 organisation_id=organisation.id, user_id=user.id)
