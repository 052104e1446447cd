"""The admin app's route set. Features declare routes with `@router.route(...)`."""

from foundation.rpc import Router

router = Router("panopticon")
