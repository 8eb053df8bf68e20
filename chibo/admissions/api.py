"""API of chibo.admissions."""

from ninja import Router

router = Router()
