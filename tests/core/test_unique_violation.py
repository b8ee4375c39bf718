"""core.api.unique_violation: the IntegrityError of a unique constraint, on
either database, read back as the 400 validation gives a moment later."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from contracts.models import ActualCost
from core.api import unique_violation
from outcomes.models import Dimension
from tests.factories import DimensionFactory


def broken(create) -> IntegrityError:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        create()
    return error.value


@pytest.mark.django_db
def test_one_unique_field_is_named():
    DimensionFactory(name="Safety")
    error = unique_violation(broken(lambda: Dimension.objects.create(name="Safety")))
    assert error.detail == {"name": ["Dimension with this Name already exists."]}


def test_several_fields_are_named_together(system):
    month = dt.date(2025, 4, 1)
    ActualCost.objects.create(contract=system.contract_a, month=month, amount=1)
    error = unique_violation(
        broken(lambda: ActualCost.objects.create(contract=system.contract_a, month=month, amount=2))
    )
    assert error.detail == {
        "non_field_errors": ["Actual cost with this Contract and Month already exists."]
    }


@pytest.mark.django_db
def test_any_other_integrity_error_stays_one():
    error = broken(lambda: ActualCost.objects.create(contract_id=999, month=dt.date(2025, 4, 1)))
    assert unique_violation(error) is None
