"""School structure pages for the school administrator, one module per use-case.

Each view fetches the school through ``access_school(..., for_admin=True)`` (404 for anyone
else), reads through selectors and writes through services; the forms only parse input.

- ``common`` — what they share: ``school_admin_page`` (also for the admin pages of the timetable
  and the journal), ``school_class_group``, ``year_query``;
- ``pages`` — class groups, enrolment, invitations, staff, assignments, study periods, devices;
- ``buildings`` — buildings and their rooms;
- ``holidays`` — the year's holidays;
- ``subgroups`` — a class group's subgroups and their members;
- ``moves`` — a student's move to another class group or out of the school, and the history.
"""
