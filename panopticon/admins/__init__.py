"""Administrator accounts: enrolment, login with a second factor, sessions and roles."""
