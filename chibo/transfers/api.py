"""API of chibo.transfers."""

from ninja import Router

router = Router()
