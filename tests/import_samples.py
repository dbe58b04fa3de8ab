"""Small valid import files shared by the import tests (tests/*/test_import*.py)."""
from datetime import date

from reporting.imports import read_upload

TODAY = date(2025, 8, 15)

TEAMS = (
    "code,name,service_area,team_type,preset,scheme,scheme_team_type,from\n"
    "DA1,Duty and Assessment 1,North,duty_and_assessment,BARNET_2019,nottinghamshire-wlm-2016,assessment,2024-01\n"
)
WORKERS = (
    "id,first_name,surname,position,employment_type,wte,grade,asye_start,asye_completed,case_holding,supervisor,login,"
    "team,start,end\n"
    "W1,Ann,Lee,social_worker,permanent,1,,,,yes,,,DA1,2024-01-01,\n"
    "W2,Ben,Roe,asye,agency,0.6,,2025-01-06,,yes,W1,,DA1,2025-01-06,\n"
)
CASES = (
    "reference,team,children,category,factors,opened,closed\n"
    "C1,DA1,2,cin_stable,,2025-02-01,\n"
    "C2,DA1,1,cin_stable,,2025-03-01,2025-06-30\n"
)
ALLOCATIONS = (
    "case,worker,role,from,to,co_work_share\n"
    "C1,W1,allocated,2025-02-01,,\n"
    "C1,W2,co_worker,2025-02-10,,\n"
    "C2,W2,allocated,2025-03-01,2025-06-30,\n"
)


def files(**overrides):
    texts = {"teams.csv": TEAMS, "workers.csv": WORKERS, "cases.csv": CASES, "allocations.csv": ALLOCATIONS}
    texts.update(overrides)
    return [read_upload(name, text.encode()) for name, text in texts.items()]
