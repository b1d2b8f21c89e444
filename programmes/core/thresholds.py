"""The clinically meaningful changes the check-ins judge by, shared by the neck questionnaire and
the check-in screen (which carry patient text, and so Django's translation) and the pure
progression rules and charts here."""

# NDI: 5 points out of 50 (10%) is the minimal detectable change at 90% confidence given with
# Vernon's scoring instructions (Stratford et al. 1999, red-flags.md section 6 [S26]): the
# smallest change beyond measurement error, not a published MCID. Anchor-based MCIDs in
# mechanical neck pain are larger: 7.5 points (Young et al. Spine J 2009;9(10):802-8, who advise
# 10) and 19 percentage points, 9.5 points (Cleland et al. Arch Phys Med Rehabil 2008;89:69-74).
# Counting 5 as "improved" is clinic policy, for the clinical lead to confirm.
MCID_POINTS = 5

# NPRS: about 2 points (or 30%) was the clinically important difference in chronic pain (Farrar
# et al. Pain 2001;94(2):149-58); Childs et al. (Spine 2005;30(11):1331-4, low back pain) found
# 2.2 points at one week and 1.5 at four and call a 2-point change meaningful; in neck pain
# Kovacs et al. (BMC Musculoskelet Disord 2008;9:43) found 1.5 and Cleland et al. (2008) 1.3
# (red-flags.md section 6 [S27]). Whole points: 2.
WORSE_PAIN_POINTS = 2
