"""NHS numbers: ten digits, the last a modulus 11 check digit (NHS Data Dictionary)."""


def normalise_nhs_number(value: str) -> str:
    """Digits only: receptionists type NHS numbers as '943 476 5919' or '943-476-5919'."""
    return "".join(ch for ch in value if not ch.isspace() and ch != "-")


def nhs_number_is_valid(number: str) -> bool:
    if len(number) != 10 or not number.isdigit():
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(number[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(number[9])


def format_nhs_number(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else number
