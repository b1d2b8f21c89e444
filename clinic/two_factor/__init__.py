"""Two-factor authentication for staff: a TOTP authenticator app, with backup codes.

django-otp keeps the devices (`TOTPDevice`, `StaticDevice` for the backup codes) and marks a
session verified (`django_otp.login`, read back by its `OTPMiddleware`); the clinic's own pages,
services and middleware here decide who needs a second factor and what they may do without one.
"""
