"""A user's API tokens end when their password changes or they are deactivated.

A receiver rather than a service, because passwords change in places vum does not own: the
admin's password form (which can also make the password unusable), `manage.py changepassword`,
Django's own password views, `seed_demo`. All of them save the user after
`set_password()`/`set_unusable_password()`, and deactivation is a save with `is_active` off.
"""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from vum.accounts.models import User
from vum.accounts.services import api_tokens_revoke_all


@receiver(post_save, sender=User, dispatch_uid="vum.accounts.revoke_api_tokens")
def revoke_api_tokens(
    sender: type[User], instance: User, created: bool, raw: bool, **_: Any
) -> None:
    if created or raw:
        return
    # Django's own mark of a new password: set_password() sets it, save() clears it after this
    # signal. A hash upgrade at login clears it before saving, so an upgrade revokes nothing.
    if getattr(instance, "_password", None) is not None:
        api_tokens_revoke_all(user=instance, actor=None, reason="adgangskoden er skiftet")
    elif not instance.has_usable_password():
        api_tokens_revoke_all(user=instance, actor=None, reason="adgangskoden er fjernet")
    elif not instance.is_active:
        # Knox refuses an inactive user's token already; deleting them keeps it refused if the
        # user is activated again.
        api_tokens_revoke_all(user=instance, actor=None, reason="brugeren er deaktiveret")
