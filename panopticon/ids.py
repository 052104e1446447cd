"""Input types shared by panopticon's support tools: ids (the prefixes of `foundation.ids`),
search text and the reason an administrator gives for an action."""

from __future__ import annotations

from typing import Annotated

import msgspec

_ID = "[0-9a-hjkmnp-tv-z]{26}"

UserId = Annotated[str, msgspec.Meta(pattern=rf"^usr_{_ID}$")]
OrgId = Annotated[str, msgspec.Meta(pattern=rf"^org_{_ID}$")]
SessionId = Annotated[str, msgspec.Meta(pattern=rf"^ses_{_ID}$")]
InviteId = Annotated[str, msgspec.Meta(pattern=rf"^inv_{_ID}$")]
AuditId = Annotated[str, msgspec.Meta(pattern=rf"^aud_{_ID}$")]
ActorId = Annotated[str, msgspec.Meta(pattern=rf"^(usr|adm)_{_ID}$")]  # a user or an administrator
# Why an administrator acts: required, stored in the audit row (the column holds 2000).
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S")]
SearchText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
PageSize = Annotated[int, msgspec.Meta(ge=1, le=100)]
