"""API of chibo.fees."""

from ninja import Router

router = Router()
