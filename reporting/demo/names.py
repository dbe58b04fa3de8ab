"""Fixed word lists for the generated people and comments: plausible, British, and never real records."""

FIRST_NAMES = (
    "Aisha", "Alex", "Alice", "Amara", "Amelia", "Amir", "Amy", "Andrew", "Anna", "Asif", "Beth", "Bethany",
    "Callum", "Carys", "Charlotte", "Chloe", "Ciaran", "Claire", "Daniel", "David", "Deborah", "Declan", "Eilidh",
    "Eleanor", "Ellie", "Emily", "Emma", "Erin", "Faye", "Fiona", "Gareth", "Gemma", "Georgia", "Grace", "Hannah",
    "Harpreet", "Harriet", "Hayley", "Imran", "Isla", "Jack", "Jade", "James", "Jasmine", "Jennifer", "Joanne",
    "Jodie", "Jonathan", "Joseph", "Kamala", "Karen", "Katie", "Kelly", "Kieran", "Kirsty", "Laura", "Lauren",
    "Leah", "Liam", "Lisa", "Louise", "Lucy", "Mark", "Martin", "Matthew", "Megan", "Michael", "Michelle", "Mohammed",
    "Naomi", "Natalie", "Nathan", "Niamh", "Nicola", "Oliver", "Olivia", "Owen", "Paul", "Priya", "Rachel",
    "Rebecca", "Rhys", "Richard", "Robert", "Rosie", "Ruth", "Ryan", "Sadia", "Samantha", "Sarah", "Shabana",
    "Siobhan", "Sophie", "Stephen", "Stuart", "Tariq", "Thomas", "Tom", "Victoria", "Yasmin", "Zainab", "Zoe",
)

SURNAMES = (
    "Adams", "Ahmed", "Ali", "Allen", "Andrews", "Atkinson", "Bailey", "Baker", "Barker", "Bell", "Bennett",
    "Begum", "Booth", "Bradley", "Brown", "Burns", "Campbell", "Carter", "Chapman", "Clarke", "Coleman", "Collins",
    "Cook", "Cooper", "Cox", "Davies", "Dawson", "Dixon", "Doherty", "Edwards", "Ellis", "Evans", "Fisher",
    "Fletcher", "Foster", "Fox", "Gibson", "Graham", "Gray", "Green", "Griffiths", "Hall", "Harris", "Harrison",
    "Hill", "Holmes", "Hughes", "Hunt", "Hussain", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Kaur",
    "Kelly", "Kennedy", "Khan", "King", "Knight", "Lee", "Lewis", "Lloyd", "Marshall", "Martin", "Mason",
    "Matthews", "Mills", "Mitchell", "Moore", "Morgan", "Morris", "Murphy", "Murray", "Nelson", "Owen", "Palmer",
    "Parker", "Patel", "Pearson", "Phillips", "Powell", "Price", "Quinn", "Reid", "Richards", "Roberts",
    "Robinson", "Rogers", "Rose", "Russell", "Scott", "Shaw", "Simpson", "Singh", "Smith", "Stevens", "Stewart",
    "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson", "Webb", "White", "Williams", "Wilson",
    "Wood", "Wright", "Young",
)

# Explanations of Nottinghamshire extra duties (SCHEMES.md 3.6: "the points given must be clearly explained").
EXTRA_DUTY_EXPLANATIONS = (
    "Representation on the fostering panel",
    "Member of the MASH practice working group",
    "Delivering signs of safety training to new starters",
    "Facilitating the young carers support group",
    "Time in court as a witness on a closed case",
    "Representation on the joint agency tasking group",
)

COMMENTS_MANAGEABLE = (
    "Workload manageable; caseload discussed case by case in supervision.",
    "Manageable this month. Two cases expected to step down before the next review.",
    "Manageable with current support from the senior practitioner.",
    "Caseload settled; no new allocations expected beyond the duty rota.",
)

COMMENTS_STRETCHED = (
    "Stretched: two new section 47 enquiries this month. Agreed to protect time for statutory visits.",
    "Demanding month with court deadlines; no further allocations until the final hearing.",
    "Caseload above the team average. Reviewed priorities and agreed to transfer one family.",
    "Several unstable placements. Extra support from the practice manager agreed until next supervision.",
)

ACTIONS_HIGH = (
    "No new allocations for four weeks; one case to be reallocated within the team.",
    "Agreed with the head of service to hold the caseload above threshold until the end of the month.",
    "Court statement support from the senior practitioner; caseload reviewed weekly.",
)

SUPERVISION_NOTES = (
    "Case-by-case review of all open families; reflective discussion on one case.",
    "Caseload and priorities reviewed; learning and development discussed.",
    "Focus on court timetable and statutory visits.",
    "Wellbeing check-in and caseload review.",
)

NOT_HELD_NOTES = (
    "Cancelled: worker on annual leave; rearranged for next month.",
    "Cancelled: manager attending an ICPC at short notice.",
    "Cancelled: worker in court all day.",
)

# Field 8 reasons (POLICIES R03, R06, R21-R23), as managers write them after supervision. Which one a month
# needs is decided by supervision.rules; these are only the words.
DEVIATION_REASONS = {
    ("qualified", "higher"): (
        "Covering two families of a colleague on sick leave until they return; agreed to review at the next "
        "supervision.",
        "Took a large sibling group from duty because of vacancies in the team. No further allocations until "
        "the caseload comes down.",
        "Holding families transferred from a worker who left; three are due to close after their review "
        "conferences.",
        "Agreed to keep a family the worker knows well through the final hearing rather than transfer it "
        "part-way through proceedings.",
        "Several sibling groups on the caseload push the number of children up; the number of families is "
        "within the usual range.",
        "Covering a vacancy until the new starter is in post; two families to be reallocated next month.",
    ),
    ("qualified", "lower"): (
        "Caseload kept lower while the worker completes a complex parenting assessment for court.",
        "Phased return after leave: allocations to build up over the next two months.",
        "Several families closed this month after stepping down to early help; new allocations planned from "
        "duty.",
        "Time set aside for the practice educator role and for supporting a student.",
        "Part of the month spent on a joint investigation with the police; fewer allocations agreed.",
        "New to the team: caseload building up as agreed at induction.",
    ),
    ("asye", "higher"): (
        "Above the agreed ASYE level: two families came with the worker from their final placement. Reviewed "
        "with the ASYE assessor.",
        "Agreed with the ASYE assessor to take one more family for the learning it offers; time protected for "
        "reflective supervision.",
        "Team vacancies this month; the ASYE caseload will come back to the agreed level when the new starter "
        "arrives.",
    ),
    ("asye", "lower"): (
        "Protected ASYE caseload, increasing gradually as agreed with the ASYE assessor.",
        "Time set aside for ASYE training days and the portfolio this month.",
        "Early weeks of the ASYE: shadowing colleagues before taking more allocations.",
    ),
}

OVER_MAX_REASONS = (
    "Nobody else in the team has capacity this month; two families to be reallocated when the new starter "
    "arrives.",
    "Emergency allocation from duty after a strategy discussion: the worker already knows the family.",
    "Keeping a sibling group with the same worker through the final hearing.",
    "The team is carrying a vacancy; agreed with the service manager as a short-term measure.",
    "Two families are due to close after their reviews; over the maximum only until then.",
)

HIGH_PRIORITIES = (
    "Child protection visits and core groups first; no new allocations for four weeks; one family to move to "
    "another worker in the team.",
    "Court statements for the two families in proceedings come first; the senior practitioner covers the "
    "worker's duty days this month.",
    "Statutory visits and conferences first. Assessments due this month extended by agreement with the "
    "practice manager.",
    "Two children in need cases to step down to early help; Friday afternoons protected for recording.",
    "Agreed priorities: visits to the children on plans, then the care proceedings timetable. Caseload "
    "reviewed again in two weeks.",
)

OVER_CAPACITY_REASONS = (
    "Placement moves for two children this month and an unplanned court hearing.",
    "Covering the caseload of a colleague on long-term sick leave.",
    "Three children came into care in the month, each needing statutory visits within the week.",
    "Pathway plans for four young people fell due at the same time.",
    "A disrupted placement needed daily contact for a fortnight.",
)

REMEDIAL_ACTIONS = (
    "Two cases move to the senior practitioner from the first of next month; no new allocations until the "
    "score is back under the maximum.",
    "Service manager agreed agency cover for three months; caseload reviewed weekly until under the maximum.",
    "Direct work programme handed to the family support worker; fostering panel duties paused for two months.",
    "One family transferred to the leaving care team early, as agreed at the transition meeting.",
)
