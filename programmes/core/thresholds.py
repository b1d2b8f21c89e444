"""The clinically meaningful changes the check-ins judge by, shared by the neck questionnaire and
the check-in screen (which carry patient text, and so Django's translation) and the pure
progression rules and charts here."""

# Vernon 2008: 5 points out of 50 (10%) is both the minimal detectable and the minimal clinically
# important change; Stratford 1999 MDC90 4.7 points (red-flags.md section 6 [S26]).
MCID_POINTS = 5

# NPRS: "a 2-point change is clinically meaningful" (Childs 2005, low back pain, MCID 1.5-2.2);
# Kovacs 2008 MCIC 1.5 points for non-specific neck pain, rounded up to whole points
# (red-flags.md section 6 [S27]).
WORSE_PAIN_POINTS = 2
