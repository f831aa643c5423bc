# SPDX-License-Identifier: EUPL-1.2
"""What every route needs, wired once by the app factory: settings, store, register, facility, templates."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from vum.portal.settings import PortalSettings
from vum.store.portal import PortalRepositories

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates

    from vum.portal.facility import FacilityClient
    from vum.register import Register


@dataclass
class Portal:
    """The portal's services (``app.state.portal``); routes reach them through :func:`portal_of`."""

    settings: PortalSettings
    repos: PortalRepositories
    register: Register
    facility: FacilityClient
    templates: Jinja2Templates
    #: wall-clock seconds; tests move it to expire sessions without waiting
    clock: Callable[[], float] = field(default=time.time)


def portal_of(request: Request) -> Portal:
    """The portal's services, for a route: ``portal: Portal = Depends(portal_of)``."""
    found: Portal = request.app.state.portal
    return found


#: A route's parameter for the portal's services.
PortalDep = Annotated[Portal, Depends(portal_of)]
