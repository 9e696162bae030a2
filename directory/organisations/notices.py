"""What an organisation and new members are told: the coordinator's decision on its
registration, an invitation to join, and (freshness.py) the yearly request to confirm
its details and the notice that it left the public lists. Written to the outbox in the
transaction of the change, in the organisation's preferred language (its owners' own
languages for what goes to them)."""

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from ..common.time import to_local
from ..common.urls import absolute_url
from ..messages.outbox import in_language, queue, recipient_language
from ..messages.texts import render

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


def owner_addresses(organisation):
    """[(address, language, user id or None)]: the organisation's e-mail in its
    preferred language, then each active owner's account in theirs; each address once."""
    found = {}
    if organisation.email:
        found[organisation.email.casefold()] = (organisation.email,
                                                organisation.preferred_language, None)
    for membership in sorted(organisation.memberships, key=lambda m: m.id):
        user = membership.user
        if membership.role == "owner" and user.active and user.email.casefold() not in found:
            found[user.email.casefold()] = (user.email, user.language, user.id)
    return list(found.values())


def tell_owners(organisation, kind, deadline, now):
    """Ask the owners to confirm the organisation's details (`kind` "confirm", by
    `deadline`), or tell them it left the public lists ("lapsed"), with the link to
    its page. One message per address, each in its reader's language."""
    link = absolute_url("organisations.edit", slug=organisation.slug)
    for address, language, user_id in owner_addresses(organisation):
        language = recipient_language(language)

        def values():
            return {"kind": kind, "name": organisation.name, "link": link,
                    "confirmed": format_date(to_local(organisation.confirmed_at).date(),
                                             "d MMMM y"),
                    "deadline": format_date(to_local(deadline).date(), "d MMMM y")
                    if deadline else None}
        subject, body, _ = render("messages/freshness.txt", language, values)
        queue(f"organisation.{kind}", address, language, subject, body, now=now,
              organisation_id=organisation.id, user_id=user_id)
