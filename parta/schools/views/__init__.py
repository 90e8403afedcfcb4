"""School structure pages for the school administrator, one module per use-case.

Each view fetches the school through ``access_school(..., for_admin=True)`` (404 for anyone
else), reads through selectors and writes through services; the forms only parse input.

- ``pages`` — class groups, enrolment, invitations, staff, assignments, study periods, devices
  (and the helpers the others share: ``_school_page``, ``_school_class_group``);
- ``buildings`` — buildings and their rooms;
- ``holidays`` — the year's holidays;
- ``subgroups`` — a class group's subgroups and their members;
- ``moves`` — a student's move to another class group or out of the school, and the history.
"""
