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
