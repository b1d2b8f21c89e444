import pytest

from patients.nhs import format_nhs_number, nhs_number_is_valid, normalise_nhs_number


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "9434765870"])
def test_a_number_with_the_right_check_digit_is_valid(number):
    assert nhs_number_is_valid(number)


@pytest.mark.parametrize(
    "number",
    ["9434765918", "943476591", "94347659190", "94347659a9", "", "1000000010"],
)
def test_a_wrong_check_digit_or_length_is_refused(number):
    assert not nhs_number_is_valid(number)


def test_receptionists_may_type_spaces_or_dashes():
    assert normalise_nhs_number(" 943 476-5919 ") == "9434765919"
    assert format_nhs_number("9434765919") == "943 476 5919"
