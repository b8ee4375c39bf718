"""Choices for incentives: one spelling each, with the colour a status is
shown in (core.choices)."""

from django.db import models

from core.choices import ColourTextChoices


class SettlementStatus(ColourTextChoices):
    DRAFT = "draft", "Draft", "yellow"
    SIGNED_OFF = "signed_off", "Signed off", "green"


class Recipient(models.TextChoices):
    NETWORK = "network", "Network"
    COMMISSIONER = "commissioner", "Commissioner"
    NONE = "", "No payment"
