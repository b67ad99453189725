"""The education-gap register (issue 13 item 5): a dinas's staff, every employee, and their figures.

``models`` holds ``StaffMember``; ``operations`` writes it (a form, an import); ``figures`` counts
the register against the schemes' routes; ``routes`` are the dinas admin's pages.
"""
