"""Choices for incentives: one spelling each."""

from django.db import models


class SettlementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED_OFF = "signed_off", "Signed off"


class Recipient(models.TextChoices):
    NETWORK = "network", "Network"
    COMMISSIONER = "commissioner", "Commissioner"
    NONE = "", "No payment"
